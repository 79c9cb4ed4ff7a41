"""Language codes: validation, names, script and writing direction.

Argos uses ISO 639-1 codes plus two of its own (``zt`` for Traditional Chinese, ``pb`` for
Brazilian Portuguese); pages need BCP 47 tags, so both are mapped here and nowhere else.

ISO 639-2 reserves the codes ``qaa`` to ``qtz`` for local use: no real language will ever get
one, and BCP 47 accepts them as language subtags. They are valid here as private-use
languages (Latin script, left to right, dates and numbers formatted as in English), which is
how the synthetic test language of :mod:`pipeline.testing.toy_language` (``qto``) builds like
any other without a table of test-only codes in the product.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

SOURCE_LANGUAGE = "en"

# Every target language the Argos package index offers from English ("zt" and "pb" are its
# own codes for Traditional Chinese and Brazilian Portuguese).
ARGOS_TARGETS = [
    "ar",
    "az",
    "bg",
    "bn",
    "ca",
    "cs",
    "da",
    "de",
    "el",
    "eo",
    "es",
    "et",
    "fa",
    "fi",
    "fr",
    "ga",
    "gl",
    "he",
    "hi",
    "hu",
    "id",
    "it",
    "ja",
    "ko",
    "ky",
    "lt",
    "lv",
    "ms",
    "nb",
    "nl",
    "pl",
    "pt",
    "pb",
    "ro",
    "ru",
    "sk",
    "sl",
    "sq",
    "sv",
    "th",
    "tl",
    "tr",
    "uk",
    "ur",
    "vi",
    "zh",
    "zt",
]

# Argos' own codes that are not BCP 47 tags.
_ARGOS_ALIASES = {"zt": "zh-Hant", "pb": "pt-BR"}

# Babel says "left-to-right" for a few scripts we must treat as RTL only through the script.
_RTL_SCRIPTS = {"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg"}

_CODE_RE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_PRIVATE_USE_RE = re.compile(r"^q[a-t][a-z]$")


@dataclass(frozen=True)
class Language:
    """What the pipeline needs to know about one language."""

    code: str  # the code the user and Argos use: "es", "zt"
    tag: str  # BCP 47 for lang attributes: "es", "zh-Hant"
    english_name: str
    native_name: str
    script: str  # ISO 15924: "Latn", "Arab", "Hans"
    direction: str  # "ltr" or "rtl"
    locale: str = ""  # the Babel locale when it is not the tag's (private-use codes)

    @property
    def babel_locale(self) -> str:
        """The identifier Babel understands (underscores)."""
        return self.locale or self.tag.replace("-", "_")


@dataclass(frozen=True)
class Writing:
    """How a language is written: all a stylesheet rule needs, read without its locale data."""

    code: str
    tag: str
    script: str


# Cached: one parse per code and process. Babel's per-locale data (a pickle per locale) is
# not read here, so a stylesheet covering every known language stays cheap.
@functools.cache
def get_writing(code: str) -> Writing:
    """The tag and script of ``code``; raise ``ValueError`` if Babel doesn't know it."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    if not _CODE_RE.match(code):
        raise ValueError(f"not a language code: {code!r}")
    if _PRIVATE_USE_RE.match(code):
        return Writing(code, code, "Latn")
    tag = _ARGOS_ALIASES.get(code, code)
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as err:
        raise ValueError(f"unknown language code: {code!r}") from err
    likely = get_global("likely_subtags").get(str(locale)) or get_global("likely_subtags").get(
        locale.language, ""
    )
    # likely_subtags maps "ar" to "ar_Arab_EG": the script is the four-letter part.
    likely_script = next((p for p in likely.split("_")[1:] if len(p) == 4), None)
    return Writing(code, tag, locale.script or likely_script or "Latn")


# Cached: this reads the locale's data, so only languages a page shows come here.
@functools.cache
def get_language(code: str) -> Language:
    """Return the :class:`Language` for ``code``; raise ``ValueError`` if Babel doesn't know it."""
    from babel import Locale

    writing = get_writing(code)
    if _PRIVATE_USE_RE.match(code):
        name = f"Private-use language {code}"
        return Language(code, code, name, name, "Latn", "ltr", locale=SOURCE_LANGUAGE)
    locale = Locale.parse(writing.tag.replace("-", "_"))
    rtl = locale.character_order == "right-to-left" or writing.script in _RTL_SCRIPTS
    return Language(
        code=code,
        tag=writing.tag,
        english_name=locale.english_name or code,
        native_name=locale.get_display_name(locale) or code,
        script=writing.script,
        direction="rtl" if rtl else "ltr",
    )


# Babel knows every Argos target (tests/test_languages.py): checking a configuration's
# codes needs neither Babel nor its locale data, which would cost a no-op build a tenth of
# its time.
_KNOWN = frozenset([SOURCE_LANGUAGE, *ARGOS_TARGETS])


def is_known(code: str) -> bool:
    """True when ``code`` names a language Babel knows."""
    if code in _KNOWN:
        return True
    try:
        get_writing(code)
    except ValueError:
        return False
    return True


# -- catalog folders -------------------------------------------------------------------------

# PO editors and Weblate know locales, not Argos' own codes: the catalogs of "pb" live in
# locales/pt_BR/, those of "zt" in locales/zh_Hant/. Every other Argos code is already a
# locale name. This is the only place the mapping is written down.
LOCALE_FOLDERS = {"pb": "pt_BR", "zt": "zh_Hant"}
# Locale folder → the Argos-code folder older versions wrote (read until it is removed).
LEGACY_LOCALE_FOLDERS = {folder: code for code, folder in LOCALE_FOLDERS.items()}


def locale_folder(code: str) -> str:
    """The folder (and PO ``Language``) of a pipeline language code: ``pb`` → ``pt_BR``."""
    return LOCALE_FOLDERS.get(code, code)


def language_of_folder(folder: str) -> str:
    """The pipeline language code of a catalog folder: ``pt_BR`` → ``pb`` (``pb`` → ``pb``)."""
    return LEGACY_LOCALE_FOLDERS.get(folder, folder)
