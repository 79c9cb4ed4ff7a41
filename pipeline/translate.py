"""Units of every document → translated units for one language.

Sentences of all documents are collected, de-duplicated, looked up in the translation memory
and sent to the engine in one batched call; the markup is then restored sentence by sentence
and the sentences joined back into units.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

from pipeline.derived import derived_key
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

    def recall(self, kind: str, keys: Sequence[str]) -> dict[str, str]:
        """Derived values kept under ``keys`` (see :mod:`pipeline.derived`)."""
        ...

    def keep(self, kind: str, values: dict[str, str]) -> None:
        """Keep derived values."""
        ...


@dataclass(slots=True)
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
    restored_units: int = 0  # units whose markup was restored (not kept from an earlier run)


def translate_language(
    docs: Sequence[Segmented],
    lang: str,
    engine: Engine,
    memory: Memory | None = None,
    wanted: Callable[[str, Unit], bool] | None = None,
    glossary: Glossary | None = None,
) -> LanguageTranslation:
    """Translate the units of ``docs`` into ``lang``; ``wanted(slug, unit)`` may skip units.

    ``glossary`` terms are protected from the engine and restored kept or translated. A
    unit restored before from the same translations is taken from the memory as it was.
    """
    identity = engine.identity(SOURCE_LANGUAGE, lang)
    terms = glossary.for_language(lang) if glossary else None
    plan, needed = _plan(docs, wanted, (lang, terms), memory, identity)
    known = memory.lookup(identity, lang, needed) if memory else {}
    missing = [t for t in needed if t not in known]
    fresh: dict[str, Translation] = {}
    if missing:
        # Alignments only where a sentence has markup spans to place (they cost time).
        with_spans = {text for planned in plan for text in planned.with_spans}
        aligned = [i for i, text in enumerate(missing) if text in with_spans]
        out = engine.translate(missing, SOURCE_LANGUAGE, lang, aligned=aligned)
        fresh = dict(zip(missing, out, strict=True))
        del out, with_spans
        if memory:
            memory.store(identity, lang, fresh)
    done = known  # no third dict of every translation: ``known`` is not used again
    done.update(fresh)

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
    _restore_all(plan, (done, fresh), terms, memory, result)
    return result


_Both = tuple[Mapping[str, Translation], Mapping[str, Translation]]  # (all, fresh)
_Tally = LanguageTranslation


def _restore_all(
    plan: list[_Planned], both: _Both, terms: Terms | None, memory: Memory | None, result: _Tally
) -> None:
    """Each planned unit into ``result``, its plan dropped once restored (``plan`` is emptied)
    and restorations kept in batches: memory stays flat in the number of documents."""
    done, fresh = both
    kept: dict[str, str] = {}
    plan.reverse()
    while plan:
        planned = plan.pop()
        if any(t in fresh for t in planned.inputs):
            result.engine_units.append(f"{planned.slug}/{planned.unit.id}")
        restored = _restored(planned, done, result.lang, terms, kept)
        if restored is not planned.kept:
            result.restored_units += 1
        result.units[planned.slug][planned.unit.id] = restored.add_to(result, planned.unit.id)
        if memory and kept and (len(kept) >= _KEEP_BATCH or not plan):
            memory.keep(RESTORED, kept)
            kept = {}


#: The kind of derived result (see :mod:`pipeline.derived`) a restored unit is kept as.
RESTORED = "restored"
_KEEP_BATCH = 512  # restored units kept in the memory per transaction (held until then)


@dataclass(frozen=True, slots=True)
class _Restored:
    """A unit's restored text, what restoring reported, and the inputs it came from."""

    inputs: tuple[str, ...]  # its engine inputs, in order
    with_spans: tuple[str, ...]  # those with markup spans to place (attention on a miss)
    digest: str  # of the translations of ``inputs`` it was restored from
    text: str
    score: float | None
    findings: tuple[str, ...]
    placed: int
    fallback: int
    methods: tuple[tuple[str, int], ...]

    def dump(self) -> str:
        """The JSON kept in the memory."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def load(raw: str) -> _Restored | None:
        """A kept value back (None when it does not read as one)."""
        try:
            d = json.loads(raw)
            score = d["score"]
            return _Restored(
                tuple(map(str, d["inputs"])),
                tuple(map(str, d["with_spans"])),
                str(d["digest"]),
                str(d["text"]),
                None if score is None else float(score),
                tuple(map(str, d["findings"])),
                int(d["placed"]),
                int(d["fallback"]),
                tuple((str(m), int(n)) for m, n in d["methods"]),
            )
        except (ValueError, TypeError, KeyError):
            return None

    def add_to(self, result: LanguageTranslation, unit_id: str) -> UnitTranslation:
        """Count this unit's spans in ``result``; the unit's translation."""
        result.spans_placed += self.placed
        result.spans_fallback += self.fallback
        for method, count in self.methods:
            result.span_methods[method] = result.span_methods.get(method, 0) + count
        return UnitTranslation(unit_id, self.text, self.score, list(self.findings))


@dataclass(slots=True)
class _Planned:
    """A unit to translate: its sentences as the engine sees them, or its kept restoration."""

    slug: str
    unit: Unit
    key: str  # of its restoration in the memory
    protected: list[Protected] | None  # None while a kept restoration stands for it
    kept: _Restored | None = None

    @property
    def inputs(self) -> list[str]:
        """Every engine input of the unit, in order."""
        if self.protected is None:
            assert self.kept is not None
            return list(self.kept.inputs)
        return [t for item in self.protected for t in engine_inputs(item)]

    @property
    def with_spans(self) -> list[str]:
        """The engine inputs that are sentences with spans to place."""
        if self.protected is None:
            assert self.kept is not None
            return list(self.kept.with_spans)
        return [item.text for item in self.protected if item.spans]


def _plan(
    docs: Sequence[Segmented],
    wanted: Callable[[str, Unit], bool] | None,
    target: tuple[str, Terms | None],
    memory: Memory | None,
    identity: str,
) -> tuple[list[_Planned], list[str]]:
    """The units to translate, and the distinct engine inputs (in order of first use).

    A unit with a kept restoration is not split or protected again: its kept engine inputs
    stand for it (the key covers its text, the glossary terms and the code that split it).
    """
    units = [
        (seg.document.slug, unit)
        for seg in docs
        for unit in seg.units
        if unit.translatable and not (wanted and not wanted(seg.document.slug, unit))
    ]
    lang, terms = target
    glossary = repr(terms)  # once: it is part of every unit's key
    keys = [derived_key(RESTORED, identity, lang, unit.text, glossary) for _, unit in units]
    stored = memory.recall(RESTORED, keys) if memory else {}
    plan: list[_Planned] = []
    texts: dict[str, None] = {}
    for (slug, unit), key in zip(units, keys, strict=True):
        kept = _Restored.load(stored[key]) if key in stored else None
        # Glossary terms become placeholders, so the engine (and the memory, keyed on
        # engine input) never sees them: a glossary edit takes effect at restore time.
        protected = None if kept else [protect(s, terms) for s in split_unit(unit.text)]
        planned = _Planned(slug, unit, key, protected, kept)
        plan.append(planned)
        texts.update(dict.fromkeys(planned.inputs))
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
    terms = glossary.for_language(lang) if glossary else None
    _, needed = _plan(docs, wanted, (lang, terms), memory, identity)
    known = memory.lookup(identity, lang, needed) if memory else {}
    return [t for t in needed if t not in known]


def _digest(inputs: Sequence[str], done: Mapping[str, Translation]) -> str:
    """What a unit's restoration depends on of its translations."""
    rows = [(t, done[t].text, done[t].score, done[t].alignment) for t in inputs]
    raw = json.dumps(rows, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()


def _restored(
    planned: _Planned,
    done: Mapping[str, Translation],
    lang: str,
    terms: Terms | None,
    kept: dict[str, str],
) -> _Restored:
    """The kept restoration when made from the same translations, else a new one (kept)."""
    inputs = planned.inputs
    digest = _digest(inputs, done)
    if planned.kept is not None and planned.kept.digest == digest:
        return planned.kept
    unit = planned.unit
    protected = planned.protected
    if protected is None:
        protected = [protect(s, terms) for s in split_unit(unit.text)]
    tally = LanguageTranslation(lang, "", {})
    translated = _restore_unit(unit, protected, done, lang, terms, tally)
    restored = _Restored(
        tuple(inputs),
        tuple(item.text for item in protected if item.spans),
        digest,
        translated.text,
        translated.score,
        tuple(translated.findings),
        tally.spans_placed,
        tally.spans_fallback,
        tuple(tally.span_methods.items()),
    )
    kept[planned.key] = restored.dump()
    return restored


def _restore_unit(
    unit: Unit,
    protected: list[Protected],
    done: Mapping[str, Translation],
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
