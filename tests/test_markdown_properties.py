"""Property tests: generated CommonMark documents never break a build, nor their structure.

Documents are drawn from headings, nested lists and quotes, emphasis of every nesting,
links, images, code, tables, hard breaks, literal braces and signs, odd Unicode, and hostile
raw HTML. Each is built through the pseudo engine and the generated Argos package; every
page must be safe and well formed, and its structure equal to markdown-it's rendering.

Settings: the ``ci`` profile (default) runs a bounded number of examples; set
``HYPOTHESIS_PROFILE=thorough`` for many more.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.cli import main

from .structure import has_raw_html, local_images, safety_problems, structure_problems

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=_SLOW_OK, derandomize=True
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=_SLOW_OK
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_WORDS = st.sampled_from(
    [
        *["water", "safe", "the", "report", "children", "under", "five", "adults"],
        *["school", "11,000", "2023", "e.g."],
        *["Ünïcödé", "straße", "İstanbul", "中文", "العربية", "हिन्दी", "😀", "U.K."],
        *["zero\u200bwidth", "non\u00a0breaking", "line\u2028separator", "tab\there"],
    ]
)
_SIGNS = st.sampled_from(["{1}", "{name}", "5 < 6", "a & b", "{2}.", "1. https://example.org/r"])


@st.composite
def _phrase(draw: st.DrawFn, depth: int = 0) -> str:
    """Words and inline markup, nested up to two levels."""
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["word", "word", "sign", "em", "code", "link", "image"]))
        if kind == "word":
            pieces.append(" ".join(draw(st.lists(_WORDS, min_size=1, max_size=3))))
        elif kind == "sign":
            pieces.append(draw(_SIGNS))
        elif kind == "em" and depth < 2:
            mark = draw(st.sampled_from(["*", "_", "**", "__", "***"]))
            pieces.append(f"{mark}{draw(_phrase(depth + 1))}{mark}")
        elif kind == "code":
            pieces.append(f"`{draw(_WORDS)} {{x}}`")
        elif kind == "link" and depth < 2:
            title = draw(st.sampled_from(["", ' "A title"']))
            pieces.append(
                f"[{draw(_phrase(depth + 1))}](https://example.org/{draw(_WORDS)}{title})"
            )
        elif kind == "image":
            src = draw(st.sampled_from(["https://example.org/i.png", "img/local.png"]))
            pieces.append(f'![{draw(_WORDS)}]({src} "Image title")')
        else:
            pieces.append(draw(_WORDS))
    glue = draw(st.sampled_from([" ", " ", "", "  \n", "\\\n", "\n"]))
    return glue.join(pieces) if depth == 0 else " ".join(pieces)


@st.composite
def _block(draw: st.DrawFn, depth: int = 0) -> str:
    kinds = ["paragraph", "heading", "list", "quote", "code", "table", "rule", "hostile"]
    kind = draw(st.sampled_from(kinds if depth < 2 else ["paragraph", "code"]))
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + draw(_phrase()).replace("\n", " ")
    if kind == "list":
        marker = draw(st.sampled_from(["-", "*", "1."]))
        items = draw(st.lists(_block(depth + 1), min_size=1, max_size=3))
        pad = " " * (len(marker) + 1)
        return "\n".join(f"{marker} " + item.replace("\n", "\n" + pad) for item in items)
    if kind == "quote":
        return "> " + draw(_block(depth + 1)).replace("\n", "\n> ")
    if kind == "code":
        return f"```\n{draw(_WORDS)} <b>{{1}}</b>\n```"
    if kind == "table":
        cells = draw(st.lists(_phrase(2), min_size=2, max_size=3))
        row = "| " + " | ".join(c.replace("|", " ") for c in cells) + " |"
        return f"{row}\n|{'---|' * len(cells)}\n{row}"
    if kind == "rule":
        return "---"
    if kind == "hostile":
        return draw(
            st.sampled_from(
                [
                    "<script>alert(1)</script>",
                    'Text <img src=x onerror="alert(1)"> more.',
                    "[click](javascript:alert(1)) and <a href='javascript:x'>y</a>",
                    '<div onclick="go()">raw</div>',
                ]
            )
        )
    return draw(_phrase())


_DOCUMENTS = st.lists(_block(), min_size=1, max_size=6).map(lambda blocks: "\n\n".join(blocks))


def _write(project: Path, body: str) -> None:
    (project / "doc.md").write_text(f"---\ntitle: Generated\n---\n{body}\n", encoding="utf-8")
    for image in local_images(body):
        (project / image).parent.mkdir(parents=True, exist_ok=True)
        (project / image).write_bytes(b"an image")


def _check(runner: CliRunner, project: Path, body: str, engine: str, langs: str) -> None:
    # A real model reorders words, and the markup with them; the pseudo engine never does.
    ordered = engine == "pseudo"
    _write(project, body)
    result = runner.invoke(main, ["-C", str(project), "build", "--engine", engine, "--lang", langs])
    assert result.exit_code == 0, f"{body!r}\n{result.output[-2000:]}"
    assert "Traceback" not in result.output
    for lang in ["en", *langs.split(",")]:
        page = (project / "output" / lang / "doc.html").read_text(encoding="utf-8")
        assert safety_problems(page) == [], (lang, body)
        if not has_raw_html(body):
            assert structure_problems(body, page, ordered) == [], (lang, body)


def _project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "summary-pipeline.toml").write_text(
        'sources = ["doc.md"]\nformats = ["html"]\n', encoding="utf-8"
    )
    return root


# Documents the thorough profile once found broken, kept as regression examples.
@example(body="[*water water* {1} *water*](https://example.org/water)waterwater")
@example(body="[*{1} water* {1} *water*](https://example.org/water)waterwater")
@example(body="[{1} water](https://example.org/water) *water water*")
@example(
    body="*[water ![w](https://example.org/i.png) water](https://example.org/x) *water* {1}* *w*"
)
@example(body="**water* *😀**")
@example(body="**`water {x}`* water*")
@example(body="water ***`water {x}`***")
@example(body="`water {x}`  \n`water {x}`  \n{name}")
@example(body="water  \n[`water {x}`](https://example.org/water)  \nwater")
@example(body='water *![water](https://example.org/i.png "Image title") {1}*')
@example(body="water\n\n*`water {x}`* water water")
@given(body=_DOCUMENTS)
def test_generated_documents_through_the_pseudo_engine(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    monkeypatch.setattr("pipeline.output.os.fsync", lambda fd: None)
    _check(runner, _project(tmp_path / "pseudo"), body, "pseudo", "es,ar")


@settings(max_examples=max(settings().max_examples // 4, 5))
@given(body=_DOCUMENTS)
def test_generated_documents_through_the_generated_argos_package(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    install_argos: Callable[..., list[Path]],
    body: str,
) -> None:
    monkeypatch.setattr("pipeline.output.os.fsync", lambda fd: None)
    if not list((Path(os.environ["ARGOS_PACKAGES_DIR"])).glob("*")):
        install_argos("en-es")
    _check(runner, _project(tmp_path / "argos"), body, "argos", "es")
