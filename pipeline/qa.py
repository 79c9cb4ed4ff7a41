"""Quality checks on a source/translation pair; findings only, the text is never edited.

Each check has an id, a severity and a message, in the spirit of pofilter and Weblate. The
checks read tagged text (:mod:`pipeline.inline`) and run on machine and reviewed
translations alike; the notes that markup restoration left (:mod:`pipeline.protect`) become
findings too. ``error`` findings make ``--strict`` fail (exit 3).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pipeline.findings import Finding, Severity
from pipeline.glossary import Glossary, Terms
from pipeline.inline import TagError, Token, tokenize
from pipeline.languages import get_language
from pipeline.numbers import CharTable, missing_numbers
from pipeline.punctuation import end_punctuation_problem, sentence_count
from pipeline.urls import EMAIL_RE, URL_RE

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

#: Every check: id → (severity, what it means). Ids follow pofilter/Weblate where one exists.
CHECKS: dict[str, tuple[Severity, str]] = {
    "empty": (ERROR, "the translation is empty"),
    "tags": (ERROR, "links, bold or italics missing, extra or unbalanced"),
    "placeholders": (ERROR, "inline code, URLs or images missing or extra"),
    "urls": (ERROR, "a URL of the source is not in the translation"),
    "emails": (ERROR, "an e-mail address of the source is not in the translation"),
    "numbers": (ERROR, "a number of the source is missing or changed"),
    "glossary": (WARNING, "a glossary term is not kept or not translated as required"),
    "untranslated": (WARNING, "the translation equals the source"),
    "length": (WARNING, "the translation is much shorter or longer than expected"),
    "repeated": (WARNING, "a word or phrase repeats (a looping model)"),
    "sentences": (WARNING, "the number of sentences differs"),
    "inline-fallback": (WARNING, "a link or emphasis was kept on words chosen by position"),
    "placeholder-repaired": (WARNING, "the engine lost or invented a placeholder; repaired"),
    "glossary-repaired": (WARNING, "the engine lost or repeated a glossary term; repaired"),
    "bidi": (ERROR, "bidirectional control characters that can reorder or disguise the text"),
    # Found by the PDF renderer's page-fit (pipeline.pdf), not in the text.
    "overflow": (WARNING, "the printed handout is longer than max_pages, even when fitted"),
    "markup-fallback": (ERROR, "the markup could not be restored; placed by position"),
    "back-translation": (WARNING, "translated back to English, the text is far from the source"),
    "end-punctuation": (INFO, "the final punctuation differs"),
    "tag-order": (INFO, "inline code, URLs or images are in a different order"),
}


def _finding(check: str, message: str) -> Finding:
    return Finding(check, CHECKS[check][0], message)


# -- the pair checks ----------------------------------------------------------------------

_URL_RE = URL_RE
_EMAIL_RE = EMAIL_RE
# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder what a reader
# sees ("Trojan Source"); the marks U+200E/U+200F are expected only in right-to-left text.
_BIDI_CONTROLS_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_MARKS_RE = re.compile("[\u200e\u200f]")
_WORD_RE = re.compile(r"\w+")
def check_pair(
    source_tagged: str,
    translation_tagged: str,
    lang: str,
    glossary: Glossary | Terms | None = None,
) -> list[Finding]:
    """All findings for one unit: English tagged text against its ``lang`` translation."""
    terms = glossary.for_language(lang) if isinstance(glossary, Glossary) else glossary
    bidi = check_bidi(source_tagged, translation_tagged, lang)
    source_tokens = tokenize(source_tagged)
    try:
        tokens = tokenize(translation_tagged)
    except TagError as err:
        return [*bidi, _finding("tags", f"broken markup: {err}")]
    source = _plain(source_tokens)
    target = _plain(tokens)
    if not any(ch.isalpha() for ch in source):
        return bidi + _tag_checks(source_tokens, tokens)
    if not target.strip():
        return [
            *bidi,
            _finding("empty", "the translation is empty"),
            *_tag_checks(source_tokens, tokens),
        ]
    findings = bidi + _tag_checks(source_tokens, tokens)
    findings += _literal(source, target, _URL_RE, "urls", "URL")
    findings += _literal(source, target, _EMAIL_RE, "emails", "e-mail address")
    findings += check_numbers(source, target, lang)
    if terms:
        findings += _glossary(source, target, terms)
    findings += _untranslated(source, target, terms)
    findings += _length(source, target)
    findings += _repeated(source, target)
    findings += _sentences(source, target)
    findings += _end_punctuation(source, target, lang)
    return findings


def check_bidi(source: str, translation: str, lang: str) -> list[Finding]:
    """Bidi controls anywhere, and LRM/RLM in English or in a left-to-right translation."""
    rtl = get_language(lang).direction == "rtl"
    findings = []
    for where, text, marks_expected in (
        ("source", source, False),
        ("translation", translation, rtl),
    ):
        found = _BIDI_CONTROLS_RE.findall(text)
        if not marks_expected:
            found += _BIDI_MARKS_RE.findall(text)
        if found:
            names = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(found))
            findings.append(_finding("bidi", f"the {where} contains {names}"))
    return findings


def _plain(tokens: list[Token]) -> str:
    return "".join(t.value for t in tokens if t.kind == "text")


def _tag_checks(source: list[Token], target: list[Token]) -> list[Finding]:
    findings = []
    for check, kinds in (("tags", ("open",)), ("placeholders", ("void",))):
        want = [t.value for t in source if t.kind in kinds and t.value != "br"]
        have = [t.value for t in target if t.kind in kinds and t.value != "br"]
        missing = [n for n in dict.fromkeys(want) if have.count(n) < want.count(n)]
        extra = [n for n in dict.fromkeys(have) if have.count(n) > want.count(n)]
        if missing:
            findings.append(_finding(check, "missing " + ", ".join(_tag(n) for n in missing)))
        if extra:
            findings.append(_finding(check, "extra " + ", ".join(_tag(n) for n in extra)))
        if check == "placeholders" and not missing and not extra and want != have:
            findings.append(
                _finding(
                    "tag-order", f"order {' '.join(map(_tag, have))} (source {' '.join(want)})"
                )
            )
    return findings


def _tag(name: str) -> str:
    return f"<{name}/>" if re.match(r"(code|url|img)\d", name) else f"<{name}>"


def _literal(
    source: str, target: str, pattern: re.Pattern[str], check: str, what: str
) -> list[Finding]:
    return [
        _finding(check, f"{what} {found} is not in the translation")
        for found in dict.fromkeys(pattern.findall(source))
        if target.count(found) < source.count(found)
    ]


# -- words ----------------------------------------------------------------------------------


def _glossary(source: str, target: str, terms: Terms) -> list[Finding]:
    wanted: dict[tuple[str, bool], int] = {}
    for match in terms.find(source):
        key = (match.replacement, match.entry.case_sensitive)
        wanted[key] = wanted.get(key, 0) + 1
    findings = []
    for (words, case_sensitive), count in wanted.items():
        have = target.count(words) if case_sensitive else target.casefold().count(words.casefold())
        if have < count:
            findings.append(
                _finding("glossary", f"{words!r} should appear {count} time(s), found {have}")
            )
    return findings


def _untranslated(source: str, target: str, terms: Terms | None) -> list[Finding]:
    if " ".join(source.split()) != " ".join(target.split()):
        return []
    rest = source
    for match in reversed(terms.find(source) if terms else []):
        rest = rest[: match.start] + rest[match.end :]
    # Names and one-word cognates ("Figure") are often right untranslated.
    if len([w for w in _WORD_RE.findall(rest) if any(c.isalpha() for c in w)]) < 2:
        return []
    return [_finding("untranslated", "the translation is the English text")]


_CJK_NAMES = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def _drop_cjk(ch: str) -> int | None:
    """None (dropped) for a CJK letter (Han, kana, Hangul), else the character kept."""
    cjk = ch.isalpha() and unicodedata.name(ch, "").startswith(_CJK_NAMES)
    return None if cjk else ord(ch)


_CJK_LETTERS = CharTable(_drop_cjk)


def _script_of(text: str) -> str:
    if text.isascii():  # no CJK letters
        return "other"
    letters = sum(map(str.isalpha, text))
    cjk = len(text) - len(text.translate(_CJK_LETTERS))
    return "cjk" if letters and cjk > letters / 2 else "other"


def _length(source: str, target: str) -> list[Finding]:
    # Ratios of short texts say nothing; the expected range depends on the script written.
    if len(source) < 20:
        return []
    low, high = (0.15, 1.0) if _script_of(target) == "cjk" else (0.4, 2.5)
    ratio = len(target) / len(source)
    if low <= ratio <= high:
        return []
    return [
        _finding(
            "length",
            f"{len(target)} characters for {len(source)} in English "
            f"(ratio {ratio:.2f}, expected {low}–{high})",
        )
    ]


_DOUBLE_WORD_RE = re.compile(r"(?<!\w)(\w+)(?:\s+\1)+(?!\w)", re.IGNORECASE)
_LOOP_RE = re.compile(r"(\w[^\n]{0,40}?)(?:\s*\1){2,}", re.IGNORECASE)


def _repeated(source: str, target: str) -> list[Finding]:
    findings = []
    for pattern in (_DOUBLE_WORD_RE, _LOOP_RE):
        for match in pattern.finditer(target):
            piece = match.group(1)
            if not any(ch.isalpha() for ch in piece) or pattern.search(source):
                continue
            if pattern is _LOOP_RE and len(piece.strip()) < 2 and _script_of(piece) != "cjk":
                continue
            findings.append(_finding("repeated", f"{match.group(0)[:60]!r} repeats {piece!r}"))
            return findings
    return findings


def check_numbers(source: str, target: str, lang: str) -> list[Finding]:
    """Each number of the English text must be in the translation, in any local format."""
    return [
        _finding("numbers", f"number {number} is missing or changed")
        for number in missing_numbers(source, target, lang)
    ]


def _sentences(source: str, target: str) -> list[Finding]:
    want, have = sentence_count(source), sentence_count(target)
    if want == have:
        return []
    return [_finding("sentences", f"{have} sentence(s) for {want} in English")]


def _end_punctuation(source: str, target: str, lang: str) -> list[Finding]:
    problem = end_punctuation_problem(source, target, get_language(lang).script)
    return [_finding("end-punctuation", problem)] if problem else []


# -- whole documents -------------------------------------------------------------------------

_RESTORE_NOTES = {
    "inline-fallback": (
        "inline-fallback",
        "could not find the words of <{0}> in the translation; kept on the words at the "
        "same position",
    ),
    "placeholder-missing": ("placeholder-repaired", "the engine dropped <{0}/>; reinserted"),
    "placeholder-duplicated": (
        "placeholder-repaired",
        "the engine repeated <{0}/>; the copy was dropped",
    ),
    "placeholder-invented": (
        "placeholder-repaired",
        "the engine produced an unknown placeholder {0}; dropped",
    ),
    "glossary-missing": ("glossary-repaired", "the engine dropped the term {0!r}; reinserted"),
    "glossary-duplicated": (
        "glossary-repaired",
        "the engine repeated the term {0!r}; the copy was dropped",
    ),
    "literal-missing": ("placeholder-repaired", "the engine dropped the text {0!r}; reinserted"),
    "literal-duplicated": (
        "placeholder-repaired",
        "the engine repeated the text {0!r}; the copy was dropped",
    ),
    "markup-fallback": (
        "markup-fallback",
        "links or emphasis could not be put back ({0}); the source markup was placed by "
        "position (or the English kept)",
    ),
}


def restore_findings(notes: Iterable[str]) -> list[Finding]:
    """Findings for the notes :func:`pipeline.protect.restore` left (``"inline-fallback:a1"``)."""
    findings = []
    for note in notes:
        kind, _, detail = note.partition(":")
        check, message = _RESTORE_NOTES[kind]
        findings.append(_finding(check, message.format(detail)))
    return findings
