"""What the pool knows about each server: languages offered, limits, health, statistics.

:func:`learn_languages` and :func:`learn_char_limit` read the discovery answers
(``GET /languages``, ``GET /frontend/settings``) and accept only what has the documented
shape: a list of ``{"code": str, "targets": [str, ...]}`` and a positive integer limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.engines.libretranslate.transport import Answer

# The pipeline's language codes that LibreTranslate spells differently (its model2iso).
_LT_ALIASES = {"zh": "zh-hans", "zt": "zh-hant", "pb": "pt-br"}
_FROM_LT = {v: k for k, v in _LT_ALIASES.items()}
_MAX_CODE = 16
_MAX_LANGUAGES = 1000


def pipeline_code(code: str) -> str:
    """A LibreTranslate language code in the pipeline's spelling."""
    lowered = code.lower()
    return _FROM_LT.get(lowered, lowered)


@dataclass
class LanguageStats:
    """What one server did for one language."""

    sentences: int = 0  # texts whose translation was accepted from this server
    requests: int = 0  # answered POST /translate
    retries: int = 0  # failed requests whose batch went back to the queue
    seconds: float = 0.0  # time spent in this server's requests

    def as_dict(self) -> dict[str, Any]:
        """For the run report (``.summary-pipeline/last-run.json``)."""
        return {
            "sentences": self.sentences,
            "requests": self.requests,
            "retries": self.retries,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Server:
    """One server of the pool and what the pool has learnt about it."""

    url: str
    name: str
    batch_limit: int
    char_limit: int  # 0: none
    probed: bool = False
    targets: dict[str, dict[str, str]] = field(default_factory=dict)  # src → {tgt: LT code}
    source_codes: dict[str, str] = field(default_factory=dict)  # src → LT code
    ejected: str = ""  # why this server left the pool ("" while it is in)
    failures: int = 0  # in a row
    not_before: float = 0.0
    last_answer: str = ""
    refused: dict[tuple[str, str], str] = field(default_factory=dict)  # pair → its answer
    stats: dict[str, LanguageStats] = field(default_factory=dict)

    def offers(self, source: str, target: str) -> bool:
        """In the pool, and offering ``source``→``target``."""
        return (
            not self.ejected
            and (source, target) not in self.refused
            and target in self.targets.get(source, {})
        )

    def describe(self, source: str, target: str) -> str:
        """One line for an error naming every server: why it cannot do the pair."""
        if self.ejected:
            return f"{self.name}: {self.ejected}"
        if (source, target) in self.refused:
            return f"{self.name}: {self.refused[(source, target)]}"
        offered = sorted(self.targets.get(source, {}))
        return f"{self.name}: offers {source}→{', '.join(offered) or 'nothing'}, not {target}"

    def stats_for(self, target: str) -> LanguageStats:
        """This server's statistics for one target language."""
        return self.stats.setdefault(target, LanguageStats())


@dataclass
class ServerReport:
    """One server as seen by ``summary-pipeline engines check``."""

    url: str
    reachable: bool
    offered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    round_trip: float | None = None
    round_trip_pair: str = ""
    problem: str = ""

    @property
    def usable(self) -> bool:
        """Reachable, and its test translation came back well-formed."""
        return self.reachable and not self.problem


def _code_ok(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _MAX_CODE and value.isprintable()


def learn_languages(server: Server, answer: Answer) -> str:
    """Fill in ``server``'s languages from ``GET /languages``; return why not, or ''."""
    if answer.status != 200:
        if answer.status == 404:
            return "GET /languages: HTTP 404 (not a LibreTranslate URL?)"
        return f"GET /languages: {answer.message()}"
    body = answer.body
    if not isinstance(body, list) or len(body) > _MAX_LANGUAGES:
        return "GET /languages did not answer a list of languages (not LibreTranslate?)"
    for entry in body:
        if not isinstance(entry, dict) or not _code_ok(entry.get("code")):
            continue
        source = pipeline_code(entry["code"])
        targets = entry.get("targets")
        if not isinstance(targets, list):
            continue
        server.source_codes[source] = entry["code"]
        server.targets[source] = {
            pipeline_code(t): t
            for t in targets[:_MAX_LANGUAGES]
            if _code_ok(t) and pipeline_code(t) != source
        }
    return ""


def learn_char_limit(server: Server, answer: Answer) -> None:
    """Lower ``server``'s character limit to what ``GET /frontend/settings`` says."""
    limit = answer.body.get("charLimit") if isinstance(answer.body, dict) else None
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        server.char_limit = min(server.char_limit, limit) if server.char_limit else limit
