"""Tagged text: a unit's inline markup as short readable tags.

A unit of English (a paragraph, a heading, a table cell) is stored, reviewed and translated as
*tagged text*: ``The <a1>IWF</a1> found <b>11,000</b> images, see <url1/>.`` Paired tags wrap
words a translation must keep wrapped (``b`` strong, ``i`` emphasis, ``aN`` link N; a unit's
second strong is ``b2``, and so on, so nested and repeated emphasis stay distinct); void tags
stand for content no model may see or change (``codeN`` inline code, ``urlN`` a URL or an
e-mail address, ``imgN`` an image, ``br`` a hard line break). ``<`` and ``&`` in the text are
escaped as ``&lt;`` and ``&amp;``, so a tag can never be confused with text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

PAIRED = ("b", "i", "a")
VOID = ("code", "url", "img", "br")
TAG_RE = re.compile(r"<(/?)(b\d*|i\d*|a\d+)>|<(code\d+|url\d+|img\d+|br)/>")


def emphasis(name: str) -> str | None:
    """``"b"`` for a strong tag (``b``, ``b2``…), ``"i"`` for emphasis, else ``None``."""
    return name[0] if name[:1] in ("b", "i") and name != "br" else None


@dataclass(frozen=True)
class Token:
    """One piece of tagged text: ``kind`` is ``text``, ``open``, ``close`` or ``void``."""

    kind: str
    value: str  # the text (unescaped) or the tag name ("a1", "b", "code2")


class TagError(ValueError):
    """Tagged text whose tags are unbalanced, unknown or not in the source."""


def escape(text: str) -> str:
    """Escape plain text for use inside tagged text."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def unescape(text: str) -> str:
    """Inverse of :func:`escape`."""
    return text.replace("&lt;", "<").replace("&amp;", "&")


def tokenize(tagged: str) -> list[Token]:
    """Split tagged text into tokens; raise :class:`TagError` on a stray ``<`` or bad nesting."""
    tokens: list[Token] = []
    stack: list[str] = []
    pos = 0
    for match in TAG_RE.finditer(tagged):
        if match.start() > pos:
            tokens.append(Token("text", _text(tagged[pos : match.start()])))
        closing, paired, void = match.groups()
        if void:
            tokens.append(Token("void", void))
        elif closing:
            if not stack or stack[-1] != paired:
                raise TagError(f"closing tag </{paired}> does not match an open tag")
            stack.pop()
            tokens.append(Token("close", paired))
        else:
            if paired in stack:
                raise TagError(f"tag <{paired}> is opened twice")
            stack.append(paired)
            tokens.append(Token("open", paired))
        pos = match.end()
    if pos < len(tagged):
        tokens.append(Token("text", _text(tagged[pos:])))
    if stack:
        raise TagError(f"tag <{stack[-1]}> is never closed")
    return tokens


def _text(raw: str) -> str:
    if "<" in raw:
        snippet = raw[raw.index("<") : raw.index("<") + 12]
        raise TagError(f"unknown tag or stray '<' near {snippet!r}")
    return unescape(raw)


def serialize(tokens: list[Token]) -> str:
    """Tokens back to tagged text."""
    out: list[str] = []
    for token in tokens:
        if token.kind == "text":
            out.append(escape(token.value))
        elif token.kind == "open":
            out.append(f"<{token.value}>")
        elif token.kind == "close":
            out.append(f"</{token.value}>")
        else:
            out.append(f"<{token.value}/>")
    return "".join(out)


def tag_names(tagged: str) -> list[str]:
    """Sorted names of all tags in tagged text (each paired tag once)."""
    return sorted(t.value for t in tokenize(tagged) if t.kind in ("open", "void"))


def plain_text(tagged: str) -> str:
    """The words only: tags dropped, void tags removed."""
    return "".join(t.value for t in tokenize(tagged) if t.kind == "text")


def check_against(source: str, translation: str) -> None:
    """Raise :class:`TagError` unless ``translation`` is well formed with the source's tags."""
    expected = tag_names(source)
    found = tag_names(translation)
    if expected != found:
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        parts = []
        if missing:
            parts.append("missing " + ", ".join(f"<{n}>" for n in missing))
        if extra:
            parts.append("unexpected " + ", ".join(f"<{n}>" for n in extra))
        if not parts:
            parts.append("a tag is repeated")
        raise TagError("; ".join(parts))


def to_html(tagged: str, attrs: dict[str, dict[str, str]], texts: dict[str, str]) -> str:
    """Render tagged text as HTML; ``attrs`` holds each tag's attributes from the source.

    ``texts`` maps unit ids to rendered text for attributes that are units of their own
    (link titles, image alt text).
    """
    out: list[str] = []
    for token in tokenize(tagged):
        if token.kind == "text":
            out.append(html.escape(token.value, quote=False))
            continue
        name = token.value
        info = attrs.get(name, {})
        style = emphasis(name)
        if token.kind == "close":
            out.append({"b": "</strong>", "i": "</em>"}.get(style or "", "</a>"))
        elif token.kind == "open":
            if style:
                out.append("<strong>" if style == "b" else "<em>")
            else:
                title = texts.get(info.get("title_unit", ""), info.get("title", ""))
                title_attr = f' title="{html.escape(title)}"' if title else ""
                out.append(f'<a href="{html.escape(info.get("href", ""))}"{title_attr}>')
        elif name == "br":
            out.append("<br />\n")
        elif name.startswith("code"):
            out.append(f"<code>{html.escape(info.get('text', ''), quote=False)}</code>")
        elif name.startswith("url"):
            out.append(_url_html(info))
        else:
            alt = texts.get(info.get("alt_unit", ""), info.get("alt", ""))
            title = texts.get(info.get("title_unit", ""), info.get("title", ""))
            title_attr = f' title="{html.escape(title)}"' if title else ""
            out.append(
                f'<img src="{html.escape(info.get("src", ""))}" alt="{html.escape(alt)}"'
                f"{title_attr} />"
            )
    return "".join(out)


def _url_html(info: dict[str, str]) -> str:
    text = html.escape(info.get("text", ""), quote=False)
    if info.get("href"):
        # Left-to-right isolate: a URL inside right-to-left text must keep its own order.
        return f'<a href="{html.escape(info["href"])}" dir="ltr">{text}</a>'
    return f'<bdi dir="ltr">{text}</bdi>'
