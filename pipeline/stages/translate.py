"""Stage 2, translate: per language, memory first, then one batched engine call for the rest.

Approved, well-formed units need no machine output, so they are not sent. One language's
model is resident at a time. An engine that can translate several languages at once
(:class:`ManyLanguages`, e.g. a pool of servers) gets every language's memory misses in
one call, so its servers share all the work rather than one language after another.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pipeline.config import Config
from pipeline.engines import Engine, EngineStats, Probe, Translation
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.stages.sources import target_languages

if TYPE_CHECKING:
    from pipeline.segment import Unit
    from pipeline.stages.load import Sources
    from pipeline.translate import LanguageTranslation, Memory

# pipeline.translate (markup placement, sentence splitting) is imported by the functions
# that translate: an up-to-date build only runs check_engine.


@dataclass(frozen=True)
class Translated:
    """One language's machine output and what it cost."""

    result: LanguageTranslation
    model_loads: int
    seconds: float


@runtime_checkable
class ManyLanguages(Protocol):
    """An engine that also translates several target languages in one call."""

    def translate_many(
        self, requests: Sequence[tuple[str, Sequence[str]]], source: str
    ) -> list[list[Translation]]:
        """Per (target, sentences) request, the translations in order."""
        ...


@runtime_checkable
class Prefetching(Protocol):
    """An engine that can start loading a language's model before it is asked to translate."""

    def prefetch(self, source: str, target: str) -> None:
        """Begin loading what translating ``source`` → ``target`` needs, in the background."""
        ...


def prefetch(engine: Callable[[], Engine], config: Config, only: Sequence[str]) -> None:
    """On a cold run (no memory yet, so every sentence is a miss) start loading the first
    language's model while the sources are read. The languages are guessed without reading
    the sources (--lang, else the project's); a wrong guess costs one unused load."""
    if config.memory_path.exists():
        return  # the memory may know everything: no model may be needed at all
    targets = target_languages(config, (), only)
    instance = engine()
    if targets and isinstance(instance, Prefetching):
        instance.prefetch(SOURCE_LANGUAGE, targets[0])


def check_engine(engine: Engine, languages: Sequence[str]) -> None:
    """Fail before any work when a language has no model (or no server)."""
    for lang in languages:
        engine.check(SOURCE_LANGUAGE, lang)


def translate_all(
    engine: Engine,
    memory: Memory | None,
    sources: Sources,
    say: Callable[[str], None],
    every: bool = False,
) -> dict[str, Translated]:
    """Every target language of ``sources``, in order; ``every``: approved units too."""
    from pipeline.translate import translate_language

    wanted = {lang: _wanted(sources, lang, every) for lang in sources.languages}
    if isinstance(engine, ManyLanguages) and len(sources.languages) > 1:
        return _all_at_once(engine, memory, sources, wanted, say)
    done: dict[str, Translated] = {}
    try:
        for lang in sources.languages:
            say(f"translating {lang}")
            started = time.monotonic()
            loads_before = engine.stats().model_loads
            result = translate_language(
                sources.docs,
                lang,
                engine,
                memory=memory,
                wanted=wanted[lang],
                glossary=sources.glossary,
            )
            engine.release()
            loads = engine.stats().model_loads - loads_before
            done[lang] = Translated(result, loads, time.monotonic() - started)
    finally:
        engine.release()
    return done


def _wanted(sources: Sources, lang: str, every: bool) -> Callable[[str, Unit], bool]:
    from pipeline.catalog import reviewed_units

    reviewed = {
        seg.document.slug: reviewed_units(sources.catalog(lang, seg.document.slug), seg.units)
        for seg in sources.docs
        if not every
    }
    return _not_in(reviewed)


def _not_in(reviewed: Mapping[str, set[str]]) -> Callable[[str, Unit], bool]:
    return lambda slug, unit: unit.id not in reviewed.get(slug, set())


def _all_at_once(
    engine: Engine,
    memory: Memory | None,
    sources: Sources,
    wanted: Mapping[str, Callable[[str, Unit], bool]],
    say: Callable[[str], None],
) -> dict[str, Translated]:
    """Collect each language's memory misses, translate them in one call, then assemble.

    A language's seconds are its own passes plus its share (by texts) of the shared call.
    """
    from pipeline.translate import memory_misses, translate_language

    assert isinstance(engine, ManyLanguages)
    started: dict[str, float] = {}
    misses: dict[str, list[str]] = {}
    for lang in sources.languages:
        began = time.monotonic()
        identity = engine.identity(SOURCE_LANGUAGE, lang)
        misses[lang] = memory_misses(
            sources.docs, lang, identity, memory, wanted[lang], sources.glossary
        )
        started[lang] = time.monotonic() - began
    say(f"translating {', '.join(sources.languages)}")
    began = time.monotonic()
    requests = [(lang, texts) for lang, texts in misses.items() if texts]
    answers = engine.translate_many(requests, SOURCE_LANGUAGE) if requests else []
    shared = time.monotonic() - began
    fresh = {
        lang: dict(zip(texts, answer, strict=True))
        for (lang, texts), answer in zip(requests, answers, strict=True)
    }
    total = sum(len(texts) for texts in misses.values()) or 1
    done: dict[str, Translated] = {}
    for lang in sources.languages:
        began = time.monotonic()
        result = translate_language(
            sources.docs,
            lang,
            _Answered(engine, fresh.get(lang, {})),
            memory=memory,
            wanted=wanted[lang],
            glossary=sources.glossary,
        )
        own = started[lang] + time.monotonic() - began
        done[lang] = Translated(result, 0, own + shared * len(misses[lang]) / total)
    return done


class _Answered:
    """Stands in for the engine in the assembling pass: answers from the shared call."""

    def __init__(self, engine: Engine, answers: Mapping[str, Translation]) -> None:
        self.engine = engine
        self.name = engine.name
        self.notice = engine.notice
        self.cacheable = engine.cacheable
        self.answers = answers

    def identity(self, source: str, target: str) -> str:
        """The real engine's identity (the memory is keyed on it)."""
        return self.engine.identity(source, target)

    def check(self, source: str, target: str) -> None:
        """The real engine's check."""
        self.engine.check(source, target)

    def probe(self, source: str, targets: Sequence[str]) -> list[Probe]:
        """The real engine's probe."""
        return self.engine.probe(source, targets)

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        """The shared call's translations of ``sentences`` (a pool has no alignments)."""
        return [self.answers[text] for text in sentences]

    def release(self) -> None:
        """Nothing is loaded here."""

    def stats(self) -> EngineStats:
        """The real engine's statistics."""
        return self.engine.stats()
