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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_WIDTH = 79
_DATA = Path(__file__).with_name("unidata.txt")

# libunistring 1.0's line-break property numbers (those the algorithm treats specially).
_BA, _HY, _RI, _HL, _ZWJ, _AL, _ID = 3, 5, 29, 28, 30, 20, 23
_BK, _CR, _LF, _CM, _ZW, _SP, _CB, _AI, _SA, _XX = range(33, 43)
_HL_BA = 100  # pseudo property: Hebrew letter followed by a hyphen or break-after

# Break decisions per character (a break *before* that character).
PROHIBITED, POSSIBLE, MANDATORY = 0, 1, 2
_DIRECT, _INDIRECT = 1, 2  # values of the pair table (3 = prohibited)

# gettext writes these as two-character C escapes.
_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
_ESCAPES.update({"\\": "\\", '"': '"'})


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


# A catalog repeats few distinct characters many times: look each one up once.
@functools.lru_cache(maxsize=8192)
def _lookup(ch: str) -> tuple[int, int]:
    tables = _tables()
    i = bisect.bisect_right(tables.starts, ord(ch)) - 1
    return tables.props[i], tables.widths[i]


def _resolve(prop: int) -> int:
    if prop == _AI or prop in (_SA, _XX):
        return _AL
    if prop == _CB:
        return _ID
    return prop


def possible_breaks(text: str) -> list[int]:
    """Break opportunities before each character (libunistring ``u8_possible_linebreaks``)."""
    return list(_possible_breaks(text))


# wrap_field asks twice for a string whose first line is broken, and a template and its
# catalogs hold the same msgids. One byte per character: a tuple of ints would cost eight,
# megabytes for a full cache.
@functools.lru_cache(maxsize=1024)
def _possible_breaks(text: str) -> bytes:
    pairs = _tables().pairs
    out = [PROHIBITED] * len(text)
    prev_prop = last_prop = _BK
    seen_space = False
    ri_count = 0
    for i, ch in enumerate(text):
        prop = _lookup(ch)[0]
        if prop in (_BK, _LF, _CR):
            out[i] = MANDATORY
            prev_prop, last_prop, seen_space = prop, _BK, False
        else:
            prop = _resolve(prop)
            if prop == _SP:
                seen_space = True
            elif prop == _ZW:
                last_prop, seen_space = _ZW, False
            elif prop in (_CM, _ZWJ):
                if last_prop == _BK:
                    last_prop, seen_space = _AL, False
                elif last_prop == _ZW or seen_space:
                    out[i] = POSSIBLE
                    last_prop, seen_space = _AL, False
            else:
                out[i] = _pair_break(pairs, prev_prop, last_prop, prop, seen_space, ri_count)
                last_prop, seen_space = prop, False
            hl_ba = prev_prop == _HL and prop in (_HY, _BA)
            prev_prop = _HL_BA if hl_ba else prop
        ri_count = ri_count + 1 if prop == _RI else 0
    return bytes(out)


def _pair_break(
    pairs: list[bytes], prev_prop: int, last_prop: int, prop: int, seen_space: bool, ri: int
) -> int:
    if last_prop == _BK:
        return PROHIBITED
    if last_prop == _ZW:
        return POSSIBLE
    if prev_prop in (_ZWJ, _HL_BA):
        return PROHIBITED
    if last_prop == _RI and prop == _RI:
        return POSSIBLE if seen_space or ri % 2 == 0 else PROHIBITED
    rule = pairs[last_prop][prop]
    if rule == _DIRECT or (rule == _INDIRECT and seen_space):
        return POSSIBLE
    return PROHIBITED


def width_breaks(text: str, width: int, start: int, overrides: Sequence[int | None]) -> list[bool]:
    """Where to break ``text`` into lines of ``width`` columns (``u8_width_linebreaks``).

    ``overrides`` holds, per character, a forced decision or None.
    """
    marks = _possible_breaks(text)
    lookup = _lookup
    result = [False] * len(text)
    last: int | None = None
    column, piece = start, 0
    for i, (ch, mark, forced) in enumerate(zip(text, marks, overrides, strict=True)):
        if forced is not None:
            mark = forced
        if mark != PROHIBITED:  # POSSIBLE or MANDATORY
            if last is not None and column + piece > width:
                result[last] = True
                column = 0
            if mark == MANDATORY:
                last, column, piece = None, 0, 0
                continue
            last, column, piece = i, column + piece, 0
        char_width = lookup(ch)[1]
        if char_width >= 0:
            piece += char_width
    if last is not None and column + piece > width:
        result[last] = True
    return result


def _portions(value: str) -> list[str]:
    """``value`` cut after each newline (gettext writes each portion on its own lines)."""
    parts = value.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1] or not out:
        out.append(parts[-1])
    return out


def _escaped(portion: str) -> tuple[str, list[int | None]]:
    text: list[str] = []
    overrides: list[int | None] = []
    for ch in portion:
        code = _ESCAPES.get(ch)
        if code is None:
            text.append(ch)
            overrides.append(None)
        else:
            text.append("\\" + code)
            overrides += [None, PROHIBITED]
    if portion.endswith("\n"):
        overrides[-2] = PROHIBITED  # never break just before the final "\n"
    return "".join(text), overrides


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
        breaks = width_breaks(text, width, start, overrides)
        more = number + 1 < len(portions)
        if first and text and (more or start > width or any(breaks)):
            lines.append(f'{prefix}{name} ""')
            first = False
            start = 0
            breaks = width_breaks(text, width, start, overrides)
        head = f"{prefix}{name} " if first else prefix
        first = False
        chunk: list[str] = []
        for ch, cut in zip(text, breaks, strict=True):
            if cut:
                lines.append(f'{head}"{"".join(chunk)}"')
                head, chunk = prefix, []
            chunk.append(ch)
        lines.append(f'{head}"{"".join(chunk)}"')
    return tuple(lines)
