"""Saves by other PO tools, followed by a rebuild, change only what the reviewer changed."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner
from translate.storage import po as ttk_po

from pipeline.catalog import REVIEWED, read_catalog
from pipeline.cli import main

PO = Path("locales/es/ai-csam-pledge.po")
REVIEWED_TEXT = (
    "El lunes 30 de octubre de 2023 las organizaciones firmaron una <b>declaración conjunta</b>."
)
POEDIT_HEADER = {
    "Last-Translator": "Ana Pérez <ana@example.org>",
    "Language-Team": "Spanish <es@example.org>",
    "PO-Revision-Date": "2026-11-30 18:04+0100",
    "X-Generator": "Poedit 3.2",
}


def _build(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es"])
    assert result.exit_code == 0, result.output


def _save_with_polib(path: Path) -> None:
    catalog = polib.pofile(str(path), wrapwidth=76)
    entry = next(e for e in catalog if e.msgctxt == "paragraph-2")
    entry.msgstr = REVIEWED_TEXT
    entry.flags.remove("fuzzy")
    catalog.save(str(path))


def _save_with_translate_toolkit(path: Path) -> None:
    store = ttk_po.pofile.parsefile(str(path))
    unit = next(u for u in store.units if u.getcontext() == "paragraph-2")
    unit.target = REVIEWED_TEXT
    unit.markfuzzy(False)
    store.savefile(str(path))


def _poedit_header(path: Path) -> None:
    # Poedit rewrites the header fields it owns when it saves.
    catalog = polib.pofile(str(path))
    catalog.metadata.update(POEDIT_HEADER)
    entry = next(e for e in catalog if e.msgctxt == "paragraph-2")
    entry.msgstr = REVIEWED_TEXT
    entry.flags.remove("fuzzy")
    catalog.save(str(path))


def _changed_entries(before: str, after: str) -> set[str]:
    """The msgctxt (or "header") of every entry a line-by-line diff touches."""
    blocks_before, blocks_after = before.split("\n\n"), after.split("\n\n")
    changed: set[str] = set()
    matcher = difflib.SequenceMatcher(None, blocks_before, blocks_after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            for block in blocks_before[i1:i2] + blocks_after[j1:j2]:
                context = [ln for ln in block.split("\n") if ln.startswith("msgctxt ")]
                changed.add(context[0].split('"')[1] if context else "header")
    return changed


@pytest.mark.parametrize(
    ("save", "header_changed"),
    [(_save_with_polib, False), (_save_with_translate_toolkit, False), (_poedit_header, True)],
    ids=["polib", "translate-toolkit", "poedit-header"],
)
def test_a_save_then_a_rebuild_changes_only_the_edited_entries(
    runner: CliRunner, project: Path, save: Callable[[Path], None], header_changed: bool
) -> None:
    _build(runner, project)
    path = project / PO
    before = path.read_text("utf-8")
    save(path)
    _build(runner, project)
    after = path.read_text("utf-8")
    expected = {"paragraph-2", "header"} if header_changed else {"paragraph-2"}
    assert _changed_entries(before, after) == expected
    catalog = read_catalog(path)
    assert catalog is not None
    (entry,) = [e for e in catalog.entries if e.context == "paragraph-2"]
    assert entry.msgstr == REVIEWED_TEXT and entry.status == REVIEWED
    assert entry.notes and entry.notes[0].startswith("machine translation by")  # stays put
    if header_changed:
        for key, value in POEDIT_HEADER.items():
            assert catalog.header[key] == value
    # A second rebuild is a no-op.
    _build(runner, project)
    assert path.read_text("utf-8") == after
