"""What a reviewer does, shared by the tests that need one."""

from __future__ import annotations

from pathlib import Path

from pipeline.catalog import format_catalog, read_catalog


def approve(catalog_file: Path, unit_id: str, text: str) -> None:
    """Correct an entry and clear its fuzzy flag, as in a PO editor."""
    catalog = read_catalog(catalog_file)
    assert catalog is not None
    for entry in catalog.entries:
        if entry.context == unit_id:
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.msgstr = text
    catalog_file.write_text(format_catalog(catalog), encoding="utf-8")
