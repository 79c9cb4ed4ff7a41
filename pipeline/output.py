"""Writing into the output folder: safe paths, atomic files, each file once, a manifest.

Every file the pipeline writes goes through :func:`write_atomic`: a temporary file named
``.<name>.sp-<random>.tmp`` next to the target, fsync, rename. That name is the pipeline's
own, so :func:`remove_temporary_files` (after a killed run) deletes only files matching it,
never a user's ``.draft.tmp`` or an editor's swap file. :func:`check_output_folder` refuses an
output folder that would overwrite or clean the project's templates, catalogs or sources.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import OutputError

TEMP_MARK = ".sp-"
# mkstemp's random part: 8 characters of [a-z0-9_].
_TEMP_RE = re.compile(r"^\..+\.sp-[a-z0-9_]{8}\.tmp$")


def is_temporary_name(name: str) -> bool:
    """True for the names :func:`write_atomic` gives its temporary files."""
    return bool(_TEMP_RE.match(name))


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` via a pipeline temporary, fsync and rename; raise OSError.

    A run killed at any moment leaves the old file or the new one, never half of one; on
    any failure (a full disk) the temporary is removed and the old file stays.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The rename itself must survive a power cut: sync the folder (best effort).
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (:func:`write_atomic`); raise OutputError.

    Unchanged content is not rewritten, so timestamps and file watchers stay quiet.
    """
    try:
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            return
        write_atomic(path, data)
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err


def remove_temporary_files(folder: Path) -> list[Path]:
    """Delete the pipeline's own temporaries a killed run left in ``folder``; return them.

    Only regular files named like :func:`write_atomic`'s temporaries; symbolic links are
    neither followed nor removed, and every other file is left alone.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for top, _dirs, names in os.walk(folder, followlinks=False):
        for name in names:
            if not is_temporary_name(name):
                continue
            path = Path(top) / name
            with contextlib.suppress(OSError):
                if stat.S_ISREG(path.lstat().st_mode):
                    path.unlink()
                    removed.append(path)
    return removed


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def source_folder(project_dir: Path, pattern: str) -> Path:
    """The folder a source glob reads from: its path up to the first wildcard."""
    fixed: list[str] = []
    for part in Path(pattern).parts[:-1]:
        if any(c in part for c in "*?["):
            break
        fixed.append(part)
    return project_dir.joinpath(*fixed)


def check_output_folder(
    output: Path, protected: Sequence[Path], sources: Sequence[Path] = ()
) -> None:
    """Raise :class:`OutputError` when writing to ``output`` would harm the project.

    ``output`` may not be, be inside, or contain a ``protected`` folder (templates, UI and
    document catalogs, the package's own files); it may not be or contain a folder of
    ``sources`` (it may sit inside one: the project root often holds the sources).
    """
    out = output.resolve()
    for folder in protected:
        guarded = folder.resolve()
        if _within(out, guarded) or _within(guarded, out):
            raise OutputError(
                f"refusing output folder {output}: it would overwrite or clean {folder} "
                "(templates, catalogs and the pipeline's own files are not an output folder)"
            )
    for folder in sources:
        guarded = folder.resolve()
        if _within(guarded, out):
            raise OutputError(
                f"refusing output folder {output}: it holds the source folder {folder}"
            )


class OutputWriter:
    """Writes files below ``root`` only, each at most once per build, and records them."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.written: dict[str, str] = {}  # relative path → sha256

    def path_for(self, relative: str) -> Path:
        """The absolute path for ``relative``; refuse anything outside the root."""
        target = (self.root / relative).resolve()
        if target != self.root and self.root not in target.parents:
            raise OutputError(f"refusing to write {relative!r}: it is outside {self.root}")
        return target

    def write(self, relative: str, content: str | bytes) -> Path:
        """Write one file atomically; writing the same path twice in a build is a bug."""
        target = self.path_for(relative)
        key = target.relative_to(self.root).as_posix()
        if key in self.written:
            raise OutputError(
                f"{key} would be written twice in one build (two sources with the same slug?)"
            )
        data = content.encode("utf-8") if isinstance(content, str) else content
        atomic_write(target, data)
        self.written[key] = hashlib.sha256(data).hexdigest()
        return target

