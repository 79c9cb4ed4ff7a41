"""``summary-pipeline new DIR``: a project that builds at once (config, a summary, glossary).

The files are copied from ``pipeline/scaffold/``; ``locales/``, ``templates/`` and
``output/`` start empty. An existing, non-empty folder is never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.errors import OutputError

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
_RENAMES = {"gitignore": ".gitignore"}  # dotfiles do not survive every packaging step
EMPTY_FOLDERS = ("locales", "templates", "output")


def create_project(target: Path) -> list[Path]:
    """Create a project in ``target`` (new or empty); return the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"{target} already exists and is not empty; choose a new folder")
    written: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(SCAFFOLD.rglob("*")):
            if source.is_dir() or "__pycache__" in source.parts:
                continue
            relative = source.relative_to(SCAFFOLD)
            destination = target / _RENAMES.get(relative.as_posix(), relative.as_posix())
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            written.append(destination)
        for name in EMPTY_FOLDERS:
            (target / name).mkdir(exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create the project in {target}: {err.strerror or err}") from err
    return written
