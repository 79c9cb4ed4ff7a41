"""Reviewer text is never lost: drafts, stale and obsolete entries, rejected reviews."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from pipeline.catalog import (
    DRAFT,
    MACHINE,
    REJECTED,
    STALE,
    Catalog,
    MergeResult,
    Status,
    format_catalog,
    merge,
    parse_po,
    read_catalog,
)
from pipeline.cli import main
from pipeline.segment import Unit

PO = Path("locales/es/ai-csam-pledge.po")
SOURCE = Path("examples/ai-csam-pledge.md")
DRAFT_TEXT = "Borrador de la revisora, todavía sin aprobar."


def _units(*texts: str) -> list[Unit]:
    return [Unit(f"paragraph-{i}", "paragraph", t, {}, 10 + i) for i, t in enumerate(texts, 1)]


def _merge(
    old: Catalog | None, units: list[Unit], machine: dict[str, str], identity: str
) -> MergeResult:
    result = merge(
        old,
        units,
        machine,
        identity=identity,
        lang="es",
        project="doc",
        reference="doc.md",
        name="locales/es/doc.po",
    )
    return MergeResult(parse_po(format_catalog(result.catalog)), result.choices, result.warnings)


def _edit(catalog: Catalog, unit_id: str, text: str, *, approve: bool = False) -> Catalog:
    for entry in catalog.entries:
        if entry.context == unit_id:
            entry.msgstr = text
            if approve:
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
    return parse_po(format_catalog(catalog))


def test_draft_survives_rebuild_english_change_engine_change_and_removal() -> None:
    units = _units("Hello there.", "Second.")
    first = _merge(None, units, {"paragraph-1": "Hola.", "paragraph-2": "Segundo."}, "model-1")
    draft = _edit(first.catalog, "paragraph-1", DRAFT_TEXT)
    assert draft.entries[0].status == DRAFT

    # A rebuild with the same model, and one with another engine: the draft stays.
    for identity in ("model-1", "other-engine-2"):
        again = _merge(draft, units, {"paragraph-1": "Otra.", "paragraph-2": "Seg."}, identity)
        entry = again.catalog.entries[0]
        assert (entry.msgstr, entry.fuzzy) == (DRAFT_TEXT, True)
        assert again.choices["paragraph-1"].status == DRAFT
        assert again.choices["paragraph-1"].reviewed == DRAFT_TEXT
        assert again.choices["paragraph-1"].text == "Otra."  # not approved: not on the page
        assert again.catalog.entries[1].msgstr == "Seg."  # machine text follows the engine
    # The English changes: fuzzy, with the English the reviewer translated in #| msgid.
    changed = _units("Hello there, friends.", "Second.")
    stale = _merge(draft, changed, {"paragraph-1": "Hola amigos."}, "model-1")
    entry = stale.catalog.entries[0]
    assert entry.msgstr == DRAFT_TEXT and entry.fuzzy and entry.previous_msgid == "Hello there."
    assert stale.choices["paragraph-1"].status == STALE
    preferred = merge(
        stale.catalog,
        changed,
        {"paragraph-1": "Hola amigos."},
        identity="model-1",
        lang="es",
        project="doc",
        reference="doc.md",
        name="doc.po",
        prefer_reviewed_stale=True,
    )
    assert preferred.choices["paragraph-1"].text == "Hola amigos."  # a draft is never shown
    # The English goes back: a draft again (never approved by going stale and back).
    back = _merge(stale.catalog, units, {"paragraph-1": "Hola."}, "model-1")
    assert back.choices["paragraph-1"].status == DRAFT
    assert back.catalog.entries[0].fuzzy and back.catalog.entries[0].previous_msgid is None
    # The unit disappears: an obsolete entry keeps the text.
    gone = _merge(back.catalog, units[1:], {"paragraph-2": "Segundo."}, "model-1")
    (obsolete,) = [e for e in gone.catalog.entries if e.obsolete]
    assert obsolete.msgstr == DRAFT_TEXT and "#~ msgstr" in format_catalog(gone.catalog)


def test_machine_note_stays_on_approval_and_rejected_review_has_a_reason() -> None:
    units = _units("Read <a1>the report</a1> now.")
    first = _merge(None, units, {"paragraph-1": "Lea <a1>el informe</a1> ya."}, "model-1")
    note = first.catalog.entries[0].notes
    approved = _edit(first.catalog, "paragraph-1", "Lea ya <a1>el informe</a1>.", approve=True)
    again = _merge(approved, units, {"paragraph-1": "M"}, "model-1")
    assert again.catalog.entries[0].notes == note  # no diff line for the approval
    broken = _edit(again.catalog, "paragraph-1", "Lea ya el informe.", approve=True)
    later = _merge(broken, units, {"paragraph-1": "Lea <a1>el informe</a1> ya."}, "model-1")
    choice = later.choices["paragraph-1"]
    assert choice.status == Status.REJECTED == REJECTED
    assert "a1" in choice.problem and choice.reviewed == "Lea ya el informe."
    assert choice.text == "Lea <a1>el informe</a1> ya."  # the page shows machine output
    assert later.rejected == [choice] and later.counts()["rejected"] == 1
    assert later.catalog.entries[0].msgstr == "Lea ya el informe."  # kept for the reviewer


def test_a_draft_survives_real_rebuilds_and_status_counts_it(
    runner: CliRunner, project: Path
) -> None:
    def run(*args: str) -> str:
        result = runner.invoke(main, ["-C", str(project), *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("build", "-e", "pseudo", "-l", "es")
    path = project / PO
    catalog = read_catalog(path)
    assert catalog is not None
    path.write_text(format_catalog(_edit(catalog, "paragraph-2", DRAFT_TEXT)), encoding="utf-8")
    run("build", "-e", "pseudo", "-l", "es")
    status = run("status", "-l", "es").splitlines()
    head, row = status[0].split(), status[1].split()
    assert dict(zip(head[2:-2], row[2:-1], strict=True))["draft"] == "1"
    source = project / SOURCE
    text = source.read_text("utf-8")
    assert "cooperate across borders" in text
    source.write_text(text.replace("cooperate across", "work together across"), encoding="utf-8")
    run("build", "-e", "pseudo", "-l", "es")
    after = read_catalog(path)
    assert after is not None
    (kept,) = [e for e in after.entries if e.msgstr == DRAFT_TEXT]
    assert kept.fuzzy and not kept.obsolete and "work together" in kept.msgid
    assert kept.previous_msgid is not None and "cooperate across" in kept.previous_msgid
    assert MACHINE in {e.status for e in after.entries}


def test_engine_change_replaces_machine_text_and_keeps_the_draft(
    runner: CliRunner, project: Path, install_argos: Callable[..., list[Path]]
) -> None:
    install_argos("en-es")

    def build(engine: str) -> None:
        args = ["-C", str(project), "build", "-e", engine, "-l", "es"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output

    build("pseudo")
    path = project / PO
    catalog = read_catalog(path)
    assert catalog is not None
    path.write_text(format_catalog(_edit(catalog, "paragraph-2", DRAFT_TEXT)), encoding="utf-8")
    build("argos")
    after = read_catalog(path)
    assert after is not None
    (draft,) = [e for e in after.entries if e.context == "paragraph-2"]
    assert (draft.msgstr, draft.fuzzy, draft.status) == (DRAFT_TEXT, True, DRAFT)
    assert draft.model == "pseudo-1"  # the note still says what the machine wrote before
    others = [e for e in after.entries if e.context != "paragraph-2" and e.status == MACHINE]
    assert others and all((e.model or "").startswith("argos:") for e in others)


def test_translator_comments_on_machine_entries_are_never_lost() -> None:
    units = _units("The pledge was signed by many firms.", "Second.")
    first = _merge(None, units, {"paragraph-1": "M1", "paragraph-2": "M2"}, "model-1")
    for entry in first.catalog.entries:
        entry.comments = [f"check {entry.context} with the team"]
    commented = parse_po(format_catalog(first.catalog))
    changed = _units("The pledge was signed by many firms on Monday.")
    later = _merge(commented, changed, {"paragraph-1": "M1b"}, "model-1")
    first_entry = later.catalog.entries[0]
    assert (first_entry.msgstr, first_entry.status) == ("M1b", MACHINE)
    assert first_entry.comments == ["check paragraph-1 with the team"]
    (gone,) = [e for e in later.catalog.entries if e.obsolete]
    assert gone.comments == ["check paragraph-2 with the team"] and gone.msgid == "Second."
