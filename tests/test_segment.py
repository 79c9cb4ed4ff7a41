"""Segmentation: units, protected content, sentence splitting, and the round trip."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from pipeline.document import load_document
from pipeline.protect import engine_inputs, protect
from pipeline.segment import join, segment
from pipeline.sentences import join_sentences, split_unit

from .conftest import EXAMPLE

RICH = """---
title: "A *title* with <tags>"
summary: Short standfirst.
---

Intro with **bold**, *emphasis*, a [link](https://example.org/a "Link title"), `inline code`,
an autolink <https://example.org/auto>, a bare URL https://example.org/bare and
mail@example.org.\\
After a hard break. ![An image *alt*](pic.png)

## Second level

- one
  - nested **two**
- three

1. first
2. second

> Quoted text.

| Left | Right |
|:-----|------:|
| a    | 1,000 |

```python
print("never translated")
```

<div>raw html</div>

Inline <span>raw</span> html.
"""


class _Structure(HTMLParser):
    """Tags and words of an HTML fragment, ignoring the wrappers that only isolate direction."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self.text = ""

    def flush(self) -> None:
        self.items.extend(self.text.split())
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "bdi":
            return
        self.flush()
        kept = sorted((k, v) for k, v in attrs if k not in ("dir", "style"))
        self.items.append(f"<{tag} {kept}>")

    def handle_endtag(self, tag: str) -> None:
        if tag != "bdi":
            self.flush()
            self.items.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.text += data


def _structure(fragment: str) -> list[str]:
    parser = _Structure()
    parser.feed(fragment)
    parser.flush()
    return parser.items


def _doc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rich.md"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "pic.png").write_bytes(b"an image")  # the image RICH shows
    return path


def test_join_of_segment_gives_back_the_document(tmp_path: Path) -> None:
    for path in (_doc(tmp_path, RICH), EXAMPLE):
        doc = load_document(path)
        seg = segment(doc)
        expected = MarkdownIt("commonmark", {"html": False}).enable("table").render(doc.body)
        # Raw HTML is dropped by design; everything else must come back as it was parsed.
        expected = expected.replace("<p>&lt;div&gt;raw html&lt;/div&gt;</p>\n", "")
        expected = expected.replace("&lt;span&gt;raw&lt;/span&gt;", "raw")
        # The page shows the copy of a local image (pipeline.assets).
        for asset in seg.assets:
            expected = expected.replace(f'src="{asset.source.name}"', f'src="../{asset.target}"')
        assert _structure(join(seg).body_html) == _structure(expected)


def test_units_cover_text_and_never_code_or_urls(tmp_path: Path) -> None:
    seg = segment(load_document(_doc(tmp_path, RICH)))
    kinds = {u.kind for u in seg.units}
    assert {
        "title",
        "summary",
        "paragraph",
        "heading",
        "item",
        "quote",
        "cell",
        "alt",
        "link-title",
    } <= kinds
    everything = " ".join(u.text for u in seg.units)
    sent = " ".join(
        t for u in seg.units for s in split_unit(u.text) for t in engine_inputs(protect(s))
    )
    for secret in ("inline code", "example.org", "mail@example.org", "never translated", "pic.png"):
        assert secret not in sent
    assert "never translated" not in everything
    assert 'print("never translated")' in html.unescape(join(seg).body_html)
    title = next(u for u in seg.units if u.id == "title")
    assert title.text == "A *title* with &lt;tags>"  # front matter is plain text, escaped


def test_raw_html_is_dropped_with_a_warning(tmp_path: Path) -> None:
    seg = segment(load_document(_doc(tmp_path, RICH)))
    body = join(seg).body_html
    assert "<div>" not in body and "<span>" not in body and "raw html<" not in body
    assert "<p>Inline raw html.</p>" in body  # the tags go, the words stay
    assert any("raw HTML block dropped" in w for w in seg.warnings)
    assert any("rich.md:" in w and "'<span>' dropped" in w for w in seg.warnings)


def test_sentence_splitter_survives_abbreviations_decimals_and_quotes() -> None:
    text = (
        "The U.K. Home Secretary spoke at 9 a.m. on Monday. Dr. Smith said prices rose 3.5% "
        'e.g. in London. "It is real," she said. "We warned in July." The IWF found 11,000 images.'
    )
    assert split_unit(text) == [
        "The U.K. Home Secretary spoke at 9 a.m. on Monday.",
        "Dr. Smith said prices rose 3.5% e.g. in London.",
        '"It is real," she said.',
        '"We warned in July."',
        "The IWF found 11,000 images.",
    ]


def test_tags_crossing_a_sentence_boundary_are_split_and_merged_back() -> None:
    tagged = "One <b>two. Three</b> four. See <a1>the <i>site</i></a1>."
    sentences = split_unit(tagged)
    assert sentences == ["One <b>two.</b>", "<b>Three</b> four.", "See <a1>the <i>site</i></a1>."]
    assert join_sentences(sentences, "es") == tagged
    assert join_sentences(["一。", "二。"], "zh") == "一。二。"
