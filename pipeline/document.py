"""Read an English summary: Markdown with YAML front matter → :class:`Document`."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import SourceError
from pipeline.languages import is_known
from pipeline.urls import drop_unsafe_urls

_FENCE = "---"
# Front matter fields whose text is translated (besides the title).
TRANSLATABLE_FIELDS = ("title", "summary", "source_title")


@dataclass(frozen=True)
class Document:
    """One source summary, parsed but not yet segmented."""

    path: Path
    slug: str
    title: str
    body: str
    body_line: int  # 1-based line of the file where the body starts
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # problems repaired while reading (``file:line: …``)
    digest: str = ""  # sha256 of the bytes read: the same bytes give the same Document

    @property
    def date(self) -> dt.date | None:
        """The front matter date, if any."""
        value = self.meta.get("date")
        return value if isinstance(value, dt.date) else None

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages named in the front matter (may be empty)."""
        return tuple(self.meta.get("languages") or ())


def slugify(text: str) -> str:
    """A file-name-safe ASCII slug: ``"AI Pledge, 2023"`` → ``"ai-pledge-2023"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "document"


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _refuse_surrogates(path: Path, meta: dict[str, Any], lines: list[str]) -> list[str]:
    """Replace lone surrogates (YAML ``"\\ud800"``) in front matter by U+FFFD; warn of each.

    Such a string is not text: it cannot be written as UTF-8, so every page and catalog
    would fail later. The field is kept with the replacement character, and a warning names
    the file, line and field.
    """
    warnings: list[str] = []

    def clean(value: Any, key: str) -> Any:
        found = _SURROGATE_RE.search(value) if isinstance(value, str) else None
        if found:
            where = next((i + 2 for i, line in enumerate(lines) if line.startswith(key)), 2)
            code = f"U+{ord(found.group(0)):04X}"
            warnings.append(
                f"{path}:{where}: front matter '{_SURROGATE_RE.sub('?', key)}' holds a lone "
                f"surrogate ({code}), which is not a character; replaced by U+FFFD"
            )
            return _SURROGATE_RE.sub("\ufffd", value)
        if isinstance(value, dict):
            return {clean(k, key): clean(v, key) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(item, key) for item in value]
        return value

    for key in list(meta):
        meta[_SURROGATE_RE.sub("\ufffd", key)] = clean(meta.pop(key), key)
    return warnings


def load_document(path: Path) -> Document:
    """Read and validate ``path``; raise :class:`SourceError` naming the file (and line)."""
    raw = _read_bytes(path)
    lines = _decode(path, raw).split("\n")
    meta, warnings, body_start = _front_matter(path, lines)
    body = "\n".join(lines[body_start:])
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise SourceError(f"{path}:1: front matter needs a 'title' (text)")
    if not body.strip():
        raise SourceError(f"{path}:{body_start + 1}: the document has no body text")
    _check_fields(path, meta)
    meta, dropped = drop_unsafe_urls(meta, str(path))
    warnings.extend(dropped)
    return Document(
        path=path,
        slug=slugify(str(meta.get("slug") or path.stem)),
        title=title.strip(),
        body=body,
        body_line=body_start + 1,
        meta=meta,
        warnings=tuple(warnings),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as err:
        raise SourceError(f"{path}: no such file") from err
    except IsADirectoryError as err:
        raise SourceError(f"{path}: is a directory, not a Markdown file") from err
    except OSError as err:
        raise SourceError(f"{path}: cannot be read ({err.strerror})") from err


def _decode(path: Path, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise SourceError(f"{path}:{line}: not UTF-8 text (byte {err.start})") from err
    return text.replace("\r\n", "\n")


def _front_matter(path: Path, lines: list[str]) -> tuple[dict[str, Any], list[str], int]:
    """The front matter fields, warnings about them, and the index of the body's first line."""
    import yaml

    if not lines or lines[0].strip() != _FENCE:
        return {}, [], 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise SourceError(f"{path}:1: front matter is not closed with '---'")
    try:
        loaded = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err)
        raise SourceError(f"{path}:{line}: front matter is not valid YAML: {problem}") from err
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise SourceError(
            f"{path}:2: front matter must be a mapping of fields, not a {type(loaded).__name__}"
        )
    meta = {str(k): v for k, v in loaded.items()}
    warnings = _refuse_surrogates(path, meta, lines[1:end])
    return meta, warnings, end + 1


def _check_fields(path: Path, meta: dict[str, Any]) -> None:
    """Raise :class:`SourceError` for a field of the wrong type; normalise ``languages``."""
    for key in ("summary", "source_title", "organisation", "source"):
        if key in meta and not isinstance(meta[key], str):
            raise SourceError(f"{path}: front matter '{key}' must be text")
    if "date" in meta and not isinstance(meta["date"], dt.date):
        raise SourceError(f"{path}: front matter 'date' must be a date like 2023-11-02")
    langs = meta.get("languages")
    if langs is not None:
        if isinstance(langs, str):
            langs = [c.strip() for c in langs.split(",") if c.strip()]
        if not isinstance(langs, list) or not all(isinstance(c, str) for c in langs):
            raise SourceError(f"{path}: front matter 'languages' must be a list of codes")
        unknown = [c for c in langs if not is_known(c)]
        if unknown:
            raise SourceError(
                f"{path}: unknown language code(s) in front matter: {', '.join(unknown)}"
            )
        meta["languages"] = langs
