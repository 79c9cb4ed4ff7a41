"""Sentence and number checks in the scripts they claim to understand (no false positives)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import punctuation
from pipeline.qa import check_pair

SOURCE = "The charity counted 11,000 parcels. Volunteers packed them. The work ended in 2023."
# Three sentences each, with the number written as the language writes it.
GOOD = {
    "ur": "خیراتی ادارے نے ۱۱٬۰۰۰ پارسل گنے۔ رضاکاروں نے انہیں پیک کیا۔ کام ۲۰۲۳ میں ختم ہوا۔",
    "am": "በጎ አድራጎቱ 11,000 እሽጎችን ቆጠረ። በጎ ፈቃደኞች አሸጓቸው። ሥራው በ2023 አለቀ።",
    "ar": "أحصت الجمعية ١١٬٠٠٠ طرد. قام المتطوعون بتعبئتها. انتهى العمل في ٢٠٢٣.",
    "fa": "این خیریه ۱۱٬۰۰۰ بسته را شمرد. داوطلبان آنها را بستند. کار در ۲۰۲۳ تمام شد.",
    "hi": "संस्था ने ११,००० पार्सल गिने। स्वयंसेवकों ने उन्हें पैक किया। काम २०२३ में समाप्त हुआ।",
    "bn": "দাতব্য সংস্থাটি ১১,০০০ পার্সেল গুনেছে। স্বেচ্ছাসেবকেরা সেগুলি প্যাক করেছে। কাজ ২০২৩ সালে শেষ হয়েছে।",
    "zh": "慈善机构清点了1.1万个包裹。志愿者把它们打包好了。工作于2023年结束。",
    "ja": "慈善団体は1.1万個の小包を数えた。ボランティアが梱包した。作業は2023年に終わった。",
}


@pytest.mark.parametrize("lang", sorted(GOOD))
def test_correct_translations_pass_sentence_and_number_checks(lang: str) -> None:
    found = check_pair(SOURCE, GOOD[lang], lang)
    assert [f for f in found if f.id in ("sentences", "numbers")] == []


@pytest.mark.parametrize("lang", sorted(GOOD))
def test_a_merged_sentence_is_still_found(lang: str) -> None:
    # Drop the first sentence end: two sentences for three.
    good = GOOD[lang]
    end = next(
        i for i, ch in enumerate(good) if ch in "۔።।。" or (ch == "." and good[i + 1] == " ")
    )
    merged = good[:end] + " " + good[end + 1 :]
    found = check_pair(SOURCE, merged, lang)
    assert [f.message for f in found if f.id == "sentences"] == ["2 sentence(s) for 3 in English"]


@pytest.mark.parametrize(
    ("lang", "wrong"),
    [
        ("ur", ("۱۱٬۰۰۰", "۱۲٬۰۰۰")),
        ("ar", ("١١٬٠٠٠", "١٣٬٠٠٠")),
        ("fa", ("۱۱٬۰۰۰", "۱۱٬۵۰۰")),
        ("hi", ("११,०००", "१२,०००")),
        ("bn", ("১১,০০০", "১৭,০০০")),
        ("zh", ("1.1万", "1.2万")),
        ("ja", ("1.1万", "11万")),
    ],
)
def test_a_changed_number_is_found_in_native_digits_and_myriads(
    lang: str, wrong: tuple[str, str]
) -> None:
    changed = GOOD[lang].replace(*wrong)
    assert changed != GOOD[lang]
    found = check_pair(SOURCE, changed, lang)
    assert [f.message for f in found if f.id == "numbers"] == [
        "number 11,000 is missing or changed"
    ]


@pytest.mark.parametrize(
    ("source", "translation", "lang"),
    [
        ("About 150,000 people signed.", "लगभग 1,50,000 लोगों ने हस्ताक्षर किए।", "hi"),
        ("About 150,000 people signed.", "প্রায় ১,৫০,০০০ জন স্বাক্ষর করেছেন।", "bn"),
        ("The fund holds 300 million euros.", "该基金持有3亿欧元。", "zh"),
        ("The fund holds 2.5 billion euros.", "该基金持有25亿欧元。", "zh"),
        ("The fund holds 300 million euros.", "El fondo tiene 300 millones de euros.", "es"),
    ],
)
def test_indian_groups_and_scale_words_match(source: str, translation: str, lang: str) -> None:
    assert [f for f in check_pair(source, translation, lang) if f.id == "numbers"] == []


def test_amharic_question_mark_ends_a_sentence() -> None:
    found = check_pair("Is it open? It is.", "ክፍት ነው፧ አዎ ነው።", "am")
    assert [f for f in found if f.id in ("sentences", "end-punctuation")] == []


def test_the_sentence_rule_knows_every_combining_mark_of_the_bmp() -> None:
    # The mark list skips blocks that hold none; a full scan of this Python's Unicode data
    # must find the same marks.
    marks = [chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c))[0] == "M"]
    listed = set(re.findall(r"[^-]-[^-]|[^-]", punctuation._mark_class()))
    found = {ch for part in listed for ch in map(chr, range(ord(part[0]), ord(part[-1]) + 1))}
    assert found == set(marks)


# Pieces of text with and without combining marks (Devanagari, Arabic, a supplementary one).
_PIECES = ["a", "I", "e.g.", "U.K.", " ", ". ", "? ", "!", "...", "…", "。", "।", "हुआ", "ि"]
_PIECES += ["\u0301", "\u064e", "\U0001d165", "क", "ل", "፧", "”", ")", "x.", "1.", "_", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_texts_without_marks_count_as_the_full_rule_counts(text: str) -> None:
    # Texts without combining marks skip the vowel-sign lookbehind (building it is costly):
    # the count must be the same as with it.
    assert punctuation._sentence_end_re(True).findall(text) == (
        punctuation._sentence_end_re(punctuation._has_marks(text)).findall(text)
    )
    assert punctuation._has_marks(text) == any(unicodedata.category(c)[0] == "M" for c in text)


def test_digits_of_any_script_and_cjk_letters_are_counted_in_mixed_text() -> None:
    # Thai, fullwidth and superscript digits: only decimal digits are numbers.
    found = check_pair(
        "We packed 42 parcels in 2023.", "Empacamos ๔๒ paquetes en ２０２３ ².", "es"
    )
    assert [f for f in found if f.id == "numbers"] == []
    found = check_pair("We packed 42 parcels.", "Empacamos ⁴² paquetes.", "es")
    assert [f.message for f in found if f.id == "numbers"] == ["number 42 is missing or changed"]
    # Mostly Han: CJK length limits (a tenth of the English is fine), not Latin ones.
    source = "The volunteers packed every parcel before the end of the long day."
    assert not [
        f
        for f in check_pair(source, "志愿者在漫长的一天结束前打包了每个包裹。", "zh")
        if f.id == "length"
    ]
    assert [
        f.id for f in check_pair(source, "Los voluntarios empacaron.", "es") if f.id == "length"
    ]
