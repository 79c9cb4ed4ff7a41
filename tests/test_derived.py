"""Results kept between builds (issue 15): a template edit re-renders without restoring
markup, re-checking or re-formatting catalogs, and nothing stale is ever reused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.translate
from pipeline.cli import main
from pipeline.memory import SCHEMA_VERSION, TranslationMemory

SETTINGS = 'sources = ["examples/*.md"]\nlanguages = ["es", "fr"]\nengine = "pseudo"\n'
MEMORY = Path(".summary-pipeline") / "memory.sqlite3"


@pytest.fixture
def pseudo(project: Path) -> Path:
    """The example project in two languages with the pseudo engine."""
    (project / "summary-pipeline.toml").write_text(SETTINGS, "utf-8")
    return project


def _build(runner: CliRunner, project: Path) -> dict[str, dict[str, object]]:
    """Build; last-run.json's per-language entries."""
    result = runner.invoke(main, ["-C", str(project), "build"])
    assert result.exit_code == 0, result.output
    run = json.loads((project / ".summary-pipeline" / "last-run.json").read_text("utf-8"))
    languages: dict[str, dict[str, object]] = run["languages"]
    return languages


def _edit_template(project: Path, mark: str) -> None:
    """A template edit that changes no page: a Jinja comment in the project's page.html."""
    from pipeline.render import default_templates_dir

    page = project / "templates" / "page.html"
    page.parent.mkdir(exist_ok=True)
    text = (default_templates_dir() / "page.html").read_text("utf-8")
    page.write_text(text + f"{{# {mark} #}}\n", "utf-8")


def _files(project: Path) -> dict[str, bytes]:
    found = {}
    for folder in ("output", "locales"):
        for path in sorted((project / folder).rglob("*")):
            if path.is_file():
                found[path.relative_to(project).as_posix()] = path.read_bytes()
    return found


def _restored(run: dict[str, dict[str, object]]) -> dict[str, object]:
    return {lang: entry["restored_units"] for lang, entry in run.items()}


def test_template_edit_restores_no_markup_and_writes_the_same_bytes(
    runner: CliRunner, pseudo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _build(runner, pseudo)
    assert all(int(str(n)) > 10 for n in _restored(first).values())
    fresh = tmp_path / "fresh"
    shutil.copytree(pseudo, fresh)
    (fresh / MEMORY).unlink()  # the same build without any kept result: everything afresh

    calls: list[str] = []
    real = pipeline.translate.restore
    monkeypatch.setattr(
        pipeline.translate, "restore", lambda *a, **k: calls.append("restore") or real(*a, **k)
    )
    for folder in (pseudo, fresh):
        _edit_template(folder, "edited")
    again = _build(runner, pseudo)
    assert _restored(again) == {"es": 0, "fr": 0}
    assert calls == []  # not one sentence restored
    assert again["es"]["memory_hits"] == first["es"]["engine_texts"]

    afresh = _build(runner, fresh)
    assert calls and _restored(afresh) == _restored(first)
    assert _files(pseudo) == _files(fresh)


def test_glossary_change_restores_again_and_changes_the_page(
    runner: CliRunner, pseudo: Path
) -> None:
    _build(runner, pseudo)
    page = pseudo / "output" / "es" / "ai-csam-pledge.html"
    assert "material de abuso sexual infantil" in page.read_text("utf-8")
    glossary = pseudo / "glossary.toml"
    text = glossary.read_text("utf-8")
    # Only the forced words change: the engine input (a placeholder) and its translation
    # stay the same, so the memory alone must see that the glossary changed.
    glossary.write_text(text.replace("material de abuso sexual infantil", "MASI"), "utf-8")
    run = _build(runner, pseudo)
    assert run["es"]["engine_texts"] == 0
    assert int(str(run["es"]["restored_units"])) > 0
    assert run["fr"]["restored_units"] == 0  # French terms unchanged: kept
    shown = page.read_text("utf-8")
    assert "MASI" in shown and "material de abuso sexual infantil" not in shown
    catalog = (pseudo / "locales" / "es" / "ai-csam-pledge.po").read_text("utf-8")
    assert "MASI" in catalog


def test_a_changed_translation_is_restored_again(runner: CliRunner, pseudo: Path) -> None:
    _build(runner, pseudo)
    with sqlite3.connect(pseudo / MEMORY) as conn:
        source, target = conn.execute(
            "SELECT source, target FROM translations WHERE pair = 'en-es' AND source LIKE "
            "'Technology companies%'"
        ).fetchone()
        conn.execute(
            "UPDATE translations SET target = ? WHERE pair = 'en-es' AND source = ?",
            ("Una traducción corregida a mano.", source),
        )
    assert target != "Una traducción corregida a mano."
    _edit_template(pseudo, "force a full build")  # the memory's row count did not change
    run = _build(runner, pseudo)
    assert run["es"]["restored_units"] == 1 and run["fr"]["restored_units"] == 0
    page = (pseudo / "output" / "es" / "ai-csam-pledge.html").read_text("utf-8")
    assert "Una traducción corregida a mano" in page


def test_unreadable_kept_results_are_computed_again(runner: CliRunner, pseudo: Path) -> None:
    _build(runner, pseudo)
    before = _files(pseudo)
    with sqlite3.connect(pseudo / MEMORY) as conn:
        conn.execute("UPDATE derived SET value = 'not json'")
    _edit_template(pseudo, "again")
    run = _build(runner, pseudo)
    assert all(int(str(n)) > 10 for n in _restored(run).values())
    assert _files(pseudo) == before


def test_a_catalog_file_changed_by_hand_is_written_again(runner: CliRunner, pseudo: Path) -> None:
    _build(runner, pseudo)
    catalog = pseudo / "locales" / "es" / "ai-csam-pledge.po"
    written = catalog.read_bytes()
    # The same entries, not as msgcat writes them: each header line on its own string.
    lines = written.decode("utf-8").split("\n")
    start = lines.index('msgstr ""')
    assert lines[start + 1].startswith('"Project-Id-Version')
    lines.insert(start + 1, '""')
    catalog.write_bytes("\n".join(lines).encode("utf-8"))
    _edit_template(pseudo, "rewrap")
    _build(runner, pseudo)
    assert catalog.read_bytes() == written


def test_a_version_2_memory_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE translations (pair TEXT NOT NULL, identity TEXT NOT NULL, "
            "source TEXT NOT NULL, target TEXT NOT NULL, score REAL, alignment TEXT, "
            "PRIMARY KEY (pair, identity, source));"
            "CREATE TABLE history (lang TEXT NOT NULL, slug TEXT NOT NULL, unit TEXT NOT NULL, "
            "digest TEXT NOT NULL, change INTEGER NOT NULL, PRIMARY KEY (lang, slug, unit));"
            "INSERT INTO translations VALUES ('en-es', 'm', 'Hello', 'Hola', -0.5, NULL);"
            "PRAGMA user_version = 2;"
        )
    conn.close()
    with TranslationMemory(path) as memory:
        assert memory.lookup("m", "es", ["Hello"])["Hello"].text == "Hola"
        memory.keep("restored", {"k": "v"})
    with TranslationMemory(path) as memory:
        assert memory.recall("restored", ["k", "other"]) == {"k": "v"}
        assert memory.lookup("m", "es", ["Hello"])["Hello"].score == -0.5
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    conn.close()
    assert not list(tmp_path.glob("*.corrupt*"))  # migrated, not set aside
