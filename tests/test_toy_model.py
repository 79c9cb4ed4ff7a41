"""The trained toy-language packages: they install, translate like the transducer, and the
PyTorch → CTranslate2 conversion of ``bench/train_toy.py`` keeps the model's behaviour."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.testing import toy_language as toy

from .conftest import ROOT

DATA = Path(__file__).parent / "data"
EN_QTO = DATA / f"translate-en_{toy.CODE}-1.0.argosmodel"
QTO_EN = DATA / f"translate-{toy.CODE}_en-1.0.argosmodel"
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture
def toy_engine(isolated_home: Path) -> object:
    """Both toy packages installed through argostranslate's package API; an Argos engine."""
    import argostranslate.package

    for package in (EN_QTO, QTO_EN):
        argostranslate.package.install_from_path(package)
    from pipeline.engines.argos import ArgosEngine

    return ArgosEngine()


def test_packages_are_small_int8_argos_packages() -> None:
    import json
    import zipfile

    for package, (source, target) in ((EN_QTO, ("en", toy.CODE)), (QTO_EN, (toy.CODE, "en"))):
        assert package.stat().st_size < 8_000_000
        with zipfile.ZipFile(package) as archive:
            names = archive.namelist()
            top = names[0].split("/")[0]
            meta = json.loads(archive.read(f"{top}/metadata.json"))
            assert f"{top}/minisbd/{source}.onnx" in names  # offline sentence splitting
            assert f"{top}/model/model.bin" in names
        assert (meta["from_code"], meta["to_code"]) == (source, target)


def test_model_reproduces_the_transducer_on_held_out_sentences(toy_engine: object) -> None:
    pairs = toy.held_out(100)
    forward = toy_engine.translate([p.english_text for p in pairs], "en", toy.CODE)  # type: ignore[attr-defined]
    right = sum(t.text == p.target_text for t, p in zip(forward, pairs, strict=True))
    assert right >= 85
    back = toy_engine.translate([p.target_text for p in pairs], toy.CODE, "en")  # type: ignore[attr-defined]
    assert sum(t.text == p.english_text for t, p in zip(back, pairs, strict=True)) >= 60


def test_argostranslate_translates_offline_with_the_packaged_splitter(toy_engine: object) -> None:
    import argostranslate.translate

    pairs = toy.held_out(3)
    text = " ".join(p.english_text for p in pairs)
    out = argostranslate.translate.translate(text, "en", toy.CODE)
    assert sum(p.target_text in out for p in pairs) >= 2


def test_conversion_to_ctranslate2_keeps_the_model_scores(tmp_path: Path) -> None:
    import ctranslate2
    import torch
    from toy_model import Shape, Transformer, to_spec

    from pipeline.testing.argos_files import convert_spec

    torch.manual_seed(0)
    vocabulary = ["<unk>", "<s>", "</s>", "<pad>", *[f"w{i}" for i in range(60)]]
    model = Transformer(Shape(vocab=len(vocabulary), layers=2, d_model=64, heads=4, ffn=128))
    with torch.no_grad():  # weights far from the initial ones, so every layer matters
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.3)
    model.eval()
    convert_spec(to_spec(model, vocabulary), tmp_path / "model", "float32")
    translator = ctranslate2.Translator(str(tmp_path / "model"))
    for i in range(6):
        source = [4 + (i * 7 + j) % 60 for j in range(3 + i)]
        target = [4 + (i * 5 + 3 * j) % 60 for j in range(2 + i)]
        scored = translator.score_batch(
            [[vocabulary[t] for t in source]], [[vocabulary[t] for t in target]]
        )[0]
        with torch.no_grad():
            logits = model(torch.tensor([source]), torch.tensor([[1, *target]]), 3)
        expected = torch.log_softmax(logits[0], -1)[range(len(target) + 1), [*target, 2]]
        assert scored.log_probs == pytest.approx(expected.tolist(), abs=1e-3)


def test_fidelity_benchmark_prints_its_figure_last(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fidelity.py"), "--sentences", "40"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("fidelity: ") and "held-out sentences" in last
    share = float(last.split("%")[0].removeprefix("fidelity: "))
    assert share >= 90
