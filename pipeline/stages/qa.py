"""Stage 4, QA: every check on the text each page shows, with where it was found.

Checks run on what the pages show (reviewed text, else machine text). Units that still
show English because nothing translated them yet, and reviews whose tags do not match the
English (the page then shows other text), are findings too.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.catalog import MISSING, REJECTED
from pipeline.findings import Finding, LowScore, Severity, UnitFinding
from pipeline.glossary import Glossary, Terms
from pipeline.qa import check_pair, restore_findings
from pipeline.segment import Segmented
from pipeline.stages.merge import LanguageCatalogs

NOT_TRANSLATED = Finding("not-translated", Severity.ERROR, "not translated yet")


def rejected_review(status: str) -> bool:
    """True when a reviewed text cannot be shown (its tags do not match the English)."""
    return status == REJECTED


def check_language(
    docs: Sequence[Segmented], catalogs: LanguageCatalogs, glossary: Glossary
) -> list[UnitFinding]:
    """Every finding for one language, in document and unit order."""
    lang = catalogs.lang
    terms = glossary.for_language(lang)
    result: list[UnitFinding] = []
    for seg in docs:
        slug = seg.document.slug
        units = catalogs.units.get(slug, {})
        merged = catalogs.documents[slug].merged if slug in catalogs.documents else None
        for unit in seg.units:
            done = units.get(unit.id)
            if done is None or not unit.translatable:
                continue
            choice = merged.choices.get(unit.id) if merged else None
            findings = _unit_findings(unit.text, done.text, done.findings, lang, terms)
            if choice is not None and choice.status == MISSING:
                findings = [NOT_TRANSLATED]
            elif choice is not None and rejected_review(choice.status):
                where = f"{catalogs.documents[slug].display}:{choice.line}"
                findings.insert(0, _rejected(where, choice.problem))
            result.extend(
                UnitFinding(
                    str(seg.document.path), slug, lang, unit.id, unit.line, *_fields(f)
                )
                for f in findings
            )
    return result


def _unit_findings(
    english: str, text: str, notes: Sequence[str], lang: str, terms: Terms
) -> list[Finding]:
    return restore_findings(notes) + check_pair(english, text, lang, terms)


def _rejected(where: str, problem: str) -> Finding:
    return Finding(
        "rejected-review",
        Severity.ERROR,
        f"the reviewed translation at {where} is not shown: {problem or 'its tags differ'}",
    )


def lowest_scoring(catalogs: LanguageCatalogs, limit: int = 10) -> list[LowScore]:
    """The ``limit`` units with the lowest model score, worst first (reviewed units, which
    have no score, are left out)."""
    scored = [
        LowScore(slug, unit_id, float(done.score), done.text)
        for slug, units in catalogs.units.items()
        for unit_id, done in units.items()
        if done.score is not None
    ]
    scored.sort(key=lambda low: (low.score, low.slug, low.unit_id))
    return scored[:limit]


def _fields(finding: Finding) -> tuple[str, Severity, str]:
    return finding.id, finding.severity, finding.message
