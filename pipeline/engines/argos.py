"""The Argos engine: argostranslate packages run directly through CTranslate2.

argostranslate's own ``translate()`` imports stanza and torch, may download sentence
splitters, and calls the model once per paragraph. Here each language's model is loaded
once, tokenized with the package's own SentencePiece (or BPE) model, and every sentence of
every document is sent in full, length-sorted batches, all submitted at once. Output length
is capped per batch relative to its longest input and repeated n-grams are blocked, so a
looping model cannot stall a build. ``bench/run.py`` measures this path against a bare
``translate_batch`` call and against argostranslate's ``translate()``.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.alignment import piece_alignment
from pipeline.background import Background
from pipeline.engines import EngineContext, EngineStats, Probe, Translation, probe_by_check
from pipeline.engines._argos_model import LoadedModel, open_tokenizer, open_translator
from pipeline.engines._argos_model import unload as _unload
from pipeline.errors import EngineError, ModelError
from pipeline.idle import run_while

if TYPE_CHECKING:
    from pipeline import models

# pipeline.models (archives, downloads) is imported where models are looked up: reading the
# [argos] Settings, which every configuration does, needs none of it.

log = logging.getLogger(__name__)

# Decoding never runs past this multiple of the source length (plus a little).
LENGTH_RATIO = 3.0
LENGTH_EXTRA = 10
NO_REPEAT_NGRAM = 4
#: How ``batch_size`` counts: sentences ("examples") or padded tokens ("tokens").
BATCH_TYPES = ("examples", "tokens")


@dataclass(frozen=True)
class Settings:
    """The ``[argos]`` table. Defaults chosen with ``bench/run.py --sweep`` on 2 cores: two
    batches of 32 sentences decoded side by side, one thread each, beat one batch of 64 on two
    threads and stay within one model + 400 MB (``bench/RESULTS.md``)."""

    beam_size: int = field(default=2, metadata={"min": 1, "max": 16})
    inter_threads: int = field(default=2, metadata={"min": 0, "max": 64})
    intra_threads: int = field(default=1, metadata={"min": 0, "max": 64})
    batch_size: int = field(default=32, metadata={"min": 1, "max": 4096})
    batch_type: str = field(default="examples", metadata={"choices": BATCH_TYPES})


def create(settings: Settings, context: EngineContext) -> ArgosEngine:
    """The Argos engine; model checksums are cached per user (``models.checksum_cache``),
    read but not updated by a read-only command."""
    from pipeline import models

    return ArgosEngine(
        beam_size=settings.beam_size,
        inter_threads=settings.inter_threads,
        intra_threads=settings.intra_threads,
        batch_size=settings.batch_size,
        batch_type=settings.batch_type,
        checksum_cache=models.checksum_cache(),
        update_checksums=not context.read_only,
    )


@dataclass
class _Prefetch:
    """A model being loaded ahead: its translator on a thread, its tokenizer already loaded
    (None if that failed: loaded again, and its error reported, where the model is used)."""

    translator: Background[Any]
    tokenizer: tuple[Any, bool] | None


class ArgosEngine:
    """The ``argos`` engine."""

    name = "argos"
    notice = "argos"
    cacheable = True

    def __init__(
        self,
        beam_size: int = 2,
        inter_threads: int = 2,
        intra_threads: int = 1,
        batch_size: int = 32,
        checksum_cache: Path | None = None,
        batch_type: str = "examples",
        update_checksums: bool = True,
    ) -> None:
        if batch_type not in BATCH_TYPES:
            raise ValueError(f"batch_type must be one of {BATCH_TYPES}, not {batch_type!r}")
        self.beam_size = beam_size
        self.batch_type = batch_type
        self.checksum_cache = checksum_cache
        self.update_checksums = update_checksums
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self.batch_size = batch_size
        self._models: list[models.ModelInfo] | None = None
        self._loaded: dict[Path, LoadedModel] = {}
        self._loading: dict[Path, _Prefetch] = {}  # prefetched, not yet used
        self._unloading: Background[None] | None = None  # released, not yet unloaded
        self._checksums: dict[Path, str] = {}  # hashing a model once per engine
        self.loads = 0  # how many models this engine loaded (build.json, tests)

    def _installed(self) -> list[models.ModelInfo]:
        from pipeline import models

        if self._models is None:
            self._models = models.installed()
        return self._models

    def route(self, source: str, target: str) -> list[models.ModelInfo]:
        """The package(s) used for a pair: direct, or through a pivot language."""
        from pipeline import models

        return models.find_route(source, target, self._installed())

    def identity(self, source: str, target: str) -> str:
        """Package codes, versions and model checksums of the route."""
        from pipeline import models

        parts = []
        for info in self.route(source, target):
            assert info.path is not None
            checksum = self._checksums.get(info.path) or models.model_checksum(
                info.path, self.checksum_cache, update=self.update_checksums
            )
            self._checksums[info.path] = checksum
            parts.append(f"argos:{info.from_code}-{info.to_code}@{info.version}#{checksum}")
        return "+".join(parts)

    def check(self, source: str, target: str) -> None:
        """Raise :class:`ModelError` when no route exists."""
        self.route(source, target)

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        """Translate through the route; a pivot route chains two models.

        ``aligned``: indices of the sentences whose alignment is wanted (those with markup
        spans to place); the others return no attention (copying it out and aligning cost
        time) and get no alignment. None: every sentence (a pivot never has alignments).
        """
        route = self.route(source, target)
        texts = list(sentences)
        scores: list[float | None] = [None] * len(texts)
        results: list[Translation] = []
        wanted = set(range(len(texts))) if aligned is None else set(aligned)
        for info in route:
            results = self._translate_one(
                self._load(info), texts, wanted if len(route) == 1 else set()
            )
            texts = [r.text for r in results]
            # A pivot's confidence is its weakest leg.
            scores = [
                r.score if s is None or r.score is None else min(s, r.score)
                for s, r in zip(scores, results, strict=True)
            ]
        # Attention links a leg's output to that leg's input: only a direct route's
        # alignment refers to the caller's sentences.
        alignments = [r.alignment if len(route) == 1 else None for r in results]
        return [Translation(t, s, a) for t, s, a in zip(texts, scores, alignments, strict=True)]

    def prefetch(self, source: str, target: str) -> None:
        """Start loading the route's first model in the background; :meth:`translate`
        takes it when it gets there (a model never used is dropped by :meth:`release`)."""
        try:
            info = self.route(source, target)[0]
        except ModelError:
            return  # check() reports it before any work
        assert info.path is not None
        if info.path not in self._loaded and info.path not in self._loading:
            self._settle()
            # Imported here first: on the thread it would share the GIL with the caller's
            # reading of the sources, and the load (which releases it) would start later.
            with contextlib.suppress(ImportError):  # _open reports a missing ctranslate2
                import ctranslate2  # noqa: F401
            translator = Background(lambda: self._open(info), "model-load")
            tokenizer = None
            with contextlib.suppress(ModelError):  # reported by _load, where it is used
                tokenizer = open_tokenizer(info)  # beside the translator (_argos_model)
            self._loading[info.path] = _Prefetch(translator, tokenizer)

    def _load(self, info: models.ModelInfo) -> LoadedModel:
        assert info.path is not None
        if info.path in self._loaded:
            return self._loaded[info.path]
        pending = self._loading.pop(info.path, None)
        if pending is None:
            self._settle()
            translator, tokenizer = self._open(info), open_tokenizer(info)
        else:
            translator = pending.translator.result()
            tokenizer = pending.tokenizer or open_tokenizer(info)
        loaded = LoadedModel(info, translator, *tokenizer)
        self.loads += 1
        self._loaded[info.path] = loaded
        log.info("loaded %s (%s)", info.pair, info.path)
        return loaded

    def _open(self, info: models.ModelInfo) -> Any:
        """The CTranslate2 translator of a package (on a prefetch thread, or the caller's)."""
        return open_translator(info, self.inter_threads, self.intra_threads)

    def _translate_one(
        self, loaded: LoadedModel, texts: list[str], attention: set[int]
    ) -> list[Translation]:
        """``texts`` through one model; attention (alignments) for the indices in ``attention``."""
        results: list[Translation] = [Translation("", None)] * len(texts)
        encoded = [loaded.encode(t) if t.strip() else [] for t in texts]
        # Attention needs SentencePiece's own piece offsets.
        attend = attention if loaded.sentencepiece else set()
        present = [i for i, toks in enumerate(encoded) if toks]
        try:
            for batch, futures in self._submit(loaded, encoded, present, attend):
                # While the batch decodes, the build's idle tasks (called in this iteration only).
                run_while(lambda: not futures[-1].done())  # noqa: B023
                for i, future in zip(batch, futures, strict=True):
                    results[i] = self._result(loaded, texts[i], future.result(), i in attend)
        except (RuntimeError, ValueError) as err:
            raise EngineError(f"CTranslate2 failed on {loaded.info.pair}: {err}") from err
        return results

    def _submit(
        self, loaded: LoadedModel, encoded: list[list[str]], indices: list[int], attention: set[int]
    ) -> list[tuple[list[int], Any]]:
        """Queue ``indices`` in batches cut longest first, as CTranslate2 rebatches one call
        (the short remainder batch is the cheap one); their futures, batch by batch. A batch
        returns attention when it holds an index of ``attention``: sentences with spans are
        not batched apart, as a batch of mixed lengths pads and decodes for its longest.

        Every batch is submitted at once (asynchronous=True): CTranslate2 runs them on its
        inter_threads workers back to back, as one translate_batch call would, while the
        caller detokenizes the batches already done. Unlike one call, each batch gets its
        own decoding cap, relative to its longest input, so a looping model cannot stall a
        build and a short sentence never decodes for as long as the longest one may.
        """
        order = sorted(indices, key=lambda i: len(encoded[i]), reverse=True)
        prefix = loaded.info.target_prefix
        pending = []
        for batch in _batches(order, encoded, self.batch_size, self.batch_type):
            inputs = [encoded[i] for i in batch]
            longest = len(inputs[0])  # sorted longest first
            futures = loaded.translator.translate_batch(
                inputs,
                target_prefix=[[prefix]] * len(inputs) if prefix else None,
                beam_size=self.beam_size,
                max_batch_size=self.batch_size,
                batch_type=self.batch_type,
                max_decoding_length=math.ceil(longest * LENGTH_RATIO) + LENGTH_EXTRA,
                no_repeat_ngram_size=NO_REPEAT_NGRAM,
                length_penalty=1.0,
                replace_unknowns=True,
                return_scores=True,
                # Attention gives the word alignment that places links and emphasis; returned
                # only by batches with spans (replace_unknowns computes it for every batch).
                return_attention=not attention.isdisjoint(batch),
                asynchronous=True,
            )
            pending.append((batch, futures))
        return pending

    def _result(self, loaded: LoadedModel, source: str, output: Any, aligned: bool) -> Translation:
        tokens = output.hypotheses[0]
        # With length_penalty=1 CTranslate2 already divides the log-probability by the
        # hypothesis length, so this is a per-token score comparable across sentences.
        score = float(output.scores[0]) if output.scores else None
        text = loaded.decode(tokens)
        alignment = (
            piece_alignment(
                loaded.tokenizer, loaded.info.target_prefix, source, tokens,
                output.attention[0], text,
            )
            if aligned and output.attention
            else None
        )
        return Translation(text, score, alignment)

    def probe(self, source: str, targets: Sequence[str]) -> list[Probe]:
        """One line per target: the model route, or why there is none."""
        return probe_by_check(self, source, targets)

    def stats(self) -> EngineStats:
        """How many models this engine loaded."""
        return EngineStats(model_loads=self.loads)

    def release(self) -> None:
        """Unload every model (one language's models are resident at a time).

        Unloading runs on its own thread (CTranslate2 frees the weights without the GIL)
        while the caller merges and renders; the next model loads once it is done.
        """
        translators = [loaded.translator for loaded in self._loaded.values()]
        for pending in self._loading.values():
            with contextlib.suppress(Exception):  # never used: its error does not matter
                translators.append(pending.translator.result())
        self._loading.clear()
        self._loaded.clear()
        if translators:
            self._settle()
            self._unloading = Background(lambda: _unload(translators), "model-unload")

    def _settle(self) -> None:
        """Wait for the models released last to be unloaded."""
        if self._unloading is not None:
            self._unloading.result()
            self._unloading = None


def _batches(
    order: list[int], encoded: list[list[str]], size: int, batch_type: str
) -> list[list[int]]:
    """Cut indices sorted longest first into full batches: ``size`` examples, or ``size``
    tokens counted with padding (the first input's length times the examples)."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if batch_type == "tokens":
            full = bool(current) and (len(current) + 1) * len(encoded[current[0]]) > size
        else:
            full = len(current) >= size
        if full:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
