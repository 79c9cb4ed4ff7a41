"""The CLI starts fast: --help imports no model runtime, templating or PDF library, and a
rebuild that finds nothing changed loads none of the code that would redo the work."""

from __future__ import annotations

import ast
import json
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('ctranslate2', 'torch', 'argostranslate', 'weasyprint', 'jinja2',\n"
        "         'markdown_it')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])\n"
    )
    # CPU time, not wall time: on a loaded machine (CI shares its cores) the wall clock says
    # more about the neighbours than about the imports.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert "HEAVY []" in done.stdout
    assert "build" in done.stdout and "models" in done.stdout
    assert cpu < 1.0, f"--help took {cpu:.2f} s of CPU"


def test_python_dash_m_pipeline_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, check=True
    )
    assert "summary-pipeline, version" in done.stdout


# What a rebuild that finds nothing changed must not load: translating, merging, checking,
# templating, PDF and HTTP machinery, and the slow importlib.metadata; nor the Markdown and
# YAML parsers, the catalogs' reader, SQLite or Babel: the sources are known by their bytes
# and the memory's counts by its files' state (docs/performance.md).
NOT_FOR_A_NOOP = (
    "ctranslate2", "sentencepiece", "argostranslate.translate", "argostranslate.package",
    "torch", "weasyprint", "jinja2", "markupsafe", "urllib.request", "http.client", "ssl",
    "importlib.metadata",
    "pipeline.translate", "pipeline.qa", "pipeline.render", "pipeline.pdf",
    "pipeline.stages.merge", "pipeline.stages.review",
    "pipeline.engines.libretranslate.engine", "pipeline.backtranslate",
    "markdown_it", "yaml", "sqlite3", "babel",
    "pipeline.stages.load", "pipeline.document", "pipeline.segment", "pipeline.catalog",
    "pipeline.glossary", "pipeline.memory",
)  # fmt: skip


def _imports_of_build(project: Path, *args: str, lang: str = "es") -> tuple[str, list[str]]:
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], prog_name='summary-pipeline')\n"
        "finally:\n"
        f"    print('LOADED', [m for m in {NOT_FOR_A_NOOP!r} if m in sys.modules])\n"
    )
    langs = ["-l", lang] if lang else []
    argv = [sys.executable, "-c", code, "-C", str(project), "build", *langs, *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    summary, loaded = done.stdout.rsplit("LOADED", 1)
    return summary, ast.literal_eval(loaded.strip())


@pytest.mark.parametrize("engine", ["pseudo", "argos"])
def test_an_up_to_date_rebuild_loads_no_translating_or_rendering_code(
    project: Path, install_argos: Callable[..., object], engine: str
) -> None:
    if engine == "argos":
        install_argos("en-es")
    first, loaded_by_full_build = _imports_of_build(project, "-e", engine)
    assert "up to date" not in first
    assert "jinja2" in loaded_by_full_build  # the check sees what a full build needs
    again, loaded = _imports_of_build(project, "-e", engine)
    assert "up to date" in again, again
    assert loaded == []


def test_a_pseudo_noop_does_not_read_the_argos_models(project: Path) -> None:
    _imports_of_build(project, "-e", "pseudo")
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], prog_name='summary-pipeline')\n"
        "finally:\n"
        "    print('MODELS', 'pipeline.models' in sys.modules)\n"
    )
    argv = [sys.executable, "-c", code, "-C", str(project), "build", "-l", "es", "-e", "pseudo"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert "up to date" in done.stdout and "MODELS False" in done.stdout


def test_a_noop_with_front_matter_languages_and_an_image_parses_nothing(project: Path) -> None:
    # What the parse gave (the languages, the image) comes from the record of the last build.
    source = next((project / "examples").glob("*.md"))
    text = source.read_text("utf-8").replace("---\n", "---\nlanguages: [fr, uk]\n", 1)
    (project / "examples" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n a map")
    source.write_text(text + "\n![A map](map.png)\n", "utf-8")
    first, loaded_by_full_build = _imports_of_build(project, "-e", "pseudo", lang="")
    assert "in 2 language(s)" in first and "up to date" not in first
    assert "markdown_it" in loaded_by_full_build and "yaml" in loaded_by_full_build
    again, loaded = _imports_of_build(project, "-e", "pseudo", lang="")
    assert "in 2 language(s)" in again and "up to date" in again, again
    assert loaded == []


def test_a_command_leaves_its_heap_to_the_process_exit(project: Path) -> None:
    """The interpreter's last collections are skipped (they only freed memory the process
    returns anyway); what the build wrote is complete."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('FROZEN', gc.get_freeze_count() > 0))\n"
        "from pipeline.cli import main\n"
        "main(sys.argv[1:], prog_name='summary-pipeline')\n"
    )
    argv = [sys.executable, "-c", code, "-C", str(project), "build", "--engine", "pseudo"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert "FROZEN True" in done.stdout
    assert "Built " in done.stdout
    report = json.loads((project / "output" / "build.json").read_text(encoding="utf-8"))
    assert report["languages"]
    pages = sorted((project / "output").rglob("*.html"))
    assert pages and all(p.read_text(encoding="utf-8").rstrip().endswith("</html>") for p in pages)
