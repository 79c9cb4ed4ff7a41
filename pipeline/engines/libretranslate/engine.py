"""The ``libretranslate`` engine: discovery, the Engine protocol, statistics and the probe."""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import urllib.parse
from collections.abc import Collection, Sequence
from typing import Any

from pipeline.engines import EngineStats, Probe, ServerCounts, ServerState, Translation
from pipeline.engines.libretranslate import API_KEY_ENV, BUILD_TIMEOUT
from pipeline.engines.libretranslate.pool import (
    RETRY_STATUSES,
    Job,
    Policy,
    Pool,
    answer_problem,
)
from pipeline.engines.libretranslate.servers import (
    Server,
    ServerReport,
    learn_char_limit,
    learn_languages,
)
from pipeline.engines.libretranslate.transport import (
    ANSWER_MARGIN,
    BYTES_PER_CHARACTER,
    MAX_DISCOVERY_BYTES,
    Answer,
    Transport,
    display_url,
    is_loopback,
    parse_urls,
)
from pipeline.errors import EngineError
from pipeline.secret import Secret

log = logging.getLogger(__name__)

_PROBE_SENTENCE = "This is a short test sentence."


class LibreTranslateEngine:
    """The ``libretranslate`` engine: a pool of LibreTranslate servers."""

    name = "libretranslate"
    notice = "argos"  # LibreTranslate serves Argos Translate models
    cacheable = False  # per-run server statistics are reported

    def __init__(
        self,
        urls: Sequence[str] | str,
        *,
        api_key: Secret | str | None = None,
        batch_limit: int = 16,
        char_limit: int = 0,
        timeout: float = 120.0,
        in_flight: int = 2,
        max_failures: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
        model_tag: str = "",
        build_timeout: float = BUILD_TIMEOUT,
    ) -> None:
        self.urls = parse_urls(urls)
        if api_key is None:
            api_key = os.environ.get(API_KEY_ENV) or None
        key = api_key if isinstance(api_key, Secret) or api_key is None else Secret(api_key)
        self._transport = Transport(key)
        self.batch_limit = max(1, batch_limit)
        self.char_limit = max(0, char_limit)
        self.timeout = timeout  # per request, in total (not per socket read)
        self.build_timeout = build_timeout
        self.policy = Policy(max(1, in_flight), max(1, max_failures), backoff, max_backoff)
        self.model_tag = model_tag.strip()
        self.servers = [
            Server(url, display_url(url), self.batch_limit, self.char_limit) for url in self.urls
        ]
        self.language_seconds: dict[str, float] = {}
        self._started: float | None = None
        self._probe_lock = threading.Lock()
        self._pool = Pool(self.servers, self.policy, self._send, self._nobody)
        self._warn_plain_http()

    def _warn_plain_http(self) -> None:
        plain = sorted(
            {
                s.name
                for s in self.servers
                if urllib.parse.urlsplit(s.url).scheme == "http"
                and not is_loopback(urllib.parse.urlsplit(s.url).hostname or "")
            }
        )
        if plain:
            log.warning(
                "plain http:// to %s: the handouts' text crosses the network unencrypted "
                "(use https:// unless this network is trusted)",
                ", ".join(plain),
            )

    # -- HTTP -------------------------------------------------------------------------------

    def build_deadline(self) -> float:
        """The ``time.monotonic()`` instant the whole build must finish by."""
        if self._started is None:
            self._started = time.monotonic()
        return self._started + self.build_timeout

    def _request(
        self, server: Server, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> Answer:
        if payload is None:
            limit = MAX_DISCOVERY_BYTES
        else:
            sent = sum(len(q) for q in payload.get("q", []))
            limit = ANSWER_MARGIN + BYTES_PER_CHARACTER * sent
        deadline = min(time.monotonic() + self.timeout, self.build_deadline())
        answer = self._transport.request(
            server.url + path, method, payload, deadline=deadline, max_bytes=limit
        )
        log.debug(
            "%s %s%s: %s in %.3f s",
            method,
            server.name,
            path,
            f"HTTP {answer.status}" if answer.status else answer.text,
            answer.seconds,
        )
        return answer

    def _send(self, server: Server, payload: dict[str, Any]) -> Answer:
        return self._request(server, "POST", "/translate", payload)

    # -- discovery --------------------------------------------------------------------------

    def _probe(self, server: Server) -> None:
        """Learn what ``server`` offers; an unreachable or strange server leaves the pool."""
        answer = Answer(0, text="not asked")
        for attempt in range(2):
            answer = self._request(server, "GET", "/languages")
            if attempt == 0 and (answer.status == 0 or answer.status in RETRY_STATUSES):
                time.sleep(self.policy.backoff * random.uniform(0.5, 1.5))
                continue
            break
        server.last_answer = answer.message()
        why = learn_languages(server, answer)
        if why:
            server.ejected = why
            server.probed = True
            return
        learn_char_limit(server, self._request(server, "GET", "/frontend/settings"))
        server.probed = True
        log.info("%s: %d source language(s)", server.name, len(server.targets))

    def _discover(self) -> None:
        with self._probe_lock:
            todo = [s for s in self.servers if not s.probed]
            threads = [threading.Thread(target=self._probe, args=(s,)) for s in todo]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    def _able(self, source: str, target: str) -> list[Server]:
        self._discover()
        return [s for s in self.servers if s.offers(source, target)]

    def _nobody(self, source: str, target: str, what: str) -> EngineError:
        lines = "\n  ".join(s.describe(source, target) for s in self.servers)
        return EngineError(f"no LibreTranslate server can {what} {source}→{target}:\n  {lines}")

    # -- Engine protocol ----------------------------------------------------------------------

    def identity(self, source: str, target: str) -> str:
        """``libretranslate[:<model tag>]:<src>-<tgt>`` (see the package docstring for why)."""
        if not self._able(source, target):
            raise self._nobody(source, target, "translate")
        tag = f":{self.model_tag}" if self.model_tag else ""
        return f"libretranslate{tag}:{source}-{target}"

    def check(self, source: str, target: str) -> None:
        """Raise :class:`EngineError` naming every server when none offers the pair."""
        if not self._able(source, target):
            raise self._nobody(source, target, "translate")

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        """Translate through the pool; order kept, each distinct text sent once.

        ``aligned`` is accepted for the Argos engine's sake: a server sends no alignments.
        """
        return self.translate_many([(target, sentences)], source)[0]

    def translate_many(
        self, requests: Sequence[tuple[str, Sequence[str]]], source: str
    ) -> list[list[Translation]]:
        """Per (target, sentences) request, its translations in order, all languages at once.

        Every server works on whichever language has batches left that it can do, so N
        servers finish N languages' work about N times sooner than one (see pool.py).
        """
        started = time.monotonic()
        wanted: list[dict[str, int]] = []
        jobs: list[Job] = []
        for target, sentences in requests:
            distinct: dict[str, int] = {}
            for text in sentences:
                if text.strip():
                    distinct.setdefault(text, len(distinct))
            able = self._able(source, target) if distinct else []
            if distinct and not able:
                raise self._nobody(source, target, "translate")
            wanted.append(distinct)
            jobs.append(Job(list(distinct), source, target, able))
        done = self._pool.run_many(jobs, self.build_deadline())
        out: list[list[Translation]] = []
        for (target, sentences), distinct, (translated, finished) in zip(
            requests, wanted, done, strict=True
        ):
            took = finished - started if distinct else 0.0
            self.language_seconds[target] = self.language_seconds.get(target, 0.0) + took
            out.append(
                [Translation(translated[distinct[t]] if t in distinct else "") for t in sentences]
            )
        return out

    def release(self) -> None:
        """Nothing is loaded locally."""

    # -- reports --------------------------------------------------------------------------------

    def stats(self) -> EngineStats:
        """Per language and server: sentences, requests, retries and seconds; each server's
        state (whether it left the pool and why). Every server text went through the
        redactor: no API key."""
        return EngineStats(
            servers={
                lang: {
                    s.name: ServerCounts(
                        st.sentences, st.requests, st.retries, round(st.seconds, 3)
                    )
                    for s in self.servers
                    if (st := s.stats.get(lang)) is not None
                }
                for lang in self.language_seconds
            },
            server_states=tuple(
                ServerState(s.name, not s.ejected, s.ejected) for s in self.servers
            ),
            language_seconds={k: round(v, 3) for k, v in self.language_seconds.items()},
        )

    def probe(self, source: str, targets: Sequence[str]) -> list[Probe]:
        """Per server: reachability, pairs offered vs needed, a one-sentence round trip."""
        return [_as_probe(r, source, targets) for r in self.server_reports(source, targets)]

    def server_reports(self, source: str, targets: Sequence[str]) -> list[ServerReport]:
        """For ``engines check``: reachability, offered vs needed pairs, a round-trip time.

        A server whose test translation is refused (401/403: the key) or malformed has a
        ``problem`` and is not :attr:`ServerReport.usable`.
        """
        self._discover()
        reports: list[ServerReport] = []
        for server in self.servers:
            report = ServerReport(server.name, reachable=server.probed and not server.ejected)
            offered = server.targets.get(source, {})
            report.offered = sorted(offered)
            report.missing = [t for t in targets if t not in offered]
            if not report.reachable:
                report.problem = server.ejected
            else:
                target = next((t for t in targets if t in offered), None)
                if target is None:
                    report.problem = "offers none of the needed languages"
                else:
                    self._round_trip(server, report, source, target, offered[target])
            reports.append(report)
        return reports

    def _round_trip(
        self, server: Server, report: ServerReport, source: str, target: str, code: str
    ) -> None:
        payload = {
            "q": [_PROBE_SENTENCE],
            "source": server.source_codes.get(source, source),
            "target": code,
            "format": "text",
        }
        answer = self._request(server, "POST", "/translate", payload)
        if answer.status == 200:
            problem = answer_problem([_PROBE_SENTENCE], answer.body)
            if problem is None:
                report.round_trip = answer.seconds
                report.round_trip_pair = f"{source}→{target}"
            else:
                report.problem = f"POST /translate {problem}"
        elif answer.status in (401, 403):
            report.problem = f"POST /translate: {answer.message()} (the API key was refused)"
        else:
            report.problem = f"POST /translate: {answer.message()}"


def _as_probe(report: ServerReport, source: str, targets: Sequence[str]) -> Probe:
    lines = ["reachable" if report.reachable else "unreachable"]
    have = [t for t in targets if t not in report.missing] if report.reachable else []
    if report.reachable:
        lines.append(f"offers {source}→{', '.join(report.offered) or '-'}")
        lines.append(
            f"needed: {', '.join(have) or '-'} offered; "
            f"{', '.join(report.missing) or 'none'} missing"
        )
    if report.round_trip is not None:
        lines.append(f"one sentence {report.round_trip_pair}: {report.round_trip * 1000:.0f} ms")
    if report.problem:
        lines.append(f"problem: {report.problem}")
    # A refused key or a malformed answer covers nothing.
    covers = tuple(have) if report.usable else ()
    return Probe(report.url, report.usable, tuple(lines), covers)
