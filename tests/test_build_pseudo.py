"""End-to-end builds with the pseudo engine: pages, structure, direction, golden output."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from pipeline.cli import main
from pipeline.document import load_document

from .conftest import EXAMPLE

GOLDEN = Path(__file__).parent / "golden"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.hrefs: list[str] = []
        self.counts: dict[str, int] = {}
        self.html_attrs: dict[str, str | None] = {}
        self.unbalanced: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_attrs = dict(attrs)
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        if tag not in ("meta", "br", "img", "hr", "link"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.unbalanced.append(tag)
        else:
            self.stack.pop()


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _source_counts() -> tuple[int, int, list[str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(load_document(EXAMPLE).body)
    headings = sum(1 for t in tokens if t.type == "heading_open")
    items = sum(1 for t in tokens if t.type == "list_item_open")
    links = [
        c.attrs["href"] for t in tokens if t.children for c in t.children if c.type == "link_open"
    ]
    return headings, items, [str(h) for h in links]


def test_pseudo_build_writes_every_page_with_all_structure(
    runner: CliRunner, project: Path
) -> None:
    source = project / "examples" / EXAMPLE.name
    result = runner.invoke(
        main, ["-C", str(project), "build", str(source), "--lang", "es,ar", "--engine", "pseudo"]
    )
    assert result.exit_code == 0, result.output
    assert "Built 1 document(s) in 2 language(s)" in result.output
    out = project / "output"
    headings, items, links = _source_counts()
    for lang, direction in (("es", "ltr"), ("ar", "rtl")):
        page = _parse(out / lang / "ai-csam-pledge.html")
        assert page.html_attrs == {"lang": lang, "dir": direction}
        assert page.unbalanced == [] and page.stack == []
        assert page.counts.get("h2", 0) == headings
        assert page.counts.get("li", 0) >= items  # plus the language switcher's items
        for href in links:
            assert href in page.hrefs
        assert "../en/ai-csam-pledge.html" in page.hrefs  # the language switcher
        text = (out / lang / "ai-csam-pledge.html").read_text(encoding="utf-8")
        assert '<p class="notice" role="note"' in text  # clearly labelled, in the page's language
        assert "Ĝļöƀàļ" in text  # the pseudo-localized title
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in ("es/ai-csam-pledge.html", "ar/ai-csam-pledge.html", "en/ai-csam-pledge.html"):
        assert f'href="{href}"' in index
    assert not [p for p in out.rglob("*.tmp")]  # nothing half-written left behind


def test_pseudo_output_matches_golden_files(runner: CliRunner, project: Path) -> None:
    source = project / "examples" / EXAMPLE.name
    result = runner.invoke(
        main, ["-C", str(project), "build", str(source), "--lang", "es", "--engine", "pseudo"]
    )
    assert result.exit_code == 0, result.output
    for rel in ("es/ai-csam-pledge.html", "index.html"):
        produced = (project / "output" / rel).read_text(encoding="utf-8")
        golden = GOLDEN / rel
        if os.environ.get("UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(produced, encoding="utf-8")
        assert produced == golden.read_text(encoding="utf-8"), (
            f"{rel} differs (UPDATE_GOLDEN=1 to accept)"
        )


def test_project_templates_override_package_templates_file_by_file(
    runner: CliRunner, project: Path
) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "index.html").write_text(
        "<p>custom index {{ documents|length }}</p>\n"
    )
    result = runner.invoke(
        main, ["-C", str(project), "build", "--lang", "fr", "--engine", "pseudo"]
    )
    assert result.exit_code == 0, result.output
    assert (project / "output" / "index.html").read_text() == "<p>custom index 1</p>\n"
    assert '<html lang="fr"' in (project / "output" / "fr" / "ai-csam-pledge.html").read_text()


def test_template_error_is_reported_cleanly(runner: CliRunner, project: Path) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "index.html").write_text("{{ no_such_variable }}\n")
    result = runner.invoke(
        main, ["-C", str(project), "build", "--lang", "fr", "--engine", "pseudo"]
    )
    assert result.exit_code == 1
    assert "'no_such_variable' is undefined" in result.output


@pytest.mark.parametrize("lang", ["he", "fa", "ur", "ps"])
def test_right_to_left_languages(runner: CliRunner, project: Path, lang: str) -> None:
    result = runner.invoke(
        main, ["-C", str(project), "build", "--lang", lang, "--engine", "pseudo"]
    )
    assert result.exit_code == 0, result.output
    html = (project / "output" / lang / "ai-csam-pledge.html").read_text(encoding="utf-8")
    assert re.search(rf'<html lang="{lang}" dir="rtl">', html)


def test_review_index_lists_every_language(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es,ar,zh"])
    assert result.exit_code == 0, result.output
    review = (project / "output" / "review" / "index.html").read_text("utf-8")
    for lang in ("es", "ar", "zh"):
        assert f'href="{lang}/ai-csam-pledge.html"' in review
        assert (project / "output" / "review" / lang / "ai-csam-pledge.html").is_file()
    index = (project / "output" / "index.html").read_text("utf-8")
    assert 'href="review/index.html"' in index
