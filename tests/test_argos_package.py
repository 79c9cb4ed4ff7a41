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


# -- hostile packages (issue 13, rows 4-7): refused before extraction, folder left as it was --

Entries = dict[str, bytes]


def _entries(package: Path) -> Entries:
    with zipfile.ZipFile(package) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}


def _craft(dest: Path, entries: Entries, links: tuple[str, ...] = ()) -> Path:
    """A zip of ``entries`` (names as given), ``links`` stored as symbolic links."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o120777 if name in links else 0o100644) << 16
            archive.writestr(info, data)
    return dest


def _retop(entries: Entries, top: str) -> Entries:
    return {f"{top}/{name.split('/', 1)[1]}": data for name, data in entries.items()}


def _with_meta(entries: Entries, **changes: object) -> Entries:
    name = next(n for n in entries if n.endswith("/metadata.json"))
    meta = json.loads(entries[name])
    meta.update(changes)
    return {**entries, name: json.dumps(meta).encode()}


def _snapshot(folder: Path) -> dict[str, str]:
    import hashlib

    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _install(*args: str) -> Any:
    from click.testing import CliRunner

    from pipeline.cli import main

    return CliRunner().invoke(main, ["models", "install", *args])


def _listing() -> str:
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return str(result.output)


@pytest.fixture
def with_es(argos_packages: dict[str, Path], isolated_home: Path) -> tuple[Path, dict[str, str]]:
    """en→es installed; the packages folder and its files' hashes before the attack."""
    result = _install(str(argos_packages["en-es"]))
    assert result.exit_code == 0, result.output
    folder = isolated_home / "argos-packages"
    return folder, _snapshot(folder)


def _refused(result: Any, words: str, folder: Path, before: dict[str, str]) -> None:
    assert result.exit_code == 1, result.output
    assert f"{words}" in result.output, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert _snapshot(folder) == before  # nothing written, nothing replaced
    assert sorted(p.name for p in folder.iterdir()) == ["translate-en_es-1_0"]
    assert [p for p in folder.parent.iterdir() if ".sp-install-" in p.name] == []
    assert "en→es\t1.0" in _listing()


def test_entries_at_the_zip_root_are_refused(
    tmp_path: Path, argos_packages: dict[str, Path], with_es: tuple[Path, dict[str, str]]
) -> None:
    entries = _entries(argos_packages["en-fr"])
    for top in ("./", ""):
        flat = {top + name.split("/", 1)[1]: data for name, data in entries.items()}
        bad = _craft(tmp_path / f"flat{len(top)}.argosmodel", flat)
        words = "'.' or '..' path part" if top else "one top folder"
        _refused(_install(str(bad)), words, *with_es)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("translate-x/../../evil.txt", "'.' or '..' path part"),
        ("/etc/evil.txt", "an absolute path"),
        ("translate-x\\..\\evil.txt", "backslash"),
    ],
)
def test_paths_out_of_the_folder_are_refused(
    tmp_path: Path,
    argos_packages: dict[str, Path],
    with_es: tuple[Path, dict[str, str]],
    name: str,
    words: str,
) -> None:
    entries = {**_retop(_entries(argos_packages["en-fr"]), "translate-x"), name: b"x"}
    _refused(_install(str(_craft(tmp_path / "slip.argosmodel", entries))), words, *with_es)


def test_links_in_a_package_are_refused(
    tmp_path: Path, argos_packages: dict[str, Path], with_es: tuple[Path, dict[str, str]]
) -> None:
    entries = _retop(_entries(argos_packages["en-fr"]), "translate-x")
    entries["translate-x/sentencepiece.model"] = b"/etc/passwd"
    bad = _craft(tmp_path / "link.argosmodel", entries, links=("translate-x/sentencepiece.model",))
    _refused(_install(str(bad)), "symbolic link", *with_es)


def test_another_package_never_takes_an_installed_folder(
    tmp_path: Path, argos_packages: dict[str, Path], with_es: tuple[Path, dict[str, str]]
) -> None:
    entries = _retop(_entries(argos_packages["en-fr"]), "translate-en_es-1_0")
    squatter = _craft(tmp_path / "squat.argosmodel", entries)
    _refused(_install(str(squatter)), "already holds another package (en→es)", *with_es)
    _refused(_install("--replace", str(squatter)), "already holds another package", *with_es)


def test_same_pair_needs_replace_and_replaces_cleanly(
    tmp_path: Path, argos_packages: dict[str, Path], with_es: tuple[Path, dict[str, str]]
) -> None:
    folder, before = with_es
    newer = _with_meta(_retop(_entries(argos_packages["en-es"]), "translate-en_es-2_0"))
    newer = _with_meta(newer, package_version="2.0")
    path = _craft(tmp_path / "newer.argosmodel", newer)
    _refused(_install(str(path)), "add --replace", folder, before)
    result = _install("--replace", str(path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["translate-en_es-2_0"]
    assert "en→es\t2.0" in _listing()


def test_a_zip_bomb_is_refused_before_extraction(
    tmp_path: Path, argos_packages: dict[str, Path], with_es: tuple[Path, dict[str, str]]
) -> None:
    entries = _retop(_entries(argos_packages["en-fr"]), "translate-x")
    entries["translate-x/model/padding.bin"] = bytes(64 << 20)  # 64 MiB of zeros, ~64 kB packed
    bomb = _craft(tmp_path / "bomb.argosmodel", entries)
    assert bomb.stat().st_size < 1 << 20
    _refused(_install(str(bomb)), "a zip bomb?", *with_es)


def test_size_limits_apply_to_the_whole_package(argos_packages: dict[str, Path]) -> None:
    from pipeline.errors import ModelError
    from pipeline.model_archive import Limits, inspect_archive

    package = argos_packages["en-fr"]
    assert inspect_archive(package).metadata.pair == "en→fr"
    with pytest.raises(ModelError, match="MiB uncompressed, more than"):
        inspect_archive(package, Limits(max_bytes=1 << 10))
    with pytest.raises(ModelError, match="files, more than 3"):
        inspect_archive(package, Limits(max_files=3))


def test_a_full_disk_during_extraction_leaves_the_folder_as_it_was(
    argos_packages: dict[str, Path], with_es: tuple[Path, dict[str, str]]
) -> None:
    import os
    import resource
    import signal
    import subprocess
    import sys

    folder, before = with_es
    package = argos_packages["en-fr"]
    biggest = max(i.file_size for i in zipfile.ZipFile(package).infolist())

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (biggest // 2, biggest // 2))

    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "models", "install", str(package)],
        preexec_fn=limit,  # the child's files cannot grow: a full disk mid-extraction
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot be extracted (File too large)" in result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(folder) == before
    assert [p for p in folder.parent.iterdir() if ".sp-install-" in p.name] == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"from_code": 1, "to_code": ["es"]}, "from_code must be a language code"),
        ({"to_code": "../../x"}, "to_code must be a language code"),
        ({"to_code": "en"}, "translates en into itself"),
        ({"from_name": {"x": 1}}, "from_name must be text"),
        ({"languages": "es"}, "languages must be a list"),
        ({"type": "sbd"}, "not a translation package"),
    ],
)
def test_metadata_of_the_wrong_types_is_refused(
    tmp_path: Path,
    argos_packages: dict[str, Path],
    with_es: tuple[Path, dict[str, str]],
    changes: dict[str, object],
    words: str,
) -> None:
    entries = _with_meta(_retop(_entries(argos_packages["en-fr"]), "translate-x"), **changes)
    _refused(_install(str(_craft(tmp_path / "meta.argosmodel", entries))), words, *with_es)


def test_a_broken_folder_from_elsewhere_does_not_stop_listing_or_builds(
    argos_packages: dict[str, Path], with_es: tuple[Path, dict[str, str]]
) -> None:
    folder, _ = with_es
    (folder / "leftover").mkdir()  # e.g. argostranslate extracted a flat archive here
    (folder / "typed").mkdir()
    (folder / "typed" / "metadata.json").write_text('{"from_code": 1, "to_code": ["es"]}')
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert "en→es\t1.0" in result.output
    assert "skipping a broken Argos package" in result.output
    assert "leftover: no metadata.json" in result.output
    check = CliRunner().invoke(main, ["engines", "check", "--engine", "argos", "-l", "es"])
    assert check.exit_code == 0, check.output
