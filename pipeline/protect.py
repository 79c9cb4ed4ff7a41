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
    WORD_RE,
    Alignment,
    Span,
    by_position,
    place,
    project,
)

# PLACEHOLDER_RE is re-exported: engines and tests know it as protect's.
from pipeline.placement import PLACEHOLDER_RE as PLACEHOLDER_RE

_END_PUNCT = ".!?。！？؟।"


@dataclass(frozen=True)
class TermSlot:
    """A glossary term replaced by a placeholder."""

    source: str  # the words as they appear in the English sentence
    target: str  # what the translation gets: the same words, or the forced translation


@dataclass(frozen=True)
class Protected:
    """A sentence as the engine sees it."""

    source: str  # the tagged sentence
    text: str  # engine input
    voids: dict[str, str]  # placeholder number → void tag name
    spans: list[Span] = field(default_factory=list)
    terms: dict[str, TermSlot] = field(default_factory=dict)  # placeholder number → term


@dataclass(frozen=True)
class Restored:
    """A translated tagged sentence, with what had to be repaired."""

    text: str
    placed: int  # spans located by a method other than the positional fallback
    fallback: int  # spans kept by position only
    findings: list[str]
    methods: dict[str, int] = field(default_factory=dict)  # method name → spans it placed


def protect(tagged: str, glossary: Terms | None = None) -> Protected:
    """Replace void tags and glossary terms by placeholders and remember paired spans."""
    tokens = tokenize(tagged)
    parts: list[str] = []
    voids: dict[str, str] = {}
    terms: dict[str, TermSlot] = {}
    open_at: dict[str, int] = {}
    ranges: list[tuple[str, int, int]] = []

    def number() -> str:
        return str(len(voids) + len(terms) + 1)

    for token in tokens:
        if token.kind == "text":
            pos = 0
            for match in glossary.find(token.value) if glossary else []:
                parts.append(token.value[pos : match.start])
                slot = number()
                terms[slot] = TermSlot(match.text, match.replacement)
                parts.append("{" + slot + "}")
                pos = match.end
            parts.append(token.value[pos:])
        elif token.kind == "void":
            if token.value == "br":
                parts.append(" ")
                continue
            slot = number()
            voids[slot] = token.value
            parts.append("{" + slot + "}")
        elif token.kind == "open":
            open_at[token.value] = len("".join(parts))
        else:
            ranges.append((token.value, open_at.pop(token.value), len("".join(parts))))
    raw = "".join(parts)
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    total = max(len(raw), 1)
    spans = []
    for name, a, b in sorted(ranges, key=lambda r: r[1]):
        inner = raw[a:b]
        if not inner.strip():
            continue
        a += len(inner) - len(inner.lstrip())
        b -= len(inner) - len(inner.rstrip())
        spans.append(Span(name, raw[a:b], a / total, b / total, a - lead, b - lead))
    return Protected(tagged, text, voids, spans, terms)


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
    ranges: list[tuple[str, int, int]] = []
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
        method, found = place(text, translated, english, projected, expected)
        methods[method] += 1
        if found is None:
            findings.append(f"inline-fallback:{span.name}")
            found = by_position(text, span)
            if found is None:
                # No words at all to hold the tag: append the span's words (translated if the
                # engine gave any, else the English), so the link stays visible and usable.
                words = translated or english or span.name
                prefix = " " if text.strip() else ""
                text = text.rstrip() + prefix
                found = (len(text), len(text) + len(words))
                text += words
        ranges.append((span.name, *found))
    tagged = _insert_tags(text, ranges, void_marks)
    fallback = methods["position"]
    return Restored(tagged, len(protected.spans) - fallback, fallback, findings, methods)


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
            kind = "placeholder" if number in protected.voids else "glossary"
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
            findings.append(f"glossary-missing:{slot.source}")
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


def _before_end(text: str) -> int:
    return len(text.rstrip().rstrip(_END_PUNCT))


def _words(protected: Protected, engine_text: str) -> str:
    """A span's words as they appear in the restored text: terms resolved, voids dropped."""

    def term(match: re.Match[str]) -> str:
        slot = protected.terms.get(match.group(1))
        return slot.target if slot else " "

    return " ".join(PLACEHOLDER_RE.sub(term, engine_text).split())


def _apart(
    text: str, name: str, start: int, end: int, accepted: list[tuple[str, int, int]]
) -> tuple[int, int]:
    """Move a span off words already wrapped by a tag of the same name.

    Two ``<b>`` may never nest, and two that touch would be merged into one when sentences
    are joined; either would lose a tag, so the later one moves to the nearest word that is
    apart from the other (only fallbacks and repeated words ever need this).
    """
    for other, o_start, o_end in accepted:
        if (
            other != name
            or end + 1 < o_start
            or start > o_end + 1
            or (text[o_end:start].strip() if start >= o_end else text[end:o_start].strip())
        ):
            continue
        words = list(WORD_RE.finditer(text))
        later = [w for w in words if w.start() >= o_end and text[o_end : w.start()].strip()]
        earlier = [w for w in words if w.end() <= o_start and text[w.end() : o_start].strip()]
        if later:
            return later[0].start(), later[0].end()
        if earlier:
            return earlier[-1].start(), earlier[-1].end()
    return start, end


def _insert_tags(text: str, ranges: list[tuple[str, int, int]], voids: dict[int, list[str]]) -> str:
    """Serialize text with tags at the given offsets, keeping paired tags properly nested."""
    moved: list[tuple[str, int, int]] = []
    for name, start, end in sorted(ranges, key=lambda r: (r[1], -r[2])):
        moved.append((name, *_apart(text, name, start, end, moved)))
    accepted: list[tuple[str, int, int]] = []
    for name, start, end in sorted(moved, key=lambda r: (r[1], -r[2])):
        for _other, o_start, o_end in accepted:
            if o_start < start < o_end < end:
                end = o_end  # crossing spans: clip the later one inside the earlier
            elif start < o_start < end < o_end:
                end = o_start
        accepted.append((name, start, max(end, start)))
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for name, start, end in accepted:
        opens.setdefault(start, []).append(name)
        closes.setdefault(end, []).insert(0, name)
    tokens: list[Token] = []
    for i in range(len(text) + 1):
        for name in closes.get(i, []):
            tokens.append(Token("close", name))
        tokens.extend(Token("void", name) for name in voids.get(i, []))
        for name in opens.get(i, []):
            tokens.append(Token("open", name))
        if i < len(text):
            if tokens and tokens[-1].kind == "text":
                tokens[-1] = Token("text", tokens[-1].value + text[i])
            else:
                tokens.append(Token("text", text[i]))
    return serialize(tokens)
