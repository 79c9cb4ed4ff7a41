"""The LibreTranslate engine: one build spread over a pool of LibreTranslate servers.

Only the documented HTTP API is used: ``GET /languages`` (what a server offers),
``GET /frontend/settings`` (its per-text character limit) and ``POST /translate`` with ``q``
as a list, ``source``, ``target`` and ``format: "text"``. The pipeline keeps doing its own
segmentation, placeholders and glossary: a server only ever sees plain sentences.

The pool. Each language's sentences are cut into batches that respect every server's batch
and character limits and are pulled from one shared queue by ``in_flight`` worker threads per
server, so a fast server takes more batches than a slow one and a server never has more than
``in_flight`` requests open. A failed request (connection error, timeout, 429, 5xx) puts its
batch back on the queue for any server and backs its server off (exponential, with jitter,
honouring ``Retry-After``); after ``max_failures`` failures in a row the server leaves the
pool for the rest of the run. A 400 answer about the batch or text limit shrinks that
server's limits and re-cuts the batch. A translation is accepted once, from the first
complete answer, so no sentence is lost or recorded twice; the build fails only when no
server is left that can do the language, naming each server and what it answered.

The memory key (``identity``): ``libretranslate:<src>-<tgt>``, plus the project's
``libretranslate_model_tag`` when set; not the URLs. A pool is expected to serve the same
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

import http.client
import ipaddress
import json
import logging
import os
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.engines import (
    EngineContext,
    EngineStats,
    Probe,
    ServerCounts,
    ServerState,
    Translation,
)
from pipeline.errors import ConfigError, EngineError
from pipeline.secret import Secret

log = logging.getLogger(__name__)

API_KEY_ENV = "SUMMARY_PIPELINE_LT_API_KEY"

# The pipeline's language codes that LibreTranslate spells differently (its model2iso).
_LT_ALIASES = {"zh": "zh-hans", "zt": "zh-hant", "pb": "pt-br"}
_FROM_LT = {v: k for k, v in _LT_ALIASES.items()}

_LIMIT_RE = re.compile(r"request \((\d+)\) exceeds text limit \((\d+)\)")
_UNSUPPORTED_RE = re.compile(r"is not supported|not available as a target language")
# Statuses worth another try later, on this server or another.
_RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
_PROBE_SENTENCE = "This is a short test sentence."

def _code(code: str) -> str:
    """A LibreTranslate language code in the pipeline's spelling."""
    lowered = code.lower()
    return _FROM_LT.get(lowered, lowered)


def display_url(url: str) -> str:
    """The URL without user name or password, for messages and build.json."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1 addresses."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_urls(values: Sequence[str] | str) -> list[str]:
    """Comma-separated or repeated URLs → normalised list; raise ConfigError when invalid."""
    items = [values] if isinstance(values, str) else list(values)
    urls: list[str] = []
    problems: list[str] = []
    for item in items:
        for raw in str(item).split(","):
            url = raw.strip().rstrip("/")
            if not url:
                continue
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                problems.append(f"{raw.strip()!r} is not an http:// or https:// URL")
            elif parts.query or parts.fragment:
                problems.append(f"{display_url(url)}: a server URL has no ?query or #fragment")
            elif url not in urls:
                urls.append(url)
    if problems:
        raise ConfigError("libretranslate_urls: " + "; ".join(problems))
    if not urls:
        raise ConfigError(
            "libretranslate_urls: name at least one server, e.g. --url http://127.0.0.1:5000"
        )
    return urls


@dataclass
class _Answer:
    status: int  # 0: no HTTP answer (connection error, timeout)
    body: Any = None
    text: str = ""
    retry_after: float | None = None
    seconds: float = 0.0

    def message(self) -> str:
        if self.status == 0:
            return self.text
        error = self.body.get("error") if isinstance(self.body, dict) else None
        detail = str(error) if error else self.text.strip()[:200]
        return f"HTTP {self.status}: {detail}" if detail else f"HTTP {self.status}"


@dataclass
class LanguageStats:
    """What one server did for one language."""

    sentences: int = 0  # texts whose translation was accepted from this server
    requests: int = 0  # answered POST /translate
    retries: int = 0  # failed requests whose batch went back to the queue
    seconds: float = 0.0  # time spent in this server's requests

    def as_dict(self) -> dict[str, Any]:
        """For build.json."""
        return {
            "sentences": self.sentences,
            "requests": self.requests,
            "retries": self.retries,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Server:
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
        return (
            not self.ejected
            and (source, target) not in self.refused
            and target in self.targets.get(source, {})
        )

    def describe(self, source: str, target: str) -> str:
        if self.ejected:
            return f"{self.name}: {self.ejected}"
        if (source, target) in self.refused:
            return f"{self.name}: {self.refused[(source, target)]}"
        offered = sorted(self.targets.get(source, {}))
        return f"{self.name}: offers {source}→{', '.join(offered) or 'nothing'}, not {target}"


@dataclass
class _Piece:
    text: str
    sentence: int
    order: tuple[int, ...]  # the parts of a sentence are joined in this order


@dataclass
class _Run:
    """One language's translation: pieces, the shared queue and the accepted results."""

    source: str
    target: str
    pieces: list[_Piece]
    pending: deque[int]
    results: dict[int, str] = field(default_factory=dict)
    in_flight: int = 0
    error: EngineError | None = None
    cond: threading.Condition = field(default_factory=threading.Condition)

    def done(self) -> bool:
        return self.error is not None or (not self.pending and self.in_flight == 0)


class LibreTranslateEngine:
    """The ``libretranslate`` engine: a pool of LibreTranslate servers."""

    name = "libretranslate"
    notice = "argos"  # LibreTranslate serves Argos Translate models
    cacheable = False  # per-run server statistics go into build.json

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
    ) -> None:
        self.urls = parse_urls(urls)
        if api_key is None:
            api_key = os.environ.get(API_KEY_ENV) or None
        self._api_key = (
            api_key if isinstance(api_key, Secret) or api_key is None else Secret(api_key)
        )
        self.batch_limit = max(1, batch_limit)
        self.char_limit = max(0, char_limit)
        self.timeout = timeout
        self.in_flight = max(1, in_flight)
        self.max_failures = max(1, max_failures)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.model_tag = model_tag.strip()
        self.servers = [
            _Server(url, display_url(url), self.batch_limit, self.char_limit) for url in self.urls
        ]
        self.language_seconds: dict[str, float] = {}
        self._lock = threading.Lock()
        self._probe_lock = threading.Lock()
        # Proxies from the environment are for remote servers; loopback never goes through one.
        self._direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._proxied = urllib.request.build_opener()
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

    # -- HTTP -----------------------------------------------------------------------------

    def _request(
        self, server: _Server, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> _Answer:
        url = server.url + path
        data = None
        headers = {"Accept": "application/json", "User-Agent": "summary-pipeline"}
        if payload is not None:
            if self._api_key:
                payload = {**payload, "api_key": self._api_key.reveal()}
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        host = urllib.parse.urlsplit(url).hostname or ""
        opener = self._direct if is_loopback(host) else self._proxied
        started = time.monotonic()
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status = int(response.status)
                raw = response.read()
                retry_after = response.headers.get("Retry-After")
        except urllib.error.HTTPError as err:
            status = err.code
            try:
                raw = err.read()
            except (OSError, http.client.HTTPException):
                raw = b""
            retry_after = err.headers.get("Retry-After") if err.headers else None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            reason = err.reason if isinstance(err, urllib.error.URLError) else err
            if isinstance(reason, socket.timeout | TimeoutError):
                text = f"no answer within {self.timeout:g} s"
            else:
                text = f"cannot connect: {reason}" if str(reason) else type(reason).__name__
            seconds = time.monotonic() - started
            log.debug("%s %s%s: %s after %.3f s", method, server.name, path, text, seconds)
            return _Answer(0, text=text, seconds=seconds)
        seconds = time.monotonic() - started
        log.debug("%s %s%s: HTTP %d in %.3f s", method, server.name, path, status, seconds)
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        wait: float | None = None
        if retry_after:
            try:
                wait = min(60.0, max(0.0, float(retry_after)))
            except ValueError:
                wait = None
        return _Answer(status, body, text, wait, seconds)

    # -- discovery --------------------------------------------------------------------------

    def _probe(self, server: _Server) -> None:
        """Learn what ``server`` offers; an unreachable server leaves the pool."""
        answer = _Answer(0, text="not asked")
        for attempt in range(2):
            answer = self._request(server, "GET", "/languages")
            if attempt == 0 and (answer.status == 0 or answer.status in _RETRY_STATUSES):
                time.sleep(self.backoff * random.uniform(0.5, 1.5))
                continue
            break
        server.last_answer = answer.message()
        if answer.status != 200 or not isinstance(answer.body, list):
            if answer.status == 200:
                why = "GET /languages did not answer a list of languages (not LibreTranslate?)"
            elif answer.status == 404:
                why = "GET /languages: HTTP 404 (not a LibreTranslate URL?)"
            else:
                why = f"GET /languages: {answer.message()}"
            server.ejected = why
            server.probed = True
            return
        for entry in answer.body:
            if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
                continue
            source = _code(entry["code"])
            server.source_codes[source] = entry["code"]
            targets = entry.get("targets") or []
            server.targets[source] = {
                _code(t): t for t in targets if isinstance(t, str) and _code(t) != source
            }
        settings = self._request(server, "GET", "/frontend/settings")
        limit = settings.body.get("charLimit") if isinstance(settings.body, dict) else None
        if isinstance(limit, int) and limit > 0:
            server.char_limit = min(server.char_limit, limit) if server.char_limit else limit
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

    def _able(self, source: str, target: str) -> list[_Server]:
        self._discover()
        return [s for s in self.servers if s.offers(source, target)]

    def _nobody(self, source: str, target: str, what: str) -> EngineError:
        lines = "\n  ".join(s.describe(source, target) for s in self.servers)
        return EngineError(f"no LibreTranslate server can {what} {source}→{target}:\n  {lines}")

    # -- Engine protocol ----------------------------------------------------------------------

    def identity(self, source: str, target: str) -> str:
        """``libretranslate[:<model tag>]:<src>-<tgt>`` (see the module docstring for why)."""
        if not self._able(source, target):
            raise self._nobody(source, target, "translate")
        tag = f":{self.model_tag}" if self.model_tag else ""
        return f"libretranslate{tag}:{source}-{target}"

    def check(self, source: str, target: str) -> None:
        """Raise :class:`EngineError` naming every server when none offers the pair."""
        if not self._able(source, target):
            raise self._nobody(source, target, "translate")

    def translate(self, sentences: Sequence[str], source: str, target: str) -> list[Translation]:
        """Translate through the pool; order kept, each distinct text sent once."""
        started = time.monotonic()
        distinct: dict[str, int] = {}
        for text in sentences:
            if text.strip():
                distinct.setdefault(text, len(distinct))
        texts = list(distinct)
        translated = self._run(texts, source, target) if texts else []
        self.language_seconds[target] = self.language_seconds.get(target, 0.0) + (
            time.monotonic() - started
        )
        return [
            Translation(translated[distinct[t]] if t in distinct else "", None) for t in sentences
        ]

    def release(self) -> None:
        """Nothing is loaded locally."""

    # -- the pool -------------------------------------------------------------------------------

    def _run(self, texts: list[str], source: str, target: str) -> list[str]:
        able = self._able(source, target)
        if not able:
            raise self._nobody(source, target, "translate")
        # Cut a sentence only when no server would take it whole.
        limits = [s.char_limit for s in able]
        limit = max(limits) if all(limits) else 0
        pieces: list[_Piece] = []
        for i, text in enumerate(texts):
            chunks = _split_text(text, limit) if limit and len(text) > limit else [text]
            if len(chunks) > 1:
                log.warning(
                    "a %d-character sentence exceeds the servers' %d-character limit; it is "
                    "translated in %d parts",
                    len(text),
                    limit,
                    len(chunks),
                )
            pieces.extend(_Piece(chunk, i, (k,)) for k, chunk in enumerate(chunks))
        run = _Run(source, target, pieces, deque(range(len(pieces))))
        threads = [
            threading.Thread(target=self._worker, args=(run, server), daemon=True)
            for server in able
            for _ in range(self.in_flight)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if run.error is not None:
            raise run.error
        parts: list[list[tuple[tuple[int, ...], str]]] = [[] for _ in texts]
        for index, piece in enumerate(run.pieces):
            parts[piece.sentence].append((piece.order, run.results[index]))
        return [" ".join(text for _, text in sorted(chunk) if text) for chunk in parts]

    def _take(self, run: _Run, server: _Server) -> list[int]:
        """Up to the server's batch limit of queued pieces it accepts (lock held)."""
        batch: list[int] = []
        skipped: list[int] = []
        while run.pending and len(batch) < server.batch_limit:
            index = run.pending.popleft()
            if server.char_limit and len(run.pieces[index].text) > server.char_limit:
                skipped.append(index)
            else:
                batch.append(index)
        run.pending.extendleft(reversed(skipped))
        return batch

    def _worker(self, run: _Run, server: _Server) -> None:
        while True:
            with run.cond:
                batch = self._next_batch(run, server)
                if not batch:
                    return
                run.in_flight += 1
            payload = {
                "q": [run.pieces[i].text for i in batch],
                "source": server.source_codes.get(run.source, run.source),
                "target": server.targets[run.source].get(run.target, run.target),
                "format": "text",
            }
            answer = self._request(server, "POST", "/translate", payload)
            with run.cond:
                run.in_flight -= 1
                self._settle(run, server, batch, answer)
                self._check_feasible(run)
                run.cond.notify_all()

    def _next_batch(self, run: _Run, server: _Server) -> list[int]:
        """Wait until this server may send a batch; [] when it has nothing more to do."""
        while True:
            if run.done() or not server.offers(run.source, run.target):
                return []
            wait = server.not_before - time.monotonic()
            if wait > 0:
                run.cond.wait(wait)
                continue
            batch = self._take(run, server)
            if batch:
                return batch
            if run.pending and self._resplit(run):
                continue
            # Nothing this server can take now; a failed request may queue work again.
            run.cond.wait(1.0)

    def _resplit(self, run: _Run) -> bool:
        """Cut queued pieces that no remaining server accepts (lock held); True if any was cut."""
        limits = [s.char_limit for s in self.servers if s.offers(run.source, run.target)]
        if not limits or not all(limits):
            return False
        limit = max(limits)
        cut = False
        for index in list(run.pending):
            piece = run.pieces[index]
            if len(piece.text) <= limit:
                continue
            first, *rest = _split_text(piece.text, limit)
            piece.text, piece.order = first, (*piece.order, 0)
            for k, chunk in enumerate(rest, 1):
                run.pieces.append(_Piece(chunk, piece.sentence, (*piece.order[:-1], k)))
                run.pending.append(len(run.pieces) - 1)
            cut = True
        return cut

    def _stats(self, server: _Server, target: str) -> LanguageStats:
        return server.stats.setdefault(target, LanguageStats())

    def _settle(self, run: _Run, server: _Server, batch: list[int], answer: _Answer) -> None:
        """Accept an answer, or put the batch back and decide about the server (lock held)."""
        stats = self._stats(server, run.target)
        stats.seconds += answer.seconds
        server.last_answer = answer.message() if answer.status != 200 else "HTTP 200"
        if answer.status == 200:
            out = answer.body.get("translatedText") if isinstance(answer.body, dict) else None
            if (
                isinstance(out, list)
                and len(out) == len(batch)
                and all(isinstance(t, str) for t in out)
            ):
                stats.requests += 1
                server.failures = 0
                for index, text in zip(batch, out, strict=True):
                    if index not in run.results:  # the first complete answer wins
                        run.results[index] = text.strip()
                        stats.sentences += 1
                return
            run.pending.extendleft(reversed(batch))
            server.ejected = "POST /translate answered 200 without a list of translations"
            return
        run.pending.extendleft(reversed(batch))
        if answer.status == 400 and self._shrink(server, batch, run, answer):
            return
        if answer.status == 400 and _UNSUPPORTED_RE.search(answer.message()):
            server.refused[(run.source, run.target)] = answer.message()
            log.warning(
                "%s cannot do %s→%s: %s", server.name, run.source, run.target, answer.message()
            )
            return
        if answer.status == 0 or answer.status in _RETRY_STATUSES:
            stats.retries += 1
            server.failures += 1
            if server.failures >= self.max_failures:
                server.ejected = (
                    f"taken out of the pool after {server.failures} failures in a row, "
                    f"last: {answer.message()}"
                )
                log.warning("%s %s", server.name, server.ejected)
                return
            delay = min(self.max_backoff, self.backoff * 2 ** (server.failures - 1))
            delay *= random.uniform(0.5, 1.5)
            if answer.retry_after is not None:
                delay = max(delay, answer.retry_after)
            server.not_before = time.monotonic() + delay
            log.info("%s: %s; retrying in %.1f s", server.name, answer.message(), delay)
            return
        # Anything else (401/403: key refused, 404: wrong URL, other 400s) will not get better.
        server.ejected = f"POST /translate: {answer.message()}"
        log.warning("%s taken out of the pool: %s", server.name, server.ejected)

    def _shrink(self, server: _Server, batch: list[int], run: _Run, answer: _Answer) -> bool:
        """A 400 about the batch or text limit: lower the server's limit (lock held)."""
        match = _LIMIT_RE.search(answer.message())
        if not match:
            return False
        size, limit = int(match.group(1)), int(match.group(2))
        # Both limits share one message; LibreTranslate checks the batch size first, so a
        # size equal to the batch's is the batch limit (if it was a text after all, the
        # next, smaller batch gets the text-limit answer and that is handled below).
        if size == len(batch) and limit < len(batch):
            new = max(1, min(limit, len(batch) - 1))
            log.info("%s: batch limit %d (was %d)", server.name, new, server.batch_limit)
            server.batch_limit = new
            return True
        if limit >= 1 and (not server.char_limit or limit < server.char_limit):
            log.info("%s: text limit %d characters", server.name, limit)
            server.char_limit = limit
            return True
        return False

    def _check_feasible(self, run: _Run) -> None:
        """Fail the run when queued work remains and no server can take it (lock held)."""
        if run.error is not None or not run.pending:
            return
        if not any(s.offers(run.source, run.target) for s in self.servers):
            run.error = self._nobody(run.source, run.target, "finish")

    # -- reports --------------------------------------------------------------------------------

    def stats(self) -> EngineStats:
        """Per language and server: sentences, requests, retries and seconds; each server's
        state (whether it left the pool and why). No API key."""
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
        probes = []
        for report in self.server_reports(source, targets):
            lines = [f"{'reachable' if report.reachable else 'unreachable'}"]
            have = [t for t in targets if t not in report.missing] if report.reachable else []
            if report.reachable:
                lines.append(f"offers {source}→{', '.join(report.offered) or '-'}")
                lines.append(
                    f"needed: {', '.join(have) or '-'} offered; "
                    f"{', '.join(report.missing) or 'none'} missing"
                )
            if report.round_trip is not None:
                lines.append(
                    f"one sentence {report.round_trip_pair}: {report.round_trip * 1000:.0f} ms"
                )
            if report.problem:
                lines.append(f"problem: {report.problem}")
            covers = () if report.problem else tuple(have)
            probes.append(Probe(report.url, not report.problem, tuple(lines), covers))
        return probes

    def server_reports(self, source: str, targets: Sequence[str]) -> list[ServerReport]:
        """For ``engines check``: reachability, offered vs needed pairs, a round-trip time."""
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
                    payload = {
                        "q": [_PROBE_SENTENCE],
                        "source": server.source_codes.get(source, source),
                        "target": offered[target],
                        "format": "text",
                    }
                    answer = self._request(server, "POST", "/translate", payload)
                    out = (
                        answer.body.get("translatedText") if isinstance(answer.body, dict) else None
                    )
                    if answer.status == 200 and isinstance(out, list) and len(out) == 1:
                        report.round_trip = answer.seconds
                        report.round_trip_pair = f"{source}→{target}"
                    else:
                        report.problem = f"POST /translate: {answer.message()}"
            reports.append(report)
        return reports


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


def _split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, at spaces where possible."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        parts.append(rest)
    return parts


@dataclass(frozen=True)
class Settings:
    """The ``[libretranslate]`` table. The API key is never read from the project file:
    ``--api-key`` or ``$SUMMARY_PIPELINE_LT_API_KEY``."""

    urls: tuple[str, ...] = field(
        default=(), metadata={"parse": "urls", "required": "name at least one server (or --url)"}
    )
    batch_limit: int = field(default=16, metadata={"min": 1, "max": 10000})
    char_limit: int = field(default=0, metadata={"min": 0, "max": 10**7})
    timeout: float = field(default=120.0, metadata={"min": 0.001})
    in_flight: int = field(default=2, metadata={"min": 1})
    # Part of the memory key: change it when the servers' models are upgraded.
    model_tag: str = ""
    api_key: Secret | None = field(default=None, metadata={"secret": True})


def validate_urls(values: Sequence[str]) -> tuple[str, ...]:
    """The ``urls`` setting, checked (:class:`ConfigError` names the bad one)."""
    return tuple(parse_urls(list(values))) if values else ()


def create(settings: Settings, context: EngineContext) -> LibreTranslateEngine:
    """The pool of the configured servers (the key falls back to the environment)."""
    if not settings.urls:
        raise ConfigError("libretranslate.urls: name at least one server (or --url)")
    return LibreTranslateEngine(
        list(settings.urls),
        api_key=settings.api_key,
        batch_limit=settings.batch_limit,
        char_limit=settings.char_limit,
        timeout=settings.timeout,
        in_flight=settings.in_flight,
        model_tag=settings.model_tag,
    )
