"""Units of every document → translated units for one language.

Sentences of all documents are collected, de-duplicated, looked up in the translation memory
and sent to the engine in one batched call; the markup is then restored sentence by sentence
and the sentences joined back into units.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.engines import Engine, Translation
from pipeline.glossary import Glossary, Terms
from pipeline.inline import TagError, check_against, escape, unescape
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.protect import PLACEHOLDER_RE, Protected, engine_inputs, protect, restore
from pipeline.segment import Segmented, Unit
from pipeline.sentences import join_sentences, split_unit

log = logging.getLogger(__name__)
# Any tag (kept if void, dropped if paired) or a run of text, for the positional fallback.
_ANY_TAG_RE = re.compile(r"<(?P<void>[a-z]+\d*)/>|</?[a-z]+\d*>|(?P<text>[^<]+|<)")


class Memory(Protocol):
    """What the translation stage needs from a translation memory."""

    def lookup(
        self, identity: str, target: str, texts: Sequence[str], source: str = SOURCE_LANGUAGE
    ) -> dict[str, Translation]:
        """Known translations of ``texts`` by this model (``source`` → ``target``)."""
        ...

    def store(
        self,
        identity: str,
        target: str,
        pairs: dict[str, Translation],
        source: str = SOURCE_LANGUAGE,
    ) -> None:
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
    plan, needed = _plan(docs, wanted, terms)
    known = memory.lookup(identity, lang, needed) if memory else {}
    missing = [t for t in needed if t not in known]
    fresh: dict[str, Translation] = {}
    if missing:
        # Attention only where a sentence has markup spans to place (it costs decoding time).
        with_spans = {item.text for _, _, protected in plan for item in protected if item.spans}
        aligned = [i for i, text in enumerate(missing) if text in with_spans]
        out = engine.translate(missing, SOURCE_LANGUAGE, lang, aligned=aligned)
        fresh = dict(zip(missing, out, strict=True))
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
        result.units[slug][unit.id] = _restore_unit(unit, protected, done, lang, terms, result)
    return result


Plan = list[tuple[str, Unit, list[Protected]]]  # (slug, unit, its protected sentences)


def _plan(
    docs: Sequence[Segmented], wanted: Callable[[str, Unit], bool] | None, terms: Terms | None
) -> tuple[Plan, list[str]]:
    """The units to translate with their protected sentences, and the distinct engine inputs."""
    plan: Plan = []
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
    return plan, list(texts)


def memory_misses(
    docs: Sequence[Segmented],
    lang: str,
    identity: str,
    memory: Memory | None = None,
    wanted: Callable[[str, Unit], bool] | None = None,
    glossary: Glossary | None = None,
) -> list[str]:
    """The engine inputs :func:`translate_language` would send (what the memory lacks)."""
    _, needed = _plan(docs, wanted, glossary.for_language(lang) if glossary else None)
    known = memory.lookup(identity, lang, needed) if memory else {}
    return [t for t in needed if t not in known]


def _restore_unit(
    unit: Unit,
    protected: list[Protected],
    done: dict[str, Translation],
    lang: str,
    terms: Terms | None,
    result: LanguageTranslation,
) -> UnitTranslation:
    """The unit's sentences with their markup back; never raises on what an engine returned.

    When the tags cannot be put back well formed, the unit falls back (see
    :func:`_fallback`) and a ``markup-fallback`` note names it, so one unit never stops a
    build.
    """
    sentences: list[str] = []
    findings: list[str] = []
    scores: list[float] = []
    try:
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
        check_against(unit.text, text)
    except Exception as err:  # any failure here is one unit's, never the whole build's
        log.debug("%s: markup not restored", unit.id, exc_info=True)
        # Sentences not restored yet keep the engine's words (its placeholders dropped).
        rest = [
            escape(PLACEHOLDER_RE.sub(" ", done[p.text].text)) for p in protected[len(sentences) :]
        ]
        text = _fallback(unit, " ".join(sentences + rest), terms, findings)
        findings.append(f"markup-fallback:{_reason(err)}")
    return UnitTranslation(unit.id, text, min(scores) if scores else None, findings)


def _reason(err: Exception) -> str:
    return str(err) if isinstance(err, TagError) else type(err).__name__


def _fallback(unit: Unit, joined: str, terms: Terms | None, findings: list[str]) -> str:
    """The translation's words with the source markup placed by position, else the source.

    Void tags keep their place where the translation has them; paired tags go on the words
    at the same relative position.
    """
    try:
        whole = protect(unit.text, terms)
        numbers: dict[str, list[str]] = {}
        for number, name in whole.voids.items():
            numbers.setdefault(name, []).append(number)
        pieces: list[str] = []
        for match in _ANY_TAG_RE.finditer(joined):
            if match.group("void") and numbers.get(match.group("void")):
                pieces.append("{" + numbers[match.group("void")].pop(0) + "}")
            elif match.group("text"):
                pieces.append(unescape(PLACEHOLDER_RE.sub(" ", match.group("text"))))
        restored = restore(whole, "".join(pieces), [""] * len(whole.spans))
        check_against(unit.text, restored.text)
        findings.extend(restored.findings)
        return restored.text
    except Exception:  # the source text is the last resort
        log.debug("%s: positional fallback failed", unit.id, exc_info=True)
        return unit.text
