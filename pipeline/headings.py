"""Heading levels for accessible pages: one ``h1`` (the title), then no level skipped."""

from __future__ import annotations

import re

_HEADING_RE = re.compile(r"<(/?)h([1-6])(\s[^>]*)?>")


def normalize_headings(html: str, top: int = 2) -> str:
    """Renumber the headings of a page body so they start at ``top`` and keep their hierarchy.

    The page title is the only ``h1``; a body that starts with ``#`` or jumps from ``##`` to
    ``####`` would confuse screen-reader navigation and the PDF outline. Each level of the
    body has a rank (the highest level used is ``top``); a heading gets its rank, but at
    most one level below the heading it belongs to (the last shallower one). So skipped
    levels close up while different levels stay apart: ``###``, ``##``, ``#`` become
    ``h4``, ``h3``, ``h2``, never three ``h2``.
    """
    levels = sorted({int(m.group(2)) for m in _HEADING_RE.finditer(html) if not m.group(1)})
    rank = {level: min(top + i, 6) for i, level in enumerate(levels)}
    stack: list[tuple[int, int]] = []  # (level in the source, level on the page)
    open_levels: list[int] = []

    def renumber(match: re.Match[str]) -> str:
        closing, level, attrs = match.group(1), int(match.group(2)), match.group(3) or ""
        if closing:
            new = open_levels.pop() if open_levels else level
            return f"</h{new}>"
        while stack and stack[-1][0] >= level:
            stack.pop()
        new = min(rank[level], stack[-1][1] + 1) if stack else rank[level]
        new = min(new, 6)
        stack.append((level, new))
        open_levels.append(new)
        return f"<h{new}{attrs}>"

    return _HEADING_RE.sub(renumber, html)
