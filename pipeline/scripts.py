"""Writing systems on the page: language → script → font stack, digits, and bidi isolation.

The fonts named here are Debian's ``fonts-noto-core`` and ``fonts-noto-cjk``. A stack always
ends in Noto Sans and DejaVu Sans, so Latin words, digits and URLs inside other scripts
still find glyphs. Rules select on the ``lang`` attribute: the page carries one, and so does
every span in another language (the language switcher), so each gets its font.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.languages import ARGOS_TARGETS, Language, get_language

_BASE = ("Noto Sans", "DejaVu Sans")
_GENERIC = "sans-serif"


@dataclass(frozen=True)
class FontStack:
    """The fonts and line height one language's text is set in."""

    families: tuple[str, ...]
    line_height: float | None = None  # None: the page default

    def css(self) -> str:
        """The ``font-family`` value, every name quoted."""
        names = [f'"{name}"' for name in dict.fromkeys((*self.families, *_BASE))]
        return ", ".join([*names, _GENERIC])


# By ISO 15924 script. Latin, Greek and Cyrillic are covered by the base stack.
_BY_SCRIPT: dict[str, FontStack] = {
    "Arab": FontStack(("Noto Naskh Arabic", "Noto Sans Arabic"), 1.8),
    "Hebr": FontStack(("Noto Sans Hebrew",)),
    "Deva": FontStack(("Noto Sans Devanagari",), 1.7),
    "Beng": FontStack(("Noto Sans Bengali",), 1.7),
    "Guru": FontStack(("Noto Sans Gurmukhi",), 1.7),
    "Gujr": FontStack(("Noto Sans Gujarati",), 1.7),
    "Taml": FontStack(("Noto Sans Tamil",), 1.7),
    "Telu": FontStack(("Noto Sans Telugu",), 1.7),
    "Knda": FontStack(("Noto Sans Kannada",), 1.7),
    "Mlym": FontStack(("Noto Sans Malayalam",), 1.7),
    "Sinh": FontStack(("Noto Sans Sinhala",), 1.7),
    "Orya": FontStack(("Noto Sans Oriya",), 1.7),
    "Thai": FontStack(("Noto Sans Thai",), 1.7),
    "Laoo": FontStack(("Noto Sans Lao",), 1.7),
    "Khmr": FontStack(("Noto Sans Khmer",), 1.7),
    "Mymr": FontStack(("Noto Sans Myanmar",), 1.9),
    "Ethi": FontStack(("Noto Sans Ethiopic",)),
    "Geor": FontStack(("Noto Sans Georgian",)),
    "Armn": FontStack(("Noto Sans Armenian",)),
    "Thaa": FontStack(("Noto Sans Thaana",)),
    "Tibt": FontStack(("Noto Serif Tibetan",), 1.9),
    "Hans": FontStack(("Noto Sans CJK SC",)),
    "Hant": FontStack(("Noto Sans CJK TC",)),
    "Jpan": FontStack(("Noto Sans CJK JP",)),
    "Kore": FontStack(("Noto Sans CJK KR",)),
}

# Where the language matters more than the script.
_BY_LANGUAGE: dict[str, FontStack] = {
    # Urdu is written in Nastaliq; its tall letters need the extra leading.
    "ur": FontStack(("Noto Nastaliq Urdu", "Noto Naskh Arabic"), 2.3),
    # Cantonese and Hong Kong Chinese: the HK variant's glyph shapes.
    "yue": FontStack(("Noto Sans CJK HK", "Noto Sans CJK TC")),
    "zh-HK": FontStack(("Noto Sans CJK HK", "Noto Sans CJK TC")),
}

# Every language the default stylesheet carries a rule for: those Argos translates into
# from English, plus languages NGOs commonly print in. Others get a rule when a build names
# them (see :func:`font_css`).
KNOWN_LANGUAGES = [
    "am",
    *ARGOS_TARGETS,
    *[
        "bo",
        "dv",
        "gu",
        "hy",
        "ka",
        "km",
        "kn",
        "lo",
        "ml",
        "mr",
        "my",
        "ne",
        "pa",
        "ps",
        "sd",
        "si",
        "so",
        "sw",
        "ta",
        "te",
        "ti",
        "yi",
        "zh-HK",
    ],
]

# CLDR numbering systems → CSS counter styles WeasyPrint predefines (page numbers).
_COUNTER_STYLES = {
    "latn": "decimal",
    "arab": "arabic-indic",
    "arabext": "persian",
    "deva": "devanagari",
    "beng": "bengali",
    "guru": "gurmukhi",
    "gujr": "gujarati",
    "knda": "kannada",
    "mlym": "malayalam",
    "mymr": "myanmar",
    "khmr": "khmer",
    "laoo": "lao",
    "thai": "thai",
    "tibt": "tibetan",
    "telu": "telugu",
    "tamldec": "tamil",
}


def font_stack(lang: Language) -> FontStack:
    """The font stack for ``lang``: by language where that matters, else by script."""
    for key in (lang.tag, lang.code, lang.tag.split("-")[0]):
        if key in _BY_LANGUAGE:
            return _BY_LANGUAGE[key]
    return _BY_SCRIPT.get(lang.script, FontStack(()))


def font_css(codes: Iterable[str] = ()) -> str:
    """Rules giving each element with a ``lang`` attribute its font stack and line height.

    ``[lang|="ar"]`` rather than ``:lang(ar)``: the rule sets the element that carries the
    attribute and its content inherits, so ``code`` or ``h1`` rules still apply inside.
    Rules are ordered from general to specific tags, so ``zh-Hant`` overrides ``zh``
    (``|=`` also matches ``zh-Hant``, and the later rule of equal weight wins).
    """
    languages = [get_language(c) for c in dict.fromkeys([*KNOWN_LANGUAGES, *codes])]
    grouped: dict[str, list[str]] = {}
    for lang in sorted(languages, key=lambda lg: (lg.tag.count("-"), lg.tag)):
        stack = font_stack(lang)
        if not stack.families:
            continue
        declaration = f"font-family: {stack.css()};"
        if stack.line_height:
            declaration += f" line-height: {stack.line_height};"
        tags = grouped.setdefault(f"{lang.tag.count('-')}|{declaration}", [])
        if lang.tag not in tags:
            tags.append(lang.tag)
    rules = []
    for key, tags in sorted(grouped.items(), key=lambda item: (item[0].split("|")[0], item[1])):
        selector = ", ".join(f'[lang|="{tag}"]' for tag in tags)
        rules.append(f"{selector} {{ {key.split('|', 1)[1]} }}")
    return "\n".join(rules)


def counter_style(lang: Language) -> str:
    """The CSS counter style that writes numbers as the language does (CLDR's default)."""
    from babel import Locale

    try:
        system = Locale.parse(lang.babel_locale).default_numbering_system
    except (ValueError, LookupError):
        return "decimal"
    return _COUNTER_STYLES.get(str(system), "decimal")


# Runs that must read left to right inside right-to-left text: phone numbers (digits in
# groups), numbers with a sign, ISO dates. Plain numbers like "11,000" reorder correctly.
_LTR_RUN_RE = re.compile(
    r"(?<![\w+\-−±#&])"
    r"(?:\+?\(?\d+\)?(?:[ .\-/]\(?\d+\)?){2,}"  # grouped digits: +44 20 7946 0958, 2023-11-02
    r"|[+\-−±]\d[\d.,:/]*%?)"  # signed number: -5%, +3.5, ±2
    r"(?![\w])"
)
_TAG_RE = re.compile(r"(<[^>]*>)")
# Elements whose content already reads left to right, or is code.
_ISOLATING = {"bdi", "bdo", "code", "pre", "kbd", "samp", "script", "style"}


def isolate_ltr_runs(html: str) -> str:
    """Wrap left-to-right runs in the text of ``html`` in ``<bdi dir="ltr">``.

    Only for right-to-left pages. Text already inside an element with a ``dir`` attribute,
    inside ``bdi``/``code``/``pre``, and tag attributes are left alone. A plain ``<bdi>`` does
    not isolate in WeasyPrint; ``dir="ltr"`` does.
    """
    out: list[str] = []
    stack: list[bool] = []  # per open element: does it (or an ancestor) isolate?
    for piece in _TAG_RE.split(html):
        if not piece:
            continue
        if piece.startswith("<"):
            out.append(piece)
            match = re.match(r"<(/?)([A-Za-z][\w-]*)", piece)
            if not match or piece.endswith("/>"):
                continue
            name = match.group(2).lower()
            if match.group(1):
                if stack:
                    stack.pop()
            elif name not in ("br", "hr", "img", "meta", "link", "input", "wbr"):
                inside = bool(stack and stack[-1])
                stack.append(inside or name in _ISOLATING or " dir=" in piece)
            continue
        if stack and stack[-1]:
            out.append(piece)
        else:
            out.append(_LTR_RUN_RE.sub(r'<bdi dir="ltr">\g<0></bdi>', piece))
    return "".join(out)
