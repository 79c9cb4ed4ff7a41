"""Stage 2, translate: per language, memory first, then one batched engine call for the rest.

Approved, well-formed units need no machine output, so they are not sent. One language's
model is resident at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.catalog import reviewed_units
from pipeline.engines import Engine
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.segment import Unit
from pipeline.stages.load import Sources
from pipeline.translate import LanguageTranslation, Memory, translate_language


@dataclass(frozen=True)
class Translated:
    """One language's machine output and what it cost."""

    result: LanguageTranslation
    model_loads: int
    seconds: float


def check_engine(engine: Engine, sources: Sources) -> None:
    """Fail before any work when a language has no model (or no server)."""
    for lang in sources.languages:
        engine.check(SOURCE_LANGUAGE, lang)


def translate_all(
    engine: Engine,
    memory: Memory | None,
    sources: Sources,
    say: Callable[[str], None],
    every: bool = False,
) -> dict[str, Translated]:
    """Every target language of ``sources``, in order; ``every``: approved units too."""
    done: dict[str, Translated] = {}
    try:
        for lang in sources.languages:
            say(f"translating {lang}")
            started = time.monotonic()
            loads_before = engine.stats().model_loads
            reviewed = {
                seg.document.slug: reviewed_units(
                    sources.catalog(lang, seg.document.slug), seg.units
                )
                for seg in sources.docs
                if not every
            }
            result = translate_language(
                sources.docs,
                lang,
                engine,
                memory=memory,
                wanted=_not_in(reviewed),
                glossary=sources.glossary,
            )
            engine.release()
            loads = engine.stats().model_loads - loads_before
            done[lang] = Translated(result, loads, time.monotonic() - started)
    finally:
        engine.release()
    return done


def _not_in(reviewed: Mapping[str, set[str]]) -> Callable[[str, Unit], bool]:
    return lambda slug, unit: unit.id not in reviewed.get(slug, set())
