"""Skip a build whose inputs are exactly those of the last complete build.

Most scheduled rebuilds find nothing changed. Even with every sentence in the translation
memory, a full pass splits, restores markup, checks and renders every unit of every language:
seconds of work whose result is already on disk. So a complete build ends by recording a
fingerprint of everything its files depend on, and the next build, finding the same
fingerprint and every recorded output unchanged on disk, writes only ``build.json`` (as a run
that found every text in the memory writes it) and ``build-times.json``.

The fingerprint covers: the pipeline's own code and bundled templates, the versions of the
libraries that shape the output, the settings and the languages and sources chosen, the bytes
of every source, of every file under ``locales/`` (document and UI catalogs, as the last
build wrote them) and under the project's ``templates/``, the glossary, each language's
engine and model identity, how many translations the memory holds for each model (a lost or
replaced memory is refilled by a full build), and ``SOURCE_DATE_EPOCH``.

Engines that report per-run server statistics (the LibreTranslate pool) always build in full.
Deleting ``.summary-pipeline/last-build.json`` forces a full build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.output import atomic_write
from pipeline.segment import Segmented

RECORD = "last-build.json"
MANIFEST = "build.json"
# Libraries whose version can change the bytes of a page, a catalog or a PDF.
_LIBRARIES = ("babel", "jinja2", "markdown-it-py", "pysbd", "weasyprint", "pydyf", "fonttools")
# build.json fields that describe this run's engine work, not the files.
_RUN_FIELDS = ("engine_calls", "engine_texts", "model_loads", "translated_units")
_PACKAGE_DIR = Path(__file__).resolve().parent


def _files(folder: Path | None) -> Iterable[tuple[str, Path]]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(
        (p.relative_to(folder).as_posix(), p)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".tmp")
    )


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def fingerprint(
    config: Config,
    docs: Sequence[Segmented],
    languages: Sequence[str],
    identities: dict[str, str],
    memory_counts: dict[str, int],
) -> str:
    """A sha256 over every input of a build (see the module docstring)."""
    from pipeline.render import default_templates_dir

    digest = hashlib.sha256()

    def feed(label: str, data: bytes | str) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        digest.update(f"{label}\0{len(raw)}\0".encode())
        digest.update(raw)

    for group, folder in (
        ("code", _PACKAGE_DIR),
        ("package-templates", default_templates_dir()),
        ("locales", config.locales_dir),
        ("templates", config.templates_dir),
    ):
        for name, path in _files(folder):
            feed(f"{group}/{name}", path.read_bytes())
    feed("libraries", json.dumps({name: _version(name) for name in _LIBRARIES}, sort_keys=True))
    feed("config", json.dumps(dataclasses.asdict(config), default=str, sort_keys=True))
    feed("languages", json.dumps(list(languages)))
    for seg in docs:
        feed(f"source/{seg.document.path}", seg.document.path.read_bytes())
        feed(f"assets/{seg.document.path}", "\n".join(a.target for a in seg.assets))
    if config.glossary is not None and config.glossary.is_file():
        feed("glossary", config.glossary.read_bytes())
    feed("models", json.dumps(identities, sort_keys=True))
    feed("memory", json.dumps(memory_counts, sort_keys=True))
    feed("SOURCE_DATE_EPOCH", os.environ.get("SOURCE_DATE_EPOCH", ""))
    return digest.hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def unchanged(config: Config, stamp: str) -> dict[str, Any] | None:
    """The last build's ``build.json`` data if ``stamp`` matches and its files are intact."""
    try:
        record = json.loads((config.state_dir / RECORD).read_text(encoding="utf-8"))
        manifest_path = config.output_dir / MANIFEST
        if not isinstance(record, dict) or record.get("fingerprint") != stamp:
            return None
        if _sha256(manifest_path) != record.get("manifest"):
            return None
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        outputs = manifest["files"]["output"]
        if not isinstance(outputs, dict) or not outputs:
            return None
        for name, sha in outputs.items():
            if _sha256(config.output_dir / name) != sha:
                return None
        manifest["_record"] = record
        return dict(manifest)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def noop_manifest(previous: dict[str, Any]) -> dict[str, Any]:
    """``build.json`` of a run that found every text in the memory, from the last one's."""
    data = {k: v for k, v in previous.items() if k != "_record"}
    languages = {}
    for lang, entry in data["languages"].items():
        entry = dict(entry)
        entry["memory_hits"] = int(entry["memory_hits"]) + int(entry["engine_texts"])
        for key in _RUN_FIELDS:
            entry[key] = [] if key == "translated_units" else 0
        languages[lang] = entry
    data["languages"] = languages
    return data


def remember(config: Config, stamp: str, extra: dict[str, Any]) -> None:
    """Record the fingerprint of the build that just wrote ``build.json``."""
    manifest = _sha256(config.output_dir / MANIFEST)
    if manifest is None:
        return
    record = {"fingerprint": stamp, "manifest": manifest, **extra}
    with contextlib.suppress(OSError):  # only a shortcut: the next build is then a full one
        atomic_write(
            config.state_dir / RECORD,
            (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"),
        )


def forget(config: Config) -> None:
    """Drop the record, so that the next build is a full one (before writing anything)."""
    with contextlib.suppress(OSError):
        (config.state_dir / RECORD).unlink(missing_ok=True)


def memory_counts(memory: Any, identities: dict[str, str]) -> dict[str, int]:
    """Translations the memory holds per model identity."""
    return {lang: int(memory.count(identity)) for lang, identity in identities.items()}


def write_noop_manifest(
    config: Config, previous: dict[str, Any], languages: Sequence[str], seconds: float
) -> None:
    """``build.json`` and ``build-times.json`` of a build that found nothing to do."""
    from pipeline.rebuild import MANIFEST as NAME
    from pipeline.rebuild import TIMES, _json

    atomic_write(config.output_dir / NAME, _json(noop_manifest(previous)).encode("utf-8"))
    times = {
        "note": "durations vary from run to run; everything else is in build.json",
        "seconds": round(seconds, 3),
        "languages": dict.fromkeys(languages, 0.0),
        "up_to_date": True,
    }
    atomic_write(config.output_dir / TIMES, _json(times).encode("utf-8"))
