"""Benchmark: the example in six languages, local Argos engine vs one vs two LibreTranslate servers.

Run from the project root after ``bash setup.sh --libretranslate`` (a few minutes):

    .venv/bin/python bench/libretranslate_pool.py            # writes bench/LIBRETRANSLATE.md

The same generated model (``pipeline.testing.argos_package.BASE``, an Argos-sized stand-in:
6+6 layers, d_model 512, int8, 32k pieces) is installed under es, fr, ar, uk, hi and zh, once
for the local engine and once for the servers (with the MiniSBD splitter the servers need).
The servers run on 127.0.0.1 with ``ARGOS_BEAM_SIZE=2``, the pipeline's own beam, so the rows
differ only in where and how the model runs. Every build starts from a fresh project copy
(no memory, no catalogs), ``summary-pipeline build -l es,fr,ar,uk,hi,zh`` in a subprocess.
Each setting runs ``--repeats`` times; the first LibreTranslate build of a server also loads
its models (a long-running server has them loaded), so the table shows the first and the
best run. CPU seconds of the servers (from /proc) are shown beside the wall clock.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / "cache" / "libretranslate"
LANGS = ["es", "fr", "ar", "uk", "hi", "zh"]
sys.path.insert(0, str(ROOT))

from pipeline.testing.argos_package import BASE, TINY  # noqa: E402 - after the path setup
from pipeline.testing.libretranslate_server import (  # noqa: E402
    LibreTranslateServer,
    install_packages,
    make_packages,
)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _project(name: str) -> Path:
    folder = CACHE / "runs" / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "examples").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "ai-csam-pledge.md", folder / "examples")
    for item in ("summary-pipeline.toml", "glossary.toml"):
        if (ROOT / item).exists():
            shutil.copy(ROOT / item, folder / item)
    return folder


def _build(name: str, args: list[str], env: dict[str, str]) -> tuple[float, str]:
    project = _project(name)
    command = [str(ROOT / ".venv" / "bin" / "summary-pipeline"), "-C", str(project), "build"]
    started = time.monotonic()
    done = subprocess.run(
        [*command, "-l", ",".join(LANGS), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"{name} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> None:
    """Run the comparison and write bench/LIBRETRANSLATE.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--tiny", action="store_true", help="the test model instead of BASE")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment of the servers, e.g. ARGOS_INTRA_THREADS=1 (repeatable)",
    )
    options = parser.parse_args()
    size = TINY if options.tiny else BASE

    packages = make_packages(
        CACHE / f"packages-{'tiny' if options.tiny else 'base'}",
        LANGS,
        size=size,
        cache_dir=BENCH / "cache" / "lt-models",
    )
    installed = CACHE / "installed"
    shutil.rmtree(installed, ignore_errors=True)
    install_packages(packages, installed)
    home = CACHE / "home"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ARGOS_", "XDG_"))},
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "ARGOS_PACKAGES_DIR": str(installed),
    }
    server_env = {"ARGOS_BEAM_SIZE": "2"}
    server_env.update(item.split("=", 1) for item in options.server_env)
    servers = [
        LibreTranslateServer(installed, CACHE / f"server{i}", ["en", *LANGS], env=server_env)
        for i in range(2)
    ]
    for server in servers:
        server.start()
    rows: list[tuple[str, list[float], float, str]] = []
    try:
        for server in servers:
            server.wait(300)
        assert all(s.process is not None for s in servers)
        pids = [s.process.pid for s in servers if s.process is not None]
        settings = [
            ("local Argos engine (in process)", ["--engine", "argos"], []),
            (
                "LibreTranslate, one server",
                ["--engine", "libretranslate", "--url", servers[0].url],
                pids[:1],
            ),
            (
                "LibreTranslate, two servers",
                ["--engine", "libretranslate", "--url", f"{servers[0].url},{servers[1].url}"],
                pids,
            ),
        ]
        times: dict[str, list[float]] = {name: [] for name, _, _ in settings}
        cpu: dict[str, float] = dict.fromkeys(times, 0.0)
        summary: dict[str, str] = {}
        for repeat in range(options.repeats):
            for name, args, server_pids in settings:
                before = sum(_cpu_seconds(p) for p in server_pids)
                seconds, line = _build(f"{len(times[name])}-{name[:5]}", args, env)
                cpu[name] = sum(_cpu_seconds(p) for p in server_pids) - before
                times[name].append(seconds)
                summary[name] = line
                print(f"[{repeat}] {name}: {seconds:.1f} s  ({line})", flush=True)
        rows = [(name, times[name], cpu[name], summary[name]) for name in times]
    finally:
        for server in servers:
            server.stop()

    base = min(rows[1][1])
    lines = [
        "# LibreTranslate pool benchmark",
        "",
        f"Command: `.venv/bin/python bench/libretranslate_pool.py --repeats {options.repeats}"
        + (" --tiny" if options.tiny else "")
        + "".join(f" --server-env {item}" for item in options.server_env)
        + "` on "
        + f"{os.cpu_count()} cores.",
        "",
        f"Model: `{'TINY' if options.tiny else 'BASE'}` generated package under "
        f"{', '.join(LANGS)}; the example document (51 distinct texts per language); "
        "servers on 127.0.0.1 with beam 2 (the pipeline's), LibreTranslate's other defaults.",
        "",
        "| setting | first run s | best run s | server CPU s (last run) | speed-up vs one server |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, runs, server_cpu, _ in rows:
        lines.append(
            f"| {name} | {runs[0]:.1f} | {min(runs):.1f} | "
            f"{server_cpu:.1f} | {base / min(runs):.2f} |"
        )
    lines += ["", "Last summary lines:", ""]
    lines += [f"- {name}: {line}" for name, _, _, line in rows]
    out = BENCH / ("LIBRETRANSLATE.md" if not options.server_env else "LIBRETRANSLATE-env.md")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
