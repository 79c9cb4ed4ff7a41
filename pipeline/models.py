"""Argos Translate packages: list, find a route, download from the index, install, remove.

Uses argostranslate's settings (cheap to import) and so honours ``ARGOS_PACKAGES_DIR``,
``XDG_DATA_HOME``, ``XDG_CACHE_HOME``; installing and listing are done here, with every
archive and folder checked (:mod:`pipeline.model_archive`), because argostranslate extracts
any zip into the packages folder and crashes on a folder it cannot read.
Only :func:`fetch_index` and :func:`download_and_install` touch the network.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ModelError, NetworkError
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.model_archive import (
    LIMITS,
    PackageMetadata,
    extract_checked,
    inspect_archive,
    read_installed_metadata,
    remove_tree,
)
from pipeline.output import write_atomic

# urllib.request (and with it http, email and ssl) is imported by the functions that go to
# the network: listing models and the argos engine's model identity do not.

log = logging.getLogger(__name__)

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


def packages_dir() -> Path:
    """Where argostranslate installs packages (it honours ARGOS_PACKAGES_DIR)."""
    import argostranslate.settings

    return Path(argostranslate.settings.package_data_dir)


def _package_dirs() -> list[Path]:
    import argostranslate.settings

    return [Path(p) for p in argostranslate.settings.package_dirs]


_warned: set[str] = set()


def installed() -> list[ModelInfo]:
    """Installed translation packages, sorted by pair.

    Read from each folder's ``metadata.json``, checked like an archive's; a broken folder
    (left by another tool, or edited by hand) is skipped with one warning instead of making
    every command fail. Hidden folders (an install in progress) are not packages.
    """
    result = []
    for root in _package_dirs():
        try:
            folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            continue
        for folder in folders:
            if folder.name.startswith("."):
                continue
            try:
                meta = read_installed_metadata(folder)
            except ModelError as err:
                if str(folder) not in _warned:
                    _warned.add(str(folder))
                    log.warning("skipping a broken Argos package: %s", err.message)
                continue
            result.append(
                ModelInfo(
                    meta.from_code,
                    meta.to_code,
                    meta.version,
                    folder,
                    target_prefix=meta.target_prefix,
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


CHECKSUM_CACHE = "model-checksums.json"


def checksum_cache() -> Path | None:
    """The per-user cache of model checksums (``$XDG_CACHE_HOME/summary-pipeline/``).

    Per user, not per project: a new project or a cold build of an old one names an
    unchanged model without reading all of it again. None when there is no home folder.
    """
    from pipeline.user_cache import user_cache_dir

    root = user_cache_dir()
    return None if root is None else root / CHECKSUM_CACHE


def model_checksum(path: Path, cache: Path | None = None, *, update: bool = True) -> str:
    """A short sha256 over the package's model and tokenizer files (content, not dates).

    With ``cache`` (a JSON file, see :func:`checksum_cache`) the checksum is reused while
    every file keeps its size, modification and change times and inode, so a build does not
    re-read hundreds of megabytes of model just to name it. A file written in place changes
    its ctime even when its mtime is put back, and a replaced one its inode: both are hashed
    again. ``update=False`` reads the cache but never writes it. A cache that cannot be
    read or written is only slower.
    """
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.name != "README.md")
    if cache is None:
        return _hash_files(path, files)
    stamp = []
    for file in files:
        info = file.stat()
        when = [info.st_mtime_ns, info.st_ctime_ns]
        stamp.append([str(file.relative_to(path)), info.st_size, *when, info.st_ino])
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
    if update:
        with contextlib.suppress(OSError):  # only a cache: the next run hashes again
            write_atomic(cache, json.dumps(known, indent=1, sort_keys=True).encode())
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
    import urllib.error
    import urllib.request

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
    write_atomic(local, data)
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


Progress = Callable[[int, int | None], None]


def download_and_install(
    model: ModelInfo, progress: Progress | None = None, *, replace: bool = False
) -> Path:
    """Download ``model`` from its links (network), check the archive, install it."""
    import urllib.error

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
        return install_file(target, replace=replace)
    finally:
        target.unlink(missing_ok=True)


def _download(url: str, target: Path, progress: Progress | None) -> None:
    # The index is data from the network: no more bytes than a package may have.
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "summary-pipeline"})
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.sp-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=60) as response:
            total = response.headers.get("Content-Length")
            size = int(total) if total and total.isdigit() else None
            done = 0
            while block := response.read(1 << 16):
                done += len(block)
                if done > LIMITS.max_bytes:
                    raise OSError(f"larger than {LIMITS.max_bytes >> 20} MiB")
                out.write(block)
                if progress:
                    progress(len(block), size)
        Path(tmp).replace(target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def read_archive_metadata(path: Path) -> PackageMetadata:
    """Check an ``.argosmodel`` archive (without extracting it) and return its metadata."""
    return inspect_archive(path).metadata


def install_file(path: Path, *, replace: bool = False) -> Path:
    """Install an ``.argosmodel`` file (offline); return its folder.

    The archive is checked first (:func:`pipeline.model_archive.inspect_archive`), extracted
    into a hidden folder on the packages' file system, checked again and renamed into place.
    Another package's folder is never overwritten; a package for the same pair is replaced
    only with ``replace``. On any failure the packages folder is as it was.
    """
    info = inspect_archive(path)
    root = packages_dir()
    final = root / info.top
    pair = (info.metadata.from_code, info.metadata.to_code)
    present = installed()
    same = [m for m in present if (m.from_code, m.to_code) == pair]
    if os.path.lexists(final) and not any(m.path == final for m in same):
        owner = next((m.pair for m in present if m.path == final), "no readable package")
        raise ModelError(
            f"{path}: refused, its folder {final} already holds another package ({owner}); "
            "remove that one first"
        )
    if same and not replace:
        old = same[0]
        raise ModelError(
            f"{path}: {old.pair} is already installed ({old.version}, {old.path}); "
            "add --replace to install this one instead"
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=_staging_parent(root), prefix=".sp-install-"))
    except OSError as err:
        raise ModelError(f"cannot write to the packages folder {root}: {err.strerror}") from err
    try:
        folder = extract_checked(path, info, staging)
        _swap_in(folder, final, [m.path for m in same if m.path is not None], staging)
    finally:
        remove_tree(staging)
    _forget_argos_caches()
    return final


def _staging_parent(root: Path) -> Path:
    """Next to the packages folder when on the same file system (argostranslate lists every
    folder inside it as a package), else inside it as a hidden folder."""
    parent = root.parent
    try:
        if parent.stat().st_dev == root.stat().st_dev and os.access(parent, os.W_OK):
            return parent
    except OSError:
        pass
    return root


def _swap_in(folder: Path, final: Path, old: list[Path], staging: Path) -> None:
    """Move the old package(s) aside, the new one in; undo everything on failure."""
    moved: list[tuple[Path, Path]] = []
    try:
        for number, path in enumerate(old):
            aside = staging / f".old-{number}"
            path.rename(aside)
            moved.append((aside, path))
        folder.rename(final)
    except OSError as err:
        for aside, path in reversed(moved):
            with contextlib.suppress(OSError):
                aside.rename(path)
        raise ModelError(f"cannot install into {final}: {err.strerror or err}") from err


def _forget_argos_caches() -> None:
    # argostranslate caches its language list; a process that imported it must see the change.
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        with contextlib.suppress(AttributeError):
            translate.get_installed_languages.cache_clear()


def remove(from_code: str, to_code: str) -> Path:
    """Uninstall the package for a pair; return the folder that was removed."""
    for model in installed():
        if (model.from_code, model.to_code) == (from_code, to_code) and model.path is not None:
            try:
                shutil.rmtree(model.path)
            except OSError as err:
                raise ModelError(f"cannot remove {model.path}: {err.strerror or err}") from err
            _forget_argos_caches()
            return model.path
    have = ", ".join(m.pair for m in installed()) or "none"
    raise ModelError(f"no installed model for {from_code}→{to_code} (installed: {have})")
