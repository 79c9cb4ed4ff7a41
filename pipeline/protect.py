"""Tagged sentence ⇄ what an engine sees, and putting the markup back afterwards.

Void tags (code, URLs, images) and glossary terms become numbered placeholders ``{1}`` that
the engine must copy; paired tags (links, bold, italics) are removed, so the model translates
one whole sentence, and the text inside each is translated on its own as well. After
translation the placeholders are restored (a void tag, a kept term verbatim, or a forced
translation), checked (missing ones are reinserted, extra ones dropped, each with a finding),
and each span is placed in the whole translation (see :mod:`pipeline.placement`) by the
first method that works:

1. ``exact``: the span's own translation occurs in the whole translation (when it occurs more
   than once, the occurrence nearest the expected position wins);
2. ``source``: the span's English words occur there (names a model copies);
3. ``align``: the model's attention maps the span's source tokens to target words (Argos
   engine only; see :attr:`pipeline.engines.Translation.alignment`);
4. ``fuzzy``: a window of words similar to the span's translation;
5. ``position``: the fallback: the words at the same relative position. The span is never
   dropped, and a finding ``inline-fallback:<tag>`` says it may wrap the wrong words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.glossary import Terms
from pipeline.inline import Token, serialize, tokenize
from pipeline.placement import (
    METHODS,
    Alignment,
    Span,
    by_position,
    place,
    project,
)

# PLACEHOLDER_RE is re-exported: engines and tests know it as protect's.
from pipeline.placement import PLACEHOLDER_RE as PLACEHOLDER_RE

_END_PUNCT = ".!?。！？؟।"


#: Literal braces in the English (``{1}``, ``{name}``): protected like a term kept verbatim, so
#: the engine can neither take them for its own placeholders nor translate what is inside.
_LITERAL_RE = re.compile(r"[{｛][^{}｛｝]{0,40}[}｝]")


@dataclass(frozen=True)
class TermSlot:
    """A glossary term (or literal braces of the source) replaced by a placeholder."""

    source: str  # the words as they appear in the English sentence
    target: str  # what the translation gets: the same words, or the forced translation
    literal: bool = False  # braces of the source text, not a glossary term


@dataclass(frozen=True)
class Protected:
    """A sentence as the engine sees it."""

    source: str  # the tagged sentence
    text: str  # engine input
    voids: dict[str, str]  # placeholder number → void tag name
    spans: list[Span] = field(default_factory=list)
    terms: dict[str, TermSlot] = field(default_factory=dict)  # placeholder number → term
    breaks: int = 0  # hard line breaks the sentence starts with (kept out of the engine)
    empty: tuple[str, ...] = ()  # paired tags around no words (``[](x)``), put back as is


@dataclass(frozen=True)
class Restored:
    """A translated tagged sentence, with what had to be repaired."""

    text: str
    placed: int  # spans located by a method other than the positional fallback
    fallback: int  # spans kept by position only
    findings: list[str]
    methods: dict[str, int] = field(default_factory=dict)  # method name → spans it placed


class _EngineText:
    """The engine input being built, with its placeholders; lengths kept as it grows."""

    def __init__(self, glossary: Terms | None) -> None:
        self.glossary = glossary
        self.parts: list[str] = []
        self.length = 0
        self.voids: dict[str, str] = {}
        self.terms: dict[str, TermSlot] = {}

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)

    def slot(self) -> str:
        number = str(len(self.voids) + len(self.terms) + 1)
        self.add("{" + number + "}")
        return number

    def text(self, value: str) -> None:
        pos = 0
        for match in _LITERAL_RE.finditer(value):
            self.words(value[pos : match.start()])
            self.terms[self.slot()] = TermSlot(match.group(0), match.group(0), literal=True)
            pos = match.end()
        self.words(value[pos:])

    def words(self, value: str) -> None:
        pos = 0
        for match in self.glossary.find(value) if self.glossary else []:
            self.add(value[pos : match.start])
            self.terms[self.slot()] = TermSlot(match.text, match.replacement)
            pos = match.end
        self.add(value[pos:])


def protect(tagged: str, glossary: Terms | None = None) -> Protected:
    """Replace void tags and glossary terms by placeholders and remember paired spans."""
    tokens = tokenize(tagged)
    breaks, tokens = _leading_breaks(tokens)
    built = _EngineText(glossary)
    open_at: dict[str, tuple[int, int]] = {}
    ranges: list[tuple[str, int, int, int]] = []
    for token in tokens:
        if token.kind == "text":
            built.text(token.value)
        elif token.kind == "void":
            built.voids[built.slot()] = token.value
        elif token.kind == "open":
            open_at[token.value] = (built.length, len(open_at))
        else:
            start, depth = open_at.pop(token.value)
            ranges.append((token.value, start, built.length, depth))
    raw = "".join(built.parts)
    lead = len(raw) - len(raw.lstrip())
    total = max(len(raw), 1)
    spans = []
    empty = []
    for name, a, b, depth in sorted(ranges, key=lambda r: (r[1], -r[2], r[3])):
        inner = raw[a:b]
        if not inner.strip():
            empty.append(name)
            continue
        a += len(inner) - len(inner.lstrip())
        b -= len(inner) - len(inner.rstrip())
        glued = raw[a - 1 : a].isalnum() or raw[b : b + 1].isalnum()
        spans.append(Span(name, raw[a:b], a / total, b / total, a - lead, b - lead, depth, glued))
    return Protected(tagged, raw.strip(), built.voids, spans, built.terms, breaks, tuple(empty))


def _leading_breaks(tokens: list[Token]) -> tuple[int, list[Token]]:
    """Hard line breaks before the first word (a sentence cut there), and the rest."""
    breaks = 0
    kept: list[Token] = []
    words = False
    for token in tokens:
        if not words and token == Token("void", "br"):
            breaks += 1
            continue
        words = words or token.kind in ("text", "void")
        kept.append(token)
    return breaks, kept


def engine_inputs(protected: Protected) -> list[str]:
    """Every text the engine must translate for this sentence: the sentence, then its spans."""
    return [protected.text] + [span.text for span in protected.spans]


def restore(
    protected: Protected,
    translation: str,
    span_translations: list[str],
    alignment: Alignment | None = None,
) -> Restored:
    """Put placeholders and paired tags back into ``translation``.

    ``alignment`` (optional) links target tokens of ``translation`` to source tokens of
    ``protected.text``; without it spans are located by their words alone.
    """
    findings: list[str] = []
    text, void_marks, offsets = _placeholders(protected, translation, findings)
    inside = _inside(protected)
    ranges: list[tuple[str, int, int, int]] = []
    methods = dict.fromkeys(METHODS, 0)
    for span, span_text in zip(protected.spans, span_translations, strict=True):
        projected = project(text, span, alignment, offsets) if alignment else None
        expected = (
            (projected[0] + projected[1]) / 2
            if projected
            else (span.start + span.end) / 2 * len(text)
        )
        translated = _words(protected, span_text)
        english = _words(protected, span.text)
        taken = [
            (start, end)
            for (_n, start, end, _d), other in zip(ranges, protected.spans, strict=False)
            if other.stop <= span.offset or other.offset >= span.stop
        ]
        method, found = place(text, translated, english, projected, expected, taken, span.glued)
        methods[method] += 1
        if found is None:
            findings.append(f"inline-fallback:{span.name}")
            found = by_position(text, span)
            if found is None:
                # No words at all to hold the tag: append the span's words (translated if the
                # engine gave any, else the English), so the link stays visible and usable.
                words = translated or english or span.name
                text = text.rstrip() + (" " if text.strip() else "")
                found = (len(text), len(text) + len(words))
                text += words
        found = _with_voids(text, found, void_marks, inside[span.name])
        ranges.append((span.name, *found, span.depth))
    end = _before_end(text)
    ranges.extend((name, end, end, 0) for name in protected.empty)
    tagged = "<br/>" * protected.breaks + _insert_tags(text, ranges, void_marks, inside)
    fallback = methods["position"]
    return Restored(tagged, len(protected.spans) - fallback, fallback, findings, methods)


def _inside(protected: Protected) -> dict[str, set[str]]:
    """Span name → the void tags inside it in the source."""
    return {
        span.name: {
            protected.voids[m.group(1)]
            for m in PLACEHOLDER_RE.finditer(span.text)
            if m.group(1) in protected.voids
        }
        for span in protected.spans
    }


def _with_voids(
    text: str, found: tuple[int, int], marks: dict[int, list[str]], inside: set[str]
) -> tuple[int, int]:
    """Widen a span over its own void tags just outside it (``*a `b`*`` found on ``a``)."""
    start, end = found
    for at, names in marks.items():
        if not inside.intersection(names):
            continue
        if at > end and not text[end:at].strip():
            end = at
        elif at < start and not text[at:start].strip():
            start = at
    return start, end


def _placeholders(
    protected: Protected, translation: str, findings: list[str]
) -> tuple[str, dict[int, list[str]], list[tuple[int, int]]]:
    """Resolve placeholders: terms become text, void tags become marks at their positions.

    Returns the text, the marks, and ``(raw offset, text offset)`` pairs at the start of each
    piece of the translation copied unchanged, to move alignment offsets into the text.
    """
    seen: set[str] = set()
    marks: dict[int, list[str]] = {}
    out: list[str] = []
    offsets: list[tuple[int, int]] = [(0, 0)]
    length = 0
    pos = 0
    for match in PLACEHOLDER_RE.finditer(translation):
        out.append(translation[pos : match.start()])
        length += match.start() - pos
        number = match.group(1)
        dropped = number in seen or (
            number not in protected.voids and number not in protected.terms
        )
        following = translation[match.end() : match.end() + 1]
        if dropped and out[-1].endswith(" ") and (not following or not following.isalnum()):
            out[-1] = out[-1][:-1]  # no double space where a dropped placeholder was
            length -= 1
        if number in seen:
            what = protected.voids.get(number) or protected.terms[number].source
            kind = "placeholder" if number in protected.voids else _term_kind(protected, number)
            findings.append(f"{kind}-duplicated:{what}")
        elif number in protected.voids:
            seen.add(number)
            marks.setdefault(length, []).append(protected.voids[number])
        elif number in protected.terms:
            seen.add(number)
            out.append(protected.terms[number].target)  # plain text, escaped on output
            length += len(out[-1])
        else:
            findings.append(f"placeholder-invented:{{{number}}}")
        pos = match.end()
        offsets.append((pos, length))
    out.append(translation[pos:])
    text = "".join(out)
    for number, slot in protected.terms.items():
        if number not in seen:
            findings.append(f"{_term_kind(protected, number)}-missing:{slot.source}")
            end = _before_end(text)
            insert = slot.target + (" " if end < len(text) and not text[end].isspace() else "")
            if end > 0 and not text[end - 1].isspace():
                insert = " " + insert
            text = text[:end] + insert + text[end:]
            marks = {(k + len(insert) if k > end else k): v for k, v in marks.items()}
            offsets = [(r, t + len(insert) if t > end else t) for r, t in offsets]
    for number, name in protected.voids.items():
        if number not in seen:
            findings.append(f"placeholder-missing:{name}")
            # Keep it before the final punctuation, so "see {1}." stays "see <url1/>."
            end = _before_end(text)
            if end > 0 and not text[end - 1].isspace():
                text = text[:end] + " " + text[end:]
                end += 1
            marks.setdefault(end, []).append(name)
    return text, marks, offsets


def _term_kind(protected: Protected, number: str) -> str:
    return "literal" if protected.terms[number].literal else "glossary"


def _before_end(text: str) -> int:
    return len(text.rstrip().rstrip(_END_PUNCT))


def _words(protected: Protected, engine_text: str) -> str:
    """A span's words as they appear in the restored text: terms resolved, voids dropped."""

    def term(match: re.Match[str]) -> str:
        slot = protected.terms.get(match.group(1))
        return slot.target if slot else " "

    return " ".join(PLACEHOLDER_RE.sub(term, engine_text).split())


def _insert_tags(
    text: str,
    ranges: list[tuple[str, int, int, int]],
    voids: dict[int, list[str]],
    inside: dict[str, set[str]],
) -> str:
    """Serialize text with tags at the given offsets, keeping paired tags properly nested.

    ``ranges`` are ``(name, start, end, depth)``; at equal offsets the span that is outer in
    the source (lower ``depth``) stays outer. A void tag at a span's edge goes inside it
    when it was inside in the source (``inside``: span name → its void tags), so
    ``*a `b`*`` keeps its code in the emphasis. Linear in the text, ``n log n`` in the tags.
    """
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    empties: dict[int, list[str]] = {}
    for name, start, end in _nested(ranges):
        if start == end:
            empties.setdefault(start, []).append(name)
            continue
        opens.setdefault(start, []).append(name)
        closes.setdefault(end, []).append(name)
    tokens: list[Token] = []
    pos = 0
    for at in sorted({*opens, *closes, *empties, *voids}):
        if at > pos:
            tokens.append(Token("text", text[pos:at]))
            pos = at
        here = voids.get(at, [])
        ending = {v for name in closes.get(at, []) for v in inside.get(name, ())}
        starting = {v for name in opens.get(at, []) for v in inside.get(name, ())}
        tokens.extend(Token("void", v) for v in here if v in ending)
        # Spans that end here close innermost first: the reverse of their opening order.
        tokens.extend(Token("close", name) for name in reversed(closes.get(at, [])))
        for name in empties.get(at, []):
            tokens.extend((Token("open", name), Token("close", name)))
        tokens.extend(Token("void", v) for v in here if v not in ending | starting)
        tokens.extend(Token("open", name) for name in opens.get(at, []))
        tokens.extend(Token("void", v) for v in here if v in starting and v not in ending)
    if pos < len(text):
        tokens.append(Token("text", text[pos:]))
    return serialize(tokens)


def _nested(ranges: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int]]:
    """The spans in opening order, each clipped inside the one around it where they cross."""
    accepted: list[tuple[str, int, int]] = []
    ends: list[int] = []  # ends of the spans still open, innermost last
    for name, start, end, _depth in sorted(ranges, key=lambda r: (r[1], -r[2], r[3])):
        while ends and ends[-1] <= start:
            ends.pop()
        if ends and end > ends[-1]:
            end = ends[-1]  # crossing spans: clip the later one inside the earlier
        end = max(end, start)
        accepted.append((name, start, end))
        if end > start:
            ends.append(end)
    return accepted
