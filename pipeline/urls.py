"""The one URL and e-mail pattern, and the URL allow-list every source passes.

A URL from front matter, Markdown, a catalog or the glossary may be ``http:``, ``https:``,
``mailto:`` or a relative reference that stays inside the project; anything else
(``javascript:``, ``data:``, ``file:``, ``vbscript:``, protocol-relative ``//host``, absolute
paths, ``../`` out of the project) is dropped and the caller reports a finding with the
reason returned by :func:`url_problem`. Browsers ignore tabs, newlines and leading control
characters inside a URL (WHATWG URL parsing), so the check does too before it reads the
scheme: ``java\\tscript:`` is ``javascript:``.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: Bare URLs inside text (``https://…`` or ``www.…``), not ending in sentence punctuation.
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
#: E-mail addresses inside text.
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
#: Either of the two: what segmentation protects and QA compares.
URL_OR_EMAIL_RE = re.compile(f"{URL_RE.pattern}|{EMAIL_RE.pattern}")

ALLOWED_SCHEMES = ("http", "https", "mailto")
#: Front matter fields that hold a URL.
URL_FIELDS = ("source",)

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# WHATWG: leading/trailing C0 controls and spaces are stripped, tab/CR/LF removed anywhere.
_STRIPPED = "".join(chr(c) for c in range(0x21))
_REMOVED_RE = re.compile(r"[\t\n\r]")


def _normalized(url: str) -> str:
    return _REMOVED_RE.sub("", url.strip(_STRIPPED))


def url_problem(
    url: str, base_dir: Path | None = None, project_dir: Path | None = None
) -> str | None:
    """Why ``url`` is not allowed, or None when it is (http, https, mailto, project-relative).

    A relative reference must not start with ``/`` (an absolute path) or ``//`` (another
    host), carry a backslash (some browsers read it as a slash) or leave the project: with
    ``base_dir`` (the folder of the file it was read from) and ``project_dir`` it must
    resolve inside the project; without them it must not start with ``../``.
    """
    text = _normalized(url)
    if not text:
        return "the URL is empty"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        return "the URL contains control characters"
    match = _SCHEME_RE.match(text)
    if match:
        scheme = match.group(1).lower()
        if scheme not in ALLOWED_SCHEMES:
            return f"the scheme {scheme}: is not allowed (only {', '.join(ALLOWED_SCHEMES)})"
        if scheme in ("http", "https") and not urllib.parse.urlsplit(text).hostname:
            return f"the {scheme}: URL names no host"
        return None
    if "\\" in text:
        return "a relative link may not contain a backslash"
    if text.startswith("/"):
        return "an absolute path or another host (leading /) is not within the project"
    path = urllib.parse.unquote(urllib.parse.urlsplit(text).path)
    if not path:
        return None  # "#anchor" or "?query": the same page
    if base_dir is not None and project_dir is not None:
        if not _inside((base_dir / path).resolve(), [project_dir]):
            return "the relative link leads outside the project"
        return None
    # normpath of a relative path keeps leading "..": that is exactly the escape.
    normal = posixpath.normpath(path)
    if normal == ".." or normal.startswith("../"):
        return "the relative link leaves its folder (../)"
    return None


def _inside(target: Path, roots: Sequence[Path]) -> bool:
    for root in roots:
        resolved = root.resolve()
        if target == resolved or resolved in target.parents:
            return True
    return False


def allowed_url(url: str) -> bool:
    """True when ``url`` passes the allow-list (see :func:`url_problem`)."""
    return url_problem(url) is None


def local_file_allowed(url: str, roots: Sequence[Path]) -> bool:
    """For a PDF renderer's URL fetcher: ``file:`` URLs only inside ``roots``, ``data:`` yes.

    Everything else (other schemes, ``file:`` outside the project, other hosts) is refused,
    so a page cannot embed ``/etc/passwd`` or ``~/.ssh`` into a PDF.
    """
    text = _normalized(url)
    match = _SCHEME_RE.match(text)
    scheme = match.group(1).lower() if match else ""
    if scheme == "data":
        return True
    if scheme != "file":
        return False
    parts = urllib.parse.urlsplit(text)
    if parts.netloc not in ("", "localhost"):
        return False
    return _inside(Path(urllib.parse.unquote(parts.path)).resolve(), roots)


def drop_unsafe_urls(meta: Mapping[str, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    """Front matter without URL fields the allow-list refuses, and a warning for each drop.

    ``where`` names the file for the message.
    """
    kept = dict(meta)
    warnings: list[str] = []
    for key in URL_FIELDS:
        value = kept.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        problem = url_problem(value)
        if problem is not None:
            del kept[key]
            warnings.append(
                f"{where}: front matter {key!r} dropped: {value[:80]!r} is not an allowed "
                f"link ({problem})"
            )
    return kept, warnings
