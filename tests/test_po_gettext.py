"""The PO writer against real gettext: ``msgcat FILE`` gives back the same bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalog import Catalog, Entry, format_catalog, parse_po, read_catalog
from pipeline.cli import main

MSGCAT = shutil.which("msgcat")
pytestmark = pytest.mark.skipif(MSGCAT is None, reason="gettext msgcat is not installed")
LANGS = ("es", "ar", "zh", "hi", "am", "ru")
# Generated catalogs per run: 60 in CI; PO_HYPOTHESIS_EXAMPLES=2000 for a longer search.
EXAMPLES = int(os.environ.get("PO_HYPOTHESIS_EXAMPLES", "60"))
HEADER = {"Language": "es", "Content-Type": "text/plain; charset=UTF-8"}


def _msgcat(path: Path) -> bytes:
    done = subprocess.run([str(MSGCAT), str(path)], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_built_catalogs_are_what_msgcat_writes(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(
        main, ["-C", str(project), "build", "-e", "pseudo", "-l", ",".join(LANGS)]
    )
    assert result.exit_code == 0, result.output
    for lang in LANGS:
        path = project / "locales" / lang / "ai-csam-pledge.po"
        text = path.read_bytes()
        assert _msgcat(path) == text, lang
        # Wide (CJK) text is broken by display columns, as gettext does.
        lines = text.decode().splitlines()
        assert len(lines) > 100
        catalog = read_catalog(path)
        assert catalog is not None and format_catalog(catalog).encode() == text


# Text a reviewer or a model can produce: every script of the example's languages, wide and
# combining characters, quotes, backslashes, C escapes, separators and control characters.
_ALPHABET = st.sampled_from(
    list("abc XYZ 0123456789 .,;:!?-/()[]{}<>\"'\\%$#&*+=~")
    + list("áéñüçøßĀ")
    + list("ابتثجحة")
    + list("हिन्दी")
    + list("አማርኛ")
    + list("русский")
    + list("中文漢字，。「」（）")
    + list("한국어ひらがなカタカナ")
    + ["\n", "\t", "\r", "\f", "\v", "\a", "\b", "\x01", "\x1b", "\x7f"]
    + [
        "\u2028",
        "\u2029",
        "\x85",
        "\u00a0",
        "\u200b",
        "\u200d",
        "\u0301",
        "🙂",
        "\U0001f1ea",
        "\U0001f1f8",
    ]
)
_TEXT = st.text(_ALPHABET, max_size=200)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.tuples(_TEXT, _TEXT, st.booleans()), min_size=1, max_size=6))
def test_hostile_text_is_written_like_msgcat_and_read_back(
    tmp_path: Path, texts: list[tuple[str, str, bool]]
) -> None:
    entries = [
        Entry(
            english or "x",
            translation,
            f"unit-{i}",
            ["fuzzy"] if fuzzy else [],
            comments=["a reviewer's note"],
            previous_msgid=english[::-1] if fuzzy else None,
        )
        for i, (english, translation, fuzzy) in enumerate(texts)
    ]
    entries.append(Entry("gone", texts[0][1] or "y", "old", obsolete=True))
    text = format_catalog(Catalog(["header"], dict(HEADER), entries))
    path = tmp_path / "hostile.po"
    path.write_bytes(text.encode("utf-8"))
    assert _msgcat(path).decode("utf-8") == text
    again = parse_po(text, "hostile.po")
    assert [(e.context, e.msgid, e.msgstr, e.previous_msgid) for e in again.entries] == [
        (e.context, e.msgid, e.msgstr, e.previous_msgid) for e in entries
    ]
    assert format_catalog(again) == text


_LINE = st.text(_ALPHABET.filter(lambda c: c not in "\n\r\x85\u2028\u2029"), max_size=90)
_FLAGS = st.lists(st.sampled_from(["fuzzy", "no-wrap", "wrap", "range: 1..5"]), unique=True)
_PATH = r"[a-z][a-z0-9_-]{0,15}(/[a-z][a-z0-9_.-]{0,15}){0,3}\.md:[1-9][0-9]{0,3}"
_REFS = st.lists(st.from_regex(_PATH, fullmatch=True), max_size=8)


@st.composite
def _entries(draw: st.DrawFn, index: int) -> Entry:
    plural = draw(st.booleans())
    previous = draw(st.none() | _TEXT)  # "#| msgctxt" comes only with a "#| msgid"
    return Entry(
        draw(_TEXT) or "x",
        draw(_TEXT),
        f"unit-{index}",
        draw(_FLAGS),
        comments=draw(st.lists(_LINE, max_size=3)),
        notes=draw(st.lists(_LINE, max_size=2)),
        references=list(dict.fromkeys(draw(_REFS))),
        previous_msgid=previous,
        previous_context=None if previous is None else draw(st.none() | _TEXT),
        msgid_plural=draw(_TEXT) if plural else None,
        plurals=draw(st.lists(_TEXT, min_size=1, max_size=3)) if plural else [],
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(*(_entries(i) for i in range(n)))))
def test_comments_flags_references_and_plurals_are_written_like_msgcat(
    tmp_path: Path, entries: tuple[Entry, ...]
) -> None:
    catalog = Catalog(["header", "", "  indented"], dict(HEADER), list(entries))
    text = format_catalog(catalog)
    path = tmp_path / "shapes.po"
    path.write_bytes(text.encode("utf-8"))
    assert _msgcat(path).decode("utf-8") == text
    again = parse_po(text.replace("\n", "\r\n"), "shapes.po")
    assert again.newline == "\r\n" and again.header_comments == catalog.header_comments
    fields = ("comments", "notes", "references", "previous_context", "msgid_plural", "plurals")
    fields += ("previous_msgid", "msgid", "msgstr")
    for before, after in zip(entries, again.entries, strict=True):
        # A comment line never ends with a backslash (gettext would join the next line).
        comments = [c + " " if c.endswith("\\") else c for c in before.comments]
        notes = [c + " " if c.endswith("\\") else c for c in before.notes]
        expected = replace(before, comments=comments, notes=notes)
        assert [getattr(after, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert format_catalog(again) == text.replace("\n", "\r\n")
