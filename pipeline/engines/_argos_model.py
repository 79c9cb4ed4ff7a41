"""One Argos package in memory: its CTranslate2 translator and its tokenizer.

They load apart because they load differently: CTranslate2 releases the GIL while it reads
and converts the weights, so the translator loads on a thread of its own beside the caller's
work, while SentencePiece (and the Python around either) holds it. Loaded on that thread
too, the tokenizer would only take turns with the caller for the GIL, and the translator's
thread would end later; the caller loads it instead, between starting the thread and
needing the model (:meth:`pipeline.engines.argos.ArgosEngine.prefetch`).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.errors import ModelError

if TYPE_CHECKING:
    from pipeline import models

log = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    """A package ready to translate."""

    info: models.ModelInfo
    translator: Any
    tokenizer: Any  # sentencepiece processor or argostranslate BPETokenizer
    sentencepiece: bool

    def encode(self, text: str) -> list[str]:
        """The pieces the model reads."""
        if self.sentencepiece:
            return list(self.tokenizer.encode(text, out_type=str))
        return list(self.tokenizer.encode(text))

    def decode(self, tokens: list[str]) -> str:
        """The text of the pieces the model wrote, without the target prefix."""
        prefix = self.info.target_prefix
        if prefix and tokens and tokens[0] == prefix:
            tokens = tokens[1:]
        if self.sentencepiece:
            text = str(self.tokenizer.decode_pieces(tokens))
        else:
            text = str(self.tokenizer.decode(tokens))
        return text.strip()


def open_translator(
    info: models.ModelInfo, inter_threads: int, intra_threads: int
) -> Any:
    """The package's CTranslate2 translator (no state is touched: this runs on a prefetch
    thread)."""
    assert info.path is not None
    try:
        import ctranslate2
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise ModelError("ctranslate2 is not installed: pip install ctranslate2") from err
    model_dir = info.path / "model"
    try:
        return ctranslate2.Translator(
            str(model_dir),
            device="cpu",
            compute_type="auto",
            inter_threads=inter_threads,
            intra_threads=intra_threads,
            # Every batch is queued at once (see ArgosEngine._submit), so that the caller
            # detokenizes finished batches while the workers decode the next ones.
            max_queued_batches=-1,
        )
    except (RuntimeError, ValueError) as err:
        raise ModelError(f"cannot load the Argos model in {model_dir}: {err}") from err


def open_tokenizer(info: models.ModelInfo) -> tuple[Any, bool]:
    """The package's tokenizer, and whether it is SentencePiece (else argostranslate's BPE)."""
    assert info.path is not None
    sp_path = info.path / "sentencepiece.model"
    if sp_path.exists():
        import sentencepiece

        try:
            return sentencepiece.SentencePieceProcessor(model_file=str(sp_path)), True
        except (RuntimeError, OSError) as err:
            raise ModelError(f"cannot load the SentencePiece model {sp_path}: {err}") from err
    if (info.path / "bpe.model").exists():
        from argostranslate.tokenizer import BPETokenizer

        return BPETokenizer(info.path / "bpe.model", info.from_code, info.to_code), False
    raise ModelError(f"{info.path}: no sentencepiece.model or bpe.model in the package")


def unload(translators: list[Any]) -> None:
    """Unload, then give the heap freed by the models and their decoding buffers back to
    the system: glibc keeps freed memory in per-thread arenas, and each language's
    translator runs on new threads, so without a trim the resident size grows language
    after language."""
    import ctypes

    for translator in translators:
        try:
            translator.unload_model()
        except (RuntimeError, AttributeError):
            log.debug("unload failed for a released model")
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
