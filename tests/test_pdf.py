"""PDF handouts in every script family: fonts embedded, no missing glyphs, text extractable.

The pseudo engine writes Latin letters only, so these tests use a small engine that returns
sentences written by hand in each script. One build renders every language (one renderer:
WeasyPrint's fonts are configured once per build), and the tests read its PDFs with
poppler's ``pdffonts`` and ``pdftotext``. Below them: the page-fit (``--max-pages``) and the
links to the PDFs. The layout itself (overlaps, split numbers, page fill) is in
test_layout.py.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Collection, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.build import Outcome
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.engines import Translation
from pipeline.engines.pseudo import PseudoEngine
from pipeline.protect import PLACEHOLDER_RE

from .helpers import run_build

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdffonts") and shutil.which("pdftotext") and shutil.which("fc-list")),
    reason="needs poppler-utils and fontconfig (apt-get install poppler-utils)",
)

SOURCE = """\
---
title: "Safe water"
date: 2024-03-05
organisation: "Example Aid"
source: "https://example.org/report"
summary: "Boil water before drinking."
---

Call +44 20 7946 0958 or visit <https://example.org/help> today.

## Advice

Boil water for 1 minute.
"""

ENGLISH = (
    "Safe water",
    "Boil water before drinking.",
    "Call +44 20 7946 0958 or visit {1} today.",
    "Advice",
    "Boil water for 1 minute.",
)

# One language per script family (plus Urdu, set in Nastaliq), each sentence written for
# this test, in ENGLISH's order.
SENTENCES: dict[str, tuple[str, ...]] = {
    "es": (
        "Agua segura",
        "Hierva el agua antes de beberla.",
        "Llame al +44 20 7946 0958 o visite {1} hoy.",
        "Consejos",
        "Hierva el agua durante 1 minuto.",
    ),
    "ru": (
        "Безопасная вода",
        "Кипятите воду перед питьём.",
        "Позвоните по номеру +44 20 7946 0958 или посетите {1} сегодня.",
        "Советы",
        "Кипятите воду 1 минуту.",
    ),
    "ar": (
        "مياه آمنة",
        "اغل الماء قبل شربه.",
        "اتصل بالرقم +44 20 7946 0958 أو زر {1} اليوم.",
        "نصائح",
        "اغل الماء لمدة 1 دقيقة.",
    ),
    "ur": (
        "محفوظ پانی",
        "پینے سے پہلے پانی ابالیں۔",
        "آج ہی +44 20 7946 0958 پر کال کریں یا {1} دیکھیں۔",
        "مشورے",
        "پانی کو 1 منٹ تک ابالیں۔",
    ),
    "he": (
        "מים בטוחים",
        "הרתיחו מים לפני השתייה.",
        "התקשרו למספר +44 20 7946 0958 או בקרו באתר {1} היום.",
        "עצות",
        "הרתיחו מים במשך דקה אחת.",
    ),
    "hi": (
        "सुरक्षित पानी",
        "पीने से पहले पानी उबालें।",
        "आज ही +44 20 7946 0958 पर कॉल करें या {1} पर जाएँ।",
        "सलाह",
        "पानी को 1 मिनट तक उबालें।",
    ),
    "th": (
        "น้ำที่ปลอดภัย",
        "ต้มน้ำก่อนดื่ม",
        "โทร +44 20 7946 0958 หรือเข้าชม {1} วันนี้",
        "คำแนะนำ",
        "ต้มน้ำเป็นเวลา 1 นาที",
    ),
    "am": (
        "ንጹህ ውሃ",
        "ከመጠጣትዎ በፊት ውሃውን ያፍሉ።",
        "ዛሬ በ +44 20 7946 0958 ይደውሉ ወይም {1} ይጎብኙ።",
        "ምክሮች",
        "ውሃውን ለ1 ደቂቃ ያፍሉ።",
    ),
    "zh": (
        "安全饮用水",
        "饮用前请把水烧开。",
        "请拨打 +44 20 7946 0958 或访问 {1}。",
        "建议",
        "把水煮沸 1 分钟。",
    ),
}

# Words that must come back out of the text layer, for scripts that extract cleanly.
EXPECTED_WORDS = {
    "es": ["Hierva", "Consejos", "Página 1 de 1"],
    "ru": ["Кипятите", "Советы", "Страница 1 из 1"],
    "ar": ["الماء", "نصائح", "الصفحة"],
    "zh": ["饮用前请把水烧开", "建议", "第 1 页，共 1 页"],
}


class ScriptEngine(PseudoEngine):
    """A test engine: the hand-written sentence for each English one, placeholders kept."""

    name = "scripts"

    def identity(self, source: str, target: str) -> str:
        """The sentences above are the model."""
        return "scripts-test-1"

    def check(self, source: str, target: str) -> None:
        """Only the languages written above."""
        assert target in SENTENCES, target

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        """Look each sentence up; an unknown one is a bug in this test."""
        table = dict(zip(ENGLISH, SENTENCES[target], strict=True))
        out = []
        for sentence in sentences:
            # The engine sees placeholders renumbered per sentence; compare without them.
            key = PLACEHOLDER_RE.sub("{1}", sentence)
            out.append(Translation(table[key], 0.0))
        return out

    def release(self) -> None:
        """Nothing loaded."""


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Outcome]:
    """One build of the document in every script, HTML and PDF."""
    project = tmp_path_factory.mktemp("scripts")
    (project / "safe-water.md").write_text(SOURCE, encoding="utf-8")
    report = run_build(
        project,
        list(SENTENCES),
        ScriptEngine(),
        sources=[project / "safe-water.md"],
        formats=["html", "pdf"],
    )
    return project / "output", report


def _pdffonts(pdf: Path) -> list[tuple[str, bool]]:
    lines = subprocess.run(
        ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    # name type… encoding emb sub uni object-id generation: read from the right.
    return [(line.split()[0], line.split()[-5] == "yes") for line in lines if line.strip()]


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@functools.cache
def _font_files() -> dict[str, tuple[str, int]]:
    """Installed families, named as WeasyPrint names fonts in a PDF ("Noto-Sans-CJK-SC")."""
    out = subprocess.run(
        ["fc-list", "--format", "%{family[0]}|%{style[0]}|%{file}|%{index}\n"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    files: dict[str, tuple[str, int]] = {}
    for line in sorted(out.splitlines()):
        family, style, file, index = line.split("|")
        key = family.replace(" ", "-")
        if key not in files or style == "Regular":
            files[key] = (file, int(index or 0))
    return files


@functools.cache
def _cmap(key: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    file, index = _font_files()[key]
    font = TTFont(file, fontNumber=index, lazy=True)
    return frozenset(font.getBestCmap())


def coverage(pdf_font_names: list[str]) -> frozenset[int]:
    """Code points the embedded fonts can draw (each PDF font traced to its installed file)."""
    families = sorted(_font_files(), key=len, reverse=True)
    covered: set[int] = set()
    for name in pdf_font_names:
        base = name.split("+", 1)[-1]  # drop the subset tag "ABCDEF+"
        family = next((f for f in families if base == f or base.startswith(f + "-")), None)
        assert family, f"embedded font {name} is not an installed font"
        covered |= _cmap(family)
    return frozenset(covered)


def missing_glyphs(text: str, covered: frozenset[int]) -> set[str]:
    """Characters of ``text`` no font covers (spaces and format controls need no glyph)."""
    return {
        ch
        for ch in text
        if not ch.isspace() and unicodedata.category(ch) != "Cf" and ord(ch) not in covered
    }


def test_one_pdf_per_language_with_page_counts(printed: tuple[Path, Outcome]) -> None:
    out, report = printed
    assert sorted(p.relative_to(out).as_posix() for p in report.rendered.pdfs) == sorted(
        f"{code}/safe-water.pdf" for code in ["en", *SENTENCES]
    )
    assert report.rendered.pdf_pages == len(report.rendered.pdfs)  # each a single page
    assert "PDF(s)" in report.summary()


@pytest.mark.parametrize("code", list(SENTENCES))
def test_fonts_embedded_and_every_character_covered(
    printed: tuple[Path, Outcome], code: str
) -> None:
    pdf = printed[0] / code / "safe-water.pdf"
    fonts = _pdffonts(pdf)
    assert fonts, "no fonts in the PDF"
    assert all(embedded for _, embedded in fonts), fonts
    covered = coverage([name for name, _ in fonts])
    written = "".join(SENTENCES[code]).replace("{1}", "")
    assert not missing_glyphs(written, covered)
    assert not missing_glyphs(_pdftotext(pdf), covered)


@pytest.mark.parametrize("code", list(EXPECTED_WORDS))
def test_text_layer_has_the_words(printed: tuple[Path, Outcome], code: str) -> None:
    text = _pdftotext(printed[0] / code / "safe-water.pdf")
    text = re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)  # bidi controls
    for word in EXPECTED_WORDS[code]:
        assert word in text, (word, text)
    assert "+44 20 7946 0958" in text  # the phone number kept left to right


def test_cjk_variant_and_nastaliq_chosen(printed: tuple[Path, Outcome]) -> None:
    fonts = {
        code: [n for n, _ in _pdffonts(printed[0] / code / "safe-water.pdf")] for code in SENTENCES
    }
    assert any("Noto-Sans-CJK-SC" in n for n in fonts["zh"]), fonts["zh"]
    assert not any("CJK-JP" in n for n in fonts["zh"])
    assert any("Nastaliq-Urdu" in n for n in fonts["ur"]), fonts["ur"]
    assert any("Naskh-Arabic" in n for n in fonts["ar"]), fonts["ar"]
    assert any("Ethiopic" in n for n in fonts["am"]), fonts["am"]


def test_coverage_check_finds_a_missing_glyph(tmp_path: Path) -> None:
    # The check above must be able to fail: a private-use character has no glyph anywhere.
    from pipeline.pdf import PdfRenderer

    html = '<html lang="en"><body><p>Boxes: \U000f0001\U000f0002 here</p></body></html>'
    pdf = tmp_path / "tofu.pdf"
    pdf.write_bytes(PdfRenderer().render(html).data)
    covered = coverage([name for name, _ in _pdffonts(pdf)])
    assert missing_glyphs("Boxes: \U000f0001\U000f0002 here", covered) == {
        "\U000f0001",
        "\U000f0002",
    }


def test_metadata_links_and_tags(printed: tuple[Path, Outcome]) -> None:
    info = subprocess.run(
        ["pdfinfo", str(printed[0] / "ar" / "safe-water.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert re.search(r"^Title:\s+مياه آمنة$", info, re.M), info
    assert re.search(r"^Author:\s+Example Aid$", info, re.M), info
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(r"^Page size:.*\(A4\)$", info, re.M), info
    raw = _pdf_objects((printed[0] / "ar" / "safe-water.pdf").read_bytes())
    assert b"/Lang (ar)" in raw
    assert b"/URI (https://example.org/help)" in raw  # the link is clickable
    assert b"/URI (https://example.org/report)" in raw


def _pdf_objects(raw: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated, for searching."""
    import zlib

    parts = [raw]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", raw, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.mark.parametrize("code", ["ar", "ur", "he"])
def test_right_to_left_pages_keep_numbers_and_urls_in_order(
    printed: tuple[Path, Outcome], code: str
) -> None:
    # Word positions on the page: a phone number reads left to right as one run, and the
    # URL (later in the sentence) sits to its left on a right-to-left line.
    out = subprocess.run(
        ["pdftotext", "-bbox", str(printed[0] / code / "safe-water.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    x = {
        word: float(x_min)
        for x_min, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', out)
    }
    assert x["+44"] < x["20"] < x["7946"] < x["0958"], x
    assert x["https://example.org/help"] < x["+44"], x


# -- page-fit (--max-pages) and links to the PDFs ---------------------------------------------

_ADVICE = (
    "Clean water keeps the whole family healthy, and boiling it for one minute makes it safe "
    "to drink. The health centre is open every day from morning to evening and answers "
    "questions about water. "
)


def _water_project(root: Path, paragraphs: int) -> Path:
    """A handout of ``paragraphs`` paragraphs (six: two pages in Spanish pseudo text)."""
    body = "\n\n".join(
        (f"## Advice {i}\n\n" if i % 3 == 0 else "") + _ADVICE * 2 for i in range(paragraphs)
    )
    (root / "water.md").write_text(
        f"---\ntitle: Safe water\nsource: https://example.org/water\n---\n\n{body}\n",
        encoding="utf-8",
    )
    (root / "summary-pipeline.toml").write_text('sources = ["water.md"]\n', encoding="utf-8")
    return root / "water.md"


def _pages_of(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)$", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def _build_water(project: Path, paragraphs: int, max_pages: int | None) -> Outcome:
    source = _water_project(project, paragraphs)
    return run_build(
        project, ["es"], sources=[source], formats=["html", "pdf"], max_pages=max_pages
    )


def test_page_fit_makes_a_two_page_handout_fit_one(tmp_path: Path) -> None:
    from pipeline.pdf import FIT_STEPS, get_renderer

    report = _build_water(tmp_path, 6, None)
    spanish = tmp_path / "output" / "es" / "water.pdf"
    assert _pages_of(spanish) == 2  # as designed
    assert not [f for f in report.findings if f.id == "overflow"]

    report = _build_water(tmp_path, 6, 1)
    assert _pages_of(spanish) == 1
    assert _pages_of(tmp_path / "output" / "en" / "water.pdf") == 1
    assert not [f for f in report.findings if f.id == "overflow"]
    # The renderer says how: the gentlest step that was enough, after the tightest one.
    html = tmp_path / "output" / "es" / "water.html"
    result = get_renderer().render(html.read_text(encoding="utf-8"), html, max_pages=1)
    assert result.fits and result.pages == 1
    assert result.fit_step in [step.name for step in FIT_STEPS]
    assert result.renders >= 3  # designed, tightest, then from the gentlest up
    assert result.overflow() == ""


def test_overflow_is_a_finding_in_build_json_review_and_check(
    tmp_path: Path, runner: CliRunner
) -> None:
    _water_project(tmp_path, 9)
    result = runner.invoke(
        main,
        [
            "-C",
            str(tmp_path),
            "build",
            "-l",
            "es",
            "-e",
            "pseudo",
            "-f",
            "html,pdf",
            "--max-pages",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    pages = _pages_of(tmp_path / "output" / "es" / "water.pdf")
    assert pages > 1
    manifest = json.loads((tmp_path / "output" / "build.json").read_text(encoding="utf-8"))
    overflow = [f for f in manifest["findings"] if f["id"] == "overflow"]
    assert {f["lang"] for f in overflow} == {"es"}
    assert f"the PDF has {pages} pages, more than max_pages = 1" in overflow[0]["message"]
    review = (tmp_path / "output" / "review" / "es" / "water.html").read_text(encoding="utf-8")
    assert "[overflow] the PDF has" in review
    checked = runner.invoke(main, ["-C", str(tmp_path), "check", "-l", "es"])
    assert checked.exit_code == 0, checked.output
    assert re.search(
        r"water\.md: es title: warning \[overflow\] the PDF has \d+ pages", checked.output
    )
    # Once the source changes, the old overflow no longer stands.
    with (tmp_path / "water.md").open("a", encoding="utf-8") as handle:
        handle.write("\nOne more line.\n")
    checked = runner.invoke(main, ["-C", str(tmp_path), "check", "-l", "es"])
    assert "[overflow]" not in checked.output


def test_max_pages_must_be_a_positive_whole_number(tmp_path: Path, runner: CliRunner) -> None:
    from pipeline.errors import ConfigError

    result = runner.invoke(main, ["-C", str(tmp_path), "build", "--max-pages", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--max-pages'" in result.output
    for bad in ("0", '"2"', "true"):
        (tmp_path / "summary-pipeline.toml").write_text(f"max_pages = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="max_pages: must be a whole number of at least 1"):
            load_config(tmp_path)
    (tmp_path / "summary-pipeline.toml").write_text("max_pages = 2\n", encoding="utf-8")
    assert load_config(tmp_path).max_pages == 2


def test_renderers_are_objects_the_caller_owns() -> None:
    from pipeline.pdf import get_renderer

    first, second = get_renderer(), get_renderer()
    assert first is not second  # no process-wide state
    first.render('<html lang="en"><body><p>One</p></body></html>')
    assert (first.renders, second.renders) == (1, 0)


def test_index_and_pages_link_every_pdf_and_review_page(
    printed: tuple[Path, Outcome],
) -> None:
    out, report = printed
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = set(re.findall(r'href="([^"]+)"', index))
    for pdf in report.rendered.pdfs:
        assert pdf.relative_to(out).as_posix() in hrefs
    reviews = {p.relative_to(out).as_posix() for p in (out / "review").glob("*/*.html")}
    assert len(reviews) == len(SENTENCES)
    assert "review/index.html" in hrefs
    assert reviews <= hrefs
    assert all((out / href).is_file() for href in hrefs if not href.startswith("http"))
    for code in ["en", *SENTENCES]:
        page = (out / code / "safe-water.html").read_text(encoding="utf-8")
        assert 'href="safe-water.pdf" type="application/pdf"' in page
