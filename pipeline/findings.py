"""What a check found: severities and findings, typed, for reports, build.json and pages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is; ``error`` makes ``--strict`` exit 3."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for errors, 1 for warnings, 2 for info (sort and filter by it)."""
        return list(Severity).index(self)


@dataclass(frozen=True)
class Finding:
    """One problem found by one check."""

    id: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class UnitFinding:
    """A finding with where it was found: the source file, document, language and unit."""

    path: str  # the source Markdown file
    slug: str
    lang: str
    unit_id: str
    line: int | None
    id: str
    severity: Severity
    message: str

    def format(self) -> str:
        """One line: ``file:line: lang unit: severity [id] message``."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.lang} {self.unit_id}: {self.severity} [{self.id}] {self.message}"


@dataclass(frozen=True)
class LowScore:
    """A unit the model was least sure of."""

    slug: str
    unit_id: str
    score: float  # the lowest per-token log-probability among the unit's sentences
    text: str  # tagged translation


@dataclass(frozen=True)
class BackScore:
    """A unit's published text translated back to English, and how close it came."""

    slug: str
    unit_id: str
    chrf: float  # chrF against the English source, 0 to 100
    back: str  # the English the reverse model gave
    flagged: bool  # under the threshold: a ``back-translation`` finding


def count_errors(findings: tuple[UnitFinding, ...] | list[UnitFinding]) -> int:
    """How many findings are errors."""
    return sum(1 for f in findings if f.severity is Severity.ERROR)
