"""Units of every document → translated units for one language.

Sentences of all documents are collected, de-duplicated, looked up in the translation memory
and sent to the engine in one batched call; the markup is then restored sentence by sentence
and the sentences joined back into units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.engines import Engine, Translation
from pipeline.glossary import Glossary
from pipeline.inline import TagError, check_against
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.protect import Protected, engine_inputs, protect, restore
from pipeline.segment import Segmented, Unit
from pipeline.sentences import join_sentences, split_unit


class Memory(Protocol):
    """What the translation stage needs from a translation memory."""

    def lookup(self, identity: str, target: str, texts: Sequence[str]) -> dict[str, Translation]:
        """Known translations of ``texts`` by this model."""
        ...

    def store(self, identity: str, target: str, pairs: dict[str, Translation]) -> None:
        """Remember new translations."""
        ...


@dataclass
class UnitTranslation:
    """A unit in one language, with what the engine and the markup restoration reported."""

    unit_id: str
    text: str  # tagged
    score: float | None = None
    findings: list[str] = field(default_factory=list)


@dataclass
class LanguageTranslation:
    """All documents' units in one language."""

    lang: str
    identity: str
    units: dict[str, dict[str, UnitTranslation]]  # slug → unit id → translation
    sentences: int = 0  # distinct texts needed
    engine_texts: int = 0  # texts sent to the engine (memory misses)
    memory_hits: int = 0
    spans_placed: int = 0
    spans_fallback: int = 0
    span_methods: dict[str, int] = field(default_factory=dict)  # protect.METHODS → spans
    engine_calls: int = 0  # engine.translate calls (0 when the memory knew everything)
    engine_units: list[str] = field(default_factory=list)  # "slug/unit" needing engine output


def translate_language(
    docs: Sequence[Segmented],
    lang: str,
    engine: Engine,
    memory: Memory | None = None,
    wanted: Callable[[str, Unit], bool] | None = None,
    glossary: Glossary | None = None,
) -> LanguageTranslation:
    """Translate the units of ``docs`` into ``lang``; ``wanted(slug, unit)`` may skip units.

    ``glossary`` terms are protected from the engine and restored kept or translated.
    """
    identity = engine.identity(SOURCE_LANGUAGE, lang)
    terms = glossary.for_language(lang) if glossary else None
    plan: list[tuple[str, Unit, list[Protected]]] = []
    texts: dict[str, None] = {}
    for seg in docs:
        for unit in seg.units:
            if not unit.translatable or (wanted and not wanted(seg.document.slug, unit)):
                continue
            # Glossary terms become placeholders, so the engine (and the memory, keyed on
            # engine input) never sees them: a glossary edit takes effect at restore time.
            protected = [protect(s, terms) for s in split_unit(unit.text)]
            plan.append((seg.document.slug, unit, protected))
            for item in protected:
                texts.update(dict.fromkeys(engine_inputs(item)))
    needed = list(texts)
    known = memory.lookup(identity, lang, needed) if memory else {}
    missing = [t for t in needed if t not in known]
    fresh: dict[str, Translation] = {}
    if missing:
        fresh = dict(zip(missing, engine.translate(missing, SOURCE_LANGUAGE, lang), strict=True))
        if memory:
            memory.store(identity, lang, fresh)
    done = {**known, **fresh}

    result = LanguageTranslation(
        lang,
        identity,
        {seg.document.slug: {} for seg in docs},
        len(needed),
        len(missing),
        len(needed) - len(missing),
    )
    for seg in docs:
        for unit in seg.units:
            if not unit.translatable:
                result.units[seg.document.slug][unit.id] = UnitTranslation(unit.id, unit.text)
    result.engine_calls = 1 if missing else 0
    for slug, unit, protected in plan:
        if any(t in fresh for item in protected for t in engine_inputs(item)):
            result.engine_units.append(f"{slug}/{unit.id}")
        sentences: list[str] = []
        findings: list[str] = []
        scores: list[float] = []
        for item in protected:
            whole = done[item.text]
            parts = [done[s.text].text for s in item.spans]
            restored = restore(item, whole.text, parts, whole.alignment)
            sentences.append(restored.text)
            findings.extend(restored.findings)
            result.spans_placed += restored.placed
            result.spans_fallback += restored.fallback
            for method, count in restored.methods.items():
                result.span_methods[method] = result.span_methods.get(method, 0) + count
            if whole.score is not None:
                scores.append(whole.score)
        text = join_sentences(sentences, lang)
        try:
            check_against(unit.text, text)
        except TagError as err:  # pragma: no cover - restore() guarantees balanced tags
            raise AssertionError(f"{slug}/{unit.id}: restored markup is broken: {err}") from err
        result.units[slug][unit.id] = UnitTranslation(
            unit.id, text, min(scores) if scores else None, findings
        )
    return result
