"""The generated Argos package installs with argostranslate and translates like a real one."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pipeline.testing.argos_package import TINY, build_argos_package

SENTENCES = [
    "Volunteers helped.",
    "The charity opened a new food bank in the town centre on Monday morning.",
    "Leaders from twenty countries met at the summit to discuss trade and climate, and the "
    "two presidents agreed to hold further talks in the spring, while forecasters said heavy "
    "rain is expected across the western region throughout the weekend.",
]


@pytest.fixture
def argos_settings(isolated_home: Path) -> ModuleType:
    """argostranslate's settings, pointed into this test's home by conftest's isolation."""
    import argostranslate.settings as settings

    return settings


def test_builds_identical_bytes_with_argos_layout(tmp_path: Path) -> None:
    first = build_argos_package(tmp_path / "a")
    second = build_argos_package(tmp_path / "b")
    cached = build_argos_package(tmp_path / "c", cache_dir=tmp_path / "cache")
    cached_again = build_argos_package(tmp_path / "d", cache_dir=tmp_path / "cache")

    assert first.name == "translate-en_es-1.0.argosmodel"
    assert first.read_bytes() == second.read_bytes() == cached.read_bytes()
    assert cached_again.read_bytes() == first.read_bytes()
    assert len(list((tmp_path / "cache").glob("ctranslate2-*"))) == 1
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        top = {name.split("/")[0] for name in names}
        assert top == {"translate-en_es-1_0"}
        folder = "translate-en_es-1_0/"
        for required in ("metadata.json", "README.md", "sentencepiece.model", "model/model.bin"):
            assert folder + required in names
        metadata = json.loads(archive.read(folder + "metadata.json"))
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert metadata["from_code"] == "en"
    assert metadata["to_code"] == "es"
    assert metadata["type"] == "translate"
    assert metadata["package_version"] == "1.0"


def test_other_codes_and_seed_change_the_package(tmp_path: Path) -> None:
    default = build_argos_package(tmp_path / "a")
    reseeded = build_argos_package(tmp_path / "b", seed=1)
    french = build_argos_package(tmp_path / "c", to_code="fr", package_version="1.9")
    assert default.read_bytes() != reseeded.read_bytes()
    assert french.name == "translate-en_fr-1.9.argosmodel"


class _WholeText:
    """A sentencizer that keeps the text whole: the real ones download models when offline."""

    def split_sentences(self, text: str) -> list[str]:
        return [text]


def test_installs_lists_and_translates(
    tmp_path: Path, argos_settings: ModuleType, isolated_home: Path
) -> None:
    import argostranslate.package
    import ctranslate2

    argostranslate.package.install_from_path(build_argos_package(tmp_path / "build", size=TINY))

    assert argos_settings.package_data_dir == isolated_home / "argos-packages"
    packages = argostranslate.package.get_installed_packages()
    assert [(p.from_code, p.to_code, p.type) for p in packages] == [("en", "es", "translate")]
    pkg = packages[0]
    assert (pkg.from_name, pkg.to_name) == ("English", "Spanish")
    assert pkg.package_path.parent == isolated_home / "argos-packages"

    translator = ctranslate2.Translator(str(pkg.package_path / "model"), device="cpu")
    sources = [pkg.tokenizer.encode(sentence) for sentence in SENTENCES]
    max_length = 250
    for beam_size in (1, 2):
        results = translator.translate_batch(
            sources, beam_size=beam_size, max_decoding_length=max_length
        )
        lengths = []
        for source, result in zip(sources, results, strict=True):
            tokens: list[str] = result.hypotheses[0]
            expected = 1.3 * len(source) + 5
            assert 0.7 * expected <= len(tokens) <= 1.3 * expected < max_length
            assert len(set(tokens)) > 1
            assert not {"<unk>", "<s>", "</s>"} & set(tokens)
            assert pkg.tokenizer.decode(tokens).strip()
            lengths.append(len(tokens))
        assert lengths == sorted(lengths)
        assert len(set(lengths)) == len(lengths)

    # argostranslate's own decoding path, with the sentence splitter stubbed out.
    from argostranslate.translate import apply_packaged_translation

    hypotheses: list[Any] = apply_packaged_translation(
        pkg, SENTENCES[1], translator, _WholeText(), num_hypotheses=1
    )
    assert hypotheses[0].value.strip()
