"""The fingerprint of a run (:mod:`pipeline.fingerprint`): the engine's model identities and
the memory's counts joined to the inputs, for the up-to-date shortcut."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.engines import Engine
from pipeline.fingerprint import SourceInput, fingerprint
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.stages.recall import MemoryRecord

if TYPE_CHECKING:
    from pipeline.memory import TranslationMemory
    from pipeline.stages.load import Sources


def identities(engine: Engine, languages: Sequence[str]) -> dict[str, str]:
    """Per target language, the identity of the model that translates into it."""
    return {lang: engine.identity(SOURCE_LANGUAGE, lang) for lang in languages}


def memory_counts(
    memory: TranslationMemory, engine: Engine, languages: Sequence[str]
) -> dict[str, int]:
    """How many translations ``memory`` holds per model identity of ``languages``."""
    wanted = sorted(set(identities(engine, languages).values()))
    return {identity: memory.count(identity) for identity in wanted}


def counts_now(
    config: Config, engine: Engine, languages: Sequence[str], recorded: MemoryRecord | None
) -> dict[str, int]:
    """The memory's counts (:func:`memory_counts`): the recorded ones while its files are
    untouched since, else SQLite's."""
    wanted = sorted(set(identities(engine, languages).values()))
    counts = recorded.counts_for(config.memory_path, wanted) if recorded else None
    if counts is None:  # changed since, or unusable then: ask it
        from pipeline.memory import TranslationMemory

        with TranslationMemory(config.memory_path) as memory:
            counts = memory_counts(memory, engine, languages)
    return counts


def of_sources(
    config: Config, engine: Engine, memory: TranslationMemory, sources: Sources
) -> tuple[str, dict[str, int]]:
    """The fingerprint of a run over ``sources`` (read in full), and the memory's counts."""
    inputs = [SourceInput(s.document.path, s.document.digest, s.assets) for s in sources.docs]
    counts = memory_counts(memory, engine, sources.languages)
    return stamp(config, engine, (inputs, sources.languages), counts), counts


def stamp(
    config: Config,
    engine: Engine,
    sources: tuple[Sequence[SourceInput], Sequence[str]],
    counts: Mapping[str, int],
) -> str:
    """The fingerprint of a build of ``sources`` (inputs, target languages); ``counts``: the
    memory's translations per model identity (:func:`memory_counts`)."""
    inputs, languages = sources
    models = identities(engine, languages)
    by_language = {lang: counts[identity] for lang, identity in models.items()}
    if config.back_translation:
        from pipeline.stages.backtranslate import reverse_identities

        models.update(reverse_identities(engine, languages))
    return fingerprint(config, inputs, languages, models, by_language)
