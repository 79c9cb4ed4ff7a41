"""A cold build starts loading its first model while it reads the sources (pipeline.background)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.engines.argos import ArgosEngine

Install = Callable[..., list[Path]]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The thread names on which Argos models were opened, in order."""
    names: list[str] = []
    real = ArgosEngine._open

    def spy(self: ArgosEngine, info: object) -> object:
        names.append(threading.current_thread().name)
        return real(self, info)  # type: ignore[arg-type]

    monkeypatch.setattr(ArgosEngine, "_open", spy)
    yield names
    assert not [t for t in threading.enumerate() if t.name == "model-load"]  # none left behind


def _build(runner: CliRunner, project: Path, *args: str) -> str:
    result = runner.invoke(main, ["-C", str(project), "build", "--engine", "argos", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _pages(project: Path, lang: str) -> dict[str, str]:
    folder = project / "locales" / lang
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.po"))}


def test_cold_build_loads_its_model_in_the_background_with_the_same_result(
    runner: CliRunner,
    project: Path,
    tmp_path: Path,
    install_argos: Install,
    opened: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install_argos("en-es")
    twin = tmp_path / "twin"
    shutil.copytree(project, twin)
    assert "1 model load(s)" in _build(runner, project, "--lang", "es")
    assert opened == ["model-load"]
    monkeypatch.setattr(ArgosEngine, "prefetch", lambda self, source, target: None)
    assert "1 model load(s)" in _build(runner, twin, "--lang", "es")
    assert opened == ["model-load", "MainThread"]
    assert _pages(project, "es") == _pages(twin, "es")


def test_a_build_with_a_memory_loads_no_model_it_does_not_need(
    runner: CliRunner, project: Path, install_argos: Install, opened: list[str]
) -> None:
    install_argos("en-es")
    _build(runner, project, "--lang", "es")
    shutil.rmtree(project / "output")  # rebuilt from the memory alone
    assert "0 text(s) translated, 0 model load(s)" in _build(runner, project, "--lang", "es")
    assert opened == ["model-load"]  # the first build's only


def test_a_wrong_guess_is_dropped_and_not_counted(
    runner: CliRunner, project: Path, install_argos: Install, opened: list[str]
) -> None:
    """The project names es, the document's own front matter ar: ar is built."""
    install_argos("en-es", "en-ar")
    (project / "summary-pipeline.toml").write_text(
        'sources = ["examples/*.md"]\nlanguages = ["es"]\n', encoding="utf-8"
    )
    source = next((project / "examples").glob("*.md"))
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("---\n", "---\nlanguages: [ar]\n", 1), encoding="utf-8")
    output = _build(runner, project)
    assert "in 1 language(s)" in output and "1 model load(s)" in output
    assert (project / "locales" / "ar").is_dir() and not (project / "locales" / "es").exists()
    assert sorted(opened) == ["MainThread", "model-load"]  # es prefetched, unused; ar loaded


@pytest.mark.parametrize(
    ("damaged", "message"),
    [
        ("model/model.bin", "cannot load the Argos model"),  # on the load thread
        ("sentencepiece.model", "cannot load the SentencePiece model"),  # on the main thread
    ],
)
def test_a_damaged_model_fails_the_build_cleanly(
    runner: CliRunner,
    project: Path,
    install_argos: Install,
    isolated_home: Path,
    damaged: str,
    message: str,
) -> None:
    install_argos("en-es")
    (path,) = (isolated_home / "argos-packages").glob(f"*/{damaged}")
    path.write_bytes(b"not a model")
    result = runner.invoke(
        main, ["-C", str(project), "build", "--engine", "argos", "--lang", "es"]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not [t for t in threading.enumerate() if t.name == "model-load"]


def test_the_tokenizer_loads_on_the_caller_while_the_translator_loads_on_its_thread(
    install_argos: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SentencePiece holds the GIL: on the load thread it would only slow the translator down."""
    from pipeline.engines import _argos_model, argos

    names: list[str] = []
    real = _argos_model.open_tokenizer

    def spy(info: argos.models.ModelInfo) -> tuple[object, bool]:
        names.append(threading.current_thread().name)
        return real(info)

    monkeypatch.setattr(argos, "open_tokenizer", spy)
    install_argos("en-es")
    engine = ArgosEngine()
    engine.prefetch("en", "es")
    assert names == ["MainThread"]
    reference = ArgosEngine().translate(["Hello.", "The pledge was signed."], "en", "es")
    got = engine.translate(["Hello.", "The pledge was signed."], "en", "es")
    assert [t.text for t in got] == [t.text for t in reference]
    assert names == ["MainThread", "MainThread"]  # the prefetched one was not loaded again
    engine.release()


def test_prefetch_then_release_unused_loads_nothing(install_argos: Install) -> None:
    install_argos("en-es")
    engine = ArgosEngine()
    engine.prefetch("en", "es")
    engine.prefetch("en", "xx")  # no route: check() reports it, prefetch stays silent
    engine.release()
    assert engine.stats().model_loads == 0
    assert not [t for t in threading.enumerate() if t.name == "model-load"]


def test_a_released_model_is_unloaded_before_the_next_one_loads(
    runner: CliRunner, project: Path, install_argos: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unloading runs on its own thread while the build goes on; one language's model is
    resident at a time all the same."""
    import time

    from pipeline.engines import argos

    install_argos("en-es", "en-fr")
    events: list[str] = []
    real_open, real_unload = ArgosEngine._open, argos._unload

    def spy_open(self: ArgosEngine, info: argos.models.ModelInfo) -> object:
        events.append(f"open {info.to_code}")
        return real_open(self, info)

    def slow_unload(translators: list[object]) -> None:
        events.append(f"unload on {threading.current_thread().name}")
        time.sleep(0.3)  # a slow unload: the next load must still wait for it
        real_unload(translators)
        events.append("unloaded")

    monkeypatch.setattr(ArgosEngine, "_open", spy_open)
    monkeypatch.setattr(argos, "_unload", slow_unload)
    output = _build(runner, project, "--lang", "es", "--lang", "fr")
    assert "2 model load(s)" in output
    for thread in threading.enumerate():
        if thread.name == "model-unload":
            thread.join()
    assert events == [
        "open es", "unload on model-unload", "unloaded",
        "open fr", "unload on model-unload", "unloaded",
    ]


def test_what_pages_need_first_is_prepared_while_the_model_loads(
    runner: CliRunner, project: Path, install_argos: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow model load: the main thread reads the page languages' locale data meanwhile,
    so that it is ready when decoding ends; the pages are the same."""
    import time

    from pipeline.languages import get_language

    install_argos("en-es")
    real_open, real_submit = ArgosEngine._open, ArgosEngine._submit
    known_at_submit: list[int] = []

    def slow_open(self: ArgosEngine, info: object) -> object:
        time.sleep(0.5)
        return real_open(self, info)  # type: ignore[arg-type]

    def spy_submit(self: ArgosEngine, *args: object) -> object:
        known_at_submit.append(get_language.cache_info().currsize)
        return real_submit(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ArgosEngine, "_open", slow_open)
    monkeypatch.setattr(ArgosEngine, "_submit", spy_submit)
    get_language.cache_clear()
    assert "1 model load(s)" in _build(runner, project, "--lang", "es")
    assert known_at_submit and known_at_submit[0] >= 2  # en and es, before any decoding
    page = next((project / "output" / "es").glob("*.html")).read_text(encoding="utf-8")
    assert '<html lang="es"' in page


def test_idle_tasks_run_only_while_waiting_and_never_leak() -> None:
    from pipeline import idle

    done: list[str] = []
    waits = iter([True, True, False])

    def fails() -> None:
        done.append("fails")
        raise RuntimeError("an optimisation that broke")

    with idle.while_waiting([fails, lambda: done.append("b"), lambda: done.append("c")]):
        idle.run_while(lambda: next(waits))  # two tasks, then the wait is over
        assert done == ["fails", "b"]
    idle.run_while(lambda: True)  # after the block: the task left was dropped
    assert done == ["fails", "b"]


def test_idle_tasks_run_on_the_main_thread_only() -> None:
    """A wait on another thread (a pool worker, a test's thread) leaves the tasks alone."""
    from pipeline import idle

    done: list[str] = []
    with idle.while_waiting([lambda: done.append(threading.current_thread().name)]):
        worker = threading.Thread(target=idle.run_while, args=(lambda: True,), name="worker")
        worker.start()
        worker.join()
        assert done == []
        idle.run_while(lambda: True)
    assert done == ["MainThread"]


def test_tasks_left_run_while_the_model_decodes(
    install_argos: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the model wait did not get to is done while a batch decodes: before the batch's
    results are taken, only while it is not done; the translations are the same."""
    from pipeline import idle

    install_argos("en-es")
    texts = ["The charity opened a new food bank.", "Volunteers packed parcels."]
    reference = ArgosEngine().translate(texts, "en", "es")
    events: list[str] = []

    class Slow:
        """A batch's last future, not done the first time it is asked."""

        def __init__(self, future: object) -> None:
            self.future, self.asked = future, 0

        def done(self) -> bool:
            self.asked += 1
            return self.asked > 1 and self.future.done()  # type: ignore[attr-defined]

        def result(self) -> object:
            events.append("result")
            return self.future.result()  # type: ignore[attr-defined]

    real_submit = ArgosEngine._submit

    def spy_submit(self: ArgosEngine, *args: object) -> list[tuple[list[int], list[object]]]:
        pending = real_submit(self, *args)  # type: ignore[arg-type]
        return [(batch, [*futures[:-1], Slow(futures[-1])]) for batch, futures in pending]

    monkeypatch.setattr(ArgosEngine, "_submit", spy_submit)
    with idle.while_waiting([lambda: events.append("task")]):
        got = ArgosEngine(batch_size=64).translate(texts, "en", "es")
    assert events == ["task", "result"]
    assert [t.text for t in got] == [t.text for t in reference]


def test_a_prefetch_without_ctranslate2_fails_where_the_model_is_used(
    install_argos: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CTranslate2 is imported before the load thread starts; if it cannot be, the prefetch
    does not fail the build there but the translation reports it, as without a prefetch."""
    import sys

    from pipeline.errors import ModelError

    install_argos("en-es")
    monkeypatch.delitem(sys.modules, "ctranslate2", raising=False)
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # import ctranslate2 → ImportError
    engine = ArgosEngine()
    engine.prefetch("en", "es")
    with pytest.raises(ModelError, match="ctranslate2 is not installed"):
        engine.translate(["Hello."], "en", "es")
    engine.release()


def test_template_tasks_format_what_the_build_writes(
    runner: CliRunner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tasks that warm the catalogs' line breaking format each template exactly as the
    build writes it (so the cache they fill is the one the build reads); no more documents
    than the cache holds are formatted ahead."""
    from pipeline.catalog.pot import template_path
    from pipeline.config import load_config
    from pipeline.stages import merge
    from pipeline.stages.load import load
    from pipeline.stages.merge import template_preparations

    result = runner.invoke(main, ["-C", str(project), "build", "--engine", "pseudo"])
    assert result.exit_code == 0, result.output
    config = load_config(project)
    sources = load(config)
    tasks = template_preparations(config, sources)
    assert len(tasks) == len(sources.docs) >= 1
    for seg, task in zip(sources.docs, tasks, strict=True):
        written = template_path(config.locales_dir, seg.document.slug).read_text(encoding="utf-8")
        assert task() == written
    monkeypatch.setattr(merge, "PREPARED_UNITS", len(sources.docs[0].units) - 1)
    assert template_preparations(config, sources) == []
