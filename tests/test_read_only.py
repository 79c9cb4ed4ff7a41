"""check, status and diff read sources and catalogs only: no engine, no lock, no file written."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main

from .helpers import approve


def _tree(project: Path) -> dict[str, str]:
    """Every file of the project (state folder included) and its checksum."""
    return {
        path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def _git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=project, check=True, capture_output=True,
    )


def test_read_only_commands_need_no_model_and_write_nothing(
    runner: CliRunner, project: Path
) -> None:
    # The project says engine = "argos"; no Argos model is installed here.
    assert 'engine = "argos"' in (project / "summary-pipeline.toml").read_text("utf-8")
    built = runner.invoke(main, ["-C", str(project), "build", "--engine", "pseudo"])
    assert built.exit_code == 0, built.output
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "built")
    catalog = project / "locales" / "es" / "ai-csam-pledge.po"
    approve(catalog, "paragraph-6", "Los analistas revisaron miles de imágenes.")  # numbers lost
    before = _tree(project)
    for args, code in (
        (["check"], 0),
        (["check", "--strict"], 3),
        (["status"], 0),
        (["diff"], 0),
        (["diff", "HEAD"], 0),
        (["check", "--lang", "es"], 0),
    ):
        result = runner.invoke(main, ["-C", str(project), *args])
        assert result.exit_code == code, (args, result.output)
        assert "Traceback" not in result.output
    assert _tree(project) == before


def test_check_reports_units_no_catalog_has_yet(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(main, ["-C", str(project), "check", "--lang", "es", "--strict"])
    assert result.exit_code == 3, result.output
    assert "es title: error [not-translated] not translated yet" in result.output
    assert not (project / "locales").exists() and not (project / ".summary-pipeline").exists()


def test_check_names_a_review_whose_tags_were_removed(runner: CliRunner, project: Path) -> None:
    built = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es"])
    assert built.exit_code == 0, built.output
    catalog = project / "locales" / "es" / "ai-csam-pledge.po"
    # paragraph-2 holds a bold span (<b>joint statement</b>): the review drops the tags.
    approve(catalog, "paragraph-2", "El lunes firmaron una declaración conjunta.")
    result = runner.invoke(main, ["-C", str(project), "check", "-l", "es", "--strict"])
    assert result.exit_code == 3, result.output
    assert "paragraph-2: error [rejected-review]" in result.output
    status = runner.invoke(main, ["-C", str(project), "status", "-l", "es"])
    header, row = status.output.splitlines()[:2]
    assert row.split()[header.split().index("rejected")] == "1"


def test_config_errors_name_their_origin(runner: CliRunner, project: Path) -> None:
    bad_flag = runner.invoke(main, ["-C", str(project), "status", "--lang", "zz"])
    assert bad_flag.exit_code == 1
    assert bad_flag.output == "Error: --lang: unknown language code 'zz'\n"
    (project / "summary-pipeline.toml").write_text('languages = ["zz"]\n[argos]\nbeam_size = 0\n')
    bad_file = runner.invoke(main, ["-C", str(project), "status"])
    assert bad_file.exit_code == 1
    assert "summary-pipeline.toml: languages: unknown language code 'zz'" in bad_file.output
    assert "summary-pipeline.toml: argos.beam_size: must be at least 1" in bad_file.output
    flag_wins = runner.invoke(main, ["-C", str(project), "build", "--beam-size", "0"])
    assert "--beam-size: must be at least 1" in flag_wins.output


def test_new_project_builds_at_once(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "myproject"
    made = runner.invoke(main, ["new", str(folder)])
    assert made.exit_code == 0, made.output
    assert (folder / "summary-pipeline.toml").is_file() and (folder / "locales").is_dir()
    built = runner.invoke(main, ["-C", str(folder), "build", "--engine", "pseudo"])
    assert built.exit_code == 0, built.output
    out = folder / "output"
    pages = sorted(
        p.relative_to(out).as_posix() for p in out.glob("*/*.html") if p.parent.name != "review"
    )
    assert pages == [f"{code}/first-handout.html" for code in ("ar", "en", "es", "fr")]
    again = runner.invoke(main, ["new", str(folder)])
    assert again.exit_code == 1 and "already exists and is not empty" in again.output


def test_project_templates_override_the_packaged_ones(runner: CliRunner, project: Path) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "_notice.html").write_text("<p class=own>Our own notice</p>\n")
    built = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es"])
    assert built.exit_code == 0, built.output
    page = (project / "output" / "es" / "ai-csam-pledge.html").read_text("utf-8")
    assert "Our own notice" in page


def test_diff_machine_compares_catalogs_with_a_fresh_run_and_writes_nothing(
    runner: CliRunner, project: Path, install_argos: Callable[..., list[Path]]
) -> None:
    install_argos("en-es")
    built = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es"])
    assert built.exit_code == 0, built.output
    catalog = project / "locales" / "es" / "ai-csam-pledge.po"
    approve(catalog, "paragraph-2", "El lunes firmaron una <b>declaración conjunta</b>.")
    before = _tree(project)
    result = runner.invoke(
        main, ["-C", str(project), "diff", "--machine", "-e", "argos", "-l", "es", "--no-color"]
    )
    assert result.exit_code == 0, result.output
    assert _tree(project) == before  # no memory, no catalog, no checksum cache written
    # Pseudo catalogs against the Argos model: every unit differs, the approved one too.
    assert "es ai-csam-pledge paragraph-2 [reviewed → machine]" in result.output
    assert "[-El lunes firmaron" in result.output
    assert result.output.count("[machine]") > 20
