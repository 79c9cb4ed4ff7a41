"""Word-level diffs of two texts, for the terminal and for HTML pages."""

from __future__ import annotations

import difflib
import re

import click
from markupsafe import Markup, escape

_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``[(op, text)]`` with op ``=``, ``-`` or ``+``, by words.

    Spaces between two changes join them, so a rewritten phrase reads as one deletion and
    one insertion rather than alternating words.
    """
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    blocks: list[list[str]] = []  # [kind, deleted, inserted] with kind "=" or "~"
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        gap = op == "equal" and 0 < index < len(ops) - 1 and all(not t.strip() for t in a[i1:i2])
        if op == "equal" and not gap:
            blocks.append(["=", "".join(a[i1:i2]), ""])
            continue
        if not blocks or blocks[-1][0] != "~":
            blocks.append(["~", "", ""])
        blocks[-1][1] += "".join(a[i1:i2])
        blocks[-1][2] += "".join(b[j1:j2])
    pieces: list[tuple[str, str]] = []
    for kind, deleted, inserted in blocks:
        if kind == "=":
            pieces.append(("=", deleted))
            continue
        if deleted:
            pieces.append(("-", deleted))
        if inserted:
            pieces.append(("+", inserted))
    return pieces


def terminal_diff(old: str, new: str, color: bool) -> str:
    """A word diff for the terminal: coloured, or ``[-old-]{+new+}`` markers."""
    out = []
    for op, text in word_diff(old, new):
        if op == "=":
            out.append(text)
        elif color:
            if op == "-":
                out.append(click.style(text, fg="red", strikethrough=True))
            else:
                out.append(click.style(text, fg="green", underline=True))
        else:
            out.append(f"[-{text}-]" if op == "-" else f"{{+{text}+}}")
    return "".join(out)


def html_diff(old: str, new: str, side: str = "both") -> Markup:
    """Escaped HTML with ``<del>``/``<ins>``; ``side`` "before" or "after" shows one column."""
    out = []
    for op, text in word_diff(old, new):
        if op == "=":
            out.append(escape(text))
        elif op == "-" and side in ("both", "before"):
            out.append(Markup("<del>{}</del>").format(text))
        elif op == "+" and side in ("both", "after"):
            out.append(Markup("<ins>{}</ins>").format(text))
    return Markup("").join(out)
