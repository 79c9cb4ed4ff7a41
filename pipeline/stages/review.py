"""Review pages: ``output/review/<lang>/<slug>.html`` and their JSON twins.

English beside the translation, each unit's status and QA findings, newest changes first,
after a list of the units the model was least sure of. With back-translation on, each row
also shows its text translated back to English with its chrF, flagged rows are marked, and
the units that came back furthest are listed first. The JSON twin is what
``diff --dirs`` compares.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Protocol

from markupsafe import Markup

from pipeline.backtranslate import THRESHOLD
from pipeline.catalog import DRAFT, STALE, STATUSES, Choice
from pipeline.findings import BackScore, LowScore, UnitFinding
from pipeline.languages import get_language
from pipeline.output import OutputWriter
from pipeline.render import Renderer
from pipeline.segment import Segmented
from pipeline.stages.merge import DocumentCatalog
from pipeline.stages.qa import rejected_review
from pipeline.worddiff import html_diff

REVIEW_DIR = "review"
#: How many of the units that came back furthest from the English a review page lists first.
FURTHEST_LIMIT = 10


class ChangeLog(Protocol):
    """What remembers, per unit, when its catalog entry last changed (the memory)."""

    def record_changes(self, lang: str, slug: str, digests: dict[str, str]) -> dict[str, int]:
        """Record the units' digests; return each unit's change number."""
        ...


@dataclass(frozen=True)
class ReviewRow:
    """One unit on a review page."""

    id: str
    status: str
    shown: str
    change: int
    english: str
    text: str
    reviewed: str
    previous_english: str
    problem: str = ""  # rejected reviews: why the page cannot show them
    findings: tuple[str, ...] = ()
    back: BackScore | None = None  # the page text translated back (when that ran)

    @property
    def css_class(self) -> str:
        """The row's class: its status, and ``back-flagged`` when it came back far."""
        return f"{self.status} back-flagged" if self.back and self.back.flagged else self.status

    @property
    def label(self) -> str:
        """The status as a reviewer reads it."""
        if rejected_review(self.status):
            return f"rejected: {self.problem} (the page shows other text)"
        if self.status == DRAFT:
            return "draft (not on the page until approved)"
        if self.status == STALE:
            shown = "previous review" if self.shown == "previous-review" else "machine"
            return f"{self.status} (page: {shown})"
        return self.status

    @property
    def english_diff(self) -> Markup:
        """The English the reviewer translated → today's English."""
        return html_diff(self.previous_english, self.english)


_ROW_FIELDS = fields(ReviewRow)


def _digest(choice: Choice) -> str:
    raw = "\0".join((choice.status, choice.english, choice.text, choice.reviewed))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def review_rows(
    seg: Segmented,
    doc: DocumentCatalog,
    changes: Mapping[str, int],
    findings: Sequence[UnitFinding],
    back: Sequence[BackScore] = (),
) -> list[ReviewRow]:
    """One row per unit, newest change first (then document order)."""
    order = {unit.id: i for i, unit in enumerate(seg.units)}
    scores = {score.unit_id: score for score in back if score.slug == doc.slug}
    notes: dict[str, list[str]] = {}
    for f in findings:
        if f.slug == doc.slug:
            notes.setdefault(f.unit_id, []).append(f"{f.severity} [{f.id}] {f.message}")
    rows = [
        ReviewRow(
            uid, str(c.status), c.shown, changes.get(uid, 0), c.english, c.text,
            c.reviewed, c.previous_english, c.problem, tuple(notes.get(uid, ())),
            scores.get(uid),
        )
        for uid, c in doc.merged.choices.items()
    ]
    rows.sort(key=lambda r: (-r.change, order.get(r.id, 0)))
    return rows


def review_json(
    lang: str,
    slug: str,
    rows: Sequence[ReviewRow],
    low: Sequence[LowScore],
    back: Sequence[BackScore] | None = None,
) -> str:
    """The machine-readable twin of a review page (``back``: the lowest back-translations,
    None when back-translation did not run)."""
    units = []
    for row in rows:
        # The fields as they are (asdict's deep copy of every string costs more).
        unit: dict[str, object] = {f.name: getattr(row, f.name) for f in _ROW_FIELDS}
        if row.back is None:
            del unit["back"]  # not computed: the twin stays as without back-translation
        else:
            unit["back"] = asdict(row.back)
        units.append(unit)
    data: dict[str, object] = {
        "lang": lang,
        "document": slug,
        "units": units,
        "lowest_confidence": [
            {"id": item.unit_id, "score": round(item.score, 4)} for item in low
        ],
    }
    if back is not None:
        data["lowest_back_translation"] = [
            {"id": item.unit_id, "chrf": item.chrf, "flagged": item.flagged} for item in back
        ]
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_review_pages(
    seg: Segmented,
    doc: DocumentCatalog,
    lang: str,
    changes: ChangeLog,
    findings: Sequence[UnitFinding],
    low: Sequence[LowScore],
    renderer: Renderer,
    writer: OutputWriter,
    back: Sequence[BackScore] | None = None,
) -> None:
    """Write one document's review page and JSON twin in ``lang``.

    ``back``: the language's back-translation scores (None: back-translation did not run).
    """
    digests = {uid: _digest(choice) for uid, choice in doc.merged.choices.items()}
    changes_of = changes.record_changes(lang, doc.slug, digests)
    rows = review_rows(seg, doc, changes_of, findings, back or ())
    mine = [item for item in low if item.slug == doc.slug]
    far = _furthest(back, doc.slug)
    language = get_language(lang)
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    page = renderer.render(
        "review.html",
        {
            "title": f"Review: {seg.document.title} ({language.english_name})",
            "summary": ", ".join(f"{n} {status}" for status, n in counts.items()),
            "catalog": doc.display,
            "language": language,
            "rows": rows,
            "low": mine,
            "back": far,
            "threshold": f"{THRESHOLD:.0f}",
            "flagged": sum(1 for row in rows if row.back and row.back.flagged),
        },
    )
    twin = review_json(lang, doc.slug, rows, mine, far)
    base = f"{REVIEW_DIR}/{lang}/{doc.slug}"
    writer.write_many([(f"{base}.html", page), (f"{base}.json", twin)])


def _furthest(
    back: Sequence[BackScore] | None, slug: str, limit: int = FURTHEST_LIMIT
) -> list[BackScore] | None:
    """This document's units that came back furthest from the English, worst first."""
    if back is None:
        return None
    mine = sorted((s for s in back if s.slug == slug), key=lambda s: (s.chrf, s.unit_id))
    return mine[:limit]


@dataclass(frozen=True)
class ReviewIndexRow:
    """One language and document on the review index."""

    lang: str
    tag: str
    name: str
    title: str
    href: str
    counts: Mapping[str, int]
    flagged: int | None = None  # units flagged by back-translation (None: it did not run)


def _flagged(flagged: Mapping[str, Mapping[str, int]] | None, lang: str, slug: str) -> int | None:
    """A review index cell: flagged units, or None where no back-translation was made."""
    if flagged is None or lang not in flagged:
        return None
    return flagged[lang].get(slug, 0)


def write_review_index(
    docs: Sequence[Segmented],
    counts: Mapping[str, Mapping[str, Mapping[str, int]]],
    renderer: Renderer,
    writer: OutputWriter,
    flagged: Mapping[str, Mapping[str, int]] | None = None,
) -> str:
    """``review/index.html``: every language's review page of every document, with its
    status counts (``counts``: language → slug → status → units) and, when back-translation
    ran, its flagged units (``flagged``: language → slug → units). Returns its path."""
    rows = []
    for lang, by_slug in counts.items():
        language = get_language(lang)
        for seg in docs:
            slug = seg.document.slug
            rows.append(
                ReviewIndexRow(
                    lang, language.tag, language.english_name, seg.document.title,
                    f"{lang}/{slug}.html", by_slug.get(slug, {}),
                    _flagged(flagged, lang, slug),
                )
            )
    context = {
        "title": "Review pages",
        "rows": rows,
        "statuses": STATUSES,
        "back": flagged is not None,
        "threshold": f"{THRESHOLD:.0f}",
    }
    page = renderer.render("review-index.html", context)
    relative = f"{REVIEW_DIR}/index.html"
    writer.write(relative, page)
    return relative
