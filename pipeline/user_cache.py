"""The per-user cache folder (``$XDG_CACHE_HOME/summary-pipeline/``) and what is kept in it.

Model checksums (:func:`pipeline.models.checksum_cache`) and compiled page templates live
here, per user rather than per project, so a new project or a cold build of an old one does
not redo work whose inputs did not change. Everything kept here is only a shortcut: a cache
that is missing, unwritable or damaged makes a build slower, never different.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from pipeline.derived import code_version

FOLDER = "summary-pipeline"


def user_cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/summary-pipeline`` (else ``~/.cache/…``); None without a home."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if Path(base).is_absolute() else Path.home() / ".cache"
    except RuntimeError:  # no HOME and no password entry
        return None
    return root / FOLDER


def template_cache() -> Any | None:
    """A Jinja2 bytecode cache in the user's cache folder, or None (no home folder).

    Jinja checks each template's source against the checksum stored with its code, but not
    the environment's options, so the folder is named for the Jinja2 version and a digest of
    this package's code (which sets the options): an upgrade never runs code compiled by
    another version.
    """
    import jinja2

    root = user_cache_dir()
    if root is None:
        return None
    folder = root / "templates" / f"jinja-{jinja2.__version__}-{code_version()[:16]}"

    class Compiled(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # damaged in any way (pickle, marshal, I/O): compile again
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                super().dump_bytecode(bucket)

    return Compiled(str(folder))
