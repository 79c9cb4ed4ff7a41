"""A rule-based toy language ("Toy", code ``qto``) with exact word alignments.

A trained model that translates English into this language can be scored exactly: every
sentence is generated together with its translation and the English words behind each target
word. The lexicon (:mod:`pipeline.testing.toy_words`) pairs each English lemma with an invented
word made of syllables by a seeded generator, so it is the same on every machine. The rules:

* noun phrases: ``det adj* noun`` becomes ``noun adj* det``; ``the`` and ``a`` merge into the
  noun (many-to-one: a definite suffix ``-n``/``-en``, none for ``a``), plurals take
  ``-m``/``-im``; adjectives agree with the noun: ``-a`` (vowel-final noun), ``-o`` (consonant-
  final), ``-e`` (plural); numbers follow the adjectives;
* ``X of Y`` becomes ``Y-s X``: the genitive suffix merges ``of`` into ``Y``'s head word;
* prepositions become postpositions after their noun phrase;
* clauses are verb-final: ``subject [postpositional phrase] object verb``; the verb takes a
  tense suffix (``-ta`` present, ``-ru`` past, ``-so`` future, so ``will``/``does``/``did``
  merge into it) and ``not`` is the word ``ne`` before it; time words open the clause;
* questions start with the particle ``ka`` (aligned with the English auxiliary);
* ``X said that S`` becomes ``X S ko said``: the complement clause precedes its verb;
* some English words are two target words (one-to-many), e.g. a noun or a time word;
* names, numbers and placeholders ``{1}`` are copied.

Translations of fragments (a noun phrase, a verb form) follow the same rules, so a model
trained on both translates the text of a link or an emphasis alone as well.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipeline.testing import toy_words as words
from pipeline.testing.toy_words import CODE, NAME, Lexicon, Pair, detokenize, lexicon

__all__ = ["CODE", "NAME", "Lexicon", "Pair", "detokenize", "fragment", "lexicon", "sentence"]
_VOWELS = "aeiou"

# -- building a pair ------------------------------------------------------------------------

Target = list[tuple[str, tuple[int, ...]]]


class _Builder:
    """Emits English tokens in order; the rules return target tokens to arrange."""

    def __init__(self, lex: Lexicon, rng: random.Random) -> None:
        self.lex = lex
        self.rng = rng
        self.english: list[str] = []
        self.phrases: list[tuple[str, int, int]] = []

    def phrase(self, kind: str, start: int) -> None:
        """Record English tokens ``start`` to now as a constituent."""
        if len(self.english) > start:
            self.phrases.append((kind, start, len(self.english)))

    def en(self, *tokens: str) -> tuple[int, ...]:
        start = len(self.english)
        self.english.extend(tokens)
        return tuple(range(start, len(self.english)))

    def pair(self, target: Target, *, sentence: bool = True) -> Pair:
        english = list(self.english)
        texts = [t for t, _ in target]
        if sentence:  # a sentence starts with a capital on both sides
            english[0] = english[0][:1].upper() + english[0][1:]
            texts[0] = texts[0][:1].upper() + texts[0][1:]
        links = tuple(s for _, s in target)
        return Pair(tuple(english), tuple(texts), links, tuple(self.phrases))


def _words_of(target_words: str, source: tuple[int, ...]) -> Target:
    return [(w, source) for w in target_words.split()]


def _suffix(
    target: Target, index: int, vowel_form: str, consonant_form: str, extra: tuple[int, ...]
) -> None:
    word, source = target[index]
    suffix = vowel_form if word[-1] in _VOWELS else consonant_form
    target[index] = (word + suffix, tuple(sorted({*source, *extra})))


@dataclass(frozen=True)
class NounPhrase:
    """What to say: a noun phrase before it is rendered."""

    head: str  # English singular noun, a name, or a placeholder "{1}"
    adjectives: tuple[str, ...] = ()
    determiner: str = ""  # "the", "a", a words.DETERMINERS entry, or a number
    plural: bool = False
    of: NounPhrase | None = None


def render_np(b: _Builder, np: NounPhrase) -> Target:
    """English in order, target ``[of-phrase-s] noun adj* det``."""
    lex = b.lex
    start = len(b.english)
    if np.head not in lex.nouns:  # a name or a placeholder: copied
        target = _words_of(np.head, b.en(np.head))
        b.phrase("name", start)
        return target
    det_index: tuple[int, ...] = ()
    if np.determiner:
        det_index = b.en(np.determiner)
    adj_index = [b.en(a) for a in np.adjectives]
    for index in adj_index:
        b.phrase("adjective", index[0])
    english_noun = _plural_of(lex, np.head) if np.plural else np.head
    noun_index = b.en(english_noun)
    b.phrase("noun", noun_index[0])
    b.phrase("noun phrase", start)
    target = _words_of(lex.nouns[np.head], noun_index)
    last = len(target) - 1
    if np.plural:
        _suffix(target, last, "m", "im", ())
    if np.determiner == "the":
        _suffix(target, last, "n", "en", det_index)
    elif np.determiner == "a":
        target[last] = (target[last][0], tuple(sorted({*target[last][1], *det_index})))
    ending = "e" if np.plural else ("a" if target[last][0][-1] in _VOWELS else "o")
    target += [
        (lex.adjectives[a] + ending, i) for a, i in zip(np.adjectives, adj_index, strict=True)
    ]
    if np.determiner and np.determiner not in ("the", "a"):
        word = lex.function.get(np.determiner, np.determiner)  # numbers are copied
        target.append((word, det_index))
    if np.of is not None:
        of_index = b.en("of")
        inner = render_np(b, np.of)
        _suffix(inner, _head_position(inner, lex, np.of), "s", "es", of_index)
        target = inner + target
        b.phrase("of phrase", of_index[0])
        b.phrase("noun phrase", start)
    return target


def _head_position(target: Target, lex: Lexicon, np: NounPhrase) -> int:
    if np.head not in lex.nouns:
        return 0
    return len(lex.nouns[np.head].split()) - 1


def _plural_of(lex: Lexicon, singular: str) -> str:
    return next(p for p, s in lex.plurals.items() if s == singular)


def random_np(b: _Builder, *, allow_of: bool = True, copied: bool = True) -> NounPhrase:
    """A noun phrase with random words (names and placeholders when ``copied``)."""
    rng, lex = b.rng, b.lex
    roll = rng.random()
    if copied and roll < 0.12:
        return NounPhrase(rng.choice(words.NAMES))
    if copied and roll < 0.17:
        return NounPhrase("{" + str(rng.randint(1, 3)) + "}")
    head = rng.choice(list(lex.nouns))
    adjectives = tuple(rng.sample(list(lex.adjectives), rng.choice((0, 0, 1, 1, 2))))
    plural = rng.random() < 0.3
    if plural:
        determiner = rng.choice(("the", "the", "", "some", "many", "no", "NUM"))
    else:
        determiner = rng.choice(("the", "the", "the", "a", "this", "that", "every", "no"))
    if determiner == "NUM":
        determiner = str(rng.randint(2, 999))
    of = random_np(b, allow_of=False) if allow_of and rng.random() < 0.15 else None
    return NounPhrase(head, adjectives, determiner, plural, of)


_TENSE_SUFFIX = {"present": "ta", "past": "ru", "future": "so"}


@dataclass(frozen=True)
class Clause:
    """What one clause says, before it is rendered."""

    subject: NounPhrase
    verb: str  # English base form
    tense: str  # "present", "past", "future"
    negative: bool = False
    obj: NounPhrase | None = None
    place: tuple[str, NounPhrase] | None = None  # (preposition, noun phrase)
    time: str = ""  # a time word or a day
    time_first: bool = False
    that: Clause | None = None  # the complement of a speech verb


def _verb_english(
    b: _Builder, c: Clause, *, question: bool
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Emit the verb group; returns (auxiliary, negation, verb) English indices."""
    base, third, past = b.lex.verb_forms[c.verb]
    plural = c.subject.plural
    aux_word = {"present": "do" if plural else "does", "past": "did", "future": "will"}[c.tense]
    aux: tuple[int, ...] = ()
    neg: tuple[int, ...] = ()
    if c.negative or c.tense == "future":
        aux = b.en(aux_word)
        if c.negative:
            neg = b.en("not")
        return aux, neg, b.en(base)
    if question:
        return aux, neg, b.en(base)
    return aux, neg, b.en({"present": base if plural else third, "past": past}[c.tense])


def _time(b: _Builder, word: str) -> Target:
    start = len(b.english)
    if word in words.DAYS:
        on = b.en("on")
        target = [(b.lex.function[word], b.en(word)), ("pe", on)]
    else:
        target = _words_of(b.lex.function[word], b.en(word))
    b.phrase("time", start)
    return target


def render_clause(b: _Builder, c: Clause, *, question: bool = False) -> Target:
    """English in its order; target ``[ka] [time] subject [place] [object] [ne] verb``."""
    aux_q: tuple[int, ...] = ()
    if question:
        aux_word = {
            "present": "do" if c.subject.plural else "does",
            "past": "did",
            "future": "will",
        }
        aux_q = b.en(aux_word[c.tense])
    time = _time(b, c.time) if c.time and c.time_first else []
    subject = render_np(b, c.subject)
    verb_start = len(b.english)
    aux, neg, verb_index = _verb_english(b, c, question=question)
    b.phrase("verb", verb_start)
    obj = render_np(b, c.obj) if c.obj else []
    place: Target = []
    if c.place:
        place_start = len(b.english)
        preposition = b.en(c.place[0])
        place = [*render_np(b, c.place[1]), (b.lex.function[c.place[0]], preposition)]
        b.phrase("place", place_start)
    that: Target = []
    if c.that is not None:
        that_index = b.en("that")
        that = [*render_clause(b, c.that), ("ko", that_index)]
    if c.time and not c.time_first:
        time = _time(b, c.time)
    verb = _words_of(b.lex.verbs[c.verb], verb_index)
    _suffix(verb, len(verb) - 1, _TENSE_SUFFIX[c.tense], _TENSE_SUFFIX[c.tense], aux + aux_q)
    negation = [("ne", neg)] if neg else []
    particle = [("ka", aux_q)] if question else []
    return particle + time + subject + place + obj + that + negation + verb


def random_clause(b: _Builder, *, depth: int = 0, question: bool = False) -> Clause:
    """A clause with random words; ``depth`` 0 may hold a complement clause."""
    rng, lex = b.rng, b.lex
    roll = rng.random()
    tense = rng.choice(("present", "past", "past", "future"))
    subject = random_np(b)
    negative = not question and rng.random() < 0.2
    place = None
    if rng.random() < 0.3:
        place = (rng.choice(words.PREPOSITIONS), random_np(b, allow_of=False))
    time = ""
    if rng.random() < 0.25:
        time = rng.choice((*words.TIME_WORDS, *words.DAYS))
    time_first = bool(time) and not question and rng.random() < 0.5
    if depth == 0 and not question and roll < 0.15:
        that = random_clause(b, depth=1)
        return Clause(
            subject, rng.choice(lex.speech), tense, negative, None, None, time, time_first, that
        )
    if roll < 0.4:
        return Clause(
            subject, rng.choice(lex.intransitive), tense, negative, None, place, time, time_first
        )
    obj = random_np(b)
    return Clause(
        subject, rng.choice(lex.transitive), tense, negative, obj, place, time, time_first
    )


def sentence(rng: random.Random, lex: Lexicon | None = None) -> Pair:
    """A random sentence: a statement, a question or two coordinated statements."""
    b = _Builder(lex or lexicon(), rng)
    roll = rng.random()
    if roll < 0.15:
        target = render_clause(b, random_clause(b, question=True), question=True)
        target.append(("?", b.en("?")))
        return b.pair(target)
    target = render_clause(b, random_clause(b))
    if roll < 0.3:
        joiner = rng.choice(("and", "but"))
        index = b.en(joiner)
        second = render_clause(b, random_clause(b, depth=1))
        target += [("i" if joiner == "and" else "sed", index), *second]
    target.append((".", b.en(".")))
    return b.pair(target)


def fragment(rng: random.Random, lex: Lexicon | None = None) -> Pair:
    """A phrase as a link or an emphasis may hold it: a noun phrase (with or without its
    determiner), adjectives alone, a name, an ``of`` phrase, a verb group, a place, a time."""
    b = _Builder(lex or lexicon(), rng)
    roll = rng.random()
    if roll < 0.3:
        return b.pair(render_np(b, random_np(b, copied=False)), sentence=False)
    if roll < 0.42:
        return b.pair(render_np(b, _bare_np(b)), sentence=False)
    if roll < 0.54:
        chosen = rng.sample(list(b.lex.adjectives), rng.choice((1, 2, 2, 3)))
        return b.pair([(b.lex.adjectives[a] + "a", b.en(a)) for a in chosen], sentence=False)
    if roll < 0.58:
        return b.pair(render_np(b, NounPhrase(rng.choice(words.NAMES))), sentence=False)
    if roll < 0.63:
        of_index = b.en("of")
        inner_np = random_np(b, allow_of=False)
        inner = render_np(b, inner_np)
        _suffix(inner, _head_position(inner, b.lex, inner_np), "s", "es", of_index)
        return b.pair(inner, sentence=False)
    if roll < 0.85:
        return b.pair(_verb_group(b), sentence=False)
    if roll < 0.95:
        preposition = rng.choice(words.PREPOSITIONS)
        index = b.en(preposition)
        target = render_np(b, random_np(b, allow_of=False, copied=False))
        return b.pair([*target, (b.lex.function[preposition], index)], sentence=False)
    return b.pair(_time(b, rng.choice((*words.TIME_WORDS, *words.DAYS))), sentence=False)


def _bare_np(b: _Builder) -> NounPhrase:
    """A noun with up to three adjectives and no determiner, as inside a longer phrase."""
    adjectives = tuple(b.rng.sample(list(b.lex.adjectives), b.rng.choice((0, 1, 1, 2, 2, 3))))
    return NounPhrase(b.rng.choice(list(b.lex.nouns)), adjectives, "", b.rng.random() < 0.4)


def _verb_group(b: _Builder) -> Target:
    """A verb with its tense (and ``not``), without subject or object."""
    rng = b.rng
    verb = rng.choice(list(b.lex.verb_forms))
    tense = rng.choice(("present", "past", "future"))
    clause = Clause(NounPhrase("x"), verb, tense, rng.random() < 0.2)
    aux, neg, index = _verb_english(b, clause, question=False)
    target = _words_of(b.lex.verbs[verb], index)
    _suffix(target, len(target) - 1, _TENSE_SUFFIX[tense], _TENSE_SUFFIX[tense], aux)
    return ([("ne", neg)] if neg else []) + target


#: Seed of the held-out sentences: the training stream skips them, the benchmark uses them.
HELD_OUT_SEED = 1616
#: Longest English sentence (tokens) in training and in the held-out set.
MAX_TOKENS = 30


def held_out(count: int = 200) -> list[Pair]:
    """The held-out sentences, always the same ones."""
    rng = random.Random(HELD_OUT_SEED)
    pairs: list[Pair] = []
    while len(pairs) < count:
        pair = sentence(rng)
        if len(pair.english) <= MAX_TOKENS:
            pairs.append(pair)
    return pairs
