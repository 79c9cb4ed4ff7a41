"""PO catalogs: reading and writing standard PO, and the merge rules for reviewers' work."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import (
    MACHINE,
    REVIEWED,
    STALE,
    Catalog,
    Entry,
    MergeResult,
    format_catalog,
    merge,
    parse_po,
    read_catalog,
)
from pipeline.cli import main
from pipeline.errors import CatalogError
from pipeline.segment import Unit

MSGFMT = shutil.which("msgfmt")
SOURCE = "examples/ai-csam-pledge.md"


def _units(*texts: str) -> list[Unit]:
    return [Unit(f"paragraph-{i}", "paragraph", t, {}, 10 + i) for i, t in enumerate(texts, 1)]


def _merge(
    old: Catalog | None,
    units: list[Unit],
    machine: dict[str, str],
    identity: str = "model-1",
    prefer_reviewed_stale: bool = False,
) -> MergeResult:
    return merge(
        old,
        units,
        machine,
        identity=identity,
        lang="es",
        project="doc",
        reference="doc.md",
        name="locales/es/doc.po",
        prefer_reviewed_stale=prefer_reviewed_stale,
    )


def _roundtrip(catalog: Catalog) -> Catalog:
    return parse_po(format_catalog(catalog), "test.po")


def _approve(catalog: Catalog, unit_id: str, text: str | None = None) -> Catalog:
    """What a reviewer does in a PO editor: clear the fuzzy flag (and maybe correct the text)."""
    for entry in catalog.entries:
        if entry.context == unit_id:
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            if text is not None:
                entry.msgstr = text
    return _roundtrip(catalog)


def test_write_read_roundtrip_keeps_every_part(tmp_path: Path) -> None:
    long = "A long sentence " * 12 + 'with "quotes", a back\\slash and\ttab.'
    catalog = Catalog(
        ["Header comment"],
        {"Language": "es", "Content-Type": "text/plain; charset=UTF-8"},
        [
            Entry(long, "Una frase larga", "paragraph-1", ["fuzzy"], ["reviewer note"], ["n1"]),
            Entry("New", "Viejo", "paragraph-2", ["fuzzy"], previous_msgid="Old <b>x</b>"),
            Entry("Gone", "Ido", "paragraph-9", [], obsolete=True, previous_msgid="Was"),
        ],
    )
    text = format_catalog(catalog)
    assert all(len(line) <= 79 for line in text.splitlines() if not line.startswith("#"))
    again = parse_po(text, "x.po")
    assert again.header == catalog.header
    assert again.header_comments == ["Header comment"]
    assert [(e.context, e.msgid, e.msgstr, e.flags) for e in again.entries] == [
        (e.context, e.msgid, e.msgstr, e.flags) for e in catalog.entries
    ]
    assert again.entries[0].comments == ["reviewer note"]
    assert again.entries[1].previous_msgid == "Old <b>x</b>"
    assert again.entries[2].obsolete and again.entries[2].previous_msgid == "Was"
    assert format_catalog(again) == text  # byte-stable
    assert "#~ msgctxt" in text and "#~| msgid" in text and '#| msgid "Old <b>x</b>"' in text


def test_parse_errors_name_file_and_line() -> None:
    with pytest.raises(CatalogError, match=r"bad\.po:3: "):
        parse_po('msgid ""\nmsgstr ""\nmsgid "x\nmsgstr ""\n', "bad.po")
    with pytest.raises(CatalogError, match=r"dup\.po:7: duplicate entry"):
        parse_po(
            'msgctxt "a"\nmsgid "x"\nmsgstr "1"\n\nmsgctxt "a"\nmsgid "x"\nmsgstr "2"\n', "dup.po"
        )


def test_reads_what_other_editors_write() -> None:
    # Poedit/msgmerge style: wrapped strings, several flags, references, plural forms.
    text = (
        "# Translator comment\n"
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        '\n#: doc.md:3\n#, fuzzy, no-wrap\n#| msgctxt "paragraph-1"\n#| msgid "Old"\n'
        'msgctxt "paragraph-1"\nmsgid ""\n"Two "\n"lines"\nmsgstr "Dos líneas"\n'
        '\nmsgid "file"\nmsgid_plural "files"\nmsgstr[0] "archivo"\nmsgstr[1] "archivos"\n'
    )
    catalog = parse_po(text, "p.po")
    first, plural = catalog.entries
    assert first.msgid == "Two lines" and first.flags == ["fuzzy", "no-wrap"]
    assert first.previous_context == "paragraph-1" and first.status == STALE
    assert plural.msgstr == "archivo"


def test_machine_entries_are_fuzzy_name_the_model_and_follow_the_machine() -> None:
    units = _units("Hello <b>world</b>.", "Second.")
    first = _merge(None, units, {"paragraph-1": "Hola <b>mundo</b>.", "paragraph-2": "Segundo."})
    entry = first.catalog.entries[0]
    assert entry.fuzzy and entry.status == MACHINE and entry.model == "model-1"
    assert entry.references == ["doc.md:11"]
    # Another model's output replaces an unreviewed entry, and the comment names it.
    machine = {"paragraph-1": "X", "paragraph-2": "Y"}
    second = _merge(_roundtrip(first.catalog), units, machine, identity="model-2")
    assert [e.msgstr for e in second.catalog.entries] == ["X", "Y"]
    assert second.catalog.entries[0].model == "model-2"
    # New English for an unreviewed entry: plain new machine output, nothing kept as stale.
    changed = _units("Hello <b>there</b>.", "Second.")
    third = _merge(_roundtrip(second.catalog), changed, machine, identity="model-2")
    assert third.choices["paragraph-1"].status == MACHINE
    assert third.catalog.entries[0].previous_msgid is None


def test_reviewed_entry_is_never_overwritten_and_goes_stale_with_previous_msgid() -> None:
    units = _units("The pledge was signed.", "Second.")
    first = _merge(None, units, {"paragraph-1": "M1", "paragraph-2": "M2"})
    reviewed = _approve(first.catalog, "paragraph-1", "Se firmó el compromiso.")

    again = _merge(reviewed, units, {"paragraph-1": "other machine", "paragraph-2": "M2"})
    assert again.catalog.entries[0].msgstr == "Se firmó el compromiso."
    assert again.choices["paragraph-1"].status == REVIEWED
    assert again.choices["paragraph-1"].text == "Se firmó el compromiso."

    changed = _units("The pledge was signed on Monday.", "Second.")
    stale = _merge(_roundtrip(again.catalog), changed, {"paragraph-1": "M1b", "paragraph-2": "M2"})
    entry = stale.catalog.entries[0]
    assert entry.status == STALE and entry.fuzzy
    assert entry.previous_msgid == "The pledge was signed."
    assert entry.msgstr == "Se firmó el compromiso."
    assert stale.choices["paragraph-1"].text == "M1b"  # the page shows fresh machine output
    preferred = _merge(
        _roundtrip(stale.catalog),
        changed,
        {"paragraph-1": "M1b", "paragraph-2": "M2"},
        prefer_reviewed_stale=True,
    )
    assert preferred.choices["paragraph-1"].text == "Se firmó el compromiso."
    # Changed once more: still stale, and #| msgid still shows what the reviewer translated.
    twice = _units("The pledge was signed on Monday 30 October.", "Second.")
    again_stale = _merge(
        _roundtrip(stale.catalog), twice, {"paragraph-1": "M", "paragraph-2": "M2"}
    )
    assert again_stale.catalog.entries[0].previous_msgid == "The pledge was signed."
    # Reverted English: the reviewer's text is a translation of it again.
    reverted = _merge(_roundtrip(again_stale.catalog), units, {"paragraph-2": "M2"})
    assert reverted.choices["paragraph-1"].status == REVIEWED
    assert not reverted.catalog.entries[0].fuzzy
    assert reverted.catalog.entries[0].previous_msgid is None


def test_removed_english_keeps_reviewed_text_as_obsolete_and_drops_machine_text() -> None:
    units = _units("Keep me.", "Reviewed and removed.", "Machine and removed.")
    first = _merge(None, units, {u.id: f"M{u.id}" for u in units})
    reviewed = _approve(first.catalog, "paragraph-2", "Revisado.")
    later = _merge(reviewed, units[:1], {"paragraph-1": "M"})
    obsolete = [e for e in later.catalog.entries if e.obsolete]
    assert [(e.msgid, e.msgstr) for e in obsolete] == [("Reviewed and removed.", "Revisado.")]
    text = format_catalog(later.catalog)
    assert '#~ msgstr "Revisado."' in text and "Machine and removed" not in text
    # The English comes back: the obsolete entry is revived as reviewed.
    back = _merge(parse_po(text), units[:2], {"paragraph-1": "M", "paragraph-2": "new"})
    assert back.choices["paragraph-2"].status == REVIEWED
    assert back.choices["paragraph-2"].text == "Revisado."
    assert not [e for e in back.catalog.entries if e.obsolete]


def test_inserted_paragraph_renumbers_units_without_losing_reviews() -> None:
    units = _units("First.", "Second.", "Third.")
    first = _merge(None, units, {u.id: f"M-{u.text}" for u in units})
    reviewed = _approve(
        _approve(first.catalog, "paragraph-2", "Segundo."), "paragraph-3", "Tercero."
    )
    shifted = _units("New first.", "First.", "Second.", "Third.")
    later = _merge(reviewed, shifted, {u.id: f"M-{u.text}" for u in shifted})
    assert later.choices["paragraph-3"].text == "Segundo."
    assert later.choices["paragraph-4"].text == "Tercero."
    assert later.choices["paragraph-1"].status == MACHINE
    assert not [e for e in later.catalog.entries if e.obsolete]


def test_broken_reviewer_tags_warn_with_file_and_line_and_fall_back_to_machine() -> None:
    units = _units("Read <a1>the report</a1> now.")
    first = _merge(None, units, {"paragraph-1": "Lea <a1>el informe</a1> ya."})
    reviewed = _approve(first.catalog, "paragraph-1", "Lea <a1>el informe ya.")
    line = reviewed.entries[0].line
    later = _merge(reviewed, units, {"paragraph-1": "Lea <a1>el informe</a1> ya."})
    assert later.choices["paragraph-1"].text == "Lea <a1>el informe</a1> ya."
    (warning,) = later.warnings
    assert warning.startswith(f"locales/es/doc.po:{line}: paragraph-1: ")
    assert "never closed" in warning
    assert later.catalog.entries[0].msgstr == "Lea <a1>el informe ya."  # kept for the reviewer


def test_unapproved_reviewer_edit_is_kept_while_the_model_is_the_same() -> None:
    units = _units("Hello.")
    first = _merge(None, units, {"paragraph-1": "Hola."})
    first.catalog.entries[0].msgstr = "¡Hola!"  # edited, fuzzy flag not yet cleared
    later = _merge(_roundtrip(first.catalog), units, {"paragraph-1": "Hola."})
    assert later.catalog.entries[0].msgstr == "¡Hola!" and later.catalog.entries[0].fuzzy
    assert later.choices["paragraph-1"].text == "Hola."  # not approved: the page shows machine


@pytest.mark.skipif(MSGFMT is None, reason="gettext msgfmt is not installed")
def test_built_catalogs_pass_msgfmt_check(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(main, ["-C", str(project), "translate", "-e", "pseudo", "-l", "es,ar"])
    assert result.exit_code == 0, result.output
    assert not (project / "output").exists()  # translate stops before rendering
    path = project / "locales" / "es" / "ai-csam-pledge.po"
    catalog = read_catalog(path)
    assert catalog is not None
    catalog = _approve(catalog, "paragraph-1")
    path.write_text(format_catalog(catalog), encoding="utf-8")
    source = project / SOURCE
    source.write_text(
        source.read_text("utf-8").replace("agreed to act together", "agreed to act jointly"),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["-C", str(project), "translate", "-e", "pseudo", "-l", "es,ar"])
    assert result.exit_code == 0, result.output
    text = path.read_text("utf-8")
    assert "#| msgid" in text
    for lang in ("es", "ar"):
        done = subprocess.run(
            [
                str(MSGFMT),
                "--check",
                "-o",
                "/dev/null",
                str(project / "locales" / lang / "ai-csam-pledge.po"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def test_build_refuses_to_overwrite_a_catalog_it_cannot_read(
    runner: CliRunner, project: Path
) -> None:
    path = project / "locales" / "es" / "ai-csam-pledge.po"
    path.parent.mkdir(parents=True)
    path.write_text('msgid ""\nmsgstr ""\n\nmsgid "x\nmsgstr "hand-made"\n', encoding="utf-8")
    before = path.read_bytes()
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es"])
    assert result.exit_code == 1
    assert "ai-csam-pledge.po:4: expected a quoted string" in result.output
    assert path.read_bytes() == before


def test_editor_fields_comments_flags_and_previous_context_are_kept() -> None:
    units = _units("Hello.", "Second sentence here.")
    text = (
        'msgid ""\nmsgstr ""\n"Last-Translator: Ana <ana@example.org>\\n"\n'
        '"Language-Team: Spanish\\n"\n"PO-Revision-Date: 2026-11-30 18:04+0100\\n"\n'
        '"X-Generator: Poedit 3.2\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '# check the greeting with the team\n#, python-format\nmsgctxt "paragraph-1"\n'
        'msgid "Hello."\nmsgstr "Hola."\n\n'
        '# a second note\n#, fuzzy\n#| msgctxt "paragraph-7"\n#| msgid "Second sentence."\n'
        'msgctxt "paragraph-2"\nmsgid "Second sentence here."\nmsgstr "Segunda frase."\n'
    )
    merged = _merge(parse_po(text), units, {"paragraph-1": "M", "paragraph-2": "M2"})
    header = merged.catalog.header
    assert header["Last-Translator"] == "Ana <ana@example.org>"
    assert header["Language-Team"] == "Spanish"
    assert header["PO-Revision-Date"] == "2026-11-30 18:04+0100"
    assert header["X-Generator"] == "Poedit 3.2"
    assert header["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    first, second = merged.catalog.entries
    assert first.comments == ["check the greeting with the team"]
    assert first.flags == ["python-format"] and first.msgstr == "Hola."
    assert second.status == STALE and second.comments == ["a second note"]
    assert second.previous_context == "paragraph-7"
    written = format_catalog(merged.catalog)
    assert '#| msgctxt "paragraph-7"' in written and "#, python-format" in written
    # A new catalog gets deterministic values for the fields an editor would fill in.
    fresh = _merge(None, units, {"paragraph-1": "M", "paragraph-2": "M2"}).catalog.header
    assert fresh["PO-Revision-Date"] == "YEAR-MO-DA HO:MI+ZONE"
    assert fresh["X-Generator"] == "summary-pipeline"


def test_c_escapes_are_decoded_as_utf8_bytes_and_written_as_text() -> None:
    text = 'msgid "a"\nmsgstr "p\\303\\241rrafo \\x41\\x42 \\101 tab\\tq\\"uote\\\\"\n'
    (entry,) = parse_po(text).entries
    assert entry.msgstr == 'párrafo AB A tab\tq"uote\\'
    assert 'msgstr "párrafo AB A tab\\tq\\"uote\\\\"' in format_catalog(parse_po(text))
    with pytest.raises(CatalogError, match=r"x\.po:2: not valid UTF-8"):
        parse_po('msgid "a"\nmsgstr "\\303"\n', "x.po")
