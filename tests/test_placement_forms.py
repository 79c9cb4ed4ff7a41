"""Span placement on inflected forms, near the model's attention, and apart from other spans."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.placement import WORD_RE, apart, fuzzy, inflected, locate, place
from pipeline.protect import protect, restore


def test_agreement_and_case_endings_are_found() -> None:
    text = "La casa nueva tiene ventanas grandes."
    assert text[slice(*locate(text, "nuevo", 10))] == "nueva"  # type: ignore[misc]
    assert text[slice(*locate(text, "ventana grande", 25))] == "ventanas grandes"  # type: ignore[misc]
    assert inflected("Kaporanes velo mu", "kaporan vela") == [(0, 14)]
    # Short words and other words sharing a stem are not taken for inflections.
    assert inflected("La casa es su casita.", "su") == []
    assert inflected("Vela velikuro.", "velo") == [(0, 4)]


def test_the_attention_anchor_prefers_a_form_there_over_an_exact_form_elsewhere() -> None:
    text = "Suhut re lu beviso i suhuten dokoto ne kuzebiru."
    anchor = (21, 28)
    assert locate(text, "suhut", 24, anchor=anchor) == anchor
    assert locate(text, "suhut", 24) == (0, 5)  # without attention: the exact form


def test_a_hull_gives_back_the_words_of_an_earlier_span() -> None:
    text = "Ka pikaren hatito vavuko tizes ha pu puturu?"
    assert text[slice(*apart(text, (18, 30), [(18, 24)]))] == "tizes"
    method, found = place(text, "", "", (18, 30), 24.0, [(18, 24)])
    assert method == "align" and found is not None and text[slice(*found)] == "tizes"


def test_restore_places_an_inflected_span_on_its_word() -> None:
    protected = protect("The <b>new</b> house has big windows.")
    restored = restore(protected, "La casa nueva tiene ventanas grandes.", ["nuevo"])
    assert restored.text == "La casa <b>nueva</b> tiene ventanas grandes."
    assert restored.methods["exact"] == 1


def _fuzzy_reference(text: str, needle: str) -> tuple[int, int] | None:
    """fuzzy() written plainly: one full difflib comparison per window."""
    words = list(WORD_RE.finditer(text))
    target = [w.casefold() for w in WORD_RE.findall(needle)]
    if not words or not target:
        return None
    best: tuple[float, int, int] | None = None
    for size in {max(1, len(target) - 1), len(target), len(target) + 1}:
        for i in range(0, len(words) - size + 1):
            window = [w.group(0).casefold() for w in words[i : i + size]]
            ratio = difflib.SequenceMatcher(None, " ".join(window), " ".join(target)).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, words[i].start(), words[i + size - 1].end())
    if best is None or best[0] < 0.75:
        return None
    return best[1], best[2]


# Few, similar words: windows tie and come close to the threshold often.
_WORDS = st.sampled_from(["casa", "casas", "Casa", "cosa", "la", "las", "nueva", "nuevo", "a", "ß"])
_TEXTS = st.lists(_WORDS, max_size=14).map(" ".join) | st.text(max_size=40)


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS, needle=_TEXTS)
def test_fuzzy_finds_the_window_a_full_comparison_of_every_window_finds(
    text: str, needle: str
) -> None:
    assert fuzzy(text, needle) == _fuzzy_reference(text, needle)


def test_fuzzy_takes_the_first_of_equally_similar_windows() -> None:
    text = "la casa nueva y la casa nueva"
    assert fuzzy(text, "la cosa nueva") == _fuzzy_reference(text, "la cosa nueva") == (0, 13)
    assert fuzzy(text, "otra cosa") is None
