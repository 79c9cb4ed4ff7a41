"""Argos Translate packages: list, find a route, download from the index, install, remove.

Uses argostranslate's package API (``argostranslate.package``, which is cheap to import) and
so honours its settings: ``ARGOS_PACKAGES_DIR``, ``XDG_DATA_HOME``, ``XDG_CACHE_HOME``.
Only :func:`fetch_index` and :func:`download_and_install` touch the network.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ModelError, NetworkError
from pipeline.languages import SOURCE_LANGUAGE

INDEX_TIMEOUT = 20.0


@dataclass(frozen=True)
class ModelInfo:
    """An installed or available Argos package."""

    from_code: str
    to_code: str
    version: str
    path: Path | None  # installed folder, None for an index entry
    links: tuple[str, ...] = ()
    target_prefix: str = ""

    @property
    def pair(self) -> str:
        """``en→es``."""
        return f"{self.from_code}→{self.to_code}"


def _package_module() -> Any:
    import argostranslate.package

    return argostranslate.package


def packages_dir() -> Path:
    """Where argostranslate installs packages (it honours ARGOS_PACKAGES_DIR)."""
    import argostranslate.settings

    return Path(argostranslate.settings.package_data_dir)


def installed() -> list[ModelInfo]:
    """Installed translation packages, sorted by pair."""
    result = []
    for pkg in _package_module().get_installed_packages():
        if getattr(pkg, "type", "translate") != "translate":
            continue
        result.append(
            ModelInfo(
                pkg.from_code,
                pkg.to_code,
                str(pkg.package_version),
                Path(pkg.package_path),
                target_prefix=str(getattr(pkg, "target_prefix", "") or ""),
            )
        )
    return sorted(result, key=lambda m: (m.from_code, m.to_code))


def find_route(source: str, target: str, models: list[ModelInfo] | None = None) -> list[ModelInfo]:
    """Packages that translate ``source``→``target``: one direct, or two through a pivot.

    Raises :class:`ModelError` listing what is installed and how to install the missing pair.
    """
    models = installed() if models is None else models
    by_pair = {(m.from_code, m.to_code): m for m in models}
    if (source, target) in by_pair:
        return [by_pair[(source, target)]]
    pivots = [
        (m, by_pair[(m.to_code, target)])
        for m in models
        if m.from_code == source and (m.to_code, target) in by_pair
    ]
    if pivots:
        # Prefer the English pivot: most Argos packages go through it and it is best trained.
        pivots.sort(key=lambda pair: (pair[0].to_code != SOURCE_LANGUAGE, pair[0].to_code))
        first, second = pivots[0]
        return [first, second]
    have = ", ".join(m.pair for m in models) or "none"
    raise ModelError(
        f"no Argos model for {source}→{target} (installed: {have}).\n"
        f"Install it from the Argos index:   summary-pipeline models install {target}\n"
        f"or from a file (offline):          summary-pipeline models install "
        f"./translate-{source}_{target}.argosmodel"
    )


@functools.cache
def model_checksum(path: Path, cache: Path | None = None) -> str:
    """A short sha256 over the package's model and tokenizer files (content, not dates).

    With ``cache`` (a JSON file, e.g. in the project's state folder) the checksum is reused
    while every file keeps its size and modification time, so a rebuild does not re-read
    hundreds of megabytes of model just to name it.
    """
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.name != "README.md")
    if cache is None:
        return _hash_files(path, files)
    stamp = [[str(f.relative_to(path)), f.stat().st_size, f.stat().st_mtime_ns] for f in files]
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    entry = known.get(str(path))
    if isinstance(entry, dict) and entry.get("files") == stamp and entry.get("checksum"):
        return str(entry["checksum"])
    checksum = _hash_files(path, files)
    known[str(path)] = {"files": stamp, "checksum": checksum}
    with contextlib.suppress(OSError):  # only a cache: the next run hashes again
        _atomic_write(cache, json.dumps(known, indent=1, sort_keys=True).encode())
    return checksum


def _hash_files(path: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(path)).encode())
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


def fetch_index(timeout: float = INDEX_TIMEOUT) -> list[ModelInfo]:
    """Download the Argos package index and return its translation packages (network)."""
    import argostranslate.settings as settings

    url = str(settings.remote_package_index)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
        index = json.loads(data)
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise NetworkError(f"cannot reach the Argos package index at {url} ({reason})") from err
    local = Path(settings.local_package_index)
    _atomic_write(local, data)
    result = []
    for entry in index:
        if entry.get("type", "translate") != "translate":
            continue
        result.append(
            ModelInfo(
                str(entry.get("from_code")),
                str(entry.get("to_code")),
                str(entry.get("package_version", "")),
                None,
                tuple(entry.get("links", ())),
            )
        )
    return sorted(result, key=lambda m: (m.from_code, m.to_code))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    Path(tmp).replace(path)


Progress = Callable[[int, int | None], None]


def download_and_install(model: ModelInfo, progress: Progress | None = None) -> Path:
    """Download ``model`` from its links (network), check the archive, install it."""
    import argostranslate.settings as settings

    if not model.links:
        raise ModelError(f"the index lists no download link for {model.pair}")
    downloads = Path(settings.downloads_dir)
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads / f"translate-{model.from_code}_{model.to_code}-{model.version}.argosmodel"
    errors = []
    for link in model.links:
        try:
            _download(link, target, progress)
            break
        except (urllib.error.URLError, OSError) as err:
            errors.append(f"{link}: {getattr(err, 'reason', err)}")
    else:
        raise NetworkError(f"download of {model.pair} failed: " + "; ".join(errors))
    try:
        return install_file(target)
    finally:
        target.unlink(missing_ok=True)


def _download(url: str, target: Path, progress: Progress | None) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "summary-pipeline"})
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=60) as response:
            total = response.headers.get("Content-Length")
            size = int(total) if total and total.isdigit() else None
            done = 0
            while block := response.read(1 << 16):
                out.write(block)
                done += len(block)
                if progress:
                    progress(len(block), size)
        Path(tmp).replace(target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def read_archive_metadata(path: Path) -> dict[str, Any]:
    """Validate an ``.argosmodel`` archive and return its metadata.json."""
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path}: not an Argos model (not a zip archive)")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        meta_names = [n for n in names if n.count("/") == 1 and n.endswith("/metadata.json")]
        if not meta_names:
            raise ModelError(f"{path}: not an Argos model (no <folder>/metadata.json inside)")
        folder = meta_names[0].split("/")[0]
        if any(not n.startswith(folder + "/") or ".." in n.split("/") for n in names):
            raise ModelError(f"{path}: archive has files outside its package folder")
        if not any(n.startswith(f"{folder}/model/") for n in names):
            raise ModelError(f"{path}: not an Argos model (no model/ folder)")
        try:
            meta = json.loads(archive.read(meta_names[0]))
        except ValueError as err:
            raise ModelError(f"{path}: metadata.json is not valid JSON ({err})") from err
    if not isinstance(meta, dict) or not meta.get("from_code") or not meta.get("to_code"):
        raise ModelError(f"{path}: metadata.json lacks from_code/to_code")
    return meta


def install_file(path: Path) -> Path:
    """Install an ``.argosmodel`` file through argostranslate (offline); return the folder."""
    meta = read_archive_metadata(path)
    _package_module().install_from_path(path)
    for model in installed():
        if model.from_code == meta["from_code"] and model.to_code == meta["to_code"]:
            assert model.path is not None
            return model.path
    raise ModelError(f"{path}: installed, but argostranslate does not list it")


def remove(from_code: str, to_code: str) -> Path:
    """Uninstall the package for a pair; return the folder that was removed."""
    for pkg in _package_module().get_installed_packages():
        if pkg.from_code == from_code and pkg.to_code == to_code:
            folder = Path(pkg.package_path)
            _package_module().uninstall(pkg)
            return folder
    have = ", ".join(m.pair for m in installed()) or "none"
    raise ModelError(f"no installed model for {from_code}→{to_code} (installed: {have})")
