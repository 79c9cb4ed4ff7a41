"""Per-process caches: a build reads Babel's locale data only for the languages on its pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# A fresh interpreter (the caches are per process): build twice through the CLI with the
# pseudo engine (the second after a source edit) and report which Babel locales were read
# from disk, per build.
_CHILD = r"""
import json, sys
import babel.localedata as localedata
from click.testing import CliRunner
from pipeline.cli import main

read = []
original = localedata.load
def load(name, merge_inherited=True):
    if name not in localedata._cache:
        read.append(name)
    return original(name, merge_inherited)
localedata.load = load

builds = []
source = next(__import__("pathlib").Path(sys.argv[1], "examples").glob("*.md"))
for extra in ("", "\n\nOne more paragraph, so that the second build renders again.\n"):
    source.write_text(source.read_text(encoding="utf-8") + extra, encoding="utf-8")
    before = len(read)
    result = CliRunner().invoke(main, ["-C", sys.argv[1], "build", "--engine", "pseudo"])
    assert result.exit_code == 0, result.output
    builds.append(read[before:])
print(json.dumps(builds))
"""

PAGE_LANGUAGES = ("es", "fr", "ar", "uk", "hi", "zh")


def _locales_read(project: Path) -> list[list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(project)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_build_reads_locale_data_of_page_languages_only(project: Path) -> None:
    """The stylesheet covers ~70 languages, yet only the pages' locales are loaded, once."""
    config = project / "summary-pipeline.toml"
    text = config.read_text(encoding="utf-8")
    assert "languages = [" in text
    lines = [
        f"languages = {json.dumps(list(PAGE_LANGUAGES))}" if line.startswith("languages") else line
        for line in text.splitlines()
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first, second = _locales_read(project)
    # Babel's own parents: "root", and "zh_Hans" for "zh".
    allowed = {"root", "en", *PAGE_LANGUAGES, "zh_Hans"}
    assert set(first) <= allowed, sorted(set(first) - allowed)
    assert {"es", "ar", "zh"} <= set(first)
    assert len(first) == len(set(first))  # each read once
    assert second == []  # the same process builds again without reading any
