"""The templates' own words in every language: catalogs complete, compiled, merged, fallback."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.headings import normalize_headings
from pipeline.i18n import css_counters, css_string
from pipeline.languages import ARGOS_TARGETS
from pipeline.runs import isolate_ltr_runs
from pipeline.scripts import font_css
from pipeline.ui_catalogs import UICatalogs, default_locales_dir

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "pipeline" / "locales"
# Every target language Argos Translate offers from English, plus Amharic (printed by NGOs).
CATALOG_LANGUAGES = [*ARGOS_TARGETS, "am"]

PAGE = """\
---
title: "Safe water"
date: 2024-03-05
organisation: "Example Aid"
source: "https://example.org/report"
---

Boil water for one minute.
"""


def _po(code: str) -> Path:
    return LOCALES / code / "LC_MESSAGES" / "messages.po"


def _read(path: Path) -> object:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def test_pot_matches_the_templates() -> None:
    from babel.messages.extract import extract_from_dir

    mapping = [("pipeline/templates/**.html", "jinja2"), ("pipeline/templates/**.css", "jinja2")]
    options = {"pipeline/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    options["pipeline/templates/**.css"] = options["pipeline/templates/**.html"]
    found = {m[2] for m in extract_from_dir(str(ROOT), mapping, options_map=options)}
    pot = {m.id for m in _read(LOCALES / "messages.pot") if m.id}  # type: ignore[attr-defined]
    assert found == pot, "run: pybabel extract -F babel.cfg -o pipeline/locales/messages.pot ."


@pytest.mark.parametrize("code", CATALOG_LANGUAGES)
def test_catalog_complete_with_placeholders(code: str) -> None:
    pot_ids = {m.id for m in _read(LOCALES / "messages.pot") if m.id}  # type: ignore[attr-defined]
    catalog = _read(_po(code))
    entries = {m.id: m for m in catalog if m.id}  # type: ignore[attr-defined]
    assert set(entries) == pot_ids
    for msgid, message in entries.items():
        assert message.string, f"{code}: {msgid!r} untranslated"
        assert message.string != msgid, f"{code}: {msgid!r} copied from English"
        assert "fuzzy" not in message.flags, f"{code}: {msgid!r} fuzzy"
        placeholders = sorted(re.findall(r"%\(\w+\)s", msgid))
        assert sorted(re.findall(r"%\(\w+\)s", message.string)) == placeholders, (code, msgid)
        assert "%" not in re.sub(r"%\(\w+\)s", "", message.string), (code, msgid)


def test_compiled_in_memory_and_merged(tmp_path: Path) -> None:
    project = tmp_path / "locales" / "es" / "LC_MESSAGES"
    project.mkdir(parents=True)
    (project / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Languages"\nmsgstr "Lenguas"\n',
        encoding="utf-8",
    )
    catalogs = UICatalogs([tmp_path / "locales", default_locales_dir()])
    translations, real = catalogs.get("es")
    assert real
    assert translations.gettext("Languages") == "Lenguas"  # the project's wins
    assert translations.gettext("Source: %(source)s") == "Fuente: %(source)s"  # package's
    assert not catalogs.warnings


def test_traditional_chinese_never_served_simplified(tmp_path: Path) -> None:
    only_zh = tmp_path / "zh" / "LC_MESSAGES"
    only_zh.mkdir(parents=True)
    (only_zh / "messages.po").write_bytes(_po("zh").read_bytes())
    catalogs = UICatalogs([tmp_path])
    assert catalogs.files("zt") == []
    assert catalogs.files("zh") == [only_zh / "messages.po"]


def test_pages_speak_their_language(tmp_path: Path) -> None:
    (tmp_path / "water.md").write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "-C",
            str(tmp_path),
            "build",
            str(tmp_path / "water.md"),
            "--lang",
            "es,ar,zh",
            "--engine",
            "pseudo",
        ],
    )
    assert result.exit_code == 0, result.output
    es = (tmp_path / "output" / "es" / "water.html").read_text(encoding="utf-8")
    assert 'aria-label="Idiomas"' in es
    assert "Publicado el 5 de marzo de 2024" in es
    assert "Fuente: <a" in es
    assert "no es una traducción real" in es
    assert "Página {page} de {pages}" not in es  # the footer pattern became CSS counters
    assert '"P\\E1 gina "' not in es and '"Página " counter(page, decimal)' in es
    ar = (tmp_path / "output" / "ar" / "water.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in ar
    assert '"الصفحة " counter(page, decimal) " من " counter(pages, decimal)' in ar
    assert '<span class="organisation" lang="en" dir="ltr">' in ar
    assert '[lang|="ar"]' in ar and '"Noto Naskh Arabic"' in ar
    zh = (tmp_path / "output" / "zh" / "water.html").read_text(encoding="utf-8")
    assert "发布于 2024年3月5日" in zh
    assert "warning" not in result.output


def test_missing_catalog_falls_back_to_english_once(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "two.md").write_text(PAGE.replace("Safe water", "Clean hands"), "utf-8")
    result = CliRunner().invoke(
        main,
        [
            "-C",
            str(tmp_path),
            "build",
            str(tmp_path / "one.md"),
            str(tmp_path / "two.md"),
            "--lang",
            "sw",
            "-e",
            "pseudo",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("no UI catalog for 'sw'") == 1, result.output
    page = (tmp_path / "output" / "sw" / "one.html").read_text(encoding="utf-8")
    assert 'aria-label="Languages" lang="en"' in page  # English chrome, marked as such
    assert '<p class="notice" role="note" lang="en">Pseudo-translation' in page


def test_css_strings_are_escaped() -> None:
    assert css_string('a "b" \\ </style>') == '"a \\22 b\\22  \\5C  \\3C /style\\3E "'
    assert css_counters("第 {page} 页，共 {pages} 页", "decimal") == (
        '"第 " counter(page, decimal) " 页，共 " counter(pages, decimal) " 页"'
    )
    assert css_counters("{page}/{pages}", "persian") == (
        'counter(page, persian) "/" counter(pages, persian)'
    )


def test_font_rules_name_the_cjk_variant_and_nastaliq() -> None:
    css = font_css()
    rules = dict(re.findall(r'\[lang\|="([\w-]+)"\][^{]*\{([^}]*)\}', css))
    rule_for = {
        tag: body
        for sel, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
        for tag in re.findall(r'\[lang\|="([\w-]+)"\]', sel)
    }
    assert rules  # parsed
    assert "Noto Sans CJK SC" in rule_for["zh"]
    assert "Noto Sans CJK TC" in rule_for["zh-Hant"]
    assert "Noto Sans CJK JP" in rule_for["ja"]
    assert "Noto Sans CJK KR" in rule_for["ko"]
    assert "Noto Nastaliq Urdu" in rule_for["ur"] and "line-height: 2.4" in rule_for["ur"]
    assert "Noto Naskh Arabic" in rule_for["fa"]
    assert css.index('[lang|="zh"]') < css.index('[lang|="zh-Hant"]')  # later rule wins


def test_ltr_runs_isolated_outside_tags_and_code() -> None:
    html = (
        '<p title="+1 2 3">Call +44 20 7946 0958, -5% or 11,000 '
        '<code>-1</code> <a href="x" dir="ltr">+1 555 0100</a></p>'
    )
    assert isolate_ltr_runs(html) == (
        '<p title="+1 2 3">Call <bdi dir="ltr">+44 20 7946 0958</bdi>, '
        '<bdi dir="ltr">-5%</bdi> or 11,000 <code>-1</code> '
        '<a href="x" dir="ltr">+1 555 0100</a></p>'
    )


def test_headings_start_at_h2_and_never_skip() -> None:
    body = "<h1>A</h1><h3>B</h3><h6>C</h6><h2>D</h2><h4>E</h4>"
    assert normalize_headings(body) == "<h2>A</h2><h3>B</h3><h4>C</h4><h3>D</h3><h4>E</h4>"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_text_colours_have_enough_contrast() -> None:
    css = (ROOT / "pipeline" / "templates" / "style.css").read_text(encoding="utf-8")
    css += (ROOT / "pipeline" / "templates" / "print.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{6})", css))
    text_colours = {variables[n] for n in ("ink", "muted", "accent")}
    text_colours |= set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", css))
    backgrounds = {"#ffffff", *re.findall(r"background:\s*(#[0-9a-fA-F]{6})", css)}
    assert len(text_colours) >= 3 and len(backgrounds) >= 2
    for fg in text_colours:
        for bg in backgrounds:
            light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
            ratio = (light + 0.05) / (dark + 0.05)
            assert ratio >= 4.5, f"{fg} on {bg}: {ratio:.2f} < 4.5 (WCAG AA)"


_TRICKY_PO = r"""# A translator's catalog with what PO editors write.
msgid ""
msgstr ""
"Language: ru\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
"n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

msgid "Languages"
msgstr "Языки"

#, fuzzy
msgid "All handouts"
msgstr "Все материалы?"

msgid "Untranslated"
msgstr ""

msgctxt "menu"
msgid "Languages"
msgstr "Языки (меню)"

msgid "%(n)s page"
msgid_plural "%(n)s pages"
msgstr[0] "%(n)s страница"
msgstr[1] "%(n)s страницы"
msgstr[2] "%(n)s страниц"

msgid "%(n)s file"
msgid_plural "%(n)s files"
msgstr[0] "%(n)s файл"
msgstr[1] ""
msgstr[2] "%(n)s файлов"

msgid "Tab\there \"quoted\""
msgstr "Таб\tздесь «в кавычках»"

#~ msgid "Old"
#~ msgstr "Старое"
"""


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext msgfmt is not installed")
def test_compiled_catalog_answers_as_msgfmt_s(tmp_path: Path) -> None:
    po = tmp_path / "ru" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(_TRICKY_PO, encoding="utf-8")
    mo = tmp_path / "messages.mo"
    subprocess.run(["msgfmt", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as handle:
        reference = gettext.GNUTranslations(handle)
    ours, real = UICatalogs([tmp_path]).get("ru")
    assert real
    for msgid in ("Languages", "All handouts", "Untranslated", "Old", 'Tab\there "quoted"'):
        assert ours.gettext(msgid) == reference.gettext(msgid), msgid
    assert ours.pgettext("menu", "Languages") == reference.pgettext("menu", "Languages")
    for n in (1, 2, 5, 11, 21, 22, 25, 101):
        assert ours.ngettext("%(n)s page", "%(n)s pages", n) == reference.ngettext(
            "%(n)s page", "%(n)s pages", n
        ), n
    assert ours.gettext("Languages") == "Языки"
    assert ours.ngettext("%(n)s page", "%(n)s pages", 22) == "%(n)s страницы"
    # msgfmt keeps a plural entry with a form missing (and shows "" for that count); a page
    # must never lose the words, so the English forms stand in.
    assert reference.ngettext("%(n)s file", "%(n)s files", 2) == ""
    assert ours.ngettext("%(n)s file", "%(n)s files", 2) == "%(n)s files"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('msgid "Languages"\nmsgstr "Lenguas\n', "expected a quoted string"),
        ('msgid "Languages"\nmsgstr "a"\n\nmsgid "Languages"\nmsgstr "b"\n', "duplicate"),
        ("\xff\xfe not text", "not UTF-8"),
        ('msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=import os;\\n"\n', "plural"),
    ],
)
def test_unreadable_ui_catalog_is_skipped_with_a_warning(
    tmp_path: Path, text: str, reason: str
) -> None:
    po = tmp_path / "es" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode("utf-8"))
    catalogs = UICatalogs([tmp_path, default_locales_dir()])
    translations, real = catalogs.get("es")
    assert real  # the package's catalog still serves
    assert translations.gettext("Languages") == "Idiomas"
    assert len(catalogs.warnings) == 1, catalogs.warnings
    assert f"UI catalog {po} is unreadable" in catalogs.warnings[0]
    assert reason in catalogs.warnings[0]
