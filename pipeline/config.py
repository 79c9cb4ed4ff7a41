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

from pipeline.engines import ENGINE_NAMES
from pipeline.errors import ConfigError
from pipeline.languages import SOURCE_LANGUAGE, is_known

PROJECT_FILE = "summary-pipeline.toml"
FORMATS = ("html", "pdf")
PAPERS = ("A4", "Letter")

DEFAULTS: dict[str, Any] = {
    "sources": ["examples/*.md"],
    "languages": ["es", "fr", "ar", "uk", "hi", "zh"],
    "formats": ["html"],
    "engine": "argos",
    "output_dir": "output",
    "locales_dir": "locales",
    "templates_dir": "templates",
    "paper": "A4",
    "beam_size": 2,
    "inter_threads": 1,
    "intra_threads": 0,
    "batch_size": 64,
}


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
    engine_options: dict[str, Any] = field(default_factory=dict)


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
        for key, value in {**data, **argos}.items():
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
    if values["paper"] not in PAPERS:
        problems.append(f"paper: must be one of {', '.join(PAPERS)}")
    for key in ("beam_size", "batch_size"):
        if not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] < 1:
            problems.append(f"{key}: must be a whole number of at least 1")
    for key in ("inter_threads", "intra_threads"):
        if not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] < 0:
            problems.append(f"{key}: must be a whole number of at least 0")
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
        engine_options={
            k: values[k] for k in ("beam_size", "inter_threads", "intra_threads", "batch_size")
        },
    )
