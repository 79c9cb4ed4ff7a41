"""Shared fixtures: an isolated home for every test, a CLI runner, generated Argos packages."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ai-csam-pledge.md"

_ISOLATED_VARS = (
    "HOME",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "ARGOS_PACKAGES_DIR",
)


def _reload_argos_settings() -> None:
    # argostranslate.settings reads the environment once, at import; a test that changes the
    # environment after that must reload it (argostranslate.package holds the same module object).
    if "argostranslate.settings" in sys.modules:
        importlib.reload(sys.modules["argostranslate.settings"])


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """HOME, XDG folders and the Argos packages folder in a fresh temp dir for each test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(home / "argos-packages"))
    monkeypatch.delenv("ARGOS_PACKAGE_INDEX", raising=False)
    monkeypatch.delenv("ARGOS_TRANSLATE_PACKAGE_DIR", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    _reload_argos_settings()
    # No reload on teardown: it would point argostranslate back at the real HOME and create its
    # folders there. The next test's setup reloads it for its own home.
    yield home


@pytest.fixture
def runner() -> CliRunner:
    """A Click runner for the public CLI."""
    return CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder holding a copy of the example, its glossary and settings."""
    (tmp_path / "examples").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "examples" / EXAMPLE.name)
    for name in ("summary-pipeline.toml", "glossary.toml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def argos_packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small but real .argosmodel files, generated once per test session.

    en→es, en→ar, en→fr and fr→de (for pivoting en→fr→de).
    """
    from pipeline.testing.argos_package import build_argos_package

    folder = tmp_path_factory.mktemp("argosmodels")
    cache = tmp_path_factory.mktemp("argoscache")
    pairs = [("en", "es"), ("en", "ar"), ("en", "fr"), ("fr", "de")]
    return {
        f"{src}-{tgt}": build_argos_package(
            folder, from_code=src, to_code=tgt, seed=i, cache_dir=cache
        )
        for i, (src, tgt) in enumerate(pairs)
    }


@pytest.fixture
def install_argos(argos_packages: dict[str, Path]) -> object:
    """Install generated packages into the isolated packages folder through the package API."""
    from pipeline import models

    def install(*pairs: str) -> list[Path]:
        return [models.install_file(argos_packages[pair]) for pair in pairs]

    return install
