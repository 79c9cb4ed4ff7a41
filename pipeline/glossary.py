"""The project glossary: terms never translated, and forced translations per language.

``glossary.toml``::

    keep = ["Internet Watch Foundation", "IWF"]

    [translate.es]
    "child sexual abuse material" = "material de abuso sexual infantil"

Terms match whole words only, longest first. Matching ignores case unless the term contains
an acronym (a word of two or more capitals, like "IWF" or "AI Safety Summit"): "iwf" is not
the organisation. Any run of whitespace in the text matches the single space of a term.
The glossary is enforced inside machine translation by :func:`pipeline.protect.protect`
(each term becomes a placeholder the engine copies) and checked afterwards by
:mod:`pipeline.qa` on machine and reviewed text alike.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

_ACRONYM_RE = re.compile(r"\b[A-Z][A-Z0-9]+\b")


@dataclass(frozen=True)
class Entry:
    """One glossary term as it applies to one target language."""

    term: str  # the English term as written in the glossary
    target: str | None  # forced translation; None = keep the source words verbatim
    case_sensitive: bool

    def replacement(self, matched: str) -> str:
        """What replaces ``matched`` (the source words found) in the translation."""
        if self.target is None:
            return matched
        # "Child sexual abuse material" at a sentence start keeps its capital.
        if matched[:1].isupper() and self.term[:1].islower():
            return self.target[:1].upper() + self.target[1:]
        return self.target


@dataclass(frozen=True)
class Match:
    """A glossary term found in a text."""

    start: int
    end: int
    text: str  # the words as they appear in the text
    entry: Entry

    @property
    def replacement(self) -> str:
        """The words the translation must contain instead."""
        return self.entry.replacement(self.text)


@dataclass(frozen=True)
class Terms:
    """The glossary entries for one target language, compiled for matching."""

    lang: str
    entries: tuple[Entry, ...]
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def find(self, text: str) -> list[Match]:
        """Non-overlapping whole-word matches in ``text``, leftmost and longest first."""
        if self._pattern is None:
            return []
        found = []
        for match in self._pattern.finditer(text):
            entry = self.entries[int(str(match.lastgroup)[1:])]
            found.append(Match(match.start(), match.end(), match.group(0), entry))
        return found

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)


@dataclass(frozen=True)
class Glossary:
    """All terms of a project glossary."""

    keep: tuple[str, ...] = ()
    translate: dict[str, dict[str, str]] = field(default_factory=dict)
    path: Path | None = None

    def for_language(self, lang: str) -> Terms:
        """The entries that apply to ``lang``: kept terms, and its forced translations.

        A forced translation for the language wins over keeping the same term. ``zh-Hant``
        falls back to the ``zh`` table when it has none of its own.
        """
        forced = self.translate.get(lang) or self.translate.get(lang.split("-")[0], {})
        entries: dict[str, Entry] = {}
        for term in self.keep:
            entries[term.casefold()] = Entry(term, None, is_case_sensitive(term))
        for term, target in forced.items():
            entries[term.casefold()] = Entry(term, target, is_case_sensitive(term))
        ordered = tuple(sorted(entries.values(), key=lambda e: (-len(e.term), e.term)))
        return Terms(lang, ordered, _compile(ordered))


def is_case_sensitive(term: str) -> bool:
    """True when ``term`` contains an acronym ("IWF", "AI Safety Summit")."""
    return bool(_ACRONYM_RE.search(term))


def _compile(entries: tuple[Entry, ...]) -> re.Pattern[str] | None:
    if not entries:
        return None
    # Alternatives in order of decreasing length, so the longest term wins at a position.
    parts = []
    for i, entry in enumerate(entries):
        words = r"\s+".join(re.escape(w) for w in entry.term.split())
        flags = "" if entry.case_sensitive else "(?i:"
        body = f"{flags}{words})" if flags else words
        parts.append(f"(?P<t{i}>{body})")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def load_glossary(path: Path, *, required: bool = False) -> Glossary:
    """Read a glossary file; an absent optional file is an empty glossary.

    Every problem is reported with the file and, where known, the line.
    """
    if not path.exists():
        if required:
            raise ConfigError(f"glossary: {path} does not exist")
        return Glossary(path=None)
    try:
        raw = path.read_text(encoding="utf-8")
        data = tomllib.loads(raw)
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not UTF-8 text: {err}") from err
    except tomllib.TOMLDecodeError as err:
        # tomllib says "(at line 3, column 3)"; turn it into the usual file:line form.
        message = str(err)
        line = re.search(r"at line (\d+)", message)
        where = f"{path}:{line.group(1)}" if line else str(path)
        raise ConfigError(f"{where}: not valid TOML: {message}") from err

    problems: list[str] = []

    def problem(needle: str, message: str) -> None:
        problems.append(f"{path}{_line_of(raw, needle)}: {message}")

    keep: list[str] = []
    translate: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        if key == "keep":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problem("keep", "keep must be a list of strings")
                continue
            for term in value:
                if not term.strip():
                    problem("keep", "keep: empty term")
                else:
                    keep.append(" ".join(term.split()))
        elif key == "translate":
            translate = _translations(value, problem)
        else:
            problem(key, f"unknown key {key!r} (use keep = [...] and [translate.<lang>])")
    if problems:
        raise ConfigError("invalid glossary:\n  " + "\n  ".join(problems))
    return Glossary(tuple(dict.fromkeys(keep)), translate, path)


def _translations(value: Any, problem: Any) -> dict[str, dict[str, str]]:
    from pipeline.languages import is_known

    result: dict[str, dict[str, str]] = {}
    if not isinstance(value, dict):
        problem("translate", "translate must be tables like [translate.es]")
        return result
    for lang, table in value.items():
        if not is_known(lang):
            problem(f"translate.{lang}", f"[translate.{lang}]: unknown language code {lang!r}")
            continue
        if not isinstance(table, dict):
            problem(f"translate.{lang}", f"translate.{lang} must be a table of term = translation")
            continue
        terms: dict[str, str] = {}
        for term, target in table.items():
            if not isinstance(target, str) or not target.strip() or not term.strip():
                problem(
                    term, f"[translate.{lang}] {term!r}: translation must be a non-empty string"
                )
                continue
            terms[" ".join(term.split())] = " ".join(target.split())
        result[lang] = terms
    return result


def _line_of(raw: str, needle: str) -> str:
    """``:N`` for the first line mentioning ``needle``, for messages about valid TOML."""
    for number, line in enumerate(raw.splitlines(), start=1):
        if needle in line:
            return f":{number}"
    return ""
