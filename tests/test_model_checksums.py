"""Model checksums: cached per user, trusted only for unchanged files, never required."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import models
from pipeline.cli import main

from .helpers import build_record

Install = Callable[..., list[Path]]


def _cold_build(runner: CliRunner, project: Path) -> str:
    """A build with no memory, catalogs or state; the model identity it reports for es."""
    for name in (".summary-pipeline", "locales", "output"):
        shutil.rmtree(project / name, ignore_errors=True)
    args = ["-C", str(project), "build", "--engine", "argos", "--lang", "es"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    languages = build_record(project)["languages"]
    assert isinstance(languages, dict)
    return str(languages["es"]["model"])


def _user_cache() -> Path:
    cache = models.checksum_cache()
    assert cache is not None
    return cache


def _forge(folder: Path, value: str) -> None:
    """Replace the cached checksum: a build that names ``value`` trusted the cache."""
    data = json.loads(_user_cache().read_text("utf-8"))
    data[str(folder)]["checksum"] = value
    _user_cache().write_text(json.dumps(data), encoding="utf-8")


def test_cold_builds_reuse_the_per_user_checksum(
    runner: CliRunner, project: Path, install_argos: Install
) -> None:
    (folder,) = install_argos("en-es")
    first = _cold_build(runner, project)
    assert first.endswith("#" + models.model_checksum(folder))  # the cache holds the real one
    assert _user_cache().is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))
    assert not (project / ".summary-pipeline" / models.CHECKSUM_CACHE).exists()
    _forge(folder, "cafecafecafe")
    assert _cold_build(runner, project).endswith("#cafecafecafe")  # no state, still cached


def test_a_model_file_written_in_place_is_hashed_again(
    runner: CliRunner, project: Path, install_argos: Install
) -> None:
    (folder,) = install_argos("en-es")
    _cold_build(runner, project)
    _forge(folder, "cafecafecafe")
    # Same size, same modification time: only its change time tells.
    weights = folder / "model" / "model.bin"
    before = weights.stat()
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = _cold_build(runner, project)
    assert after.endswith("#" + models.model_checksum(folder))
    assert "cafecafecafe" not in after


def test_a_replaced_model_file_is_hashed_again(tmp_path: Path, install_argos: Install) -> None:
    (folder,) = install_argos("en-es")
    cache = tmp_path / "checksums.json"
    first = models.model_checksum(folder, cache)
    vocabulary = folder / "sentencepiece.model"
    copy = tmp_path / "copy"
    copy.write_bytes(vocabulary.read_bytes())
    stat = vocabulary.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    copy.replace(vocabulary)  # the same bytes, size and mtime under a new inode
    data = json.loads(cache.read_text("utf-8"))
    data[str(folder)]["checksum"] = "cafecafecafe"
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert models.model_checksum(folder, cache) == first


@pytest.mark.parametrize("broken", ["a file", "garbage"])
def test_an_unusable_cache_still_builds(
    runner: CliRunner,
    project: Path,
    install_argos: Install,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    broken: str,
) -> None:
    (folder,) = install_argos("en-es")
    if broken == "a file":  # no folder can be made there, not even by root
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x", encoding="utf-8")
        monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    else:
        _user_cache().parent.mkdir(parents=True)
        _user_cache().write_text("{not json", encoding="utf-8")
    assert _cold_build(runner, project).endswith("#" + models.model_checksum(folder))


def test_without_update_the_cache_is_read_but_never_written(
    tmp_path: Path, install_argos: Install
) -> None:
    (folder,) = install_argos("en-es")
    cache = tmp_path / "checksums.json"
    first = models.model_checksum(folder, cache, update=False)
    assert not cache.exists()
    models.model_checksum(folder, cache)
    written = cache.read_bytes()
    assert models.model_checksum(folder, cache, update=False) == first
    assert cache.read_bytes() == written
