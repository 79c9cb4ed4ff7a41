"""Start real LibreTranslate servers on loopback ports, offline, for tests and benchmarks.

LibreTranslate 1.9.6 lives in its own virtual environment (``.lt-venv/`` in the project, or
``$SUMMARY_PIPELINE_LT_VENV``): its pins conflict with argostranslate's and it ships a fork
under the same module name. ``bash setup.sh --libretranslate`` creates it.

A server here serves generated packages (:mod:`pipeline.testing.argos_package`) that carry a
MiniSBD sentence splitter (:mod:`pipeline.testing.minisbd_model`), installed into its own
``ARGOS_PACKAGES_DIR`` under at least two target codes (with one, LibreTranslate tries to
update its package index at start). ``ARGOS_CHUNK_TYPE=MINISBD`` keeps it from downloading
any other splitter. Every server gets its own HOME and XDG folders and listens on 127.0.0.1
(the ``--host`` it is given; :meth:`LibreTranslateServer.url` is always loopback).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.testing.argos_package import TINY, ModelSize, build_argos_package
from pipeline.testing.minisbd_model import add_files_to_package, build_minisbd_model

__all__ = [
    "LibreTranslateServer",
    "free_port",
    "install_packages",
    "libretranslate_executable",
    "make_packages",
]

ROOT = Path(__file__).resolve().parents[2]
VENV_ENV = "SUMMARY_PIPELINE_LT_VENV"


def libretranslate_executable() -> Path | None:
    """The ``libretranslate`` script of the LibreTranslate venv, or None if not installed."""
    venv = Path(os.environ.get(VENV_ENV) or ROOT / ".lt-venv")
    script = venv / "bin" / "libretranslate"
    return script if script.is_file() else None


def make_packages(
    dest: Path,
    targets: Sequence[str],
    *,
    source: str = "en",
    size: ModelSize = TINY,
    cache_dir: Path | None = None,
) -> list[Path]:
    """One ``.argosmodel`` per target, all the same generated model, each with MiniSBD."""
    splitter = build_minisbd_model(source)
    paths = []
    for code in targets:
        path = build_argos_package(
            dest, from_code=source, to_code=code, size=size, cache_dir=cache_dir
        )
        paths.append(add_files_to_package(path, {f"minisbd/{source}.onnx": splitter}))
    return paths


def install_packages(packages: Sequence[Path], packages_dir: Path) -> Path:
    """Install packages where argostranslate looks for them, each archive checked first."""
    from pipeline.model_archive import extract_checked, inspect_archive

    packages_dir.mkdir(parents=True, exist_ok=True)
    for package in packages:
        info = inspect_archive(package)
        staging = Path(tempfile.mkdtemp(dir=packages_dir.parent, prefix=".sp-install-"))
        try:
            folder = extract_checked(package, info, staging)
            folder.rename(packages_dir / info.top)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return packages_dir


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LibreTranslateServer:
    """One ``libretranslate`` process on 127.0.0.1; ``start()``, ``wait()``, ``stop()``."""

    def __init__(
        self,
        packages_dir: Path,
        home: Path,
        languages: Sequence[str],
        *,
        port: int | None = None,
        extra_args: Sequence[str] = (),
        threads: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.packages_dir = packages_dir
        self.home = home
        self.languages = list(languages)
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.threads = threads
        self.extra_env = dict(env or {})  # e.g. ARGOS_BEAM_SIZE, ARGOS_INTRA_THREADS
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = home / "libretranslate.log"

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LibreTranslateServer:
        """Start the process (returns at once; call :meth:`wait`)."""
        script = libretranslate_executable()
        if script is None:
            raise RuntimeError("LibreTranslate is not installed: bash setup.sh --libretranslate")
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LT_", "ARGOS_", "XDG_"))
        }
        env.update(
            HOME=str(self.home),
            XDG_DATA_HOME=str(self.home / "data"),
            XDG_CACHE_HOME=str(self.home / "cache"),
            XDG_CONFIG_HOME=str(self.home / "config"),
            ARGOS_PACKAGES_DIR=str(self.packages_dir),
            ARGOS_CHUNK_TYPE="MINISBD",
            # Never reach for a package index or a sentence-splitter download.
            ARGOS_PACKAGE_INDEX="http://127.0.0.1:9/",
            no_proxy="*",
        )
        env.update(self.extra_env)
        command = [
            str(script),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--load-only",
            ",".join(self.languages),
            "--disable-web-ui",
            *self.extra_args,
        ]
        if self.threads:
            command += ["--threads", str(self.threads)]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends every child
        )
        log.close()
        return self

    def wait(self, timeout: float = 120.0) -> LibreTranslateServer:
        """Block until ``GET /languages`` answers; raise with the log's tail if it never does."""
        deadline = time.monotonic() + timeout
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"libretranslate exited early:\n{self.log_tail()}")
            try:
                with opener.open(self.url + "/languages", timeout=2) as response:
                    if response.status == 200 and json.loads(response.read()):
                        return self
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"libretranslate did not answer in {timeout:g} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group at once (a crash, not a shutdown)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """End the process group: SIGTERM, then SIGKILL after 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's output."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
