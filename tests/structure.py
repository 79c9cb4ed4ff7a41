"""Block and inline structure of a page body compared with markdown-it's own rendering.

Shared by the CommonMark spec test and the property tests. Text and attributes are not
compared (a translation changes them); the element sequence is, with three differences the
pipeline makes on purpose: headings are compared by hierarchy (the page title is the only
``h1``, see :func:`heading_problems`), ``<bdi>`` isolates around bare URLs are ignored, and
raw HTML is never copied (sources with raw HTML are left out by :func:`has_raw_html`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

SPEC = Path(__file__).parent / "data" / "commonmark-0.31.2.json"
_VOID = {"br", "img", "hr", "meta", "link", "input"}
_BODY_RE = re.compile(r"</header>\n(.*?)(?:<footer class=\"source\">|</article>)", re.DOTALL)


@dataclass(frozen=True)
class Example:
    """One example of the CommonMark specification."""

    number: int
    section: str
    markdown: str


def spec_examples() -> list[Example]:
    """The 652 examples of CommonMark 0.31.2 (committed test data, see tests/data/README.md)."""
    data = json.loads(SPEC.read_text(encoding="utf-8"))
    return [Example(int(e["example"]), str(e["section"]), str(e["markdown"])) for e in data]


def parser() -> Any:
    """The parser the pipeline uses (CommonMark with tables, raw HTML recognised)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def has_raw_html(markdown: str) -> bool:
    """True when markdown-it finds raw HTML (a block or inline), which pages never copy."""
    for token in parser().parse(markdown):
        if token.type == "html_block":
            return True
        if any(c.type == "html_inline" for c in token.children or []):
            return True
    return False


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[str] = []
        self.levels: list[int] = []
        self.stack: list[str] = []
        self.unbalanced = 0
        self.unsafe: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.lower().startswith("on") or "javascript:" in (value or "").lower():
                self.unsafe.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self.unsafe.append("<script>")
        if tag == "bdi":
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
            tag = "h"
        self.events.append(tag)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "bdi" or tag in _VOID:
            return
        tag = "h" if re.fullmatch(r"h[1-6]", tag) else tag
        self.events.append("/" + tag)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.unbalanced += 1


def elements(html: str) -> _Elements:
    """The element events of ``html`` (``"p"``, ``"/p"``…; headings as ``"h"``)."""
    found = _Elements()
    found.feed(html)
    found.close()
    return found


def page_body(page: str) -> str:
    """The document body of a built page (between the title header and the footer)."""
    match = _BODY_RE.search(page)
    assert match, "page without a body"
    return match.group(1)


def _parents(levels: list[int]) -> list[int]:
    # The heading each heading belongs to: the last one before it with a lower level.
    parents = []
    for i, level in enumerate(levels):
        parents.append(next((j for j in range(i - 1, -1, -1) if levels[j] < level), -1))
    return parents


def heading_problems(source: list[int], page: list[int]) -> list[str]:
    """What breaks the heading hierarchy of ``source`` levels on the ``page``.

    The page keeps the tree (each heading under the same parent), uses ``h2``..``h6`` only,
    and headings without a parent keep their order of levels: ``###``, ``##``, ``#`` may
    not all become ``h2``.
    """
    if len(source) != len(page):
        return [f"{len(source)} headings in the source, {len(page)} on the page"]
    problems = []
    if any(not 2 <= level <= 6 for level in page):
        problems.append(f"levels out of h2..h6: {page}")
    if _parents(source) != _parents(page):
        problems.append(f"hierarchy differs: source {source}, page {page}")
    roots = [i for i, parent in enumerate(_parents(source)) if parent == -1]
    for a in roots:
        for b in roots:
            if source[a] < source[b] and not page[a] < page[b]:
                problems.append(f"levels flattened: source {source}, page {page}")
                return problems
    return problems


def structure_problems(markdown: str, page: str) -> list[str]:
    """Differences between a built page's body and markdown-it's rendering of ``markdown``."""
    expected = elements(parser().render(markdown))
    found = elements(page_body(page))
    problems = []
    if expected.events != found.events:
        problems.append(f"elements differ: expected {expected.events}, found {found.events}")
    problems.extend(heading_problems(expected.levels, found.levels))
    return problems


def safety_problems(page: str) -> list[str]:
    """Script, event handler attributes or ``javascript:`` URLs on a page; unbalanced tags."""
    found = elements(page)
    problems = [f"unsafe markup {what}" for what in found.unsafe]
    if "<script" in page.lower():
        problems.append("<script in the page")
    if found.unbalanced:
        problems.append("unbalanced tags")
    return problems
