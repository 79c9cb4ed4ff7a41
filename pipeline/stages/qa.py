"""Stage 4, QA: every check on the text each page shows, with where it was found.

Checks run on what the pages show (reviewed text, else machine text). Units that still
show English because nothing translated them yet, and reviews whose tags do not match the
English (the page then shows other text), are findings too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pipeline.catalog import MISSING, REJECTED
from pipeline.derived import Store, derived_key
from pipeline.findings import Finding, LowScore, Severity, UnitFinding
from pipeline.glossary import Glossary, Terms
from pipeline.qa import check_pair, restore_findings
from pipeline.segment import Segmented
from pipeline.stages.merge import LanguageCatalogs

NOT_TRANSLATED = Finding("not-translated", Severity.ERROR, "not translated yet")
#: The kind of derived result (see :mod:`pipeline.derived`) a unit's checks are kept as.
CHECKED = "checked"


def rejected_review(status: str) -> bool:
    """True when a reviewed text cannot be shown (its tags do not match the English)."""
    return status == REJECTED


def check_language(
    docs: Sequence[Segmented],
    catalogs: LanguageCatalogs,
    glossary: Glossary,
    store: Store | None = None,
) -> list[UnitFinding]:
    """Every finding for one language, in document and unit order.

    With a ``store``, the checks of a text checked before (same English, translation,
    language, glossary terms and code) are taken from it rather than run again.
    """
    lang = catalogs.lang
    terms = glossary.for_language(lang)
    shown = [
        (seg, unit, done)
        for seg in docs
        for unit in seg.units
        if (done := catalogs.units.get(seg.document.slug, {}).get(unit.id)) is not None
        and unit.translatable
    ]
    checks = _checks([(unit.text, done.text) for _, unit, done in shown], lang, terms, store)
    result: list[UnitFinding] = []
    for (seg, unit, done), checked in zip(shown, checks, strict=True):
        slug = seg.document.slug
        merged = catalogs.documents[slug].merged if slug in catalogs.documents else None
        choice = merged.choices.get(unit.id) if merged else None
        findings = restore_findings(done.findings) + checked
        if choice is not None and choice.status == MISSING:
            findings = [NOT_TRANSLATED]
        elif choice is not None and rejected_review(choice.status):
            where = f"{catalogs.documents[slug].display}:{choice.line}"
            findings.insert(0, _rejected(where, choice.problem))
        result.extend(
            UnitFinding(str(seg.document.path), slug, lang, unit.id, unit.line, *_fields(f))
            for f in findings
        )
    return result


def _checks(
    pairs: Sequence[tuple[str, str]], lang: str, terms: Terms, store: Store | None
) -> list[list[Finding]]:
    """:func:`check_pair` of each (English, translation), kept ones from ``store``."""
    if store is None:
        return [check_pair(english, text, lang, terms) for english, text in pairs]
    glossary = repr(terms)  # once: it is part of every unit's key
    keys = [derived_key(CHECKED, lang, english, text, glossary) for english, text in pairs]
    kept = store.recall(CHECKED, keys)
    new: dict[str, str] = {}
    result: list[list[Finding]] = []
    for (english, text), key in zip(pairs, keys, strict=True):
        findings = _load(kept[key]) if key in kept else None
        if findings is None:
            findings = check_pair(english, text, lang, terms)
            new[key] = json.dumps([[f.id, f.severity.value, f.message] for f in findings])
        result.append(findings)
    if new:
        store.keep(CHECKED, new)
    return result


def _load(raw: str) -> list[Finding] | None:
    try:
        return [Finding(str(i), Severity(s), str(m)) for i, s, m in json.loads(raw)]
    except (ValueError, TypeError):
        return None


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
