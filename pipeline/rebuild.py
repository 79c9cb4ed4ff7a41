"""The reviewable-rebuild stages of a build: memory, catalogs, review pages, build.json.

:func:`pipeline.build.build` calls these in order:

1. :func:`session` — take the project lock, remove temporary files a killed run left, open
   the translation memory;
2. :func:`reviewed_filter` — which units need no machine output (approved, well-formed);
3. :func:`apply_catalogs` — merge each document's catalog with the fresh machine output,
   write it atomically, and put the text chosen for the page into the translation result;
4. :func:`write_review` — ``output/review/<lang>/<slug>.html`` (and its ``.json`` twin);
5. :func:`write_manifest` — ``output/build.json`` and ``output/build-times.json``.

Nothing here reads the clock into a file: ``build.json`` holds counts, model ids and file
checksums (identical for identical input); durations go to ``build-times.json``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.catalog import (
    REVIEWED,
    STATUSES,
    MergeResult,
    catalog_path,
    format_catalog,
    format_template,
    merge,
    read_catalog,
    reviewed_units,
    template_path,
)
from pipeline.config import Config
from pipeline.lock import project_lock
from pipeline.memory import TranslationMemory
from pipeline.output import OutputWriter, atomic_write
from pipeline.qa import LowScore, UnitFinding
from pipeline.review import REVIEW_DIR, review_json, review_page, review_rows
from pipeline.segment import Segmented, Unit
from pipeline.translate import LanguageTranslation, UnitTranslation

log = logging.getLogger(__name__)

MANIFEST = "build.json"
TIMES = "build-times.json"
CHECKSUM_CACHE = "model-checksums.json"


@dataclass
class LanguageReport:
    """What the build did for one language (a ``build.json`` entry)."""

    model: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    documents: dict[str, dict[str, int]] = field(default_factory=dict)
    engine_calls: int = 0
    engine_texts: int = 0
    memory_hits: int = 0
    translated_units: list[str] = field(default_factory=list)
    merged: dict[str, MergeResult] = field(default_factory=dict)  # slug → merge
    warnings: list[str] = field(default_factory=list)  # reviewer text that cannot be used
    seconds: float = 0.0


@contextlib.contextmanager
def session(config: Config) -> Iterator[TranslationMemory]:
    """Hold the project lock and an open memory for one run."""
    with project_lock(config.state_dir, config.lock_timeout):
        for folder in (config.output_dir, config.locales_dir, config.state_dir):
            remove_temporary_files(folder)
        memory = TranslationMemory(config.memory_path)
        try:
            yield memory
        finally:
            memory.close()


def remove_temporary_files(folder: Path) -> None:
    """Delete ``.<name>.<random>.tmp`` files a killed run left behind (see atomic_write)."""
    if not folder.is_dir():
        return
    for path in folder.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()


def engine_options(config: Config) -> dict[str, Any]:
    """The engine options plus the checksum cache (model identity without re-hashing)."""
    return {**config.engine_options, "checksum_cache": config.state_dir / CHECKSUM_CACHE}


def reviewed_filter(
    config: Config, docs: Sequence[Segmented], lang: str
) -> Callable[[str, Unit], bool]:
    """``wanted(slug, unit)`` for translate_language: False for approved, well-formed units."""
    done: dict[str, set[str]] = {}
    for seg in docs:
        old = read_catalog(catalog_path(config.locales_dir, lang, seg.document.slug))
        done[seg.document.slug] = reviewed_units(old, seg.units)
    return lambda slug, unit: unit.id not in done.get(slug, set())


def _reference(config: Config, seg: Segmented) -> str:
    path = seg.document.path.resolve()
    try:
        return path.relative_to(config.project_dir).as_posix()
    except ValueError:
        return path.name


def apply_catalogs(
    config: Config, docs: Sequence[Segmented], result: LanguageTranslation
) -> LanguageReport:
    """Merge and write each document's catalog; set the page text of every unit in ``result``.

    Reviewer text with broken tags is reported in the returned warnings, with file and line.
    """
    lang = result.lang
    report = LanguageReport(
        result.identity,
        engine_calls=result.engine_calls,
        engine_texts=result.engine_texts,
        memory_hits=result.memory_hits,
        translated_units=list(result.engine_units),
    )
    for seg in docs:
        slug = seg.document.slug
        path = catalog_path(config.locales_dir, lang, slug)
        old = read_catalog(path)
        units = result.units.setdefault(slug, {})
        merged = merge(
            old,
            seg.units,
            {uid: u.text for uid, u in units.items()},
            identity=result.identity,
            lang=lang,
            project=slug,
            reference=_reference(config, seg),
            name=_display(config, path),
            prefer_reviewed_stale=config.prefer_reviewed_stale,
        )
        atomic_write(path, format_catalog(merged.catalog).encode("utf-8"))
        template = format_template(seg.units, project=slug, reference=_reference(config, seg))
        atomic_write(template_path(config.locales_dir, slug), template.encode("utf-8"))
        report.warnings.extend(merged.warnings)
        for unit_id, choice in merged.choices.items():
            previous = units.get(unit_id)
            if previous is None or previous.text != choice.text:
                # The page shows the reviewer's text: engine findings were about other text.
                units[unit_id] = UnitTranslation(unit_id, choice.text)
        counts = merged.counts()
        report.documents[slug] = counts
        for status, n in counts.items():
            report.counts[status] += n
        report.merged[slug] = merged
    return report


def _display(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.project_dir).as_posix()
    except ValueError:
        return str(path)


def write_review(
    config: Config,
    writer: OutputWriter,
    memory: TranslationMemory,
    docs: Sequence[Segmented],
    lang: str,
    report: LanguageReport,
    findings: Sequence[UnitFinding] = (),
    low_scores: Sequence[LowScore] = (),
) -> None:
    """Write ``review/<lang>/<slug>.html`` and ``.json``, newest changes first.

    Each unit shows its QA findings; the page opens with the units the model was least sure
    of, worst first.
    """
    for seg in docs:
        slug = seg.document.slug
        merged = report.merged[slug]
        digests = {
            uid: hashlib.sha256(
                "\0".join((c.status, c.english, c.text, c.reviewed)).encode()
            ).hexdigest()[:16]
            for uid, c in merged.choices.items()
        }
        changes = memory.record_changes(lang, slug, digests)
        rows = review_rows(seg, merged, changes)
        by_unit: dict[str, list[str]] = {}
        for finding in findings:
            if finding.slug == slug:
                by_unit.setdefault(finding.unit_id, []).append(
                    f"{finding.severity} [{finding.id}] {finding.message}"
                )
        for row in rows:
            row["findings"] = by_unit.get(str(row["id"]), [])
        low = [
            {"id": item.unit_id, "score": round(item.score, 4)}
            for item in low_scores
            if item.slug == slug
        ]
        catalog = _display(config, catalog_path(config.locales_dir, lang, slug))
        writer.write(f"{REVIEW_DIR}/{lang}/{slug}.html", review_page(lang, seg, rows, catalog, low))
        writer.write(f"{REVIEW_DIR}/{lang}/{slug}.json", review_json(lang, slug, rows, low))


def source_date() -> str | None:
    """``SOURCE_DATE_EPOCH`` as an ISO date-time (UTC), or None when it is not set."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC).isoformat().replace("+00:00", "Z")


def write_manifest(
    config: Config,
    writer: OutputWriter,
    docs: Sequence[Segmented],
    engine_name: str,
    languages: dict[str, LanguageReport],
    model_loads: dict[str, int],
    warnings: Sequence[str],
    seconds: float,
    engine_stats: dict[str, Any] | None = None,
    findings: Sequence[UnitFinding] = (),
) -> None:
    """``build.json`` (deterministic) and ``build-times.json`` (durations).

    ``engine_stats`` (a pool engine's ``stats()``): per language, what each server did; the
    counts go into build.json, the seconds into build-times.json.
    """
    by_server = (engine_stats or {}).get("languages", {})
    catalogs = {}
    for lang in languages:
        for seg in docs:
            path = catalog_path(config.locales_dir, lang, seg.document.slug)
            if path.is_file():
                rel = path.relative_to(config.locales_dir).as_posix()
                catalogs[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    data: dict[str, Any] = {
        "format": 1,
        "engine": engine_name,
        "documents": {
            seg.document.slug: {
                "source": _reference(config, seg),
                "sha256": hashlib.sha256(seg.document.path.read_bytes()).hexdigest(),
            }
            for seg in docs
        },
        "languages": {
            lang: {
                "model": rep.model,
                "units": rep.counts,
                "reviewed_share": round(rep.counts[REVIEWED] / max(1, sum(rep.counts.values())), 4),
                "documents": rep.documents,
                "engine_calls": rep.engine_calls,
                "engine_texts": rep.engine_texts,
                "memory_hits": rep.memory_hits,
                "model_loads": model_loads.get(lang, 0),
                "translated_units": rep.translated_units,
                "findings": _finding_counts([f for f in findings if f.lang == lang]),
                **(
                    {
                        "servers": {
                            url: {k: v for k, v in counts.items() if k != "seconds"}
                            for url, counts in by_server[lang]["servers"].items()
                        }
                    }
                    if lang in by_server
                    else {}
                ),
            }
            for lang, rep in languages.items()
        },
        "files": {
            "output": dict(sorted(writer.written.items())),
            "locales": dict(sorted(catalogs.items())),
        },
        "warnings": list(warnings),
        "findings": [f.as_dict() for f in findings],
    }
    date = source_date()
    if date:
        data["source_date"] = date
    writer.write(MANIFEST, _json(data))
    times = {
        "note": "durations vary from run to run; everything else is in build.json",
        "seconds": round(seconds, 3),
        "languages": {lang: round(rep.seconds, 3) for lang, rep in languages.items()},
    }
    if engine_stats:
        times["engine"] = {
            lang: {
                "seconds": entry["seconds"],
                "servers": {url: c["seconds"] for url, c in entry["servers"].items()},
            }
            for lang, entry in by_server.items()
        }
        times["servers"] = engine_stats.get("servers", [])
    writer.write(TIMES, _json(times))


def _finding_counts(findings: Sequence[UnitFinding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return dict(sorted(counts.items()))


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
