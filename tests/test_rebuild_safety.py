"""Scheduled rebuilds: byte-identical no-op builds, one edit → one sentence, the lock, kills."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import REVIEWED, parse_po, read_catalog
from pipeline.cli import main
from pipeline.errors import EXIT_ERROR
from pipeline.lock import project_lock

from .helpers import approve, build_record

SIX = "es,fr,ar,uk,hi,zh"
SOURCE = "examples/ai-csam-pledge.md"


def _build(runner: CliRunner, project: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(main, ["-C", str(project), "-q", "build", "-e", "pseudo", *args])
    assert result.exit_code == 0, result.output
    assert result.output == ""  # --quiet: nothing for cron to mail
    data: dict[str, object] = build_record(project)
    return data


def _snapshot(project: Path) -> dict[str, str]:
    files = {}
    for folder in ("output", "locales"):
        for path in sorted((project / folder).rglob("*")):
            if path.is_file():
                files[path.relative_to(project).as_posix()] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return files


def _languages(data: dict[str, object]) -> dict[str, dict[str, object]]:
    languages = data["languages"]
    assert isinstance(languages, dict)
    return languages


def _approve(project: Path, lang: str, unit_id: str, text: str) -> None:
    approve(project / "locales" / lang / "ai-csam-pledge.po", unit_id, text)


def test_noop_rebuild_is_byte_identical_and_calls_no_engine(
    runner: CliRunner, project: Path
) -> None:
    first = _build(runner, project, "-l", SIX)
    assert all(int(str(v["engine_texts"])) > 20 for v in _languages(first).values())
    before = _snapshot(project)
    second = _build(runner, project, "-l", SIX)
    after = _snapshot(project)
    for lang, info in _languages(second).items():
        assert info["engine_calls"] == 0, lang
        assert info["engine_texts"] == 0, lang
        assert info["translated_units"] == []
    # What a run did (durations, engine work) lives in .summary-pipeline/last-run.json:
    # output/ and locales/ are byte-identical, build.json included.
    assert before == after
    assert len(before) > 25
    third = _build(runner, project, "-l", SIX)
    assert third == second
    assert _snapshot(project) == after
    files = second["files"]
    assert isinstance(files, dict)
    assert files["output"]["es/ai-csam-pledge.html"] == after["output/es/ai-csam-pledge.html"]
    assert files["locales"]["es/ai-csam-pledge.po"] == after["locales/es/ai-csam-pledge.po"]
    run = project / ".summary-pipeline" / "last-run.json"
    assert "seconds" in json.loads(run.read_text("utf-8"))


def test_one_edited_sentence_is_the_only_engine_work_and_reviews_stay(
    runner: CliRunner, project: Path
) -> None:
    _build(runner, project, "-l", SIX)
    _approve(project, "fr", "heading-2", "Pourquoi maintenant")
    _build(runner, project, "-l", SIX)
    catalog_before = (project / "locales" / "fr" / "ai-csam-pledge.po").read_text("utf-8")
    source = project / SOURCE
    source.write_text(
        source.read_text("utf-8").replace(
            "That is roughly one image in four.", "That is about one image in four."
        ),
        encoding="utf-8",
    )
    data = _build(runner, project, "-l", SIX)
    for lang, info in _languages(data).items():
        assert info["engine_calls"] == 1, lang
        assert info["engine_texts"] == 1, lang
        assert info["translated_units"] == ["ai-csam-pledge/paragraph-7"], lang
    catalog_after = (project / "locales" / "fr" / "ai-csam-pledge.po").read_text("utf-8")
    assert 'msgstr "Pourquoi maintenant"' in catalog_after
    old_entries = parse_po(catalog_before).entries
    new_entries = parse_po(catalog_after).entries
    assert len(old_entries) == len(new_entries)
    for old, new in zip(old_entries, new_entries, strict=True):
        same = (old.context, old.msgid, old.msgstr, old.flags) == (
            new.context,
            new.msgid,
            new.msgstr,
            new.flags,
        )
        assert same == (new.context != "paragraph-7"), new.context
    assert _languages(data)["fr"]["units"] == {
        "reviewed": 1,
        "draft": 0,
        "machine": 29,
        "stale": 0,
        "rejected": 0,
        "missing": 0,
    }


def test_source_date_epoch_is_the_only_date(
    runner: CliRunner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = _build(runner, project, "-l", "es")
    assert data["source_date"] == "2023-11-14T22:13:20Z"
    catalog = (project / "locales" / "es" / "ai-csam-pledge.po").read_text("utf-8")
    assert '"PO-Revision-Date: 2023-11-14 22:13+0000\\n"' in catalog
    year = time.strftime("%Y")
    if year != "2023":  # the build's own wall clock appears nowhere
        for path in (project / "output").rglob("*"):
            if path.is_file():
                assert year not in path.read_text("utf-8"), path


def test_second_run_waits_for_the_lock_then_fails_clearly(runner: CliRunner, project: Path) -> None:
    toml = project / "summary-pipeline.toml"
    toml.write_text("lock_timeout = 0.3\n" + toml.read_text("utf-8"), encoding="utf-8")
    started = time.monotonic()
    with project_lock(project / ".summary-pipeline", 1.0):
        result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es"])
    assert result.exit_code == EXIT_ERROR
    assert 0.3 <= time.monotonic() - started < 5
    assert "another summary-pipeline run" in result.output
    assert "gave up after waiting 0.3 s" in result.output
    assert not (project / "output").exists()
    # Released: the next run gets it.
    _build(runner, project, "-l", "es")


KILLS = 20


def _check_state(project: Path, reviewed: dict[tuple[str, str], str]) -> None:
    """Everything a killed build left is readable and no reviewed text is lost."""
    for (lang, unit_id), text in reviewed.items():
        catalog = read_catalog(project / "locales" / lang / "ai-csam-pledge.po")
        assert catalog is not None
        entry = next(e for e in catalog.entries if e.msgstr == text)
        assert entry.status == REVIEWED or entry.fuzzy, (lang, unit_id)
    for path in (project / "locales").rglob("*.po"):
        read_catalog(path)  # raises on a torn file
    for path in (project / "output").rglob("*.html"):
        assert path.read_text("utf-8").rstrip().endswith("</html>"), path
    for path in (project / "output").rglob("*.json"):
        json.loads(path.read_text("utf-8"))
    with sqlite3.connect(project / ".summary-pipeline" / "memory.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_killed_builds_never_lose_reviews_or_corrupt_state(project: Path) -> None:
    """At least 20 real SIGKILLs at random points of builds that rewrite catalogs."""
    rng = random.Random(20231102)
    langs = "es,fr,ar"
    command = [sys.executable, "-m", "pipeline", "-C", str(project), "-q", "build", "-e", "pseudo"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([*command, "-l", langs], check=True, env=env, capture_output=True)
    reviewed = {
        ("es", "heading-1"): "Lo que se acordó",
        ("fr", "heading-2"): "Pourquoi maintenant",
        ("ar", "heading-3"): "ما تظهره الأرقام",
        ("es", "paragraph-7"): "Es aproximadamente una imagen de cada cuatro.",
    }
    for (lang, unit_id), text in reviewed.items():
        _approve(project, lang, unit_id, text)
    source = project / SOURCE
    original = source.read_text("utf-8")
    variants = [
        original,
        original.replace("That is roughly one image in four.", "That is about one in four."),
        original.replace("## What was agreed", "## What they agreed"),
        original.replace("signed a **joint statement**", "signed a **shared statement**"),
    ]
    started = time.monotonic()
    subprocess.run([*command, "-l", langs], check=True, env=env, capture_output=True)
    duration = time.monotonic() - started

    kills = 0
    attempts = 0
    while kills < KILLS:
        attempts += 1
        assert attempts < 4 * KILLS, "builds finish before the kill: the test is not killing"
        source.write_text(rng.choice(variants), encoding="utf-8")
        if rng.random() < 0.2:  # now and then the memory is lost too: a full retranslation
            for suffix in ("", "-wal", "-shm"):
                Path(f"{project}/.summary-pipeline/memory.sqlite3{suffix}").unlink(missing_ok=True)
        process = subprocess.Popen(
            [*command, "-l", langs], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(rng.uniform(0.05, duration * 1.1))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        assert process.returncode in (0, -signal.SIGKILL), process.stderr
        if process.stderr:
            process.stderr.close()
        _check_state(project, reviewed)

    source.write_text(original, encoding="utf-8")
    done = subprocess.run([*command, "-l", langs], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    _check_state(project, reviewed)
    assert not list(project.rglob(".*.tmp"))  # leftovers of killed writes were cleaned up
    for (lang, unit_id), text in reviewed.items():
        catalog = read_catalog(project / "locales" / lang / "ai-csam-pledge.po")
        assert catalog is not None
        entry = next(e for e in catalog.entries if e.context == unit_id)
        assert (entry.msgstr, entry.status) == (text, REVIEWED)
        page = (project / "output" / lang / "ai-csam-pledge.html").read_text("utf-8")
        assert text in page
