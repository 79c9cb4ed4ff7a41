"""An ``.argosmodel`` file from anywhere, checked before one byte of it is extracted.

A package is a zip archive from the internet (or a colleague), so every property the
installer and argostranslate rely on is checked first, from the archive's directory alone:
one top folder of a safe name holding everything; regular files and folders only (no links,
devices, absolute or ``..`` paths, duplicates, encryption); at most :data:`LIMITS` files,
bytes and compression ratio (a zip bomb is refused before it fills the disk); a
``metadata.json`` whose fields have the types argostranslate reads and whose codes are
language codes. Extraction then goes into a temporary folder, counting what it writes, and
the result is checked once more; :mod:`pipeline.models` renames it into place.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ModelError

_SAFE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# ISO 639 (2-3 letters) with optional subtags (Argos: "zt", "pb", "pt-BR" style).
_CODE_RE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,2}")
_STRING_FIELDS = ("package_version", "argos_version", "from_name", "to_name", "target_prefix")
_LIST_FIELDS = (
    "links",
    "languages",
    "dependencies",
    "source_languages",
    "target_languages",
    "from_codes",
    "to_codes",
)
_MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How large a package may be; generous for real Argos models (a few hundred MB)."""

    max_files: int = 10_000
    max_bytes: int = 4 << 30  # uncompressed, all files together
    max_ratio: float = 200.0  # uncompressed / compressed, for files above 1 MiB and overall
    max_metadata_bytes: int = _MIB


LIMITS = Limits()


@dataclass(frozen=True)
class PackageMetadata:
    """The fields of ``metadata.json`` the pipeline uses, after their types were checked."""

    from_code: str
    to_code: str
    version: str
    target_prefix: str

    @property
    def pair(self) -> str:
        """``en→es``."""
        return f"{self.from_code}→{self.to_code}"


@dataclass(frozen=True)
class ArchiveInfo:
    """A checked archive: its top folder, metadata, file count and uncompressed size."""

    top: str
    metadata: PackageMetadata
    files: int
    size: int


def parse_metadata(data: bytes, where: str) -> PackageMetadata:
    """Check ``metadata.json`` of a translation package; raise ModelError naming ``where``."""
    try:
        meta = json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelError(f"{where}: metadata.json is not valid JSON ({err})") from err
    if not isinstance(meta, dict):
        raise ModelError(f"{where}: metadata.json is not an object")
    if meta.get("type", "translate") != "translate":
        raise ModelError(f"{where}: not a translation package (type {meta.get('type')!r})")
    for key in ("from_code", "to_code"):
        value = meta.get(key)
        if not isinstance(value, str) or not _CODE_RE.fullmatch(value):
            raise ModelError(
                f'{where}: metadata.json {key} must be a language code like "es", '
                f"not {json.dumps(value)[:40]}"
            )
    if meta["from_code"] == meta["to_code"]:
        raise ModelError(f"{where}: metadata.json translates {meta['from_code']} into itself")
    for key in _STRING_FIELDS:
        if key in meta and not isinstance(meta[key], str):
            raise ModelError(f"{where}: metadata.json {key} must be text")
    for key in _LIST_FIELDS:
        if key in meta and not isinstance(meta[key], list):
            raise ModelError(f"{where}: metadata.json {key} must be a list")
    if not all(isinstance(link, str) for link in meta.get("links", [])):
        raise ModelError(f"{where}: metadata.json links must be text")
    return PackageMetadata(
        meta["from_code"],
        meta["to_code"],
        str(meta.get("package_version", "")),
        str(meta.get("target_prefix", "") or ""),
    )


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\\" in name or any(ord(ch) < 0x20 for ch in name):
        return "a backslash or control character in a path"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an absolute path"
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "an empty, '.' or '..' path part"
    if info.flag_bits & 0x1:
        return "an encrypted file"
    # Unix file type bits; zero when the archiver recorded none (Windows, writestr).
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return "a symbolic link or special file"
    return None


def _check_entries(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> tuple[str, int]:
    """The top folder and total size of a well-formed archive; ModelError otherwise."""
    if len(infos) > limits.max_files:
        raise ModelError(f"{path}: {len(infos)} files, more than {limits.max_files}")
    seen: set[str] = set()
    tops: set[str] = set()
    total = packed = 0
    for info in infos:
        problem = _entry_problem(info)
        if problem:
            raise ModelError(f"{path}: refused, {info.filename!r} is {problem}")
        key = info.filename.rstrip("/")
        if key in seen:
            raise ModelError(f"{path}: refused, {key!r} is in the archive twice")
        seen.add(key)
        tops.add(key.split("/")[0])
        if info.is_dir() and "/" not in key:
            continue
        total += info.file_size
        packed += info.compress_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > _MIB and ratio > limits.max_ratio:
            raise ModelError(
                f"{path}: refused, {info.filename!r} expands {ratio:.0f}-fold "
                f"(more than {limits.max_ratio:g}: a zip bomb?)"
            )
    if len(tops) != 1:
        shown = ", ".join(sorted(tops)[:5]) or "nothing"
        raise ModelError(f"{path}: refused, a package holds one top folder, this one: {shown}")
    top = tops.pop()
    if not _SAFE_NAME_RE.fullmatch(top) or not any(k.startswith(f"{top}/") for k in seen):
        raise ModelError(f"{path}: refused, the top folder {top!r} is not a package folder name")
    if total > limits.max_bytes:
        raise ModelError(
            f"{path}: refused, {total / _MIB:.0f} MiB uncompressed, more than "
            f"{limits.max_bytes / _MIB:.0f} MiB"
        )
    if total > _MIB and total > limits.max_ratio * max(1, packed):
        raise ModelError(
            f"{path}: refused, it expands {total // max(1, packed)}-fold (a zip bomb?)"
        )
    return top, total


def inspect_archive(path: Path, limits: Limits = LIMITS) -> ArchiveInfo:
    """Check an ``.argosmodel`` file without extracting it; raise ModelError with the reason."""
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path}: not an Argos model (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            top, total = _check_entries(path, infos, limits)
            names = {i.filename.rstrip("/"): i for i in infos}
            meta_info = names.get(f"{top}/metadata.json")
            if meta_info is None or meta_info.is_dir():
                raise ModelError(f"{path}: not an Argos model (no <folder>/metadata.json inside)")
            if not any(n.startswith(f"{top}/model/") for n in names):
                raise ModelError(f"{path}: not an Argos model (no model/ folder)")
            if meta_info.file_size > limits.max_metadata_bytes:
                raise ModelError(f"{path}: metadata.json is larger than it can be")
            metadata = parse_metadata(archive.read(meta_info), str(path))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as err:
        raise ModelError(f"{path}: not a readable zip archive ({err})") from err
    return ArchiveInfo(top, metadata, sum(1 for i in infos if not i.is_dir()), total)


def extract_checked(path: Path, info: ArchiveInfo, staging: Path, limits: Limits = LIMITS) -> Path:
    """Extract into ``staging`` (an empty folder), counting bytes; return ``staging/<top>``.

    Files are created new (never through an existing name or link); more bytes than the
    archive declared, a bad checksum or a full disk raise ModelError.
    """
    written = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for entry in archive.infolist():
                target = staging / entry.filename.rstrip("/")
                if entry.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                written += _copy_entry(archive, entry, target, limits.max_bytes - written)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise ModelError(f"{path}: cannot be extracted ({reason})") from err
    folder = staging / info.top
    meta = folder / "metadata.json"
    if meta.is_symlink() or not meta.is_file():
        raise ModelError(f"{path}: metadata.json missing after extraction")
    if parse_metadata(meta.read_bytes(), str(path)) != info.metadata:
        raise ModelError(f"{path}: metadata.json changed during extraction")
    return folder


def _copy_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, target: Path, room: int) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(target, flags, 0o644)
    count = 0
    with os.fdopen(fd, "wb") as out, archive.open(entry) as src:
        while block := src.read(_MIB):
            count += len(block)
            if count > entry.file_size or count > room:
                raise zipfile.BadZipFile(f"{entry.filename} is larger than declared")
            out.write(block)
    return count


def remove_tree(path: Path) -> None:
    """Delete a folder tree without following links (best effort)."""
    shutil.rmtree(path, ignore_errors=True)


def read_installed_metadata(folder: Path) -> PackageMetadata:
    """The checked metadata of an installed package folder; ModelError when broken."""
    meta = folder / "metadata.json"
    try:
        if meta.is_symlink() or not meta.is_file():
            raise ModelError(f"{folder}: no metadata.json (not a package folder)")
        if meta.stat().st_size > LIMITS.max_metadata_bytes:
            raise ModelError(f"{folder}: metadata.json is larger than it can be")
        data = meta.read_bytes()
    except OSError as err:
        raise ModelError(f"{folder}: metadata.json cannot be read ({err.strerror})") from err
    return parse_metadata(data, str(folder))
