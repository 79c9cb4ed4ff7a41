"""The PO writer against real gettext: ``msgcat FILE`` gives back the same bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
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
