"""Document ↔ translatable units.

:func:`segment` turns a :class:`~pipeline.document.Document` into units of tagged text (see
:mod:`pipeline.inline`) plus a skeleton of the block structure; :func:`join` puts (translated)
units back into that skeleton as HTML. ``join(segment(doc))`` renders the English document.
Code, URLs, e-mail addresses and raw HTML never become translatable text.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.assets import Asset, AssetFinder, Reference
from pipeline.document import TRANSLATABLE_FIELDS, Document
from pipeline.inline import escape, to_html
from pipeline.urls import URL_OR_EMAIL_RE

log = logging.getLogger(__name__)

# Bare URLs and e-mail addresses inside text: protected like autolinks, never translated.
_URL_RE = URL_OR_EMAIL_RE
_SEPARATORS_RE = re.compile("[\u2028\u2029\u0085\x00-\x08\x0b-\x1f\x7f]")
_BLOCK_TAGS = {
    "paragraph": "p",
    "bullet_list": "ul",
    "ordered_list": "ol",
    "list_item": "li",
    "blockquote": "blockquote",
    "table": "table",
    "thead": "thead",
    "tbody": "tbody",
    "tr": "tr",
    "th": "th",
    "td": "td",
}
# The kind of unit an inline token is, by its enclosing block.
_KIND_BY_PARENT = {"th": "cell", "td": "cell", "heading": "heading"}


@dataclass(frozen=True, slots=True)
class Unit:
    """One translatable piece: a heading, paragraph, list item, cell, title, alt text…"""

    id: str
    kind: str
    text: str  # tagged English, see pipeline.inline
    attrs: dict[str, dict[str, str]] = field(default_factory=dict)
    line: int | None = None  # line in the source file

    @property
    def translatable(self) -> bool:
        """False when the unit has no letters to translate (only numbers, code, links)."""
        from pipeline.inline import plain_text

        return any(ch.isalpha() for ch in plain_text(self.text))


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A place in the skeleton where a unit's rendered text goes."""

    unit_id: str


@dataclass(frozen=True)
class Segmented:
    """A document as units plus the HTML skeleton that holds them."""

    document: Document
    units: list[Unit]
    skeleton: list[str | UnitRef]
    warnings: list[str]
    assets: tuple[Asset, ...] = ()  # local files the pages point at (pipeline.assets)
    references: tuple[Reference, ...] = ()  # what finding them asked (pipeline.assets.replay)


@dataclass(frozen=True)
class Joined:
    """A document put back together in one language, ready for a template."""

    fields: dict[str, str]  # translated front matter text fields (plain text)
    body_html: str
    headings: list[tuple[int, str]]  # (level, plain text) for outlines and checks


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.units: list[Unit] = []
        self.skeleton: list[str | UnitRef] = []
        self.warnings: list[str] = list(doc.warnings)
        self.files = AssetFinder(doc.path, doc.body, doc.body_line)
        self.counters: dict[str, int] = {}

    def new_id(self, kind: str) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return f"{kind}-{self.counters[kind]}"

    def add_unit(
        self, kind: str, text: str, attrs: dict[str, dict[str, str]], line: int | None
    ) -> str:
        unit_id = self.new_id(kind)
        self.units.append(Unit(unit_id, kind, text, attrs, line))
        return unit_id

    def warn(self, line: int | None, message: str) -> None:
        where = f"{self.doc.path}:{line}" if line else str(self.doc.path)
        self.warnings.append(f"{where}: {message}")


def _parser() -> Any:
    from markdown_it import MarkdownIt

    # html=True so raw HTML is recognised (and dropped) rather than shown as literal text.
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def segment(doc: Document) -> Segmented:
    """Split ``doc`` into units and a skeleton; warnings name dropped raw HTML."""
    builder = _Builder(doc)
    for key in TRANSLATABLE_FIELDS:
        value = doc.meta.get(key)
        if isinstance(value, str) and _plain(value).strip():
            # Front matter text is plain: markup characters stay characters.
            builder.units.append(Unit(key, key, escape(_plain(value).strip()), {}, 1))
    tokens = _parser().parse(doc.body)
    parents: list[str] = []
    for token in tokens:
        line = token.map[0] + doc.body_line if token.map else None
        kind = token.type
        if kind.endswith("_open"):
            name = kind[: -len("_open")]
            parents.append(name if name != "heading" else "heading")
            if token.hidden:
                continue
            builder.skeleton.append(_open_tag(token, name))
        elif kind.endswith("_close"):
            parents.pop()
            if token.hidden:
                continue
            builder.skeleton.append(f"</{token.tag}>\n" if token.tag not in ("a",) else "")
        elif kind == "inline":
            parent = parents[-1] if parents else "paragraph"
            unit_kind = _KIND_BY_PARENT.get(parent, "paragraph")
            if "list_item" in parents and unit_kind == "paragraph":
                unit_kind = "item"
            elif "blockquote" in parents and unit_kind == "paragraph":
                unit_kind = "quote"
            text, attrs = _inline(builder, token.children or [], line)
            if text.strip():
                builder.skeleton.append(
                    UnitRef(builder.add_unit(unit_kind, text.strip(), attrs, line))
                )
        elif kind in ("fence", "code_block"):
            lang = token.info.split()[0] if token.info.strip() else ""
            cls = f' class="language-{html.escape(lang)}"' if lang else ""
            builder.skeleton.append(f"<pre><code{cls}>{html.escape(token.content)}</code></pre>\n")
        elif kind == "hr":
            builder.skeleton.append("<hr />\n")
        elif kind == "html_block":
            builder.warn(
                line, "raw HTML block dropped (HTML in the source is never copied to pages)"
            )
        else:
            log.debug("ignoring token %s", kind)
    return Segmented(
        doc,
        builder.units,
        builder.skeleton,
        builder.warnings + builder.files.warnings,
        tuple(builder.files.assets.values()),
        tuple(builder.files.references),
    )


def _open_tag(token: Any, name: str) -> str:
    if name == "heading":
        return f"<{token.tag}>"
    attrs = ""
    if name == "ordered_list" and token.attrs.get("start") not in (None, 1):
        attrs = f' start="{int(token.attrs["start"])}"'
    style = token.attrs.get("style", "")
    if style:
        # Logical alignment, so that right-to-left pages mirror their tables.
        align = {
            "text-align:left": "start",
            "text-align:right": "end",
            "text-align:center": "center",
        }
        attrs += f' style="text-align:{align.get(style, "start")}"'
    newline = "" if name in ("th", "td", "list_item", "paragraph") else "\n"
    return f"<{token.tag}{attrs}>{newline}"


def _inline(
    builder: _Builder, children: list[Any], line: int | None
) -> tuple[str, dict[str, dict[str, str]]]:
    out: list[str] = []
    attrs: dict[str, dict[str, str]] = {}
    counters = {"a": 0, "code": 0, "url": 0, "img": 0, "b": 0, "i": 0}
    open_links: list[str | None] = []
    open_emphasis: list[str] = []

    def void(kind: str, info: dict[str, str]) -> None:
        counters[kind] += 1
        name = f"{kind}{counters[kind]}"
        attrs[name] = info
        out.append(f"<{name}/>")

    for child in children:
        kind = child.type
        if open_links and open_links[-1] is None and kind != "link_close":
            continue  # the text of an autolink was already protected as its URL
        if kind == "text":
            _text_with_urls(child.content, out, void)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("<br/>")
        elif kind in ("strong_open", "em_open"):
            open_emphasis.append(_emphasis_name(counters, "b" if kind[0] == "s" else "i"))
            out.append(f"<{open_emphasis[-1]}>")
        elif kind in ("strong_close", "em_close"):
            out.append(f"</{open_emphasis.pop()}>")
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            if child.markup == "autolink":
                # The visible text of an autolink is the URL itself: one protected piece.
                open_links.append(None)
                text = href[len("mailto:") :] if href.startswith("mailto:") else href
                void("url", {"href": href, "text": text})
                continue
            counters["a"] += 1
            name = f"a{counters['a']}"
            attrs[name] = _link_info(builder, child, href, line)
            open_links.append(name)
            out.append(f"<{name}>")
        elif kind == "link_close":
            closing = open_links.pop()
            if closing is not None:
                out.append(f"</{closing}>")
        elif kind == "code_inline":
            void("code", {"text": child.content})
        elif kind == "image":
            void("img", _image_info(builder, child, line))
        elif kind == "html_inline":
            builder.warn(line, f"raw HTML {child.content!r} dropped")
        else:
            log.debug("ignoring inline token %s", kind)
    return "".join(out), attrs


def _link_info(builder: _Builder, child: Any, href: str, line: int | None) -> dict[str, str]:
    """A link's attributes: its target (a copy for a local file) and its title as a unit."""
    info = {"href": builder.files.link(href, line)}
    title = _plain(str(child.attrs.get("title", "") or ""))
    if title.strip():
        info["title_unit"] = builder.add_unit("link-title", escape(title), {}, line)
    return info


def _image_info(builder: _Builder, child: Any, line: int | None) -> dict[str, str]:
    """An image's attributes: its source (a copy for a local file), alt and title as units."""
    alt = _plain(
        "".join(c.content for c in child.children or [] if c.type in ("text", "code_inline"))
    )
    info = {"src": builder.files.image(str(child.attrs.get("src", "")), line)}
    title = _plain(str(child.attrs.get("title", "") or ""))
    if title.strip():
        info["title_unit"] = builder.add_unit("image-title", escape(title), {}, line)
    if alt.strip():
        info["alt_unit"] = builder.add_unit("alt", escape(alt.strip()), {}, line)
    return info


def _emphasis_name(counters: dict[str, int], tag: str) -> str:
    # The first strong of a unit is <b>, later ones <b2>, <b3>…: nested and repeated emphasis
    # stay distinct tags, and the common single one reads as before.
    counters[tag] += 1
    return tag if counters[tag] == 1 else f"{tag}{counters[tag]}"


def _plain(text: str) -> str:
    """Text with line/paragraph separators and control characters as spaces.

    Pasted from Word or PDF they are invisible on a page but break line-based tools (PO
    files, diffs), and no engine translates them.
    """
    return _SEPARATORS_RE.sub(" ", text)


def _text_with_urls(text: str, out: list[str], void: Any) -> None:
    text = _plain(text)
    pos = 0
    for match in _URL_RE.finditer(text):
        out.append(escape(text[pos : match.start()]))
        found = match.group(0)
        void("url", {"text": found})
        pos = match.end()
    out.append(escape(text[pos:]))


def join(seg: Segmented, translations: Mapping[str, str] | None = None) -> Joined:
    """Render the document with ``translations`` (unit id → tagged text); English where absent."""
    texts = {u.id: (translations or {}).get(u.id, u.text) for u in seg.units}
    plain = {uid: html.unescape(to_html(t, {}, {})) for uid, t in texts.items()}
    body: list[str] = []
    headings: list[tuple[int, str]] = []
    pending_heading: int | None = None
    by_id = {u.id: u for u in seg.units}
    for piece in seg.skeleton:
        if isinstance(piece, UnitRef):
            unit = by_id[piece.unit_id]
            body.append(to_html(texts[unit.id], unit.attrs, plain))
            if pending_heading is not None:
                headings.append((pending_heading, plain_text_of(texts[unit.id])))
                pending_heading = None
        else:
            match = re.match(r"<h([1-6])>", piece)
            if match:
                pending_heading = int(match.group(1))
            body.append(piece)
    fields = {key: plain[key] for key in TRANSLATABLE_FIELDS if key in plain}
    return Joined(fields=fields, body_html="".join(body), headings=headings)


def plain_text_of(tagged: str) -> str:
    """The visible words of tagged text (code and URLs included as their text)."""
    from pipeline.inline import plain_text

    return plain_text(tagged).strip()
