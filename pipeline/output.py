"""Writing into the output folder: safe paths, atomic files, each file once, a manifest."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from pipeline.errors import OutputError


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A build killed at any moment leaves either the old file or the new one, never half of one.
    Unchanged content is not rewritten, so timestamps and file watchers stay quiet.
    """
    try:
        if path.is_file() and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).chmod(0o644)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err


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


def remove_temporary_files(folder: Path) -> None:
    """Delete ``.<name>.<random>.tmp`` files a killed run left behind (see atomic_write)."""
    if not folder.is_dir():
        return
    for path in folder.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()
