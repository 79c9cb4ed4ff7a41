"""Bad input gets one clear error naming the file (and line), and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

GOOD_BODY = "## Heading\n\nSome text.\n"


def _build(runner: CliRunner, project: Path, source: Path, *extra: str) -> object:
    return runner.invoke(
        main,
        ["-C", str(project), "build", str(source), "--lang", "es", "--engine", "pseudo", *extra],
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("---\ntitle: [unclosed\n---\n" + GOOD_BODY, r"bad.md:2: front matter is not valid YAML"),
        (
            "---\n- a\n- b\n---\n" + GOOD_BODY,
            "bad.md:2: front matter must be a mapping of fields, not a list",
        ),
        ("---\ndate: 2023-11-02\n---\n" + GOOD_BODY, "bad.md:1: front matter needs a 'title'"),
        ("---\ntitle: T\n---\n\n   \n", "bad.md:4: the document has no body text"),
        (
            "---\ntitle: T\nlanguages: [es, xx]\n---\n" + GOOD_BODY,
            "unknown language code(s) in front matter: xx",
        ),
        ("---\ntitle: T\n" + GOOD_BODY, "bad.md:1: front matter is not closed"),
        ("---\ntitle: T\ndate: yesterday\n---\n" + GOOD_BODY, "front matter 'date' must be a date"),
    ],
)
def test_malformed_source_is_one_clear_error_and_writes_nothing(
    runner: CliRunner, tmp_path: Path, content: str, expected: str
) -> None:
    source = tmp_path / "bad.md"
    source.write_text(content, encoding="utf-8")
    result = _build(runner, tmp_path, source)
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "output").exists()


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = _build(runner, tmp_path, tmp_path / "nope.md")
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.md'}: no such file" in result.output


def test_not_utf8_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "latin1.md"
    source.write_bytes(b"---\ntitle: T\n---\n\nCaf\xe9 society.\n")
    result = _build(runner, tmp_path, source)
    assert result.exit_code == 1
    assert "latin1.md:5: not UTF-8 text" in result.output


def test_bad_file_among_good_ones_writes_nothing(runner: CliRunner, project: Path) -> None:
    bad = project / "examples" / "zz-bad.md"
    bad.write_text("no front matter, no title\n", encoding="utf-8")
    result = runner.invoke(
        main, ["-C", str(project), "build", "--lang", "es", "--engine", "pseudo"]
    )
    assert result.exit_code == 1
    assert "zz-bad.md:1: front matter needs a 'title'" in result.output
    assert not (project / "output").exists()


def test_unknown_language_on_the_command_line(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(
        main, ["-C", str(project), "build", "--lang", "es,qq", "--engine", "pseudo"]
    )
    assert result.exit_code == 1
    assert result.output == "Error: --lang: unknown language code 'qq'\n"


def test_every_config_problem_is_reported_at_once(runner: CliRunner, project: Path) -> None:
    (project / "summary-pipeline.toml").write_text(
        'languages = ["es"]\nformats = ["html", "docx"]\n'
        'engine = "magic"\nbeam_size = 0\ncolour = 1\n'
    )
    result = runner.invoke(main, ["-C", str(project), "build"])
    assert result.exit_code == 1
    for key in (
        "summary-pipeline.toml: formats: unknown value 'docx' (choose from html, pdf)",
        "summary-pipeline.toml: engine: unknown value 'magic'",
        "summary-pipeline.toml: beam_size: unknown setting",
        "summary-pipeline.toml: colour: unknown setting",
    ):
        assert key in result.output
