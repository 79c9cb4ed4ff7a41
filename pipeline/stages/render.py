"""Stage 5, render: each document's page in every language, its PDF, and the index page."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.findings import UnitFinding
from pipeline.languages import SOURCE_LANGUAGE, get_language
from pipeline.output import OutputWriter, WriteBatch

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.pdf import PdfRenderer
    from pipeline.render import Renderer
    from pipeline.segment import Segmented
    from pipeline.translate import UnitTranslation

# Templating, PDF and review modules are imported in the functions: an up-to-date build only
# needs :class:`Rendered` from here (see pipeline.build).


def preparations(languages: Sequence[str]) -> list[Callable[[], object]]:
    """What checking and rendering ``languages`` does first (imports, Babel's locale data),
    as tasks for a wait (:mod:`pipeline.idle`): a cold build does them while its model loads."""

    def modules() -> None:
        import pipeline.render
        import pipeline.stages.qa
        import pipeline.stages.review  # noqa: F401

    def templating() -> None:  # what pipeline.render.make_environment imports
        import jinja2.ext  # noqa: F401

        import pipeline.i18n  # noqa: F401

    locale_data = [functools.partial(get_language, c) for c in (SOURCE_LANGUAGE, *languages)]
    return [modules, *locale_data, templating]


@dataclass(frozen=True)
class IndexPage:
    """One language of one document on the index page."""

    href: str
    tag: str
    native_name: str
    title: str
    pdf_href: str = ""  # "" when no PDF was built
    review_href: str = ""  # "" for the English page


@dataclass(frozen=True)
class IndexDocument:
    """One document on the index page."""

    title: str
    pages: tuple[IndexPage, ...]


@dataclass
class Rendered:
    """What the render stage wrote."""

    pages: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    pdf_pages: int = 0
    pdf_seconds: float = 0.0
    index: list[IndexDocument] = field(default_factory=list)
    overflows: list[UnitFinding] = field(default_factory=list)  # PDFs over max_pages


def page_html(
    renderer: Renderer,
    config: Config,
    seg: Segmented,
    code: str,
    units: Mapping[str, UnitTranslation],
    codes: Sequence[str],
    notice: str,
) -> str:
    """One document's page in language ``code`` (``units``: the text of each unit)."""
    from markupsafe import Markup

    from pipeline.render import format_date, language_links
    from pipeline.segment import join

    lang = get_language(code)
    joined = join(seg, {uid: u.text for uid, u in units.items()})
    doc = seg.document
    context = {
        "lang": lang,
        "fields": {"summary": "", "source_title": "", **joined.fields},
        "body": Markup(joined.body_html),
        "organisation": str(doc.meta.get("organisation", "")),
        "date": format_date(doc.date, lang),
        "date_iso": doc.date.isoformat() if doc.date else "",
        "source": str(doc.meta.get("source", "")),
        "languages": language_links(codes, code, doc.slug),
        "notice": notice,
        "paper": config.paper,
        "pdf_href": f"{doc.slug}.pdf" if "pdf" in config.formats else None,
    }
    return renderer.render("page.html", context)


def render_documents(
    config: Config,
    docs: Sequence[Segmented],
    units: Mapping[str, Mapping[str, Mapping[str, UnitTranslation]]],
    notice: str,
    tools: tuple[Renderer, OutputWriter, PdfRenderer | None],
    say: Callable[[str], None],
) -> Rendered:
    """Every page (English first), its PDF when asked for, and ``index.html``.

    ``units``: language → slug → unit id → the text its page shows.
    """
    from pipeline.assets import copy_assets
    from pipeline.pagefit import overflow_finding
    from pipeline.stages.review import REVIEW_DIR

    renderer, writer, pdf = tools
    codes = [SOURCE_LANGUAGE, *units]
    done = Rendered()
    # Local images and files first: pages and PDFs point at (and embed) the copies.
    copy_assets(writer, [asset for seg in docs for asset in seg.assets])
    pages = WriteBatch(writer)  # written together: one wait for the disk
    for seg in docs:
        slug = seg.document.slug
        entries = []
        for code in codes:
            shown = units[code][slug] if code in units else {}
            page = page_html(renderer, config, seg, code, shown, codes, notice if shown else "")
            rel = f"{code}/{slug}.html"
            pages.add(rel, page)
            pdf_rel = ""
            if pdf is not None:
                say(f"printing {rel}")
                printed = pdf.render(page, writer.path_for(rel), max_pages=config.max_pages)
                if not printed.fits:
                    done.overflows.append(
                        overflow_finding(seg.document.path, slug, code, printed.overflow())
                    )
                pdf_rel = f"{code}/{slug}.pdf"
                done.pdfs.append(writer.write(pdf_rel, printed.data))
                done.pdf_pages += printed.pages
                done.pdf_seconds += printed.seconds
            entries.append(_index_page(seg, code, shown, rel, pdf_rel))
        done.index.append(IndexDocument(seg.document.title, tuple(entries)))
    index = renderer.render(
        "index.html",
        {
            "documents": done.index,
            "notice": notice,
            "paper": config.paper,
            "review_index": f"{REVIEW_DIR}/index.html" if units else None,
        },
    )
    pages.add("index.html", index)
    pages.flush()
    done.pages.extend(pages.paths[:-1])
    return done


def _index_page(
    seg: Segmented, code: str, units: Mapping[str, UnitTranslation], href: str, pdf: str
) -> IndexPage:
    from pipeline.inline import escape
    from pipeline.segment import plain_text_of
    from pipeline.stages.review import REVIEW_DIR

    language = get_language(code)
    title = units["title"].text if "title" in units else escape(seg.document.title)
    review = "" if code == SOURCE_LANGUAGE else f"{REVIEW_DIR}/{code}/{seg.document.slug}.html"
    return IndexPage(
        href, language.tag, language.native_name, plain_text_of(title), pdf, review
    )
