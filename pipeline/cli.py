"""The ``summary-pipeline`` command: options only; each command calls one library function.

Heavy modules are imported inside the commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import atexit
import functools
import gc
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from pipeline import __version__
from pipeline.cli_options import (
    argos_options,
    config_from,
    engine_option,
    lang_option,
    libretranslate_options,
    progress,
    sources_argument,
    split,
)
from pipeline.cli_tools import engines, models


class _ClickHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


def _setup_logging(verbose: int, quiet: bool) -> None:
    levels = {0: logging.WARNING, 1: logging.INFO}
    level = logging.ERROR if quiet else levels.get(verbose, logging.DEBUG)
    root = logging.getLogger("pipeline")
    root.handlers[:] = [_ClickHandler()]
    root.setLevel(level)
    root.propagate = False


@functools.cache
def _skip_final_collections() -> None:
    """At exit, CPython collects the reference cycles of every module and object left (Jinja2,
    Babel's locale data, markdown-it, the engine's) only to free memory that the process
    gives back anyway: 25 to 70 ms of a cold build's exit. Frozen objects are skipped by
    those collections. Registered when a command runs, it runs before the exit handlers
    registered earlier, logging's flush among them, which still run as before; files are
    closed where they are written, never left to a collector."""
    atexit.register(gc.freeze)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="summary-pipeline")
@click.option(
    "-C",
    "--project",
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (holds summary-pipeline.toml). Default: current folder.",
)
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors; no progress (for cron).")
@click.pass_context
def main(ctx: click.Context, project: Path | None, verbose: int, quiet: bool) -> None:
    """Turn an English Markdown summary into reviewed, translated HTML and PDF handouts,
    offline."""
    _setup_logging(verbose, quiet)
    _skip_final_collections()
    ctx.obj = {"project": project or Path.cwd(), "quiet": quiet}


main.add_command(engines)
main.add_command(models)


def _warn(ctx: click.Context, warnings: Sequence[str]) -> None:
    if not ctx.obj["quiet"]:  # --quiet (cron): errors only; warnings stay in build.json
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)


def _strict_exit(findings: Sequence[Any], strict: bool) -> None:
    from pipeline.errors import StrictError
    from pipeline.findings import count_errors

    errors = count_errors(list(findings))
    if strict and errors:
        raise StrictError(f"{errors} QA error(s) (--strict); see `summary-pipeline check`")


@main.command()
@sources_argument
@lang_option
@engine_option
@click.option("-f", "--format", "formats", multiple=True, help="Formats: html (default), pdf.")
@click.option("-o", "--output", "output_dir", default=None, help="Output folder.")
@click.option("--paper", type=click.Choice(["A4", "Letter"]), default=None, help="Paper size.")
@click.option(
    "--max-pages", type=click.IntRange(min=1), default=None, help="Fit each PDF into N pages."
)
@click.option("--strict", is_flag=True, help="Exit with code 3 when a QA check finds an error.")
@click.option(
    "--prefer-reviewed-stale/--prefer-machine-stale",
    default=None,
    help="For stale entries (English changed after review) show the old reviewed text "
    "instead of fresh machine output.",
)
@click.option(
    "--back-translation/--no-back-translation",
    default=None,
    help="Translate the pages back to English where a reverse model is installed; flag the "
    "units that come back far from the source (build.json, review pages).",
)
@argos_options
@libretranslate_options
@click.pass_context
def build(ctx: click.Context, /, sources: tuple[Path, ...], strict: bool, **params: Any) -> None:
    """Translate SOURCES (default: the project's sources) and write pages into output/.

    Also updates the catalogs in locales/, output/review/ and output/build.json. Only
    sentences the translation memory does not know are sent to the engine.
    """
    from pipeline.build import BUILD, Build

    config = config_from(ctx, params)
    outcome = Build(config, BUILD, progress=progress(ctx.obj["quiet"])).run(sources)
    _warn(ctx, outcome.warnings)
    if not ctx.obj["quiet"]:
        click.echo(outcome.summary())
    _strict_exit(outcome.findings, strict)


@main.command()
@sources_argument
@lang_option
@engine_option
@argos_options
@libretranslate_options
@click.pass_context
def translate(ctx: click.Context, /, sources: tuple[Path, ...], **params: Any) -> None:
    """Update the catalogs in locales/ (memory misses go to the engine); render nothing."""
    from pipeline.build import TRANSLATE, Build

    config = config_from(ctx, params)
    outcome = Build(config, TRANSLATE, progress=progress(ctx.obj["quiet"])).run(sources)
    _warn(ctx, outcome.warnings)
    if not ctx.obj["quiet"]:
        count = len(outcome.sources.docs) * len(outcome.sources.languages)
        click.echo(
            f"Updated {count} catalog(s) in {config.locales_dir}: "
            f"{outcome.engine_texts} text(s) translated, "
            f"{outcome.stats.model_loads} model load(s), in {outcome.seconds:.1f} s."
        )


@main.command()
@sources_argument
@lang_option
@click.pass_context
def status(ctx: click.Context, /, sources: tuple[Path, ...], **params: Any) -> None:
    """Per language and document: reviewed, draft, machine, stale, rejected and missing units.

    Read-only: counts what the next build would find in locales/ for the current English.
    """
    from pipeline.status import format_status, status_rows

    click.echo(format_status(status_rows(config_from(ctx, params), sources)))


@main.command()
@sources_argument
@lang_option
@click.option(
    "--severity",
    type=click.Choice(["error", "warning", "info"]),
    default="info",
    show_default=True,
    help="Print findings of this severity and worse.",
)
@click.option("--strict", is_flag=True, help="Exit with code 3 when an error-level finding exists.")
@click.option(
    "--back-translation",
    is_flag=True,
    help="Also translate the published text back to English (where a reverse model is "
    "installed) and flag the units that come back far from the source.",
)
@engine_option
@click.pass_context
def check(
    ctx: click.Context,
    /,
    sources: tuple[Path, ...],
    severity: str,
    strict: bool,
    back_translation: bool,
    **params: Any,
) -> None:
    """Run the QA checks on what the pages of SOURCES show, and print the findings.

    Read-only: reviewed text, else the catalog's machine text; units no catalog has yet are
    reported as not translated. Only --back-translation uses an engine (-e, for the reverse
    models). One line per finding:
    file:line: language unit: severity [check id] message.
    """
    from pipeline.build import READ, Build
    from pipeline.build import back_translation as back
    from pipeline.findings import Severity

    config = config_from(ctx, params)
    outcome = Build(config, READ).run(sources)
    if back_translation:
        reverse = back(config, outcome)
        outcome.findings.extend(reverse.findings)
        _warn(ctx, reverse.warnings)
    worst = Severity(severity).rank
    for finding in outcome.findings:
        if finding.severity.rank <= worst:
            click.echo(finding.format())
    if not ctx.obj["quiet"]:
        shown = [level for level in Severity if level.rank <= worst]
        counts = [f"{sum(1 for f in outcome.findings if f.severity is s)} {s}(s)" for s in shown]
        click.echo("Checked: " + ", ".join(counts), err=True)
    _strict_exit(outcome.findings, strict)


@main.command()
@click.argument("revisions", nargs=-1)
@click.option(
    "--dirs",
    nargs=2,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    metavar="OLD NEW",
    help="Compare two output folders (their review/ files).",
)
@click.option("--machine", is_flag=True, help="Compare the catalogs with a fresh machine run.")
@lang_option
@engine_option
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a side-by-side page (English | before | after) to this file.",
)
@click.option("--color/--no-color", default=None, help="Colour the word diff (default: tty).")
@click.pass_context
def diff(
    ctx: click.Context,
    revisions: tuple[str, ...],
    dirs: tuple[Path, Path] | None,
    machine: bool,
    langs: tuple[str, ...],
    engine: str | None,
    html_path: Path | None,
    color: bool | None,
) -> None:
    """Unit by unit, what changed in the translations (writes nothing but --html).

    \b
    diff                 catalogs at HEAD vs the working tree (git)
    diff REV             catalogs at REV vs the working tree
    diff REV1 REV2       catalogs at REV1 vs REV2
    diff --dirs OLD NEW  two output folders
    diff --machine       catalogs vs a fresh machine translation
    """
    from pipeline.diff import diff_page, diff_rows, format_diff, lost_reviews
    from pipeline.output import atomic_write

    if sum((bool(dirs), machine, bool(revisions))) > 1 or len(revisions) > 2:
        raise click.UsageError("give revisions, --dirs or --machine, not several")
    config = config_from(ctx, {"engine": engine})
    rows, title = diff_rows(config, revisions, dirs, machine, split(langs))
    use_color = sys.stdout.isatty() if color is None else color
    if not machine:  # a fresh machine run replaces nothing: only versions can lose reviews
        _warn(ctx, lost_reviews(rows))
    if rows:
        click.echo(format_diff(rows, use_color), color=use_color)
    elif not ctx.obj["quiet"]:
        click.echo("No differences.")
    if html_path is not None:
        atomic_write(html_path, diff_page(config, rows, title).encode("utf-8"))
        if not ctx.obj["quiet"]:
            click.echo(f"wrote {html_path}", err=True)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def new(folder: Path) -> None:
    """Create a project in FOLDER: settings, one sample summary, a glossary, empty locales/.

    It builds at once: cd FOLDER && summary-pipeline build --engine pseudo
    """
    from pipeline.new import create_project

    for path in create_project(folder):
        click.echo(f"created {path}")
    click.echo(
        f"Next: cd {folder} && summary-pipeline build --engine pseudo   (a labelled preview; "
        "for real translations: summary-pipeline models install es fr ar, then build)"
    )
