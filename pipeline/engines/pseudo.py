"""Pseudo-localization: deterministic fake translations for testing layouts without models.

Every letter gets an accent, each sentence grows by about 30 % and is bracketed, so text
that was not translated, was cut off, or breaks a layout when longer is easy to spot.
Placeholders like ``{1}`` are copied untouched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pipeline.engines import (
    EngineContext,
    EngineStats,
    Probe,
    Translation,
    probe_by_check,
)
from pipeline.errors import ModelError
from pipeline.languages import SOURCE_LANGUAGE
from pipeline.placement import PLACEHOLDER_RE

_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
_PAD = "~"


def pseudo_localize(text: str) -> str:
    """``"Hello {1}"`` → ``"[Ĥéļļö {1} ~~]"``: accented, ~30 % longer, bracketed."""
    if not text.strip():
        return text
    pieces: list[str] = []
    pos = 0
    for match in PLACEHOLDER_RE.finditer(text):
        pieces.append(text[pos : match.start()].translate(_ACCENTS))
        pieces.append(match.group(0))
        pos = match.end()
    pieces.append(text[pos:].translate(_ACCENTS))
    letters = len(re.sub(r"\W", "", PLACEHOLDER_RE.sub("", text)))
    pad = _PAD * max(1, math.ceil(letters * 0.3))
    return f"[{''.join(pieces)} {pad}]"


@dataclass(frozen=True)
class Settings:
    """The pseudo engine has no settings."""


def create(settings: Settings, context: EngineContext) -> PseudoEngine:
    """The pseudo engine."""
    return PseudoEngine()


class PseudoEngine:
    """The ``pseudo`` engine; needs no model and never fails."""

    name = "pseudo"
    notice = "pseudo"
    cacheable = True

    def identity(self, source: str, target: str) -> str:
        """Pseudo output depends on nothing but this code's version."""
        return "pseudo-1"

    def check(self, source: str, target: str) -> None:
        """Any pair from English works; nothing translates pseudo-localized text back."""
        if target == SOURCE_LANGUAGE:
            raise ModelError("the pseudo engine has no reverse direction (nothing translates back)")

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        """Pseudo-localize each sentence."""
        return [Translation(pseudo_localize(s), 0.0) for s in sentences]

    def probe(self, source: str, targets: Sequence[str]) -> list[Probe]:
        """Every target is covered."""
        return probe_by_check(self, source, targets)

    def release(self) -> None:
        """Nothing to free."""

    def stats(self) -> EngineStats:
        """No models are loaded."""
        return EngineStats()
