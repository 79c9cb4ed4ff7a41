"""Review pages: ``output/review/<lang>/<slug>.html`` and their JSON twins.

English beside the translation, each unit's status and QA findings, newest changes first,
after a list of the units the model was least sure of. The JSON twin is what
``diff --dirs`` compares.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Protocol

from markupsafe import Markup

from pipeline.catalog import DRAFT, STALE, STATUSES, Choice
from pipeline.findings import LowScore, UnitFinding
from pipeline.languages import get_language
from pipeline.output import OutputWriter
from pipeline.render import Renderer
from pipeline.segment import Segmented
from pipeline.stages.merge import DocumentCatalog
from pipeline.stages.qa import rejected_review
from pipeline.worddiff import html_diff

REVIEW_DIR = "review"


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

    @property
    def css_class(self) -> str:
        """The row's class: its status."""
        return self.status

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
) -> list[ReviewRow]:
    """One row per unit, newest change first (then document order)."""
    order = {unit.id: i for i, unit in enumerate(seg.units)}
    notes: dict[str, list[str]] = {}
    for f in findings:
        if f.slug == doc.slug:
            notes.setdefault(f.unit_id, []).append(f"{f.severity} [{f.id}] {f.message}")
    rows = [
        ReviewRow(
            uid, str(c.status), c.shown, changes.get(uid, 0), c.english, c.text,
            c.reviewed, c.previous_english, c.problem, tuple(notes.get(uid, ())),
        )
        for uid, c in doc.merged.choices.items()
    ]
    rows.sort(key=lambda r: (-r.change, order.get(r.id, 0)))
    return rows


def review_json(lang: str, slug: str, rows: Sequence[ReviewRow], low: Sequence[LowScore]) -> str:
    """The machine-readable twin of a review page."""
    data = {
        "lang": lang,
        "document": slug,
        # Flat rows of strings: their fields as they are (asdict's deep copy costs more).
        "units": [{f.name: getattr(row, f.name) for f in _ROW_FIELDS} for row in rows],
        "lowest_confidence": [
            {"id": item.unit_id, "score": round(item.score, 4)} for item in low
        ],
    }
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
) -> None:
    """Write one document's review page and JSON twin in ``lang``."""
    digests = {uid: _digest(choice) for uid, choice in doc.merged.choices.items()}
    rows = review_rows(seg, doc, changes.record_changes(lang, doc.slug, digests), findings)
    mine = [item for item in low if item.slug == doc.slug]
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
        },
    )
    writer.write(f"{REVIEW_DIR}/{lang}/{doc.slug}.html", page)
    writer.write(f"{REVIEW_DIR}/{lang}/{doc.slug}.json", review_json(lang, doc.slug, rows, mine))


@dataclass(frozen=True)
class ReviewIndexRow:
    """One language and document on the review index."""

    lang: str
    tag: str
    name: str
    title: str
    href: str
    counts: Mapping[str, int]


def write_review_index(
    docs: Sequence[Segmented],
    counts: Mapping[str, Mapping[str, Mapping[str, int]]],
    renderer: Renderer,
    writer: OutputWriter,
) -> str:
    """``review/index.html``: every language's review page of every document, with its
    status counts (``counts``: language → slug → status → units). Returns its path."""
    rows = []
    for lang, by_slug in counts.items():
        language = get_language(lang)
        for seg in docs:
            slug = seg.document.slug
            rows.append(
                ReviewIndexRow(
                    lang, language.tag, language.english_name, seg.document.title,
                    f"{lang}/{slug}.html", by_slug.get(slug, {}),
                )
            )
    context = {"title": "Review pages", "rows": rows, "statuses": STATUSES}
    page = renderer.render("review-index.html", context)
    relative = f"{REVIEW_DIR}/index.html"
    writer.write(relative, page)
    return relative
