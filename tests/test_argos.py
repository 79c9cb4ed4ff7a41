"""The real Argos path, offline: generated packages, install, build, pivot, no network."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import main

from .conftest import EXAMPLE

Install = Callable[..., list[Path]]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make every attempt to open a connection or resolve a name fail loudly, and record it."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_models_install_file_then_list_and_remove(
    runner: CliRunner, argos_packages: dict[str, Path], isolated_home: Path
) -> None:
    result = runner.invoke(main, ["models", "install", str(argos_packages["en-es"])])
    assert result.exit_code == 0, result.output
    assert "installed" in result.output
    assert str(isolated_home / "argos-packages") in result.output  # honours ARGOS_PACKAGES_DIR
    listed = runner.invoke(main, ["models", "list"])
    assert listed.exit_code == 0
    assert "en→es\t1.0\t" in listed.output
    removed = runner.invoke(main, ["models", "remove", "es"])
    assert removed.exit_code == 0, removed.output
    assert "No Argos models installed" in runner.invoke(main, ["models", "list"]).output


def test_install_rejects_a_file_that_is_not_a_package(runner: CliRunner, tmp_path: Path) -> None:
    bogus = tmp_path / "fake.argosmodel"
    bogus.write_text("not a zip")
    result = runner.invoke(main, ["models", "install", str(bogus)])
    assert result.exit_code == 1
    assert "not an Argos model (not a zip archive)" in result.output
    empty = tmp_path / "empty.argosmodel"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("pkg/readme.txt", "hello")
    result = runner.invoke(main, ["models", "install", str(empty)])
    assert result.exit_code == 1
    assert "no <folder>/metadata.json inside" in result.output


def test_argos_build_offline_with_network_disabled(
    runner: CliRunner, project: Path, install_argos: Install, no_network: list[Any]
) -> None:
    install_argos("en-es", "en-ar")
    source = project / "examples" / EXAMPLE.name
    result = runner.invoke(
        main, ["-C", str(project), "build", str(source), "--lang", "es,ar", "--engine", "argos"]
    )
    assert result.exit_code == 0, result.output
    assert no_network == []
    assert "2 model load(s)" in result.output
    # The machine-translation notice, in the page's language (UI catalogs).
    notices = {"es": "Traducción automática", "ar": "ترجمة آلية"}
    for lang in ("es", "ar"):
        page = (project / "output" / lang / "ai-csam-pledge.html").read_text(encoding="utf-8")
        assert "https://www.iwf.org.uk/" in page  # links survive whatever the model writes
        assert notices[lang] in page


def test_build_process_never_imports_argostranslate_translate(
    project: Path, install_argos: Install, isolated_home: Path
) -> None:
    install_argos("en-es")
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "try:\n"
        "    main(['-C', sys.argv[1], 'build', '--lang', 'es', '--engine', 'argos'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "heavy = ('argostranslate.translate', 'torch', 'stanza', 'spacy')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(project)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


def test_pivot_through_an_intermediate_language(
    runner: CliRunner, project: Path, install_argos: Install, no_network: list[Any]
) -> None:
    install_argos("en-fr", "fr-de")
    result = runner.invoke(main, ["-C", str(project), "build", "--lang", "de", "--engine", "argos"])
    assert result.exit_code == 0, result.output
    assert "2 model load(s)" in result.output  # en→fr, then fr→de
    assert (project / "output" / "de" / "ai-csam-pledge.html").exists()


def test_missing_model_lists_installed_pairs_and_both_ways_to_install(
    runner: CliRunner, project: Path, install_argos: Install
) -> None:
    install_argos("en-es")
    result = runner.invoke(
        main, ["-C", str(project), "build", "--lang", "es,uk", "--engine", "argos"]
    )
    assert result.exit_code == 1
    assert "no Argos model for en→uk (installed: en→es)" in result.output
    assert "summary-pipeline models install uk" in result.output
    assert "summary-pipeline models install ./translate-en_uk.argosmodel" in result.output
    assert not (project / "output").exists()


def test_install_from_an_index_downloads_with_progress_and_skips_installed(
    runner: CliRunner,
    argos_packages: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A package index served from local files: the same code path as the real index over https.
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    entries = [
        {
            "from_code": "en",
            "to_code": "es",
            "package_version": "1.0",
            "type": "translate",
            "links": [argos_packages["en-es"].as_uri()],
        },
        {
            "from_code": "en",
            "to_code": "ar",
            "package_version": "1.0",
            "type": "translate",
            "links": [argos_packages["en-ar"].as_uri()],
        },
    ]
    (index_dir / "index.json").write_text(json.dumps(entries))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", index_dir.as_uri() + "/")
    from .conftest import _reload_argos_settings

    _reload_argos_settings()
    available = runner.invoke(main, ["models", "available"])
    assert available.exit_code == 0, available.output
    assert "en→ar\t1.0" in available.output and "en→es\t1.0" in available.output
    first = runner.invoke(main, ["models", "install", "es"])
    assert first.exit_code == 0, first.output
    assert "installed en→es 1.0" in first.output
    again = runner.invoke(main, ["models", "install", "es,ar"])
    assert again.exit_code == 0, again.output
    assert "en→es already installed" in again.output
    assert "installed en→ar 1.0" in again.output
    missing = runner.invoke(main, ["models", "install", "xh"])
    assert missing.exit_code == 1
    assert "no en→ model for: xh (offered: ar, es)" in missing.output


def test_unreachable_index_is_one_line_not_a_traceback(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", (tmp_path / "nowhere").as_uri() + "/")
    from .conftest import _reload_argos_settings

    _reload_argos_settings()
    result = runner.invoke(main, ["models", "install", "es"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach the Argos package index")
    assert "Traceback" not in result.output
