"""The lexicon of the toy language (:mod:`pipeline.testing.toy_language`).

Plain word lists, kept apart from the rules so both stay short. Verbs are given as
``base third-person past``; nouns as ``singular plural`` when the plural is irregular.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field


def _split(text: str) -> list[str]:
    return text.split()


# fmt: off
NOUNS = _split(
    """
house school city river bridge road garden market library hospital village station
museum park street farm forest island lake mountain valley harbour beach field tower
church office factory shop kitchen hall room door window roof wall floor table chair
bed lamp clock book letter report plan map picture song story film game ticket card
box bag bottle cup plate bowl knife spoon key coin bell boat ship train bus car truck
bicycle plane wheel engine machine tool computer phone screen camera radio cable pipe
teacher student doctor nurse farmer driver worker singer writer painter baker builder
engineer officer minister council committee company team family neighbour friend child:children
woman:women man:men person:people visitor guest leader member player judge artist pilot
dog cat horse cow sheep:sheep bird fish:fish bee tree flower apple bread cake cheese
milk water coffee tea soup rice egg salt sugar oil fruit vegetable potato tomato
stone sand snow rain wind storm cloud sun moon star sky sea wave fire light sound
voice word name idea question answer problem reason result change rule law price
budget tax wage job meeting lesson course test exam prize gift party festival concert
holiday journey trip visit walk race match goal step line circle corner edge centre
side top bottom front back middle beginning end morning evening night week month year
summer winter spring autumn hour minute day moment history science music art language
energy health safety money food fuel paper glass metal wood plastic cotton wool
coat shirt shoe hat glove dress umbrella blanket tent rope net basket ladder bucket
garage cellar attic stair fence gate path lane square tunnel port airport
mayor police army court bank newspaper magazine website project programme survey
election vote campaign agreement contract permit license fee fund loan debt profit
"""
)

ADJECTIVES = _split(
    """
big small old new young long short tall high low wide narrow deep thick thin heavy
light fast slow early late hot cold warm cool dry wet clean dirty quiet loud bright
dark soft hard strong weak rich poor cheap expensive happy sad kind busy free full
empty open closed safe simple easy difficult important useful local public private
red blue green yellow white black brown grey famous modern ancient rural urban
central northern southern eastern western main final first last next whole fresh
sweet bitter calm brave careful clever friendly gentle honest polite proud quick
rare round flat sharp smooth strange tiny huge
"""
)

TRANSITIVE_VERBS = """
open opens opened|close closes closed|build builds built|visit visits visited
paint paints painted|clean cleans cleaned|repair repairs repaired|sell sells sold
buy buys bought|find finds found|lose loses lost|carry carries carried
move moves moved|watch watches watched|help helps helped|follow follows followed
protect protects protected|support supports supported|visit visits visited
write writes wrote|read reads read|send sends sent|receive receives received
bring brings brought|take takes took|keep keeps kept|choose chooses chose
plan plans planned|design designs designed|check checks checked|test tests tested
cook cooks cooked|wash washes washed|fill fills filled|fix fixes fixed
count counts counted|measure measures measured|order orders ordered|pay pays paid
invite invites invited|thank thanks thanked|teach teaches taught|love loves loved
like likes liked|need needs needed|use uses used|want wants wanted|see sees saw
hear hears heard|show shows showed|describe describes described|explain explains explained
announce announces announced|approve approves approved|reject rejects rejected
discuss discusses discussed|publish publishes published|print prints printed
prepare prepares prepared|deliver delivers delivered|collect collects collected
replace replaces replaced|remove removes removed|share shares shared|join joins joined
""".replace("\n", "|").split("|")

INTRANSITIVE_VERBS = """
arrive arrives arrived|leave leaves left|sleep sleeps slept|work works worked
wait waits waited|laugh laughs laughed|sing sings sang|dance dances danced
swim swims swam|run runs ran|walk walks walked|travel travels travelled
rest rests rested|smile smiles smiled|fall falls fell|grow grows grew
return returns returned|stay stays stayed|speak speaks spoke|listen listens listened
""".replace("\n", "|").split("|")

SPEECH_VERBS = """
say says said|think thinks thought|report reports reported|hope hopes hoped
""".replace("\n", "|").split("|")

NAMES = _split(
    """
Maria Tomas Anna Jonas Elena Pablo Sara Lukas Nora Omar Lina Viktor Hana Milan Rosa
Ivan Clara Emil Ada Felix Oslo Lima Porto Turin Bergen Lyon Zurich Graz Malmo Delft
"""
)

# Time words: English words → how many target words (one-to-many when 2).
TIME_WORDS = ["today", "yesterday", "tomorrow", "tonight", "soon", "now", "often", "again"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Prepositions that become postpositions after their noun phrase.
PREPOSITIONS = ["in", "on", "near", "behind", "under", "with", "without", "from", "to", "for",
                "after", "before"]

# Determiners that stay separate words (after the noun and its adjectives).
DETERMINERS = ["this", "that", "every", "some", "many", "no"]
# fmt: on


def noun_forms() -> list[tuple[str, str]]:
    """Every noun as (singular, plural)."""
    forms = []
    for entry in dict.fromkeys(NOUNS):
        singular, _, plural = entry.partition(":")
        if not plural:
            if singular.endswith(("s", "sh", "ch", "x")):
                plural = singular + "es"
            elif singular.endswith("y") and singular[-2] not in "aeiou":
                plural = singular[:-1] + "ies"
            elif singular in ("potato", "tomato"):
                plural = singular + "es"
            elif singular == "knife":
                plural = "knives"
            else:
                plural = singular + "s"
        forms.append((singular, plural))
    return forms


def verb_forms(entries: list[str]) -> list[tuple[str, str, str]]:
    """Every verb as (base, third person singular, past)."""
    verbs = [tuple(e.split()) for e in entries if e.strip()]
    return list(dict.fromkeys((v[0], v[1], v[2]) for v in verbs))


def verb_entries() -> list[tuple[str, str, str]]:
    """Every verb of every kind."""
    return [
        *verb_forms(TRANSITIVE_VERBS),
        *verb_forms(INTRANSITIVE_VERBS),
        *verb_forms(SPEECH_VERBS),
    ]


CODE = "qto"
NAME = "Toy"
_PUNCT = {".", ",", "?", "!"}
_CONSONANTS = "pbtdkgmnlrsvzfh"
_VOWELS = "aeiou"
_RESERVED = {"ka", "ko", "ne", "i", "sed", "pe"}


@dataclass(frozen=True)
class Pair:
    """An English sentence, its toy translation and, per target token, its English tokens."""

    english: tuple[str, ...]
    target: tuple[str, ...]
    links: tuple[tuple[int, ...], ...]
    # Constituents of the English side, (kind, first token, end token): where markup may go.
    phrases: tuple[tuple[str, int, int], ...] = field(default=(), compare=False)

    @property
    def english_text(self) -> str:
        """The English tokens as text."""
        return detokenize(self.english)

    @property
    def target_text(self) -> str:
        """The translation as text."""
        return detokenize(self.target)

    def reversed(self) -> Pair:
        """The same pair for the toy → English direction."""
        links = tuple(
            tuple(t for t, sources in enumerate(self.links) if e in sources)
            for e in range(len(self.english))
        )
        return Pair(self.target, self.english, links)

    def targets_of(self, english: set[int]) -> list[int]:
        """Target token indices aligned with any of the given English token indices."""
        return [t for t, sources in enumerate(self.links) if english & set(sources)]


def detokenize(tokens: tuple[str, ...] | list[str]) -> str:
    """Join tokens with spaces, punctuation attached to the word before it."""
    out = ""
    for token in tokens:
        out += token if token in _PUNCT or not out else " " + token
    return out


@dataclass(frozen=True)
class Lexicon:
    """English lemma → invented target word(s) (a space separates one-to-many words)."""

    nouns: dict[str, str]  # singular → target
    plurals: dict[str, str]  # plural → singular
    adjectives: dict[str, str]  # → consonant-final stem
    verbs: dict[str, str]  # base → stem
    verb_forms: dict[str, tuple[str, str, str]]  # base → (base, 3sg, past)
    transitive: tuple[str, ...]
    intransitive: tuple[str, ...]
    speech: tuple[str, ...]
    function: dict[str, str]  # prepositions, determiners, time words, days


def _inventor(rng: random.Random) -> Callable[[int, bool], str]:
    used = set(_RESERVED)

    def invent(syllables: int, consonant_final: bool) -> str:
        while True:
            word = "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables))
            if consonant_final:
                word += rng.choice("ktnlrs")
            if word not in used:
                used.add(word)
                return word

    return invent


@functools.cache
def lexicon(seed: int = 16) -> Lexicon:
    """The toy lexicon; the same seed always gives the same"""
    rng = random.Random(seed)
    invent = _inventor(rng)

    def entry(consonant_final: bool | None = None, two_words: float = 0.0) -> str:
        final = rng.random() < 0.5 if consonant_final is None else consonant_final
        first = invent(rng.choice((2, 2, 3)), final)
        if rng.random() < two_words:
            return invent(2, rng.random() < 0.5) + " " + first
        return first

    verb_words = {w for e in verb_entries() for w in e}
    nouns, plurals = {}, {}
    for singular, plural in noun_forms():
        if {singular, plural} & verb_words:  # a fragment alone would be ambiguous
            continue
        nouns[singular] = entry(two_words=0.08)
        plurals[plural] = singular
    adjectives = {
        a: invent(2, True)
        for a in dict.fromkeys(ADJECTIVES)
        if a not in verb_words and a not in nouns
    }
    by_base: dict[str, tuple[str, str, str]] = {}
    groups = []
    for entries in (TRANSITIVE_VERBS, INTRANSITIVE_VERBS, SPEECH_VERBS):
        forms = verb_forms(entries)
        by_base.update({f[0]: f for f in forms})
        groups.append(tuple(f[0] for f in forms))
    verbs = {base: entry(False, two_words=0.12) for base in by_base}
    function = {w: invent(1, False) for w in (*PREPOSITIONS, *DETERMINERS)}
    function.update({w: entry(False, two_words=0.4) for w in TIME_WORDS})
    function.update({d: invent(2, True).capitalize() for d in DAYS})
    transitive, intransitive, speech = groups
    return Lexicon(
        nouns, plurals, adjectives, verbs, by_base, transitive, intransitive, speech, function
    )
