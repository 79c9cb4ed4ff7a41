"""The LibreTranslate pool shares (language, batch) work across servers (issue 15).

Loopback fake servers that take a fixed time per request, one request at a time (like a
server with one core): four of them must finish six languages at least 3.2 times sooner
than one. Language after language, four servers cannot: each language's three batches
leave one server idle.
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.engines.libretranslate import LibreTranslateEngine
from pipeline.testing.hostile_server import Behaviour, HostileServer

LANGS = ("es", "fr", "de", "it", "pt", "nl")
LATENCY = 0.15
# 35 texts in batches of 16: three batches per language, 18 in all.
TEXTS = [f"Sentence number {n} is about the water supply." for n in range(35)]


def _timed_pool(servers: int) -> tuple[float, list[list[str]], list[HostileServer]]:
    """Seconds to translate TEXTS into every language of LANGS with ``servers`` servers."""
    behaviour = Behaviour(targets=LANGS, latency=LATENCY, one_at_a_time=True)
    with ExitStack() as stack:
        fakes = [stack.enter_context(HostileServer(behaviour)) for _ in range(servers)]
        engine = LibreTranslateEngine([f.url for f in fakes], batch_limit=16, in_flight=2)
        for lang in LANGS:
            engine.check("en", lang)  # discovery is not what is timed
        started = time.monotonic()
        out = engine.translate_many([(lang, TEXTS) for lang in LANGS], "en")
        seconds = time.monotonic() - started
    return seconds, [[t.text for t in lang] for lang in out], fakes


def test_four_servers_are_at_least_3_2_times_one() -> None:
    """Four one-core servers against one, all six languages in one call."""
    one, out_one, _ = _timed_pool(1)
    four, out_four, fakes = _timed_pool(4)
    expected = [f"[{t}]" for t in TEXTS]
    assert out_one == out_four == [expected] * len(LANGS)
    assert one >= 18 * LATENCY  # one request at a time, 18 batches
    print(f"pool: one server {one:.2f} s, four {four:.2f} s, {one / four:.2f} x")
    assert one / four >= 3.2, (one, four)
    assert all(f.requests >= 4 for f in fakes)  # every server took its share


def test_a_build_shares_its_languages_over_the_pool(tmp_path: Path) -> None:
    """Through the CLI: three languages, two servers, every text translated once."""
    (tmp_path / "examples").mkdir()
    body = " ".join(f"Point {n} of the plan is ready." for n in range(20))
    (tmp_path / "examples" / "plan.md").write_text(
        f'---\ntitle: "The plan"\n---\n\n{body}\n', "utf-8"
    )
    (tmp_path / "summary-pipeline.toml").write_text(
        'sources = ["examples/*.md"]\nlanguages = ["es", "fr", "de"]\n', "utf-8"
    )
    behaviour = Behaviour(targets=LANGS, latency=0.02)
    with HostileServer(behaviour) as first, HostileServer(behaviour) as second:
        urls = f"{first.url},{second.url}"
        args = ["-C", str(tmp_path), "build", "-e", "libretranslate", "--url", urls]
        result = CliRunner().invoke(main, [*args, "--batch-limit", "4"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "output" / "fr" / "plan.html").read_text("utf-8")
    assert "[Point 7 of the plan is ready.]" in page
    run = json.loads((tmp_path / ".summary-pipeline" / "last-run.json").read_text("utf-8"))
    text = json.dumps(run)
    for lang in ("es", "fr", "de"):
        assert f'"{lang}"' in text
    # 21 texts (title and 20 sentences) per language, 4 a request: 6 requests per language.
    assert first.requests + second.requests == 3 * 6
    assert first.requests and second.requests  # both servers worked
