"""The printed layout in sixteen scripts, checked from the PDFs instead of by eye.

One build prints a test summary (a long title that wraps, a table, a nested list, phone
numbers, an amount, a date and an e-mail address) in sixteen scripts with native-script
sample text (:mod:`pipeline.testing.script_samples`). Each PDF is read back as lines of ink
(tests/layout_check.py) and must have: no two lines drawn over each other, no phone number
split, every glyph in an embedded font, no page but the last less than half full, and no
last page holding only the source line. One PNG per script is kept under the project's
``output/layout/`` for a person (or a CI artefact) to look at.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.build import Outcome
from pipeline.testing.script_samples import ScriptSampleEngine
from tests import layout_check as lc
from tests.helpers import run_build

# Sixteen scripts: Nastaliq, Arabic (Naskh), Devanagari, Bengali, Tamil, Thai, Ethiopic,
# Chinese, Japanese, Korean, Hebrew, Georgian, Armenian, Cyrillic, Greek, Latin.
SCRIPTS = {
    "ur": "Nastaliq",
    "ar": "Arabic",
    "hi": "Devanagari",
    "bn": "Bengali",
    "ta": "Tamil",
    "th": "Thai",
    "am": "Ethiopic",
    "zh": "Chinese (Han, simplified)",
    "ja": "Japanese",
    "ko": "Korean (Hangul)",
    "he": "Hebrew",
    "ka": "Georgian",
    "hy": "Armenian",
    "ru": "Cyrillic",
    "el": "Greek",
    "es": "Latin",
}
PHONES = ("+44 20 7946 0958", "+44 20 7946 0959")

SUMMARY = """\
---
title: >-
  District health centre opens longer hours for vaccinations, check-ups and advice
  for families in every village
date: 2024-05-14
organisation: "Example Health Network"
source: "https://example.org/report"
summary: >-
  From 3 June the centre opens on weekdays and on Saturday mornings;
  call +44 20 7946 0958 to book a visit.
---

The district health centre will open for longer from 3 June 2024. Nurses will give vaccinations,
weigh babies and answer questions about food, water and sleep. To book, call +44 20 7946 0958
or write to clinic@example.org before 14/05/2024.

## Opening hours

| Day | Hours | Phone |
|---|---|---|
| Monday to Friday | 8:00 to 18:00 | +44 20 7946 0958 |
| Saturday | 9:00 to 12:00 | +44 20 7946 0959 |

A first visit is free; a repeat certificate costs £12.50, paid at the desk.

## What to bring

- Your health card, or another paper with your name and date of birth.
- A list of the medicines you take, including:
  - tablets, syrups and inhalers, with the dose you take each day;
  - creams, drops and anything bought without a prescription.
- For each child, the vaccination booklet, even when some pages are missing.

## When the centre is closed

Outside opening hours, call the night line on +44 20 7946 0959. It answers every night of
the year, and a nurse can tell you whether to wait for the morning or go to the hospital.

The centre is a short walk from the bus station. The entrance has a ramp and a lift, and the
waiting room has space for prams. Staff speak several languages, and you can ask for an
interpreter when you book.

## Why longer hours

Many families told the centre that they could not come during working hours. The new hours
should let parents bring children after school and let workers come on Saturday. The centre
will count visits during the first three months and publish the numbers in September.
"""


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Outcome]:
    """One build of the test summary in every script, HTML and PDF, with a PNG per script."""
    project = tmp_path_factory.mktemp("layout")
    return _print(project, list(SCRIPTS))


def _print(project: Path, languages: list[str]) -> tuple[Path, Outcome]:
    (project / "handout.md").write_text(SUMMARY, encoding="utf-8")
    report = run_build(
        project,
        languages,
        ScriptSampleEngine(),
        sources=[project / "handout.md"],
        formats=["html", "pdf"],
    )
    output_dir = project / "output"
    if shutil.which("pdftoppm"):  # the pictures are for people; the checks need none
        pictures = output_dir / "layout"
        pictures.mkdir(exist_ok=True)
        for code in languages:
            pdf = output_dir / code / "handout.pdf"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "50",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(pictures / code),
                ],
                check=True,
            )
    return output_dir, report


@functools.cache
def _read(pdf: Path, mtime: float) -> tuple[lc.Page, ...]:
    return tuple(lc.read_pages(pdf))


def _pages(out: Path, code: str) -> list[lc.Page]:
    """The PDF's pages, read once for all the tests that look at them."""
    pdf = out / code / "handout.pdf"
    return list(_read(pdf, pdf.stat().st_mtime))


def _describe(pair: tuple[lc.Line, lc.Line]) -> str:
    upper, lower = pair
    return (
        f"page {upper.page}: line at {upper.baseline:.1f} pt ({upper.size:.1f} pt type) and "
        f"line at {lower.baseline:.1f} pt ({lower.size:.1f} pt type)"
    )


@pytest.mark.parametrize("code", list(SCRIPTS))
def test_no_two_lines_overlap(printed: tuple[Path, Outcome], code: str) -> None:
    pages = _pages(printed[0], code)
    assert sum(len(p.lines) for p in pages) > 30  # the text layer was read
    overlaps = [_describe(pair) for page in pages for pair in lc.overlapping_lines(page)]
    assert not overlaps, overlaps


@pytest.mark.parametrize("code", list(SCRIPTS))
def test_no_phone_number_split(printed: tuple[Path, Outcome], code: str) -> None:
    pages = _pages(printed[0], code)
    # standfirst, first paragraph and table; the night line twice (table and paragraph).
    assert lc.count_whole(pages, PHONES[0]) == 3
    assert lc.count_whole(pages, PHONES[1]) == 2


@pytest.mark.parametrize("code", list(SCRIPTS))
def test_every_glyph_in_an_embedded_font(printed: tuple[Path, Outcome], code: str) -> None:
    bad = lc.unembedded_or_missing(printed[0] / code / "handout.pdf")
    assert not bad, sorted({(g.font, g.text) for g in bad})


@pytest.mark.parametrize("code", list(SCRIPTS))
def test_no_page_but_the_last_less_than_half_full(
    printed: tuple[Path, Outcome], code: str
) -> None:
    pages = _pages(printed[0], code)
    assert [p.number for p in pages[:-1] if lc.fullness(p) < 0.5] == []
    last = lc.body_lines(pages[-1])
    source = [line for line in last if "example.org/report" in line.text]
    assert source, "the source line is on the last page"
    # The source line never stands alone: some of the text comes with it.
    assert any(line.bottom < source[0].top for line in last)


def test_most_scripts_need_a_page_break(printed: tuple[Path, Outcome]) -> None:
    # Chinese and Japanese say it in fewer letters; the others must test the page break.
    counts = {code: len(_pages(printed[0], code)) for code in SCRIPTS}
    assert sum(1 for pages in counts.values() if pages >= 2) >= 12, counts


def test_a_picture_per_script(printed: tuple[Path, Outcome]) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("needs poppler-utils for the pictures")
    pictures = printed[0] / "layout"
    assert sorted(p.stem for p in pictures.glob("*.png")) == sorted(SCRIPTS)
    assert all(p.stat().st_size > 5000 for p in pictures.glob("*.png"))


def test_solid_urdu_headings_are_caught(tmp_path: Path) -> None:
    # The checks can fail: headings set solid in Nastaliq draw over their second line.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "extra.css").write_text(
        '[lang|="ur"] h1, [lang|="ur"] h2 { line-height: 1; }\n', encoding="utf-8"
    )
    out, _ = _print(tmp_path, ["ur"])
    pages = _pages(out, "ur")
    overlaps = [pair for page in pages for pair in lc.overlapping_lines(page)]
    assert overlaps
    assert all(upper.size > 15 for upper, _ in overlaps), [_describe(p) for p in overlaps]


# -- the checks themselves, on pages made to fail them ----------------------------------------


def _render(tmp_path: Path, body: str, lang: str = "en") -> list[lc.Page]:
    from pipeline.pdf import get_renderer

    html = f'<html lang="{lang}"><body style="margin: 0">{body}</body></html>'
    pdf = tmp_path / "check.pdf"
    pdf.write_bytes(get_renderer().render(html).data)
    return lc.read_pages(pdf)


def test_a_split_phone_number_is_caught(tmp_path: Path) -> None:
    column = '<p style="width: 32mm; font-size: 12pt">Call {} today</p>'
    pages = _render(tmp_path, column.format("+44 20 7946 0958"))
    assert lc.count_whole(pages, PHONES[0]) == 0  # the narrow column breaks it
    kept = '<span style="white-space: nowrap">+44 20 7946 0958</span>'
    assert lc.count_whole(_render(tmp_path, column.format(kept)), PHONES[0]) == 1


def test_a_half_empty_page_is_caught(tmp_path: Path) -> None:
    pages = _render(tmp_path, '<p>Short</p><p style="break-before: page">Next page</p>')
    assert len(pages) == 2
    assert lc.fullness(pages[0]) < 0.1
    assert lc.fullness(pages[1]) < 0.1


def test_runs_kept_together_in_left_to_right_text() -> None:
    from pipeline.languages import get_language
    from pipeline.runs import keep_together

    html = (
        '<p title="+1 2 3">Call +44 20 7946 0958, pay £12.50 or 1 200 €, by 14/05/2024 '
        "(2024-05-14), write to clinic@example.org; 11,000 people, 1–2 June, "
        "<code>+44 1 2</code></p>"
    )
    nobr = '<span class="nobr">{}</span>'.format
    assert keep_together(html, get_language("es")) == (
        f'<p title="+1 2 3">Call {nobr("+44 20 7946 0958")}, pay {nobr("£12.50")} or '
        f"{nobr('1 200 €')}, by {nobr('14/05/2024')} ({nobr('2024-05-14')}), write to "
        f"{nobr('clinic@example.org')}; 11,000 people, 1–2 June, <code>+44 1 2</code></p>"
    )


@pytest.mark.parametrize(
    "phone", ["+44 (0)20 7946 0958", "(020) 7946-0958", "+1-202-555-0143", "020 7946 0958"]
)
def test_phone_number_forms_kept_whole(phone: str) -> None:
    from pipeline.languages import get_language
    from pipeline.runs import keep_together

    kept = keep_together(f"<p>Call {phone} now</p>", get_language("en"))
    assert kept == f'<p>Call <span class="nobr">{phone}</span> now</p>'


def test_runs_isolated_left_to_right_in_right_to_left_text() -> None:
    from pipeline.languages import get_language
    from pipeline.runs import keep_together

    kept = keep_together("<p>اتصل +44 20 7946 0958 أو 1 200 €</p>", get_language("ar"))
    assert kept == (
        '<p>اتصل <bdi dir="ltr" class="nobr">+44 20 7946 0958</bdi> أو '
        '<bdi dir="ltr" class="nobr">1 200 €</bdi></p>'
    )


def test_every_language_gets_heading_leading_and_a_size() -> None:
    import re

    from pipeline.languages import get_language
    from pipeline.scripts import KNOWN_LANGUAGES, font_css

    css = font_css(["en"])
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", css)
    for code in ["en", *KNOWN_LANGUAGES]:
        tag = get_language(code).tag
        mine = [(sel, body) for sel, body in rules if f'[lang|="{tag}"]' in sel]
        headings = [b for s, b in mine if ":is(h1" in s and "line-height" in b]
        sizes = [b for s, b in mine if s.strip().startswith("html:is(") and "--script-size" in b]
        relative = [b for s, b in mine if ":not(html)" in s and "font-size: var(--size-as-" in b]
        assert headings and sizes and relative, code
    # Nastaliq headings keep most of the text's leading; Latin ones are tighter.
    assert "line-height: 2.2" in next(
        b for s, b in rules if s.strip().startswith('[lang|="ur"] :is(h1')
    )
