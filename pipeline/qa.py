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
from decimal import Decimal, InvalidOperation

from pipeline.findings import Finding, Severity
from pipeline.glossary import Glossary, Terms
from pipeline.inline import TagError, Token, tokenize
from pipeline.languages import get_language
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
_CJK_SCRIPTS = {"Hans", "Hant", "Hani", "Jpan", "Kore"}


def _mark_class() -> str:
    """A regex class body of the combining marks of the BMP (Devanagari vowel signs, ...)."""
    marks = [chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c))[0] == "M"]
    ranges: list[list[str]] = []
    for ch in marks:
        if ranges and ord(ch) == ord(ranges[-1][1]) + 1:
            ranges[-1][1] = ch
        else:
            ranges.append([ch, ch])
    return "".join(a if a == b else f"{a}-{b}" for a, b in ranges)


# Sentence ends: . ! ? and their script forms (Arabic ؟, Urdu ۔, Devanagari ।, Ethiopic ። ፧),
# not after a one-letter word ("U.K.", "e.g."; a letter after a vowel sign is no word of its
# own: हुआ।); CJK full stops need no space after them.
_ONE_LETTER_WORD = rf"(?<![^\W\d_])(?<![{_mark_class()}])[^\W\d_]"
_SENTENCE_END_RE = re.compile(
    rf"(?<!{_ONE_LETTER_WORD})[.!?؟।۔።፧…]+(?=[\"'”’»)\]~]*(?:\s|$))|[。！？]+"
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


# -- numbers --------------------------------------------------------------------------------


def _ascii_digits(text: str) -> str:
    """Any script's decimal digits (Arabic-Indic, Devanagari, fullwidth) as ASCII digits."""
    return "".join(
        str(unicodedata.decimal(ch))
        if ch.isdigit() and unicodedata.decimal(ch, None) is not None
        else ch
        for ch in text
    )


# A number, and the English scale word after it: "300 million" may be written 3亿 or 300.
_SOURCE_NUMBER_RE = re.compile(r"(\d+(?:[.,]\d+)*)(?:\s+(thousand|million|billion)\b)?")
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
# Chinese and Japanese write large numbers in myriads: 1.1万 is 11,000, 3亿 300,000,000.
_MULTIPLIERS = {"千": 10**3, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_MULTIPLIER_CHARS = "".join(_MULTIPLIERS)


def _source_values(match: re.Match[str]) -> set[Decimal]:
    """An English number: ``11,000`` → 11000, ``1.5`` → 1.5; with a scale word, both values."""
    # English groups thousands with commas; a comma is never a decimal point here.
    token = match.group(1).replace(",", "")
    try:
        value = Decimal(token) if token.count(".") <= 1 else Decimal(token.replace(".", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only yields digits and dots
        value = Decimal(0)
    scale = _SCALES.get(match.group(2) or "")
    return {value, value * scale} if scale else {value}


def _grouped(groups: list[str]) -> bool:
    """Digit groups of a whole number: thousands (11,000) or Indian lakhs (1,50,000)."""
    rest = groups[1:]
    if all(len(g) == 3 for g in rest):
        return True
    return len(rest[-1]) == 3 and all(len(g) == 2 for g in rest[:-1]) and len(groups[0]) <= 2


def _target_values(token: str) -> set[Decimal]:
    """What a translated number may mean: ``11.000`` is 11000 (es) or 11 (en), both allowed."""
    scale = 1
    while token and token[-1] in _MULTIPLIERS:
        scale *= _MULTIPLIERS[token[-1]]
        token = token[:-1].rstrip()
    groups = re.split(r"\D", token)
    values = set()
    if len(groups) == 1 or _grouped(groups):
        values.add(Decimal("".join(groups)))
    if len(groups) > 1 and token[len(token) - len(groups[-1]) - 1] in ".,٫":
        values.add(Decimal("".join(groups[:-1]) + "." + groups[-1]))
    return {value * scale for value in values}


def _target_number_re(lang: str) -> re.Pattern[str]:
    from babel import UnknownLocaleError
    from babel.numbers import get_group_symbol

    try:
        group = get_group_symbol(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        group = ","
    spaced = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|" if group.isspace() else ""
    myriads = rf"\d+(?:\.\d+)?\s*[{_MULTIPLIER_CHARS}]+|"
    return re.compile(myriads + spaced + r"\d+(?:[.,\u066b\u066c'’]\d+)*")


def check_numbers(source: str, target: str, lang: str) -> list[Finding]:
    """Each number of the English text must be in the translation, in any local format.

    Digits of any script count (Arabic-Indic, Persian, Devanagari, Bengali, fullwidth), and so
    do Indian digit groups and Chinese/Japanese myriads (万, 亿).
    """
    found = [
        _target_values(m.group(0)) for m in _target_number_re(lang).finditer(_ascii_digits(target))
    ]
    findings = []
    for match in _SOURCE_NUMBER_RE.finditer(_ascii_digits(source)):
        wanted = _source_values(match)
        index = next((i for i, values in enumerate(found) if wanted & values), None)
        if index is None:
            findings.append(_finding("numbers", f"number {match.group(1)} is missing or changed"))
        else:
            found.pop(index)
    return findings


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


def _script_of(text: str) -> str:
    letters = [ch for ch in text if ch.isalpha()]
    cjk = sum(
        1
        for ch in letters
        if unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))
    )
    return "cjk" if letters and cjk > len(letters) / 2 else "other"


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


def sentence_count(text: str) -> int:
    """Sentences in plain text by their final punctuation (any script); at least 1."""
    stripped = text.rstrip(_TRAILING)
    ends = len(_SENTENCE_END_RE.findall(text))
    # A last sentence without final punctuation still counts.
    return max(1, ends + (1 if stripped and stripped[-1] not in _END_CLASSES else 0))


def _sentences(source: str, target: str) -> list[Finding]:
    want, have = sentence_count(source), sentence_count(target)
    if want == have:
        return []
    return [_finding("sentences", f"{have} sentence(s) for {want} in English")]


def _end_class(text: str) -> tuple[str, str]:
    stripped = text.rstrip(_TRAILING)
    if stripped.endswith("..."):
        return "ellipsis", "..."
    last = stripped[-1:] if stripped else ""
    return (_END_CLASSES[last], last) if last in _END_CLASSES else ("none", "")


def _end_punctuation(source: str, target: str, lang: str) -> list[Finding]:
    want, _ = _end_class(source)
    have, mark = _end_class(target)
    script = get_language(lang).script
    forms = (
        _END_FORMS["cjk" if script in _CJK_SCRIPTS else script]
        if (script in _CJK_SCRIPTS or script in _END_FORMS)
        else {}
    )
    if want == "none" and have == "none":
        return []
    if want == have and (want not in forms or mark in forms[want]):
        return []
    expected = (
        " or ".join(sorted(forms.get(want, set())))
        or {
            "stop": ".",
            "question": "?",
            "exclamation": "!",
            "colon": ":",
            "semicolon": ";",
            "ellipsis": "…",
            "none": "no punctuation",
        }[want]
    )
    return [
        _finding("end-punctuation", f"ends with {mark or 'no punctuation'!r}, expected {expected}")
    ]


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
