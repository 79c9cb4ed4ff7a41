"""Fidelity through MT: markup, numbers and glossary terms survive every engine and fault."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Collection, Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.build import Outcome
from pipeline.cli import main
from pipeline.document import load_document
from pipeline.engines import Engine, Translation
from pipeline.engines.pseudo import PseudoEngine
from pipeline.glossary import load_glossary
from pipeline.inline import tokenize
from pipeline.protect import PLACEHOLDER_RE
from pipeline.segment import Segmented, segment

from .conftest import EXAMPLE, ROOT
from .helpers import run_build

STRESS = Path(__file__).parent / "data" / "fidelity-inline.md"
DOCUMENTS = (EXAMPLE, STRESS)
_VOID_ELEMENTS = {"meta", "br", "img", "hr", "link", "input"}
_ELEMENT_OF_KIND = {
    "paragraph": {"p"},
    "item": {"li"},
    "quote": {"p"},
    "cell": {"td", "th"},
    "heading": {"h2", "h3"},
    "title": {"h1"},
    "summary": {"p"},
}


class Element:
    """An element of a parsed page: its tag, attributes and text (descendants included)."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parents: list[str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parents = parents
        self.text = ""


class Page(HTMLParser):
    """Every element of a page, and any tag that is closed out of order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[Element] = []
        self.elements: list[Element] = []
        self.unbalanced: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), [e.tag for e in self.open])
        self.elements.append(element)
        if tag not in _VOID_ELEMENTS:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1].tag != tag:
            self.unbalanced.append(tag)
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data

    def texts(self, *tags: str) -> list[str]:
        """Text of every element with one of ``tags``."""
        return [" ".join(e.text.split()) for e in self.elements if e.tag in tags]

    def links(self) -> dict[str, list[str]]:
        """href → link texts, for the links inside the article."""
        found: dict[str, list[str]] = {}
        for e in self.elements:
            if e.tag == "a" and "article" in e.parents:
                found.setdefault(str(e.attrs.get("href")), []).append(" ".join(e.text.split()))
        return found


def parse(path: Path) -> Page:
    """Parse a page; fail on unbalanced tags."""
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert page.unbalanced == [] and page.open == [], f"{path}: unbalanced {page.unbalanced}"
    return page


def source_hrefs(seg: Segmented) -> set[str]:
    """Every link and autolink target of a document."""
    hrefs = {info["href"] for unit in seg.units for info in unit.attrs.values() if info.get("href")}
    return hrefs | {str(seg.document.meta["source"])}


def make_project(tmp_path: Path) -> Path:
    """A project with both test documents and the project glossary."""
    (tmp_path / "examples").mkdir()
    for doc in DOCUMENTS:
        shutil.copy(doc, tmp_path / "examples" / doc.name)
    shutil.copy(ROOT / "glossary.toml", tmp_path / "glossary.toml")
    return tmp_path


def build_with(project: Path, engine: Engine, langs: Sequence[str]) -> Outcome:
    """Build both documents into ``langs`` with ``engine``."""
    return run_build(project, langs, engine)


def assert_pages_keep_links(project: Path, langs: Sequence[str]) -> None:
    """Every page parses with balanced tags and holds every link of its source."""
    for doc in DOCUMENTS:
        seg = segment(load_document(doc))
        for lang in langs:
            page = parse(project / "output" / lang / f"{seg.document.slug}.html")
            hrefs = {str(e.attrs.get("href")) for e in page.elements if e.tag == "a"}
            missing = source_hrefs(seg) - hrefs
            assert not missing, f"{lang}/{seg.document.slug}: lost links {missing}"


LANGS = ("es", "ar", "zh", "hi")


def test_pseudo_keeps_links_code_numbers_and_terms_in_the_right_elements(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    report = build_with(project, PseudoEngine(), LANGS)
    assert report.spans[1] == 0
    assert not [f for f in report.findings if f.severity == "error"]
    glossary = load_glossary(project / "glossary.toml")
    for doc in DOCUMENTS:
        seg = segment(load_document(doc))
        for lang in LANGS:
            page = parse(project / "output" / lang / f"{seg.document.slug}.html")
            links = page.links()
            codes = page.texts("code")
            terms = glossary.for_language(lang)
            for unit in seg.units:
                tokens = tokenize(unit.text)
                for token in tokens:
                    info = unit.attrs.get(token.value, {})
                    if token.kind == "open" and token.value.startswith("a"):
                        assert info["href"] in links, (lang, unit.id, info["href"])
                    elif token.kind == "void" and token.value.startswith("code"):
                        assert info["text"] in codes, (lang, unit.id, info["text"])
                    elif token.kind == "void" and token.value.startswith("url"):
                        assert info["text"] in " ".join(page.texts("a", "bdi"))
                elements = _ELEMENT_OF_KIND.get(unit.kind)
                if not elements:
                    continue
                holders = page.texts(*elements)
                plain = "".join(t.value for t in tokens if t.kind == "text")
                wanted = re.findall(r"\d+(?:[.,]\d+)*", plain)
                wanted += [m.replacement for m in terms.find(plain)]
                for piece in wanted:
                    assert any(piece in text for text in holders), (lang, unit.id, piece)
            # A linked glossary term stays the text of its link.
            assert links["https://www.iwf.org.uk/"][0] == "Internet Watch Foundation"
            if lang == "es" and seg.document.slug == "fidelity-inline":
                assert "material de abuso sexual infantil" in page.texts("strong")


class FaultEngine(PseudoEngine):
    """The pseudo engine with one injected fault in every text it returns."""

    def __init__(self, fault: str) -> None:
        self.fault = fault

    def identity(self, source: str, target: str) -> str:
        """Not cacheable with real output."""
        return f"fault-{self.fault}"

    def check(self, source: str, target: str) -> None:
        """Any pair."""

    def release(self) -> None:
        """Nothing loaded."""

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        """Pseudo-translate, then break the output as ``fault`` says."""
        inject: Callable[[str, str], str] = getattr(self, "_" + self.fault)
        out = PseudoEngine().translate(sentences, source, target)
        return [Translation(inject(s, t.text), -1.0) for s, t in zip(sentences, out, strict=True)]

    @staticmethod
    def _drop(source: str, text: str) -> str:
        return PLACEHOLDER_RE.sub("", text, count=1)

    @staticmethod
    def _duplicate(source: str, text: str) -> str:
        match = PLACEHOLDER_RE.search(text)
        return text if not match else text + " " + match.group(0)

    @staticmethod
    def _rename(source: str, text: str) -> str:
        return PLACEHOLDER_RE.sub(lambda m: "{" + str(int(m.group(1)) + 50) + "}", text)

    @staticmethod
    def _reorder(source: str, text: str) -> str:
        found = PLACEHOLDER_RE.findall(text)
        if len(found) < 2:
            return text
        first, second = "{" + found[0] + "}", "{" + found[1] + "}"
        return text.replace(first, "\0").replace(second, first).replace("\0", second)

    @staticmethod
    def _loop(source: str, text: str) -> str:
        return text + " salad salad salad salad"

    @staticmethod
    def _empty(source: str, text: str) -> str:
        return ""

    @staticmethod
    def _source(source: str, text: str) -> str:
        return source


@pytest.mark.parametrize(
    ("fault", "check"),
    [
        ("drop", "placeholder-repaired"),
        ("drop", "glossary-repaired"),
        ("duplicate", "placeholder-repaired"),
        ("rename", "placeholder-repaired"),
        ("rename", "glossary-repaired"),
        ("reorder", "tag-order"),
        ("loop", "repeated"),
        ("empty", "empty"),
        ("source", "untranslated"),
    ],
)
def test_each_fault_is_reported_and_pages_stay_whole(
    tmp_path: Path, fault: str, check: str
) -> None:
    project = make_project(tmp_path)
    report = build_with(project, FaultEngine(fault), ("es", "ar"))
    assert check in {f.id for f in report.findings}
    assert_pages_keep_links(project, ("es", "ar"))
    if fault == "empty":
        # An empty translation is an error: --strict fails.
        assert any(f.severity == "error" for f in report.findings)


def test_fault_engine_without_faults_reports_nothing_serious(tmp_path: Path) -> None:
    """The checks that fire above fire because of the faults, not always."""
    project = make_project(tmp_path)
    report = build_with(project, PseudoEngine(), ("es", "ar"))
    ids = {f.id for f in report.findings}
    assert not ids & {
        "placeholder-repaired",
        "glossary-repaired",
        "tag-order",
        "repeated",
        "empty",
        "untranslated",
        "inline-fallback",
    }


def test_argos_package_keeps_every_link_and_reports_span_methods(
    tmp_path: Path, install_argos: Callable[..., list[Path]]
) -> None:
    install_argos("en-es", "en-ar")
    project = make_project(tmp_path)
    result = CliRunner().invoke(
        main, ["-C", str(project), "build", "--engine", "argos", "--lang", "es,ar"]
    )
    assert result.exit_code == 0, result.output
    assert_pages_keep_links(project, ("es", "ar"))
    (project / ".summary-pipeline" / "last-build.json").unlink()  # a full build again
    report = run_build(project, ["es"], engine_name="argos")
    # Random weights translate nothing: the spans still all get placed somewhere, by the
    # attention alignment or the fallback, and every fallback is a finding.
    placed, fallback, methods = report.spans
    assert sum(methods.values()) == placed + fallback > 0
    fallbacks = [f for f in report.findings if f.id == "inline-fallback"]
    assert len(fallbacks) == fallback


class _ScoredEngine(FaultEngine):
    """Loops one sentence and is least sure of it, to check what reviewers are shown."""

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        out = PseudoEngine().translate(sentences, source, target)
        return [
            Translation(t.text + " salad salad salad salad", -4.0)
            if s.startswith("That is roughly")
            else Translation(t.text, -0.5)
            for s, t in zip(sentences, out, strict=True)
        ]


def test_review_page_and_build_json_show_findings_and_least_confident_units(
    tmp_path: Path,
) -> None:
    import json

    project = make_project(tmp_path)
    build_with(project, _ScoredEngine("loop"), ("es",))
    review = (project / "output" / "review" / "es" / "ai-csam-pledge.html").read_text()
    low = review[review.index("Least confident") : review.index("</ol>")]
    assert low.index("paragraph-7") < low.index("score -0.50")  # the worst unit comes first
    assert "score -4.00" in low
    assert "[repeated]" in review
    data = json.loads((project / "output" / "build.json").read_text())
    assert data["languages"]["es"]["findings"].get("warning", 0) >= 1
    assert any(f["id"] == "repeated" and f["unit_id"] == "paragraph-7" for f in data["findings"])
    twin = json.loads((project / "output" / "review" / "es" / "ai-csam-pledge.json").read_text())
    assert twin["lowest_confidence"][0] == {"id": "paragraph-7", "score": -4.0}
