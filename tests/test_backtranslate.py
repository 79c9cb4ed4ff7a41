"""Back-translation with the toy models: a corrupted unit scores low and is flagged."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import catalog_path, format_catalog, read_catalog
from pipeline.cli import main
from pipeline.testing import toy_language as toy

DATA = Path(__file__).parent / "data"
PACKAGES = [
    DATA / f"translate-en_{toy.CODE}-1.0.argosmodel",
    DATA / f"translate-{toy.CODE}_en-1.0.argosmodel",
]


def _project(folder: Path, pairs: list[toy.Pair]) -> Path:
    (folder / "examples").mkdir(parents=True)
    body = "\n\n".join(p.english_text for p in pairs)
    front = '---\ntitle: "The old harbour"\ndate: 2024-01-01\n---\n\n'
    (folder / "examples" / "trip.md").write_text(front + body + "\n", encoding="utf-8")
    (folder / "summary-pipeline.toml").write_text(
        f'sources = ["examples/*.md"]\nlanguages = ["{toy.CODE}"]\nformats = ["html"]\n'
        'engine = "argos"\n',
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def built(tmp_path: Path, runner: CliRunner, isolated_home: Path) -> Path:
    """A project of held-out toy sentences built in the toy language with both models."""
    for package in PACKAGES:
        assert runner.invoke(main, ["models", "install", str(package)]).exit_code == 0
    project = _project(tmp_path / "project", toy.held_out(12)[4:12])
    result = runner.invoke(main, ["-C", str(project), "build", "--lang", toy.CODE])
    assert result.exit_code == 0, result.output
    return project


def _corrupt(project: Path, unit_id: str, text: str) -> None:
    """A reviewer's wrong translation: the msgstr of another sentence, approved."""
    path = catalog_path(project / "locales", toy.CODE, "trip")
    catalog = read_catalog(path)
    assert catalog is not None
    entry = next(e for e in catalog.entries if e.context == unit_id)
    entry.msgstr = text
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    path.write_text(format_catalog(catalog), encoding="utf-8")


def test_check_back_translation_flags_only_the_corrupted_unit(
    built: Path, runner: CliRunner
) -> None:
    _corrupt(built, "paragraph-3", toy.held_out(100)[90].target_text)
    args = ["-C", str(built), "check", "--lang", toy.CODE, "--back-translation"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    flagged = [line for line in result.output.splitlines() if "[back-translation]" in line]
    assert len(flagged) == 1 and " paragraph-3: warning [back-translation]" in flagged[0]
    plain = runner.invoke(main, ["-C", str(built), "check", "--lang", toy.CODE])
    assert "[back-translation]" not in plain.output  # only when asked for


def test_back_translate_scores_correct_units_high(built: Path) -> None:
    from pipeline.backtranslate import THRESHOLD
    from pipeline.build import READ, Build, back_translation
    from pipeline.config import load_config

    _corrupt(built, "paragraph-5", "Ka Omar ne vereta?")
    config = load_config(built)
    back = back_translation(config, Build(config, READ).run()).languages[toy.CODE]
    assert len(back.scores) == 9  # the title and eight paragraphs
    by_id = {s.unit_id: s for s in back.scores}
    assert by_id["paragraph-5"].chrf < 30 and by_id["paragraph-5"].flagged
    others = [s.chrf for s in back.scores if s.unit_id != "paragraph-5"]
    assert min(others) > THRESHOLD and sum(others) / len(others) > 80
    assert back.lowest(1)[0].unit_id == "paragraph-5"
    assert [f.unit_id for f in back.findings] == ["paragraph-5"]


def test_languages_without_a_reverse_model_are_skipped(
    tmp_path: Path, runner: CliRunner, isolated_home: Path
) -> None:
    assert runner.invoke(main, ["models", "install", str(PACKAGES[0])]).exit_code == 0
    project = _project(tmp_path / "project", toy.held_out(3))
    assert runner.invoke(main, ["-C", str(project), "build", "--lang", toy.CODE]).exit_code == 0
    result = runner.invoke(main, ["-C", str(project), "check", "--back-translation"])
    assert result.exit_code == 0, result.output
    assert "[back-translation]" not in result.output
