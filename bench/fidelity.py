"""Markup placement measured against the toy language's true word alignments (issue 16).

    python bench/fidelity.py [--packages tests/data] [--keep DIR]

Held-out toy sentences (never trained on) become one Markdown document: each sentence a
paragraph, with up to three spans (a link, bold, italics) over constituents of 1-5 words at
the start, middle or end, and inline code or kept glossary terms where the sentence has a
placeholder. The document is built with ``summary-pipeline build --engine argos`` in a temp
project (HOME, XDG folders and ARGOS_PACKAGES_DIR in temp folders, offline), with the trained
en→qto package installed through ``summary-pipeline models install``. A recorder around the
span placement (``pipeline.placement.place`` as ``pipeline.protect`` calls it) notes which
method placed each span.

Each span is judged in the sentences the model translated exactly like the transducer: it is
on the right words when the words inside its tag in the published translation are the target
words aligned with its English words (their hull). The last line is the figure of issue 16.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.catalog import catalog_path, read_catalog  # noqa: E402
from pipeline.document import load_document  # noqa: E402
from pipeline.inline import tokenize  # noqa: E402
from pipeline.segment import segment  # noqa: E402
from pipeline.testing import toy_language as toy  # noqa: E402

SEED = 2016
SENTENCES = 200
KINDS = {"link": "a", "bold": "b", "italic": "i"}  # span kind → tag name prefix
CODE = ["setup.toml", "make test", "--strict", "build.json", "git log"]
TERMS = ["Open Data Office", "North Sea Council", "Harbour Trust", "Delta Works"]
METHOD_NAMES = {
    "exact": "exact",
    "source": "English words",
    "align": "attention",
    "fuzzy": "fuzzy",
    "position": "fallback",
}
_WORD_RE = re.compile(r"\w+")
_PLACEHOLDER_RE = re.compile(r"\{\d\}")

# Runs the CLI with a recorder around span placement; one JSON line per placed span.
RECORDER = """
import json, os, sys
from pipeline import protect, translate
from pipeline.cli import main
log = open(os.environ["FIDELITY_LOG"], "a", encoding="utf-8")
state = {}
original_restore, original_place = protect.restore, protect.place
def restore(protected, *args, **kwargs):
    state["protected"], state["index"] = protected, 0
    return original_restore(protected, *args, **kwargs)
def place(*args, **kwargs):
    method, found = original_place(*args, **kwargs)
    protected = state["protected"]
    span = protected.spans[state["index"]]
    state["index"] += 1
    log.write(json.dumps({"source": protected.source, "span": span.name, "method": method}) + "\\n")
    return method, found
protect.restore = translate.restore = restore
protect.place = place
main(sys.argv[1:], prog_name="summary-pipeline")
"""


@dataclass(frozen=True)
class SpanCase:
    """One span of the benchmark and the target words it must land on."""

    kind: str
    start: int  # English token range
    end: int
    where: str  # "start", "middle", "end" of the sentence
    expected: tuple[str, ...]  # casefolded target words


@dataclass(frozen=True)
class Case:
    """One held-out sentence as Markdown, with its spans and its reference translation."""

    pair: toy.Pair
    markdown: str
    spans: tuple[SpanCase, ...]
    reference: str  # plain reference translation, code removed, terms in place


def _substitutions(pair: toy.Pair, rng: random.Random) -> dict[str, tuple[str, str]]:
    """Placeholder token → (Markdown, reference text): inline code or a kept glossary term."""
    subs = {}
    for token in dict.fromkeys(t for t in pair.english if _PLACEHOLDER_RE.fullmatch(t)):
        if rng.random() < 0.5:
            subs[token] = (f"`{rng.choice(CODE)}`", "")
        else:
            term = rng.choice(TERMS)
            subs[token] = (term, term)
    return subs


def _pick_spans(
    pair: toy.Pair, subs: dict[str, tuple[str, str]], rng: random.Random
) -> list[tuple[str, int, int]]:
    # Spans of 1-5 words; inline code alone has no words to place, so it is never a span.
    code = {token for token, (_md, ref) in subs.items() if not ref}
    candidates = [
        (a, b)
        for _kind, a, b in pair.phrases
        if 1 <= b - a <= 5
        and all(_WORD_RE.search(t) for t in pair.english[a:b])
        and not set(pair.english[a:b]) <= code
    ]
    rng.shuffle(candidates)
    chosen: list[tuple[int, int]] = []
    for a, b in candidates:
        if len(chosen) < rng.choice((1, 2, 3, 3)) and all(b <= c or a >= d for c, d in chosen):
            chosen.append((a, b))
    kinds = rng.sample(list(KINDS), len(chosen))
    return [(kind, a, b) for kind, (a, b) in zip(kinds, sorted(chosen), strict=True)]


def _target_text(tokens: list[str], subs: dict[str, tuple[str, str]]) -> str:
    text = toy.detokenize(tokens)
    for token, (_md, ref) in subs.items():
        text = text.replace(token, ref)
    return _normal(text)


def _normal(text: str) -> str:
    return re.sub(r"\s+([.,?!])", r"\1", " ".join(text.split()))


def make_case(pair: toy.Pair, rng: random.Random) -> Case:
    """Markdown, spans and reference for one sentence."""
    subs = _substitutions(pair, rng)
    spans = []
    pieces = [subs.get(t, (t, ""))[0] for t in pair.english]
    for index, (kind, a, b) in enumerate(_pick_spans(pair, subs, rng)):
        targets = pair.targets_of(set(range(a, b)))
        hull = list(pair.target[min(targets) : max(targets) + 1])
        words = tuple(w.casefold() for w in _WORD_RE.findall(_target_text(hull, subs)))
        where = "start" if a == 0 else "end" if b >= len(pair.english) - 1 else "middle"
        spans.append(SpanCase(kind, a, b, where, words))
        opening, closing = {
            "link": ("[", f"](https://example.org/s{index})"),
            "bold": ("**", "**"),
            "italic": ("*", "*"),
        }[kind]
        pieces[a] = opening + pieces[a]
        pieces[b - 1] = pieces[b - 1] + closing
    markdown = toy.detokenize(pieces)
    return Case(pair, markdown, tuple(spans), _target_text(list(pair.target), subs))


def write_project(folder: Path, cases: list[Case]) -> Path:
    """A project with one document of all cases, the glossary and settings."""
    (folder / "examples").mkdir(parents=True)
    body = "\n\n".join(case.markdown for case in cases)
    front = '---\ntitle: "Toy fidelity"\ndate: 2024-01-01\nlanguages: ["qto"]\n---\n\n'
    (folder / "examples" / "fidelity.md").write_text(front + body + "\n", encoding="utf-8")
    keep = ", ".join(json.dumps(t) for t in TERMS)
    (folder / "glossary.toml").write_text(f"keep = [{keep}]\n", encoding="utf-8")
    (folder / "summary-pipeline.toml").write_text(
        'sources = ["examples/*.md"]\nlanguages = ["qto"]\nformats = ["html"]\n'
        'engine = "argos"\n\n[argos]\nbeam_size = 2\ninter_threads = 2\nintra_threads = 1\n',
        encoding="utf-8",
    )
    return folder / "examples" / "fidelity.md"


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGOS_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        ARGOS_PACKAGES_DIR=str(home / "argos-packages"),
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
        FIDELITY_LOG=str(home / "placements.jsonl"),
    )
    return env


def run_build(project: Path, package: Path, home: Path) -> Path:
    """Install the package and build the project through the CLI; returns the placement log."""
    home.mkdir(parents=True, exist_ok=True)
    env = _environment(home)
    python = sys.executable
    cli = [python, "-c", RECORDER]
    subprocess.run([*cli, "models", "install", str(package)], env=env, check=True)
    command = [*cli, "-C", str(project), "build", "--engine", "argos", "--lang", toy.CODE]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return Path(env["FIDELITY_LOG"])


def _inside(tagged: str) -> dict[str, list[str]]:
    """Casefolded words inside each paired tag of tagged text."""
    words: dict[str, list[str]] = {}
    open_tags: list[str] = []
    for token in tokenize(tagged):
        if token.kind == "open":
            open_tags.append(token.value)
            words.setdefault(token.value, [])
        elif token.kind == "close":
            open_tags.remove(token.value)
        elif token.kind == "text":
            for name in open_tags:
                words[name] += [w.casefold() for w in _WORD_RE.findall(token.value)]
    return words


def _plain(tagged: str) -> str:
    return _normal("".join(t.value for t in tokenize(tagged) if t.kind == "text"))


def evaluate(cases: list[Case], source: Path, project: Path, log: Path) -> list[str]:
    """The report lines, the figure of issue 16 last."""
    seg = segment(load_document(source))
    units = [u for u in seg.units if u.kind == "paragraph"]
    catalog = read_catalog(catalog_path(project / "locales", toy.CODE, seg.document.slug))
    assert catalog is not None and len(units) == len(cases)
    published = {e.context: e.msgstr for e in catalog.active}
    methods = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        methods[(record["source"], record["span"])] = record["method"]
    matched = 0
    judged: list[tuple[str, bool, str]] = []
    for case, unit in zip(cases, units, strict=True):
        text = published.get(unit.id, "")
        if _plain(text) != case.reference:
            continue
        matched += 1
        inside = _inside(text)
        names = [t.value for t in tokenize(unit.text) if t.kind == "open"]
        for span in case.spans:
            name = next(n for n in names if n.startswith(KINDS[span.kind]))
            method = methods.get((unit.text, name), "?")
            got = tuple(inside.get(name, []))
            judged.append((method, got == span.expected, span.where))
            if got != span.expected and os.environ.get("FIDELITY_VERBOSE"):
                print(f"{method}: {unit.text}\n  -> {text}\n  {name}: {got} != {span.expected}")
    return _report(judged, matched, len(cases), sum(len(c.spans) for c in cases))


def _report(judged: list[tuple[str, bool, str]], matched: int, total: int, spans: int) -> list[str]:
    lines = [f"{'method':<14} {'spans':>6} {'share':>7} {'right':>7}"]
    count = Counter(m for m, _, _ in judged)
    right = Counter(m for m, ok, _ in judged if ok)
    for method, label in METHOD_NAMES.items():
        n = count[method]
        share = f"{n / len(judged):.1%}" if judged else "-"
        lines.append(f"{label:<14} {n:>6} {share:>7} {(right[method] / n if n else 0):>7.1%}")
    for where in ("start", "middle", "end"):
        here = [ok for _, ok, w in judged if w == where]
        lines.append(f"at the {where}: {sum(here)}/{len(here)} on the right words")
    lines.append(f"spans in sentences the model got wrong (not judged): {spans - len(judged)}")
    good = sum(ok for _, ok, _ in judged)
    s = 100 * good / len(judged) if judged else 0.0
    m = 100 * matched / total if total else 0.0
    lines.append(
        f"fidelity: {s:.1f}% of {len(judged)} spans on the right words; model matches the "
        f"reference translation on {m:.1f}% of {total} held-out sentences"
    )
    return lines


def main() -> None:
    """Build the benchmark document through the CLI and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=Path, default=ROOT / "tests" / "data")
    parser.add_argument("--keep", type=Path, help="keep the temp project here")
    parser.add_argument("--sentences", type=int, default=SENTENCES)
    args = parser.parse_args()
    package = args.packages / f"translate-en_{toy.CODE}-1.0.argosmodel"
    rng = random.Random(SEED)
    cases = [make_case(pair, rng) for pair in toy.held_out(args.sentences)]
    with tempfile.TemporaryDirectory(prefix="fidelity-") as tmp:
        work = args.keep or Path(tmp)
        source = write_project(work / "project", cases)
        log = run_build(work / "project", package, work / "home")
        lines = evaluate(cases, source, work / "project", log)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
