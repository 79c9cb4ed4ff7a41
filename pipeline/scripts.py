"""Writing systems on the page: language → script → font stack, typography and digits.

The fonts named here are Debian's ``fonts-noto-core`` and ``fonts-noto-cjk``. A stack always
ends in Noto Sans and DejaVu Sans, so Latin words, digits and URLs inside other scripts
still find glyphs. Rules select on the ``lang`` attribute: the page carries one, and so does
every span in another language (the language switcher), so each gets its font, its leading
and its size. Each script's :class:`Typography` (line height of text and headings, size next
to Latin, line breaking) is set for every element, headings and table cells included.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pipeline.languages import ARGOS_TARGETS, SOURCE_LANGUAGE, Language, Writing, get_writing

# What the rules need of a language: its code, tag and script.
Written = Language | Writing

_BASE = ("Noto Sans", "DejaVu Sans")
# Large text that gets the script's heading leading.
_HEADINGS = ":is(h1, h2, h3, h4, h5, h6)"
_GENERIC = "sans-serif"


@dataclass(frozen=True)
class FontStack:
    """The fonts one language's text is set in."""

    families: tuple[str, ...]

    def css(self) -> str:
        """The ``font-family`` value, every name quoted."""
        names = [f'"{name}"' for name in dict.fromkeys((*self.families, *_BASE))]
        return ", ".join([*names, _GENERIC])


# By ISO 15924 script. Latin, Greek and Cyrillic are covered by the base stack.
_BY_SCRIPT: dict[str, FontStack] = {
    "Arab": FontStack(("Noto Naskh Arabic", "Noto Sans Arabic")),
    "Hebr": FontStack(("Noto Sans Hebrew",)),
    "Deva": FontStack(("Noto Sans Devanagari",)),
    "Beng": FontStack(("Noto Sans Bengali",)),
    "Guru": FontStack(("Noto Sans Gurmukhi",)),
    "Gujr": FontStack(("Noto Sans Gujarati",)),
    "Taml": FontStack(("Noto Sans Tamil",)),
    "Telu": FontStack(("Noto Sans Telugu",)),
    "Knda": FontStack(("Noto Sans Kannada",)),
    "Mlym": FontStack(("Noto Sans Malayalam",)),
    "Sinh": FontStack(("Noto Sans Sinhala",)),
    "Orya": FontStack(("Noto Sans Oriya",)),
    "Thai": FontStack(("Noto Sans Thai",)),
    "Laoo": FontStack(("Noto Sans Lao",)),
    "Khmr": FontStack(("Noto Sans Khmer",)),
    "Mymr": FontStack(("Noto Sans Myanmar",)),
    "Ethi": FontStack(("Noto Sans Ethiopic",)),
    "Geor": FontStack(("Noto Sans Georgian",)),
    "Armn": FontStack(("Noto Sans Armenian",)),
    "Thaa": FontStack(("Noto Sans Thaana",)),
    "Tibt": FontStack(("Noto Serif Tibetan",)),
    "Hans": FontStack(("Noto Sans CJK SC",)),
    "Hant": FontStack(("Noto Sans CJK TC",)),
    "Jpan": FontStack(("Noto Sans CJK JP",)),
    "Kore": FontStack(("Noto Sans CJK KR",)),
}

# Where the language matters more than the script.
_BY_LANGUAGE: dict[str, FontStack] = {
    # Urdu is written in Nastaliq (its leading: _NASTALIQ).
    "ur": FontStack(("Noto Nastaliq Urdu", "Noto Naskh Arabic")),
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


@dataclass(frozen=True)
class Typography:
    """How one script is set: leading of text and headings, size next to Latin, breaking."""

    line_height: float = 1.5
    # Headings and other large text: tighter than running text, never so tight that the
    # descenders of one line touch the ascenders (or marks) of the next.
    heading_line_height: float = 1.3
    # Font size relative to Latin text: Naskh and Nastaliq look small at the same size.
    size: float = 1.0
    # Declarations for line breaking, for browsers and WeasyPrint alike.
    breaking: tuple[str, ...] = ()
    # Line breaking only browsers know (WeasyPrint would warn about these properties).
    screen_breaking: str = ""


# Alphabets with word spaces: hyphenate long words rather than leave holes (WeasyPrint uses
# the page's lang and pyphen), but never in headings (see templates/style.css).
_ALPHABET = Typography(breaking=("hyphens: auto;",))
_INDIC = Typography(1.75, 1.5, 1.05)
_CJK = Typography(
    1.7,
    1.45,
    0.95,
    screen_breaking="line-break: strict;",  # no closing mark at line start
)
# Nastaliq's letters stack diagonally and reach far above and below the line.
_NASTALIQ = Typography(2.4, 2.2, 1.05)

_TYPOGRAPHY: dict[str, Typography] = {
    "Latn": _ALPHABET,
    "Cyrl": _ALPHABET,
    "Grek": _ALPHABET,
    "Armn": Typography(1.55, 1.35),
    "Geor": Typography(1.6, 1.4),
    "Hebr": Typography(1.55, 1.35, 1.05),
    "Arab": Typography(1.8, 1.6, 1.1),
    "Thaa": Typography(1.9, 1.6, 1.1),
    "Syrc": Typography(1.8, 1.6, 1.1),
    **dict.fromkeys(("Deva", "Beng", "Guru", "Gujr", "Orya"), _INDIC),
    **dict.fromkeys(("Taml", "Telu", "Knda", "Mlym", "Sinh"), Typography(1.75, 1.5)),
    # Thai and Lao have no spaces between words: Pango breaks them with a dictionary.
    **dict.fromkeys(("Thai", "Laoo"), Typography(1.75, 1.5, 1.05)),
    "Khmr": Typography(1.9, 1.6, 1.05),
    "Mymr": Typography(2.0, 1.7),
    "Tibt": Typography(2.0, 1.7, 1.05),
    "Ethi": Typography(1.55, 1.35),
    **dict.fromkeys(("Hans", "Hant", "Jpan"), _CJK),
    # Korean is written with spaces and breaks between words, not between syllables.
    "Kore": Typography(1.7, 1.45, 0.95, screen_breaking="word-break: keep-all;"),
}
_TYPOGRAPHY_BY_LANGUAGE = {"ur": _NASTALIQ}


def typography(lang: Written) -> Typography:
    """How ``lang``'s text is set (by language where that matters, else by script)."""
    for key in (lang.tag, lang.code, lang.tag.split("-")[0]):
        if key in _TYPOGRAPHY_BY_LANGUAGE:
            return _TYPOGRAPHY_BY_LANGUAGE[key]
    return _TYPOGRAPHY.get(lang.script, Typography())


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


def font_stack(lang: Written) -> FontStack:
    """The font stack for ``lang``: by language where that matters, else by script."""
    for key in (lang.tag, lang.code, lang.tag.split("-")[0]):
        if key in _BY_LANGUAGE:
            return _BY_LANGUAGE[key]
    return _BY_SCRIPT.get(lang.script, FontStack(()))


def font_css(codes: Iterable[str] = ()) -> str:
    """Rules giving each element with a ``lang`` attribute its fonts, leading and size.

    ``[lang|="ar"]`` rather than ``:lang(ar)``: the rule sets the element that carries the
    attribute and its content inherits, so ``code`` or ``h1`` rules still apply inside.
    Heading rules (``[lang|="ur"] h1``) outweigh the stylesheet's plain ``h1``, so a tall
    script's headings never get Latin leading. Rules are ordered from general to specific
    tags, so ``zh-Hant`` overrides ``zh`` (``|=`` also matches ``zh-Hant``, and the later rule
    of equal weight wins). Sizes: see :func:`_size_rules`.
    """
    return _font_css(tuple(dict.fromkeys([SOURCE_LANGUAGE, *KNOWN_LANGUAGES, *codes])))


# Every page of a build asks for the same rules: computed once per set of languages.
@functools.lru_cache(maxsize=32)
def _font_css(codes: tuple[str, ...]) -> str:
    languages = [get_writing(c) for c in codes]
    ordered = sorted(languages, key=lambda lg: (lg.tag.count("-"), lg.tag))
    headings = _grouped(ordered, lambda lg: f"line-height: {typography(lg).heading_line_height};")
    body = _grouped(ordered, _text_declarations)
    rules = _size_rules(ordered)
    rules += [f"{_selector(tags, _HEADINGS)} {{ {decl} }}" for decl, tags in headings]
    screen = [
        f"  {_selector(tags)} {{ {decl} }}"
        for decl, tags in _grouped(ordered, lambda lg: typography(lg).screen_breaking)
        if decl
    ]
    if screen:
        rules += ["@media screen {", *screen, "}"]
    rules += [f"{_selector(tags)} {{ {decl} }}" for decl, tags in body]
    return "\n".join(rules)


def _text_declarations(lang: Written) -> str:
    stack, style = font_stack(lang), typography(lang)
    declarations = [f"line-height: {style.line_height};", *style.breaking]
    if stack.families:
        declarations.insert(0, f"font-family: {stack.css()};")
    return " ".join(declarations)


def _grouped(
    languages: Sequence[Written], declare: Callable[[Written], str]
) -> list[tuple[str, list[str]]]:
    """Languages with the same declarations in one rule, general tags before specific ones."""
    groups: dict[tuple[int, str], list[str]] = {}
    for lang in languages:
        tags = groups.setdefault((lang.tag.count("-"), declare(lang)), [])
        if lang.tag not in tags:
            tags.append(lang.tag)
    return [(decl, tags) for (_, decl), tags in sorted(groups.items(), key=lambda i: i[0][0])]


def _selector(tags: Sequence[str], inner: str = "") -> str:
    if not inner:
        return ", ".join(f'[lang|="{tag}"]' for tag in tags)
    langs = ", ".join(f'[lang|="{tag}"]' for tag in tags)
    langs = langs if len(tags) == 1 else f":is({langs})"
    # The heading itself may carry the attribute, or sit inside an element that does.
    return f"{langs} {inner}, {inner}{langs}"


def _size_rules(languages: Sequence[Written]) -> list[str]:
    """Scripts made to look equally large: the page's size on ``html``, others relative to it.

    The page language's factor is ``--script-size`` on the root (the stylesheets multiply the
    body size by it). An element in another language (a switcher entry, an English name)
    takes ``--size-as-N``: its factor divided by the page's, as an ``em`` length, because
    WeasyPrint's ``calc()`` cannot divide or take three terms.
    """
    factors = sorted({typography(lang).size for lang in languages})
    by_factor: dict[float, list[str]] = {}
    for lang in languages:
        by_factor.setdefault(typography(lang).size, []).append(lang.tag)
    rules = []
    for factor in factors:
        relative = " ".join(f"--size-as-{_key(o)}: {o / factor:.4g}em;" for o in factors)
        langs = _selector(by_factor[factor])
        rules.append(f"html:is({langs}) {{ --script-size: {factor}; {relative} }}")
    for factor in factors:
        langs = _selector(by_factor[factor])
        rules.append(f":not(html):is({langs}) {{ font-size: var(--size-as-{_key(factor)}, 1em); }}")
    return rules


def _key(factor: float) -> str:
    return f"{round(factor * 100)}"


def counter_style(lang: Language) -> str:
    """The CSS counter style that writes numbers as the language does (CLDR's default)."""
    return _counter_style(lang.babel_locale)


@functools.cache
def _counter_style(babel_locale: str) -> str:
    from babel import Locale

    try:
        system = Locale.parse(babel_locale).default_numbering_system
    except (ValueError, LookupError):
        return "decimal"
    return _COUNTER_STYLES.get(str(system), "decimal")
