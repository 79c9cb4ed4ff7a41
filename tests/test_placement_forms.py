"""Span placement on inflected forms, near the model's attention, and apart from other spans."""

from __future__ import annotations

from pipeline.placement import apart, inflected, locate, place
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
