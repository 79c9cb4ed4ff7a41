"""Translation engines: a batch of plain sentences in, translations with scores out.

Engines see plain text with ``{n}`` placeholders only; markup, glossary and memory are
handled around them. Every module of this package is an engine named after the module: it
defines ``Settings`` (a frozen dataclass, the ``[<name>]`` table of the project file) and
``create(settings, context)``. Adding an engine is adding one module. Engine modules import
their heavy libraries (CTranslate2, HTTP pools) inside ``create`` or later, so listing the
engines stays cheap.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from pipeline.errors import ConfigError, PipelineError


@dataclass(frozen=True, slots=True)
class Translation:
    """One engine output: the text, the model's score per token (None if it has none)."""

    text: str
    score: float | None = None
    # (source start, source end, target start, target end) character offsets: each target
    # token of ``text`` and the input token it attends to most. Engines that have no
    # attention leave it None; markup is then placed by words alone (pipeline.protect).
    alignment: tuple[tuple[int, int, int, int], ...] | None = None


@dataclass(frozen=True)
class ServerCounts:
    """What one server of a pool did for one language."""

    sentences: int = 0  # texts whose translation was accepted from this server
    requests: int = 0  # answered requests
    retries: int = 0  # failed requests whose batch went back to the queue
    seconds: float = 0.0  # time spent in this server's requests


@dataclass(frozen=True)
class ServerState:
    """A server of a pool at the end of a run."""

    url: str  # as displayed: never with credentials
    in_pool: bool
    left_because: str = ""


@dataclass(frozen=True)
class EngineStats:
    """What an engine did in one run, for ``build.json`` and the summary line."""

    model_loads: int = 0
    # Pools only: per language, per server (display URL) counts; the servers' states.
    servers: Mapping[str, Mapping[str, ServerCounts]] = field(default_factory=dict)
    server_states: tuple[ServerState, ...] = ()
    language_seconds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EngineContext:
    """What an engine may use from the project: its state folder (caches)."""

    state_dir: Path
    read_only: bool = False  # True: the engine writes no cache (check, diff --machine)


@dataclass(frozen=True)
class Probe:
    """One server (or model) as ``engines check`` reports it."""

    name: str
    ok: bool
    lines: tuple[str, ...] = ()  # details to print, one per line
    covers: tuple[str, ...] = ()  # target languages it can do


class Engine(Protocol):
    """What every engine offers the core."""

    name: str
    #: Which notice the pages carry ("pseudo", "argos" or ""); see templates/_notice.html.
    notice: str
    #: False when a run's output cannot be taken as known in advance (a pool reports per-run
    #: server statistics), so the up-to-date shortcut never applies.
    cacheable: bool

    def identity(self, source: str, target: str) -> str:
        """A string naming the exact model used for this pair (for the memory and catalogs)."""
        ...

    def check(self, source: str, target: str) -> None:
        """Raise a :class:`~pipeline.errors.PipelineError` if this pair cannot be translated."""
        ...

    def probe(self, source: str, targets: Sequence[str]) -> list[Probe]:
        """For ``engines check``: what can be reached and which targets it covers."""
        ...

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        """Translate all ``sentences`` (in batches of the engine's choosing), order kept.

        ``aligned``: the indices of the sentences whose alignment is wanted (None: all);
        engines without attention ignore it.
        """
        ...

    def release(self) -> None:
        """Free loaded models (called between languages and at the end)."""
        ...

    def stats(self) -> EngineStats:
        """What this engine did so far in this run."""
        ...


class EngineModule(Protocol):
    """What an engine module defines."""

    Settings: type[Any]

    def create(self, settings: Any, context: EngineContext) -> Engine:
        """The engine, configured."""
        ...


def engine_names() -> tuple[str, ...]:
    """Every engine, by name (module names of this package; nothing is imported)."""
    return tuple(
        sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    )


def engine_module(name: str) -> EngineModule:
    """The module of engine ``name``; :class:`ConfigError` for an unknown name."""
    if name not in engine_names():
        raise ConfigError(
            f"engine: unknown engine {name!r} (choose from {', '.join(engine_names())})"
        )
    return cast(EngineModule, importlib.import_module(f"{__name__}.{name}"))


def create_engine(name: str, settings: object, context: EngineContext) -> Engine:
    """Build the engine called ``name`` with its validated ``settings``."""
    return engine_module(name).create(settings, context)


def probe_by_check(engine: Engine, source: str, targets: Sequence[str]) -> list[Probe]:
    """A probe for engines without servers: one line per target, from ``check``."""
    probes = []
    for target in targets:
        try:
            engine.check(source, target)
        except PipelineError as err:
            probes.append(Probe(f"{source}→{target}", False, (err.message,)))
        else:
            identity = engine.identity(source, target)
            probes.append(Probe(f"{source}→{target}", True, (f"ok ({identity})",), (target,)))
    return probes
