"""What a reviewer does, shared by the tests that need one."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.build import BUILD, Build, Outcome
from pipeline.catalog import format_catalog, read_catalog
from pipeline.config import Flag, load_config
from pipeline.engines import Engine


def approve(catalog_file: Path, unit_id: str, text: str) -> None:
    """Correct an entry and clear its fuzzy flag, as in a PO editor."""
    catalog = read_catalog(catalog_file)
    assert catalog is not None
    for entry in catalog.entries:
        if entry.context == unit_id:
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.msgstr = text
    catalog_file.write_text(format_catalog(catalog), encoding="utf-8")


def run_build(
    project: Path,
    langs: Sequence[str],
    engine: Engine | None = None,
    *,
    sources: Sequence[Path] = (),
    formats: Sequence[str] = (),
    engine_name: str = "pseudo",
    max_pages: int | None = None,
) -> Outcome:
    """A full build through the library API, as ``build --lang … --engine …`` runs it."""
    flags = {"languages": Flag(list(langs), "--lang"), "engine": Flag(engine_name, "--engine")}
    if formats:
        flags["formats"] = Flag(list(formats), "--format")
    if max_pages is not None:
        flags["max_pages"] = Flag(max_pages, "--max-pages")
    config = load_config(project, flags)
    return Build(config, BUILD, engine=engine).run(sources)


def build_record(project: Path) -> dict[str, Any]:
    """``output/build.json``, each language entry joined with what the last run did there
    (``.summary-pipeline/last-run.json``: engine work, durations)."""
    data: dict[str, Any] = json.loads((project / "output" / "build.json").read_text("utf-8"))
    run = json.loads((project / ".summary-pipeline" / "last-run.json").read_text("utf-8"))
    for lang, entry in data["languages"].items():
        entry.update(run["languages"].get(lang, {}))
    data["up_to_date"] = run["up_to_date"]
    return data
