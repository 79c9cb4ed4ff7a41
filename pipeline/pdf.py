"""Print-ready PDFs from the rendered HTML pages, with WeasyPrint.

One :class:`PdfRenderer` lives for the whole process: importing WeasyPrint and loading the
font configuration cost about half a second, a page then renders in a few hundredths.
Output is reproducible: the same HTML gives the same bytes (no creation date unless
``SOURCE_DATE_EPOCH`` asks for one, fonts subset deterministically), which the build relies
on to leave unchanged files alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import PdfError

log = logging.getLogger(__name__)

#: Tagged PDF for screen readers: structure tree, /Lang, alt text (PDF/UA-1).
PDF_VARIANT = "pdf/ua-1"
# Only local files: a page must never make the build touch the network.
_ALLOWED_PROTOCOLS = ("file", "data")


@dataclass(frozen=True)
class PdfResult:
    """One rendered PDF."""

    data: bytes
    pages: int
    seconds: float


class PdfRenderer:
    """Renders HTML strings to PDF bytes; WeasyPrint is imported on first use."""

    def __init__(self) -> None:
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
            self._fetcher = weasyprint.URLFetcher(allowed_protocols=_ALLOWED_PROTOCOLS)
            self._weasyprint = weasyprint
        return self._weasyprint

    def render(self, html: str, base_url: Path | str | None = None) -> PdfResult:
        """Render one HTML page (``base_url`` resolves its relative links and images)."""
        import time

        started = time.perf_counter()
        with self._lock:
            weasyprint = self._load()
            try:
                document = weasyprint.HTML(
                    string=html,
                    base_url=str(base_url) if base_url is not None else None,
                    url_fetcher=self._fetcher,
                ).render(font_config=self._font_config)
                created = _creation_date()
                if created:
                    document.metadata.created = created
                    document.metadata.modified = created
                data = document.write_pdf(pdf_variant=PDF_VARIANT)
            except (ValueError, OSError, AssertionError) as err:
                raise PdfError(f"cannot render PDF: {err}") from err
            self.renders += 1
        return PdfResult(bytes(data), len(document.pages), time.perf_counter() - started)


def _creation_date() -> str | None:
    """The PDF creation date: ``SOURCE_DATE_EPOCH`` when set, else none (reproducible)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _warn_without_harfbuzz_subset() -> None:
    from weasyprint.text import ffi

    if getattr(ffi, "harfbuzz_subset", None) is None:
        # Without it WeasyPrint subsets with fontTools: a CJK page takes ~10 s instead of 0.2 s.
        log.warning(
            "libharfbuzz-subset0 is not installed: PDFs with CJK fonts will be slow "
            "(apt-get install libharfbuzz-subset0)"
        )


_RENDERER: PdfRenderer | None = None


def get_renderer() -> PdfRenderer:
    """The process-wide renderer (created on first use)."""
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = PdfRenderer()
    return _RENDERER
