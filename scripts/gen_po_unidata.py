"""Regenerate pipeline/catalog/unidata.txt from the system's libunistring (developer tool).

gettext's PO writer breaks lines with libunistring's UAX #14 implementation and measures
columns with its ``uc_width``. To write byte-identical PO files without linking libunistring,
the PO writer ships the two tables it needs, read here from the exact library ``msgcat``
uses (Debian 12: libunistring 1.0, gettext 0.21):

- per code point: libunistring's line-break property and its display width;
- the 33x33 pair table (1 = direct break, 2 = indirect, 3 = prohibited).

Run: ``python scripts/gen_po_unidata.py`` (needs ``libunistring.so.2``).
"""

from __future__ import annotations

import ctypes
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pipeline" / "catalog" / "unidata.txt"
LEVEL1, LEVEL2 = 15, 2048  # lbrkprop_3level_table: int level1[15]; int level2[2048]; ...
PAIRS = 33
XX = 42


def main() -> None:
    """Write the data file."""
    lib = ctypes.CDLL("libunistring.so.2")
    lib.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    lib.uc_width.restype = ctypes.c_int
    base = ctypes.cast(lib.libunistring_unilbrkprop, ctypes.c_void_p).value
    assert base is not None
    head = ctypes.string_at(base, 4 * (LEVEL1 + LEVEL2))
    level1 = struct.unpack(f"<{LEVEL1}i", head[: 4 * LEVEL1])
    level2 = struct.unpack(f"<{LEVEL2}i", head[4 * LEVEL1 :])
    level3 = ctypes.string_at(base + len(head), max(level2) + 128)

    def lookup(uc: int) -> int:
        i1 = uc >> 16
        if i1 < LEVEL1 and level1[i1] >= 0:
            i2 = level2[level1[i1] + ((uc >> 7) & 511)]
            if i2 >= 0:
                return level3[i2 + (uc & 127)]
        return XX

    utf8 = b"UTF-8"
    runs: list[list[int]] = []
    for uc in range(0x110000):
        props = (lookup(uc), lib.uc_width(uc, utf8))
        if runs and runs[-1][2:] == list(props) and runs[-1][1] == uc - 1:
            runs[-1][1] = uc
        else:
            runs.append([uc, uc, *props])
    table = ctypes.cast(lib.libunistring_unilbrk_table, ctypes.c_void_p).value
    assert table is not None
    pairs = ctypes.string_at(table, PAIRS * PAIRS)
    lines = ["# libunistring 1.0 line-break properties and widths; see scripts/gen_po_unidata.py"]
    rows = [pairs[i * PAIRS : (i + 1) * PAIRS] for i in range(PAIRS)]
    lines += ["pairs " + "".join(str(b) for b in row) for row in rows]
    lines += [f"{a:x} {b:x} {lb} {w}" for a, b, lb, w in runs]
    OUT.write_text("\n".join(lines) + "\n", encoding="ascii")
    print(f"{OUT}: {len(runs)} runs")


if __name__ == "__main__":
    main()
