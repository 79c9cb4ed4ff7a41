"""Print-ready PDFs from the rendered HTML pages, with WeasyPrint, fitted to a page count.

The caller creates one :class:`PdfRenderer` (:func:`get_renderer`) and passes it to what
prints: importing WeasyPrint and loading the font configuration cost about half a second,
a page then renders in a few hundredths. There is no process-wide renderer.
Output is reproducible: the same HTML gives the same bytes (no creation date unless
``SOURCE_DATE_EPOCH`` asks for one, fonts subset deterministically), which the build relies
on to leave unchanged files alone.

Page-fit: with ``max_pages``, a page that prints longer is rendered again with, in turn,
tighter spacing, a smaller body size (down to a readable floor) and narrower margins (see
:data:`FIT_STEPS`); each step is a user stylesheet setting the custom properties the
package's templates use (``--gap``, ``--fit-body-size``). The :class:`PdfResult` says
whether the page fits, so the build can report an overflow.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import PdfError
from pipeline.reproducible import source_date
from pipeline.urls import local_file_allowed

log = logging.getLogger(__name__)

#: Tagged PDF for screen readers: structure tree, /Lang, alt text (PDF/UA-1).
PDF_VARIANT = "pdf/ua-1"
# Only local files: a page must never make the build touch the network.
_ALLOWED_PROTOCOLS = ("file", "data")


@dataclass(frozen=True)
class FitStep:
    """One way of making a handout shorter: a stylesheet applied on top of the page's own."""

    name: str
    css: str


_TIGHT = ":root { --gap: 0.5em !important; --gap-heading: 0.9rem !important; "
_TIGHT += "--gap-after-heading: 0.3rem !important; --gap-footer: 1rem !important; }"


def _body(points: float) -> str:
    return f":root {{ --fit-body-size: {points}pt !important; }}"


#: Readable floor of the body size (before the script's size factor): 9 pt.
BODY_FLOOR_PT = 9.0
_NARROW = "@page { margin: 10mm 11mm 13mm !important; }"
#: The page-fit's steps, in order; each keeps what the one before did.
FIT_STEPS = (
    FitStep("tighter spacing", _TIGHT),
    FitStep("body 10 pt", _TIGHT + _body(10)),
    FitStep(f"body {BODY_FLOOR_PT:g} pt", _TIGHT + _body(BODY_FLOOR_PT)),
    FitStep("narrower margins", _TIGHT + _body(BODY_FLOOR_PT) + _NARROW),
)


@dataclass(frozen=True)
class PdfResult:
    """One rendered PDF, and whether it fits ``max_pages`` (always, without a limit)."""

    data: bytes
    pages: int
    seconds: float
    max_pages: int | None = None
    fit_step: str = ""  # the FIT_STEPS entry that made it fit ("": none needed or none did)
    renders: int = 1  # layouts computed for this page (1 + the fit steps tried)
    tightest_pages: int | None = None  # pages with the last step that was tried

    @property
    def fits(self) -> bool:
        """True when there is no page limit or the PDF keeps to it."""
        return self.max_pages is None or self.pages <= self.max_pages

    def overflow(self) -> str:
        """What a QA finding says when it does not fit ('' when it does)."""
        if self.fits:
            return ""
        return (
            f"the PDF has {self.pages} pages, more than max_pages = {self.max_pages}; "
            f"{self.tightest_pages} even with tighter spacing, a {BODY_FLOOR_PT:g} pt body "
            f"and narrower margins"
        )


class PdfRenderer:
    """Renders HTML strings to PDF bytes; WeasyPrint is imported on first use.

    ``roots``: the folders a page may load files from (the project, the output folder);
    ``file:`` URLs anywhere else, and every other scheme but ``data:``, are refused, so no
    page can embed a file from outside the project (:func:`pipeline.urls.local_file_allowed`).
    """

    def __init__(self, roots: Sequence[Path] = ()) -> None:
        self.roots = tuple(Path(r).resolve() for r in roots)
        self._weasyprint: Any = None
        self._font_config: Any = None
        self._fetcher: Any = None
        self._lock = threading.Lock()  # WeasyPrint's font configuration is not thread-safe
        self.renders = 0

    def _load(self) -> Any:
        if self._weasyprint is None:
            try:
                import weasyprint
                from weasyprint.text.fonts import FontConfiguration
            except (ImportError, OSError) as err:  # OSError: Pango or HarfBuzz missing
                raise PdfError(
                    f"PDF output needs WeasyPrint and its system libraries (Pango): {err}"
                ) from err
            _warn_without_harfbuzz_subset()
            self._font_config = FontConfiguration()
            self._fetcher = _guarded(weasyprint, self.roots)
            self._weasyprint = weasyprint
        return self._weasyprint

    def render(
        self, html: str, base_url: Path | str | None = None, *, max_pages: int | None = None
    ) -> PdfResult:
        """Render one HTML page (``base_url`` resolves its relative links and images).

        With ``max_pages``, a longer page is laid out again with each of :data:`FIT_STEPS`
        until it fits; if none makes it fit, the page is printed as designed and the result
        says so (``fits`` is false, ``overflow()`` the message).
        """
        import time

        started = time.perf_counter()
        with self._lock:
            document = self._layout(html, base_url, "")
            renders, step, tightest = 1, "", len(document.pages)
            if max_pages is not None and tightest > max_pages:
                document, step, tightest, tried = self._fit(html, base_url, document, max_pages)
                renders += tried
            data = self._write(document)
            self.renders += 1
        seconds = time.perf_counter() - started
        return PdfResult(data, len(document.pages), seconds, max_pages, step, renders, tightest)

    def _fit(
        self, html: str, base_url: Path | str | None, designed: Any, max_pages: int
    ) -> tuple[Any, str, int, int]:
        """(document, step name, fewest pages reached, layouts made) for the gentlest fit.

        The tightest step first: when even it overflows, the page stays as designed after
        one more layout instead of four.
        """
        tightest = self._layout(html, base_url, FIT_STEPS[-1].css)
        if len(tightest.pages) > max_pages:
            return designed, "", len(tightest.pages), 1
        for tried, candidate in enumerate(FIT_STEPS[:-1], start=2):
            fitted = self._layout(html, base_url, candidate.css)
            if len(fitted.pages) <= max_pages:
                return fitted, candidate.name, len(fitted.pages), tried
        return tightest, FIT_STEPS[-1].name, len(tightest.pages), len(FIT_STEPS)

    def _layout(self, html: str, base_url: Path | str | None, css: str) -> Any:
        weasyprint = self._load()
        try:
            stylesheets = [weasyprint.CSS(string=css)] if css else None
            return weasyprint.HTML(
                string=html,
                base_url=str(base_url) if base_url is not None else None,
                url_fetcher=self._fetcher,
            ).render(font_config=self._font_config, stylesheets=stylesheets)
        except (ValueError, OSError, AssertionError) as err:
            raise PdfError(f"cannot render PDF: {err}") from err

    def _write(self, document: Any) -> bytes:
        try:
            created = _creation_date()
            if created:
                document.metadata.created = created
                document.metadata.modified = created
            return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
        except (ValueError, OSError, AssertionError) as err:
            raise PdfError(f"cannot render PDF: {err}") from err


def _creation_date() -> str | None:
    """The PDF creation date: ``SOURCE_DATE_EPOCH`` when set, else none (reproducible)."""
    moment = source_date()
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _guarded(weasyprint: Any, roots: tuple[Path, ...]) -> Any:
    """WeasyPrint's fetcher, refusing what :func:`local_file_allowed` refuses.

    WeasyPrint reports a fetcher's error as a warning and leaves the image out.
    """

    class GuardedFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not local_file_allowed(url, roots):
                log.warning("PDF: refused to load %s: not a file inside the project", url[:120])
                raise ValueError(f"refused to load {url[:120]!r}: not a file inside the project")
            return super().fetch(url, headers)

    return GuardedFetcher(allowed_protocols=_ALLOWED_PROTOCOLS)


def _warn_without_harfbuzz_subset() -> None:
    from weasyprint.text import ffi

    if getattr(ffi, "harfbuzz_subset", None) is None:
        # Without it WeasyPrint subsets with fontTools: a CJK page takes ~10 s instead of 0.2 s.
        log.warning(
            "libharfbuzz-subset0 is not installed: PDFs with CJK fonts will be slow "
            "(apt-get install libharfbuzz-subset0)"
        )


def get_renderer() -> PdfRenderer:
    """A new renderer; create one per build and pass it to everything that prints."""
    return PdfRenderer()
