"""Read a printed PDF back as lines of ink, to test a layout without looking at it.

pdfminer.six (pdfplumber's parser) reports every glyph a page draws: its font, glyph id,
size and position, vertical offsets (Nastaliq's stacked letters) included. The glyph's ink
box comes from the font program embedded in the PDF (WeasyPrint keeps the original glyph
ids when it subsets, and maps them one to one), so a line's box is where its letters really
reach, not the em box a text extractor reports: a Nastaliq heading set solid overlaps the
line below although its em boxes do not.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import resolve1
from pdfminer.utils import apply_matrix_pt

# The page boxes of the package's print stylesheet (templates/style.css), in points.
MM = 72 / 25.4
TOP_MARGIN = 18 * MM
BOTTOM_MARGIN = 20 * MM
_BIDI_CONTROLS = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\u00ad]")


@dataclass(frozen=True)
class Glyph:
    """One drawn glyph; y grows downwards from the top of the page, in points."""

    page: int
    text: str
    font: str
    embedded: bool
    gid: int
    size: float
    baseline: float
    x0: float
    x1: float
    ink: tuple[float, float, float, float] | None  # x0, top, x1, bottom; None: no ink (space)


@dataclass(frozen=True)
class Line:
    """Glyphs on one baseline, close enough together to be one line of one column."""

    page: int
    baseline: float
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the largest font size on the line
    text: str  # glyph texts left to right (visual order), without spaces or bidi controls
    boxes: tuple[tuple[float, float, float, float], ...]  # each glyph's ink: x0, top, x1, bottom


@dataclass(frozen=True)
class Page:
    """One page: its height and its lines."""

    number: int
    height: float
    lines: tuple[Line, ...]


def read_pages(pdf: Path) -> list[Page]:
    """Every page of ``pdf`` with its lines of ink."""
    glyphs, heights = read_glyphs(pdf)
    return [
        Page(n, height, tuple(group_lines([g for g in glyphs if g.page == n])))
        for n, height in enumerate(heights, start=1)
    ]


def read_glyphs(pdf: Path) -> tuple[list[Glyph], list[float]]:
    """All glyphs of ``pdf`` and the height of each page."""
    manager = PDFResourceManager()
    device = _GlyphDevice(manager)
    interpreter = PDFPageInterpreter(manager, device)
    heights = []
    with pdf.open("rb") as handle:
        for number, page in enumerate(PDFPage.get_pages(handle), start=1):
            _, bottom, _, top = page.mediabox
            device.begin(number, float(top))
            heights.append(float(top - bottom))
            interpreter.process_page(page)
    return device.glyphs, heights


class _GlyphDevice(PDFTextDevice):  # type: ignore[misc]
    """A pdfminer device that records glyphs with their ink boxes instead of laying out text."""

    def __init__(self, manager: Any) -> None:
        super().__init__(manager)
        self.glyphs: list[Glyph] = []
        self._page = 0
        self._height = 0.0

    def begin(self, page: int, height: float) -> None:
        """Start recording the glyphs of page ``page`` (its top edge at ``height``)."""
        self._page, self._height = page, height

    def render_char(
        self,
        matrix: Any,
        font: Any,
        fontsize: float,
        scaling: float,
        rise: float,
        cid: int,
        ncs: Any,
        graphicstate: Any,
    ) -> float:
        """Record one glyph; return its advance, as pdfminer's own devices do."""
        try:
            text = font.to_unichr(cid)
        except Exception:  # pdfminer raises several kinds for an unmapped glyph
            text = ""
        program = _font_program(font)
        ink = program.ink(cid) if program is not None else None
        scale = fontsize / (program.upem if program is not None else 1000)
        baseline = self._height - apply_matrix_pt(matrix, (0, 0))[1]
        box = None
        if ink is not None:
            x_min, y_min, x_max, y_max = (v * scale for v in ink)
            left, top = apply_matrix_pt(matrix, (x_min * scaling, y_max + rise))
            right, bottom = apply_matrix_pt(matrix, (x_max * scaling, y_min + rise))
            box = (min(left, right), self._height - top, max(left, right), self._height - bottom)
        advance = float(font.char_width(cid)) * fontsize * scaling
        x0 = apply_matrix_pt(matrix, (0, 0))[0]
        x1 = apply_matrix_pt(matrix, (advance, 0))[0]
        self.glyphs.append(
            Glyph(
                self._page,
                text,
                str(font.fontname),
                program is not None,
                cid,
                abs(fontsize * matrix[3]),
                baseline,
                min(x0, x1),
                max(x0, x1),
                box,
            )
        )
        return advance


@dataclass
class _Program:
    """An embedded font program: its units per em and each glyph's vertical ink extent."""

    upem: int
    glyph_set: Any
    order: list[str]
    extents: dict[int, tuple[float, float, float, float] | None] = field(default_factory=dict)

    def ink(self, gid: int) -> tuple[float, float, float, float] | None:
        """(x min, y min, x max, y max) of glyph ``gid`` in font units; None if it is empty."""
        if gid not in self.extents:
            bounds = None
            if gid < len(self.order):
                pen = BoundsPen(self.glyph_set)
                self.glyph_set[self.order[gid]].draw(pen)
                bounds = pen.bounds
            self.extents[gid] = tuple(bounds) if bounds else None
        return self.extents[gid]


_PROGRAMS: dict[int, _Program] = {}


def _font_program(font: Any) -> _Program | None:
    """The font embedded for ``font`` (None when the PDF only names it)."""
    descriptor = getattr(font, "descriptor", None) or {}
    for key in ("FontFile2", "FontFile3", "FontFile"):
        if key in descriptor:
            stream = resolve1(descriptor[key])
            if id(stream) not in _PROGRAMS:
                ttf = TTFont(io.BytesIO(stream.get_data()), lazy=True)
                program = _Program(ttf["head"].unitsPerEm, ttf.getGlyphSet(), ttf.getGlyphOrder())
                _PROGRAMS[id(stream)] = program
            return _PROGRAMS[id(stream)]
    return None


def group_lines(glyphs: Sequence[Glyph], column_gap: float = 2.0) -> list[Line]:
    """Glyphs on the same baseline, split where a gap wider than ``column_gap`` ems opens."""
    by_baseline: dict[float, list[Glyph]] = {}
    for glyph in glyphs:
        by_baseline.setdefault(round(glyph.baseline * 2) / 2, []).append(glyph)
    lines = []
    for baseline, row in sorted(by_baseline.items()):
        row.sort(key=lambda g: g.x0)
        run: list[Glyph] = []
        for glyph in row:
            if run and glyph.x0 - max(g.x1 for g in run) > column_gap * glyph.size:
                lines.extend(_line(run, baseline))
                run = []
            run.append(glyph)
        lines.extend(_line(run, baseline))
    return lines


def _line(run: Sequence[Glyph], baseline: float) -> Iterator[Line]:
    boxes = tuple(g.ink for g in run if g.ink is not None)
    if not boxes:
        return
    yield Line(
        run[0].page,
        baseline,
        min(g.x0 for g in run),
        max(g.x1 for g in run),
        min(box[1] for box in boxes),
        max(box[3] for box in boxes),
        max(g.size for g in run),
        _BIDI_CONTROLS.sub("", "".join(g.text for g in run)),
        boxes,
    )


def overlapping_lines(page: Page, tolerance: float = 0.3) -> list[tuple[Line, Line]]:
    """Pairs of lines on ``page`` where a glyph of one draws over a glyph of the other.

    Glyph ink boxes, not line boxes: Nastaliq's tall letters may reach above the next line's
    lowest descender as long as they do not touch it, as in any printed Urdu.
    """
    found = []
    lines = sorted(page.lines, key=lambda line: line.baseline)
    for i, upper in enumerate(lines):
        for lower in lines[i + 1 :]:
            if lower.top - upper.bottom >= -tolerance or lower.baseline - upper.baseline < 0.5:
                continue  # clear of each other vertically, or one line
            if min(upper.x1, lower.x1) - max(upper.x0, lower.x0) <= 1:
                continue  # side by side (table columns)
            if _collide(upper, lower, tolerance):
                found.append((upper, lower))
    return found


def _collide(upper: Line, lower: Line, tolerance: float) -> bool:
    low = [b for b in upper.boxes if b[3] - lower.top > tolerance]
    high = [b for b in lower.boxes if upper.bottom - b[1] > tolerance]
    return any(
        min(a[2], b[2]) - max(a[0], b[0]) > tolerance and a[3] - b[1] > tolerance
        for a in low
        for b in high
    )


def body_lines(page: Page) -> list[Line]:
    """The page's lines without the running footer in the bottom margin."""
    return [line for line in page.lines if line.top < page.height - BOTTOM_MARGIN]


def fullness(page: Page) -> float:
    """How far down the page area the body text reaches, 0 to 1."""
    lines = body_lines(page)
    if not lines:
        return 0.0
    area = page.height - TOP_MARGIN - BOTTOM_MARGIN
    return (max(line.bottom for line in lines) - TOP_MARGIN) / area


def count_whole(pages: Sequence[Page], text: str) -> int:
    """How many times ``text`` (spaces ignored) stands whole on one line."""
    needle = _BIDI_CONTROLS.sub("", text)
    return sum(line.text.count(needle) for page in pages for line in page.lines)


def unembedded_or_missing(pdf: Path) -> list[Glyph]:
    """Glyphs drawn from a font the PDF does not embed, or missing from it (glyph 0)."""
    glyphs, _ = read_glyphs(pdf)
    return [g for g in glyphs if not g.embedded or (g.gid == 0 and g.text.strip())]
