"""Translation engines: a batch of plain sentences in, translations with scores out.

Engines see plain text with ``{n}`` placeholders only; markup, glossary and memory are
handled around them. Each engine module is imported only when chosen, so that a build
which needs no model never imports CTranslate2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.errors import ConfigError

ENGINE_NAMES = ("argos", "pseudo", "libretranslate")
#: How the Argos engine counts ``batch_size``: sentences or (padded) tokens.
BATCH_TYPES = ("examples", "tokens")


@dataclass(frozen=True)
class Translation:
    """One engine output: the text, the model's score per token (None if it has none)."""

    text: str
    score: float | None = None
    # (source start, source end, target start, target end) character offsets: each target
    # token of ``text`` and the input token it attends to most. Engines that have no
    # attention leave it None; markup is then placed by words alone (pipeline.protect).
    alignment: tuple[tuple[int, int, int, int], ...] | None = None


class Engine(Protocol):
    """What every engine offers."""

    name: str

    def identity(self, source: str, target: str) -> str:
        """A string naming the exact model used for this pair (for the memory and catalogs)."""
        ...

    def check(self, source: str, target: str) -> None:
        """Raise a :class:`~pipeline.errors.PipelineError` if this pair cannot be translated."""
        ...

    def translate(self, sentences: Sequence[str], source: str, target: str) -> list[Translation]:
        """Translate all ``sentences`` (in batches of the engine's choosing), order kept."""
        ...

    def release(self) -> None:
        """Free loaded models (called between languages and at the end)."""
        ...


def create_engine(name: str, options: dict[str, Any]) -> Engine:
    """Build the engine called ``name`` with its options."""
    if name == "pseudo":
        from pipeline.engines.pseudo import PseudoEngine

        return PseudoEngine()
    if name == "argos":
        from pipeline.engines.argos import ArgosEngine

        return ArgosEngine(
            beam_size=int(options.get("beam_size", 2)),
            inter_threads=int(options.get("inter_threads", 2)),
            intra_threads=int(options.get("intra_threads", 1)),
            batch_size=int(options.get("batch_size", 32)),
            batch_type=str(options.get("batch_type", "examples")),
            checksum_cache=options.get("checksum_cache"),
        )
    if name == "libretranslate":
        from pipeline.engines.libretranslate import LibreTranslateEngine

        return LibreTranslateEngine(
            options.get("libretranslate_urls") or [],
            api_key=options.get("libretranslate_api_key"),  # else $SUMMARY_PIPELINE_LT_API_KEY
            batch_limit=int(options.get("libretranslate_batch_limit", 16)),
            char_limit=int(options.get("libretranslate_char_limit", 0)),
            timeout=float(options.get("libretranslate_timeout", 120)),
            in_flight=int(options.get("libretranslate_in_flight", 2)),
            model_tag=str(options.get("libretranslate_model_tag", "")),
        )
    raise ConfigError(f"engine: unknown engine {name!r} (choose from {', '.join(ENGINE_NAMES)})")
