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
from pipeline.inline import Token, tokenize
from pipeline.placement import (
    METHODS,
    WORD_RE,
    Alignment,
    Span,
    by_position,
    hull,
    place,
    project,
)

# PLACEHOLDER_RE is re-exported: engines and tests know it as protect's.
from pipeline.placement import PLACEHOLDER_RE as PLACEHOLDER_RE
from pipeline.tags import insert_tags

_END_PUNCT = ".!?。！？؟।"


#: Literal braces in the English (``{1}``, ``{name}``): protected like a term kept verbatim, so
#: the engine can neither take them for its own placeholders nor translate what is inside.
_LITERAL_RE = re.compile(r"[{｛][^{}｛｝]{0,40}[}｝]")


@dataclass(frozen=True, slots=True)
class TermSlot:
    """A glossary term (or literal braces of the source) replaced by a placeholder."""

    source: str  # the words as they appear in the English sentence
    target: str  # what the translation gets: the same words, or the forced translation
    literal: bool = False  # braces of the source text, not a glossary term


@dataclass(frozen=True, slots=True)
class Protected:
    """A sentence as the engine sees it."""

    source: str  # the tagged sentence
    text: str  # engine input
    voids: dict[str, str]  # placeholder number → void tag name
    spans: list[Span] = field(default_factory=list)
    terms: dict[str, TermSlot] = field(default_factory=dict)  # placeholder number → term
    breaks: int = 0  # hard line breaks the sentence starts with (kept out of the engine)
    empty: tuple[str, ...] = ()  # paired tags around no words (``[](x)``), put back as is


@dataclass(frozen=True, slots=True)
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
        taken = _taken(protected.spans, ranges, span, len(text))
        method, found = place(text, translated, english, projected, expected, taken, span.glued)
        held = sorted(at for at, names in void_marks.items() if inside[span.name] & set(names))
        if held and not WORD_RE.search(english):
            method, found = "exact", (held[0], held[-1])  # only code or images: wrap them
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
        ranges.append((span.name, *found, span.depth))
    ranges = hull(protected.spans, ranges, void_marks, inside)
    end = _before_end(text)
    ranges.extend((name, end, end, 0) for name in protected.empty)
    tagged = "<br/>" * protected.breaks + insert_tags(text, ranges, void_marks, inside)
    fallback = methods["position"]
    return Restored(tagged, len(protected.spans) - fallback, fallback, findings, methods)


def _taken(
    spans: list[Span], ranges: list[tuple[str, int, int, int]], span: Span, length: int
) -> list[tuple[int, int]]:
    """Where ``span`` may not go: on spans apart from it in the source, or outside the one
    around it (``*a **b** c*``: the ``b`` is looked for inside the emphasis)."""
    taken = []
    around: tuple[int, int, int] | None = None  # (depth, start, end) of the innermost parent
    for (_name, start, end, _depth), other in zip(ranges, spans, strict=False):
        if other.stop <= span.offset or other.offset >= span.stop:
            taken.append((start, end))
        elif other.depth < span.depth and (around is None or other.depth > around[0]):
            around = (other.depth, start, end)
    if around is not None:
        taken.extend([(0, around[1]), (around[2], length + 1)])
    return taken


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
    return _reinsert_missing(protected, seen, "".join(out), marks, offsets, findings)


def _reinsert_missing(
    protected: Protected,
    seen: set[str],
    text: str,
    marks: dict[int, list[str]],
    offsets: list[tuple[int, int]],
    findings: list[str],
) -> tuple[str, dict[int, list[str]], list[tuple[int, int]]]:
    """Put back the terms and void tags the engine dropped, before the final punctuation."""
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
