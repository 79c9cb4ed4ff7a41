"""End to end, in fresh processes, side by side in one run (issue 15); writes bench/RESULTS.md.

    .venv/bin/python bench/run.py            # full: 5 repeats; 5, 10, 20 MB pseudo summaries
    .venv/bin/python bench/run.py --quick    # a few minutes: 1 repeat; 0.5, 1, 2 MB

Measured (every build is a fresh ``summary-pipeline`` process, interpreter start included):
  (1) a cold build of one language (300 sentences; no memory, catalogs, output or state)
      against a raw CTranslate2 process (start, import, load, SentencePiece, one
      ``translate_batch`` over the very texts the pipeline sends), at beam 1 and beam 2;
  (2) the same build again, nothing changed; (3) a template edit: one language with the
      Argos engine (model loads counted), six languages with the pseudo engine;
  (4) peak memory (VmHWM) and time of pseudo summaries of growing size, and what holds the
      memory (tracemalloc, top lines, taken as rendering starts, on the smallest size);
  (5) the LibreTranslate pool on loopback servers with a fixed latency per request;
  (6) the Argos engine asked for attention everywhere vs only where spans are placed.
The model is the Argos-sized stand-in of bench/run.py (``argos_package.BASE``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import run as base  # bench/run.py: isolation, no network, the document set, child runs

E2E = base.CACHE / "e2e"
RAW = r"""
import json, sys
import ctranslate2, sentencepiece
model, texts_file, beam, batch, inter, intra = sys.argv[1:7]
texts = json.load(open(texts_file))
translator = ctranslate2.Translator(model + "/model", device="cpu", compute_type="auto",
                                    inter_threads=int(inter), intra_threads=int(intra))
sp = sentencepiece.SentencePieceProcessor(model_file=model + "/sentencepiece.model")
tokens = [sp.encode(t, out_type=str) for t in texts]
out = translator.translate_batch(tokens, beam_size=int(beam), max_batch_size=int(batch))
assert len([sp.decode_pieces(o.hypotheses[0]) for o in out]) == len(texts)
"""
# A build that reports, as rendering starts, which source lines hold the most memory.
TRACE = r"""
import json, os, sys, tracemalloc
tracemalloc.start(1)
import pipeline.stages.render as stage  # pipeline.build imports it when it renders
real = stage.render_documents
def traced(*args, **kwargs):
    snap = tracemalloc.take_snapshot()
    top = snap.statistics("lineno")[:12]
    rows = [[str(s.traceback[0]), s.size / 2**20, s.count] for s in top]
    json.dump({"top": rows, "now_mb": tracemalloc.get_traced_memory()[0] / 2**20},
              open(os.environ["BENCH_TRACE"], "w"))
    return real(*args, **kwargs)
stage.render_documents = traced
from pipeline.cli import main
main(prog_name="summary-pipeline")
"""


@dataclass
class Results:
    """Everything one run measured."""

    quick: bool
    cold: dict[int, list[float]] = field(default_factory=dict)  # beam → build seconds
    raw: dict[int, list[float]] = field(default_factory=dict)  # beam → raw process seconds
    texts: int = 0
    noop: float = 0.0
    noop_imports: list[str] = field(default_factory=list)
    edit_argos: tuple[float, str] = (0.0, "")
    edit_pseudo: tuple[float, str] = (0.0, "")
    sizes: list[tuple[float, float, float]] = field(default_factory=list)  # MB, s, peak MB
    trace: dict[str, Any] = field(default_factory=dict)
    pool: dict[str, float] = field(default_factory=dict)
    attention: dict[str, float] = field(default_factory=dict)
    load: list[str] = field(default_factory=list)


def _project(name: str, files: dict[str, str], languages: list[str], engine: str) -> Path:
    folder = E2E / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "examples").mkdir(parents=True)
    for file, text in files.items():
        (folder / "examples" / file).write_text(text, encoding="utf-8")
    (folder / "summary-pipeline.toml").write_text(
        f'sources = ["examples/*.md"]\nlanguages = {json.dumps(languages)}\n'
        f'formats = ["html"]\nengine = "{engine}"\n',
        encoding="utf-8",
    )
    return folder


def _clean(project: Path) -> None:
    """Cold: no memory, catalogs, output or state. The per-user model checksum cache stays,
    as it does for a new project (the model is named without reading it again)."""
    for name in (".summary-pipeline", "locales", "output"):
        shutil.rmtree(project / name, ignore_errors=True)


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=base.ROOT, capture_output=True)
    return time.perf_counter() - started


def install_es(log: Callable[[str], None]) -> Path:
    """The stand-in model for en→es, built once and installed (bench/cache)."""
    from pipeline import models
    from pipeline.testing.argos_package import BASE, build_argos_package

    for info in models.installed():
        if (info.from_code, info.to_code) == ("en", "es") and info.path is not None:
            return info.path
    package = build_argos_package(
        base.CACHE / "packages",
        to_code="es",
        size=BASE,
        seed=base.SEED,
        cache_dir=base.CACHE / "models",
    )
    log("installed the en→es stand-in model")
    return models.install_file(package)


def engine_texts(project: Path) -> list[str]:
    """The texts a build sends the engine (recorded through the translation stage)."""
    from pipeline.stages.load import segment_all
    from pipeline.translate import translate_language

    recorder = base.Recorder()
    segmented = segment_all(sorted((project / "examples").glob("*.md")))
    translate_language(segmented, "es", recorder)  # type: ignore[arg-type]
    return recorder.texts


def cold_vs_raw(r: Results, model: Path, repeats: int, log: Callable[[str], None]) -> Path:
    """(1), (2) and the Argos half of (3)."""
    docs = base.document_set()
    project = _project("argos", docs.files, ["es"], "argos")
    texts = engine_texts(project)
    r.texts = len(texts)
    texts_file = E2E / "texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    def pair(beam: int, build_first: bool) -> tuple[float, float]:
        _clean(project)
        build = ["-C", str(project), "build", "--beam-size", str(beam)]
        raw = [sys.executable, "-c", RAW, str(model), str(texts_file), str(beam), "32", "2", "1"]
        if build_first:
            return base.run_child(build).seconds, _timed(raw)
        raw_seconds = _timed(raw)
        return base.run_child(build).seconds, raw_seconds

    # Not timed: the first build after a change of the pipeline's code compiles the page
    # templates into the per-user cache (its folder is named for the code), which any later
    # build, a user's too, finds ready (see docs/performance.md).
    pair(1, True)
    for run in range(repeats):
        for beam in (1, 2):
            cold, raw = pair(beam, build_first=run % 2 == 0)  # each goes first in turn
            r.cold.setdefault(beam, []).append(cold)
            r.raw.setdefault(beam, []).append(raw)
            log(f"beam {beam}: build {cold:.2f} s, raw {raw:.2f} s (load {base.load_average()})")
    noop = base.run_child(["-C", str(project), "build", "--beam-size", "2"])
    r.noop, r.noop_imports = noop.seconds, noop.heavy_imports
    log(f"no-op rebuild {noop.seconds:.2f} s, {noop.stdout.strip()}")
    r.edit_argos = _template_edit(project, ["--beam-size", "2"])
    log(f"template edit, argos es: {r.edit_argos[0]:.2f} s, {r.edit_argos[1]}")
    return project


def _template_edit(project: Path, extra: list[str]) -> tuple[float, str]:
    """Add a comment to the project's copy of page.html and build: (seconds, summary)."""
    from pipeline.render import default_templates_dir

    (project / "templates").mkdir(exist_ok=True)
    page = project / "templates" / "page.html"
    text = (default_templates_dir() / "page.html").read_text(encoding="utf-8")
    page.write_text(text + f"\n{{# edited {time.time()} #}}\n", encoding="utf-8")
    child = base.run_child(["-C", str(project), "build", *extra])
    return child.seconds, child.stdout.strip()


def template_pseudo(r: Results, log: Callable[[str], None]) -> None:
    """The pseudo half of (3): six languages re-rendered after a template edit."""
    docs = base.document_set()
    project = _project("pseudo", docs.files, list(base.LANGUAGES), "pseudo")
    base.run_child(["-C", str(project), "build"])
    r.edit_pseudo = _template_edit(project, [])
    log(f"template edit, pseudo ×6: {r.edit_pseudo[0]:.2f} s, {r.edit_pseudo[1]}")


def summary_files(megabytes: float) -> dict[str, str]:
    """About ``megabytes`` of Markdown: documents of ~100 kB, every sentence distinct."""
    sentences = base.source_sentences(600)
    files: dict[str, str] = {}
    size, k = 0, 0
    while size < megabytes * 2**20:
        paragraphs = []
        for _ in range(100):
            chunk = [f"{sentences[(k + j) % 600][:-1]} in district {k + j}." for j in range(5)]
            k += 5
            paragraphs.append(" ".join(chunk))
        text = f'---\ntitle: "Report {len(files) + 1}"\n---\n\n' + "\n\n".join(paragraphs)
        files[f"report-{len(files) + 1:04d}.md"] = text + "\n"
        size += len(text.encode())
    return files


def scaling(r: Results, sizes: list[float], log: Callable[[str], None]) -> None:
    """(4): time and peak memory per size; tracemalloc's top lines on the smallest."""
    for megabytes in sizes:
        project = _project(f"size-{megabytes}", summary_files(megabytes), ["es"], "pseudo")
        child = base.run_child(["-C", str(project), "build"])
        r.sizes.append((megabytes, child.seconds, child.max_rss_mb))
        log(f"{megabytes} MB: {child.seconds:.1f} s, peak {child.max_rss_mb:.0f} MB")
    for megabytes in (0.5, 1.0):  # what grows: the same lines at two sizes
        project = _project(f"trace-{megabytes}", summary_files(megabytes), ["es"], "pseudo")
        report = E2E / "trace.json"
        env = {**os.environ, "BENCH_TRACE": str(report)}
        subprocess.run(
            [sys.executable, "-c", TRACE, "-C", str(project), "build"],
            check=True,
            cwd=base.ROOT,
            env=env,
            capture_output=True,
        )
        r.trace[str(megabytes)] = json.loads(report.read_text())
        log(f"traced {r.trace[str(megabytes)]['now_mb']:.0f} MB as rendering starts")


# Loopback only: bench/run.py refuses sockets in this process, so the pool runs in a child.
POOL = r"""
import json, sys, time
from contextlib import ExitStack
from pipeline.engines.libretranslate import LibreTranslateEngine
from pipeline.testing.hostile_server import Behaviour, HostileServer
langs = ("es", "fr", "de", "it", "pt", "nl")
texts = [f"Sentence number {n} is about the water supply." for n in range(35)]
latency = float(sys.argv[1])
def timed(servers, together):
    behaviour = Behaviour(targets=langs, latency=latency, one_at_a_time=True)
    with ExitStack() as stack:
        fakes = [stack.enter_context(HostileServer(behaviour)) for _ in range(servers)]
        engine = LibreTranslateEngine([f.url for f in fakes], batch_limit=16, in_flight=2)
        for lang in langs:
            engine.check("en", lang)
        started = time.monotonic()
        if together:
            engine.translate_many([(lang, texts) for lang in langs], "en")
        else:
            for lang in langs:
                engine.translate(texts, "en", lang)
        return time.monotonic() - started
print(json.dumps({"one": timed(1, True), "four": timed(4, True),
                  "four_one_language_at_a_time": timed(4, False)}))
"""


def pool(r: Results, log: Callable[[str], None]) -> None:
    """(5): six languages × 35 texts, batches of 16, 0.15 s per request, one at a time."""
    env = {**os.environ, "PYTHONPATH": str(base.ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", POOL, "0.15"],
        check=True,
        cwd=base.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    r.pool = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"pool: {r.pool}")


def _with_spans(project: Path) -> set[str]:
    """Engine inputs of sentences with markup spans: the ones whose alignment is used."""
    from pipeline.protect import protect
    from pipeline.sentences import split_unit
    from pipeline.stages.load import segment_all

    found: set[str] = set()
    for seg in segment_all(sorted((project / "examples").glob("*.md"))):
        for unit in seg.units:
            if unit.translatable:
                found.update(p.text for p in map(protect, split_unit(unit.text)) if p.spans)
    return found


def attention(r: Results, project: Path, repeats: int, log: Callable[[str], None]) -> None:
    """(6): attention for every sentence vs for those with markup only (beam 2), alternating."""
    from pipeline.engines.argos import ArgosEngine

    texts = engine_texts(project)
    with_spans = _with_spans(project)
    spans = [i for i, t in enumerate(texts) if t in with_spans]
    timings: dict[str, list[float]] = {"all": [], "spans": []}
    engine = ArgosEngine(checksum_cache=E2E / "checksums.json")
    engine.translate(texts[:2], "en", "es")  # one load; the load is not what is timed
    for _ in range(max(2, repeats)):
        for label, aligned in (("all", None), ("spans", spans)):
            started = time.perf_counter()
            engine.translate(texts, "en", "es", aligned=aligned)
            timings[label].append(time.perf_counter() - started)
    engine.release()
    r.attention = {
        "all": min(timings["all"]),
        "spans": min(timings["spans"]),
        "with_spans": len(spans),
        "texts": len(texts),
    }
    log(f"attention: {r.attention}")


def ok(good: bool) -> str:
    """The "met" column."""
    return "yes" if good else "**no**"


def _ratio(r: Results, beam: int) -> float:
    return min(r.raw[beam]) / min(r.cold[beam])


def report(r: Results, command: str, minutes: float) -> str:
    """RESULTS.md: ratios first; every figure from this one run."""
    rows = [
        "| measurement | result | target | met |",
        "|---|---|---|---|",
    ]
    for beam in (1, 2):
        rows.append(
            f"| cold build, 1 language, {r.texts} texts, beam {beam}: raw CTranslate2 process "
            f"÷ build | {_ratio(r, beam):.3f} × ({min(r.raw[beam]):.2f} s ÷ "
            f"{min(r.cold[beam]):.2f} s) | ≥ 0.9 × | {ok(_ratio(r, beam) >= 0.9)} |"
        )
    rows += [
        f"| no-op rebuild | {r.noop:.2f} s; heavy imports: {', '.join(r.noop_imports) or 'none'}"
        f" | < 0.3 s | {ok(r.noop < 0.3)} |",
        f"| template edit, 6 languages (pseudo) | {r.edit_pseudo[0]:.2f} s | < 1 s "
        f"| {ok(r.edit_pseudo[0] < 1)} |",
        f"| template edit, 1 language (Argos) | {r.edit_argos[0]:.2f} s: {r.edit_argos[1]} "
        f"| no model load | {ok('0 model load(s)' in r.edit_argos[1])} |",
    ]
    biggest = max(r.sizes)
    per_mb = [s / mb for mb, s, _ in r.sizes]
    rows.append(
        f"| peak memory, {biggest[0]:g} MB pseudo summary | {biggest[2]:.0f} MB | < 400 MB "
        f"(at 20 MB) | {ok(biggest[2] < 400) if biggest[0] >= 20 else 'not run at 20 MB'} |"
    )
    rows.append(
        f"| time per MB across sizes | {', '.join(f'{x:.1f}' for x in per_mb)} s/MB | linear "
        f"(no size > 1.3 × the smallest's s/MB) | {ok(max(per_mb) <= 1.3 * per_mb[0])} |"
    )
    p = r.pool
    rows.append(
        f"| pool, 4 one-core servers ÷ 1, six languages together | {p['one'] / p['four']:.2f} × "
        f"(language after language: {p['one'] / p['four_one_language_at_a_time']:.2f} ×) "
        f"| ≥ 3.2 × | {ok(p['one'] / p['four'] >= 3.2)} |"
    )
    a = r.attention
    rows.append(
        f"| Argos translate, attention only for the {a['with_spans']} of {a['texts']} texts "
        f"with spans ÷ attention for all | {a['spans'] / a['all']:.2f} × the time "
        f"({a['spans']:.2f} s vs {a['all']:.2f} s) | faster | {ok(a['spans'] < a['all'])} |"
    )
    sizes = "\n".join(
        f"| {mb:g} | {s:.1f} | {s / mb:.1f} | {peak:.0f} |" for mb, s, peak in r.sizes
    )
    small, large = r.trace["0.5"], r.trace["1.0"]
    at_large = {where: mb for where, mb, _ in large["top"]}
    top = "\n".join(
        f"| `{where}` | {mb:.1f} | {at_large.get(where, float('nan')):.1f} |"
        for where, mb, _ in small["top"]
    )
    cold = "\n".join(
        f"| {beam} | {', '.join(f'{x:.2f}' for x in r.cold[beam])} | "
        f"{', '.join(f'{x:.2f}' for x in r.raw[beam])} |"
        for beam in (1, 2)
    )
    return (
        "# Benchmark results (end to end, issue 15)\n\n"
        f"`{command}` — {minutes:.1f} minutes, one run; load average (1 min) during the run: "
        f"{', '.join(r.load)} on {os.cpu_count()} logical cores shared with other sessions. "
        "Ratios are measured in this run, side by side; absolute seconds depend on the load.\n\n"
        + "\n".join(rows)
        + "\n\n## Cold builds and raw CTranslate2 processes (seconds, every run)\n\n"
        "| beam | `summary-pipeline build` | raw CTranslate2 |\n|---:|---|---|\n"
        + cold
        + "\n\n## Size (pseudo engine, one language)\n\n"
        "| MB | seconds | s/MB | peak MB (VmHWM) |\n|---:|---:|---:|---:|\n"
        + sizes
        + "\n\nWhat holds memory as rendering starts (tracemalloc; "
        f"{small['now_mb']:.0f} MB traced at 0.5 MB, {large['now_mb']:.0f} MB at 1 MB):\n\n"
        "| line | MB at 0.5 MB | MB at 1 MB |\n|---|---:|---:|\n"
        + top
        + "\n\nStage benchmark (translation stage vs bare `translate_batch`, argostranslate): "
        "`bench/run.py --stage`, written to `bench/STAGE.md`.\n"
    )


def main(quick: bool, command: str) -> None:
    """Run everything, print and write bench/RESULTS.md."""
    started = time.perf_counter()
    r = Results(quick)

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    E2E.mkdir(parents=True, exist_ok=True)
    r.load.append(base.load_average())
    model = install_es(log)
    repeats = 1 if quick else 5
    project = cold_vs_raw(r, model, repeats, log)
    r.load.append(base.load_average())
    template_pseudo(r, log)
    pool(r, log)
    attention(r, project, min(repeats, 3), log)
    r.load.append(base.load_average())
    scaling(r, [0.5, 1, 2] if quick else [5, 10, 20], log)
    r.load.append(base.load_average())
    text = report(r, command, (time.perf_counter() - started) / 60)
    print(text)
    (base.BENCH / "RESULTS.md").write_text(text, encoding="utf-8")
    log("wrote bench/RESULTS.md")
