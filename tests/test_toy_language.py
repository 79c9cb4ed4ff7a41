"""The toy language: its rules, its alignments, and its code as a private-use language."""

from __future__ import annotations

import random

import pytest

from pipeline.languages import get_language, is_known
from pipeline.testing import toy_language as toy
from pipeline.testing.toy_language import Clause, NounPhrase, _Builder, render_clause, render_np


def _render(what: NounPhrase | Clause) -> toy.Pair:
    b = _Builder(toy.lexicon(), random.Random(0))
    target = render_np(b, what) if isinstance(what, NounPhrase) else render_clause(b, what)
    return b.pair(target, sentence=False)


def test_lexicon_is_deterministic_and_one_to_one() -> None:
    lex = toy.lexicon()
    assert lex == toy.lexicon.__wrapped__(16)  # rebuilt from scratch: the same words
    singles = [w for w in [*lex.nouns.values(), *lex.verbs.values()] if " " not in w]
    assert len(set(singles)) == len(singles)
    assert any(" " in w for w in lex.nouns.values())  # some nouns are two words
    assert len(lex.nouns) + len(lex.adjectives) + len(lex.verbs) > 450


def test_noun_phrase_puts_adjectives_after_the_noun_and_merges_the_article() -> None:
    lex = toy.lexicon()
    house, big = lex.nouns["house"], lex.adjectives["big"]
    pair = _render(NounPhrase("house", ("big",), "the"))
    assert pair.english == ("the", "big", "house")
    noun = house + ("n" if house[-1] in "aeiou" else "en")
    agreement = "a" if house[-1] in "aeiou" else "o"
    assert pair.target[-2:] == (noun.split()[-1], big + agreement)
    # "the" and "house" both land on the noun (many-to-one); "big" on the adjective.
    assert pair.links[-2:] == ((0, 2), (1,))


def test_plural_agreement_number_and_genitive() -> None:
    lex = toy.lexicon()
    pair = _render(NounPhrase("roof", ("red",), "3", True, NounPhrase("Maria")))
    assert pair.english == ("3", "red", "roofs", "of", "Maria")
    assert pair.target[0] == "Marias"  # the genitive suffix merges "of" into the name
    assert pair.links[0] == (3, 4)
    assert lex.adjectives["red"] + "e" in pair.target  # plural agreement
    assert pair.target[-1] == "3" and pair.links[-1] == (0,)


def test_clause_is_verb_final_with_tense_and_negation() -> None:
    lex = toy.lexicon()
    clause = Clause(NounPhrase("Anna"), "open", "past", True, NounPhrase("door", (), "the"))
    pair = _render(clause)
    assert pair.english == ("Anna", "did", "not", "open", "the", "door")
    verb = lex.verbs["open"].split()
    assert pair.target[-1] == verb[-1] + "ru"
    assert pair.target[-1 - len(verb)] == "ne"
    # "did" carries the tense: it aligns with the verb, not with a word of its own.
    assert set(pair.links[-1]) == {1, 3}
    assert pair.target[0] == "Anna"


def test_question_particle_and_complement_clause_order() -> None:
    rng = random.Random(3)
    questions = [p for p in (toy.sentence(rng) for _ in range(400)) if p.english[-1] == "?"]
    assert questions
    for pair in questions:
        assert pair.target[0] == "Ka"
        assert 0 in pair.links[0]  # aligned with the auxiliary
    inner = Clause(NounPhrase("Lima"), "grow", "past")
    speech = Clause(NounPhrase("Omar"), "say", "past", that=inner)
    pair = _render(speech)
    assert pair.english == ("Omar", "said", "that", "Lima", "grew")
    assert pair.target[:2] == ("Omar", "Lima")
    ko = pair.target.index("ko")
    assert pair.links[ko] == (2,)
    assert all(1 in pair.links[t] for t in range(ko + 1, len(pair.target)))  # "said" is last


def test_every_english_token_is_aligned_and_alignments_are_not_monotonic() -> None:
    rng = random.Random(5)
    crossing = 0
    for _ in range(300):
        pair = toy.sentence(rng)
        covered = {e for sources in pair.links for e in sources}
        assert covered == set(range(len(pair.english))), pair.english_text
        firsts = [min(sources) for sources in pair.links]
        crossing += firsts != sorted(firsts)
        back = pair.reversed()
        assert back.english == pair.target
        assert back.reversed() == pair
    assert crossing > 150


def test_fragments_have_no_sentence_punctuation() -> None:
    rng = random.Random(9)
    for _ in range(100):
        pair = toy.fragment(rng)
        assert pair.english and pair.target
        assert pair.english[-1] not in ".?" and pair.target[-1] not in ".?"


def test_private_use_codes_are_languages_and_real_codes_are_unchanged() -> None:
    toy_language = get_language(toy.CODE)
    assert toy_language.script == "Latn" and toy_language.direction == "ltr"
    assert toy_language.babel_locale == "en"
    assert is_known("qaa") and is_known("qtz")
    assert not is_known("quz_") and not is_known("qzz")  # outside qaa-qtz: not reserved
    assert get_language("es").babel_locale == "es"
    with pytest.raises(ValueError):
        get_language("xx")


def test_fidelity_cases_mark_constituents_and_expect_their_aligned_words() -> None:
    import sys

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    from fidelity import make_case

    rng = random.Random(4)
    cases = [make_case(pair, rng) for pair in toy.held_out(60)]
    assert sum(len(c.spans) for c in cases) > 120
    assert {s.where for c in cases for s in c.spans} == {"start", "middle", "end"}
    for case in cases:
        for span in case.spans:
            assert 1 <= span.end - span.start <= 5
            targets = case.pair.targets_of(set(range(span.start, span.end)))
            assert targets and span.expected
        assert case.markdown.count("](https://example.org/") <= 1
        assert "{" not in case.markdown and "{" not in case.reference
