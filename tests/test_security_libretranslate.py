"""Hostile LibreTranslate servers (issue 13, rows 8, 9, 13): a loopback fake, no real server.

The fake (:mod:`pipeline.testing.hostile_server`) echoes requests with the API key, drips
its answers, sends megabytes or the wrong shape. Every attack ends in a clear error or a
problem report, within the deadlines, and the key appears nowhere.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.engines.libretranslate import LibreTranslateEngine, Redactor, Secret
from pipeline.errors import EngineError
from pipeline.memory import TranslationMemory
from pipeline.testing.hostile_server import Behaviour, HostileServer

SECRET = "sk-live-4f9a2c7e1b8d"
PAGE = """\
---
title: "Safe water"
---

Boil water for one minute. Keep it covered.
"""


def _project(tmp_path: Path, timeout: float = 5.0) -> Path:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "water.md").write_text(PAGE, "utf-8")
    (tmp_path / "summary-pipeline.toml").write_text(
        f'sources = ["examples/*.md"]\nlanguages = ["es"]\n[libretranslate]\ntimeout = {timeout}\n',
        "utf-8",
    )
    return tmp_path


def _cli(project: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["-C", str(project), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _no_secret_anywhere(project: Path, *outputs: str) -> None:
    pieces = [SECRET, SECRET[:10], SECRET[-8:]]
    for text in outputs:
        assert not any(p in text for p in pieces), text
    for path in project.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(p.encode() in data for p in pieces), path


# -- row 8: the key, echoed back ------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 500])
def test_an_echoed_api_key_is_never_shown_or_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setenv("SUMMARY_PIPELINE_LT_API_KEY", SECRET)
    project = _project(tmp_path)
    with HostileServer(Behaviour(status=status, echo=True)) as server:
        build = _cli(project, "-vv", "build", "-e", "libretranslate", "--url", server.url)
        check = _cli(project, "engines", "check", "-e", "libretranslate", "--url", server.url)
    assert server.api_keys and set(server.api_keys) == {SECRET}  # it was sent, though
    assert build.exit_code == 1, build.output
    assert "cannot handle" in build.output and "***" in build.output
    assert check.exit_code == 1, check.output
    assert "problem: POST /translate: HTTP" in check.output
    _no_secret_anywhere(project, build.output, check.output)


def test_echoed_key_in_the_manifest_is_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARY_PIPELINE_LT_API_KEY", SECRET)
    project = _project(tmp_path)
    many = " ".join(f"Sentence number {n} is here." for n in range(12))
    (project / "examples" / "water.md").write_text(PAGE + "\n" + many + "\n", "utf-8")
    with HostileServer() as honest, HostileServer(Behaviour(status=403, echo=True)) as echo:
        urls = f"{honest.url},{echo.url}"
        # One text a request: both servers get work at once, the echoing one is ejected.
        build = _cli(project, "build", "-e", "libretranslate", "--url", urls, "--batch-limit", "1")
    assert echo.requests >= 1
    assert build.exit_code == 0, build.output  # the honest server did the rest
    times = json.loads((project / ".summary-pipeline" / "last-run.json").read_text("utf-8"))
    assert "***" in json.dumps(times)
    _no_secret_anywhere(project, build.output)


def test_redactor_hides_every_form_of_the_key() -> None:
    redact = Redactor(Secret(SECRET))
    assert redact(f"key={SECRET}") == "key=***"
    assert SECRET[:12] not in redact(f'{{"api_key": "{SECRET[:12]}…"}}')
    assert SECRET[3:15] not in redact(f"…{SECRET[3:15]}")  # an echo cut at both ends
    assert redact("api_key=abc&q=hi") == "api_key=***&q=hi"
    assert redact("nothing secret here") == "nothing secret here"
    assert Redactor(None)("api_key=abc") == "api_key=abc"


# -- row 9: slow and huge answers -----------------------------------------------------------


def test_a_dripping_server_meets_the_request_deadline() -> None:
    with HostileServer(Behaviour(drip=0.05)) as server:
        engine = LibreTranslateEngine([server.url], timeout=1.0, max_failures=2, backoff=0.05)
        started = time.monotonic()
        with pytest.raises(EngineError) as caught:
            engine.translate(["Boil water for one minute."], "en", "es")
        elapsed = time.monotonic() - started
    assert elapsed < 4.0, elapsed  # two 1-second requests and a short back-off, not 30 s
    assert "no complete answer within 1 s" in caught.value.message


def test_a_dripping_discovery_meets_the_deadline(tmp_path: Path) -> None:
    project = _project(tmp_path, timeout=1.0)
    with HostileServer(Behaviour(drip=0.05, drip_languages=True)) as server:
        started = time.monotonic()
        result = _cli(project, "build", "-e", "libretranslate", "--url", server.url)
        elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert "GET /languages: no complete answer within 1 s" in result.output
    assert elapsed < 5.0, elapsed


def test_the_build_deadline_stops_a_pool_that_keeps_failing() -> None:
    with HostileServer(Behaviour(drip=0.05)) as server:
        engine = LibreTranslateEngine(
            [server.url], timeout=0.5, build_timeout=2.0, max_failures=1000, backoff=0.01
        )
        started = time.monotonic()
        with pytest.raises(EngineError) as caught:
            engine.translate(["Boil water for one minute."], "en", "es")
        elapsed = time.monotonic() - started
    assert elapsed < 3.5, elapsed
    assert "did not finish before the build's deadline" in caught.value.message


def test_a_huge_answer_is_refused_unread() -> None:
    with HostileServer(Behaviour(huge=2_000_000)) as server:
        engine = LibreTranslateEngine([server.url])  # taken out at once, not retried
        started = time.monotonic()
        with pytest.raises(EngineError) as caught:
            engine.translate(["Boil water."], "en", "es")
    assert time.monotonic() - started < 3.0
    assert (
        "POST /translate: answered more than 66240 bytes" in caught.value.message
    )  # 64 KiB + 64/char
    assert server.requests == 1


@pytest.mark.parametrize(
    ("behaviour", "words"),
    [
        (Behaviour(huge=5000), "POST /translate a 5000-character translation of a 1"),
        (Behaviour(extra=1), "answered 3 translation(s) for 2 text(s)"),
        (Behaviour(not_text=True), "a translation that is not text (int)"),
        (Behaviour(raw=b"<html>hello</html>"), "answered 200 without a list of translations"),
    ],
)
def test_implausible_answers_never_reach_the_memory(
    tmp_path: Path, behaviour: Behaviour, words: str
) -> None:
    project = _project(tmp_path)
    (project / "examples" / "water.md").write_text(
        PAGE.replace("Boil water for one minute. Keep it covered.", "Boil water."), "utf-8"
    )
    with HostileServer(behaviour) as server:
        bad = _cli(project, "build", "-e", "libretranslate", "--url", server.url)
    assert bad.exit_code == 1, bad.output
    assert words in bad.output
    memory = TranslationMemory(project / ".summary-pipeline" / "memory.sqlite3")
    assert memory.count() == 0
    memory.close()
    with HostileServer() as honest:
        good = _cli(project, "build", "-e", "libretranslate", "--url", honest.url)
    assert good.exit_code == 0, good.output
    page = (project / "output" / "es" / "water.html").read_text("utf-8")
    assert "xxxxxxxx" not in page and "extra" not in page


# -- row 13: engines check must not say "ok" for a server that cannot translate -------------


@pytest.mark.parametrize(
    ("behaviour", "words"),
    [
        (Behaviour(status=401), "HTTP 401: Invalid API key (the API key was refused)"),
        (Behaviour(status=403), "HTTP 403: Invalid API key (the API key was refused)"),
        (Behaviour(extra=1), "answered 2 translation(s) for 1 text(s)"),
        (Behaviour(extra=-1), "answered 0 translation(s) for 1 text(s)"),
        (Behaviour(raw=b"{not json"), "answered 200 without a list of translations"),
    ],
)
def test_engines_check_fails_on_refusals_and_malformed_answers(
    tmp_path: Path, behaviour: Behaviour, words: str
) -> None:
    project = _project(tmp_path)
    with HostileServer(behaviour) as server:
        result = _cli(project, "engines", "check", "-e", "libretranslate", "--url", server.url)
    assert result.exit_code == 1, result.output
    assert f"{server.url}: reachable" in result.output
    assert f"problem: POST /translate{'' if 'answered' in words else ':'} {words}" in result.output
    assert "ok: every needed language" not in result.output
    assert "Error: libretranslate cannot do en→es" in result.output


def test_engines_check_passes_an_honest_server(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with HostileServer() as server:
        result = _cli(project, "engines", "check", "-e", "libretranslate", "--url", server.url)
    assert result.exit_code == 0, result.output
    assert "ok: every needed language (es) is offered" in result.output
