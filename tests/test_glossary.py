"""The glossary: loading, matching, enforcement inside MT, and the memory staying valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.engines.pseudo import PseudoEngine
from pipeline.errors import ConfigError
from pipeline.glossary import Glossary, load_glossary
from pipeline.memory import TranslationMemory
from pipeline.protect import protect, restore
from pipeline.stages.load import segment_all
from pipeline.translate import translate_language

from .conftest import ROOT


def test_project_glossary_loads() -> None:
    glossary = load_glossary(ROOT / "glossary.toml")
    assert "IWF" in glossary.keep
    assert glossary.translate["es"]["child sexual abuse material"].startswith("material")


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text('keep = [\n  "IWF",\n  TikTok\n]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"glossary\.toml:3: not valid TOML"):
        load_glossary(path)


def test_wrong_shapes_are_reported_together_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text(
        'keep = "IWF"\nterms = 1\n[translate.xx-nope]\n"a" = "b"\n[translate.es]\n"c" = ""\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_glossary(path)
    message = str(err.value)
    assert "glossary.toml:1: keep must be a list of strings" in message
    assert "glossary.toml:2: unknown key 'terms'" in message
    assert "unknown language code 'xx-nope'" in message
    assert "glossary.toml:6: [translate.es] 'c': translation must be a non-empty string" in message


def test_missing_default_is_empty_but_missing_named_file_fails(tmp_path: Path) -> None:
    assert not load_glossary(tmp_path / "glossary.toml").for_language("es")
    with pytest.raises(ConfigError, match="does not exist"):
        load_glossary(tmp_path / "terms.toml", required=True)


def test_matching_rules() -> None:
    glossary = Glossary(
        keep=("IWF", "Internet Watch Foundation", "Watch", "Bletchley Park"),
        translate={"es": {"child sexual abuse material": "material de abuso sexual infantil"}},
    )
    terms = glossary.for_language("es")
    found = terms.find(
        "The internet watch  foundation (IWF, not iwf) met at BLETCHLEY PARK; Watchful "
        "eyes. Child sexual abuse material."
    )
    # Longest first, case-insensitive for names, case-sensitive for acronyms, whole words.
    assert [m.text for m in found] == [
        "internet watch  foundation",
        "IWF",
        "BLETCHLEY PARK",
        "Child sexual abuse material",
    ]
    assert found[-1].replacement == "Material de abuso sexual infantil"
    assert not glossary.for_language("fr").find("child sexual abuse material")


def test_terms_are_protected_and_restored_inside_mt() -> None:
    terms = Glossary(
        keep=("IWF",), translate={"es": {"abuse material": "material de abuso"}}
    ).for_language("es")
    protected = protect("The <b>IWF</b> found abuse material, see <url1/>.", terms)
    assert protected.text == "The {1} found {2}, see {3}."
    restored = restore(protected, "La {1} encontró {2}, ver {3}.", ["{1}"])
    assert restored.text == "La <b>IWF</b> encontró material de abuso, ver <url1/>."
    assert restored.findings == []
    # A lost term is reinserted and reported.
    lost = restore(protected, "La {1} encontró, ver {3}.", ["{1}"])
    assert "material de abuso" in lost.text
    assert lost.findings == ["glossary-missing:abuse material"]


def test_glossary_change_never_serves_stale_text_from_memory(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "---\ntitle: Test\n---\n\nThe IWF removes child sexual abuse material quickly.\n",
        encoding="utf-8",
    )
    docs = segment_all([doc])
    keep = Glossary(keep=("IWF", "child sexual abuse material"))
    forced = Glossary(
        keep=("IWF",),
        translate={"es": {"child sexual abuse material": "material de abuso sexual infantil"}},
    )
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        first = translate_language(docs, "es", PseudoEngine(), memory, glossary=keep)
        second = translate_language(docs, "es", PseudoEngine(), memory, glossary=forced)
    assert "child sexual abuse material" in first.units["doc"]["paragraph-1"].text
    # Same engine input (the term is a placeholder), so the memory answers, and the
    # restoration applies the glossary of this run.
    assert second.engine_texts == 0 and second.memory_hits == second.sentences
    assert "material de abuso sexual infantil" in second.units["doc"]["paragraph-1"].text
