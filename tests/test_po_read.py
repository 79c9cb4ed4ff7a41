"""Valid PO as other tools write it: BOM, CRLF, C escapes, plural entries, odd separators."""

from __future__ import annotations

import gettext
import html
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import REVIEWED, parse_po, read_catalog
from pipeline.cli import main

PO = Path("locales/es/ai-csam-pledge.po")
PAGE = Path("output/es/ai-csam-pledge.html")
MSGFMT = shutil.which("msgfmt")


def _build(runner: CliRunner, project: Path, *langs: str) -> str:
    result = runner.invoke(
        main, ["-C", str(project), "build", "-e", "pseudo", "-l", ",".join(langs or ("es",))]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _entry_block(text: str, context: str) -> tuple[int, int]:
    """Start and end (line numbers) of the entry with ``msgctxt context``."""
    lines = text.split("\n")
    at = lines.index(f'msgctxt "{context}"')
    start = at
    while start > 0 and lines[start - 1]:
        start -= 1
    end = at
    while lines[end]:
        end += 1
    return start, end


def _reviewed_by_hand(text: str, context: str, msgstr_lines: list[str]) -> str:
    """Replace an entry's flags and msgstr as a text editor would (fuzzy flag cleared)."""
    lines = text.split("\n")
    start, end = _entry_block(text, context)
    block = [line for line in lines[start:end] if not line.startswith("#,")]
    first = next(i for i, line in enumerate(block) if line.startswith("msgstr"))
    block[first:] = msgstr_lines
    return "\n".join([*lines[:start], *block, *lines[end:]])


PLURAL = (
    '#, fuzzy\nmsgctxt "extra"\nmsgid "one file"\nmsgid_plural "%d files"\n'
    'msgstr[0] "un archivo"\nmsgstr[1] "%d archivos"\n'
)


@pytest.mark.skipif(MSGFMT is None, reason="gettext msgfmt is not installed")
def test_bom_crlf_c_escapes_and_plurals_build_and_show_what_msgfmt_reads(
    runner: CliRunner, project: Path, tmp_path: Path
) -> None:
    _build(runner, project)
    path = project / PO
    text = _reviewed_by_hand(
        path.read_text("utf-8"),
        "paragraph-1",
        [
            'msgstr ""',
            '"Empresas de tecnolog\\303\\255a y \\x41gencias: "',
            '"un p\\303\\241rrafo."',
        ],
    )
    text = text + "\n" + PLURAL
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))

    # What msgfmt reads (it refuses a BOM, so it is given the file without one).
    plain = tmp_path / "plain.po"
    plain.write_bytes(text.encode("utf-8"))
    subprocess.run([str(MSGFMT), "-o", str(tmp_path / "es.mo"), str(plain)], check=True)
    with (tmp_path / "es.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = read_catalog(path)
    assert catalog is not None
    english = next(e.msgid for e in catalog.entries if e.context == "paragraph-1")
    expected = compiled.pgettext("paragraph-1", english)
    assert expected == "Empresas de tecnología y Agencias: un párrafo."

    output = _build(runner, project)
    assert "byte order mark" in output  # said once, then the file is written without it
    page = (project / PAGE).read_text("utf-8")
    assert html.escape(expected, quote=False) in page
    rewritten = path.read_bytes()
    assert not rewritten.startswith(b"\xef\xbb\xbf")
    assert rewritten.count(b"\r\n") == rewritten.count(b"\n")  # CRLF kept, every line
    assert "tecnología y Agencias" in rewritten.decode("utf-8")
    again = parse_po(rewritten.decode("utf-8"))
    (plural,) = [e for e in again.entries if e.context == "extra"]
    assert plural.obsolete and plural.msgid_plural == "%d files"
    assert [plural.msgstr, *plural.plurals] == ["un archivo", "%d archivos"]
    # The next build changes nothing.
    _build(runner, project)
    assert path.read_bytes() == rewritten


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\f", "\v", "\x1b"])
def test_separators_and_controls_in_reviewer_text_survive_rebuilds(
    runner: CliRunner, project: Path, separator: str
) -> None:
    _build(runner, project)
    path = project / PO
    catalog = read_catalog(path)
    assert catalog is not None
    reviewed = f"Primera parte{separator}segunda parte."
    escaped = reviewed.replace("\f", "\\f").replace("\v", "\\v")
    text = _reviewed_by_hand(path.read_text("utf-8"), "paragraph-1", [f'msgstr "{escaped}"'])
    path.write_text(text, encoding="utf-8")
    for _ in range(2):
        _build(runner, project)
        again = read_catalog(path)
        assert again is not None
        (entry,) = [e for e in again.entries if e.context == "paragraph-1"]
        assert entry.msgstr == reviewed and entry.status == REVIEWED


def test_lone_surrogate_and_bad_utf8_are_refused_naming_the_file(
    runner: CliRunner, project: Path
) -> None:
    _build(runner, project)
    path = project / PO
    text = _reviewed_by_hand(path.read_text("utf-8"), "paragraph-1", ['msgstr "x\\355\\240\\200"'])
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", "-l", "es"])
    assert result.exit_code == 1
    assert "ai-csam-pledge.po:" in result.output and "not valid UTF-8" in result.output
