"""Line breaking of PO strings exactly as gettext 0.21 does it (``write-po.c: wrap``).

gettext escapes a string, cuts it after each ``\\n``, and breaks each portion with
libunistring's UAX #14 implementation (``ulc_width_linebreaks``), counting columns with
libunistring's ``uc_width``. Both tables come from ``unidata.txt`` (generated from the
libunistring that Debian's gettext uses, see ``scripts/gen_po_unidata.py``), so the PO files
written here are byte-identical to ``msgcat``'s output without linking any C library.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_WIDTH = 79
_DATA = Path(__file__).with_name("unidata.txt")

# libunistring 1.0's line-break property numbers (those the algorithm treats specially).
_BA, _HY, _RI, _HL, _ZWJ, _AL, _ID = 3, 5, 29, 28, 30, 20, 23
_BK, _CR, _LF, _CM, _ZW, _SP, _CB, _AI, _SA, _XX = range(33, 43)
_HL_BA = 100  # pseudo property: Hebrew letter followed by a hyphen or break-after
_HL_BREAKS = frozenset((_HY, _BA))
_GLUE_AFTER = frozenset((_ZWJ, _HL_BA))  # no break after these
_COMBINING = frozenset((_CM, _ZWJ))

# Break decisions per character (a break *before* that character).
PROHIBITED, POSSIBLE, MANDATORY = 0, 1, 2
_DIRECT, _INDIRECT = 1, 2  # values of the pair table (3 = prohibited)

# gettext writes these as two-character C escapes.
_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
_ESCAPES.update({"\\": "\\", '"': '"'})
_ESCAPE_TABLE = str.maketrans({ch: "\\" + code for ch, code in _ESCAPES.items()})
_ESCAPE_RE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


@dataclass(frozen=True)
class _Tables:
    starts: list[int]
    props: list[int]
    widths: list[int]
    pairs: list[bytes]


@functools.cache
def _tables() -> _Tables:
    starts: list[int] = []
    props: list[int] = []
    widths: list[int] = []
    pairs: list[bytes] = []
    for line in _DATA.read_text(encoding="ascii").splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("pairs "):
            pairs.append(bytes(int(c) for c in line[6:]))
            continue
        start, _end, prop, width = line.split()
        starts.append(int(start, 16))
        props.append(int(prop))
        widths.append(int(width))
    return _Tables(starts, props, widths, pairs)


class _PerChar(dict[str, int]):
    """Character → one column of the tables (a catalog repeats few distinct characters)."""

    def __init__(self, value: Callable[[int, int], int]) -> None:
        super().__init__()
        self._value = value

    def __missing__(self, ch: str) -> int:
        if len(self) >= 8192:  # bounded, whatever text comes
            self.clear()
        tables = _tables()
        i = bisect.bisect_right(tables.starts, ord(ch)) - 1
        value = self[ch] = self._value(tables.props[i], tables.widths[i])
        return value


def _resolve(prop: int) -> int:
    if prop == _AI or prop in (_SA, _XX):
        return _AL
    if prop == _CB:
        return _ID
    return prop


# The line-break property as the algorithm uses it, and the columns a character takes
# (``uc_width`` is -1 for control characters: they take none).
_PROPS = _PerChar(lambda prop, _width: _resolve(prop))
_WIDTHS = _PerChar(lambda _prop, width: max(width, 0))


@functools.cache
def _decisions() -> tuple[list[list[int]], list[list[int]]]:
    """The break before a character of each property after one of each, without and with
    spaces between (the pair table with the ``BK`` and ``ZW`` rules folded in)."""
    pairs = _tables().pairs
    plain = [[PROHIBITED] * _BK for _ in range(_XX + 1)]
    spaced = [[PROHIBITED] * _BK for _ in range(_XX + 1)]
    for last, rules in enumerate(pairs):
        plain[last] = [POSSIBLE if rule == _DIRECT else PROHIBITED for rule in rules]
        spaced[last] = [POSSIBLE if rule in (_DIRECT, _INDIRECT) else PROHIBITED for rule in rules]
    plain[_ZW] = spaced[_ZW] = [POSSIBLE] * _BK
    return plain, spaced


def possible_breaks(text: str) -> list[int]:
    """Break opportunities before each character (libunistring ``u8_possible_linebreaks``)."""
    return list(_possible_breaks(text))


# wrap_field asks twice for a string whose first line is broken, and a template and its
# catalogs hold the same msgids. One byte per character: a tuple of ints would cost eight,
# megabytes for a full cache.
@functools.lru_cache(maxsize=1024)
def _possible_breaks(text: str) -> bytes:
    # One pass over the properties; the common cases (a pair-table property, a space) first.
    plain, spaced = _decisions()
    props = list(map(_PROPS.__getitem__, text))
    out = [PROHIBITED] * len(text)
    prev = last = _BK
    seen_space = False
    for i, prop in enumerate(props):
        if prop < _BK and prop != _ZWJ:  # a property of the pair table
            if prev in _GLUE_AFTER and last != _ZW:
                pass  # no break after a joiner, or after a Hebrew letter's hyphen
            elif prop == _RI and last == _RI:  # flags: regional indicators go in pairs
                if seen_space or _run_before(props, i, _RI) % 2 == 0:
                    out[i] = POSSIBLE
            else:
                out[i] = (spaced if seen_space else plain)[last][prop]
            prev = _HL_BA if prev == _HL and prop in _HL_BREAKS else prop
            last, seen_space = prop, False
        elif prop == _SP:
            prev, seen_space = _SP, True
        elif prop in _COMBINING:
            if last == _BK:
                last, seen_space = _AL, False
            elif last == _ZW or seen_space:
                out[i] = POSSIBLE
                last, seen_space = _AL, False
            prev = prop
        elif prop == _ZW:
            prev = last = _ZW
            seen_space = False
        else:  # BK, CR, LF
            out[i] = MANDATORY
            prev, last, seen_space = prop, _BK, False
    return bytes(out)


def _run_before(props: list[int], i: int, prop: int) -> int:
    """How many characters of property ``prop`` come right before ``props[i]``."""
    j = i
    while j > 0 and props[j - 1] == prop:
        j -= 1
    return i - j


def width_breaks(text: str, width: int, start: int, overrides: Sequence[int | None]) -> list[bool]:
    """Where to break ``text`` into lines of ``width`` columns (``u8_width_linebreaks``).

    ``overrides`` holds, per character, a forced decision or None.
    """
    result = [False] * len(text)
    for i in _cuts(text, width, start, overrides):
        result[i] = True
    return result


def _cuts(text: str, width: int, start: int, overrides: Sequence[int | None]) -> list[int]:
    """The indices :func:`width_breaks` breaks before."""
    if len(overrides) != len(text):
        raise ValueError(f"{len(overrides)} overrides for {len(text)} characters")
    # Columns only matter at break opportunities: sum the widths between them by prefix sums.
    columns = [0, *itertools.accumulate(map(_WIDTHS.__getitem__, text))]
    if start + columns[-1] <= width:
        return []  # every line fits: no break opportunity is needed (most msgids, all ids)
    marks: Sequence[int] = _possible_breaks(text)
    if overrides.count(None) != len(overrides):
        marks = [m if o is None else o for m, o in zip(marks, overrides, strict=True)]
    cuts: list[int] = []
    last: int | None = None
    column, since = start, 0  # ``since``: where the piece after the last opportunity starts
    for i in itertools.compress(range(len(text)), marks):  # POSSIBLE or MANDATORY
        piece = columns[i] - columns[since]
        if last is not None and column + piece > width:
            cuts.append(last)
            column = 0
        if marks[i] == MANDATORY:
            last, column, since = None, 0, i + 1
        else:
            last, column, since = i, column + piece, i
    if last is not None and column + columns[-1] - columns[since] > width:
        cuts.append(last)
    return cuts


def _portions(value: str) -> list[str]:
    """``value`` cut after each newline (gettext writes each portion on its own lines)."""
    parts = value.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1] or not out:
        out.append(parts[-1])
    return out


def _escaped(portion: str) -> tuple[str, list[int | None]]:
    text = portion.translate(_ESCAPE_TABLE)
    overrides: list[int | None] = [None] * len(text)
    # No break inside an escape: the n-th escape's letter is n characters further on.
    for n, match in enumerate(_ESCAPE_RE.finditer(portion)):
        overrides[match.start() + n + 1] = PROHIBITED
    if portion.endswith("\n"):
        overrides[-2] = PROHIBITED  # never break just before the final "\n"
    return text, overrides


def wrap_field(
    name: str, value: str, prefix: str = "", *, wrap: bool = True, page_width: int = PAGE_WIDTH
) -> list[str]:
    """The lines of ``prefix name "value"`` as ``msgcat`` writes them (no trailing newline)."""
    return list(_wrap_field(name, value, prefix, wrap, page_width))


# A template and each language's catalog of a document repeat every msgid.
@functools.lru_cache(maxsize=4096)
def _wrap_field(name: str, value: str, prefix: str, wrap: bool, page_width: int) -> tuple[str, ...]:
    after_break = len(prefix) + 1
    width = (page_width if wrap else 1 << 30) - 1 - after_break
    portions = _portions(value)
    lines: list[str] = []
    first = True
    for number, portion in enumerate(portions):
        text, overrides = _escaped(portion)
        start = (len(prefix) + len(name) + 1 + 1 if first else len(prefix) + 1) - after_break
        cuts = _cuts(text, width, start, overrides)
        more = number + 1 < len(portions)
        if first and text and (more or start > width or cuts):
            lines.append(f'{prefix}{name} ""')
            first = False
            start = 0
            cuts = _cuts(text, width, start, overrides)
        head = f"{prefix}{name} " if first else prefix
        first = False
        since = 0
        for cut in cuts:
            lines.append(f'{head}"{text[since:cut]}"')
            head, since = prefix, cut
        lines.append(f'{head}"{text[since:]}"')
    return tuple(lines)
