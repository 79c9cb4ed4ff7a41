"""Stage 4b, back-translation: what the pages show, translated back to English and scored.

Runs after the merge, in ``build`` when ``back_translation`` is on and in
``check --back-translation``. Per language whose reverse model (``lang → en``) the engine
has, every unit the pages show translated is sent back (:mod:`pipeline.backtranslate`);
units under the threshold become ``back-translation`` warnings, and every score goes to
``build.json`` and the review pages. A language without a reverse model is a warning, never
a failure; languages that fail for the same reason (an engine with no reverse direction at
all) share one warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.backtranslate import THRESHOLD, back_translate, published_units
from pipeline.engines import Engine
from pipeline.errors import PipelineError
from pipeline.findings import BackScore, UnitFinding
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.manifest import BackTranslationEntry
from pipeline.segment import Segmented
from pipeline.stages.merge import LanguageCatalogs
from pipeline.translate import Memory

#: How many of each language's units furthest from the English ``build.json`` lists.
LOWEST_LIMIT = 10


@dataclass(frozen=True)
class LanguageBack:
    """One language translated back: the reverse model, every scored unit, the findings."""

    lang: str
    model: str  # the reverse model's identity
    scores: tuple[BackScore, ...]  # document and unit order
    findings: tuple[UnitFinding, ...]

    def lowest(self, limit: int = 10) -> list[BackScore]:
        """The ``limit`` units that came back furthest from the English, worst first."""
        return sorted(self.scores, key=lambda s: (s.chrf, s.slug, s.unit_id))[:limit]


@dataclass
class BackTranslated:
    """Every language that could be translated back, and why the others could not."""

    languages: dict[str, LanguageBack] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    threshold: float = THRESHOLD

    @property
    def findings(self) -> list[UnitFinding]:
        """The ``back-translation`` findings of every language."""
        return [f for back in self.languages.values() for f in back.findings]

    def scores(self, lang: str) -> tuple[BackScore, ...] | None:
        """Every scored unit of ``lang`` (None: that language was not translated back)."""
        back = self.languages.get(lang)
        return back.scores if back else None

    def manifest(self, limit: int = LOWEST_LIMIT) -> dict[str, BackTranslationEntry]:
        """The ``back_translation`` section of ``build.json``."""
        return {
            lang: BackTranslationEntry(
                back.model,
                self.threshold,
                len(back.scores),
                sum(1 for s in back.scores if s.flagged),
                tuple(back.lowest(limit)),
            )
            for lang, back in sorted(self.languages.items())
        }

    def flagged(self) -> dict[str, dict[str, int]]:
        """Language → document → flagged units, for the review index."""
        counts: dict[str, dict[str, int]] = {}
        for lang, back in self.languages.items():
            by_slug = counts.setdefault(lang, {})
            for score in back.scores:
                by_slug[score.slug] = by_slug.get(score.slug, 0) + int(score.flagged)
        return counts


def _pages(catalogs: LanguageCatalogs) -> dict[str, dict[str, str]]:
    """slug → unit id → the text the page shows, for units showing a translation."""
    return {
        slug: {uid: c.text for uid, c in doc.merged.choices.items() if c.shown != "english"}
        for slug, doc in catalogs.documents.items()
    }


def back_translate_all(
    engine: Engine,
    memory: Memory | None,
    docs: Sequence[Segmented],
    catalogs: Mapping[str, LanguageCatalogs],
    say: Callable[[str], None] = lambda message: None,
    threshold: float = THRESHOLD,
) -> BackTranslated:
    """Translate each language of ``catalogs`` back to English where the engine can."""
    done = BackTranslated(threshold=threshold)
    unable: dict[str, list[str]] = {}  # reason → languages
    try:
        for lang, language in catalogs.items():
            try:
                engine.check(lang, SOURCE_LANGUAGE)
                model = engine.identity(lang, SOURCE_LANGUAGE)
            except PipelineError as err:
                unable.setdefault(err.message.splitlines()[0], []).append(lang)
                continue
            say(f"translating {lang} back to English")
            units = published_units(docs, _pages(language))
            results = back_translate(units, lang, engine, memory) if units else []
            engine.release()
            done.languages[lang] = LanguageBack(
                lang,
                model,
                tuple(r.score(threshold) for r in results),
                tuple(r.finding(threshold) for r in results if r.chrf < threshold),
            )
    finally:
        engine.release()
    done.warnings = [
        f"no back-translation for {', '.join(langs)}: {reason}" for reason, langs in unable.items()
    ]
    return done


def reverse_identities(engine: Engine, languages: Sequence[str]) -> dict[str, str]:
    """``lang>en`` → the reverse model's identity ("" where there is none), so installing or
    changing a reverse model rebuilds (see :mod:`pipeline.fingerprint`)."""
    found = {}
    for lang in languages:
        try:
            engine.check(lang, SOURCE_LANGUAGE)
            identity = engine.identity(lang, SOURCE_LANGUAGE)
        except PipelineError:
            identity = ""
        found[f"{lang}>{SOURCE_LANGUAGE}"] = identity
    return found
