"""The orchestrator: a :class:`Plan` chooses the stages, :class:`Build` runs them in order.

``build`` runs every stage; ``translate`` stops after writing the catalogs; ``check`` and
``status`` read sources and catalogs only (no engine, no lock, nothing written);
``diff --machine`` translates afresh but writes nothing. Stages live in
:mod:`pipeline.stages`; this module only calls them and counts.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.engines import Engine, EngineContext, EngineStats, Probe, create_engine
from pipeline.findings import UnitFinding
from pipeline.idle import while_waiting
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.output import check_output_folder, remove_temporary_files, source_folder
from pipeline.stages import stamp, write
from pipeline.stages.render import Rendered, preparations

if TYPE_CHECKING:
    from pipeline.memory import TranslationMemory
    from pipeline.stages.backtranslate import BackTranslated
    from pipeline.stages.load import Sources
    from pipeline.stages.merge import LanguageCatalogs
    from pipeline.stages.translate import Translated

# The modules that load (parse Markdown and YAML), translate, merge, check and render, and
# SQLite, are imported where they are used: a build that finds nothing changed (the scheduled
# rebuild's usual case) needs none of them, and importing them would be most of its time
# (docs/performance.md). So are the up-to-date check's: a cold build's model loads meanwhile.

_PACKAGE_DIR = Path(__file__).resolve().parent
#: How many of the least confident units each review page lists for a reviewer to start with.
LOW_CONFIDENCE_LIMIT = 10


@dataclass(frozen=True)
class Plan:
    """Which stages a command runs."""

    engine: bool  # translate what the memory does not know
    write: bool  # take the lock; write catalogs (and, with render, output/)
    render: bool  # pages, PDFs, review pages, build.json


BUILD = Plan(engine=True, write=True, render=True)
TRANSLATE = Plan(engine=True, write=True, render=False)
READ = Plan(engine=False, write=False, render=False)  # check, status, diff
MACHINE = Plan(engine=True, write=False, render=False)  # diff --machine


@dataclass
class Outcome:
    """What a run found and did; the CLI prints from it.

    An up-to-date build knows its documents and languages without reading the sources;
    :attr:`sources` reads them when first asked.
    """

    reader: Callable[[], Sources] = field(repr=False)  # the run's sources
    slugs: tuple[str, ...]  # the documents, in order
    languages: tuple[str, ...]  # the target languages
    catalogs: dict[str, LanguageCatalogs] = field(default_factory=dict)
    translated: dict[str, Translated] = field(default_factory=dict)
    findings: list[UnitFinding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rendered: Rendered = field(default_factory=Rendered)
    engine: str = ""
    stats: EngineStats = field(default_factory=EngineStats)
    back: BackTranslated | None = None  # None: no back-translation ran
    up_to_date: bool = False
    seconds: float = 0.0
    _sources: Sources | None = field(default=None, init=False, repr=False)

    @classmethod
    def of(cls, sources: Sources) -> Outcome:
        """The outcome of a run over ``sources`` (already read)."""
        outcome = cls(
            lambda: sources, tuple(seg.document.slug for seg in sources.docs), sources.languages
        )
        outcome._sources = sources
        return outcome

    @property
    def sources(self) -> Sources:
        """What the run worked on: documents, languages, glossary, catalogs."""
        if self._sources is None:
            self._sources = self.reader()
        return self._sources

    @property
    def engine_texts(self) -> int:
        """Texts sent to the engine (memory misses) in every language."""
        return sum(t.result.engine_texts for t in self.translated.values())

    @property
    def spans(self) -> tuple[int, int, dict[str, int]]:
        """Markup spans placed by a method, placed by position (fallback), per method."""
        placed = sum(t.result.spans_placed for t in self.translated.values())
        fallback = sum(t.result.spans_fallback for t in self.translated.values())
        methods: dict[str, int] = {}
        for t in self.translated.values():
            for method, count in t.result.span_methods.items():
                methods[method] = methods.get(method, 0) + count
        return placed, fallback, methods

    def summary(self) -> str:
        """One line of counts and seconds."""
        done = self.rendered
        docs, langs = len(self.slugs), len(self.languages)
        pdfs = f"{len(done.pdfs)} PDF(s) ({done.pdf_pages} printed pages), " if done.pdfs else ""
        state = "up to date, " if self.up_to_date else ""
        return (
            f"Built {docs} document(s) in {langs} language(s): {len(done.pages)} page(s), "
            f"{pdfs}{state}{self.engine_texts} text(s) translated, "
            f"{self.stats.model_loads} model load(s), in {self.seconds:.1f} s."
        )


class Build:
    """One run: the config, the plan, and the engine, memory, renderer and writer it needs."""

    def __init__(
        self,
        config: Config,
        plan: Plan = BUILD,
        *,
        engine: Engine | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.plan = plan
        self._engine = engine
        self.say = progress or (lambda message: None)

    def engine(self) -> Engine:
        """The configured engine (created on first use)."""
        if self._engine is None:
            name = self.config.engine
            context = EngineContext(self.config.state_dir, read_only=not self.plan.write)
            self._engine = create_engine(name, self.config.settings_of(name), context)
        return self._engine

    def run(self, paths: Sequence[Path] = (), languages: Sequence[str] = ()) -> Outcome:
        """Run the plan over ``paths`` (default: the configured sources)."""
        started = time.monotonic()
        if self.plan.engine:  # first: the model loads while the rest is imported
            from pipeline.stages.translate import prefetch

            prefetch(self.engine, self.config, languages)  # none if there is a memory
        outcome = self._recalled(paths, languages, started) if self.plan.render else None
        if outcome is None:
            outcome = Outcome.of(_load(self.config, paths, languages))
            outcome.warnings.extend(outcome.sources.warnings)
            if self.plan.engine:
                from pipeline.stages.translate import check_engine

                engine = self.engine()
                outcome.engine = engine.name
                check_engine(engine, outcome.languages)  # a missing model fails before any work
            if self.plan.write:
                self._locked_run(outcome, started)
            else:
                self._read_run(outcome)
        outcome.seconds = time.monotonic() - started
        return outcome

    def _locked_run(self, outcome: Outcome, started: float) -> None:
        from pipeline.lock import project_lock
        from pipeline.memory import TranslationMemory
        from pipeline.stages.recall import MemoryRecord, memory_state, records_of

        config = self.config
        self._check_output_folder()
        with project_lock(config.state_dir, config.lock_timeout):
            self._clean()
            with TranslationMemory(config.memory_path) as memory:
                done = self._write_run(outcome, memory, started)
                usable = memory.usable
            if done is not None:
                # Now that the memory is closed: its files as the next build finds them.
                current, counts, by_identity = done
                state = MemoryRecord(memory_state(config.memory_path), by_identity)
                records = records_of(outcome.sources.docs)
                write.remember(config, current, counts, records, state if usable else None)

    def _clean(self) -> None:
        for folder in (self.config.output_dir, self.config.locales_dir, self.config.state_dir):
            remove_temporary_files(folder)

    def _recalled(
        self, paths: Sequence[Path], languages: Sequence[str], started: float
    ) -> Outcome | None:
        """The up-to-date build, known without parsing a source (pipeline.stages.recall), or
        None: something differs or is unknown, and the full run decides."""
        from pipeline.lock import project_lock
        from pipeline.stages.recall import recall
        from pipeline.stages.translate import check_engine

        config = self.config
        record = write.recorded(config)
        recalled = recall(config, paths, languages, record.sources) if record else None
        if record is None or recalled is None or not self.engine().cacheable:
            return None
        engine = self.engine()
        check_engine(engine, recalled.languages)  # as the full run would, before any work
        self._check_output_folder()
        with project_lock(config.state_dir, config.lock_timeout):
            self._clean()
            counts = stamp.counts_now(config, engine, recalled.languages, record.memory)
            scope = (recalled.inputs, recalled.languages)
            previous = write.last_build(config, stamp.stamp(config, engine, scope, counts))
            if previous is None:
                return None
            reader = functools.partial(_load, config, paths, languages)
            outcome = Outcome(reader, recalled.slugs, recalled.languages, engine=engine.name)
            self._up_to_date(outcome, previous, started)
        return outcome

    def _check_output_folder(self) -> None:
        """Refuse an output folder that would overwrite or clean the project's own files."""
        config = self.config
        check_output_folder(
            config.output_dir,
            [config.templates_dir, config.locales_dir, config.state_dir, _PACKAGE_DIR],
            [source_folder(config.project_dir, pattern) for pattern in config.sources],
        )

    def _read_run(self, outcome: Outcome) -> None:
        """Merge in memory only; with an engine (diff --machine), translate without memory.

        PDFs are not printed here: the last build's page-fit findings stand while their
        source is unchanged."""
        from pipeline.pagefit import recorded_overflows

        if self.plan.engine:
            from pipeline.stages.translate import translate_all

            engine = self.engine()  # every unit, approved ones too: compared with the catalogs
            outcome.translated = translate_all(engine, None, outcome.sources, self.say, every=True)
            outcome.stats = engine.stats()
        self._merge_and_check(outcome, machine=False)
        languages = outcome.sources.languages
        outcome.findings.extend(recorded_overflows(self.config.output_dir, languages))

    def _merge_and_check(
        self, outcome: Outcome, machine: bool = True, memory: TranslationMemory | None = None
    ) -> None:
        """Merge each language's catalogs (with the fresh machine output, if ``machine``);
        checks the memory kept from an earlier run are taken from it."""
        from pipeline.stages.merge import merge_language
        from pipeline.stages.qa import check_language

        sources = outcome.sources
        for lang in sources.languages:
            fresh = outcome.translated.get(lang) if machine else None
            catalogs = merge_language(self.config, sources, lang, fresh)
            outcome.catalogs[lang] = catalogs
            outcome.warnings.extend(catalogs.warnings)
            findings = check_language(sources.docs, catalogs, sources.glossary, memory)
            outcome.findings.extend(findings)

    def _write_run(
        self, outcome: Outcome, memory: TranslationMemory, started: float
    ) -> tuple[str, tuple[int, int], dict[str, int]] | None:
        """Translate, merge, check, render; what to remember of a build (else None)."""
        engine = self.engine()
        current = ""
        if self.plan.render and engine.cacheable:
            current = stamp.of_sources(self.config, engine, memory, outcome.sources)[0]
            previous = write.last_build(self.config, current)
            if previous is not None:
                self._up_to_date(outcome, previous, started)
                return None
            write.forget(self.config)
        from pipeline.stages.merge import template_preparations, write_catalogs, write_templates
        from pipeline.stages.translate import translate_all

        pages = preparations(outcome.languages) if self.plan.render else []
        with while_waiting([*pages, *template_preparations(self.config, outcome.sources)]):
            outcome.translated = translate_all(engine, memory, outcome.sources, self.say)
        outcome.stats = engine.stats()
        self._merge_and_check(outcome, memory=memory)
        write_templates(self.config, outcome.sources, memory)
        for catalogs in outcome.catalogs.values():
            write_catalogs(catalogs, memory)
        if self.plan.render and self.config.back_translation:
            self._back_translate(outcome, engine, memory)
        if self.plan.render:
            self._render(outcome, memory, engine)
        run = {lang: outcome.translated.get(lang) for lang in outcome.sources.languages}
        write.write_run(self.config, run, outcome.stats, time.monotonic() - started)
        if not current:
            return None
        # Catalogs were just written: the stamp covers them as the next run reads them.
        sentences = sum(t.result.sentences for t in outcome.translated.values())
        again, counts = stamp.of_sources(self.config, engine, memory, outcome.sources)
        return again, (outcome.rendered.pdf_pages, sentences), counts

    def _back_translate(
        self, outcome: Outcome, engine: Engine, memory: TranslationMemory | None
    ) -> None:
        """The merged page text back to English; its findings join the build's."""
        from pipeline.stages.backtranslate import back_translate_all

        docs = outcome.sources.docs
        back = back_translate_all(engine, memory, docs, outcome.catalogs, self.say)
        outcome.back = back
        outcome.findings.extend(back.findings)
        outcome.warnings.extend(back.warnings)

    def _render(self, outcome: Outcome, memory: TranslationMemory, engine: Engine) -> None:
        from pipeline.output import OutputWriter
        from pipeline.pdf import PdfRenderer
        from pipeline.render import Renderer
        from pipeline.stages.qa import lowest_scoring
        from pipeline.stages.render import render_documents
        from pipeline.stages.review import write_review_index, write_review_pages

        config = self.config
        writer = OutputWriter(config.output_dir)
        renderer = Renderer(config.templates_dir, config.locales_dir, keep_compiled=True)
        roots = (config.project_dir, config.output_dir)
        pdf = PdfRenderer(roots) if "pdf" in config.formats else None
        units = {lang: c.units for lang, c in outcome.catalogs.items()}
        outcome.rendered = render_documents(
            config, outcome.sources.docs, units, engine.notice, (renderer, writer, pdf), self.say
        )
        outcome.findings.extend(outcome.rendered.overflows)
        back = outcome.back
        for lang, catalogs in outcome.catalogs.items():
            findings = [f for f in outcome.findings if f.lang == lang]
            low = lowest_scoring(catalogs, LOW_CONFIDENCE_LIMIT)
            scores = back.scores(lang) if back else None
            for seg in outcome.sources.docs:
                doc = catalogs.documents[seg.document.slug]
                pages = (renderer, writer)
                write_review_pages(seg, doc, lang, memory, findings, low, *pages, scores)
        counts = {
            lang: {slug: catalogs.counts(slug) for slug in catalogs.documents}
            for lang, catalogs in outcome.catalogs.items()
        }
        if counts:
            flagged = back.flagged() if back else None
            write_review_index(outcome.sources.docs, counts, renderer, writer, flagged)
        outcome.warnings.extend(renderer.warnings)
        manifest = write.manifest_of(
            config,
            outcome.sources.docs,
            outcome.catalogs,
            engine.name,
            writer,
            (outcome.findings, outcome.warnings),
            back.manifest() if back else None,
        )
        write.write_manifest(writer, manifest)

    def _up_to_date(self, outcome: Outcome, previous: write.LastBuild, started: float) -> None:
        """Nothing changed since the last complete build: its files stand, untouched."""
        config = self.config
        codes = [SOURCE_LANGUAGE, *outcome.languages]
        pages = [
            config.output_dir / code / f"{slug}.html" for slug in outcome.slugs for code in codes
        ]
        pdfs = [page.with_suffix(".pdf") for page in pages] if "pdf" in config.formats else []
        outcome.rendered = Rendered(pages, pdfs, previous.pdf_pages)
        outcome.findings = list(previous.manifest.findings)
        outcome.warnings = list(previous.manifest.warnings)
        outcome.up_to_date = True
        run = dict.fromkeys(outcome.languages)
        write.write_run(config, run, EngineStats(), time.monotonic() - started, up_to_date=True)


def _load(config: Config, paths: Sequence[Path], languages: Sequence[str]) -> Sources:
    from pipeline.stages.load import load

    return load(config, paths, languages)


def back_translation(config: Config, outcome: Outcome) -> BackTranslated:
    """``check --back-translation``: what the pages of each language show, translated back to
    English where a reverse model exists; low chrF scores are findings (nothing written, no
    memory)."""
    from pipeline.stages.backtranslate import back_translate_all

    engine = Build(config, MACHINE).engine()
    return back_translate_all(engine, None, outcome.sources.docs, outcome.catalogs)


def probe_engine(config: Config, languages: Sequence[str] = ()) -> list[Probe]:
    """What ``engines check`` prints: can the engine do the languages?"""
    engine = Build(config, MACHINE).engine()
    return engine.probe(SOURCE_LANGUAGE, list(languages or config.languages))
