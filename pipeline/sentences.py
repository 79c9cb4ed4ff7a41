"""Sentence splitting of tagged text, and joining translated sentences back into a unit.

English is split with pysbd (rule-based, offline), which keeps "U.K.", "Dr.", "e.g.",
"9 a.m.", decimals and quotes inside their sentence. A paired tag that crosses a sentence
boundary is closed at the end of one sentence and reopened at the start of the next, so
every sentence is well formed on its own; :func:`join_sentences` merges them again.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pipeline.inline import Token, serialize, tokenize

# Scripts written without spaces between sentences.
_NO_SPACE_LANGS = {"zh", "zt", "ja", "th", "lo", "km", "my"}
_PLACEHOLDER_CHAR = "X"


@functools.cache
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def sentence_starts(text: str) -> list[int]:
    """Character offsets where sentences after the first begin in plain ``text``."""
    if not text.strip():
        return []
    spans = _segmenter().segment(text)
    return [span.start for span in spans[1:] if 0 < span.start < len(text)]


def split_unit(tagged: str) -> list[str]:
    """Split a unit's tagged text into well-formed tagged sentences."""
    return list(_split_unit(tagged))


# A build splits the same English units once per target language, and pysbd is the slowest
# step of a rebuild whose translations all come from the memory.
@functools.lru_cache(maxsize=4096)
def _split_unit(tagged: str) -> tuple[str, ...]:
    return tuple(_split_unit_uncached(tagged))


def _split_unit_uncached(tagged: str) -> list[str]:
    tokens = tokenize(tagged)
    plain = "".join(
        t.value if t.kind == "text" else _PLACEHOLDER_CHAR if t.kind == "void" else ""
        for t in tokens
    )
    starts = sentence_starts(plain)
    if not starts:
        return [tagged.strip()]
    sentences: list[list[Token]] = [[]]
    open_stack: list[str] = []
    cursor = 0
    boundary_iter = iter(starts)
    boundary = next(boundary_iter, None)

    def cut() -> None:
        nonlocal boundary
        for name in reversed(open_stack):
            sentences[-1].append(Token("close", name))
        sentences.append([Token("open", name) for name in open_stack])
        boundary = next(boundary_iter, None)

    for token in tokens:
        if token.kind == "text":
            text = token.value
            while boundary is not None and cursor + len(text) > boundary:
                head = boundary - cursor
                if head > 0:
                    sentences[-1].append(Token("text", text[:head]))
                text = text[head:]
                cursor += head
                cut()
            if text:
                sentences[-1].append(Token("text", text))
                cursor += len(text)
            continue
        if token.kind in ("open", "void") and boundary is not None and cursor >= boundary:
            cut()
        sentences[-1].append(token)
        if token.kind == "open":
            open_stack.append(token.value)
        elif token.kind == "close":
            open_stack.remove(token.value)
        elif token.kind == "void":
            cursor += len(_PLACEHOLDER_CHAR)
    result = [_strip(serialize(s)) for s in sentences]
    return [s for s in result if s and not _only_tags(s)] or [tagged.strip()]


def _only_tags(tagged: str) -> bool:
    return not re.sub(r"</?[a-z]+\d*/?>", "", tagged).strip()


def _strip(tagged: str) -> str:
    # Move whitespace out of the tags at either end, then strip it.
    tagged = re.sub(r"^((?:<[a-z]+\d*>)*)\s+", r"\1", tagged)
    tagged = re.sub(r"\s+((?:</[a-z]+\d*>)*)$", r"\1", tagged)
    return tagged.strip()


def join_sentences(sentences: list[str], lang: str) -> str:
    """Join translated tagged sentences, merging tags that :func:`split_unit` had cut."""
    sep = "" if lang.split("-")[0] in _NO_SPACE_LANGS else " "
    joined = sep.join(s.strip() for s in sentences if s.strip())
    # "</b> <b>" where a tag was cut at a boundary becomes one span again.
    previous = None
    while previous != joined:
        previous = joined
        joined = re.sub(r"</([a-z]+\d*)>(\s*)<\1>", r"\2", joined)
    return joined
