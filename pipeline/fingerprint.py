"""A fingerprint of every input of a build, for the up-to-date shortcut.

Most scheduled rebuilds find nothing changed. Even with every sentence in the translation
memory, a full pass splits, restores markup, checks and renders every unit of every
language: seconds of work whose result is already on disk. A complete build therefore ends
by recording this fingerprint, and the next build that finds the same fingerprint and every
recorded output unchanged writes nothing but its durations.

It covers: the pipeline's own code, templates and UI catalogs; the versions of the libraries
that shape the output; the settings, languages and sources; every file under the project's
``locales/`` and ``templates/``; the glossary; each language's model identity; how many
translations the memory holds per model (a lost memory is refilled by a full build); and
``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.derived import code_version, files_below, library_version
from pipeline.reproducible import source_date_raw

if TYPE_CHECKING:
    from pipeline.assets import Asset

# Libraries whose version can change the bytes of a page, a catalog or a PDF. PyYAML reads
# the front matter: the up-to-date shortcut reuses the languages a parse of the same bytes
# gave (pipeline.stages.recall), which only holds for the same parser.
_LIBRARIES = (
    "babel", "jinja2", "markdown-it-py", "pyyaml", "pysbd", "weasyprint", "pydyf", "fonttools",
)  # fmt: skip


@dataclass(frozen=True)
class SourceInput:
    """A source file as the fingerprint covers it."""

    path: Path
    digest: str  # sha256 of the bytes the build read (not read again: they may have changed)
    assets: tuple[Asset, ...]  # the local files its pages point at


def fingerprint(
    config: Config,
    sources: Sequence[SourceInput],
    languages: Sequence[str],
    identities: Mapping[str, str],
    memory_counts: Mapping[str, int],
) -> str:
    """A sha256 over every input of a build (see the module docstring)."""
    digest = hashlib.sha256()

    def feed(label: str, data: bytes | str) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        digest.update(f"{label}\0{len(raw)}\0".encode())
        digest.update(raw)

    feed("code", code_version())  # read once per process, shared with pipeline.derived
    for group, folder in (
        ("locales", config.locales_dir),
        ("templates", config.templates_dir),
    ):
        for name, path in files_below(folder):
            feed(f"{group}/{name}", path.read_bytes())
    versions = {name: library_version(name) for name in _LIBRARIES}
    versions["python"] = sys.version
    feed("libraries", json.dumps(versions, sort_keys=True))
    feed("config", json.dumps(asdict(config), default=repr, sort_keys=True))
    feed("languages", json.dumps(list(languages)))
    for source in sources:
        feed(f"source/{source.path}", source.digest)
        for asset in source.assets:  # a changed image must be copied again
            feed(f"asset/{asset.target}", asset.source.read_bytes())
    if config.glossary is not None and config.glossary.is_file():
        feed("glossary", config.glossary.read_bytes())
    feed("models", json.dumps(dict(identities), sort_keys=True))
    feed("memory", json.dumps(dict(memory_counts), sort_keys=True))
    feed("SOURCE_DATE_EPOCH", source_date_raw())
    return digest.hexdigest()
