"""Putting markup back: literal braces, nesting order, line breaks, and time linear in length."""

from __future__ import annotations

import time

from pipeline.engines.pseudo import pseudo_localize
from pipeline.inline import check_against
from pipeline.protect import engine_inputs, protect, restore
from pipeline.sentences import join_sentences, split_unit


def _pseudo(tagged: str) -> str:
    """A unit through protect, the pseudo engine and restore, sentence by sentence."""
    out = []
    for sentence in split_unit(tagged):
        item = protect(sentence)
        done = [pseudo_localize(text) for text in engine_inputs(item)]
        out.append(restore(item, done[0], done[1:]).text)
    return join_sentences(out, "es")


def test_literal_braces_are_text_the_engine_cannot_touch() -> None:
    item = protect("Pay {1} euros, {2} later or {name} never.")
    assert item.text.count("{") == 3
    assert "name" not in item.text  # the engine sees placeholders only
    assert {slot.source for slot in item.terms.values()} == {"{1}", "{2}", "{name}"}
    # The engine drops one: the text is put back, and a note says so.
    dropped = item.text.replace("{3}", "")
    restored = restore(item, dropped, [])
    assert restored.text.count("{name}") == 1
    assert restored.findings == ["literal-missing:{name}"]


def test_nested_emphasis_keeps_its_order_and_names() -> None:
    tagged = "<i><b>both</b></i> and <i>a <i2>b</i2> c</i> and <b>x</b> <b2>x</b2> <b3>x</b3>"
    result = _pseudo(tagged)
    check_against(tagged, result)
    assert result.startswith("[<i><b>")
    assert result.count("<b") == 4


def test_hard_breaks_are_kept_between_sentences() -> None:
    tagged = "Line one<br/>line two<br/><i>line three</i> ends."
    assert split_unit(tagged) == ["Line one", "<br/>line two", "<br/><i>line three</i> ends."]
    result = _pseudo(tagged)
    check_against(tagged, result)
    assert result.count("<br/>") == 2
    assert " <br/>" not in result


def test_a_url_after_a_numbered_sentence_stays_with_it() -> None:
    tagged = "See point 1. <url1/>"
    assert split_unit(tagged) == ["See point 1. <url1/>"]
    check_against(tagged, _pseudo(tagged))


def test_restoring_is_linear_in_the_length_of_the_text() -> None:
    words = "word " * 60_000  # 300,000 characters in one sentence
    tagged = f"<b>Start</b> {words}<i>middle</i> {words}<a1>end</a1> <code1/>"
    item = protect(tagged)
    done = [pseudo_localize(text) for text in engine_inputs(item)]
    started = time.perf_counter()
    restored = restore(item, done[0], done[1:])
    elapsed = time.perf_counter() - started
    check_against(tagged, restored.text)
    # Quadratic insertion took minutes for this; linear takes milliseconds.
    assert elapsed < 5, elapsed
