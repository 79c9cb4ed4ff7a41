"""``summary-pipeline status``: per language and document, units by status (read-only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.build import READ, Build
from pipeline.catalog import REVIEWED, STATUSES
from pipeline.config import Config


@dataclass(frozen=True)
class StatusRow:
    """Counts of one document in one language."""

    lang: str
    slug: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        """All units."""
        return sum(self.counts.values())

    @property
    def reviewed_share(self) -> float:
        """Reviewed units / all units (0 when there are none)."""
        return self.counts.get(REVIEWED, 0) / self.total if self.total else 0.0


def status_rows(config: Config, paths: Sequence[Path] = ()) -> list[StatusRow]:
    """Counts per language and document, as the next build would merge them."""
    outcome = Build(config, READ).run(paths)
    return [
        StatusRow(lang, slug, doc.merged.counts())
        for lang, catalogs in outcome.catalogs.items()
        for slug, doc in catalogs.documents.items()
    ]


def format_status(rows: Sequence[StatusRow]) -> str:
    """A plain table: language, document, counts per status, reviewed share."""
    statuses = list(STATUSES)
    head = ("lang", "document", *statuses, "reviewed %")
    lines: list[tuple[str, ...]] = [head]
    for row in rows:
        counts = [str(row.counts.get(s, 0)) for s in statuses]
        lines.append((row.lang, row.slug, *counts, f"{100 * row.reviewed_share:.0f}%"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for line in lines:
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)
