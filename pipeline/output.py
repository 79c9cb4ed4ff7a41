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
from typing import BinaryIO

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
    write_atomic_many([(path, data)], mode)


# Files held open at once by write_atomic_many: far below any open-file limit.
_OPEN_AT_ONCE = 32


def write_atomic_many(items: Sequence[tuple[Path, bytes]], mode: int = 0o644) -> None:
    """:func:`write_atomic` for several files, their fsyncs overlapped; raise OSError.

    Each file is renamed only once its own data is on disk, as one at a time would; but an
    fsync waits ~1.5 ms for the disk, and a build writes dozens of files: waiting for them
    together costs about one wait. Files go in groups of :data:`_OPEN_AT_ONCE` (each held
    open until synced); when writing or syncing a file fails, none of its group is renamed.
    """
    for start in range(0, len(items), _OPEN_AT_ONCE):
        _write_group(items[start : start + _OPEN_AT_ONCE], mode)


def _write_group(items: Sequence[tuple[Path, bytes]], mode: int) -> None:
    temps: list[tuple[Path, Path]] = []
    handles: list[BinaryIO] = []
    try:
        for path, data in items:
            path.parent.mkdir(parents=True, exist_ok=True)
            prefix = f".{path.name}{TEMP_MARK}"
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
            temps.append((Path(name), path))
            handles.append(os.fdopen(fd, "wb"))
            handles[-1].write(data)
            handles[-1].flush()
            Path(name).chmod(mode)
        _fsync_all([opened.fileno() for opened in handles])
        for opened in handles:
            opened.close()
        for temp, target in temps:
            temp.replace(target)
    except BaseException:
        for opened in handles:
            with contextlib.suppress(OSError):
                opened.close()
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        raise
    # The renames themselves must survive a power cut: sync each folder (best effort).
    for folder in dict.fromkeys(path.parent for _, path in temps):
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def _fsync_all(fds: Sequence[int]) -> None:
    """fsync every file, concurrently when there are several (fsync releases the GIL)."""
    if len(fds) < 2:
        for fd in fds:
            os.fsync(fd)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(8, len(fds)), thread_name_prefix="fsync") as pool:
        for future in [pool.submit(os.fsync, fd) for fd in fds]:
            future.result()  # the first error, once every fsync has ended


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (:func:`write_atomic`); raise OutputError.

    Unchanged content is not rewritten, so timestamps and file watchers stay quiet.
    """
    atomic_write_many([(path, data)])


def atomic_write_many(items: Sequence[tuple[Path, bytes]]) -> None:
    """:func:`atomic_write` for several files at once (:func:`write_atomic_many`)."""
    changed = []
    for path, data in items:
        try:
            if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
                continue
        except OSError as err:
            raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
        changed.append((path, data))
    if not changed:
        return
    try:
        write_atomic_many(changed)
    except OSError as err:
        where = err.filename or ", ".join(str(path) for path, _ in changed)
        raise OutputError(f"cannot write {where}: {err.strerror or err}") from err


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


#: How many bytes files written together may hold before they are written: memory stays flat
#: for a summary of any size, and a build of a few pages still waits for the disk once.
BATCH_BYTES = 1 << 20


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
        return self.write_many([(relative, content)])[0]

    def write_many(self, files: Sequence[tuple[str, str | bytes]]) -> list[Path]:
        """Write several files atomically, their fsyncs overlapped (:func:`atomic_write_many`)."""
        items: list[tuple[Path, bytes]] = []
        keys: dict[str, str] = {}
        for relative, content in files:
            target = self.path_for(relative)
            key = target.relative_to(self.root).as_posix()
            if key in self.written or key in keys:
                raise OutputError(
                    f"{key} would be written twice in one build (two sources with the same slug?)"
                )
            data = content.encode("utf-8") if isinstance(content, str) else content
            items.append((target, data))
            keys[key] = hashlib.sha256(data).hexdigest()
        atomic_write_many(items)
        self.written.update(keys)
        return [target for target, _ in items]


class WriteBatch:
    """Files for :meth:`OutputWriter.write_many`, written whenever they hold
    :data:`BATCH_BYTES` and when :meth:`flush` is called; :attr:`paths` in order."""

    def __init__(self, writer: OutputWriter) -> None:
        self.writer = writer
        self.paths: list[Path] = []
        self._files: list[tuple[str, str | bytes]] = []
        self._size = 0

    def add(self, relative: str, content: str | bytes) -> None:
        """Queue one file (written at the latest by the next :meth:`flush`)."""
        self._files.append((relative, content))
        self._size += len(content)
        if self._size >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the files queued so far."""
        self.paths.extend(self.writer.write_many(self._files))
        self._files, self._size = [], 0
