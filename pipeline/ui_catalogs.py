"""The templates' own words in each language: ``locales/<lang>/LC_MESSAGES/messages.po``.

Catalogs are compiled in memory when first needed (no ``.mo`` files to keep in step) and
cached per file version. The project's catalog wins over the package's, message by message;
a language with neither falls back to English with one warning.
"""

from __future__ import annotations

import functools
import gettext
import io
import logging
from collections.abc import Sequence
from pathlib import Path

from pipeline.languages import SOURCE_LANGUAGE, get_language

log = logging.getLogger(__name__)

DOMAIN = "messages"
_PACKAGE_DIR = Path(__file__).resolve().parent


def default_locales_dir() -> Path:
    """The package's own UI catalogs (``pipeline/locales/``), used after the project's."""
    return _PACKAGE_DIR / "locales"


@functools.lru_cache(maxsize=256)
def _compile(path: Path, mtime_ns: int, size: int) -> gettext.GNUTranslations:
    # mtime and size are part of the key so an edited catalog is compiled again.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as msgfmt does
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def compile_catalog(path: Path) -> gettext.GNUTranslations:
    """Compile one ``.po`` file into translations, in memory (cached until the file changes)."""
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
        """The translations for ``code`` and whether they are real (False: English fallback)."""
        if code in self._cache:
            return self._cache[code]
        result: tuple[gettext.NullTranslations, bool] = (gettext.NullTranslations(), False)
        if code == SOURCE_LANGUAGE:
            result = (gettext.NullTranslations(), True)
        else:
            chain: list[gettext.NullTranslations] = []
            for path in self.files(code):
                try:
                    chain.append(compile_catalog(path))
                except (OSError, ValueError, SyntaxError) as err:
                    self._warn(f"UI catalog {path} is unreadable ({err}); skipping it")
            if chain:
                first = chain[0]
                for other in chain[1:]:
                    first.add_fallback(other)
                result = (first, True)
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
