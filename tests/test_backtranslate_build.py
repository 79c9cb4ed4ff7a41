"""``build --back-translation`` with the toy models: build.json, review pages, the shortcut.

A reviewer approves the translation of another sentence (a real mistake: the wrong row of a
spreadsheet pasted in) and a correct translation; the build translates what the pages show
back to English, flags the wrong one and only it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.catalog import catalog_path
from pipeline.cli import main
from pipeline.engines import EngineStats, Probe, Translation
from pipeline.engines.argos import ArgosEngine
from pipeline.testing import toy_language as toy

from .helpers import approve, build_record, run_build
from .test_backtranslate import PACKAGES, _project

WRONG = toy.held_out(100)[90].target_text  # another sentence's translation


def _build(runner: CliRunner, project: Path, *args: str) -> Any:
    result = runner.invoke(main, ["-C", str(project), "build", "--lang", toy.CODE, *args])
    assert result.exit_code == 0, result.output
    return result


def _manifest(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / "output" / "build.json").read_text("utf-8"))
    return data


def _row(page: str, unit_id: str) -> str:
    match = re.search(rf'<tr class="([^"]*)" id="{unit_id}">(.*?)</tr>', page, re.S)
    assert match, unit_id
    return f"{match.group(1)}|{match.group(2)}"


@pytest.fixture
def project(tmp_path: Path, runner: CliRunner) -> Path:
    """Eight held-out toy sentences, built once in the toy language (both models installed),
    then two entries approved: paragraph-3 wrong, paragraph-4 right."""
    for package in PACKAGES:
        assert runner.invoke(main, ["models", "install", str(package)]).exit_code == 0
    pairs = toy.held_out(12)[4:12]
    folder = _project(tmp_path / "project", pairs)
    _build(runner, folder)
    po = catalog_path(folder / "locales", toy.CODE, "trip")
    approve(po, "paragraph-3", WRONG)
    approve(po, "paragraph-4", pairs[3].target_text)
    return folder


def test_build_flags_the_wrong_review_in_build_json_and_on_the_review_page(
    project: Path, runner: CliRunner
) -> None:
    result = _build(runner, project, "--back-translation", "--strict")  # a warning: exit 0
    assert "back-translation" not in result.output  # nothing to warn about: both models exist
    data = _manifest(project)
    flagged = [f for f in data["findings"] if f["id"] == "back-translation"]
    assert [(f["unit_id"], f["severity"], f["lang"]) for f in flagged] == [
        ("paragraph-3", "warning", toy.CODE)
    ]
    section = data["back_translation"][toy.CODE]
    assert section["model"].startswith(f"argos:{toy.CODE}-en@1.0#")
    assert (section["scored"], section["flagged"], section["threshold"]) == (9, 1, 50.0)
    worst = section["lowest"][0]
    assert (worst["slug"], worst["unit_id"], worst["flagged"]) == ("trip", "paragraph-3", True)
    assert worst["chrf"] < 30 and worst["back"]
    scores = {item["unit_id"]: item for item in section["lowest"]}
    assert scores["paragraph-4"]["chrf"] > 50 and not scores["paragraph-4"]["flagged"]
    assert [item["chrf"] for item in section["lowest"]] == sorted(
        item["chrf"] for item in section["lowest"]
    )

    page = (project / "output" / "review" / toy.CODE / "trip.html").read_text("utf-8")
    wrong, right = _row(page, "paragraph-3"), _row(page, "paragraph-4")
    assert wrong.startswith("reviewed back-flagged|") and "<strong>Flagged:</strong>" in wrong
    assert f"back to English (chrF {worst['chrf']:.0f}): {worst['back']}" in wrong
    assert right.startswith("reviewed|") and "back to English (chrF" in right
    assert "Flagged" not in right
    assert "1 unit(s) flagged" in page
    twin = json.loads((project / "output" / "review" / toy.CODE / "trip.json").read_text())
    units = {unit["id"]: unit for unit in twin["units"]}
    assert units["paragraph-3"]["back"]["flagged"] is True
    assert twin["lowest_back_translation"][0]["id"] == "paragraph-3"
    index = (project / "output" / "review" / "index.html").read_text("utf-8")
    assert "<th>back-translation flagged</th>" in index
    assert '<td class="back-count">1</td>' in index


def test_off_by_default_and_toggling_it_rebuilds(project: Path, runner: CliRunner) -> None:
    _build(runner, project)
    data = _manifest(project)
    assert "back_translation" not in data
    assert not [f for f in data["findings"] if f["id"] == "back-translation"]
    page = (project / "output" / "review" / toy.CODE / "trip.html").read_text("utf-8")
    body = page.split("</style>")[1]
    assert "back to English" not in body and "back-flagged" not in body
    twin = json.loads((project / "output" / "review" / toy.CODE / "trip.json").read_text())
    assert "lowest_back_translation" not in twin and "back" not in twin["units"][0]
    assert "back-translation" not in (project / "output" / "review" / "index.html").read_text()

    _build(runner, project, "--back-translation")  # the option is in the fingerprint
    assert not build_record(project)["up_to_date"]
    assert "back_translation" in (with_back := _manifest(project))
    before = (project / "output" / "build.json").read_bytes()
    # The same setting from the project file: nothing changed, nothing is redone.
    settings = project / "summary-pipeline.toml"
    settings.write_text(settings.read_text("utf-8") + "back_translation = true\n", "utf-8")
    _build(runner, project)
    assert build_record(project)["up_to_date"]
    assert (project / "output" / "build.json").read_bytes() == before
    _build(runner, project, "--no-back-translation")  # the flag wins over the file
    assert not build_record(project)["up_to_date"]
    assert "back_translation" not in _manifest(project)
    assert with_back["back_translation"][toy.CODE]["flagged"] == 1


class _Counting:
    """The Argos engine, counting the sentences it is asked to translate back to English."""

    name = "argos"
    notice = "argos"
    cacheable = True

    def __init__(self) -> None:
        self.inner = ArgosEngine()
        self.back: list[str] = []

    def identity(self, source: str, target: str) -> str:
        return self.inner.identity(source, target)

    def check(self, source: str, target: str) -> None:
        self.inner.check(source, target)

    def probe(self, source: str, targets: Sequence[str]) -> list[Probe]:
        return self.inner.probe(source, targets)

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        if target == "en":
            self.back.extend(sentences)
        return self.inner.translate(sentences, source, target, aligned=aligned)

    def release(self) -> None:
        self.inner.release()

    def stats(self) -> EngineStats:
        return self.inner.stats()


def test_back_translations_are_kept_in_the_translation_memory(project: Path) -> None:
    settings = project / "summary-pipeline.toml"
    settings.write_text(settings.read_text("utf-8") + "back_translation = true\n", "utf-8")
    first = _Counting()
    run_build(project, [toy.CODE], first, engine_name="argos")
    assert len(first.back) >= 9  # every unit's sentences went back once
    (project / ".summary-pipeline" / "last-build.json").unlink()  # no shortcut: a full build
    again = _Counting()
    run_build(project, [toy.CODE], again, engine_name="argos")
    assert again.back == []  # every sentence came from the memory
    assert _manifest(project)["back_translation"][toy.CODE]["flagged"] == 1
    # A new review: only its sentence is translated back.
    po = catalog_path(project / "locales", toy.CODE, "trip")
    approve(po, "paragraph-5", "Ka Omar ne vereta?")
    third = _Counting()
    run_build(project, [toy.CODE], third, engine_name="argos")
    assert third.back == ["Ka Omar ne vereta?"]


def test_without_a_reverse_model_one_warning_per_language(
    tmp_path: Path, runner: CliRunner
) -> None:
    assert runner.invoke(main, ["models", "install", str(PACKAGES[0])]).exit_code == 0
    project = _project(tmp_path / "project", toy.held_out(3))
    result = _build(runner, project, "--back-translation", "--strict")
    warnings = [line for line in result.output.splitlines() if "back-translation" in line]
    assert warnings == [
        f"warning: no back-translation for {toy.CODE}: no Argos model for "
        f"{toy.CODE}→en (installed: en→{toy.CODE})."
    ]
    data = _manifest(project)
    assert data["back_translation"] == {} and warnings[0][9:] in data["warnings"]


def test_the_pseudo_engine_says_once_that_it_has_no_reverse(
    tmp_path: Path, runner: CliRunner
) -> None:
    project = _project(tmp_path / "project", toy.held_out(3))
    args = ["-C", str(project), "build", "-e", "pseudo", "-l", "es,fr", "--back-translation"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "back-translation" in line]
    assert warnings == [
        "warning: no back-translation for es, fr: the pseudo engine has no reverse direction "
        "(nothing translates back)"
    ]
    assert _manifest(project)["back_translation"] == {}


class _Hostile(_Counting):
    """A reverse model whose English is markup: the review page must show it as text."""

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        if target == "en":
            return [Translation('<script>alert("x")</script> & <b>') for _ in sentences]
        return super().translate(sentences, source, target, aligned=aligned)


def test_back_translated_markup_is_text_on_the_review_page(project: Path) -> None:
    settings = project / "summary-pipeline.toml"
    settings.write_text(settings.read_text("utf-8") + "back_translation = true\n", "utf-8")
    run_build(project, [toy.CODE], _Hostile(), engine_name="argos")
    page = (project / "output" / "review" / toy.CODE / "trip.html").read_text("utf-8")
    assert "<script>" not in page and "<b>" not in page.split("</style>")[1]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;" in page
