"""Sentence ends in every script: how many sentences a text has, and how it ends.

``.`` ``!`` ``?`` and their script forms (Arabic ``؟``, Urdu ``۔``, Devanagari ``।``,
Ethiopic ``።`` ``፧``, CJK ``。！？``), not after a one-letter word ("U.K.", "e.g.").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

# Blocks of the BMP that hold no combining marks (their categories are fixed by Unicode's
# stability policy), skipped when listing the marks: Han ideographs, Hangul syllables,
# surrogates and private use are 40,000 of the 65,000 code points.
_NO_MARKS = ((0x4E00, 0xA000), (0xAC00, 0xD7A4), (0xD800, 0xF900))


def _mark_class() -> str:
    """A regex class body of the combining marks of the BMP (Devanagari vowel signs, ...)."""
    marks = [chr(c) for c in _bmp_outside(_NO_MARKS) if unicodedata.category(chr(c))[0] == "M"]
    ranges: list[list[str]] = []
    for ch in marks:
        if ranges and ord(ch) == ord(ranges[-1][1]) + 1:
            ranges[-1][1] = ch
        else:
            ranges.append([ch, ch])
    return "".join(a if a == b else f"{a}-{b}" for a, b in ranges)


def _bmp_outside(skipped: tuple[tuple[int, int], ...]) -> Iterator[int]:
    """The code points from U+0300 to U+FFFF outside the ``skipped`` ranges (start, stop)."""
    start = 0x300
    for stop, resume in (*skipped, (0x10000, 0x10000)):
        yield from range(start, stop)
        start = resume


# Sentence ends: . ! ? and their script forms (Arabic ؟, Urdu ۔, Devanagari ।, Ethiopic ። ፧),
# not after a one-letter word ("U.K.", "e.g."; a letter after a vowel sign is no word of its
# own: हुआ।); CJK full stops need no space after them. The vowel-sign lookbehind can only
# fail where a text has combining marks, so texts without any use the pattern without it:
# listing the marks costs more than a whole Spanish build's checks.
@functools.cache
def _sentence_end_re(with_marks: bool) -> re.Pattern[str]:
    after_mark = f"(?<![{_mark_class()}])" if with_marks else ""
    one_letter_word = rf"(?<![^\W\d_]){after_mark}[^\W\d_]"
    # The lookahead first: most positions are no punctuation, and it fails there at once.
    return re.compile(
        rf"(?=[.!?؟।۔።፧…。！？])"
        rf"(?:(?<!{one_letter_word})[.!?؟।۔።፧…]+(?=[\"'”’»)\]~]*(?:\s|$))|[。！？]+)"
    )


def _has_marks(text: str) -> bool:
    """Whether ``text`` has a combining mark (none is below U+0300)."""
    return not text.isascii() and any(
        ch >= "\u0300" and unicodedata.category(ch)[0] == "M" for ch in text
    )


# Closing quotes, brackets and pseudo-localization padding come after the final punctuation.
_TRAILING = "\"'”’»)]~ \t\n\u00a0"
_END_CLASSES = {
    ".": "stop",
    "。": "stop",
    "．": "stop",
    "।": "stop",
    "۔": "stop",
    "።": "stop",
    "፧": "question",
    "?": "question",
    "？": "question",
    "؟": "question",
    "!": "exclamation",
    "！": "exclamation",
    ":": "colon",
    "：": "colon",
    ";": "semicolon",
    "；": "semicolon",
    "؛": "semicolon",
    "…": "ellipsis",
}
# Per script: the final punctuation a class of ending may take.
_END_FORMS: dict[str, dict[str, set[str]]] = {
    "cjk": {
        "stop": {"。", "．"},
        "question": {"？", "?"},
        "exclamation": {"！", "!"},
        "colon": {"：", ":"},
        "semicolon": {"；", ";"},
    },
    "Arab": {"question": {"؟"}, "semicolon": {"؛", ";"}, "stop": {".", "۔"}},
    "Deva": {"stop": {"।", "."}},
    "Ethi": {"stop": {"።", "."}, "question": {"፧", "?"}},
}


# The checks ask for the English text's count once per language.
@functools.lru_cache(maxsize=4096)
def sentence_count(text: str) -> int:
    """Sentences in plain text by their final punctuation (any script); at least 1."""
    stripped = text.rstrip(_TRAILING)
    ends = len(_sentence_end_re(_has_marks(text)).findall(text))
    # A last sentence without final punctuation still counts.
    return max(1, ends + (1 if stripped and stripped[-1] not in _END_CLASSES else 0))


def _end_class(text: str) -> tuple[str, str]:
    stripped = text.rstrip(_TRAILING)
    if stripped.endswith("..."):
        return "ellipsis", "..."
    last = stripped[-1:] if stripped else ""
    return (_END_CLASSES[last], last) if last in _END_CLASSES else ("none", "")


_CJK_SCRIPTS = {"Hans", "Hant", "Hani", "Jpan", "Kore"}
_PLAIN_FORMS = {
    "stop": ".",
    "question": "?",
    "exclamation": "!",
    "colon": ":",
    "semicolon": ";",
    "ellipsis": "…",
    "none": "no punctuation",
}


def end_punctuation_problem(source: str, target: str, script: str) -> str:
    """Why the translation's final punctuation does not fit the source's ('' if it does)."""
    want, _ = _end_class(source)
    have, mark = _end_class(target)
    key = "cjk" if script in _CJK_SCRIPTS else script
    forms = _END_FORMS.get(key, {})
    if want == "none" and have == "none":
        return ""
    if want == have and (want not in forms or mark in forms[want]):
        return ""
    expected = " or ".join(sorted(forms.get(want, set()))) or _PLAIN_FORMS[want]
    return f"ends with {mark or 'no punctuation'!r}, expected {expected}"
