"""The project's state under attack (issue 13, row 12): full disk, kept evidence, planted links."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.memory import TranslationMemory

PAGE = """\
---
title: "Safe water"
---

Boil water for one minute. Keep it covered.
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "water.md").write_text(PAGE, "utf-8")
    (tmp_path / "summary-pipeline.toml").write_text(
        'sources = ["examples/*.md"]\nlanguages = ["es"]\nengine = "pseudo"\n', "utf-8"
    )
    return tmp_path


def _limited_build(project: Path, max_file_bytes: int) -> subprocess.CompletedProcess[str]:
    """The CLI in a process whose files cannot grow past ``max_file_bytes`` (a full disk)."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(project), "build"],
        preexec_fn=limit,  # the limit applies to the child only
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_full_disk_keeps_a_healthy_memory(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert first.exit_code == 0, first.output
    memory = project / ".summary-pipeline" / "memory.sqlite3"
    before = TranslationMemory(memory)
    stored = before.count()
    before.close()
    assert stored > 0
    source = project / "examples" / "water.md"
    source.write_text(PAGE + "\nA new sentence arrives. And one more.\n", "utf-8")

    full = _limited_build(project, 8192)
    # Small pages still fit: the build ends (0), or names the file it could not write (1).
    assert full.returncode in (0, 1), full.stdout + full.stderr
    assert "Traceback" not in full.stderr
    assert "cannot be used now" in full.stderr and "is the disk full" in full.stderr
    assert "unusable" not in full.stderr and "corrupt" not in full.stderr
    assert full.returncode == 0 or "File too large" in full.stderr
    assert not list(memory.parent.glob("*.corrupt*"))

    again = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert again.exit_code == 0, again.output
    after = TranslationMemory(memory)
    assert after.count() > stored  # the old entries survived, the new ones were added
    after.close()


def test_a_second_corrupt_memory_never_replaces_the_first(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    for text in (b"first broken file " * 300, b"second broken file " * 300):
        path.write_bytes(text)
        TranslationMemory(path).close()
    assert (tmp_path / "memory.sqlite3.corrupt").read_bytes().startswith(b"first")
    assert (tmp_path / "memory.sqlite3.corrupt-2").read_bytes().startswith(b"second")
    assert TranslationMemory(path).count() == 0


def test_a_planted_lock_link_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", "utf-8")
    state = project / ".summary-pipeline"
    state.mkdir()
    (state / "lock").symlink_to(victim)
    result = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert result.exit_code == 1, result.output
    assert "Error: cannot create the project lock" in result.output
    assert victim.read_text("utf-8") == "precious"
