"""Tagged sentence ⇄ what an engine sees, and putting the markup back afterwards.

Void tags (code, URLs, images) become numbered placeholders ``{1}`` that the engine must
copy; paired tags (links, bold, italics) are removed, so the model translates one whole
sentence, and the text inside each is translated on its own as well. After translation each
span is located in the whole translation (exactly, by the source words a model copies, then
fuzzily) and wrapped again. When a span cannot be found it is kept on the words at the same
relative position, never dropped, and a finding says so.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from pipeline.inline import Token, escape, serialize, tokenize

PLACEHOLDER_RE = re.compile(r"[{｛]\s*(\d+)\s*[}｝]")
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Span:
    """A paired tag of the source sentence and the text it wraps."""

    name: str
    text: str  # engine text of the words inside (placeholders included)
    start: float  # relative position of the span in the sentence, 0..1
    end: float


@dataclass(frozen=True)
class Protected:
    """A sentence as the engine sees it."""

    source: str  # the tagged sentence
    text: str  # engine input
    voids: dict[str, str]  # placeholder number → void tag name
    spans: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class Restored:
    """A translated tagged sentence, with what had to be repaired."""

    text: str
    placed: int  # spans located by the main method
    fallback: int  # spans kept by position only
    findings: list[str]


def protect(tagged: str) -> Protected:
    """Replace void tags by placeholders and remember paired spans."""
    tokens = tokenize(tagged)
    parts: list[str] = []
    voids: dict[str, str] = {}
    open_at: dict[str, int] = {}
    ranges: list[tuple[str, int, int]] = []
    for token in tokens:
        if token.kind == "text":
            parts.append(token.value)
        elif token.kind == "void":
            if token.value == "br":
                parts.append(" ")
                continue
            number = str(len(voids) + 1)
            voids[number] = token.value
            parts.append("{" + number + "}")
        elif token.kind == "open":
            open_at[token.value] = len("".join(parts))
        else:
            ranges.append((token.value, open_at.pop(token.value), len("".join(parts))))
    text = "".join(parts)
    total = max(len(text), 1)
    spans = [
        Span(name, text[a:b].strip(), a / total, b / total)
        for name, a, b in sorted(ranges, key=lambda r: r[1])
        if text[a:b].strip()
    ]
    return Protected(tagged, text.strip(), voids, spans)


def engine_inputs(protected: Protected) -> list[str]:
    """Every text the engine must translate for this sentence: the sentence, then its spans."""
    return [protected.text] + [span.text for span in protected.spans]


def restore(protected: Protected, translation: str, span_translations: list[str]) -> Restored:
    """Put placeholders and paired tags back into ``translation``."""
    findings: list[str] = []
    text, void_marks = _placeholders(protected, translation, findings)
    ranges: list[tuple[str, int, int]] = []
    placed = fallback = 0
    for span, span_text in zip(protected.spans, span_translations, strict=True):
        found = _locate(text, _strip_placeholders(span_text)) or _locate(
            text, _strip_placeholders(span.text)
        )
        if found is None:
            found = _fuzzy(text, _strip_placeholders(span_text))
        if found is None:
            fallback += 1
            findings.append(f"inline-fallback:{span.name}")
            found = _by_position(text, span)
            if found is None:
                # No words at all to hold the tag: append the span's words (translated if the
                # engine gave any, else the English), so the link stays visible and usable.
                words = (
                    _strip_placeholders(span_text) or _strip_placeholders(span.text) or span.name
                )
                prefix = " " if text.strip() else ""
                text = text.rstrip() + prefix
                found = (len(text), len(text) + len(words))
                text += words
        else:
            placed += 1
        ranges.append((span.name, *found))
    tagged = _insert_tags(text, ranges, void_marks)
    return Restored(tagged, placed, fallback, findings)


def _placeholders(
    protected: Protected, translation: str, findings: list[str]
) -> tuple[str, dict[int, list[str]]]:
    """Remove placeholders from the text, returning their character positions."""
    seen: set[str] = set()
    marks: dict[int, list[str]] = {}
    out: list[str] = []
    pos = 0
    for match in PLACEHOLDER_RE.finditer(translation):
        out.append(translation[pos : match.start()])
        number = match.group(1)
        if number in protected.voids and number not in seen:
            seen.add(number)
            marks.setdefault(len("".join(out)), []).append(protected.voids[number])
        elif number in protected.voids:
            findings.append(f"placeholder-duplicated:{protected.voids[number]}")
        else:
            findings.append(f"placeholder-invented:{{{number}}}")
        pos = match.end()
    out.append(translation[pos:])
    text = "".join(out)
    for number, name in protected.voids.items():
        if number not in seen:
            findings.append(f"placeholder-missing:{name}")
            # Keep it before the final punctuation, so "see {1}." stays "see <url1/>."
            end = len(text.rstrip(".!?。！？"))
            if end > 0 and not text[end - 1].isspace():
                text = text[:end] + " " + text[end:]
                end += 1
            marks.setdefault(end, []).append(name)
    return text, marks


def _strip_placeholders(text: str) -> str:
    return " ".join(PLACEHOLDER_RE.sub(" ", text).split())


def _locate(text: str, needle: str) -> tuple[int, int] | None:
    # Punctuation and padding at the ends belong to the span's own sentence, not to its words.
    needle = re.sub(r"^\W+|\W+$", "", needle)
    if not needle or not _WORD_RE.search(needle):
        return None
    index = text.casefold().find(needle.casefold())
    if index < 0:
        return None
    return index, index + len(needle)


def _fuzzy(text: str, needle: str) -> tuple[int, int] | None:
    words = list(_WORD_RE.finditer(text))
    target = [w.casefold() for w in _WORD_RE.findall(needle)]
    if not words or not target:
        return None
    best: tuple[float, int, int] | None = None
    for size in {max(1, len(target) - 1), len(target), len(target) + 1}:
        for i in range(0, len(words) - size + 1):
            window = [w.group(0).casefold() for w in words[i : i + size]]
            ratio = difflib.SequenceMatcher(None, " ".join(window), " ".join(target)).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, words[i].start(), words[i + size - 1].end())
    if best is None or best[0] < 0.75:
        return None
    return best[1], best[2]


def _by_position(text: str, span: Span) -> tuple[int, int] | None:
    words = list(_WORD_RE.finditer(text))
    if not words:
        return None
    first = min(int(span.start * len(words)), len(words) - 1)
    last = max(first, min(int(span.end * len(words) + 0.5) - 1, len(words) - 1))
    return words[first].start(), words[last].end()


def _insert_tags(text: str, ranges: list[tuple[str, int, int]], voids: dict[int, list[str]]) -> str:
    """Serialize text with tags at the given offsets, keeping paired tags properly nested."""
    accepted: list[tuple[str, int, int]] = []
    for name, start, end in sorted(ranges, key=lambda r: (r[1], -r[2])):
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


__all__ = [
    "PLACEHOLDER_RE",
    "Protected",
    "Restored",
    "Span",
    "engine_inputs",
    "escape",
    "protect",
    "restore",
]
