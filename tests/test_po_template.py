"""The per-document template (POT) and the locale-named catalog folders."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import catalog_path, format_template, read_catalog, template_path
from pipeline.cli import main
from pipeline.languages import language_of_folder, locale_folder
from pipeline.segment import Unit

MSGCAT = shutil.which("msgcat")
MSGMERGE = shutil.which("msgmerge")
POT = Path("locales/templates/ai-csam-pledge.pot")


def _build(runner: CliRunner, project: Path, langs: str = "es") -> None:
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", langs])
    assert result.exit_code == 0, result.output


def test_template_is_deterministic_and_lists_every_unit() -> None:
    units = [
        Unit("title", "title", "A title", {}, 1),
        Unit("cell-1", "cell", "2023", {}, 3),  # no words: no entry
        Unit("paragraph-1", "paragraph", "Some <b>bold</b> text.", {}, 5),
    ]
    text = format_template(units, project="doc", reference="doc.md")
    assert text == format_template(units, project="doc", reference="doc.md")
    assert 'msgctxt "paragraph-1"\nmsgid "Some <b>bold</b> text."\nmsgstr ""' in text
    assert "#: doc.md:5" in text and "2023" not in text
    assert "POT-Creation-Date: YEAR-MO-DA HO:MI+ZONE" in text


@pytest.mark.skipif(MSGMERGE is None or MSGCAT is None, reason="gettext is not installed")
def test_build_writes_a_template_that_msgmerge_and_msgcat_accept(
    runner: CliRunner, project: Path
) -> None:
    _build(runner, project)
    pot = project / POT
    text = pot.read_bytes()
    assert subprocess.run([MSGCAT, str(pot)], capture_output=True, check=True).stdout == text
    catalog = project / "locales" / "es" / "ai-csam-pledge.po"
    merged = subprocess.run(
        [MSGMERGE, "--quiet", "-o", "-", str(catalog), str(pot)], capture_output=True, check=True
    ).stdout.decode()
    assert merged.count('msgctxt "') == text.decode().count('msgctxt "')
    _build(runner, project)
    assert pot.read_bytes() == text  # a rebuild leaves it as it was


def test_catalog_folders_are_locales_and_old_argos_folders_are_migrated(
    runner: CliRunner, project: Path
) -> None:
    assert locale_folder("pb") == "pt_BR" and locale_folder("zt") == "zh_Hant"
    assert language_of_folder("pt_BR") == "pb" and language_of_folder("es") == "es"
    assert catalog_path(project / "locales", "zt", "doc") == project / "locales/zh_Hant/doc.po"
    _build(runner, project, "zt")
    new = project / "locales" / "zh_Hant" / "ai-csam-pledge.po"
    catalog = read_catalog(new)
    assert catalog is not None and catalog.header["Language"] == "zh_Hant"
    # A project from an older version: the catalog sits in locales/zt/ with a review in it.
    old = project / "locales" / "zt" / "ai-csam-pledge.po"
    old.parent.mkdir()
    text = new.read_text("utf-8").replace("#, fuzzy\n", "", 1)
    old.write_text(text, encoding="utf-8")
    new.unlink()
    reviewed = [e for e in (read_catalog(new) or catalog).entries if not e.fuzzy and e.msgstr]
    assert len(reviewed) == 1
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "zt"])
    assert result.exit_code == 0, result.output
    assert "old Argos-code folder" in result.output
    again = read_catalog(new)
    assert again is not None and new.is_file()
    assert [e.msgstr for e in again.entries if not e.fuzzy and e.msgstr] == [reviewed[0].msgstr]
    # Until the old folder is removed, every build says so; then it is quiet.
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "zt"])
    assert "old Argos-code folder" in result.output  # (a no-op rebuild repeats its warnings)
    shutil.rmtree(old.parent)
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "zt"])
    assert result.exit_code == 0 and "Argos-code folder" not in result.output
    assert template_path(project / "locales", "x") == project / "locales/templates/x.pot"


def test_a_left_over_argos_folder_is_named_while_the_locale_folder_is_used(tmp_path: Path) -> None:
    for folder, text in (("zt", "viejo"), ("zh_Hant", "nuevo")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "doc.po").write_text(
            f'msgctxt "a"\nmsgid "x"\nmsgstr "{text}"\n', encoding="utf-8"
        )
    catalog = read_catalog(catalog_path(tmp_path, "zt", "doc"))
    assert catalog is not None and catalog.entries[0].msgstr == "nuevo"
    (notice,) = catalog.notices
    assert "zt/doc.po: already moved out of the old Argos-code folder" in notice
