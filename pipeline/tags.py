"""Tagged text from a translation and offsets: the tags put in, properly nested.

:func:`pipeline.protect.restore` finds where each span and void tag goes in the translated
text; :func:`insert_tags` writes the tagged text, linear in the length of the text.
"""

from __future__ import annotations

from pipeline.inline import Token, serialize


def insert_tags(
    text: str,
    ranges: list[tuple[str, int, int, int]],
    voids: dict[int, list[str]],
    inside: dict[str, set[str]],
) -> str:
    """Serialize text with tags at the given offsets, keeping paired tags properly nested.

    ``ranges`` are ``(name, start, end, depth)``; at equal offsets the span that is outer in
    the source (lower ``depth``) stays outer. A void tag at a span's edge goes inside it
    when it was inside in the source (``inside``: span name → its void tags), so
    ``*a `b`*`` keeps its code in the emphasis. Linear in the text, ``n log n`` in the tags.
    """
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    empties: dict[int, list[str]] = {}
    for name, start, end in _nested(ranges):
        if start == end:
            empties.setdefault(start, []).append(name)
            continue
        opens.setdefault(start, []).append(name)
        closes.setdefault(end, []).append(name)
    tokens: list[Token] = []
    pos = 0
    for at in sorted({*opens, *closes, *empties, *voids}):
        if at > pos:
            tokens.append(Token("text", text[pos:at]))
            pos = at
        tokens.extend(_at_offset(at, voids, opens, closes, empties, inside))
    if pos < len(text):
        tokens.append(Token("text", text[pos:]))
    return serialize(tokens)


def _at_offset(
    at: int,
    voids: dict[int, list[str]],
    opens: dict[int, list[str]],
    closes: dict[int, list[str]],
    empties: dict[int, list[str]],
    inside: dict[str, set[str]],
) -> list[Token]:
    """The tags at one offset: closes, then opens; void tags (and spans that hold only void
    tags) inside a closing span before its close, inside an opening span after its open."""
    here = voids.get(at, [])
    ending = {v for name in closes.get(at, []) for v in inside.get(name, ())}
    starting = {v for name in opens.get(at, []) for v in inside.get(name, ())}
    done: set[int] = set()  # indices into ``here`` (a <br/> may be there twice)
    tokens: list[Token] = []

    def empty(*names: str) -> None:
        # Spans holding the same void tags nest, outer first (``***`x`***``).
        held = [i for i, v in enumerate(here) if v in inside.get(names[0], ()) and i not in done]
        tokens.extend(Token("open", name) for name in names)
        tokens.extend(Token("void", here[i]) for i in held)
        tokens.extend(Token("close", name) for name in reversed(names))
        done.update(held)

    def loose(where: set[str] | None) -> None:
        free = [i for i, v in enumerate(here) if i not in done and (where is None or v in where)]
        tokens.extend(Token("void", here[i]) for i in free)
        done.update(free)

    spans = empties.get(at, [])
    early = [n for n in spans if inside.get(n, set()) & ending]
    late = [n for n in spans if n not in early and inside.get(n, set()) & starting]
    for name in early:
        empty(name)
    loose(ending)
    # Spans that end here close innermost first: the reverse of their opening order.
    tokens.extend(Token("close", name) for name in reversed(closes.get(at, [])))
    middle = [n for n in spans if n not in early and n not in late]
    for i, void in enumerate(here):  # in their order in the translation
        if i in done or void in starting:
            continue
        holders = [n for n in middle if void in inside.get(n, ())]
        if holders:
            middle = [n for n in middle if n not in holders]
            empty(*holders)
        else:
            tokens.append(Token("void", void))
            done.add(i)
    for name in middle:
        empty(name)
    tokens.extend(Token("open", name) for name in opens.get(at, []))
    for name in late:
        empty(name)
    loose(None)
    return tokens


def _nested(ranges: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int]]:
    """The spans in opening order, each clipped inside the one around it where they cross."""
    accepted: list[tuple[str, int, int]] = []
    ends: list[int] = []  # ends of the spans still open, innermost last
    for name, start, end, _depth in sorted(ranges, key=lambda r: (r[1], -r[2], r[3])):
        while ends and ends[-1] <= start:
            ends.pop()
        if ends and end > ends[-1]:
            end = ends[-1]  # crossing spans: clip the later one inside the earlier
        end = max(end, start)
        accepted.append((name, start, end))
        if end > start:
            ends.append(end)
    return accepted
