"""Heading levels for accessible pages: one ``h1`` (the title), then no level skipped."""

from __future__ import annotations

import re

_HEADING_RE = re.compile(r"<(/?)h([1-6])(\s[^>]*)?>")


def normalize_headings(html: str, top: int = 2) -> str:
    """Renumber the headings of a page body so they start at ``top`` and never skip a level.

    The page title is the only ``h1``; a body that starts with ``#`` or jumps from ``##`` to
    ``####`` would confuse screen-reader navigation and the PDF outline. Relative nesting is
    kept: a heading deeper than the one before becomes exactly one level deeper.
    """
    stack: list[tuple[int, int]] = []  # (level in the source, level on the page)
    open_levels: list[int] = []

    def renumber(match: re.Match[str]) -> str:
        closing, level, attrs = match.group(1), int(match.group(2)), match.group(3) or ""
        if closing:
            new = open_levels.pop() if open_levels else level
            return f"</h{new}>"
        while stack and stack[-1][0] >= level:
            stack.pop()
        new = min(stack[-1][1] + 1 if stack else top, 6)
        stack.append((level, new))
        open_levels.append(new)
        return f"<h{new}{attrs}>"

    return _HEADING_RE.sub(renumber, html)
