"""Configuration: defaults ← ``summary-pipeline.toml`` ← command-line flags.

Flags default to ``None`` in the CLI and ``None`` values are dropped here, so a value from
the project file survives unless a flag is given. Every problem is reported with its key,
then loading fails once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.engines import BATCH_TYPES, ENGINE_NAMES
from pipeline.errors import ConfigError
from pipeline.languages import SOURCE_LANGUAGE, is_known

PROJECT_FILE = "summary-pipeline.toml"
FORMATS = ("html", "pdf")
PAPERS = ("A4", "Letter")
#: Per-project state (memory, lock, checksum cache), relative to the project folder.
STATE_DIR = ".summary-pipeline"
#: Settings of the Argos engine (the ``[argos]`` table), passed on as engine options.
ARGOS_KEYS = ("beam_size", "inter_threads", "intra_threads", "batch_size", "batch_type")

DEFAULTS: dict[str, Any] = {
    "sources": ["examples/*.md"],
    "languages": ["es", "fr", "ar", "uk", "hi", "zh"],
    "formats": ["html"],
    "engine": "argos",
    "output_dir": "output",
    "locales_dir": "locales",
    "templates_dir": "templates",
    "glossary": "glossary.toml",
    "paper": "A4",
    # Fit each PDF on this many pages (pipeline.pdf page-fit); None: as many as it takes.
    "max_pages": None,
    # Chosen with bench/run.py --sweep on 2 cores: two batches of 32 sentences decoded side by
    # side, one thread each, beat one batch of 64 on two threads and stay within the memory
    # target (one model + 400 MB). See bench/RESULTS.md.
    "beam_size": 2,
    "inter_threads": 2,
    "intra_threads": 1,
    "batch_size": 32,
    "batch_type": "examples",  # batch_size counts sentences ("examples") or tokens
    # Translation memory (SQLite); the state folder .summary-pipeline/ is git-ignored.
    "memory": f"{STATE_DIR}/memory.sqlite3",
    "lock_timeout": 300,
    "prefer_reviewed_stale": False,
    # The libretranslate engine (also a [libretranslate] table without the prefix). The API
    # key is never read from this file: --api-key or $SUMMARY_PIPELINE_LT_API_KEY.
    "libretranslate_urls": [],
    "libretranslate_batch_limit": 16,
    "libretranslate_char_limit": 0,
    "libretranslate_timeout": 120,
    "libretranslate_in_flight": 2,
    # Part of the memory key: change it when the servers' models are upgraded.
    "libretranslate_model_tag": "",
}
LIBRETRANSLATE_KEYS = tuple(k for k in DEFAULTS if k.startswith("libretranslate_"))


@dataclass(frozen=True)
class Config:
    """Validated settings for one run."""

    project_dir: Path
    sources: list[str]
    languages: list[str]
    formats: list[str]
    engine: str
    output_dir: Path
    locales_dir: Path
    templates_dir: Path
    paper: str
    # Optional file: a missing default glossary is an empty one (pipeline.glossary).
    glossary: Path | None = None
    engine_options: dict[str, Any] = field(default_factory=dict)
    memory: Path | None = None  # None: the project's default memory file
    lock_timeout: float = 300.0
    prefer_reviewed_stale: bool = False
    max_pages: int | None = None

    @property
    def state_dir(self) -> Path:
        """The git-ignored folder for the lock and caches."""
        return self.project_dir / STATE_DIR

    @property
    def memory_path(self) -> Path:
        """The translation memory file."""
        return self.memory or self.state_dir / "memory.sqlite3"


def _as_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def load_config(project_dir: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read the project file in ``project_dir`` (if any), apply ``overrides``, validate."""
    values = dict(DEFAULTS)
    problems: list[str] = []
    path = project_dir / PROJECT_FILE
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: not valid TOML: {err}") from err
        argos = data.pop("argos", {})
        if not isinstance(argos, dict):
            problems.append("argos: must be a table")
            argos = {}
        lt_table = data.pop("libretranslate", {})
        if not isinstance(lt_table, dict):
            problems.append("libretranslate: must be a table")
            lt_table = {}
        if "api_key" in lt_table or "libretranslate_api_key" in data:
            problems.append(
                "libretranslate.api_key: keep API keys out of the project file; "
                "use --api-key or SUMMARY_PIPELINE_LT_API_KEY"
            )
            lt_table.pop("api_key", None)
            data.pop("libretranslate_api_key", None)
        lt = {f"libretranslate_{key}": value for key, value in lt_table.items()}
        for key, value in {**data, **argos, **lt}.items():
            if key not in DEFAULTS:
                problems.append(f"{key}: unknown setting in {PROJECT_FILE}")
            else:
                values[key] = value
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value

    for key in ("sources", "languages", "formats"):
        values[key] = _as_list(values[key])
        if not isinstance(values[key], list) or not all(isinstance(v, str) for v in values[key]):
            problems.append(f"{key}: must be a list of strings")
            values[key] = []
    if not values["languages"]:
        problems.append("languages: name at least one target language")
    bad = [c for c in values["languages"] if not is_known(c)]
    if bad:
        problems.append(f"languages: unknown language code(s): {', '.join(bad)}")
    if SOURCE_LANGUAGE in values["languages"]:
        problems.append(f"languages: {SOURCE_LANGUAGE} is the source language, not a target")
    bad = [f for f in values["formats"] if f not in FORMATS]
    if bad:
        problems.append(
            f"formats: unknown format(s) {', '.join(bad)} (choose from {', '.join(FORMATS)})"
        )
    if values["engine"] not in ENGINE_NAMES:
        problems.append(
            f"engine: unknown engine {values['engine']!r} (choose from {', '.join(ENGINE_NAMES)})"
        )
    if not isinstance(values["glossary"], str):
        problems.append("glossary: must be a file path (\"\" for none)")
        values["glossary"] = ""
    if values["paper"] not in PAPERS:
        problems.append(f"paper: must be one of {', '.join(PAPERS)}")
    pages = values["max_pages"]
    if pages is not None and (not isinstance(pages, int) or isinstance(pages, bool) or pages < 1):
        problems.append("max_pages: must be a whole number of at least 1")
    if not isinstance(values["memory"], str) or not values["memory"].strip():
        problems.append("memory: must be a file path")
        values["memory"] = DEFAULTS["memory"]
    timeout = values["lock_timeout"]
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout < 0:
        problems.append("lock_timeout: must be a number of seconds, at least 0")
    if not isinstance(values["prefer_reviewed_stale"], bool):
        problems.append("prefer_reviewed_stale: must be true or false")
    for key in ("beam_size", "batch_size"):
        if not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] < 1:
            problems.append(f"{key}: must be a whole number of at least 1")
    for key in ("inter_threads", "intra_threads"):
        if not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] < 0:
            problems.append(f"{key}: must be a whole number of at least 0")
    if values["batch_type"] not in BATCH_TYPES:
        problems.append(f"batch_type: must be one of {', '.join(BATCH_TYPES)}")
    problems.extend(_check_libretranslate(values))
    if problems:
        where = path if path.exists() else "the options"
        raise ConfigError(f"invalid configuration ({where}):\n  " + "\n  ".join(problems))

    def resolve(key: str) -> Path:
        return (project_dir / str(values[key])).resolve()

    return Config(
        project_dir=project_dir.resolve(),
        sources=values["sources"],
        languages=list(dict.fromkeys(values["languages"])),
        formats=list(dict.fromkeys(values["formats"])),
        engine=values["engine"],
        output_dir=resolve("output_dir"),
        locales_dir=resolve("locales_dir"),
        templates_dir=resolve("templates_dir"),
        paper=values["paper"],
        glossary=resolve("glossary") if values["glossary"] else None,
        memory=resolve("memory"),
        lock_timeout=float(values["lock_timeout"]),
        prefer_reviewed_stale=values["prefer_reviewed_stale"],
        max_pages=values["max_pages"],
        engine_options={
            **{
                k: values[k]
                for k in ARGOS_KEYS
            },
            **{k: values[k] for k in LIBRETRANSLATE_KEYS},
            # A Secret (never printed); None: the engine reads $SUMMARY_PIPELINE_LT_API_KEY.
            "libretranslate_api_key": values.get("libretranslate_api_key"),
        },
    )


def _check_libretranslate(values: dict[str, Any]) -> list[str]:
    """Validate the libretranslate_* settings in place; return the problems."""
    problems: list[str] = []
    urls = _as_list(values["libretranslate_urls"])
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        problems.append("libretranslate_urls: must be a list of URLs")
        urls = []
    if urls or values["engine"] == "libretranslate":
        from pipeline.engines.libretranslate import parse_urls

        try:
            urls = parse_urls(urls)
        except ConfigError as err:
            problems.append(err.message)
    values["libretranslate_urls"] = urls
    key = values.get("libretranslate_api_key")
    if key is not None:
        from pipeline.engines.libretranslate import Secret

        values["libretranslate_api_key"] = key if isinstance(key, Secret) else Secret(str(key))
    for key, least in (
        ("libretranslate_batch_limit", 1),
        ("libretranslate_char_limit", 0),
        ("libretranslate_in_flight", 1),
    ):
        value = values[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            problems.append(f"{key}: must be a whole number of at least {least}")
    timeout = values["libretranslate_timeout"]
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        problems.append("libretranslate_timeout: must be a number of seconds above 0")
    if not isinstance(values["libretranslate_model_tag"], str):
        problems.append("libretranslate_model_tag: must be a string, e.g. \"models-2025-06\"")
    return problems
