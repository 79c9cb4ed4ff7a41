"""The Argos engine's batching: results never depend on how sentences are batched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.engines import EngineContext, create_engine
from pipeline.engines.argos import ArgosEngine, Settings

Install = Callable[..., list[Path]]

SENTENCES = [
    "The charity opened a new food bank.",
    "",
    "Volunteers packed more than two thousand parcels for families in need this winter, "
    "and the shelter now offers warm meals, clean clothes and advice.",
    "Donors can choose to support education.",
    "Thanks.",
    "The library collected books for schools in rural areas across the country.",
]


def test_batch_size_type_and_threads_change_nothing_but_speed(
    install_argos: Install, tmp_path: Path
) -> None:
    install_argos("en-es")
    reference = ArgosEngine(batch_size=64, inter_threads=1, intra_threads=1)
    expected = reference.translate(SENTENCES, "en", "es")
    reference.release()
    assert expected[1].text == "" and all(t.text for i, t in enumerate(expected) if i != 1)
    for options in (
        {"batch_size": 1},
        {"batch_size": 2, "inter_threads": 2, "intra_threads": 1},
        {"batch_size": 24, "batch_type": "tokens"},
    ):
        settings = Settings(**options)  # type: ignore[arg-type]
        engine = create_engine("argos", settings, EngineContext(tmp_path))
        assert isinstance(engine, ArgosEngine)
        got = engine.translate(SENTENCES, "en", "es")
        engine.release()
        assert [t.text for t in got] == [t.text for t in expected], options
        assert engine.loads == 1


@pytest.mark.parametrize("batch_type, size", [("examples", 2), ("tokens", 40)])
def test_batches_are_cut_and_queued_longest_first(
    install_argos: Install, monkeypatch: pytest.MonkeyPatch, batch_type: str, size: int
) -> None:
    """As CTranslate2 rebatches one call: the remainder batch holds the shortest sentences
    (a small batch of long ones would decode longest at the lowest efficiency)."""
    install_argos("en-es")
    engine = ArgosEngine(batch_size=size, batch_type=batch_type)
    engine.translate(SENTENCES[:1], "en", "es")
    translator = next(iter(engine._loaded.values())).translator
    queued: list[list[int]] = []

    class Spy:
        def translate_batch(self, inputs: list[list[str]], **options: object) -> object:
            queued.append([len(tokens) for tokens in inputs])
            return translator.translate_batch(inputs, **options)

    next(iter(engine._loaded.values())).translator = Spy()
    # Sentences with spans (attention) are batched with the others, not apart.
    got = engine.translate(SENTENCES, "en", "es", aligned=[0, 4])
    engine.release()
    lengths = [n for batch in queued for n in batch]
    assert lengths == sorted(lengths, reverse=True) and len(lengths) == 5  # "" is not sent
    assert len(queued) > 1 and len(queued[-1]) <= len(queued[0])
    if batch_type == "tokens":
        assert all(len(batch) * batch[0] <= size or len(batch) == 1 for batch in queued)
    assert all(t.text for i, t in enumerate(got) if i != 1)


def test_unknown_batch_type_is_a_configuration_error(tmp_path: Path) -> None:
    from pipeline.config import load_config
    from pipeline.errors import ConfigError

    (tmp_path / "summary-pipeline.toml").write_text('[argos]\nbatch_type = "words"\n')
    with pytest.raises(ConfigError, match=r"argos\.batch_type: must be one of examples, tokens"):
        load_config(tmp_path)


def test_attention_only_for_the_sentences_asked_for(install_argos: Install) -> None:
    """``aligned`` limits alignments to those sentences; texts and scores do not change."""
    install_argos("en-es")
    engine = ArgosEngine(batch_size=2)
    every = engine.translate(SENTENCES, "en", "es")
    some = engine.translate(SENTENCES, "en", "es", aligned=[0, 3])
    none = engine.translate(SENTENCES, "en", "es", aligned=())
    engine.release()
    assert [t.text for t in some] == [t.text for t in every] == [t.text for t in none]
    assert [t.score for t in some] == [t.score for t in every]
    assert all(t.alignment for i, t in enumerate(every) if i != 1)
    assert [i for i, t in enumerate(some) if t.alignment] == [0, 3]
    for i in (0, 3):  # links within both texts (argmax ties may differ with the batch shape)
        links = some[i].alignment or ()
        assert all(0 <= a < b <= len(SENTENCES[i]) for a, b, _, _ in links)
        assert all(0 <= c < d <= len(some[i].text) for _, _, c, d in links)
    assert not any(t.alignment for t in none)
    assert engine.loads == 1


@pytest.mark.parametrize(
    "source", ["Donors can choose to support education.", "Ünïcode café — a naïve façade."]
)
def test_alignment_offsets_are_the_same_with_or_without_protobuf(
    install_argos: Install, source: str
) -> None:
    """sentencepiece's offset mapping and its protobuf form give the same character offsets."""
    import sentencepiece

    from pipeline.alignment import piece_alignment

    (folder,) = install_argos("en-es")
    sp = sentencepiece.SentencePieceProcessor(model_file=str(folder / "sentencepiece.model"))

    class ProtobufOnly:
        """An older sentencepiece: no ``offset_mapping``."""

        def encode(self, text: str, **kwargs: object) -> object:
            if kwargs.get("out_type") == "offset_mapping":
                raise ValueError("unknown out_type")
            return sp.encode(text, **kwargs)

        def decode_pieces(self, pieces: list[str], **kwargs: object) -> object:
            if kwargs.get("out_type") == "offset_mapping":
                raise ValueError("unknown out_type")
            return sp.decode_pieces(pieces, **kwargs)

    output = "Una señora del café — ¡sí! naïve."
    tokens = sp.encode(output, out_type=str)
    width = len(sp.encode(source, out_type=str))
    attention = [[float(k == (3 * j) % width) for k in range(width)] for j in range(len(tokens))]
    links = piece_alignment(sp, "", source, tokens, attention, output)
    assert links and links == piece_alignment(ProtobufOnly(), "", source, tokens, attention, output)
    assert all(0 <= a < b <= len(source) and 0 <= c < d <= len(output) for a, b, c, d in links)
