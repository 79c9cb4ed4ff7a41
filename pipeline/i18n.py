"""What the templates need to speak the page's language: fonts, CSS strings, isolation.

:func:`setup_environment` adds these filters and globals to a Jinja2 environment; the UI
translations are installed per render by :class:`pipeline.render.Renderer`.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from pipeline.headings import normalize_headings
from pipeline.languages import SOURCE_LANGUAGE, Language, get_language
from pipeline.runs import keep_together
from pipeline.scripts import counter_style, font_css, font_stack

_CSS_ESCAPE_RE = re.compile(r'[\\"<>\n\r\f]')


def css_string(value: object) -> Markup:
    """``value`` as a quoted CSS string, safe inside a ``<style>`` element."""
    text = _CSS_ESCAPE_RE.sub(lambda m: f"\\{ord(m.group(0)):X} ", str(value))
    return Markup(f'"{text}"')


def bidi_isolate(value: object) -> str:
    """``value`` between Unicode first-strong and pop isolates (U+2068 … U+2069).

    For plain text where markup cannot go (CSS ``content``): an English organisation name
    next to an Arabic date must not pull the date's digits into its own run.
    """
    return f"\u2068{value}\u2069"


def css_counters(label: object, style: str = "decimal") -> Markup:
    """A translated ``"Page {page} of {pages}"`` as a CSS ``content`` value with counters.

    The translation decides the words and their order; the numbers come from the page
    counters, written in the language's digits (``style``).
    """
    parts = re.split(r"(\{pages?\})", str(label))
    out = []
    for part in parts:
        if part in ("{page}", "{pages}"):
            out.append(f"counter({part[1:-1]}, {style})")
        elif part:
            out.append(str(css_string(part)))
    return Markup(" ".join(out) or '""')


def page_body(html: object, lang: Language) -> Markup:
    """The document body as the page shows it: ordered headings, unbreakable runs kept whole."""
    return Markup(keep_together(normalize_headings(str(html)), lang))


def setup_environment(env: Any) -> None:
    """Register the filters and globals the templates use."""
    env.filters.update(
        css_string=css_string,
        css_counters=css_counters,
        bidi_isolate=bidi_isolate,
        page_body=page_body,
    )
    env.globals.update(
        font_css=font_css,
        font_family=lambda lang: Markup(font_stack(lang).css()),
        counter_style=counter_style,
        ui_tag=get_language(SOURCE_LANGUAGE).tag,
    )
