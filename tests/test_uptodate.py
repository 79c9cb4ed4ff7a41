"""A rebuild with unchanged inputs skips the work, and any changed input builds in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

from .helpers import build_record

SOURCE = "examples/ai-csam-pledge.md"


def _build(runner: CliRunner, project: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es", *args])
    assert result.exit_code == 0, result.output
    assert "0 model load(s)" in result.output
    record = build_record(project)
    return {"up_to_date": record["up_to_date"], "es": record["languages"]["es"]}


def test_unchanged_rebuild_skips_all_work_and_touches_no_output(
    runner: CliRunner, project: Path
) -> None:
    first = _build(runner, project)
    assert first["up_to_date"] is False
    manifest = (project / "output" / "build.json").read_bytes()
    second = _build(runner, project)
    assert second["up_to_date"] is True
    es, before = second["es"], first["es"]
    assert isinstance(es, dict) and isinstance(before, dict)
    assert before["engine_texts"] > 20
    assert es["engine_texts"] == 0 and es["engine_calls"] == 0 and es["translated_units"] == []
    assert es["memory_hits"] == 0  # not even the memory was asked
    assert es["units"] == before["units"]
    assert (project / "output" / "build.json").read_bytes() == manifest
    third = _build(runner, project)
    assert third == second


@pytest.mark.parametrize(
    "change",
    ["source", "template", "glossary", "catalog", "setting", "deleted page", "edited page"],
)
def test_any_changed_input_or_damaged_output_builds_in_full(
    runner: CliRunner, project: Path, change: str
) -> None:
    _build(runner, project)
    page = project / "output" / "es" / "ai-csam-pledge.html"
    good_page = page.read_bytes()
    if change == "source":
        path = project / SOURCE
        path.write_text(path.read_text("utf-8").replace("pledge", "promise", 1), "utf-8")
    elif change == "template":
        (project / "templates").mkdir()
        (project / "templates" / "extra.html").write_text("<p>unused</p>\n", "utf-8")
    elif change == "glossary":
        with (project / "glossary.toml").open("a", encoding="utf-8") as handle:
            handle.write("\n# a comment changes the file\n")
    elif change == "catalog":
        catalog = project / "locales" / "es" / "ai-csam-pledge.po"
        catalog.write_text(catalog.read_text("utf-8") + "\n", "utf-8")
    elif change == "setting":
        toml = project / "summary-pipeline.toml"
        toml.write_text(toml.read_text("utf-8").replace('paper = "A4"', 'paper = "Letter"'))
    elif change == "deleted page":
        page.unlink()
    else:
        page.write_text("tampered", "utf-8")
    rebuilt = _build(runner, project)
    assert rebuilt["up_to_date"] is False
    if change in ("deleted page", "edited page"):
        assert page.read_bytes() == good_page  # the full build put the page back
    assert _build(runner, project)["up_to_date"] is True


def test_a_lost_memory_is_refilled_by_a_full_build(runner: CliRunner, project: Path) -> None:
    _build(runner, project)
    state = project / ".summary-pipeline"
    for path in state.glob("memory.sqlite3*"):
        path.unlink()
    rebuilt = _build(runner, project)
    assert rebuilt["up_to_date"] is False
    es = rebuilt["es"]
    assert isinstance(es, dict) and es["engine_texts"] > 20
