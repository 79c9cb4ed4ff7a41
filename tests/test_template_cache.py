"""Compiled page templates are kept per user (pipeline.user_cache) and never change a page."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.render import Renderer


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja2 compiled from source, in order."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: object, name: str | None = None, *a: object,
            **k: object) -> object:
        names.append(str(name))
        return real(self, source, name, *a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return names


def _cold_build(runner: CliRunner, project: Path) -> dict[str, bytes]:
    for folder in ("output", "locales", ".summary-pipeline"):
        shutil.rmtree(project / folder, ignore_errors=True)
    args = ["-C", str(project), "build", "--engine", "pseudo", "--lang", "es,ar"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    out = project / "output"
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*.html"))
    }


def test_a_second_cold_build_compiles_no_template_and_writes_the_same_pages(
    runner: CliRunner, project: Path, isolated_home: Path, compiles: list[str]
) -> None:
    first = _cold_build(runner, project)
    assert "page.html" in compiles
    assert list((isolated_home / "cache" / "summary-pipeline" / "templates").rglob("*.cache"))
    compiles.clear()
    assert _cold_build(runner, project) == first
    assert compiles == []


def test_an_edited_project_template_is_compiled_again(
    runner: CliRunner, project: Path, isolated_home: Path, compiles: list[str]
) -> None:
    _cold_build(runner, project)
    templates = project / "templates"
    templates.mkdir(exist_ok=True)
    package_page = Path(__file__).parent.parent / "pipeline" / "templates" / "page.html"
    (templates / "page.html").write_text(
        package_page.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8"
    )
    compiles.clear()
    pages = _cold_build(runner, project)
    assert "page.html" in compiles
    assert b"<!-- edited -->" in pages["es/ai-csam-pledge.html"]


def test_a_damaged_cache_is_compiled_again(
    runner: CliRunner, project: Path, isolated_home: Path, compiles: list[str]
) -> None:
    first = _cold_build(runner, project)
    cached = list((isolated_home / "cache" / "summary-pipeline" / "templates").rglob("*.cache"))
    for path in cached:
        path.write_bytes(path.read_bytes()[:40] + b"\x00garbage")
    compiles.clear()
    assert _cold_build(runner, project) == first
    assert "page.html" in compiles


def test_an_unwritable_cache_folder_still_builds(
    runner: CliRunner,
    project: Path,
    tmp_path: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = _cold_build(runner, project)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _cold_build(runner, project) == first


def test_renderers_of_read_only_commands_keep_nothing() -> None:
    assert Renderer(None, None).env.bytecode_cache is None
    assert Renderer(None, None, keep_compiled=True).env.bytecode_cache is not None
