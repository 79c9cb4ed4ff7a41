"""The libretranslate engine against real LibreTranslate 1.9.6 servers on loopback ports.

The servers serve generated packages (same model under es, fr and ar) that carry a small
MiniSBD splitter, fully offline. A small proxy in front of a real server counts requests and
injects 429/500 answers; nothing here imitates LibreTranslate's API. Servers start once per
session, in parallel. Without ``.lt-venv/`` these tests are skipped on a developer machine and
fail in CI (``CI`` set), where ``bash .ci/run`` installs LibreTranslate first.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import logging
import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.build import BUILD, Build
from pipeline.cli import main
from pipeline.config import Flag, load_config
from pipeline.engines import EngineContext, create_engine
from pipeline.engines.libretranslate import LibreTranslateEngine, Settings, parse_urls
from pipeline.errors import ConfigError
from pipeline.secret import Secret
from pipeline.testing.libretranslate_server import (
    LibreTranslateServer,
    free_port,
    install_packages,
    libretranslate_executable,
    make_packages,
)

from .conftest import EXAMPLE, ROOT
from .helpers import build_record

LANGS = ["es", "fr", "ar"]
SLUG = EXAMPLE.stem

needs_servers = pytest.mark.libretranslate


def _require_libretranslate() -> None:
    if libretranslate_executable() is not None:
        return
    if os.environ.get("CI"):
        pytest.fail(
            "CI: LibreTranslate is not installed; .ci/run must run setup.sh --libretranslate"
        )
    pytest.skip(
        "LibreTranslate is not installed here (bash setup.sh --libretranslate); CI runs these"
    )


# -- fixtures: servers, projects, a proxy ------------------------------------------------------


@pytest.fixture(scope="session")
def lt_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, LibreTranslateServer]]:
    """Three servers started in parallel: "a" plain, "b" with small limits, "victim" (killed)."""
    _require_libretranslate()
    base = tmp_path_factory.mktemp("libretranslate")
    packages = make_packages(base / "packages", LANGS, cache_dir=base / "cache")
    packages_dir = install_packages(packages, base / "installed")
    languages = ["en", *LANGS]
    servers = {
        "a": LibreTranslateServer(packages_dir, base / "a", languages),
        # LibreTranslate answers 400 above these limits; the pool must adapt.
        "b": LibreTranslateServer(
            packages_dir,
            base / "b",
            languages,
            extra_args=["--batch-limit", "3", "--char-limit", "200"],
        ),
        "victim": LibreTranslateServer(packages_dir, base / "victim", languages),
    }
    try:
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def _new_project(folder: Path) -> Path:
    (folder / "examples").mkdir(parents=True)
    shutil.copy(EXAMPLE, folder / "examples" / EXAMPLE.name)
    for name in ("summary-pipeline.toml", "glossary.toml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, folder / name)
    return folder


def _published(project: Path) -> dict[str, bytes]:
    """Pages and catalogs: what a reader and a reviewer see (build.json holds run counts)."""
    files = {}
    for lang in ["en", *LANGS]:
        page = project / "output" / lang / f"{SLUG}.html"
        files[f"output/{lang}/{SLUG}.html"] = page.read_bytes()
    files["output/index.html"] = (project / "output" / "index.html").read_bytes()
    for lang in LANGS:
        catalog = project / "locales" / lang / f"{SLUG}.po"
        files[f"locales/{lang}/{SLUG}.po"] = catalog.read_bytes()
    return files


def _cli_build(project: Path, urls: list[str], *extra: str, langs: list[str] = LANGS) -> Any:
    args = ["-C", str(project), "build", "--engine", "libretranslate", "-l", ",".join(langs)]
    for url in urls:
        args += ["--url", url]
    return CliRunner().invoke(main, [*args, *extra])


@pytest.fixture(scope="session")
def reference(
    lt_servers: dict[str, LibreTranslateServer], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, bytes]:
    """The example built through server "a" alone."""
    project = _new_project(tmp_path_factory.mktemp("reference"))
    result = _cli_build(project, [lt_servers["a"].url])
    assert result.exit_code == 0, result.output
    return _published(project)


class _Proxy:
    """A loopback HTTP proxy to one real server: counts requests, can answer errors first."""

    def __init__(self, upstream: str, failures: list[int] | None = None) -> None:
        self.upstream = upstream
        self.failures = list(failures or [])
        self.counts: Counter[str] = Counter()
        self.api_keys: list[str | None] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._forward(None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._forward(self.rfile.read(length))

            def _forward(self, body: bytes | None) -> None:
                key = f"{self.command} {self.path}"
                with proxy.lock:
                    proxy.counts[key] += 1
                    if body is not None:
                        proxy.api_keys.append(json.loads(body).get("api_key"))
                    status = proxy.failures.pop(0) if body is not None and proxy.failures else 0
                if status:
                    self._answer(status, json.dumps({"error": f"injected {status}"}).encode())
                    return
                request = urllib.request.Request(
                    proxy.upstream + self.path,
                    data=body,
                    method=self.command,
                    headers={"Content-Type": "application/json"},
                )
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                try:
                    with opener.open(request, timeout=60) as response:
                        self._answer(response.status, response.read())
                except urllib.error.HTTPError as err:
                    self._answer(err.code, err.read())

            def _answer(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def translate_requests(self) -> int:
        return self.counts["POST /translate"]


def _po_entries(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a PO file, multi-line strings joined (header skipped)."""
    entries: list[tuple[str, str]] = []
    msgid = msgstr = None
    target = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            if msgid is not None and msgstr is not None:
                entries.append((msgid, msgstr))
            msgid, msgstr, target = json.loads(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, target = json.loads(line[7:]), "str"
        elif line.startswith('"') and msgid is not None:
            if target == "id":
                msgid += json.loads(line)
            elif msgstr is not None:
                msgstr += json.loads(line)
        elif not line.strip():
            target = ""
    if msgid is not None and msgstr is not None:
        entries.append((msgid, msgstr))
    return [(i, s) for i, s in entries if i]


# -- tests with servers ----------------------------------------------------------------------


@needs_servers
def test_pool_of_two_builds_the_example_completely(
    lt_servers: dict[str, LibreTranslateServer], reference: dict[str, bytes], tmp_path: Path
) -> None:
    a, b = lt_servers["a"], lt_servers["b"]
    project = _new_project(tmp_path / "p")
    result = _cli_build(project, [f"{a.url},{b.url}"])
    assert result.exit_code == 0, result.output

    published = _published(project)
    assert published == reference  # same model behind both servers: identical pages
    for lang in LANGS:
        entries = _po_entries(project / "locales" / lang / f"{SLUG}.po")
        assert len(entries) > 20
        assert all(msgstr.strip() for _, msgstr in entries), lang
        assert (project / "output" / lang / f"{SLUG}.html").stat().st_size > 1000

    manifest = build_record(project)
    for lang in LANGS:
        entry = manifest["languages"][lang]
        servers = entry["servers"]
        # Both servers took work, and every text was accepted exactly once.
        assert set(servers) == {a.url, b.url}
        assert all(s["sentences"] > 0 for s in servers.values()), servers
        assert sum(s["sentences"] for s in servers.values()) == entry["engine_texts"]
        assert entry["model"] == f"libretranslate:en-{lang}"
    run = json.loads((project / ".summary-pipeline" / "last-run.json").read_text())
    assert all(s["seconds"] > 0 for s in run["languages"]["es"]["servers"].values())
    assert all(s["in_pool"] for s in run["servers"])


@needs_servers
def test_server_limits_shrink_batches_and_long_texts_go_elsewhere(
    lt_servers: dict[str, LibreTranslateServer],
) -> None:
    a, b = lt_servers["a"], lt_servers["b"]
    engine = LibreTranslateEngine([b.url, a.url], batch_limit=16)
    texts = [f"Sentence {i} is about the pledge." for i in range(10)] + ["Long words. " * 30]
    out = engine.translate(texts, "en", "es")
    assert all(t.text for t in out)
    server_b = engine.servers[0]
    assert server_b.batch_limit == 3  # learnt from its 400 answer
    assert server_b.char_limit == 200  # read from /frontend/settings
    stats = engine.stats().servers["es"]
    assert stats[a.url].sentences + stats[b.url].sentences == len(texts)
    # The same texts through "a" alone give the same translations, in the same order.
    alone = LibreTranslateEngine([a.url]).translate(texts, "en", "es")
    assert [t.text for t in out] == [t.text for t in alone]


@needs_servers
def test_a_server_killed_mid_build_changes_nothing(
    lt_servers: dict[str, LibreTranslateServer], reference: dict[str, bytes], tmp_path: Path
) -> None:
    a, victim = lt_servers["a"], lt_servers["victim"]
    project = _new_project(tmp_path)
    config = load_config(
        project,
        {
            "engine": Flag("libretranslate", "--engine"),
            "languages": Flag(LANGS, "--lang"),
            "libretranslate.urls": Flag([a.url, victim.url], "--url"),
            # many requests, so the kill lands mid-build
            "libretranslate.batch_limit": Flag(4, "--batch-limit"),
        },
    )
    engine = create_engine(
        "libretranslate", config.settings_of("libretranslate"), EngineContext(project)
    )
    assert isinstance(engine, LibreTranslateEngine)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["report"] = Build(config, BUILD, engine=engine).run()
        except BaseException as err:  # reported in the test thread
            outcome["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    victim_state = engine.servers[1]
    while not any(s.requests for s in victim_state.stats.values()):
        assert time.monotonic() < deadline, "the victim never answered"
        assert thread.is_alive(), outcome
        time.sleep(0.01)
    victim.kill()  # SIGKILL while it holds requests in flight
    thread.join(120)
    assert "error" not in outcome, outcome.get("error")

    assert _published(project) == reference
    stats = engine.stats()
    assert sum(s.retries for s in victim_state.stats.values()) >= 1  # its requests failed
    report = outcome["report"]
    for lang in LANGS:
        accepted = sum(s.sentences for s in stats.servers.get(lang, {}).values())
        assert accepted == report.translated[lang].result.engine_texts  # none lost, none twice


@needs_servers
def test_429_and_500_answers_are_retried(
    lt_servers: dict[str, LibreTranslateServer], reference: dict[str, bytes], tmp_path: Path
) -> None:
    project = _new_project(tmp_path)
    with _Proxy(lt_servers["a"].url, failures=[429, 429, 500, 500]) as proxy:
        result = _cli_build(project, [proxy.url], langs=["es"])
        assert result.exit_code == 0, result.output
        assert not proxy.failures  # every injected failure was answered
    # The same translations as without failures (the page differs: it links one language).
    assert (project / f"locales/es/{SLUG}.po").read_bytes() == reference[f"locales/es/{SLUG}.po"]
    manifest = build_record(project)
    retries = sum(
        s["retries"] for entry in manifest["languages"].values() for s in entry["servers"].values()
    )
    assert retries == 4


@needs_servers
def test_a_server_that_keeps_failing_fails_the_build_with_its_answers(
    lt_servers: dict[str, LibreTranslateServer], tmp_path: Path
) -> None:
    project = _new_project(tmp_path)
    with _Proxy(lt_servers["a"].url, failures=[503] * 20) as proxy:
        result = CliRunner().invoke(
            main,
            ["-C", str(project), "build", "-e", "libretranslate", "--url", proxy.url, "-l", "es"],
        )
    assert result.exit_code == 1
    assert f"no LibreTranslate server can finish en→es:\n  {proxy.url}: taken out" in result.output
    assert "HTTP 503: injected 503" in result.output
    assert not (project / "output" / "es").exists()


@needs_servers
def test_rebuild_sends_no_translation_request(
    lt_servers: dict[str, LibreTranslateServer], tmp_path: Path
) -> None:
    project = _new_project(tmp_path)
    with _Proxy(lt_servers["a"].url) as proxy:
        first = _cli_build(project, [proxy.url])
        assert first.exit_code == 0, first.output
        sent = proxy.translate_requests
        assert sent > 0
        before = dict(proxy.counts)
        second = _cli_build(project, [proxy.url])
        assert second.exit_code == 0, second.output
        assert proxy.translate_requests == sent  # the memory answered everything
        assert "0 text(s) translated" in second.output
        # Only the identity is asked again: one look at each discovery endpoint.
        asked = {k: n - before.get(k, 0) for k, n in proxy.counts.items() if n > before.get(k, 0)}
        assert asked == {"GET /languages": 1, "GET /frontend/settings": 1}

        # Upgraded models: the operator changes the tag, and the memory no longer matches.
        with (project / "summary-pipeline.toml").open("a") as toml:
            toml.write('\n[libretranslate]\nmodel_tag = "models-2"\n')
        third = _cli_build(project, [proxy.url])
        assert third.exit_code == 0, third.output
        assert proxy.translate_requests == 2 * sent
    manifest = json.loads((project / "output" / "build.json").read_text())
    assert manifest["languages"]["es"]["model"] == "libretranslate:models-2:en-es"


@needs_servers
def test_wrong_url_and_missing_language_give_clear_errors(
    lt_servers: dict[str, LibreTranslateServer], tmp_path: Path
) -> None:
    a = lt_servers["a"]
    project = _new_project(tmp_path)
    closed = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(
        main,
        [
            "-C",
            str(project),
            "build",
            "-e",
            "libretranslate",
            "--url",
            closed,
            "--url",
            a.url + "/v2",
        ],
    )
    assert result.exit_code == 1
    assert "no LibreTranslate server can translate en→es:" in result.output
    assert f"{closed}: GET /languages: cannot connect" in result.output
    assert f"{a.url}/v2: GET /languages: HTTP 404 (not a LibreTranslate URL?)" in result.output

    result = CliRunner().invoke(
        main, ["-C", str(project), "build", "-e", "libretranslate", "--url", a.url, "-l", "es,de"]
    )
    assert result.exit_code == 1
    assert (
        f"no LibreTranslate server can translate en→de:\n  {a.url}: offers en→ar, es, fr, not de"
        in result.output
    )
    assert not (project / "output" / "es").exists()  # nothing built before the check


@needs_servers
def test_api_key_is_sent_but_never_written(
    lt_servers: dict[str, LibreTranslateServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-do-not-leak-7f3a9c"
    monkeypatch.setenv("SUMMARY_PIPELINE_LT_API_KEY", secret)
    project = _new_project(tmp_path)
    with _Proxy(lt_servers["a"].url, failures=[500]) as proxy:
        result = CliRunner().invoke(
            main,
            [
                "-C",
                str(project),
                "-vv",
                "build",
                "-e",
                "libretranslate",
                "--url",
                proxy.url,
                "-l",
                "es",
            ],
        )
        assert result.exit_code == 0, result.output
        assert proxy.api_keys and set(proxy.api_keys) == {secret}
    flag_secret = "sk-flag-3b1d"
    failing = CliRunner().invoke(
        main,
        [
            "-C",
            str(project),
            "-vv",
            "build",
            "-e",
            "libretranslate",
            "--api-key",
            flag_secret,
            "--url",
            f"http://127.0.0.1:{free_port()}",
            "-l",
            "es",
        ],
    )
    assert failing.exit_code == 1
    for text in (result.output, failing.output):
        assert secret not in text and flag_secret not in text
    for path in project.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data and flag_secret.encode() not in data, path


def _engines_check(project: Path, langs: str, *urls: str) -> Any:
    """``summary-pipeline engines check`` for the libretranslate engine."""
    args = ["-C", str(project), "engines", "check", "-e", "libretranslate", *urls, "-l", langs]
    return CliRunner().invoke(main, args)


@needs_servers
def test_engines_check_reports_each_server(
    lt_servers: dict[str, LibreTranslateServer], tmp_path: Path
) -> None:
    a, b = lt_servers["a"], lt_servers["b"]
    project = _new_project(tmp_path)
    ok = _engines_check(project, "es,fr", "--url", f"{a.url},{b.url}")
    assert ok.exit_code == 0, ok.output
    for server in (a, b):
        assert f"{server.url}: reachable\n  offers en→ar, es, fr\n" in ok.output
    assert "  needed: es, fr offered; none missing" in ok.output
    assert ok.output.count("one sentence en→es: ") == 2
    assert "ok: every needed language (es, fr) is offered" in ok.output

    closed = f"http://127.0.0.1:{free_port()}"
    bad = _engines_check(project, "es,de", "--url", a.url, "--url", closed)
    assert bad.exit_code == 1
    assert f"{closed}: unreachable\n  problem: GET /languages: cannot connect" in bad.output
    assert "  needed: es offered; de missing" in bad.output
    assert "Error: libretranslate cannot do en→de" in bad.output


# -- tests without servers -----------------------------------------------------------------


def test_urls_are_validated_and_split() -> None:
    assert parse_urls(["http://127.0.0.1:5000/, https://lt.example.org/api", "http://[::1]:5"]) == [
        "http://127.0.0.1:5000",
        "https://lt.example.org/api",
        "http://[::1]:5",
    ]
    with pytest.raises(ConfigError, match="'ftp://x' is not an http:// or https:// URL"):
        parse_urls("ftp://x")
    with pytest.raises(ConfigError, match="name at least one server"):
        parse_urls([])


def test_config_takes_a_libretranslate_table_but_no_key(tmp_path: Path) -> None:
    (tmp_path / "summary-pipeline.toml").write_text(
        'engine = "libretranslate"\n[libretranslate]\nurls = ["http://127.0.0.1:5000"]\n'
        "batch_limit = 8\n"
    )
    config = load_config(tmp_path, {"libretranslate.api_key": Flag("k-123", "--api-key")})
    settings = config.settings_of("libretranslate")
    assert isinstance(settings, Settings)
    assert settings.urls == ("http://127.0.0.1:5000",)
    assert settings.batch_limit == 8
    key = settings.api_key
    assert isinstance(key, Secret) and key.reveal() == "k-123"
    assert "k-123" not in repr(config) and "k-123" not in json.dumps(
        dataclasses.asdict(settings), default=str
    )

    (tmp_path / "summary-pipeline.toml").write_text(
        '[libretranslate]\nurls = "http://127.0.0.1:5000"\napi_key = "k-456"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert "libretranslate.api_key: keep secrets out of the project file" in caught.value.message
    assert "k-456" not in caught.value.message

    (tmp_path / "summary-pipeline.toml").write_text('engine = "libretranslate"\n')
    with pytest.raises(ConfigError, match=r"libretranslate\.urls: name at least one server"):
        load_config(tmp_path)


def test_plain_http_to_another_host_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="pipeline")
    # Constructing the engine sends nothing; the warning is about what a build would do.
    LibreTranslateEngine(
        [
            "http://lt1.example.org",
            "http://lt2.example.org:5000",
            "https://lt3.example.org",
            "http://127.0.0.1:5000",
            "http://localhost:5000",
        ]
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "plain http:// to http://lt1.example.org, http://lt2.example.org:5000: the handouts' "
        "text crosses the network unencrypted (use https:// unless this network is trusted)"
    ]
    caplog.clear()
    LibreTranslateEngine(["http://127.0.0.1:5000", "https://lt3.example.org"])
    assert not caplog.records


def test_minisbd_model_splits_like_a_sentence_splitter(tmp_path: Path) -> None:
    from minisbd import SBDetect

    from pipeline.testing.minisbd_model import build_minisbd_model

    path = tmp_path / "en.onnx"
    path.write_bytes(build_minisbd_model("en"))
    detector = SBDetect(str(path), use_gpu=False)
    assert detector.sentences(
        "The pledge was signed. Was it enough? Yes! e.g. not. Done {1} now."
    ) == [
        "The pledge was signed.",
        "Was it enough?",
        "Yes! e.g. not.",
        "Done {1} now.",
    ]
    assert detector.sentences("One") == ["One"]


def test_engines_check_for_a_local_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["-C", str(tmp_path), "engines", "check", "-e", "pseudo", "-l", "es,ar"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "en→es: ok (pseudo-1)\nen→ar: ok (pseudo-1)\n"
        "ok: every needed language (es, ar) is offered\n"
    )
