"""Sentence splitting of tagged text, and joining translated sentences back into a unit.

English is split with pysbd (rule-based, offline), which keeps "U.K.", "Dr.", "e.g.",
"9 a.m.", decimals and quotes inside their sentence. pysbd runs dozens of regular expressions
over every text; most summary sentences need none of them, so a plain text (words, commas,
hyphens, apostrophes between letters, single spaces, and periods only after a word of letters,
before a capital) is split here directly, where pysbd is known to split the same way
(``tests/test_sentences.py`` compares both); anything else goes to pysbd, which is imported
only then.

A paired tag that crosses a sentence boundary is closed at the end of one sentence and
reopened at the start of the next, so every sentence is well formed on its own;
:func:`join_sentences` merges them again.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pipeline.inline import TAG_RE, TagError, Token, serialize, tokenize

# Scripts written without spaces between sentences.
_NO_SPACE_LANGS = {"zh", "zt", "ja", "th", "lo", "km", "my"}
_PLACEHOLDER_CHAR = "X"
_LEADING_BREAK_RE = re.compile(r"(?:<[a-z]+\d*>)*<br/>")
_ADJACENT_RE = re.compile(r"</([a-z]+\d*)>(\s*)<\1>")


# Words separated by single spaces; a period only ends a word of letters, before a capital.
# Apostrophes only after a letter ("it's", "farmers'"): pysbd reads a single quote as opening
# a quotation only after a space.
_PLAIN_RE = re.compile(
    r"(?:(?:[A-Za-z0-9,%']+(?:-[A-Za-z0-9,%']+)*"
    r"|(?:[A-Za-z]{2,}|[A-Za-z]+(?:'[A-Za-z]+)+)\.(?= [A-Z])) )*"
    r"[A-Za-z0-9,%']+(?:-[A-Za-z0-9,%']+)*[.!?]?"
)
_PLAIN_APOSTROPHE_RE = re.compile(r"(?<=[A-Za-z])'")
_PERIOD_END_RE = re.compile(r"(?<![^ ])([A-Za-z]+(?:'[A-Za-z]+)*)\. (?=(\S+))")
# pysbd lists Roman numerals (i. ii.) and alphabetical items (a. b.) as list markers.
_ROMAN_RE = re.compile(r"[ivxlcdm]+", re.IGNORECASE)
# The abbreviations whose period pysbd never reads as an end before a capital ("Dr. Smith"):
# pysbd 0.3.4's English PREPOSITIVE_ABBREVIATIONS, copied so that a plain text needs no
# pysbd import (tests/test_sentences.py checks the copy against pysbd's own list). Its other
# abbreviations end a sentence before a capital, except before "I" ("in May. I left" stays one
# sentence) and in "Co. KG": those words after a period send the text to pysbd.
_PREPOSITIVE_WORDS = (
    "adm attys brig capt cmdr col cpl det dr fig gen gov ing lt maj messrs mr mrs ms mssrs "
    "mt ph prof rep reps rev sen sens sgt st supt v vs"
)
_PREPOSITIVE = frozenset(_PREPOSITIVE_WORDS.split())
_NEXT_WORD_RE = re.compile(r"I|I'.*|KG")


@functools.cache
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def sentence_starts(text: str) -> list[int]:
    """Character offsets where sentences after the first begin in plain ``text``."""
    if not text.strip():
        return []
    plain = _plain_starts(text)
    if plain is not None:
        return plain
    return pysbd_starts(text)


def pysbd_starts(text: str) -> list[int]:
    """:func:`sentence_starts` by pysbd alone (the reference of the plain-text path)."""
    spans = _segmenter().segment(text)
    return [span.start for span in spans[1:] if 0 < span.start < len(text)]


def _plain_starts(text: str) -> list[int] | None:
    """Sentence starts of a plain text, or None: pysbd's rules are needed."""
    apostrophes = text.count("'")
    if apostrophes and len(_PLAIN_APOSTROPHE_RE.findall(text)) != apostrophes:
        return None
    if not _PLAIN_RE.fullmatch(text):
        return None
    starts = []
    for match in _PERIOD_END_RE.finditer(text):
        word = match.group(1).lower()
        if (
            word in _PREPOSITIVE
            or _ROMAN_RE.fullmatch(word)
            or _NEXT_WORD_RE.fullmatch(match.group(2))
        ):
            return None
        starts.append(match.end())
    return starts


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
    starts = sorted(set(sentence_starts(plain)) | set(_break_starts(tokens)))
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
    result = [_strip(serialize(_rejoin(s))) for s in _merge_bare(sentences)]
    return [s for s in result if s] or [tagged.strip()]


def _break_starts(tokens: list[Token]) -> list[int]:
    """Offsets of hard line breaks that follow words: each starts a sentence of its own.

    The engine then never sees a line break inside a sentence (it has no way to keep one);
    :func:`join_sentences` puts the pieces back together without a space.
    """
    starts: list[int] = []
    cursor = 0
    words = False
    for token in tokens:
        if token.kind == "text":
            cursor += len(token.value)
            words = words or bool(token.value.strip())
        elif token.kind == "void":
            if token.value == "br" and words:
                starts.append(cursor)
                words = False
            else:
                words = words or token.value != "br"
            cursor += len(_PLACEHOLDER_CHAR)
    return starts


def _merge_bare(sentences: list[list[Token]]) -> list[list[Token]]:
    """Sentences without words (``See point 1.`` ``<url1/>``) join their neighbour.

    A sentence of tags alone gives the engine nothing to translate and would lose its tags.
    """
    merged: list[list[Token]] = []
    for sentence in sentences:
        if merged and not (_has_words(sentence) and _has_words(merged[-1])):
            merged[-1] = merged[-1] + sentence
        else:
            merged.append(list(sentence))
    return merged


def _has_words(tokens: list[Token]) -> bool:
    return any(t.kind == "text" and t.value.strip() for t in tokens)


def _rejoin(tokens: list[Token]) -> list[Token]:
    """Drop a close tag directly followed by the same open tag (left by a cut that merged)."""
    out: list[Token] = []
    for token in tokens:
        if out and token.kind == "open" and out[-1] == Token("close", token.value):
            out.pop()
        else:
            out.append(token)
    return out


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
    parts = [s.strip() for s in sentences if s.strip()]
    joined = "".join(
        ("" if i == 0 or _LEADING_BREAK_RE.match(part) else sep) + part
        for i, part in enumerate(parts)
    )
    # "</b> <b>" where a tag was cut at a boundary becomes one span again.
    previous = None
    while previous != joined:
        previous = joined
        joined = _ADJACENT_RE.sub(r"\2", joined)
    return _merge_repeats(joined)


def _merge_repeats(joined: str) -> str:
    """One span again for a tag that a translation did not end and restart at the cut.

    Names are unique within a unit, so a paired tag seen twice was cut by a sentence
    boundary; the words between its two halves were inside it in the source.
    """
    counts: dict[str, int] = {}
    for match in TAG_RE.finditer(joined):
        if match.group(2) and not match.group(1):
            counts[match.group(2)] = counts.get(match.group(2), 0) + 1
    merged = joined
    for name in (n for n, count in counts.items() if count > 1):
        pattern = re.compile(f"</{name}>(.*?)<{name}>", re.DOTALL)
        while pattern.search(merged):
            merged = pattern.sub(r"\1", merged, count=1)
    try:
        tokenize(merged)
    except TagError:
        return joined  # the caller's check reports it
    return merged
