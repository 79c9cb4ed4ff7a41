"""A hostile LibreTranslate look-alike on loopback, for the security tests (issue 13).

It answers ``GET /languages``, ``GET /frontend/settings`` and ``POST /translate`` the way a
broken or malicious server might: echoing the request (API key included) in error bodies,
dripping its answer one byte at a time, sending megabytes for one sentence, the wrong number
of translations, numbers instead of text, 401/403. It listens on 127.0.0.1 only, reads at
most :data:`MAX_REQUEST` bytes of a request, stops dripping after ``drip_for`` seconds and
shuts down with :meth:`HostileServer.stop` (or the ``with`` block).
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

__all__ = ["Behaviour", "HostileServer"]

MAX_REQUEST = 1 << 20


@dataclass(frozen=True)
class Behaviour:
    """What the server does; the defaults make an honest (fake) server."""

    status: int = 200  # of POST /translate
    echo: bool = False  # put the whole request body into the answer ("error" and text)
    drip: float = 0.0  # seconds between bytes of the /translate answer (0: all at once)
    drip_languages: bool = False  # drip GET /languages too
    drip_for: float = 30.0  # never drip longer than this
    huge: int = 0  # characters per translation (0: a normal translation)
    extra: int = 0  # translations more (or fewer, negative) than texts
    not_text: bool = False  # numbers instead of strings
    raw: bytes | None = None  # the /translate body as is (e.g. not JSON)
    targets: tuple[str, ...] = ("es", "fr")
    # Seconds each POST /translate takes (the pool benchmark's fixed cost per request); with
    # ``one_at_a_time`` requests wait for each other, like a server with one core.
    latency: float = 0.0
    one_at_a_time: bool = False


class HostileServer:
    """One server on ``127.0.0.1:<free port>``; records the API keys it was sent."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.api_keys: list[object] = []
        self.requests = 0
        self._lock = threading.Lock()
        self._busy = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner._get(self)

            def do_POST(self) -> None:
                owner._post(self)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        assert host == "127.0.0.1"  # loopback only, whatever happens
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._stopping = threading.Event()

    def start(self) -> HostileServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (drips in progress end at once)."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- answers --------------------------------------------------------------------------

    def _get(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        if handler.path == "/languages":
            languages = [
                {"code": "en", "name": "English", "targets": list(self.behaviour.targets)},
                *({"code": t, "name": t, "targets": ["en"]} for t in self.behaviour.targets),
            ]
            drip = self.behaviour.drip if self.behaviour.drip_languages else 0.0
            self._send(handler, 200, json.dumps(languages).encode(), drip)
        elif handler.path == "/frontend/settings":
            self._send(handler, 200, b'{"charLimit": 5000}', 0.0)
        else:
            self._send(handler, 404, b'{"error": "not found"}', 0.0)

    def _post(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        length = min(int(handler.headers.get("Content-Length") or 0), MAX_REQUEST)
        raw = handler.rfile.read(length)
        try:
            request = json.loads(raw)
        except ValueError:
            request = {}
        with self._lock:
            self.requests += 1
            self.api_keys.append(request.get("api_key") if isinstance(request, dict) else None)
        b = self.behaviour
        if b.latency:
            if b.one_at_a_time:
                with self._busy:
                    time.sleep(b.latency)
            else:
                time.sleep(b.latency)
        if b.raw is not None:
            self._send(handler, b.status, b.raw, b.drip)
            return
        if b.status != 200 or b.echo:
            text = raw.decode("utf-8", "replace")
            body = {"error": f"cannot handle {text}" if b.echo else "Invalid API key"}
            data = json.dumps(body).encode() + (b"\n" + raw if b.echo else b"")
            self._send(handler, b.status, data, b.drip)
            return
        texts = request.get("q", []) if isinstance(request, dict) else []
        texts = texts if isinstance(texts, list) else [texts]
        out: list[object] = [self._translate(str(t)) for t in texts]
        if b.extra > 0:
            out += ["extra"] * b.extra
        elif b.extra < 0:
            out = out[: b.extra]
        self._send(handler, 200, json.dumps({"translatedText": out}).encode(), b.drip)

    def _translate(self, text: str) -> object:
        if self.behaviour.not_text:
            return 42
        if self.behaviour.huge:
            return "x" * self.behaviour.huge
        return f"[{text}]"

    def _send(
        self, handler: http.server.BaseHTTPRequestHandler, status: int, data: bytes, drip: float
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            if not drip:
                handler.wfile.write(data)
                return
            until = time.monotonic() + self.behaviour.drip_for
            for i in range(len(data)):
                if self._stopping.is_set() or time.monotonic() > until:
                    return
                handler.wfile.write(data[i : i + 1])
                handler.wfile.flush()
                time.sleep(drip)
        except OSError:  # the client hung up: exactly what a deadline does
            return
