"""The documentation stays true to the code.

README is a short front door whose test command is the one CI runs; docs/ names only real
commands and lists every command, option, setting (with its default) and QA check; the
module map names every module and only imports the code has; relative links resolve.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path

import click
import pytest

from pipeline import engines
from pipeline.cli import main
from pipeline.config import OPTIONS
from pipeline.qa import CHECKS

from .test_architecture import _graph

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CI_SCRIPT = ROOT / ".ci" / "run"
MAX_README_BYTES = 12_000
# Pages other work adds (the PO catalog pages); a link to them may precede the page itself.
PENDING_PAGES = {"docs/catalogs.md"}
# Options of the program itself, given before the command name.
GLOBAL_FLAGS = {"-q", "--quiet", "-v", "-vv", "--verbose"}
GLOBAL_WITH_VALUE = {"-C", "--project"}
# The QA stage's own findings, besides the pair checks of pipeline.qa.CHECKS.
PAGES = [*sorted(DOCS.glob("*.md")), README]
STAGE_QA = ROOT / "pipeline" / "stages" / "qa.py"


def _code(markdown: str) -> list[str]:
    """The text of every fenced code block and every inline code span."""
    fences = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.S | re.M)
    rest = re.sub(r"^```[^\n]*\n.*?^```", "", markdown, flags=re.S | re.M)
    return fences + re.findall(r"`([^`\n]+)`", rest)


def _commands_named(text: str) -> list[list[str]]:
    """Each ``summary-pipeline ...`` invocation in ``text``: the words after global options."""
    found = []
    # A command starts a line or a code span, or follows a prompt, "&&" or a folder (bin/).
    starts = r"(?:^|\$ |&& |/)"
    for match in re.finditer(starts + r"summary-pipeline((?: +\S+)*)", text, flags=re.M):
        words = match.group(1).split()
        while words and (words[0] in GLOBAL_FLAGS or words[0] in GLOBAL_WITH_VALUE):
            words = words[2:] if words[0] in GLOBAL_WITH_VALUE else words[1:]
        found.append(words)
    return found


def _resolve(words: list[str]) -> str | None:
    """The problem with a command line's command words, or None when they name a command."""
    if not words or not re.fullmatch(r"[a-z][a-z-]*", words[0]):
        return None  # a placeholder (COMMAND) or options only
    command = main.commands.get(words[0])
    if command is None:
        return f"no command {words[0]!r}"
    if isinstance(command, click.Group):
        sub = words[1] if len(words) > 1 else ""
        if re.fullmatch(r"[a-z][a-z-]*", sub) and sub not in command.commands:
            return f"no command {words[0]} {sub!r}"
    return None


def _ci_commands() -> list[list[str]]:
    commands = []
    for line in CI_SCRIPT.read_text(encoding="utf-8").splitlines():
        tokens = shlex.split(line, comments=True)
        if tokens and tokens[0] not in ("set", "cd"):
            commands.append(tokens)
    return commands


def readme_test_command() -> str:
    """The one test command README gives (the code span that runs pytest)."""
    found = {c for c in _code(README.read_text(encoding="utf-8")) if "pytest" in c}
    assert len(found) == 1, f"README should give one test command, found {sorted(found)}"
    return found.pop()


def test_readme_is_a_short_front_door() -> None:
    size = len(README.read_bytes())
    assert size <= MAX_README_BYTES, f"README.md is {size} bytes (at most {MAX_README_BYTES})"


def test_readme_test_command_is_what_ci_runs() -> None:
    steps = [shlex.split(part) for part in readme_test_command().split("&&")]
    ci = _ci_commands()
    position = 0
    for step in steps:
        # CI may add flags to a step (pytest -q), never other arguments.
        matches = [
            i
            for i in range(position, len(ci))
            if ci[i][: len(step)] == step and all(t.startswith("-") for t in ci[i][len(step) :])
        ]
        assert matches, f"{shlex.join(step)!r} (README) is not run by .ci/run after step {position}"
        position = matches[0] + 1


def test_readme_names_the_main_job() -> None:
    assert "bash setup.sh" in _code(README.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_command_named_is_real(page: Path) -> None:
    problems = []
    for block in _code(page.read_text(encoding="utf-8")):
        for words in _commands_named(block):
            problem = _resolve(words)
            if problem:
                problems.append(f"summary-pipeline {' '.join(words)}: {problem}")
    assert not problems, f"{page.name}: " + "; ".join(problems)


def _all_commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(main.commands.items()):
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in sorted(command.commands.items())]
        else:
            found.append((name, command))
    return found


def test_commands_page_covers_every_command_and_option() -> None:
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    named = {" ".join(words[:2]) for block in _code(page) for words in _commands_named(block)}
    named |= {words[0] for words in map(str.split, named) if words}
    # A group's subcommands may be named without the program: `models list`.
    named |= {" ".join(span.split()[:2]) for span in _code(page) if span.split()[:1] != ["$"]}
    missing = []
    for name, command in _all_commands():
        if name not in named:
            missing.append(f"command {name}")
        for param in command.params:
            if isinstance(param, click.Option):
                flags = [f for f in param.opts + param.secondary_opts if f.startswith("--")]
                if flags and not any(f"{flag}" in page for flag in flags):
                    missing.append(f"{name} {flags[0]}")
    for param in main.params:
        if isinstance(param, click.Option) and not any(f in page for f in param.opts):
            missing.append(f"global {param.opts[0]}")
    assert not missing, "docs/commands.md does not mention: " + ", ".join(missing)


def test_configuration_page_covers_every_setting_with_its_default() -> None:
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", page, re.M)}
    missing = []
    for option in OPTIONS:
        row = rows.get(option.key, "")
        if not row or (option.flag and option.flag not in row):
            missing.append(option.key)
    for name in engines.engine_names():
        for item in dataclasses.fields(engines.engine_module(name).Settings):
            if item.name not in rows:
                missing.append(f"{name}.{item.name}")
    assert not missing, "docs/configuration.md lacks a row (or the flag) for: " + ", ".join(missing)
    wrong = [
        f"{key}: default {_toml(default)}"
        for key, default in _defaults()
        if key in rows and f"`{_toml(default)}`" not in rows[key]
    ]
    assert not wrong, "docs/configuration.md shows another default: " + ", ".join(wrong)


def _toml(value: object) -> str:
    """A default as the project file would spell it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _defaults() -> list[tuple[str, object]]:
    """Every setting with a default: the top-level options, then each engine's fields."""
    # A default of None is "not set": nothing to spell, the row says what that means.
    found: list[tuple[str, object]] = [
        (option.key, option.default) for option in OPTIONS if option.default is not None
    ]
    for name in engines.engine_names():
        for item in dataclasses.fields(engines.engine_module(name).Settings):
            if item.default is not dataclasses.MISSING and item.default is not None:
                found.append((item.name, item.default))
    return found


def test_qa_page_lists_every_check_with_its_severity() -> None:
    page = (DOCS / "glossary-and-qa.md").read_text(encoding="utf-8")
    checks = {check: severity.value for check, (severity, _) in CHECKS.items()}
    stage = re.findall(r'Finding\(\s*"([a-z-]+)",\s*Severity\.(\w+)', STAGE_QA.read_text("utf-8"))
    assert stage, "the QA stage's own findings were not found"
    checks.update({check: severity.lower() for check, severity in stage})
    for check, severity in checks.items():
        assert re.search(rf"^\| `{re.escape(check)}` \| {severity} \|", page, re.M), (
            f"docs/glossary-and-qa.md: no row `{check}` | {severity}"
        )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue
        path = (page.parent / target).resolve()
        if not path.exists() and path.relative_to(ROOT).as_posix() not in PENDING_PAGES:
            broken.append(target)
    assert not broken, f"{page.name}: broken links {broken}"


def _module_map() -> dict[str, set[str]]:
    """docs/architecture.md's module map: module → the pipeline modules it says it imports."""
    page = (DOCS / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9_.]+)` \| [^|]+ \| ([^|]+) \|$", page, re.M)
    assert rows, "docs/architecture.md has no module map"
    return {
        f"pipeline.{module}": {f"pipeline.{n.strip()}" for n in imports.split(",") if n.strip()}
        - {"pipeline.–"}
        for module, imports in rows
    }


def test_module_map_names_every_module_and_only_real_imports() -> None:
    graph = _graph()
    listed = _module_map()
    # Packages whose __init__ holds no code of its own need no line.
    packages = {"pipeline", "pipeline.stages", "pipeline.testing"}
    unlisted = sorted(set(graph) - set(listed) - packages)
    assert not unlisted, "docs/architecture.md: add a line for " + ", ".join(unlisted)
    problems = []
    for module, imports in listed.items():
        if module not in graph:
            problems.append(f"{module} does not exist")
            continue
        parent = module.rpartition(".")[0]
        for name in sorted(imports - graph[module] - {parent}):
            problems.append(f"{module} does not import {name}")
    assert not problems, "docs/architecture.md: " + "; ".join(problems)
