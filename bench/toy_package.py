"""Convert the trained toy Transformer to CTranslate2 (int8) and package both directions.

The same model serves English → Toy and Toy → English (it tells the languages apart by their
words), so the two ``.argosmodel`` files differ only in their metadata, README and sentence
splitter. Each carries a MiniSBD model for its source language, so argostranslate's own
``translate()`` splits sentences offline too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch
from toy_model import Shape, Transformer, to_spec

from pipeline.testing.argos_files import convert_spec, write_package
from pipeline.testing.argos_package import package_metadata
from pipeline.testing.minisbd_model import build_minisbd_model
from pipeline.testing.toy_language import CODE

VERSION = "1.0"


def load(work: Path) -> tuple[Transformer, dict[str, object]]:
    """The trained model and its checkpoint record."""
    checkpoint = torch.load(work / "model.pt", weights_only=False)
    model = Transformer(Shape(**checkpoint["shape"]))
    model.load_state_dict(checkpoint["state"])
    model.eval()
    return model, checkpoint


def _readme(source: str, target: str, checkpoint: dict[str, object], parameters: int) -> str:
    shape = Shape(**checkpoint["shape"])  # type: ignore[arg-type]
    return (
        f"# Toy language test package: {source} → {target}\n\n"
        "Trained by `bench/train_toy.py` on sentences of the rule-based toy language\n"
        "(`pipeline.testing.toy_language`, code `qto`), for measuring markup placement and\n"
        "back-translation against known alignments. Not a real language.\n\n"
        f"- layers: {shape.layers}+{shape.layers}, d_model: {shape.d_model}, heads: "
        f"{shape.heads}, ffn: {shape.ffn}, parameters: {parameters}\n"
        f"- training steps: {checkpoint['step']}, minutes: {float(checkpoint['minutes']):.0f}\n"  # type: ignore[arg-type]
        f"- held-out exact match: en→qto {float(checkpoint['forward']):.0%}, "  # type: ignore[arg-type]
        f"qto→en {float(checkpoint['backward']):.0%}\n"  # type: ignore[arg-type]
        "- quantization: int8\n"
    )


def package(work: Path, dest: Path) -> list[Path]:
    """Write ``translate-en_qto-1.0.argosmodel`` and ``translate-qto_en-1.0.argosmodel``."""
    import sentencepiece as spm

    model, checkpoint = load(work)
    sp_bytes = (work / "sentencepiece.model").read_bytes()
    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    parameters = sum(p.numel() for p in model.parameters())
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    with tempfile.TemporaryDirectory(prefix="toy-package-") as tmp:
        model_dir = Path(tmp) / "model"
        convert_spec(to_spec(model, vocabulary), model_dir, "int8")
        for source, target in (("en", CODE), (CODE, "en")):
            files: dict[str, bytes | Path] = {
                "README.md": _readme(source, target, checkpoint, parameters).encode(),
                "sentencepiece.model": sp_bytes,
                f"minisbd/{source}.onnx": build_minisbd_model(source),
            }
            path = dest / f"translate-{source}_{target}-{VERSION}.argosmodel"
            metadata = package_metadata(source, target, VERSION)
            paths.append(write_package(path, metadata, files, model_dir))
    return paths
