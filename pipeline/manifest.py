"""``output/build.json``: what a build produced, as one dataclass written in one place.

It describes the files, not the run: nothing here holds a duration, the clock or what the
engine did this time, so the same input gives the same bytes and a no-op rebuild leaves
``output/`` byte-identical. What a run did (engine work, durations) goes to
``.summary-pipeline/last-run.json`` (:mod:`pipeline.stages.write`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.findings import BackScore, Severity, UnitFinding

MANIFEST = "build.json"
FORMAT = 2


@dataclass(frozen=True)
class DocumentEntry:
    """A source file and the checksum of the bytes that were built."""

    source: str
    sha256: str


@dataclass(frozen=True)
class LanguageEntry:
    """What the build did for one language."""

    model: str
    units: Mapping[str, int]  # status → units
    reviewed_share: float
    documents: Mapping[str, Mapping[str, int]]  # slug → status → units
    findings: Mapping[str, int]  # severity → findings


@dataclass(frozen=True)
class BackTranslationEntry:
    """One language's back-translation: the reverse model and the units furthest back."""

    model: str
    threshold: float  # chrF under which a unit is flagged
    scored: int  # units translated back
    flagged: int  # of which under the threshold
    lowest: tuple[BackScore, ...]  # worst first


@dataclass(frozen=True)
class Manifest:
    """The whole ``build.json``."""

    engine: str
    documents: Mapping[str, DocumentEntry]
    languages: Mapping[str, LanguageEntry]
    output_files: Mapping[str, str]  # path relative to output/ → sha256
    locale_files: Mapping[str, str]  # path relative to locales/ → sha256
    warnings: tuple[str, ...] = ()
    findings: tuple[UnitFinding, ...] = ()
    source_date: str = ""  # SOURCE_DATE_EPOCH as ISO 8601, when set
    # Languages translated back (None: back-translation was off; absent: no reverse model).
    back_translation: Mapping[str, BackTranslationEntry] | None = None

    def to_json(self) -> str:
        """Deterministic JSON (sorted keys, UTF-8, a final newline)."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "engine": self.engine,
            "documents": {k: asdict(v) for k, v in self.documents.items()},
            "languages": {k: _language_json(v) for k, v in self.languages.items()},
            "files": {"output": dict(self.output_files), "locales": dict(self.locale_files)},
            "warnings": list(self.warnings),
            "findings": [asdict(f) for f in self.findings],
        }
        if self.source_date:
            data["source_date"] = self.source_date
        if self.back_translation is not None:
            data["back_translation"] = {k: asdict(v) for k, v in self.back_translation.items()}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a ``build.json``; ValueError, KeyError or TypeError when it is not one."""
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"build.json format {data.get('format')!r}, expected {FORMAT}")
        return cls(
            engine=str(data["engine"]),
            documents={k: DocumentEntry(**v) for k, v in data["documents"].items()},
            languages={k: _language_entry(v) for k, v in data["languages"].items()},
            output_files=dict(data["files"]["output"]),
            locale_files=dict(data["files"]["locales"]),
            warnings=tuple(str(w) for w in data["warnings"]),
            findings=tuple(_finding(f) for f in data["findings"]),
            source_date=str(data.get("source_date", "")),
            back_translation=_back_translation(data.get("back_translation")),
        )


def _language_json(entry: LanguageEntry) -> dict[str, Any]:
    return asdict(entry)


def _language_entry(data: dict[str, Any]) -> LanguageEntry:
    return LanguageEntry(**data)


def _finding(data: dict[str, Any]) -> UnitFinding:
    values = dict(data)
    values["severity"] = Severity(values["severity"])
    return UnitFinding(**values)


def _back_translation(data: dict[str, Any] | None) -> dict[str, BackTranslationEntry] | None:
    if data is None:
        return None
    return {
        lang: BackTranslationEntry(
            str(entry["model"]),
            float(entry["threshold"]),
            int(entry["scored"]),
            int(entry["flagged"]),
            tuple(BackScore(**item) for item in entry["lowest"]),
        )
        for lang, entry in data.items()
    }
