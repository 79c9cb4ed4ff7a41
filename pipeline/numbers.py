"""Numbers in text across scripts and local formats: does a translation keep the source's?

``11,000`` may be written ``11.000`` (es), ``11 000`` (fr), ``١١٬٠٠٠`` (ar), ``11,000`` in
Indian groups as ``1,50,000``-style lakhs, or ``1.1万`` (zh); ``300 million`` may be ``3亿``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation


class CharTable(dict[int, "int | str | None"]):
    """A ``str.translate`` table filled per character on first sight: ``rule(ch)`` gives the
    replacement (a string, None to drop it, or ``ord(ch)`` to keep it). Bounded, whatever
    text comes."""

    def __init__(self, rule: Callable[[str], int | str | None]) -> None:
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> int | str | None:
        if len(self) >= 4096:
            self.clear()
        value = self[code] = self._rule(chr(code))
        return value


def _ascii_digit(ch: str) -> int | str:
    digit = unicodedata.decimal(ch, None) if ch.isdigit() else None
    return ord(ch) if digit is None else str(digit)


_DIGITS = CharTable(_ascii_digit)


def _ascii_digits(text: str) -> str:
    """Any script's decimal digits (Arabic-Indic, Devanagari, fullwidth) as ASCII digits."""
    return text if text.isascii() else text.translate(_DIGITS)


# A number, and the English scale word after it: "300 million" may be written 3亿 or 300.
_SOURCE_NUMBER_RE = re.compile(r"(\d+(?:[.,]\d+)*)(?:\s+(thousand|million|billion)\b)?")
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
# Chinese and Japanese write large numbers in myriads: 1.1万 is 11,000, 3亿 300,000,000.
_MULTIPLIERS = {"千": 10**3, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_MULTIPLIER_CHARS = "".join(_MULTIPLIERS)


def _source_values(match: re.Match[str]) -> set[Decimal]:
    """An English number: ``11,000`` → 11000, ``1.5`` → 1.5; with a scale word, both values."""
    # English groups thousands with commas; a comma is never a decimal point here.
    token = match.group(1).replace(",", "")
    try:
        value = Decimal(token) if token.count(".") <= 1 else Decimal(token.replace(".", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only yields digits and dots
        value = Decimal(0)
    scale = _SCALES.get(match.group(2) or "")
    return {value, value * scale} if scale else {value}


def _grouped(groups: list[str]) -> bool:
    """Digit groups of a whole number: thousands (11,000) or Indian lakhs (1,50,000)."""
    rest = groups[1:]
    if all(len(g) == 3 for g in rest):
        return True
    return len(rest[-1]) == 3 and all(len(g) == 2 for g in rest[:-1]) and len(groups[0]) <= 2


def _target_values(token: str) -> set[Decimal]:
    """What a translated number may mean: ``11.000`` is 11000 (es) or 11 (en), both allowed."""
    scale = 1
    while token and token[-1] in _MULTIPLIERS:
        scale *= _MULTIPLIERS[token[-1]]
        token = token[:-1].rstrip()
    groups = re.split(r"\D", token)
    values = set()
    if len(groups) == 1 or _grouped(groups):
        values.add(Decimal("".join(groups)))
    if len(groups) > 1 and token[len(token) - len(groups[-1]) - 1] in ".,٫":
        values.add(Decimal("".join(groups[:-1]) + "." + groups[-1]))
    return {value * scale for value in values}


# Once per language: the group symbol comes from babel's locale data.
@functools.lru_cache(maxsize=64)
def _target_number_re(lang: str) -> re.Pattern[str]:
    from babel import UnknownLocaleError
    from babel.numbers import get_group_symbol

    try:
        group = get_group_symbol(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        group = ","
    spaced = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|" if group.isspace() else ""
    myriads = rf"\d+(?:\.\d+)?\s*[{_MULTIPLIER_CHARS}]+|"
    return re.compile(myriads + spaced + r"\d+(?:[.,\u066b\u066c'’]\d+)*")


def missing_numbers(source: str, target: str, lang: str) -> list[str]:
    """The numbers of the English text that the translation lacks, in any local format.

    Digits of any script count (Arabic-Indic, Persian, Devanagari, Bengali, fullwidth), and so
    do Indian digit groups and Chinese/Japanese myriads (万, 亿).
    """
    found = [
        _target_values(m.group(0)) for m in _target_number_re(lang).finditer(_ascii_digits(target))
    ]
    missing = []
    for match in _SOURCE_NUMBER_RE.finditer(_ascii_digits(source)):
        wanted = _source_values(match)
        index = next((i for i, values in enumerate(found) if wanted & values), None)
        if index is None:
            missing.append(match.group(1))
        else:
            found.pop(index)
    return missing
