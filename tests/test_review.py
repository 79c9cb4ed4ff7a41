"""Reviewer tools: status, diff (git, output folders, machine) and the review pages."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.worddiff import terminal_diff, word_diff

from .helpers import approve

SOURCE = "examples/ai-csam-pledge.md"
PO = "locales/es/ai-csam-pledge.po"
REVIEWED = (
    "El lunes 30 de octubre de 2023, las organizaciones firmaron una "
    "<b>declaración conjunta</b> que las compromete a cooperar más allá de las fronteras."
)


def _run(runner: CliRunner, project: Path, *args: str) -> str:
    result = runner.invoke(main, ["-C", str(project), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=project,
        check=True,
        capture_output=True,
    )


def _approve(project: Path, unit_id: str, text: str) -> None:
    approve(project / PO, unit_id, text)


def _edit_source(project: Path, old: str, new: str) -> None:
    path = project / SOURCE
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_word_diff_marks_only_changed_words() -> None:
    assert word_diff("a quick fox", "a slow fox") == [
        ("=", "a "),
        ("-", "quick"),
        ("+", "slow"),
        ("=", " fox"),
    ]
    assert terminal_diff("a quick fox", "a slow fox", color=False) == "a [-quick-]{+slow+} fox"
    assert "\x1b[" in terminal_diff("a quick fox", "a slow fox", color=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_approve_then_change_english_is_stale_counted_and_diffed(
    runner: CliRunner, project: Path, tmp_path: Path
) -> None:
    _run(runner, project, "build", "-e", "pseudo", "-l", "es,fr")
    _approve(project, "paragraph-2", REVIEWED)
    status = _run(runner, project, "status", "-l", "es")
    assert status.splitlines()[1].split() == [
        "es",
        "ai-csam-pledge",
        "1",
        "0",
        "29",
        "0",
        "0",
        "0",
        "3%",
    ]
    _run(runner, project, "build", "-e", "pseudo", "-l", "es,fr")
    page = (project / "output" / "es" / "ai-csam-pledge.html").read_text("utf-8")
    assert "declaración conjunta" in page
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "reviewed")

    _edit_source(project, "cooperate across borders", "work together across borders")
    _run(runner, project, "build", "-e", "pseudo", "-l", "es,fr")
    text = (project / PO).read_text("utf-8")
    assert '#| "b> committing them to cooperate across borders."' in text
    assert "work together across borders" in text
    assert "que las compromete a cooperar" in text  # the reviewer's text is still there
    page = (project / "output" / "es" / "ai-csam-pledge.html").read_text("utf-8")
    assert "declaración conjunta" not in page  # stale: fresh machine output on the page

    status = _run(runner, project, "status", "-l", "es,fr").splitlines()
    assert status[1].split() == ["es", "ai-csam-pledge", "0", "0", "29", "1", "0", "0", "0%"]
    assert status[2].split() == ["fr", "ai-csam-pledge", "0", "0", "30", "0", "0", "0", "0%"]

    out = _run(runner, project, "diff", "--no-color", "-l", "es")
    assert "es ai-csam-pledge paragraph-2 [reviewed → stale]" in out
    assert "committing them to [-cooperate-]{+work together+} across borders." in out
    html_path = tmp_path / "diff.html"
    _run(runner, project, "diff", "HEAD", "--html", str(html_path))
    page = html_path.read_text("utf-8")
    assert "<del>cooperate</del><ins>work together</ins>" in page
    assert page.count("<tr><td>") == 2  # es and fr paragraph-2

    # The review page lists the newest change first and shows both texts of the stale unit.
    review = (project / "output" / "review" / "es" / "ai-csam-pledge.json").read_text("utf-8")
    units = json.loads(review)["units"]
    assert units[0]["id"] == "paragraph-2" and units[0]["status"] == "stale"
    assert units[0]["change"] > units[1]["change"]
    review_html = (project / "output" / "review" / "es" / "ai-csam-pledge.html").read_text("utf-8")
    assert "Reviewer's text" in review_html and "<ins>work together</ins>" in review_html


def test_diff_between_two_output_folders(runner: CliRunner, project: Path, tmp_path: Path) -> None:
    _run(runner, project, "build", "-e", "pseudo", "-l", "es")
    old = tmp_path / "old-output"
    shutil.copytree(project / "output", old)
    _approve(project, "heading-1", "Lo que se acordó")
    _run(runner, project, "build", "-e", "pseudo", "-l", "es")
    out = _run(runner, project, "diff", "--no-color", "--dirs", str(old), str(project / "output"))
    assert "es ai-csam-pledge heading-1 [machine → reviewed]" in out
    assert "{+Lo que se acordó+}" in out
    assert out.count("ai-csam-pledge") == 1


def test_diff_catalog_against_fresh_machine_translation(runner: CliRunner, project: Path) -> None:
    _run(runner, project, "build", "-e", "pseudo", "-l", "es")
    assert "No differences." in _run(
        runner, project, "diff", "--machine", "-e", "pseudo", "-l", "es"
    )
    _approve(project, "heading-1", "Lo que se acordó")
    out = _run(runner, project, "diff", "--machine", "-e", "pseudo", "-l", "es", "--no-color")
    assert "es ai-csam-pledge heading-1 [reviewed → machine]" in out
    assert "[-Lo que se acordó-]" in out


def test_diff_rejects_two_modes(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(main, ["-C", str(project), "diff", "HEAD", "--machine"])
    assert result.exit_code == 2
    assert "not several" in result.output


def test_diff_warns_when_reviewer_text_disappears(runner: CliRunner, project: Path) -> None:
    _run(runner, project, "build", "-e", "pseudo", "-l", "es")
    _approve(project, "paragraph-2", REVIEWED)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "reviewed")
    # Someone replaces the catalog with a fresh machine-only one: the review is gone.
    (project / PO).unlink()
    _run(runner, project, "build", "-e", "pseudo", "-l", "es")
    result = runner.invoke(main, ["-C", str(project), "diff", "--no-color", "-l", "es"])
    assert result.exit_code == 0, result.output
    assert (
        "warning: es ai-csam-pledge paragraph-2: the reviewer's text (reviewed) is gone "
        "(machine now)" in result.output
    )
    untouched = runner.invoke(main, ["-C", str(project), "diff", "HEAD", "HEAD", "-l", "es"])
    assert "warning" not in untouched.output
