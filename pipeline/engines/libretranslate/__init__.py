"""The LibreTranslate engine: one build spread over a pool of LibreTranslate servers.

Only the documented HTTP API is used: ``GET /languages`` (what a server offers),
``GET /frontend/settings`` (its per-text character limit) and ``POST /translate`` with ``q``
as a list, ``source``, ``target`` and ``format: "text"``. The pipeline keeps doing its own
segmentation, placeholders and glossary: a server only ever sees plain sentences.

Modules: :mod:`.transport` (HTTP with a total deadline per request, a maximum answer size,
the API key redacted from everything a server sends back), :mod:`.servers` (what each server
offers, discovery answers checked), :mod:`.pool` (batches over the servers, retries, limits,
answers validated before they are accepted, the build's deadline) and :mod:`.engine` (the
Engine protocol, statistics, the ``engines check`` probe).

The pool. Each language's sentences are cut into batches that respect every server's batch
and character limits and are pulled from one shared queue by ``in_flight`` worker threads per
server. A failed request puts its batch back on the queue for any server; a translation is
accepted once, from the first complete and plausible answer, so no sentence is lost or
recorded twice; the build fails only when no server is left that can do the language (or
the build's deadline passes), naming each server and what it answered.

The memory key (``identity``): ``libretranslate:<src>-<tgt>``, plus the project's
``[libretranslate] model_tag`` when set; not the URLs. A pool is expected to serve the same
models on every server (that is what makes it a pool), so adding, removing or moving a server
must keep every memory entry valid. The API reports no model version: ``/languages`` and
``/frontend/settings`` carry none, and the one place with a (server) version, the Swagger
document at ``GET /spec``, must not be polled: LibreTranslate 1.9.6 wraps its strings once
more on every call, so each answer takes 2-3 times longer than the one before (measured here:
0.1 s, then 3.8 s at the 10th call, 140 s at the 14th, one core busy meanwhile). So
whoever upgrades the servers' models sets (or changes) the model tag, which retires the old
entries exactly as a new Argos package version does for the local engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.engines import EngineContext
from pipeline.errors import ConfigError
from pipeline.secret import Secret

if TYPE_CHECKING:
    from pipeline.engines.libretranslate.engine import LibreTranslateEngine
    from pipeline.engines.libretranslate.servers import LanguageStats, ServerReport
    from pipeline.engines.libretranslate.transport import (
        Redactor,
        display_url,
        is_loopback,
        parse_urls,
    )

#: The environment variable that holds the API key.
API_KEY_ENV = "SUMMARY_PIPELINE_LT_API_KEY"
#: Default for the whole build's time with the pool (from its first request).
BUILD_TIMEOUT = 3600.0

# The HTTP, TLS and thread machinery is imported on first use of a name below (PEP 562):
# every run reads this module for ``Settings``, few use the pool.
_LAZY = {
    "LibreTranslateEngine": "engine",
    "LanguageStats": "servers",
    "ServerReport": "servers",
    "Redactor": "transport",
    "display_url": "transport",
    "is_loopback": "transport",
    "parse_urls": "transport",
}

__all__ = [
    "API_KEY_ENV",
    "BUILD_TIMEOUT",
    "LanguageStats",
    "LibreTranslateEngine",
    "Redactor",
    "Secret",
    "ServerReport",
    "Settings",
    "create",
    "display_url",
    "is_loopback",
    "parse_urls",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


@dataclass(frozen=True)
class Settings:
    """The ``[libretranslate]`` table. The API key is never read from the project file:
    ``--api-key`` or ``$SUMMARY_PIPELINE_LT_API_KEY``."""

    urls: tuple[str, ...] = field(
        default=(), metadata={"parse": "urls", "required": "name at least one server (or --url)"}
    )
    batch_limit: int = field(default=16, metadata={"min": 1, "max": 10000})
    char_limit: int = field(default=0, metadata={"min": 0, "max": 10**7})
    # Seconds per request in total (not per socket read).
    timeout: float = field(default=120.0, metadata={"min": 0.001})
    # Seconds for the whole build's translation with the pool.
    build_timeout: float = field(default=BUILD_TIMEOUT, metadata={"min": 0.001})
    in_flight: int = field(default=2, metadata={"min": 1})
    # Part of the memory key: change it when the servers' models are upgraded.
    model_tag: str = ""
    api_key: Secret | None = field(default=None, metadata={"secret": True})


def validate_urls(values: Sequence[str]) -> tuple[str, ...]:
    """The ``urls`` setting, checked (:class:`ConfigError` names the bad one)."""
    from pipeline.engines.libretranslate.transport import parse_urls

    return tuple(parse_urls(list(values))) if values else ()


def create(settings: Settings, context: EngineContext) -> LibreTranslateEngine:
    """The pool of the configured servers (the key falls back to the environment)."""
    if not settings.urls:
        raise ConfigError("libretranslate.urls: name at least one server (or --url)")
    from pipeline.engines.libretranslate.engine import LibreTranslateEngine

    return LibreTranslateEngine(
        list(settings.urls),
        api_key=settings.api_key,
        batch_limit=settings.batch_limit,
        char_limit=settings.char_limit,
        timeout=settings.timeout,
        in_flight=settings.in_flight,
        model_tag=settings.model_tag,
        build_timeout=settings.build_timeout,
    )
