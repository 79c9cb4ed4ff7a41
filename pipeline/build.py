"""The build: load → segment → translate → render → write, then one summary line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from pipeline import uptodate
from pipeline.config import Config
from pipeline.document import load_document
from pipeline.engines import Engine, create_engine
from pipeline.errors import ConfigError, SourceError
from pipeline.glossary import project_glossary
from pipeline.inline import escape
from pipeline.languages import SOURCE_LANGUAGE, get_language
from pipeline.memory import TranslationMemory
from pipeline.output import OutputWriter
from pipeline.pdf import get_renderer
from pipeline.qa import UnitFinding, check_language, lowest_scoring
from pipeline.rebuild import (
    LanguageReport,
    apply_catalogs,
    engine_options,
    reviewed_filter,
    session,
    write_manifest,
    write_review,
)
from pipeline.render import format_date, language_links, make_environment, render_template
from pipeline.segment import Segmented, join, plain_text_of, segment
from pipeline.translate import LanguageTranslation, UnitTranslation, translate_language

log = logging.getLogger(__name__)

# Engines whose pages carry a notice; its words are in templates/_notice.html, translated
# through the UI catalogs.
NOTICES = ("pseudo", "argos")
# How many of the least confident units each review page lists for a reviewer to start with.
LOW_CONFIDENCE_LIMIT = 10
# LibreTranslate serves Argos Translate models: its pages carry the same (translated) notice.
NOTICE_OF_ENGINE = {"libretranslate": "argos"}


@dataclass
class BuildReport:
    """What a build did, for the summary line (and, later, build.json)."""

    documents: int = 0
    languages: list[str] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    pdf_pages: int = 0  # printed pages in all PDFs
    pdf_seconds: float = 0.0
    sentences: int = 0
    engine_texts: int = 0
    model_loads: int = 0
    spans_placed: int = 0
    spans_fallback: int = 0
    span_methods: dict[str, int] = field(default_factory=dict)  # protect.METHODS → spans
    findings: list[UnitFinding] = field(default_factory=list)  # QA, every language
    catalogs: dict[str, LanguageReport] = field(default_factory=dict)  # per language
    model_loads_by_language: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line of counts and seconds."""
        return (
            f"Built {self.documents} document(s) in {len(self.languages)} language(s): "
            f"{len(self.pages)} page(s), "
            + (f"{len(self.pdfs)} PDF(s) ({self.pdf_pages} printed pages), " if self.pdfs else "")
            + f"{self.engine_texts} text(s) translated, "
            f"{self.model_loads} model load(s), in {self.seconds:.1f} s."
        )


def resolve_sources(config: Config, paths: Sequence[Path]) -> list[Path]:
    """The Markdown files to build: the paths given, else the configured globs."""
    if paths:
        return [Path(p) for p in paths]
    found: list[Path] = []
    for pattern in config.sources:
        found.extend(sorted(config.project_dir.glob(pattern)))
    if not found:
        raise SourceError(
            f"no source files match {', '.join(config.sources)} in {config.project_dir}"
        )
    return list(dict.fromkeys(found))


def load_all(paths: Sequence[Path]) -> list[Segmented]:
    """Load and segment every source before anything is written."""
    docs = [segment(load_document(p)) for p in paths]
    slugs: dict[str, Path] = {}
    for seg in docs:
        other = slugs.setdefault(seg.document.slug, seg.document.path)
        if other != seg.document.path:
            raise SourceError(f"{seg.document.path}: same slug {seg.document.slug!r} as {other}")
    return docs


def target_languages(config: Config, docs: Sequence[Segmented], from_cli: bool) -> list[str]:
    """Languages to build: ``--lang`` wins, then the documents' own lists, then the config."""
    if from_cli:
        return config.languages
    named = [c for seg in docs for c in seg.document.languages]
    return list(dict.fromkeys(named)) if named else config.languages


def build(
    config: Config,
    paths: Sequence[Path] = (),
    *,
    languages_from_cli: bool = False,
    engine: Engine | None = None,
    progress: Callable[[str], None] | None = None,
    translate_only: bool = False,
) -> BuildReport:
    """Build every source into every language; return what was done.

    Holds the project lock throughout; ``translate_only`` stops after writing the catalogs.
    """
    with session(config) as memory:
        return _build(
            config,
            paths,
            memory,
            languages_from_cli=languages_from_cli,
            engine=engine,
            progress=progress,
            translate_only=translate_only,
        )


def _build(
    config: Config,
    paths: Sequence[Path],
    memory: TranslationMemory,
    *,
    languages_from_cli: bool,
    engine: Engine | None,
    progress: Callable[[str], None] | None,
    translate_only: bool,
) -> BuildReport:
    started = time.monotonic()
    report = BuildReport()
    say = progress or (lambda message: None)

    docs = load_all(resolve_sources(config, paths))
    for seg in docs:
        report.warnings.extend(seg.warnings)
    languages = target_languages(config, docs, languages_from_cli)
    if SOURCE_LANGUAGE in languages:
        raise ConfigError(f"languages: {SOURCE_LANGUAGE} is the source language, not a target")
    report.documents = len(docs)
    report.languages = languages
    glossary = project_glossary(config)  # a broken glossary fails before any work

    engine = engine or create_engine(config.engine, engine_options(config))
    for lang in languages:
        engine.check(SOURCE_LANGUAGE, lang)  # a missing model fails before any work

    # Nothing changed since the last complete build: its files stand (pipeline.uptodate).
    shortcut = not translate_only and not hasattr(engine, "stats")
    if shortcut:
        previous = uptodate.unchanged(config, _fingerprint(config, docs, languages, engine, memory))
        if previous is not None:
            return _up_to_date(config, docs, languages, previous, report, started)
        uptodate.forget(config)

    results: dict[str, LanguageTranslation] = {}
    try:
        for lang in languages:
            say(f"translating {lang}")
            lang_started = time.monotonic()
            loads_before = int(getattr(engine, "loads", 0))
            # Only memory misses reach the engine; approved units need no machine output.
            result = translate_language(
                docs,
                lang,
                engine,
                memory=memory,
                wanted=reviewed_filter(config, docs, lang),
                glossary=glossary,
            )
            results[lang] = result
            report.sentences += result.sentences
            report.engine_texts += result.engine_texts
            report.spans_placed += result.spans_placed
            report.spans_fallback += result.spans_fallback
            for method, count in result.span_methods.items():
                report.span_methods[method] = report.span_methods.get(method, 0) + count
            engine.release()  # one language's model resident at a time
            report.model_loads_by_language[lang] = int(getattr(engine, "loads", 0)) - loads_before
            # Catalog merge: the page text of each unit (reviewed wins) replaces machine text.
            catalogs = apply_catalogs(config, docs, result)
            catalogs.seconds = time.monotonic() - lang_started
            report.catalogs[lang] = catalogs
            report.warnings.extend(catalogs.warnings)
    finally:
        engine.release()
    report.model_loads = int(getattr(engine, "loads", 0))
    for result in results.values():  # the texts as they will be published
        report.findings.extend(check_language(docs, result, glossary))
    if translate_only:
        report.seconds = time.monotonic() - started
        return report

    writer = OutputWriter(config.output_dir)
    env = make_environment(config.templates_dir, config.locales_dir)
    pdf = get_renderer() if "pdf" in config.formats else None
    all_codes = [SOURCE_LANGUAGE, *languages]
    notice = NOTICE_OF_ENGINE.get(engine.name, engine.name)
    notice = notice if notice in NOTICES else ""
    index_docs: list[dict[str, Any]] = []
    for seg in docs:
        pages = []
        for code in all_codes:
            units = results[code].units[seg.document.slug] if code in results else {}
            page = _render_page(
                env, seg, code, units, all_codes, notice if code in results else "", config
            )
            rel = f"{code}/{seg.document.slug}.html"
            report.pages.append(writer.write(rel, page))
            if pdf is not None:
                say(f"printing {rel}")
                printed = pdf.render(page, base_url=writer.path_for(rel))
                report.pdfs.append(writer.write(rel[: -len(".html")] + ".pdf", printed.data))
                report.pdf_pages += printed.pages
                report.pdf_seconds += printed.seconds
            language = get_language(code)
            title = units["title"].text if "title" in units else escape(seg.document.title)
            pages.append(
                {
                    "href": rel,
                    "tag": language.tag,
                    "native_name": language.native_name,
                    "title": plain_text_of(title),
                }
            )
        index_docs.append({"title": seg.document.title, "pages": pages})
    index = render_template(
        env, "index.html", {"documents": index_docs, "notice": notice, "paper": config.paper}
    )
    writer.write("index.html", index)
    for lang in languages:
        write_review(
            config,
            writer,
            memory,
            docs,
            lang,
            report.catalogs[lang],
            [f for f in report.findings if f.lang == lang],
            lowest_scoring(results[lang], limit=LOW_CONFIDENCE_LIMIT),
        )
    report.warnings.extend(env.ui_catalogs.warnings)
    report.seconds = time.monotonic() - started
    write_manifest(
        config,
        writer,
        docs,
        engine.name,
        report.catalogs,
        report.model_loads_by_language,
        report.warnings,
        report.seconds,
        engine_stats=engine.stats() if hasattr(engine, "stats") else None,
        findings=report.findings,
    )
    if shortcut:
        uptodate.remember(
            config,
            _fingerprint(config, docs, languages, engine, memory),
            {"pdf_pages": report.pdf_pages, "sentences": report.sentences},
        )
    return report


def _fingerprint(
    config: Config,
    docs: Sequence[Segmented],
    languages: Sequence[str],
    engine: Engine,
    memory: TranslationMemory,
) -> str:
    identities = {lang: engine.identity(SOURCE_LANGUAGE, lang) for lang in languages}
    counts = uptodate.memory_counts(memory, identities)
    return uptodate.fingerprint(config, docs, languages, identities, counts)


def _up_to_date(
    config: Config,
    docs: Sequence[Segmented],
    languages: list[str],
    previous: dict[str, Any],
    report: BuildReport,
    started: float,
) -> BuildReport:
    """The report of a build that found its inputs unchanged: no model, no engine call."""
    codes = [SOURCE_LANGUAGE, *languages]
    report.pages = [
        config.output_dir / code / f"{seg.document.slug}.html" for seg in docs for code in codes
    ]
    if "pdf" in config.formats:
        report.pdfs = [page.with_suffix(".pdf") for page in report.pages]
    record = previous["_record"]
    report.pdf_pages = int(record.get("pdf_pages", 0))
    report.sentences = int(record.get("sentences", 0))
    report.findings = [UnitFinding(**f) for f in previous.get("findings", [])]
    report.warnings = [str(w) for w in previous.get("warnings", [])]
    report.model_loads_by_language = dict.fromkeys(languages, 0)
    report.seconds = time.monotonic() - started
    uptodate.write_noop_manifest(config, previous, languages, report.seconds)
    kept = {key: record.get(key, 0) for key in ("pdf_pages", "sentences")}
    uptodate.remember(config, str(record["fingerprint"]), kept)
    return report


def _render_page(
    env: Any,
    seg: Segmented,
    code: str,
    units: dict[str, UnitTranslation],
    all_codes: list[str],
    notice: str,
    config: Config,
) -> str:
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
        "languages": language_links(all_codes, code, doc.slug),
        "notice": notice,
        "paper": config.paper,
    }
    return render_template(env, "page.html", context)
