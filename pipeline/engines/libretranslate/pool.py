"""Languages' sentences spread over the pool: batches, workers, retries, limits, deadline.

Each language's sentences are cut into batches that respect every server's batch and
character limits and queued per language. ``in_flight`` worker threads per server pull
(language, batch) work from the first language with queued work the server can do, so a
fast server takes more batches than a slow one and no server idles at the end of one
language while another still has work. A failed request (connection
error, deadline, 429, 5xx) puts its batch back on the queue for any server and backs its
server off (exponential, with jitter, honouring ``Retry-After``); after ``max_failures``
failures in a row the server leaves the pool. A 400 about the batch or text limit shrinks
that server's limits and re-cuts the batch. An answer is accepted only when it is complete
and plausible (:func:`translation_problem`: text, not absurdly longer than what was sent, no
control characters); a server sending anything else leaves the pool, so nothing it made up
reaches the translation memory. A translation is accepted once, from the first good answer.
The whole run has a deadline; when it passes, the run fails naming it.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.engines.libretranslate.servers import Server
from pipeline.engines.libretranslate.transport import Answer
from pipeline.errors import EngineError

log = logging.getLogger(__name__)

_LIMIT_RE = re.compile(r"request \((\d+)\) exceeds text limit \((\d+)\)")
_UNSUPPORTED_RE = re.compile(r"is not supported|not available as a target language")
#: Statuses worth another try later, on this server or another.
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
#: A translation may be this many times longer than its text, plus a margin, and no more.
MAX_GROWTH = 8
GROWTH_MARGIN = 200
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Send = Callable[[Server, dict[str, Any]], Answer]
Nobody = Callable[[str, str, str], EngineError]


def translation_problem(sent: str, got: object) -> str | None:
    """Why ``got`` cannot be the translation of ``sent``, or None."""
    if not isinstance(got, str):
        return f"a translation that is not text ({type(got).__name__})"
    if len(got) > MAX_GROWTH * len(sent) + GROWTH_MARGIN:
        return f"a {len(got)}-character translation of a {len(sent)}-character text"
    if _CONTROL_RE.search(got):
        return "control characters in a translation"
    return None


def answer_problem(sent: Sequence[str], body: Any) -> str | None:
    """Why a 200 answer to ``POST /translate`` of ``sent`` is unusable, or None."""
    out = body.get("translatedText") if isinstance(body, dict) else None
    if not isinstance(out, list):
        return "answered 200 without a list of translations"
    if len(out) != len(sent):
        return f"answered {len(out)} translation(s) for {len(sent)} text(s)"
    return next(
        (p for s, t in zip(sent, out, strict=True) if (p := translation_problem(s, t))), None
    )


@dataclass(frozen=True)
class Policy:
    """How the pool treats its servers."""

    in_flight: int = 2
    max_failures: int = 5
    backoff: float = 0.5
    max_backoff: float = 10.0


@dataclass
class _Piece:
    text: str
    sentence: int
    order: tuple[int, ...]  # the parts of a sentence are joined in this order


@dataclass(frozen=True)
class Job:
    """One language's texts and the servers able to translate them."""

    texts: list[str]
    source: str
    target: str
    able: list[Server]


@dataclass
class _Run:
    """One language's translation: pieces, its queue and the accepted results."""

    source: str
    target: str
    pieces: list[_Piece]
    pending: deque[int]
    able: list[Server]
    results: dict[int, str] = field(default_factory=dict)
    in_flight: int = 0
    finished: float = 0.0  # time.monotonic() when its last answer was accepted

    def done(self) -> bool:
        return not self.pending and self.in_flight == 0


@dataclass
class _Shared:
    """Every language of one call: one lock, one deadline, the first error stops them all."""

    runs: list[_Run]
    deadline: float
    error: EngineError | None = None
    cond: threading.Condition = field(default_factory=threading.Condition)


def split_text(text: str, limit: int) -> list[str]:
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


class Pool:
    """Runs languages over the servers able to do them; see the module docstring."""

    def __init__(self, servers: list[Server], policy: Policy, send: Send, nobody: Nobody) -> None:
        self.servers = servers
        self.policy = policy
        self.send = send
        self.nobody = nobody

    def run(
        self, texts: list[str], source: str, target: str, able: list[Server], deadline: float
    ) -> list[str]:
        """Translations of ``texts`` in order; EngineError when no server can finish."""
        return self.run_many([Job(texts, source, target, able)], deadline)[0][0]

    def run_many(self, jobs: Sequence[Job], deadline: float) -> list[tuple[list[str], float]]:
        """Per job, its translations in order and when it finished (``time.monotonic()``).

        All jobs share the servers at once; EngineError (the first job's in order) when no
        server can finish one, and then every job stops.
        """
        shared = _Shared([self._prepare(job) for job in jobs], deadline)
        servers: dict[int, Server] = {}
        for job in jobs:
            servers.update((id(server), server) for server in job.able)
        threads = [
            threading.Thread(target=self._worker, args=(shared, server), daemon=True)
            for server in servers.values()
            for _ in range(self.policy.in_flight)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if shared.error is not None:
            raise shared.error
        return [
            (_joined(run, len(job.texts)), run.finished)
            for run, job in zip(shared.runs, jobs, strict=True)
        ]

    def _prepare(self, job: Job) -> _Run:
        limits = [s.char_limit for s in job.able]
        limit = max(limits) if all(limits) else 0
        pieces: list[_Piece] = []
        for i, text in enumerate(job.texts):
            # Cut a sentence only when no server would take it whole.
            chunks = split_text(text, limit) if limit and len(text) > limit else [text]
            if len(chunks) > 1:
                log.warning(
                    "a %d-character sentence exceeds the servers' %d-character limit; it is "
                    "translated in %d parts",
                    len(text),
                    limit,
                    len(chunks),
                )
            pieces.extend(_Piece(chunk, i, (k,)) for k, chunk in enumerate(chunks))
        run = _Run(job.source, job.target, pieces, deque(range(len(pieces))), list(job.able))
        run.finished = time.monotonic()
        return run

    def _worker(self, shared: _Shared, server: Server) -> None:
        while True:
            with shared.cond:
                work = self._next_batch(shared, server)
                if work is None:
                    return
                run, batch = work
                run.in_flight += 1
            payload = {
                "q": [run.pieces[i].text for i in batch],
                "source": server.source_codes.get(run.source, run.source),
                "target": server.targets[run.source].get(run.target, run.target),
                "format": "text",
            }
            answer = self.send(server, payload)
            with shared.cond:
                run.in_flight -= 1
                self._settle(run, server, batch, answer)
                if run.done():
                    run.finished = time.monotonic()
                for each in shared.runs:
                    self._check_feasible(shared, each)
                shared.cond.notify_all()

    def _mine(self, shared: _Shared, server: Server) -> list[_Run]:
        """Unfinished languages this server can do, in order."""
        return [
            run
            for run in shared.runs
            if not run.done()
            and any(s is server for s in run.able)
            and server.offers(run.source, run.target)
        ]

    def _next_batch(self, shared: _Shared, server: Server) -> tuple[_Run, list[int]] | None:
        """Wait until this server may send a batch; None when it has nothing more to do."""
        while True:
            mine = self._mine(shared, server)
            if shared.error is not None or not mine:
                return None
            now = time.monotonic()
            if now >= shared.deadline:
                run = mine[0]
                shared.error = EngineError(
                    f"LibreTranslate: {run.source}→{run.target} did not finish before the "
                    f"build's deadline ({len(run.pending)} piece(s) left); "
                    f"last answers:\n  " + "\n  ".join(self._last_answers())
                )
                return None
            if server.not_before > now:
                shared.cond.wait(min(server.not_before - now, shared.deadline - now))
                continue
            for run in mine:
                batch = self._take(run, server)
                if batch:
                    return run, batch
            if any(run.pending and self._resplit(run) for run in mine):
                continue
            # Nothing this server can take now; a failed request may queue work again.
            shared.cond.wait(min(1.0, max(0.01, shared.deadline - now)))

    def _last_answers(self) -> list[str]:
        return [f"{s.name}: {s.ejected or s.last_answer or 'no answer yet'}" for s in self.servers]

    def _take(self, run: _Run, server: Server) -> list[int]:
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
            first, *rest = split_text(piece.text, limit)
            piece.text, piece.order = first, (*piece.order, 0)
            for k, chunk in enumerate(rest, 1):
                run.pieces.append(_Piece(chunk, piece.sentence, (*piece.order[:-1], k)))
                run.pending.append(len(run.pieces) - 1)
            cut = True
        return cut

    def _settle(self, run: _Run, server: Server, batch: list[int], answer: Answer) -> None:
        """Accept an answer, or put the batch back and decide about the server (lock held)."""
        stats = server.stats_for(run.target)
        stats.seconds += answer.seconds
        server.last_answer = answer.message() if answer.status != 200 else "HTTP 200"
        if answer.status == 200:
            sent = [run.pieces[i].text for i in batch]
            problem = answer_problem(sent, answer.body)
            if problem is None:
                stats.requests += 1
                server.failures = 0
                for index, text in zip(batch, answer.body["translatedText"], strict=True):
                    if index not in run.results:  # the first complete answer wins
                        run.results[index] = text.strip()
                        stats.sentences += 1
                return
            run.pending.extendleft(reversed(batch))
            server.ejected = f"POST /translate {problem}"
            log.warning("%s taken out of the pool: %s", server.name, server.ejected)
            return
        run.pending.extendleft(reversed(batch))
        if answer.status == 400 and self._shrink(server, batch, answer):
            return
        if answer.status == 400 and _UNSUPPORTED_RE.search(answer.message()):
            server.refused[(run.source, run.target)] = answer.message()
            log.warning(
                "%s cannot do %s→%s: %s", server.name, run.source, run.target, answer.message()
            )
            return
        if (answer.status == 0 and not answer.too_large) or answer.status in RETRY_STATUSES:
            self._retry_later(server, answer, stats)
            return
        # Anything else (401/403: key refused, 404: wrong URL, other 400s, an answer too large)
        # will not get better.
        server.ejected = f"POST /translate: {answer.message()}"
        log.warning("%s taken out of the pool: %s", server.name, server.ejected)

    def _retry_later(self, server: Server, answer: Answer, stats: Any) -> None:
        stats.retries += 1
        server.failures += 1
        if server.failures >= self.policy.max_failures:
            server.ejected = (
                f"taken out of the pool after {server.failures} failures in a row, "
                f"last: {answer.message()}"
            )
            log.warning("%s %s", server.name, server.ejected)
            return
        delay = min(self.policy.max_backoff, self.policy.backoff * 2 ** (server.failures - 1))
        delay *= random.uniform(0.5, 1.5)
        if answer.retry_after is not None:
            delay = max(delay, answer.retry_after)
        server.not_before = time.monotonic() + delay
        log.info("%s: %s; retrying in %.1f s", server.name, answer.message(), delay)

    def _shrink(self, server: Server, batch: list[int], answer: Answer) -> bool:
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

    def _check_feasible(self, shared: _Shared, run: _Run) -> None:
        """Fail every run when queued work remains and no server can take it (lock held)."""
        if shared.error is not None or not run.pending:
            return
        if not any(s.offers(run.source, run.target) for s in self.servers):
            shared.error = self.nobody(run.source, run.target, "finish")


def _joined(run: _Run, count: int) -> list[str]:
    """Each text's translation: its pieces' translations in order."""
    parts: list[list[tuple[tuple[int, ...], str]]] = [[] for _ in range(count)]
    for index, piece in enumerate(run.pieces):
        parts[piece.sentence].append((piece.order, run.results[index]))
    return [" ".join(text for _, text in sorted(chunk) if text) for chunk in parts]
