"""The CLI starts fast: --help imports no model runtime, templating or PDF library."""

from __future__ import annotations

import subprocess
import sys
import time


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
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    assert "HEAVY []" in done.stdout
    assert "build" in done.stdout and "models" in done.stdout
    assert elapsed < 1.0, f"--help took {elapsed:.2f} s"


def test_python_dash_m_pipeline_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, check=True
    )
    assert "summary-pipeline, version" in done.stdout
