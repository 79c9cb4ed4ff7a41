"""Where a span's words are in a whole translation: the methods tried in order.

:func:`place` tries ``exact`` (the span's own translation occurs in the whole translation,
the occurrence nearest the expected position wins), ``source`` (the span's English words
occur there), ``align`` (the model's attention, Argos only), and ``fuzzy`` (a window of
similar words); :func:`by_position` is the fallback that takes the words at the same
relative position. :mod:`pipeline.protect` puts the tags at the offsets found here.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise

#: The one definition of an engine placeholder (fullwidth braces: models for CJK emit them).
PLACEHOLDER_RE = re.compile(r"[{｛]\s*(\d+)\s*[}｝]")
WORD_RE = re.compile(r"\w+", re.UNICODE)
METHODS = ("exact", "source", "align", "fuzzy", "position")

#: (source start, source end, target start, target end): character offsets of one target
#: token in the engine output and of the source token it attends to most in the engine input.
Alignment = Sequence[tuple[int, int, int, int]]


@dataclass(frozen=True, slots=True)
class Span:
    """A paired tag of the source sentence and the text it wraps."""

    name: str
    text: str  # engine text of the words inside (placeholders included)
    start: float  # relative position of the span in the sentence, 0..1
    end: float
    offset: int = 0  # character offsets of ``text`` in the engine input
    stop: int = 0
    depth: int = 0  # tags open around it in the source: ``***x***`` is <i> around <b>
    glued: bool = False  # a letter or digit touches it in the source: it is part of a word


def place(
    text: str,
    translated: str,
    english: str,
    projected: tuple[int, int] | None,
    expected: float,
    taken: Collection[tuple[int, int]] = (),
    glued: bool = False,
) -> tuple[str, tuple[int, int] | None]:
    """The first method that places a span, and where; ``("position", None)`` if none does.

    ``taken`` are the places of spans apart from this one in the source (``**x** **x**``):
    a span never lands on (or overlaps) one of them. ``glued``: the span touches a word in
    the source (``[foo][a][baz][b]`` is two links in one word), so it may cut a word.
    """
    method, found = _first_method(text, translated, english, projected, expected, taken, glued)
    return method, (found and apart(text, found, taken))


def _first_method(
    text: str,
    translated: str,
    english: str,
    projected: tuple[int, int] | None,
    expected: float,
    taken: Collection[tuple[int, int]],
    glued: bool,
) -> tuple[str, tuple[int, int] | None]:
    found = locate(text, translated, expected, taken, glued, projected)
    if found:
        return "exact", found
    found = locate(text, english, expected, taken, glued, projected)
    if found:
        return "source", found
    # A hull or window that swallowed an earlier span's words gives them back (apart) and
    # counts only if what is left no longer overlaps any of them.
    if projected and not _overlaps(trimmed := apart(text, projected, taken), taken):
        return "align", trimmed
    found = fuzzy(text, translated)
    if found and not _overlaps(trimmed := apart(text, found, taken), taken):
        return "fuzzy", trimmed
    return "position", None


def apart(text: str, found: tuple[int, int], taken: Collection[tuple[int, int]]) -> tuple[int, int]:
    """``found`` without the words of spans it must stay apart from.

    Spans apart in the source are apart in the translation too: an attention hull or a fuzzy
    window that swallowed the words of an earlier span (``<i><a>x</a> y</i>`` for ``<a>x</a>``
    ... ``<i>y</i>``) gives them back, keeping its larger side.
    """
    start, end = found
    for a, b in taken:
        if b <= start or a >= end or (a <= start and b >= end):
            continue
        sides = [(start, a), (b, end)] if start < a and b < end else []
        sides += [(b, end)] if a <= start else [(start, a)] if b >= end else []
        sides = [side for side in sides if WORD_RE.search(text[side[0] : side[1]])]
        if not sides:
            continue
        left, right = max(sides, key=lambda side: len(WORD_RE.findall(text[side[0] : side[1]])))
        start = left + len(text[left:right]) - len(text[left:right].lstrip())
        end = right - (len(text[left:right]) - len(text[left:right].rstrip()))
    return start, end


def locate(
    text: str,
    needle: str,
    expected: float,
    taken: Collection[tuple[int, int]] = (),
    glued: bool = False,
    anchor: tuple[int, int] | None = None,
) -> tuple[int, int] | None:
    """The occurrence of ``needle``'s words in ``text`` nearest ``expected``, if any.

    Occurrences in ``taken`` do not count; ``glued`` takes a hit inside a word as it is.
    Exact occurrences come first, then the words holding them ("insuperable" found in
    "insuperables"), then other endings of them (:func:`inflected`). With ``anchor`` (where
    the model's attention puts the span) the first kind with a hit on the anchor wins: an
    inflected form there beats an exact form elsewhere (the same noun, once definite).
    """
    # Punctuation and padding at the ends belong to the span's own sentence, not to its words.
    stripped = _balanced(needle, _trim(needle))
    if not stripped or not WORD_RE.search(stripped):
        return _literal(text, needle.strip(), expected, taken)  # "😀", "…": no words to match
    needle = stripped
    pattern = r"\s+".join(re.escape(w) for w in needle.split())
    before = "" if unspaced(needle[0]) else r"(?<!\w)"
    after = "" if unspaced(needle[-1]) else r"(?!\w)"
    exact = _all_hits(before + pattern + after, text)
    tiers = [exact, _widened(text, pattern, glued), [] if glued else inflected(text, needle)]
    tiers = [[hit for hit in tier if not _overlaps(hit, taken)] for tier in tiers]
    if anchor is not None:
        for tier in tiers:
            on_anchor = [hit for hit in tier if hit[0] < anchor[1] and hit[1] > anchor[0]]
            if on_anchor:
                return min(on_anchor, key=lambda hit: abs((hit[0] + hit[1]) / 2 - expected))
    hits = next((tier for tier in tiers if tier), [])
    if not hits:
        return None
    return min(hits, key=lambda hit: abs((hit[0] + hit[1]) / 2 - expected))


def _trim(needle: str) -> str:
    """``needle`` without punctuation, spaces and padding (``~``) at either end; symbols such
    as emoji are words here."""
    start, end = 0, len(needle)
    while start < end and _padding(needle[start]):
        start += 1
    while end > start and _padding(needle[end - 1]):
        end -= 1
    return needle[start:end]


def _padding(char: str) -> bool:
    return char == "~" or char.isspace() or unicodedata.category(char)[0] in "PZ"


_PAIRS = {"(": ")", "[": "]", "{": "}", "｛": "｝", "«": "»", "“": "”"}


def _balanced(needle: str, stripped: str) -> str:
    """Give back the brackets stripped off either end whose partner is still in the words.

    ``{1} euros`` is found as ``{1} euros``, not ``1} euros``: a tag never cuts a literal.
    """
    head = needle.strip()
    head = head[: max(head.find(stripped), 0)] if stripped else ""
    for char in reversed(head):
        if char not in _PAIRS or _PAIRS[char] not in stripped:
            break
        stripped = char + stripped
    closers = {close: open_ for open_, close in _PAIRS.items()}
    tail = needle.strip()
    tail = tail[tail.rfind(stripped) + len(stripped) :] if stripped in tail else ""
    for char in tail:
        if char not in closers or closers[char] not in stripped:
            break
        stripped += char
    return stripped


def _all_hits(pattern: str, text: str) -> list[tuple[int, int]]:
    """Every match, overlapping ones included ("x x" twice in "x x x"), ignoring case."""
    compiled = re.compile(pattern, re.IGNORECASE)
    hits = []
    match = compiled.search(text)
    while match:
        hits.append((match.start(), match.end()))
        match = compiled.search(text, match.start() + 1)
    return hits


def _literal(
    text: str, needle: str, expected: float, taken: Collection[tuple[int, int]]
) -> tuple[int, int] | None:
    """The occurrence of ``needle`` as written nearest ``expected`` (for spans without words)."""
    if not needle:
        return None
    hits = []
    at = text.find(needle)
    while at >= 0:
        if not _overlaps((at, at + len(needle)), taken):
            hits.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return min(hits, key=lambda hit: abs((hit[0] + hit[1]) / 2 - expected), default=None)


def _overlaps(hit: tuple[int, int], taken: Collection[tuple[int, int]]) -> bool:
    return any(hit[0] < end and start < hit[1] for start, end in taken)


def _widened(text: str, pattern: str, glued: bool) -> list[tuple[int, int]]:
    """Hits inside words, widened to the whole words so a tag never cuts a word in two."""
    hits = []
    for start, end in _all_hits(pattern, text):
        while (
            not glued and start > 0 and text[start - 1].isalnum() and not unspaced(text[start - 1])
        ):
            start -= 1
        while not glued and end < len(text) and text[end].isalnum() and not unspaced(text[end]):
            end += 1
        hits.append((start, end))
    return hits


# An inflected word keeps all but the last _ENDING letters of the form translated alone, and
# at least _MIN_STEM of them; it is at most _ENDING letters longer or shorter.
_ENDING = 2
_MIN_STEM = 3


def inflected(text: str, needle: str) -> list[tuple[int, int]]:
    """Runs of words of ``text`` that are ``needle``'s words with other endings.

    A phrase translated alone takes the default agreement; in the sentence it agrees with its
    noun or takes a case ending ("nuevo" → "nueva", "casa" → "casas"). Only for scripts
    with spaces between words, and words of at least _MIN_STEM + 1 letters.
    """
    wanted = needle.split()
    if any(not w.isalnum() or unspaced(w[0]) or len(w) <= _MIN_STEM for w in wanted):
        return []
    stems = [w[: max(_MIN_STEM, len(w) - _ENDING)].casefold() for w in wanted]
    words = list(WORD_RE.finditer(text))
    hits = []
    for i in range(len(words) - len(wanted) + 1):
        window = words[i : i + len(wanted)]
        alike = all(
            w.group(0).casefold().startswith(stem) and abs(len(w.group(0)) - len(full)) <= _ENDING
            for w, stem, full in zip(window, stems, wanted, strict=True)
        )
        adjacent = all(not text[a.end() : b.start()].strip() for a, b in pairwise(window))
        if alike and adjacent:
            hits.append((window[0].start(), window[-1].end()))
    return hits


def unspaced(char: str) -> bool:
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


#: How similar (difflib ratio) a window must be for :func:`fuzzy` to take it.
FUZZY_THRESHOLD = 0.75


def fuzzy(text: str, needle: str) -> tuple[int, int] | None:
    """The window of words of ``text`` most similar to ``needle``, if similar enough.

    The first window with the highest ratio wins. One matcher indexes the needle once, and
    a window whose upper bounds (``real_quick_ratio``, ``quick_ratio``) cannot beat the best
    so far or reach the threshold is not compared in full: same result, a fraction of the work.
    """
    words = list(WORD_RE.finditer(text))
    target = [w.casefold() for w in WORD_RE.findall(needle)]
    if not words or not target:
        return None
    folded = [w.group(0).casefold() for w in words]
    matcher = difflib.SequenceMatcher(None)
    matcher.set_seq2(" ".join(target))
    best: tuple[float, int, int] | None = None
    floor = -1.0  # a window must have a ratio above this to become the best
    for size in {max(1, len(target) - 1), len(target), len(target) + 1}:
        for i in range(0, len(words) - size + 1):
            matcher.set_seq1(" ".join(folded[i : i + size]))
            if _cannot_win(matcher, floor):
                continue
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, words[i].start(), words[i + size - 1].end())
                floor = ratio
    if best is None or best[0] < FUZZY_THRESHOLD:
        return None
    return best[1], best[2]


def _cannot_win(matcher: difflib.SequenceMatcher[str], floor: float) -> bool:
    """Whether the window's ratio is sure to be at most ``floor`` or below the threshold."""
    for bound in (matcher.real_quick_ratio, matcher.quick_ratio):
        upper = bound()
        if upper <= floor or upper < FUZZY_THRESHOLD:
            return True
    return False


def project(
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
    hits = [(a, b) for a, b in hits if WORD_RE.search(text[a:b])]
    if not hits:
        return None
    start, end = min(a for a, _ in hits), max(b for _, b in hits)
    words = list(WORD_RE.finditer(text))
    inside = [w for w in words if w.end() > start and w.start() < end]
    if not inside:
        return None
    span_words = max(1, len(WORD_RE.findall(PLACEHOLDER_RE.sub(" ", span.text))))
    # Attention scattered over the sentence is no alignment: refuse a hull much wider than
    # the span (the translation may be longer, so allow twice the words plus two).
    if len(inside) > 2 * span_words + 2 or len(inside) == len(words) > span_words + 2:
        return None
    return inside[0].start(), inside[-1].end()


def by_position(text: str, span: Span) -> tuple[int, int] | None:
    """The words of ``text`` at the span's relative position in its sentence."""
    words = list(WORD_RE.finditer(text))
    if not words:
        return None
    first = min(int(span.start * len(words)), len(words) - 1)
    last = max(first, min(int(span.end * len(words) + 0.5) - 1, len(words) - 1))
    return words[first].start(), words[last].end()


def hull(
    spans: list[Span],
    ranges: list[tuple[str, int, int, int]],
    marks: dict[int, list[str]],
    inside: dict[str, set[str]],
) -> list[tuple[str, int, int, int]]:
    """Widen each span over what it held in the source: its void tags and inner spans.

    A translation may move a code or an image away from the words of its emphasis; the
    emphasis then reaches over to it, so what was inside stays inside.
    """
    bounds = [[start, end] for _name, start, end, _depth in ranges]
    for i, span in enumerate(spans):
        for at, names in marks.items():
            if inside[span.name].intersection(names):
                bounds[i] = [min(bounds[i][0], at), max(bounds[i][1], at)]
    for i in sorted(range(len(spans)), key=lambda k: -spans[k].depth):
        for j, outer in enumerate(spans):
            if (
                outer.depth < spans[i].depth
                and outer.offset <= spans[i].offset
                and spans[i].stop <= outer.stop
            ):
                bounds[j] = [min(bounds[j][0], bounds[i][0]), max(bounds[j][1], bounds[i][1])]
    return [(r[0], b[0], b[1], r[3]) for r, b in zip(ranges, bounds, strict=True)]
