"""Stage 6, write: ``build.json``, what the run did, and the record of the last build.

``output/build.json`` (:mod:`pipeline.manifest`) describes the files and is deterministic;
``.summary-pipeline/last-run.json`` says what this run did (engine work, durations, servers);
``.summary-pipeline/last-build.json`` holds the fingerprint (:mod:`pipeline.fingerprint`)
that lets the next identical build skip all work.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.engines import EngineStats
from pipeline.manifest import (
    MANIFEST,
    BackTranslationEntry,
    DocumentEntry,
    LanguageEntry,
    Manifest,
)
from pipeline.output import atomic_write
from pipeline.reproducible import source_date
from pipeline.stages.recall import MemoryRecord, SourceRecord

if TYPE_CHECKING:
    from pipeline.findings import UnitFinding
    from pipeline.output import OutputWriter
    from pipeline.segment import Segmented
    from pipeline.stages.merge import LanguageCatalogs
    from pipeline.stages.translate import Translated

RUN = "last-run.json"
RECORD = "last-build.json"


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _language_entry(catalogs: LanguageCatalogs, findings: Sequence[UnitFinding]) -> LanguageEntry:
    from pipeline.catalog import REVIEWED

    counts = catalogs.counts()
    severities: dict[str, int] = {}
    for finding in findings:
        severities[finding.severity] = severities.get(finding.severity, 0) + 1
    return LanguageEntry(
        model=catalogs.model,
        units=counts,
        reviewed_share=round(counts.get(REVIEWED, 0) / max(1, sum(counts.values())), 4),
        documents={slug: catalogs.counts(slug) for slug in catalogs.documents},
        findings=dict(sorted(severities.items())),
    )


def manifest_of(
    config: Config,
    docs: Sequence[Segmented],
    languages: Mapping[str, LanguageCatalogs],
    engine: str,
    writer: OutputWriter,
    reports: tuple[Sequence[UnitFinding], Sequence[str]],
    back: Mapping[str, BackTranslationEntry] | None = None,
) -> Manifest:
    """The manifest of a build that wrote ``writer.written`` (findings and warnings given;
    ``back``: per language, the back-translation, None when it was off)."""
    from pipeline.stages.merge import source_reference

    findings, warnings = reports
    locale_files = {}
    for catalogs in languages.values():
        for doc in catalogs.documents.values():
            if (sha := _sha256(doc.path)) is not None:
                locale_files[doc.path.relative_to(config.locales_dir).as_posix()] = sha
    date = source_date()
    return Manifest(
        engine=engine,
        documents={
            seg.document.slug: DocumentEntry(
                source_reference(config, seg),
                hashlib.sha256(seg.document.path.read_bytes()).hexdigest(),
            )
            for seg in docs
        },
        languages={
            lang: _language_entry(c, [f for f in findings if f.lang == lang])
            for lang, c in languages.items()
        },
        output_files=dict(sorted(writer.written.items())),
        locale_files=dict(sorted(locale_files.items())),
        warnings=tuple(warnings),
        findings=tuple(findings),
        source_date=date.isoformat().replace("+00:00", "Z") if date else "",
        back_translation=back,
    )


def _run_language(translated: Translated | None, stats: EngineStats, lang: str) -> object:
    result = translated.result if translated else None
    entry: dict[str, object] = {
        "engine_calls": result.engine_calls if result else 0,
        "engine_texts": result.engine_texts if result else 0,
        "memory_hits": result.memory_hits if result else 0,
        "model_loads": translated.model_loads if translated else 0,
        "restored_units": result.restored_units if result else 0,
        "translated_units": list(result.engine_units) if result else [],
        "seconds": round(translated.seconds, 3) if translated else 0.0,
    }
    servers = stats.servers.get(lang, {})
    if servers:
        entry["servers"] = {url: asdict(counts) for url, counts in servers.items()}
        entry["engine_seconds"] = stats.language_seconds.get(lang, 0.0)
    return entry


def write_run(
    config: Config,
    translated: Mapping[str, Translated | None],
    stats: EngineStats,
    seconds: float,
    up_to_date: bool = False,
) -> None:
    """``.summary-pipeline/last-run.json``; a failure only costs this report."""
    data: dict[str, object] = {
        "note": "what the last run did; it varies from run to run (output/build.json does not)",
        "seconds": round(seconds, 3),
        "up_to_date": up_to_date,
        "languages": {lang: _run_language(t, stats, lang) for lang, t in translated.items()},
    }
    if stats.server_states:
        data["servers"] = [asdict(state) for state in stats.server_states]
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    with contextlib.suppress(OSError):
        atomic_write(config.state_dir / RUN, text.encode("utf-8"))


def write_manifest(writer: OutputWriter, manifest: Manifest) -> None:
    """``output/build.json`` (written last: it lists every other file)."""
    writer.write(MANIFEST, manifest.to_json())


@dataclass(frozen=True)
class LastBuild:
    """The record of the last complete build."""

    fingerprint: str
    manifest: Manifest
    pdf_pages: int
    sentences: int


@dataclass(frozen=True)
class Record:
    """``last-build.json``: the fingerprint of the last complete build and what the next
    build may reuse without reading the sources or the memory again."""

    fingerprint: str
    manifest: str  # sha256 of build.json as it was written
    pdf_pages: int
    sentences: int
    sources: Mapping[str, SourceRecord] = field(default_factory=dict)
    memory: MemoryRecord | None = None  # None: the memory was not usable

    def to_json(self) -> str:
        """The JSON text of the record."""
        data = {
            "fingerprint": self.fingerprint,
            "manifest": self.manifest,
            "pdf_pages": self.pdf_pages,
            "sentences": self.sentences,
            "sources": {path: rec.to_json() for path, rec in sorted(self.sources.items())},
            "memory": self.memory.to_json() if self.memory else None,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def remember(
    config: Config,
    stamp: str,
    counts: tuple[int, int],
    sources: Mapping[str, SourceRecord],
    memory: MemoryRecord | None,
) -> None:
    """Record the fingerprint of the build that just wrote ``build.json`` (``counts``: its
    printed pages and sentences)."""
    manifest = _sha256(config.output_dir / MANIFEST)
    if manifest is None:
        return
    record = Record(stamp, manifest, counts[0], counts[1], sources, memory)
    with contextlib.suppress(OSError):  # only a shortcut: the next build is then a full one
        atomic_write(config.state_dir / RECORD, record.to_json().encode("utf-8"))


def forget(config: Config) -> None:
    """Drop the record, so that the next build is a full one (before writing anything)."""
    with contextlib.suppress(OSError):
        (config.state_dir / RECORD).unlink(missing_ok=True)


def recorded(config: Config) -> Record | None:
    """The record of the last complete build, if there is a readable one."""
    try:
        data = json.loads((config.state_dir / RECORD).read_text(encoding="utf-8"))
        sources = data.get("sources") or {}
        memory = data.get("memory")
        return Record(
            str(data["fingerprint"]),
            str(data["manifest"]),
            int(data["pdf_pages"]),
            int(data["sentences"]),
            {str(path): SourceRecord.from_json(rec) for path, rec in sources.items()},
            MemoryRecord.from_json(memory) if memory else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def last_build(config: Config, stamp: str) -> LastBuild | None:
    """The last build if ``stamp`` matches and every file it wrote is intact on disk."""
    record = recorded(config)
    if record is None or record.fingerprint != stamp:
        return None
    try:
        path = config.output_dir / MANIFEST
        if _sha256(path) != record.manifest:
            return None
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
        if not manifest.output_files:
            return None
        for name, sha in manifest.output_files.items():
            if _sha256(config.output_dir / name) != sha:
                return None
        return LastBuild(stamp, manifest, record.pdf_pages, record.sentences)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
