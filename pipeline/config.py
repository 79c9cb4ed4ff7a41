"""Configuration: defaults ← ``summary-pipeline.toml`` ← command-line flags.

Every option is declared once below (:data:`OPTIONS`): its type, default, check and the
command-line flag that sets it. Engine settings are each engine's own ``Settings``
dataclass, read from its ``[<engine>]`` table. Flags default to ``None`` in the CLI and only
flags that were given reach :func:`load_config`, so a value from the project file survives
unless a flag is given. Every problem is reported with where the value came from (the flag,
or the file and key), then loading fails once.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from pipeline import engines
from pipeline.errors import ConfigError
from pipeline.languages import SOURCE_LANGUAGE, is_known
from pipeline.secret import Secret

PROJECT_FILE = "summary-pipeline.toml"
FORMATS = ("html", "pdf")
PAPERS = ("A4", "Letter")
#: Per-project state (memory, lock, caches, durations), relative to the project folder.
STATE_DIR = ".summary-pipeline"
DEFAULT_GLOSSARY = "glossary.toml"


def _strings(value: object) -> str | None:
    ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    return None if ok else "must be a list of strings"


def _languages(value: object) -> str | None:
    if (problem := _strings(value)) is not None:
        return problem
    assert isinstance(value, list | tuple)
    if not value:
        return "name at least one target language"
    if SOURCE_LANGUAGE in value:
        return f"{SOURCE_LANGUAGE} is the source language, not a target"
    bad = [c for c in value if not is_known(c)]
    if bad:
        return f"unknown language code {', '.join(repr(c) for c in bad)}"
    return None


def _choices(*allowed: str, many: bool = False) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        values = value if many and isinstance(value, list | tuple) else [value]
        bad = [v for v in values if v not in allowed]
        if many and (problem := _strings(value)) is not None:
            return problem
        if bad:
            return f"unknown value {', '.join(map(repr, bad))} (choose from {', '.join(allowed)})"
        return None

    return check


def _path(value: object) -> str | None:
    return None if isinstance(value, str) else "must be a file path (a string)"


def _number(least: float, whole: bool = False) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        kinds = int if whole else int | float
        if not isinstance(value, kinds) or isinstance(value, bool) or value < least:
            return f"must be a {'whole ' if whole else ''}number of at least {least:g}"
        return None

    return check


def _max_pages(value: object) -> str | None:
    return None if value is None else _number(1, whole=True)(value)


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


@dataclass(frozen=True)
class Option:
    """One setting: its key, default, check (None or the problem) and command-line flag."""

    key: str
    default: object
    check: Callable[[object], str | None]
    flag: str | None = None
    help: str = ""


OPTIONS: tuple[Option, ...] = (
    Option("sources", ["examples/*.md"], _strings, None, "Markdown files (globs) to build"),
    Option("languages", ["es", "fr", "ar", "uk", "hi", "zh"], _languages, "--lang"),
    Option("formats", ["html"], _choices(*FORMATS, many=True), "--format"),
    Option("engine", "argos", _choices(*engines.engine_names()), "--engine"),
    Option("output_dir", "output", _path, "--output"),
    Option("locales_dir", "locales", _path),
    Option("templates_dir", "templates", _path),
    Option("glossary", DEFAULT_GLOSSARY, _path, None, '"" for none'),
    Option("paper", "A4", _choices(*PAPERS), "--paper"),
    Option("max_pages", None, _max_pages, "--max-pages", "fit each PDF into N pages"),
    Option("memory", f"{STATE_DIR}/memory.sqlite3", _path),
    Option("lock_timeout", 300, _number(0)),
    Option("prefer_reviewed_stale", False, _flag, "--prefer-reviewed-stale"),
    Option(
        "back_translation", False, _flag, "--back-translation",
        "translate the pages back to English where a reverse model exists; flag far units",
    ),
)
_BY_KEY = {option.key: option for option in OPTIONS}
_LISTS = ("sources", "languages", "formats")


@dataclass(frozen=True)
class Flag:
    """A value given on the command line, with the flag's name for error messages."""

    value: object
    name: str


@dataclass(frozen=True)
class Config:
    """Validated settings for one run."""

    project_dir: Path
    sources: tuple[str, ...]
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    engine: str
    output_dir: Path
    locales_dir: Path
    templates_dir: Path
    paper: str
    glossary: Path | None = None  # None: no glossary
    glossary_required: bool = False  # named explicitly: it must exist
    memory_path: Path = Path(STATE_DIR, "memory.sqlite3")
    lock_timeout: float = 300.0
    prefer_reviewed_stale: bool = False
    back_translation: bool = False  # build: translate the pages back and score them
    max_pages: int | None = None  # None: no limit
    languages_from_cli: bool = False  # --lang wins over the documents' own lists
    engine_settings: Mapping[str, object] = field(default_factory=dict)  # name → Settings

    @property
    def state_dir(self) -> Path:
        """The git-ignored folder for the lock, caches and durations."""
        return self.project_dir / STATE_DIR

    def settings_of(self, engine: str) -> object:
        """The ``Settings`` of engine ``engine``."""
        return self.engine_settings[engine]


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err


def _as_list(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def load_config(project_dir: Path, flags: Mapping[str, Flag] | None = None) -> Config:
    """Read the project file in ``project_dir`` (if any), apply ``flags``, validate all.

    ``flags`` maps option keys (``languages``, ``argos.beam_size``) to the values given on the
    command line.
    """
    flags = flags or {}
    data = _read_file(project_dir / PROJECT_FILE)
    problems: list[str] = []
    tables = {name: data.pop(name) for name in engines.engine_names() if name in data}
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    for key, value in data.items():
        if key in _BY_KEY:
            values[key], origin[key] = value, f"{PROJECT_FILE}: {key}"
        else:
            problems.append(f"{PROJECT_FILE}: {key}: unknown setting")
    for key, given in flags.items():
        if key in _BY_KEY:
            values[key], origin[key] = given.value, given.name
    for option in OPTIONS:
        if option.key not in values:
            values[option.key], origin[option.key] = option.default, f"default {option.key}"
        if option.key in _LISTS:
            values[option.key] = _as_list(values[option.key])
        problem = option.check(values[option.key])
        if problem is not None:
            problems.append(f"{origin[option.key]}: {problem}")
    settings = {}
    for name in engines.engine_names():
        table = tables.get(name, {})
        settings[name] = _engine_settings(name, table, flags, problems)
    if isinstance(values["engine"], str) and values["engine"] in settings:
        problems.extend(_missing_required(values["engine"], settings[values["engine"]]))
    if problems:
        if len(problems) == 1:
            raise ConfigError(problems[0])
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    return _build(project_dir.resolve(), values, settings, "languages" in flags)


def _build(
    project: Path, values: Mapping[str, Any], settings: Mapping[str, object], cli_langs: bool
) -> Config:
    def resolve(key: str) -> Path:
        return (project / str(values[key])).resolve()

    glossary = resolve("glossary") if values["glossary"] else None
    return Config(
        project_dir=project,
        sources=tuple(values["sources"]),
        languages=tuple(dict.fromkeys(values["languages"])),
        formats=tuple(dict.fromkeys(values["formats"])),
        engine=str(values["engine"]),
        output_dir=resolve("output_dir"),
        locales_dir=resolve("locales_dir"),
        templates_dir=resolve("templates_dir"),
        paper=str(values["paper"]),
        glossary=glossary,
        glossary_required=glossary is not None and glossary != project / DEFAULT_GLOSSARY,
        memory_path=resolve("memory"),
        lock_timeout=float(values["lock_timeout"]),
        prefer_reviewed_stale=bool(values["prefer_reviewed_stale"]),
        back_translation=bool(values["back_translation"]),
        max_pages=None if values["max_pages"] is None else int(values["max_pages"]),
        languages_from_cli=cli_langs,
        engine_settings=settings,
    )


def _engine_settings(
    name: str, table: object, flags: Mapping[str, Flag], problems: list[str]
) -> object:
    """The engine's ``Settings`` from its table and flags; problems appended."""
    cls = engines.engine_module(name).Settings
    if not isinstance(table, dict):
        problems.append(f"{PROJECT_FILE}: {name}: must be a table")
        table = {}
    hints = get_type_hints(cls)
    values: dict[str, object] = {}
    for item in dataclasses.fields(cls):
        key = f"{name}.{item.name}"
        given = flags.get(key)
        if item.metadata.get("secret") and item.name in table:
            problems.append(
                f"{PROJECT_FILE}: {key}: keep secrets out of the project file "
                "(use the command-line option or the environment variable)"
            )
        if given is not None:
            where, value = given.name, given.value
        elif item.name in table and not item.metadata.get("secret"):
            where, value = f"{PROJECT_FILE}: {key}", table[item.name]
        else:
            continue
        checked = _check_field(name, item, hints[item.name], value)
        if isinstance(checked, _Problem):
            problems.append(f"{where}: {checked.message}")
        else:
            values[item.name] = checked
    for unknown in sorted(set(table) - {f.name for f in dataclasses.fields(cls)}):
        problems.append(f"{PROJECT_FILE}: {name}.{unknown}: unknown setting")
    return cls(**values)


def _missing_required(name: str, settings: object) -> list[str]:
    """Settings the chosen engine cannot work without (``metadata={"required": why}``)."""
    return [
        f"{name}.{item.name}: {item.metadata['required']}"
        for item in dataclasses.fields(settings)  # type: ignore[arg-type]
        if item.metadata.get("required") and not getattr(settings, item.name)
    ]


@dataclass(frozen=True)
class _Problem:
    message: str


def _check_field(engine: str, item: dataclasses.Field[Any], hint: object, value: object) -> object:
    """``value`` converted to the field's type, or a :class:`_Problem`."""
    meta = item.metadata
    if meta.get("secret"):
        return value if isinstance(value, Secret) else Secret(str(value))
    if meta.get("parse") == "urls":
        value = _as_list(value)
        if _strings(value) is not None:
            return _Problem("must be a list of URLs")
        assert isinstance(value, list | tuple)
        try:
            return getattr(engines.engine_module(engine), "validate_urls")(value)  # noqa: B009
        except ConfigError as err:
            return _Problem(err.message)
    if hint is bool:
        return value if isinstance(value, bool) else _Problem("must be true or false")
    if hint in (int, float):
        whole = hint is int
        if not isinstance(value, int if whole else int | float) or isinstance(value, bool):
            return _Problem(f"must be a {'whole ' if whole else ''}number")
        if "min" in meta and value < meta["min"]:
            return _Problem(f"must be at least {meta['min']}")
        if "max" in meta and value > meta["max"]:
            return _Problem(f"must be at most {meta['max']}")
        return int(value) if whole else float(value)
    if "choices" in meta and value not in meta["choices"]:
        return _Problem(f"must be one of {', '.join(meta['choices'])}")
    return value if isinstance(value, str) else _Problem("must be a string")
