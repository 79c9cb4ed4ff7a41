"""The Argos engine: argostranslate packages run directly through CTranslate2.

argostranslate's own ``translate()`` imports stanza and torch, may download sentence
splitters, and calls the model once per paragraph. Here each language's model is loaded
once, tokenized with the package's own SentencePiece (or BPE) model, and every sentence of
every document is sent in length-sorted batches. Output length is capped relative to the
input and repeated n-grams are blocked, so a looping model cannot stall a build.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import models
from pipeline.engines import Translation
from pipeline.errors import EngineError, ModelError

log = logging.getLogger(__name__)

# Decoding never runs past this multiple of the source length (plus a little).
LENGTH_RATIO = 3.0
LENGTH_EXTRA = 10
NO_REPEAT_NGRAM = 4


@dataclass
class _Loaded:
    info: models.ModelInfo
    translator: Any
    tokenizer: Any  # sentencepiece processor or argostranslate BPETokenizer
    sentencepiece: bool


class ArgosEngine:
    """The ``argos`` engine."""

    name = "argos"

    def __init__(
        self,
        beam_size: int = 2,
        inter_threads: int = 1,
        intra_threads: int = 0,
        batch_size: int = 64,
    ) -> None:
        self.beam_size = beam_size
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self.batch_size = batch_size
        self._models: list[models.ModelInfo] | None = None
        self._loaded: dict[Path, _Loaded] = {}
        self.loads = 0  # how many models this engine loaded (build.json, tests)

    def _installed(self) -> list[models.ModelInfo]:
        if self._models is None:
            self._models = models.installed()
        return self._models

    def route(self, source: str, target: str) -> list[models.ModelInfo]:
        """The package(s) used for a pair: direct, or through a pivot language."""
        return models.find_route(source, target, self._installed())

    def identity(self, source: str, target: str) -> str:
        """Package codes, versions and model checksums of the route."""
        parts = []
        for info in self.route(source, target):
            assert info.path is not None
            parts.append(
                f"argos:{info.from_code}-{info.to_code}@{info.version}#{models.model_checksum(info.path)}"
            )
        return "+".join(parts)

    def check(self, source: str, target: str) -> None:
        """Raise :class:`ModelError` when no route exists."""
        self.route(source, target)

    def translate(self, sentences: Sequence[str], source: str, target: str) -> list[Translation]:
        """Translate through the route; a pivot route chains two models."""
        route = self.route(source, target)
        texts = list(sentences)
        scores: list[float | None] = [None] * len(texts)
        for info in route:
            results = self._translate_one(self._load(info), texts)
            texts = [r.text for r in results]
            # A pivot's confidence is its weakest leg.
            scores = [
                r.score if s is None or r.score is None else min(s, r.score)
                for s, r in zip(scores, results, strict=True)
            ]
        return [Translation(t, s) for t, s in zip(texts, scores, strict=True)]

    def _load(self, info: models.ModelInfo) -> _Loaded:
        assert info.path is not None
        if info.path in self._loaded:
            return self._loaded[info.path]
        try:
            import ctranslate2
        except ImportError as err:  # pragma: no cover - a dependency of the package
            raise ModelError("ctranslate2 is not installed: pip install ctranslate2") from err
        model_dir = info.path / "model"
        try:
            translator = ctranslate2.Translator(
                str(model_dir),
                device="cpu",
                compute_type="auto",
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
        except (RuntimeError, ValueError) as err:
            raise ModelError(f"cannot load the Argos model in {model_dir}: {err}") from err
        sp_path = info.path / "sentencepiece.model"
        if sp_path.exists():
            import sentencepiece

            tokenizer: Any = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
            is_sp = True
        elif (info.path / "bpe.model").exists():
            from argostranslate.tokenizer import BPETokenizer

            tokenizer = BPETokenizer(info.path / "bpe.model", info.from_code, info.to_code)
            is_sp = False
        else:
            raise ModelError(f"{info.path}: no sentencepiece.model or bpe.model in the package")
        self.loads += 1
        loaded = _Loaded(info, translator, tokenizer, is_sp)
        self._loaded[info.path] = loaded
        log.info("loaded %s (%s)", info.pair, info.path)
        return loaded

    def _encode(self, loaded: _Loaded, text: str) -> list[str]:
        if loaded.sentencepiece:
            return list(loaded.tokenizer.encode(text, out_type=str))
        return list(loaded.tokenizer.encode(text))

    def _decode(self, loaded: _Loaded, tokens: list[str]) -> str:
        prefix = loaded.info.target_prefix
        if prefix and tokens and tokens[0] == prefix:
            tokens = tokens[1:]
        if loaded.sentencepiece:
            text = str(loaded.tokenizer.decode_pieces(tokens))
        else:
            text = str(loaded.tokenizer.decode(tokens))
        return text.strip()

    def _translate_one(self, loaded: _Loaded, texts: list[str]) -> list[Translation]:
        results: list[Translation | None] = [None] * len(texts)
        encoded = [self._encode(loaded, t) if t.strip() else [] for t in texts]
        order = sorted((i for i, toks in enumerate(encoded) if toks), key=lambda i: len(encoded[i]))
        for i, toks in enumerate(encoded):
            if not toks:
                results[i] = Translation("", None)
        # Length-sorted groups, each with a decoding cap relative to its longest input.
        for group in _length_groups(order, encoded):
            batch = [encoded[i] for i in group]
            longest = max(len(t) for t in batch)
            prefix = loaded.info.target_prefix
            try:
                outputs = loaded.translator.translate_batch(
                    batch,
                    target_prefix=[[prefix]] * len(batch) if prefix else None,
                    beam_size=self.beam_size,
                    max_batch_size=self.batch_size,
                    batch_type="examples",
                    max_decoding_length=math.ceil(longest * LENGTH_RATIO) + LENGTH_EXTRA,
                    no_repeat_ngram_size=NO_REPEAT_NGRAM,
                    length_penalty=1.0,
                    replace_unknowns=True,
                    return_scores=True,
                )
            except (RuntimeError, ValueError) as err:
                raise EngineError(f"CTranslate2 failed on {loaded.info.pair}: {err}") from err
            for i, output in zip(group, outputs, strict=True):
                tokens = output.hypotheses[0]
                # With length_penalty=1 CTranslate2 already divides the log-probability by the
                # hypothesis length, so this is a per-token score comparable across sentences.
                score = float(output.scores[0]) if output.scores else None
                results[i] = Translation(self._decode(loaded, tokens), score)
        return [r if r is not None else Translation("", None) for r in results]

    def release(self) -> None:
        """Unload every model (one language's models are resident at a time)."""
        for loaded in self._loaded.values():
            try:
                loaded.translator.unload_model()
            except (RuntimeError, AttributeError):
                log.debug("unload failed for %s", loaded.info.pair)
        self._loaded.clear()


def _length_groups(order: list[int], encoded: list[list[str]]) -> list[list[int]]:
    """Split length-sorted indices into groups whose lengths stay within a factor of two."""
    groups: list[list[int]] = []
    for i in order:
        if groups and len(encoded[i]) <= 2 * max(1, len(encoded[groups[-1][0]])):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups
