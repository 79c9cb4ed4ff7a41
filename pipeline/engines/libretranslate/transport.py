"""HTTP to one LibreTranslate server, bounded in time and size, with the API key kept secret.

Every request has a *total* deadline: a server that drips one byte a second, or stalls in
its headers, is cut off when the deadline passes (a watchdog shuts the socket down), not
after one socket timeout per byte. Every answer has a maximum size, checked against its
``Content-Length`` first and while it is read. Everything a server sends back can end up in a
message, a log line or ``build-times.json``, so its text is passed through the
:class:`Redactor` before anything else sees it: a server echoing the request body cannot
leak the key, whole, JSON- or URL-encoded, or cut short.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import ConfigError
from pipeline.secret import Secret

#: The largest answer to ``GET /languages`` and ``/frontend/settings`` (a few kB in practice).
MAX_DISCOVERY_BYTES = 1 << 20
#: ``POST /translate`` may answer at most this many bytes per character sent, plus a margin.
BYTES_PER_CHARACTER = 64  # \uXXXX escapes (6 bytes) of a text up to 8 times longer
ANSWER_MARGIN = 64 << 10
_READ = 1 << 16
# A key cut short in an echo is still a secret: hide any piece of it this long or longer.
_MIN_PIECE = 6


class Redactor:
    """Removes a secret from text: as sent, JSON-escaped, URL-encoded, or any long piece."""

    _FIELD_RE = re.compile(r'("?api_key"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s&,}]+)', re.I)

    def __init__(self, secret: Secret | None) -> None:
        value = secret.reveal() if secret else ""
        forms = {value, json.dumps(value)[1:-1], urllib.parse.quote(value, safe="")}
        forms |= {urllib.parse.quote_plus(value)}
        self._forms = sorted((f for f in forms if f), key=len, reverse=True)
        self._value = value

    def __call__(self, text: str) -> str:
        """``text`` without the secret (``***`` in its place)."""
        if not self._value or not text:
            return text
        text = self._FIELD_RE.sub(lambda m: f"{m.group(1)}***", text)
        for form in self._forms:
            text = text.replace(form, "***")
        return self._hide_pieces(text)

    def _hide_pieces(self, text: str) -> str:
        pattern = self._pieces
        if pattern is None:
            return text
        out: list[str] = []
        pos = 0
        while match := pattern.search(text, pos):
            end = match.end()
            while end < len(text) and text[match.start() : end + 1] in self._value:
                end += 1  # the longest piece of the key that starts here
            out += [text[pos : match.start()], "***"]
            pos = end
        out.append(text[pos:])
        return "".join(out)

    @functools.cached_property
    def _pieces(self) -> re.Pattern[str] | None:
        # Any run of >= _MIN_PIECE characters of the key: an echo cut short at some length.
        key = self._value
        size = min(_MIN_PIECE, len(key))
        pieces = {key[i : i + size] for i in range(len(key) - size + 1)}
        return re.compile("|".join(map(re.escape, sorted(pieces)))) if pieces else None


def display_url(url: str) -> str:
    """The URL without user name or password, for messages and reports."""
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
                problems.append(f"{display_url(raw.strip())!r} is not an http:// or https:// URL")
            elif parts.query or parts.fragment:
                problems.append(f"{display_url(url)}: a server URL has no ?query or #fragment")
            elif url not in urls:
                urls.append(url)
    if problems:
        raise ConfigError("libretranslate.urls: " + "; ".join(problems))
    if not urls:
        raise ConfigError(
            "libretranslate.urls: name at least one server, e.g. --url http://127.0.0.1:5000"
        )
    return urls


@dataclass
class Answer:
    """One server answer: status (0: none), parsed JSON body and redacted text."""

    status: int  # 0: no complete HTTP answer (connection error, deadline, too large)
    body: Any = None
    text: str = ""
    retry_after: float | None = None
    seconds: float = 0.0
    too_large: bool = False  # cut off at the size limit: asking again will not help

    def message(self) -> str:
        """``HTTP 400: <error>`` or the reason there was no answer (already redacted)."""
        if self.status == 0:
            return self.text
        error = self.body.get("error") if isinstance(self.body, dict) else None
        detail = str(error)[:200] if error else self.text.strip()[:200]
        return f"HTTP {self.status}: {detail}" if detail else f"HTTP {self.status}"


class _TooLarge(Exception):
    pass


class Transport:
    """Sends JSON requests to servers; every answer within a deadline and a size."""

    def __init__(self, api_key: Secret | None) -> None:
        self.api_key = api_key
        self.redact = Redactor(api_key)

    def request(
        self,
        url: str,
        method: str,
        payload: dict[str, Any] | None,
        *,
        deadline: float,
        max_bytes: int,
    ) -> Answer:
        """One request; ``deadline`` is a ``time.monotonic()`` instant; never raises."""
        started = time.monotonic()
        data = None
        headers = {"Accept": "application/json", "User-Agent": "summary-pipeline"}
        if payload is not None:
            if self.api_key:
                payload = {**payload, "api_key": self.api_key.reveal()}
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            status, raw, retry_after = _exchange(url, method, data, headers, deadline, max_bytes)
        except _TooLarge:
            text = f"answered more than {max_bytes} bytes"
            return Answer(0, text=text, seconds=_since(started), too_large=True)
        except (OSError, http.client.HTTPException, ssl.SSLError, ValueError) as err:
            if time.monotonic() >= deadline or isinstance(err, socket.timeout | TimeoutError):
                text = f"no complete answer within {max(0.0, deadline - started):.3g} s"
            else:
                text = self.redact(f"cannot connect: {err}" if str(err) else type(err).__name__)
            return Answer(0, text=text, seconds=_since(started))
        text = self.redact(raw.decode("utf-8", "replace"))
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        return Answer(status, body, text, _retry_after(retry_after), _since(started))


def _since(started: float) -> float:
    return time.monotonic() - started


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(60.0, max(0.0, float(value)))
    except ValueError:
        return None


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """A connection for ``url`` (through the environment's proxy unless loopback), the
    request target to send and any header the proxy needs."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    proxy = None
    extra: dict[str, str] = {}
    if not is_loopback(host) and not urllib.request.proxy_bypass(host):
        proxy = urllib.request.getproxies().get(parts.scheme)
    conn: http.client.HTTPConnection
    if proxy:
        p = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if p.username:
            token = f"{urllib.parse.unquote(p.username)}:{urllib.parse.unquote(p.password or '')}"
            extra["Proxy-Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(p.hostname or "", p.port, timeout=timeout)
            conn.set_tunnel(host, port, headers=extra)
            extra = {}
        else:
            conn = http.client.HTTPConnection(p.hostname or "", p.port, timeout=timeout)
            target = urllib.parse.urlunsplit((parts.scheme, parts.netloc, target, "", ""))
    elif parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=timeout)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    return conn, target, extra


def _exchange(
    url: str,
    method: str,
    data: bytes | None,
    headers: dict[str, str],
    deadline: float,
    max_bytes: int,
) -> tuple[int, bytes, str | None]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    conn, target, extra = _connection(url, remaining)
    headers = {**headers, **extra}
    sockets: list[socket.socket] = []
    # The watchdog: at the deadline the socket is shut down, whatever is being read. It holds
    # the socket itself: http.client drops its own reference once a response owns it.
    watchdog = threading.Timer(remaining, _shut, (sockets,))
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.connect()
        if conn.sock is not None:
            sockets.append(conn.sock)
        conn.request(method, target, body=data, headers=headers)
        response = conn.getresponse()
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        while block := response.read(_READ):
            size += len(block)
            if size > max_bytes:
                raise _TooLarge
            chunks.append(block)
        if time.monotonic() >= deadline:
            raise TimeoutError("deadline passed")
        return response.status, b"".join(chunks), response.getheader("Retry-After")
    finally:
        watchdog.cancel()
        conn.close()


def _shut(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
