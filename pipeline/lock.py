"""The project lock: two runs never write the same project at once.

``fcntl.flock`` on a file in the state folder; the kernel releases it when the holder exits,
even when killed, so a crashed run never leaves a stale lock behind. A second run waits up to
a bounded time, then fails with a message naming the holder. The lock file is opened without
following a symbolic link (a planted link must not make the run truncate another file).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import LockError

LOCK_NAME = "lock"
_POLL = 0.1


@contextlib.contextmanager
def project_lock(state_dir: Path, timeout: float) -> Iterator[Path]:
    """Hold the project lock for the ``with`` block; wait at most ``timeout`` seconds."""
    path = state_dir / LOCK_NAME
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as err:
        raise LockError(f"cannot create the project lock {path}: {err.strerror or err}") from err
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LockError(f"the project lock {path} is not a regular file; remove it")
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(path)
                    raise LockError(
                        f"another summary-pipeline run{holder} is working on this project "
                        f"(lock {path}); gave up after waiting {timeout:g} s. "
                        "Try again when it has finished."
                    ) from None
                time.sleep(_POLL)
        # The holder's pid, for the message of a run that has to wait (informational only,
        # so a full disk does not stop the run here).
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
