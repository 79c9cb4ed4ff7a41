"""Runs of text that must stay whole on the page: no line break inside, and bidi isolation.

A phone number split over two lines cannot be dialled, and one whose groups swap places in
right-to-left text dials someone else. :func:`keep_together` wraps phone numbers, amounts
with a currency, dates written in digits and e-mail addresses in a no-break span (``class
="nobr"``, see templates/style.css); on right-to-left pages the span is a ``<bdi dir="ltr">``
so the run also keeps its left-to-right order. It works on the rendered HTML of a page, so
the catalogs and the translation memory never see the markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.languages import Language

# Currency signs written before or after an amount (Unicode category Sc, the common ones).
_CURRENCY = "$£€¥₹₽₩₪₫฿₦₴₺₱₡₲₵₸₭৳﷼¢"
_GROUP = r"(?:[\d.,'\u00a0\u202f]|\s(?=\d))"  # inside an amount: digits and group separators
_ISO_CURRENCY = r"(?:EUR|USD|GBP|CHF|JPY|CNY|INR|UAH|RUB)"

# Grouped digits: phone numbers (+44 20 7946 0958, +44 (0)20 7946 0958, (020) 7946-0958)
# and dates (2023-11-02, 02/11/2023, 2.11.2023): a country or area code and two groups, or
# three groups, so "1–2" or "11,000" are left alone.
_GROUPED = (
    r"(?:\+\d{1,3}|\(\d{1,5}\))[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d+(?:[ .\-/‐–]\d+)+"
    r"|\d+(?:[ .\-/‐–]\d+){2,}"
)
_SIGNED = r"[+\-−±]\d[\d.,:/]*%?"  # -5%, +3.5, ±2
_AMOUNT = (
    rf"(?:[A-Z]{{1,3}})?[{_CURRENCY}]\s?\d{_GROUP}*"  # £1,200  US$ 5  R$ 30
    rf"|\d{_GROUP}*\s?[{_CURRENCY}]"  # 1 200 €  500₽
    rf"|{_ISO_CURRENCY}\s?\d{_GROUP}*|\d{_GROUP}*\s?{_ISO_CURRENCY}\b"  # EUR 5, 5 EUR
)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"

# Not inside a word or right after a sign: "ISO-9001-2" or "#12 3 4" are not phone numbers.
_KEEP_RE = re.compile(rf"{_EMAIL}|(?<![\w+\-−±#&])(?:{_AMOUNT}|{_GROUPED}|{_SIGNED})(?![\w])")
# Every run _KEEP_RE finds has a digit or an "@": text without one is passed over quickly.
_MAY_KEEP_RE = re.compile(r"[\d@]")
# Runs that must read left to right inside right-to-left text (see isolate_ltr_runs).
# Plain numbers like "11,000" reorder correctly and are left alone.
_LTR_RUN_RE = re.compile(rf"(?<![\w+\-−±#&])(?:{_GROUPED}|{_SIGNED})(?![\w])")
_TAG_RE = re.compile(r"(<[^>]*>)")
_TAG_NAME_RE = re.compile(r"<(/?)([A-Za-z][\w-]*)")
# Elements whose content already reads left to right, or is code.
_ISOLATING = {"bdi", "bdo", "code", "pre", "kbd", "samp", "script", "style"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr"}


def keep_together(html: str, lang: Language) -> str:
    """Wrap the runs of ``html``'s text that must not break in a no-break span.

    Phone numbers, amounts with a currency, dates in digits, e-mail addresses and signed
    numbers. On right-to-left pages the span is ``<bdi dir="ltr">``, which also keeps the
    run's groups in order (a plain ``<bdi>`` does not isolate in WeasyPrint; ``dir`` does).
    Tag attributes and code are left alone, and so is text already inside an element with a
    ``dir`` attribute (its author chose the direction).
    """
    if lang.direction == "rtl":
        opening = '<bdi dir="ltr" class="nobr">'
        closing = "</bdi>"
    else:
        opening, closing = '<span class="nobr">', "</span>"
    wrapped = rf"{opening}\g<0>{closing}"
    return map_text(
        html, lambda text: _KEEP_RE.sub(wrapped, text) if _MAY_KEEP_RE.search(text) else text
    )


def isolate_ltr_runs(html: str) -> str:
    """Wrap left-to-right runs in the text of ``html`` in ``<bdi dir="ltr">``.

    Only for right-to-left pages, and only phone numbers, digit dates and signed numbers
    (:func:`keep_together` does this and more for the page body). Text already inside an
    element with a ``dir`` attribute, inside ``bdi``/``code``/``pre``, and tag attributes are
    left alone.
    """
    return map_text(html, lambda text: _LTR_RUN_RE.sub(r'<bdi dir="ltr">\g<0></bdi>', text))


def map_text(html: str, change: Callable[[str], str]) -> str:
    """``html`` with ``change`` applied to each text piece outside isolating elements."""
    out: list[str] = []
    stack: list[bool] = []  # per open element: does it (or an ancestor) isolate?
    for piece in _TAG_RE.split(html):
        if not piece:
            continue
        if piece.startswith("<"):
            out.append(piece)
            match = _TAG_NAME_RE.match(piece)
            if not match or piece.endswith("/>"):
                continue
            name = match.group(2).lower()
            if match.group(1):
                if stack:
                    stack.pop()
            elif name not in _VOID:
                inside = bool(stack and stack[-1])
                stack.append(inside or name in _ISOLATING or " dir=" in piece)
            continue
        out.append(piece if stack and stack[-1] else change(piece))
    return "".join(out)
