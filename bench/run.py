"""Benchmark: the pipeline's Argos path against bare CTranslate2 and argostranslate.

Run from the project root (it takes several minutes; the first run also builds the model):

    .venv/bin/python bench/run.py             # end to end (bench/e2e.py), to bench/RESULTS.md
    .venv/bin/python bench/run.py --quick     # the same in a few minutes
    .venv/bin/python bench/run.py --stage     # the table below, written to bench/STAGE.md
    .venv/bin/python bench/run.py --sweep     # beam x batch x threads, written to bench/SWEEP.md

Everything lives in ``bench/cache/`` (git-ignored): an Argos-sized stand-in model
(``pipeline.testing.argos_package.BASE``: 6+6 layers, d_model 512, FFN 2048, int8, 32k
SentencePiece pieces, stops after about 1.3 x source tokens + 5 steps), installed under six
target codes; HOME, the XDG folders and ARGOS_PACKAGES_DIR point there, and sockets are
disabled in this process and in every build it starts, so nothing touches the network.

The document set: three Markdown documents, 60 paragraphs, 300 distinct English sentences
made from the package's own training sentences, with a little bold and a few links.

Measured in one run:
  (a) the pipeline's translation stage (``translate_language``, model load included);
  (b) bare CTranslate2: load, SentencePiece, one ``translate_batch`` call over the very texts
      the pipeline sends, same beam, batch and threads; (b2) the same with the pipeline's
      decoding options (n-gram block, attention, scores, length cap);
  (c) argostranslate ``translate()`` per paragraph: its defaults (beam 4, batches of 32
      tokens) and at the pipeline's beam;
  (d) ``summary-pipeline build`` of 6 languages, cold (no memory, catalogs or output);
  (e) the same build again, nothing changed; (f) one sentence changed;
  (g) PDF rendering of the built pages, per printed page;
  (h) ``summary-pipeline --help`` start-up; (i) peak memory of the cold build.
(a), (b) and (b2) alternate ``--repeats`` times and the fastest run of each counts: other
processes on the machine only ever add time. CPU seconds (all threads) are shown beside the
wall clock; they hardly move with the machine's load.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / "cache"
ENV_DIR = CACHE / "env"
PROJECT = CACHE / "project"
LANGUAGES = ("es", "fr", "de", "it", "pt", "nl")
SEED = 6  # one model build serves every target code
SENTENCES = 300
PARAGRAPHS = 60
DOCUMENTS = 3

# Isolation first: argostranslate reads these once, when its settings module is imported.
ISOLATED_ENV = {
    "HOME": str(ENV_DIR / "home"),
    "XDG_DATA_HOME": str(ENV_DIR / "data"),
    "XDG_CONFIG_HOME": str(ENV_DIR / "config"),
    "XDG_CACHE_HOME": str(ENV_DIR / "cache"),
    "ARGOS_PACKAGES_DIR": str(ENV_DIR / "packages"),
}
for _key, _value in ISOLATED_ENV.items():
    os.environ[_key] = _value
    Path(_value).mkdir(parents=True, exist_ok=True)
for _key in ("ARGOS_PACKAGE_INDEX", "ARGOS_TRANSLATE_PACKAGE_DIR", "SOURCE_DATE_EPOCH"):
    os.environ.pop(_key, None)
# argostranslate's only offline sentence splitter without a MiniSBD model (see the docstring
# of pipeline.testing.argos_package): spaCy, with its cache folder already "downloaded".
os.environ["ARGOS_CHUNK_TYPE"] = "SPACY"
for _key in ("ARGOS_BEAM_SIZE", "ARGOS_BATCH_SIZE", "ARGOS_INTER_THREADS", "ARGOS_INTRA_THREADS"):
    os.environ.pop(_key, None)  # argostranslate at its own defaults

# A child build gets the same isolation and no socket either; it reports which heavy modules
# it imported (to prove a no-op rebuild and --help load no model).
CHILD = r"""
import atexit, json, os, socket, sys
def _refuse(*args, **kwargs):
    raise OSError("network disabled by bench/run.py")
socket.socket.connect = socket.socket.connect_ex = _refuse
socket.create_connection = socket.getaddrinfo = _refuse
HEAVY = ("ctranslate2", "torch", "weasyprint", "spacy", "stanza", "onnxruntime",
         "argostranslate.translate", "sentencepiece")
@atexit.register
def _report():
    # VmHWM of this program only: a forked child's rusage also counts the parent's pages.
    peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
    with open(os.environ["BENCH_REPORT"], "w") as handle:
        imported = sorted(name for name in HEAVY if name in sys.modules)
        json.dump({"imports": imported, "peak_mb": int(peak) / 1024}, handle)
from pipeline.cli import main
main(prog_name="summary-pipeline")
"""


def _no_network() -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("network disabled by bench/run.py")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


_no_network()


# --------------------------------------------------------------------------- measuring


def reset_peak_memory() -> None:
    """Start a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_memory_mb() -> float:
    """This process's peak resident memory since the last reset."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Timing:
    """The fastest of some runs: wall clock and CPU seconds of this process."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        """Fastest wall clock."""
        return min(self.wall)

    @property
    def best_cpu(self) -> float:
        """Fewest CPU seconds."""
        return min(self.cpu)


@contextmanager
def timed(timing: Timing) -> Iterator[None]:
    """Add one run's wall and CPU seconds to ``timing``."""
    gc.collect()
    wall, cpu = time.perf_counter(), _cpu()
    yield
    timing.wall.append(time.perf_counter() - wall)
    timing.cpu.append(_cpu() - cpu)


@dataclass
class Child:
    """One finished subprocess."""

    seconds: float
    cpu: float
    max_rss_mb: float
    stdout: str
    stderr: str
    heavy_imports: list[str]


def run_child(args: list[str], cwd: Path = ROOT) -> Child:
    """Run ``summary-pipeline ARGS`` in a fresh interpreter; its CPU time via wait4."""
    report = CACHE / "child-imports.json"
    report.unlink(missing_ok=True)
    out, err = CACHE / "child.out", CACHE / "child.err"
    env = {**os.environ, "BENCH_REPORT": str(report)}
    env.pop("ARGOS_CHUNK_TYPE", None)  # the pipeline at its own settings
    with out.open("w") as stdout, err.open("w") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args], cwd=cwd, env=env, stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(
            f"summary-pipeline {' '.join(args)} failed ({process.returncode}):\n"
            + out.read_text()
            + err.read_text()
        )
    data = json.loads(report.read_text()) if report.exists() else {}
    return Child(
        seconds,
        usage.ru_utime + usage.ru_stime,
        float(data.get("peak_mb", float("nan"))),
        out.read_text(),
        err.read_text(),
        list(data.get("imports", ["?"])),
    )


# --------------------------------------------------------------------------- the inputs


def source_sentences(count: int = SENTENCES) -> list[str]:
    """``count`` distinct English sentences, from the stand-in model's training sentences.

    Every third one joins two of them, so lengths range from a few words to about forty, like
    the sentences of a real summary.
    """
    from pipeline.testing.argos_text import BUNDLED_TEXT, text_lines

    lines = [line for line in text_lines(BUNDLED_TEXT) if line[-1] in ".!?"]
    found: dict[str, None] = {}
    k = 0
    while len(found) < count:
        base = lines[k % len(lines)]
        if k % 3 == 0 or k >= len(lines):
            other = lines[(7 * k + 3 + k // len(lines)) % len(lines)]
            base = f"{base[:-1]}, and {other[0].lower()}{other[1:]}"
        found.setdefault(base)
        k += 1
    return list(found)


@dataclass
class DocumentSet:
    """The Markdown sources and the plain paragraphs argostranslate gets."""

    files: dict[str, str]  # file name → Markdown
    paragraphs: list[str]  # plain text, titles included: what translate() is called on
    changed: tuple[str, str, str]  # (file name, old sentence, new sentence) for (f)


def document_set() -> DocumentSet:
    """Three documents of 20 paragraphs of 5 sentences; some bold words and links."""
    sentences = source_sentences()
    per_doc = PARAGRAPHS // DOCUMENTS
    per_paragraph = SENTENCES // PARAGRAPHS
    files: dict[str, str] = {}
    paragraphs: list[str] = []
    for d in range(DOCUMENTS):
        title = f"Community report number {d + 1} on local charities"
        paragraphs.append(title)
        body = []
        for p in range(per_doc):
            start = (d * per_doc + p) * per_paragraph
            chunk = sentences[start : start + per_paragraph]
            paragraphs.append(" ".join(chunk))
            marked = list(chunk)
            if p % 4 == 1:  # emphasis on the third word of the first sentence
                words = marked[0].split(" ")
                words[2] = f"**{words[2]}**"
                marked[0] = " ".join(words)
            if p % 5 == 3:  # a link over the last two words of the second sentence
                words = marked[1][:-1].split(" ")
                link = " ".join(words[-2:])
                marked[1] = " ".join(words[:-2]) + f" [{link}](https://example.org/{d}/{p})."
            body.append(" ".join(marked))
        files[f"report-{d + 1}.md"] = (
            f'---\ntitle: "{title}"\ndate: 2024-03-0{d + 1}\n'
            f'organisation: "Bench Newsroom"\n---\n\n' + "\n\n".join(body) + "\n"
        )
    old = sentences[per_paragraph * 7 + 2]
    new = old[:-1] + ", officials said" + old[-1]
    assert old in files["report-1.md"] and new not in files["report-1.md"]
    return DocumentSet(files, paragraphs, ("report-1.md", old, new))


def write_project(docs: DocumentSet) -> None:
    """A fresh project folder: sources and settings only (no memory, catalogs, output)."""
    shutil.rmtree(PROJECT, ignore_errors=True)
    (PROJECT / "examples").mkdir(parents=True)
    for name, text in docs.files.items():
        (PROJECT / "examples" / name).write_text(text, encoding="utf-8")
    (PROJECT / "summary-pipeline.toml").write_text(
        'sources = ["examples/*.md"]\n'
        f"languages = {json.dumps(list(LANGUAGES))}\n"
        'formats = ["html"]\nengine = "argos"\n',
        encoding="utf-8",
    )


def install_packages(log: Callable[[str], None]) -> dict[str, Path]:
    """Build the stand-in model once and install it under every target code."""
    from pipeline import models
    from pipeline.testing.argos_package import BASE, build_argos_package

    stamps = CACHE / "installed.json"
    known = json.loads(stamps.read_text()) if stamps.exists() else {}
    installed = {m.to_code: m for m in models.installed() if m.from_code == "en"}
    paths: dict[str, Path] = {}
    for code in LANGUAGES:
        started = time.perf_counter()
        package = build_argos_package(
            CACHE / "packages", to_code=code, size=BASE, seed=SEED, cache_dir=CACHE / "models"
        )
        digest = hashlib.sha256(package.read_bytes()).hexdigest()
        info = installed.get(code)
        if info is None or known.get(code) != digest:
            if info is not None:
                models.remove("en", code)
            paths[code] = models.install_file(package)
            known[code] = digest
            log(f"installed en→{code} ({time.perf_counter() - started:.1f} s)")
        else:
            assert info.path is not None
            paths[code] = info.path
    stamps.write_text(json.dumps(known, indent=1))
    return paths


# --------------------------------------------------------------------------- contenders


class Recorder:
    """A stand-in engine that records the texts the translation stage sends."""

    name = "recorder"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def identity(self, source: str, target: str) -> str:
        """Constant: nothing to name."""
        return "recorder"

    def check(self, source: str, target: str) -> None:
        """Every pair works."""

    def translate(
        self, sentences: Any, source: str, target: str, *, aligned: Any = None
    ) -> list[Any]:
        """Echo the input and remember it."""
        from pipeline.engines import Translation

        self.texts.extend(sentences)
        return [Translation(s, 0.0) for s in sentences]

    def release(self) -> None:
        """Nothing to free."""


def pipeline_stage(segmented: list[Any], lang: str, options: dict[str, Any]) -> int:
    """(a): ``translate_language`` with a fresh Argos engine, model freed at the end."""
    from pipeline.engines.argos import ArgosEngine
    from pipeline.translate import translate_language

    engine = ArgosEngine(**options)
    try:
        result = translate_language(segmented, lang, engine)
    finally:
        engine.release()
    return result.engine_texts


def raw_ctranslate2(
    model: Path, texts: list[str], options: dict[str, Any], pipeline_decoding: bool = False
) -> int:
    """(b): load, tokenize, one ``translate_batch`` call, detokenize; output tokens."""
    import math

    import ctranslate2
    import sentencepiece

    translator = ctranslate2.Translator(
        str(model / "model"),
        device="cpu",
        compute_type="auto",
        inter_threads=options["inter_threads"],
        intra_threads=options["intra_threads"],
    )
    sp = sentencepiece.SentencePieceProcessor(model_file=str(model / "sentencepiece.model"))
    tokens = [sp.encode(t, out_type=str) for t in texts]
    extra: dict[str, Any] = {}
    if pipeline_decoding:
        extra = {
            "no_repeat_ngram_size": 4,
            "return_scores": True,
            "return_attention": True,
            "max_decoding_length": math.ceil(max(map(len, tokens)) * 3) + 10,
        }
    outputs = translator.translate_batch(
        tokens,
        beam_size=options["beam_size"],
        max_batch_size=options["batch_size"],
        batch_type=options.get("batch_type", "examples"),
        **extra,
    )
    decoded = [sp.decode_pieces(o.hypotheses[0]) for o in outputs]
    assert len(decoded) == len(texts)
    del translator
    return sum(len(o.hypotheses[0]) for o in outputs)


def prepare_spacy() -> None:
    """The spaCy pipeline argostranslate's splitter loads, "already downloaded".

    Needed before anything imports ``argostranslate.translate`` (installing a package does):
    with ARGOS_CHUNK_TYPE=SPACY that import otherwise tries to download xx_sent_ud_sm.
    """
    spacy_dir = Path(ISOLATED_ENV["XDG_CACHE_HOME"]) / "argos-translate" / "spacy"
    if not (spacy_dir / "config.cfg").exists():
        import spacy

        spacy.blank("xx").to_disk(spacy_dir)
    # An existing senter/model folder tells argostranslate.sbd not to download xx_sent_ud_sm.
    (spacy_dir / "senter" / "model").mkdir(parents=True, exist_ok=True)


def prepare_argostranslate() -> Any:
    """Import argostranslate.translate offline (spaCy splitter) and return the module."""
    prepare_spacy()
    import argostranslate.settings
    import argostranslate.translate

    assert argostranslate.settings.chunk_type == argostranslate.settings.ChunkType.SPACY
    return argostranslate.translate


def argos_per_paragraph(argos: Any, paragraphs: list[str], lang: str, beam: int) -> None:
    """(c): ``translate()`` per paragraph, fresh translation objects (model load included)."""
    import argostranslate.settings

    argos.installed_translates.clear()  # no cached paragraphs, no loaded model
    argos.get_installed_languages.cache_clear()
    argostranslate.settings.beam_size = beam
    for paragraph in paragraphs:
        argos.translate(paragraph, "en", lang)
    argos.installed_translates.clear()
    argos.get_installed_languages.cache_clear()


# --------------------------------------------------------------------------- reporting


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS and library versions."""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        fields = dict(
            (k.strip(), v.strip())
            for k, _, v in (line.partition(":") for line in lscpu.split("\n"))
        )
    except (OSError, subprocess.CalledProcessError):
        fields = {}
    memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    versions = {}
    for name in ("ctranslate2", "argostranslate", "sentencepiece", "spacy", "weasyprint"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "CPU": fields.get("Model name", platform.processor() or "?"),
        "cores": f"{os.cpu_count()} logical ({fields.get('Core(s) per socket', '?')} per socket, "
        f"{fields.get('Thread(s) per core', '?')} thread(s) per core)",
        "RAM": f"{int(memory) / 1024 / 1024:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        **versions,
    }


def load_average() -> str:
    """The 1-minute load average (other processes inflate wall clocks)."""
    return f"{os.getloadavg()[0]:.2f}"


SUMMARY = re.compile(r"(\d+) text\(s\) translated, (\d+) model load\(s\)")


def build_counts(child: Child) -> dict[str, dict[str, int]]:
    """Per language: texts sent to the engine and model loads (from build.json if any)."""
    manifest = PROJECT / "output" / "build.json"
    if manifest.exists():
        data = json.loads(manifest.read_text())
        return {
            lang: {"texts": int(v.get("engine_texts", -1)), "loads": int(v.get("model_loads", -1))}
            for lang, v in data.get("languages", {}).items()
        }
    match = SUMMARY.search(child.stdout)
    if not match:
        return {}
    return {"all": {"texts": int(match.group(1)), "loads": int(match.group(2))}}


# --------------------------------------------------------------------------- main


def _bytecode() -> None:
    """Every child process (build and raw CTranslate2 alike) reads cached bytecode, as an
    installed package does: where PYTHONDONTWRITEBYTECODE is set, each fresh process would
    otherwise compile the pipeline's modules again and the first figure would measure that."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pipeline")], check=True)


def main() -> None:
    """Parse options, run every measurement, print the table, write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of (a), (b), (b2)")
    parser.add_argument("--lang", default="es", help="language of (a), (b), (c)")
    parser.add_argument("--sweep", action="store_true", help="beam x batch x threads instead")
    parser.add_argument(
        "--no-argostranslate", action="store_true", help="skip (c), the slowest part"
    )
    parser.add_argument(
        "--stage", action="store_true", help="the stage table above (bench/STAGE.md)"
    )
    parser.add_argument("--quick", action="store_true", help="end to end in a few minutes")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    _bytecode()
    command = ".venv/bin/python bench/run.py" + "".join(f" {a}" for a in sys.argv[1:])
    if not args.stage and not args.sweep:
        import e2e  # bench/e2e.py: end to end in fresh processes (the default)

        e2e.main(args.quick, command)
        return
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    log(f"load average {load_average()}; building/installing the stand-in model")
    prepare_spacy()
    paths = install_packages(log)
    docs = document_set()
    write_project(docs)

    import dataclasses

    from pipeline.config import load_config
    from pipeline.stages.load import segment_all
    from pipeline.translate import translate_language

    config = load_config(PROJECT)
    argos = dataclasses.asdict(config.settings_of("argos"))
    options = {
        **argos,
        "checksum_cache": CACHE / "model-checksums.json",
    }
    segmented = segment_all(sorted((PROJECT / "examples").glob("*.md")))
    recorder = Recorder()
    recorded = translate_language(segmented, args.lang, recorder)
    texts = recorder.texts
    log(
        f"{len(segmented)} documents, {recorded.sentences} distinct texts for the engine "
        f"({len(docs.paragraphs)} paragraphs and titles)"
    )
    import ctranslate2  # noqa: F401  (imports are not what is measured)
    import sentencepiece  # noqa: F401

    if args.sweep:
        sweep(paths[args.lang], segmented, args.lang, command, log)
        return

    from pipeline import models

    models.model_checksum(paths[args.lang], options["checksum_cache"])  # warm, as a rebuild
    rows: dict[str, Timing] = {"a": Timing(), "b": Timing(), "b2": Timing()}
    output_tokens = 0
    for run in range(args.repeats):
        with timed(rows["a"]):
            sent = pipeline_stage(segmented, args.lang, options)
        with timed(rows["b"]):
            output_tokens = raw_ctranslate2(paths[args.lang], texts, options)
        with timed(rows["b2"]):
            raw_ctranslate2(paths[args.lang], texts, options, pipeline_decoding=True)
        log(
            f"run {run + 1}: (a) {rows['a'].wall[-1]:.2f} s, (b) {rows['b'].wall[-1]:.2f} s, "
            f"(b2) {rows['b2'].wall[-1]:.2f} s (load average {load_average()})"
        )
    assert sent == len(texts), (sent, len(texts))

    argos_rows: dict[str, Timing] = {}
    if not args.no_argostranslate:
        argos = prepare_argostranslate()
        for label, beam in (("c4", 4), ("c", argos["beam_size"])):
            argos_rows[label] = Timing()
            with timed(argos_rows[label]):
                argos_per_paragraph(argos, docs.paragraphs, args.lang, beam)
            log(f"(c) argostranslate beam {beam}: {argos_rows[label].wall[-1]:.1f} s")

    cold = run_child(["-C", str(PROJECT), "build"])
    cold_counts = build_counts(cold)
    log(f"(d) cold build: {cold.seconds:.1f} s, {cold.stdout.strip()}")
    noop = run_child(["-C", str(PROJECT), "build"])
    noop_counts = build_counts(noop)
    log(f"(e) no-op rebuild: {noop.seconds:.2f} s, {noop.stdout.strip()}")
    name, old, new = docs.changed
    source = PROJECT / "examples" / name
    source.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    one = run_child(["-C", str(PROJECT), "build"])
    one_counts = build_counts(one)
    log(f"(f) one sentence changed: {one.seconds:.2f} s, {one.stdout.strip()}")

    pdf = pdf_per_page(log)
    help_runs = []
    for _ in range(7):
        began = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "summary-pipeline"), "--help"],
            check=True,
            capture_output=True,
        )
        help_runs.append(time.perf_counter() - began)
    help_child = run_child(["--help"])
    log(f"(h) --help: best {min(help_runs):.3f} s, median {statistics.median(help_runs):.3f} s")

    model_mb = sum(f.stat().st_size for f in (paths[args.lang] / "model").rglob("*")) / 2**20
    results = {
        "command": command,
        "machine": machine(),
        "load_end": load_average(),
        "settings": dict(argos),
        "texts": len(texts),
        "paragraphs": len(docs.paragraphs),
        "output_tokens": output_tokens,
        "rows": rows,
        "argos": argos_rows,
        "cold": cold,
        "cold_counts": cold_counts,
        "noop": noop,
        "noop_counts": noop_counts,
        "one": one,
        "one_counts": one_counts,
        "pdf": pdf,
        "help": help_runs,
        "help_imports": help_child.heavy_imports,
        "model_mb": model_mb,
        "lang": args.lang,
        "repeats": args.repeats,
        "total": time.perf_counter() - started,
    }
    text = report(results)
    print()
    print(text)
    (BENCH / "STAGE.md").write_text(text, encoding="utf-8")
    log("wrote bench/STAGE.md")


def pdf_per_page(log: Callable[[str], None]) -> dict[str, float] | None:
    """(g): render every built page to PDF; the first render also imports WeasyPrint."""
    try:
        from pipeline.pdf import PdfRenderer
    except ImportError:
        return None
    pages = sorted((PROJECT / "output").glob("*/*.html"))
    if not pages:
        return None
    renderer = PdfRenderer()
    first_started = time.perf_counter()
    first = renderer.render(pages[0].read_text(encoding="utf-8"), base_url=pages[0])
    first_seconds = time.perf_counter() - first_started
    printed = 0
    seconds = 0.0
    for page in pages[1:]:
        result = renderer.render(page.read_text(encoding="utf-8"), base_url=page)
        printed += result.pages
        seconds += result.seconds
    log(f"(g) PDF: {len(pages)} HTML pages, {printed + first.pages} printed pages")
    return {
        "html_pages": len(pages),
        "printed_pages": printed + first.pages,
        "first_seconds": first_seconds,
        "per_page": seconds / max(1, printed),
        "per_document": seconds / max(1, len(pages) - 1),
    }


def sweep(
    model: Path, segmented: list[Any], lang: str, command: str, log: Callable[[str], None]
) -> None:
    """beam x batch x threads for the pipeline's translation stage; writes SWEEP.md."""
    batches = [("examples", 16), ("examples", 32), ("examples", 64)]
    threads = [(1, 0), (2, 1)]
    lines = [
        "| beam | batch | inter × intra threads | seconds | CPU seconds | peak MB |",
        "|---:|---|---|---:|---:|---:|",
    ]
    best: dict[int, tuple[float, str]] = {}
    for beam in (1, 2, 4):
        for batch_type, size in batches:
            for inter, intra in threads:
                options = {
                    "beam_size": beam,
                    "batch_size": size,
                    "batch_type": batch_type,
                    "inter_threads": inter,
                    "intra_threads": intra,
                    "checksum_cache": CACHE / "model-checksums.json",
                }
                timing = Timing()
                reset_peak_memory()
                for _ in range(2):
                    with timed(timing):
                        pipeline_stage(segmented, lang, options)
                peak = peak_memory_mb()
                label = f"{size} {batch_type}"
                log(f"beam {beam}, {label}, {inter}×{intra}: {timing.best:.2f} s, {peak:.0f} MB")
                lines.append(
                    f"| {beam} | {label} | {inter} × {intra} | {timing.best:.2f} "
                    f"| {timing.best_cpu:.2f} | {peak:.0f} |"
                )
                if beam not in best or timing.best < best[beam][0]:
                    best[beam] = (timing.best, f"{label}, {inter} × {intra}")
    fastest = "\n".join(f"- beam {b}: {s:.2f} s with {what}" for b, (s, what) in best.items())
    info = "\n".join(f"- {k}: {v}" for k, v in machine().items())
    text = (
        "# Sweep: the pipeline's translation stage, one language\n\n"
        f"`{command}` — {SENTENCES} sentences, the fastest of 2 runs per cell "
        "(threads: 0 intra threads = CTranslate2's automatic choice).\n\n"
        + "\n".join(lines)
        + f"\n\nFastest per beam:\n{fastest}\n\nMachine:\n{info}\n"
        f"- load average at the end: {load_average()}\n"
    )
    print()
    print(text)
    (BENCH / "SWEEP.md").write_text(text, encoding="utf-8")
    log("wrote bench/SWEEP.md")


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def report(r: dict[str, Any]) -> str:
    """The Markdown table of RESULTS.md."""
    rows: dict[str, Timing] = r["rows"]
    a, b, b2 = rows["a"], rows["b"], rows["b2"]
    argos: dict[str, Timing] = r["argos"]
    s = r["settings"]
    setting = (
        f"beam {s['beam_size']}, batches of {s['batch_size']} {s.get('batch_type', 'examples')}, "
        f"{s['inter_threads']} × {s['intra_threads'] or 'auto'} threads"
    )

    def counts(found: dict[str, dict[str, int]]) -> str:
        if not found:
            return "?"
        texts = sorted({v["texts"] for v in found.values()})
        loads = sum(v["loads"] for v in found.values())
        where = "per language" if "all" not in found else "in all"
        return f"{'/'.join(map(str, texts))} text(s) {where}, {loads} model load(s)"

    table = [
        "| | measurement | seconds | CPU s | notes |",
        "|---|---|---:|---:|---|",
        f"| (a) | pipeline `translate_language`, en→{r['lang']} | {a.best:.2f} | {a.best_cpu:.2f} "
        f"| {r['texts']} texts, {setting}; best of {r['repeats']} |",
        f"| (b) | bare CTranslate2 `translate_batch`, same settings | {b.best:.2f} "
        f"| {b.best_cpu:.2f} | load + SentencePiece + one call; {r['output_tokens']} output "
        "tokens |",
        f"| (b2) | (b) with the pipeline's decoding options | {b2.best:.2f} | {b2.best_cpu:.2f} "
        "| n-gram block, attention, scores, length cap |",
    ]
    for label, name in (("c4", "its defaults (beam 4, 32 tokens)"), ("c", "pipeline's beam")):
        if label in argos:
            t = argos[label]
            table.append(
                f"| (c) | argostranslate `translate()` per paragraph, {name} | {t.best:.1f} "
                f"| {t.best_cpu:.1f} | {r['paragraphs']} calls, spaCy splitter |"
            )
    cold, noop, one = r["cold"], r["noop"], r["one"]
    table += [
        f"| (d) | `summary-pipeline build`, {len(LANGUAGES)} languages, cold | {cold.seconds:.1f} "
        f"| {cold.cpu:.1f} | {counts(r['cold_counts'])} |",
        f"| (e) | the same again, nothing changed | {noop.seconds:.2f} | {noop.cpu:.2f} "
        f"| {counts(r['noop_counts'])}; imported: {', '.join(noop.heavy_imports) or 'none'} |",
        f"| (f) | one sentence changed | {one.seconds:.2f} | {one.cpu:.2f} "
        f"| {counts(r['one_counts'])} |",
    ]
    pdf = r["pdf"]
    if pdf:
        table.append(
            f"| (g) | PDF per printed page (WeasyPrint) | {pdf['per_page']:.3f} | | "
            f"{pdf['printed_pages']} pages from {pdf['html_pages']} HTML pages; first page "
            f"{pdf['first_seconds']:.2f} s (imports WeasyPrint) |"
        )
    table += [
        f"| (h) | `summary-pipeline --help` | {min(r['help']):.3f} | | best of 7, median "
        f"{statistics.median(r['help']):.3f} s; imported: "
        f"{', '.join(r['help_imports']) or 'none'} |",
        f"| (i) | peak memory of the cold build | {cold.max_rss_mb:.0f} MB | | one model is "
        f"{r['model_mb']:.0f} MB on disk |",
    ]
    ratio_ab = a.best / b.best
    ratio_ab_cpu = a.best_cpu / b.best_cpu
    c4 = argos.get("c4")
    c = argos.get("c")
    noop_loads = sum(v["loads"] for v in r["noop_counts"].values()) if r["noop_counts"] else None
    one_texts = {v["texts"] for v in r["one_counts"].values()} if r["one_counts"] else set()
    per_lang = "all" not in r["one_counts"] and bool(r["one_counts"])
    targets = [
        "| target | reached | met |",
        "|---|---|---|",
        f"| (a) ≥ 0.9 × throughput of (b) | {b.best / a.best:.2f} × (CPU: "
        f"{b.best_cpu / a.best_cpu:.2f} ×) | {_verdict(b.best / a.best >= 0.9)} |",
        f"| (c) at its defaults ≥ 5 × (a) | {c4.best / a.best:.1f} × | "
        f"{_verdict(c4.best / a.best >= 5)} |"
        if c4
        else "| (c) at its defaults ≥ 5 × (a) | not run | n/a |",
        f"| (c) at equal beam ≥ 2.5 × (a) | {c.best / a.best:.1f} × | "
        f"{_verdict(c.best / a.best >= 2.5)} |"
        if c
        else "| (c) at equal beam ≥ 2.5 × (a) | not run | n/a |",
        f"| (e) loads no model, < 1 s | {noop_loads} load(s), {noop.seconds:.2f} s | "
        f"{_verdict(noop_loads == 0 and noop.seconds < 1)} |",
        f"| (f) exactly one sentence per language | {counts(r['one_counts'])} | "
        f"{_verdict(per_lang and one_texts == {1})} |",
        f"| (h) < 0.3 s | {min(r['help']):.3f} s | {_verdict(min(r['help']) < 0.3)} |",
        f"| (i) < one model + 400 MB | {cold.max_rss_mb:.0f} MB < {r['model_mb'] + 400:.0f} MB "
        f"| {_verdict(cold.max_rss_mb < r['model_mb'] + 400)} |",
    ]
    ratios = f"(a)/(b) = {ratio_ab:.2f} (CPU {ratio_ab_cpu:.2f})"
    if c4:
        ratios += f"; (c at defaults)/(a) = {c4.best / a.best:.1f}"
    if c:
        ratios += f"; (c at beam {s['beam_size']})/(a) = {c.best / a.best:.1f}"
    info = "\n".join(f"- {k}: {v}" for k, v in r["machine"].items())
    return (
        "# Stage benchmark results\n\n"
        f"Command (from the project root): `{r['command']}` — {r['total'] / 60:.1f} minutes.\n\n"
        f"Stand-in model: `pipeline.testing.argos_package.BASE` (6+6 layers, d_model 512, "
        f"8 heads, FFN 2048, int8, 32k SentencePiece pieces; {r['model_mb']:.0f} MB), one per "
        f"target language ({', '.join(LANGUAGES)}). Document set: {DOCUMENTS} Markdown "
        f"documents, {PARAGRAPHS} paragraphs, {SENTENCES} distinct sentences, some bold words "
        f"and links; {r['texts']} distinct texts reach the engine per language. Pipeline "
        f"settings: the defaults ({setting}).\n\n"
        f"Ratios: {ratios}.\n\n"
        + "\n".join(table)
        + "\n\n## Targets\n\n"
        + "\n".join(targets)
        + "\n\n## Machine\n\n"
        + info
        + f"\n- load average (1 min) at the end: {r['load_end']}\n\n"
        "## Notes\n\n"
        "- Wall clocks are the fastest of the runs shown; CPU seconds count every thread of "
        "the process and hardly depend on what else runs on the machine.\n"
        "- (a), (b), (c) include loading the model; imports are done before timing. "
        "(d)–(f) and (h) are fresh `summary-pipeline` processes, interpreter start-up "
        "included; their model files are in the OS page cache after the first run.\n"
        "- (c) uses argostranslate's spaCy sentence splitter (`ARGOS_CHUNK_TYPE=SPACY`, a "
        "blank `xx` pipeline plus its rule-based sentencizer), the only one that works "
        "offline without a MiniSBD model; MiniSBD, its default, would download one.\n"
        "- Beam × batch × threads: `bench/SWEEP.md` (`.venv/bin/python bench/run.py "
        "--sweep`).\n"
    )


if __name__ == "__main__":
    main()
