"""Results derived from a unit's inputs, kept between runs (in the translation memory).

A template edit re-renders every page, yet nothing a unit's text depends on has changed:
the markup restored into its translation, its QA findings, the PO text of its catalog.
Each is kept under a key over every input it is computed from, always including this
pipeline's own code and the libraries that shape the result (:func:`code_version`), so an
upgrade or an edit of the code never reuses a result the old code derived.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

_PACKAGE_DIR = Path(__file__).resolve().parent
# Sentence splitting, number formats and scripts come from these.
_LIBRARIES = ("pysbd", "babel")


class Store(Protocol):
    """Where derived values live: text under (kind, key)."""

    def recall(self, kind: str, keys: Sequence[str]) -> dict[str, str]:
        """The values known under ``keys``."""
        ...

    def keep(self, kind: str, values: dict[str, str]) -> None:
        """Remember ``values`` (key → value); a failure only warns."""
        ...


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    try:
        return tuple(entry.name for entry in Path(folder or ".").iterdir())
    except OSError:
        return ()


def library_version(name: str) -> str:
    """The installed version of distribution ``name`` ("" if it is not installed).

    A wheel installs ``<name>-<version>.dist-info`` with the name normalized, so the first
    match along ``sys.path`` (the one ``import`` finds) names the version. Importing
    importlib.metadata and asking it would cost more than the rest of an up-to-date build.
    """
    wanted = re.sub(r"[-_.]+", "_", name).lower() + "-"
    for folder in sys.path:
        for entry in _listing(folder):
            if entry.endswith(".dist-info") and entry.lower().startswith(wanted):
                return entry[len(wanted) : -len(".dist-info")]
    import importlib.metadata  # other layouts (eggs, editable installs of old tools)

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def files_below(folder: Path | None) -> list[tuple[str, Path]]:
    """Every file below ``folder`` by relative name (symbolic links to files too, not into
    folders), without ``__pycache__`` and the pipeline's ``.tmp`` files.

    ``os.scandir`` rather than ``Path.rglob``: the package's own folder alone cost every
    process 10 ms that way, three times what hashing its files costs (an up-to-date build).
    """
    found: list[tuple[str, Path]] = []

    def visit(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir() and not entry.is_symlink():
                    if entry.name != "__pycache__":
                        visit(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file() and not entry.name.endswith(".tmp"):
                    found.append((prefix + entry.name, Path(entry.path)))

    if folder is None or not folder.is_dir():
        return []
    visit(str(folder), "")
    return sorted(found)


@functools.cache
def code_version() -> str:
    """A digest of every file of the package and the versions of :data:`_LIBRARIES`."""
    digest = hashlib.sha256()
    for name, path in files_below(_PACKAGE_DIR):
        raw = path.read_bytes()
        digest.update(f"{name}\0{len(raw)}\0".encode())
        digest.update(raw)
    digest.update(json.dumps({name: library_version(name) for name in _LIBRARIES}).encode())
    return digest.hexdigest()


def derived_key(kind: str, *inputs: object) -> str:
    """The key of a ``kind`` of result computed from ``inputs`` (by this code).

    ``inputs`` are plain values or dataclasses; their ``repr`` is what is compared.
    """
    raw = json.dumps([code_version(), kind, [repr(i) for i in inputs]], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
