"""Back-translation: translate the published text back to English and score it.

A reviewer reads the units that come back furthest from the English source first. For every
language whose reverse model (``lang → en``) the engine has, each unit's published text (the
reviewed translation where approved, else the machine one, as the catalogs hold it) is
translated back sentence by sentence, and scored against the English with chrF (sacrebleu's
implementation: character n-gram F-score, 0 to 100, robust to inflection and word order).
Units under the threshold become findings of the QA check ``back-translation``.

The score measures the round trip, so a weak reverse model lowers every unit alike; the
threshold is therefore absolute and low (a correct round trip of the toy models scores 80 to
100, a translation of another sentence under 30), and :func:`lowest` lists the worst units
whatever their score.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.engines import Engine
from pipeline.findings import BackScore, UnitFinding
from pipeline.inline import plain_text
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.qa import CHECKS
from pipeline.segment import Segmented
from pipeline.translate import Memory

CHECK_ID = "back-translation"
#: chrF under which a unit is flagged (0-100).
THRESHOLD = 50.0
# Sentence ends in any script the pipeline publishes, followed by a space.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?。！？؟۔।።፧])\s+")


@dataclass(frozen=True)
class Published:
    """One unit's English source and the translation the pages show."""

    path: str
    slug: str
    unit_id: str
    line: int | None
    english: str  # tagged
    translation: str  # tagged


@dataclass(frozen=True)
class BackTranslation:
    """A unit translated back to English, with its chrF against the source."""

    unit: Published
    lang: str
    back: str  # plain English from the reverse model
    chrf: float

    def finding(self, threshold: float = THRESHOLD) -> UnitFinding:
        """The ``back-translation`` finding for this unit."""
        severity = CHECKS[CHECK_ID][0]
        message = (
            f"translated back to English it scores chrF {self.chrf:.0f} "
            f"(under {threshold:.0f}): {self.back[:120]!r}"
        )
        u = self.unit
        return UnitFinding(
            u.path, u.slug, self.lang, u.unit_id, u.line, CHECK_ID, severity, message
        )

    def score(self, threshold: float = THRESHOLD) -> BackScore:
        """What ``build.json`` and the review pages show of this unit."""
        flagged = self.chrf < threshold
        return BackScore(self.unit.slug, self.unit.unit_id, round(self.chrf, 2), self.back, flagged)


def published_units(
    docs: Sequence[Segmented], pages: Mapping[str, Mapping[str, str]]
) -> list[Published]:
    """Units of ``docs`` the pages show translated (``pages``: slug → unit id → tagged text,
    reviewed or machine; units showing English are left out)."""
    out = []
    for seg in docs:
        texts = pages.get(seg.document.slug, {})
        for unit in seg.units:
            text = texts.get(unit.id)
            if text and unit.translatable:
                out.append(
                    Published(
                        str(seg.document.path),
                        seg.document.slug,
                        unit.id,
                        unit.line,
                        unit.text,
                        text,
                    )
                )
    return out


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END_RE.split(" ".join(text.split())) if s]


def back_translate(
    units: Sequence[Published], lang: str, engine: Engine, memory: Memory | None = None
) -> list[BackTranslation]:
    """Translate every unit back to English in one batch and score each with chrF.

    Sentences the ``memory`` knows from the same reverse model are not sent again; new ones
    are stored (keyed like forward translations: text, language pair, model identity).
    """
    from sacrebleu.metrics.chrf import CHRF

    chrf = CHRF()
    split = [_sentences(plain_text(u.translation)) for u in units]
    needed = list(dict.fromkeys(s for sentences in split for s in sentences))
    identity = engine.identity(lang, SOURCE_LANGUAGE) if memory else ""
    known = memory.lookup(identity, SOURCE_LANGUAGE, needed, source=lang) if memory else {}
    missing = [s for s in needed if s not in known]
    # No alignment: nothing is placed in the back-translation, and attention costs time.
    out = engine.translate(missing, lang, SOURCE_LANGUAGE, aligned=()) if missing else []
    fresh = dict(zip(missing, out, strict=True))
    if memory and fresh:
        memory.store(identity, SOURCE_LANGUAGE, fresh, source=lang)
    done = {**known, **fresh}
    results = []
    for unit, sentences in zip(units, split, strict=True):
        back = " ".join(done[s].text for s in sentences)
        english = " ".join(plain_text(unit.english).split())
        score = float(chrf.sentence_score(back, [english]).score)
        results.append(BackTranslation(unit, lang, back, score))
    return results


def lowest(results: Sequence[BackTranslation], limit: int = 10) -> list[BackTranslation]:
    """The ``limit`` units that came back furthest from the English, worst first."""
    return sorted(results, key=lambda r: (r.chrf, r.unit.slug, r.unit.unit_id))[:limit]
