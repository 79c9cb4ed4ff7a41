"""Translation memory: keys, recovery from corruption, and no model load on a no-op rebuild."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.engines import Translation
from pipeline.memory import TranslationMemory, normalize

from .helpers import build_record

Install = Callable[..., list[Path]]


def _build(runner: CliRunner, project: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(main, ["-C", str(project), "build", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = build_record(project)
    return data


def _lang(data: dict[str, object], lang: str) -> dict[str, object]:
    languages = data["languages"]
    assert isinstance(languages, dict)
    entry = languages[lang]
    assert isinstance(entry, dict)
    return entry


def test_lookup_is_keyed_by_model_pair_and_normalized_text(tmp_path: Path) -> None:
    with TranslationMemory(tmp_path / "m.sqlite3") as memory:
        alignment = ((0, 5, 0, 4), (6, 11, 5, 9))
        memory.store(
            "model-a", "es", {"Hello  world ": Translation("Hola mundo", -0.25, alignment)}
        )
        found = memory.lookup("model-a", "es", ["Hello world", "Hello\nworld", "Goodbye"])
        assert set(found) == {"Hello world", "Hello\nworld"}
        assert found["Hello world"] == Translation("Hola mundo", -0.25, alignment)
        assert memory.lookup("model-b", "es", ["Hello world"]) == {}  # another model
        assert memory.lookup("model-a", "fr", ["Hello world"]) == {}  # another pair
    assert normalize("  a\u0301 \t b ") == "\u00e1 b"
    # Reopened from disk: the rows were committed.
    with TranslationMemory(tmp_path / "m.sqlite3") as memory:
        assert memory.lookup("model-a", "es", ["Hello world"])["Hello world"].text == "Hola mundo"


def test_corrupt_memory_warns_once_is_moved_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "memory.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    with caplog.at_level(logging.WARNING, logger="pipeline"):
        memory = TranslationMemory(path)
        memory.store("m", "es", {"a": Translation("b")})
        assert memory.lookup("m", "es", ["a"]) == {"a": Translation("b")}
        memory.close()
    warnings = [r for r in caplog.records if "unusable" in r.getMessage()]
    assert len(warnings) == 1
    assert (tmp_path / "memory.sqlite3.corrupt").read_bytes().startswith(b"this is not")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_corrupt_memory_never_stops_a_build(runner: CliRunner, project: Path) -> None:
    _build(runner, project, "--engine", "pseudo", "--lang", "es")
    memory = project / ".summary-pipeline" / "memory.sqlite3"
    memory.write_bytes(b"\0garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(f"{memory}{suffix}").unlink(missing_ok=True)
    result = runner.invoke(main, ["-C", str(project), "build", "--engine", "pseudo", "-l", "es"])
    assert result.exit_code == 0, result.output
    assert result.output.count("is unusable") == 1
    # The new memory is filled again: the next build needs no engine.
    data = _build(runner, project, "--engine", "pseudo", "--lang", "es")
    assert _lang(data, "es")["engine_texts"] == 0


def test_memory_path_is_configurable(runner: CliRunner, project: Path) -> None:
    toml = project / "summary-pipeline.toml"
    toml.write_text('memory = "cache/tm.db"\n' + toml.read_text("utf-8"), encoding="utf-8")
    _build(runner, project, "--engine", "pseudo", "--lang", "fr")
    with TranslationMemory(project / "cache" / "tm.db") as memory:
        assert memory.count("pseudo-1") > 20


def test_argos_noop_rebuild_loads_no_model_and_upgrade_invalidates_only_that_model(
    runner: CliRunner, project: Path, install_argos: Install
) -> None:
    es_dir, _ar_dir = install_argos("en-es", "en-ar")
    args = ("--engine", "argos", "--lang", "es,ar")
    first = _build(runner, project, *args)
    assert _lang(first, "es")["model_loads"] == 1
    assert int(str(_lang(first, "es")["engine_texts"])) > 20

    # Without the up-to-date record the rebuild goes through the memory: still no model.
    (project / ".summary-pipeline" / "last-build.json").unlink()
    again = _build(runner, project, *args)
    for lang in ("es", "ar"):
        assert _lang(again, lang)["model_loads"] == 0
        assert _lang(again, lang)["engine_calls"] == 0
        assert _lang(again, lang)["memory_hits"] == _lang(first, lang)["engine_texts"]
    assert _lang(again, "es")["model"] == _lang(first, "es")["model"]

    # "Upgrade" the es model: a new version number changes its identity.
    meta_path = es_dir / "metadata.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta["package_version"] = "99.0"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    upgraded = _build(runner, project, *args)
    assert "@99.0#" in str(_lang(upgraded, "es")["model"])
    assert _lang(upgraded, "es")["engine_texts"] == _lang(first, "es")["engine_texts"]
    assert _lang(upgraded, "es")["model_loads"] == 1
    assert _lang(upgraded, "ar")["engine_texts"] == 0  # the other model's entries stay valid
    assert _lang(upgraded, "ar")["model_loads"] == 0
    # Machine entries now name the new model.
    catalog = (project / "locales" / "es" / "ai-csam-pledge.po").read_text("utf-8")
    assert "@99.0#" in catalog
