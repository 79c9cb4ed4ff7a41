"""Tagged sentence ⇄ what an engine sees, and putting the markup back afterwards.

Void tags (code, URLs, images) and glossary terms become numbered placeholders ``{1}`` that
the engine must copy; paired tags (links, bold, italics) are removed, so the model translates
one whole sentence, and the text inside each is translated on its own as well. After
translation the placeholders are restored (a void tag, a kept term verbatim, or a forced
translation), checked (missing ones are reinserted, extra ones dropped, each with a finding),
and each span is placed in the whole translation by the first method that works:

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

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.glossary import Terms
from pipeline.inline import Token, serialize, tokenize

#: The one definition of an engine placeholder (fullwidth braces: models for CJK emit them).
PLACEHOLDER_RE = re.compile(r"[{｛]\s*(\d+)\s*[}｝]")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
METHODS = ("exact", "source", "align", "fuzzy", "position")
_END_PUNCT = ".!?。！？؟।"

#: (source start, source end, target start, target end): character offsets of one target
#: token in the engine output and of the source token it attends to most in the engine input.
Alignment = Sequence[tuple[int, int, int, int]]


@dataclass(frozen=True)
class Span:
    """A paired tag of the source sentence and the text it wraps."""

    name: str
    text: str  # engine text of the words inside (placeholders included)
    start: float  # relative position of the span in the sentence, 0..1
    end: float
    offset: int = 0  # character offsets of ``text`` in the engine input
    stop: int = 0


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
        projected = _project(text, span, alignment, offsets) if alignment else None
        expected = (
            (projected[0] + projected[1]) / 2
            if projected
            else (span.start + span.end) / 2 * len(text)
        )
        translated = _words(protected, span_text)
        english = _words(protected, span.text)
        method, found = _place(text, translated, english, projected, expected)
        methods[method] += 1
        if found is None:
            findings.append(f"inline-fallback:{span.name}")
            found = _by_position(text, span)
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


def _place(
    text: str,
    translated: str,
    english: str,
    projected: tuple[int, int] | None,
    expected: float,
) -> tuple[str, tuple[int, int] | None]:
    """The first method that places a span, and where; ``("position", None)`` if none does."""
    found = _locate(text, translated, expected)
    if found:
        return "exact", found
    found = _locate(text, english, expected)
    if found:
        return "source", found
    if projected:
        return "align", projected
    found = _fuzzy(text, translated)
    if found:
        return "fuzzy", found
    return "position", None


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


def _locate(text: str, needle: str, expected: float) -> tuple[int, int] | None:
    # Punctuation and padding at the ends belong to the span's own sentence, not to its words.
    needle = re.sub(r"^\W+|\W+$", "", needle)
    if not needle or not _WORD_RE.search(needle):
        return None
    pattern = r"\s+".join(re.escape(w) for w in needle.split())
    before = "" if _unspaced(needle[0]) else r"(?<!\w)"
    after = "" if _unspaced(needle[-1]) else r"(?!\w)"
    hits = [
        (m.start(), m.end()) for m in re.finditer(before + pattern + after, text, re.IGNORECASE)
    ]
    if not hits:
        # Inflected in context ("insuperable" → "insuperables"): widen a hit inside a word to
        # the whole word, so a tag never cuts a word in two.
        for m in re.finditer(pattern, text, re.IGNORECASE):
            start, end = m.start(), m.end()
            while start > 0 and text[start - 1].isalnum() and not _unspaced(text[start - 1]):
                start -= 1
            while end < len(text) and text[end].isalnum() and not _unspaced(text[end]):
                end += 1
            hits.append((start, end))
    if not hits:
        return None
    return min(hits, key=lambda hit: abs((hit[0] + hit[1]) / 2 - expected))


def _unspaced(char: str) -> bool:
    """True for scripts written without spaces between words (Han, kana, Thai, …)."""
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF
        or 0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x0E00 <= code <= 0x0EFF
        or 0x1000 <= code <= 0x109F
        or 0x1780 <= code <= 0x17FF
    )


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


def _project(
    text: str, span: Span, alignment: Alignment, offsets: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The target words whose tokens attend to the span's source tokens, if they are few."""

    def moved(raw: int) -> int:
        base_raw, base_text = max((o for o in offsets if o[0] <= raw), default=(0, 0))
        return min(base_text + raw - base_raw, len(text))

    hits = [
        (moved(t_start), moved(t_end))
        for s_start, s_end, t_start, t_end in alignment
        if s_start < span.stop and s_end > span.offset
    ]
    hits = [(a, b) for a, b in hits if _WORD_RE.search(text[a:b])]
    if not hits:
        return None
    start, end = min(a for a, _ in hits), max(b for _, b in hits)
    words = list(_WORD_RE.finditer(text))
    inside = [w for w in words if w.end() > start and w.start() < end]
    if not inside:
        return None
    span_words = max(1, len(_WORD_RE.findall(PLACEHOLDER_RE.sub(" ", span.text))))
    # Attention scattered over the sentence is no alignment: refuse a hull much wider than
    # the span (the translation may be longer, so allow twice the words plus two).
    if len(inside) > 2 * span_words + 2 or len(inside) == len(words) > span_words + 2:
        return None
    return inside[0].start(), inside[-1].end()


def _by_position(text: str, span: Span) -> tuple[int, int] | None:
    words = list(_WORD_RE.finditer(text))
    if not words:
        return None
    first = min(int(span.start * len(words)), len(words) - 1)
    last = max(first, min(int(span.end * len(words) + 0.5) - 1, len(words) - 1))
    return words[first].start(), words[last].end()


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
        words = list(_WORD_RE.finditer(text))
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
