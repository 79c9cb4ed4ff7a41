"""The templates' own words in each language: ``locales/<lang>/LC_MESSAGES/messages.po``.

Catalogs are compiled in memory when first needed (no ``.mo`` files to keep in step) and
cached per file version. The project's catalog wins over the package's, message by message;
a language with neither falls back to English with one warning.

A catalog is text from a translator, not markup: Jinja's newstyle gettext wraps whatever the
translations object returns in ``Markup``, so :class:`EscapedTranslations` returns it already
escaped (``<script>`` shows as text). An entry whose placeholders (``%(name)s``, ``{name}``)
differ from its msgid's is refused with a warning, and the next catalog or English is used:
a missing or extra placeholder would otherwise crash the render or drop the link.
"""

from __future__ import annotations

import copy
import functools
import gettext
import io
import logging
import re
import struct
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from pipeline.catalog.model import Entry
from pipeline.catalog.read import read_catalog
from pipeline.errors import CatalogError
from pipeline.languages import SOURCE_LANGUAGE, get_language

log = logging.getLogger(__name__)

DOMAIN = "messages"
_PACKAGE_DIR = Path(__file__).resolve().parent


def default_locales_dir() -> Path:
    """The package's own UI catalogs (``pipeline/locales/``), used after the project's."""
    return _PACKAGE_DIR / "locales"


_NAMED_RE = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
_BRACE_RE = re.compile(r"\{(\w+)\}")


class EscapedTranslations(gettext.NullTranslations):
    """Wraps translations so that every text comes back HTML-escaped, as ``Markup``."""

    def __init__(self, inner: gettext.NullTranslations) -> None:
        super().__init__()
        self.inner = inner

    def gettext(self, message: str) -> str:
        """The escaped translation of ``message``."""
        return Markup.escape(self.inner.gettext(message))

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        """The escaped plural form for ``n``."""
        return Markup.escape(self.inner.ngettext(msgid1, msgid2, n))

    def pgettext(self, context: str, message: str) -> str:
        """The escaped translation of ``message`` in ``context``."""
        return Markup.escape(self.inner.pgettext(context, message))

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        """The escaped plural form for ``n`` in ``context``."""
        return Markup.escape(self.inner.npgettext(context, msgid1, msgid2, n))


def placeholder_problem(msgid: str, msgstr: str) -> str | None:
    """Why ``msgstr`` cannot stand for ``msgid`` (placeholders differ), or None."""
    want = sorted(_NAMED_RE.findall(msgid)) + sorted(_BRACE_RE.findall(msgid))
    have = sorted(_NAMED_RE.findall(msgstr)) + sorted(_BRACE_RE.findall(msgstr))
    if want != have:
        return f"placeholders {have or 'none'} instead of {want or 'none'}"
    try:
        # Jinja formats every translation with %, variables or not: it must not raise.
        msgstr % dict.fromkeys(_NAMED_RE.findall(msgid), "")
    except (ValueError, TypeError, KeyError) as err:
        return f"not a valid format string ({err})"
    return None


def _usable(path: Path, entry: Entry) -> tuple[bool, str | None]:
    """Whether ``entry`` goes into the compiled catalog, and why not when it is refused.

    As msgfmt does, fuzzy, obsolete and untranslated entries are left out (a plural entry
    with any form missing too: gettext would otherwise show an empty text for that count).
    """
    strings = [entry.msgstr, *entry.plurals]
    if not entry.msgid or entry.obsolete or entry.fuzzy or not all(strings):
        return False, None
    ids = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
    problem = next((p for s in strings if (p := placeholder_problem(ids[-1], s))), None)
    if problem is None:
        return True, None
    return False, (
        f"{path}:{entry.line}: UI catalog entry {entry.msgid!r} refused: {problem}; "
        "the next catalog or English is used"
    )


def _mo_bytes(messages: dict[bytes, bytes]) -> bytes:
    """A GNU ``.mo`` file of ``messages`` (no hash table: Python's reader does not use one)."""
    keys = sorted(messages)
    ids = b"".join(k + b"\0" for k in keys)
    strs = b"".join(messages[k] + b"\0" for k in keys)
    start = 7 * 4 + 16 * len(keys)  # after the header and both offset tables
    id_table, str_table, offset = [], [], 0
    for key in keys:
        id_table += [len(key), start + offset]
        offset += len(key) + 1
    for key in keys:
        str_table += [len(messages[key]), start + offset]
        offset += len(messages[key]) + 1
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, start)
    tables = struct.pack(f"<{len(id_table) + len(str_table)}I", *id_table, *str_table)
    return header + tables + ids + strs


@functools.lru_cache(maxsize=256)
def _compile(
    path: Path, mtime_ns: int, size: int
) -> tuple[gettext.GNUTranslations, tuple[str, ...]]:
    # mtime and size are part of the key so an edited catalog is compiled again.
    catalog = read_catalog(path)
    if catalog is None:
        raise CatalogError(f"{path}: no longer there")
    problems = []
    header = "Content-Type: text/plain; charset=UTF-8\n"
    plural = next((v for k, v in catalog.header.items() if k.lower() == "plural-forms"), None)
    if plural is not None:
        header += f"Plural-Forms: {plural}\n"
    messages = {b"": header.encode("utf-8")}
    for entry in catalog.entries:
        usable, problem = _usable(path, entry)
        if problem is not None:
            problems.append(problem)
        if not usable:
            continue
        key = entry.msgid if entry.msgid_plural is None else f"{entry.msgid}\0{entry.msgid_plural}"
        if entry.context is not None:
            key = f"{entry.context}\x04{key}"
        messages[key.encode("utf-8")] = "\0".join([entry.msgstr, *entry.plurals]).encode("utf-8")
    try:
        return gettext.GNUTranslations(io.BytesIO(_mo_bytes(messages))), tuple(problems)
    except (ValueError, SyntaxError) as err:  # a Plural-Forms gettext cannot evaluate
        raise CatalogError(f"{path}: {err}") from err


def compile_catalog(path: Path) -> gettext.GNUTranslations:
    """Compile one ``.po`` file into translations, in memory (cached until the file changes)."""
    return compile_checked(path)[0]


def compile_checked(path: Path) -> tuple[gettext.GNUTranslations, tuple[str, ...]]:
    """Like :func:`compile_catalog`, plus one warning per refused entry (file:line)."""
    stat = path.stat()
    return _compile(path.resolve(), stat.st_mtime_ns, stat.st_size)


class UICatalogs:
    """Translations of the templates' words, per language, from an ordered list of folders."""

    def __init__(self, folders: Sequence[Path | None]) -> None:
        self.folders = [Path(f) for f in dict.fromkeys(folders) if f is not None]
        self.warnings: list[str] = []
        self._cache: dict[str, tuple[gettext.NullTranslations, bool]] = {}

    def _candidates(self, code: str) -> list[str]:
        lang = get_language(code)
        names = [code, lang.babel_locale]
        base = lang.tag.split("-")[0]
        # "pt" serves Brazilian Portuguese; "zh" must not serve Traditional Chinese.
        if base != code and get_language(base).script == lang.script:
            names.append(base)
        return list(dict.fromkeys(names))

    def files(self, code: str) -> list[Path]:
        """The catalogs for ``code`` that exist, most important first."""
        found = []
        for folder in self.folders:
            for name in self._candidates(code):
                path = folder / name / "LC_MESSAGES" / f"{DOMAIN}.po"
                if path.is_file():
                    found.append(path)
                    break
        return found

    def get(self, code: str) -> tuple[gettext.NullTranslations, bool]:
        """The translations for ``code`` and whether they are real (False: English fallback).

        The translations return escaped text (see :class:`EscapedTranslations`).
        """
        if code in self._cache:
            return self._cache[code]
        result: tuple[gettext.NullTranslations, bool] = (
            EscapedTranslations(gettext.NullTranslations()),
            False,
        )
        if code == SOURCE_LANGUAGE:
            result = (result[0], True)
        else:
            chain: list[gettext.NullTranslations] = []
            for path in self.files(code):
                try:
                    compiled, problems = compile_checked(path)
                except (OSError, CatalogError) as err:
                    self._warn(f"UI catalog {path} is unreadable ({err}); skipping it")
                    continue
                # A fresh object per language: add_fallback changes it, the cache keeps it.
                chain.append(copy.copy(compiled))
                for problem in problems:
                    self._warn(problem)
            if chain:
                first = chain[0]
                for other in chain[1:]:
                    first.add_fallback(other)
                result = (EscapedTranslations(first), True)
            else:
                where = ", ".join(str(f) for f in self.folders) or "no locales folder"
                self._warn(
                    f"no UI catalog for {code!r} (looked in {where}); "
                    "its page chrome stays in English"
                )
        self._cache[code] = result
        return result

    def _warn(self, message: str) -> None:
        # Collected, not logged: the build reports them with its other warnings, once.
        log.debug(message)
        self.warnings.append(message)
