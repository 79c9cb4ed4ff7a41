"""The ``summary-pipeline`` command: options only; each command calls one library function.

Heavy modules are imported inside the commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from pipeline import __version__

ENGINE_CHOICES = ("argos", "pseudo")


class _ClickHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR
        if quiet
        else logging.DEBUG
        if verbose > 1
        else logging.INFO
        if verbose
        else logging.WARNING
    )
    root = logging.getLogger("pipeline")
    root.handlers[:] = [_ClickHandler()]
    root.setLevel(level)
    root.propagate = False


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
    """Turn an English Markdown summary into translated HTML handouts, offline."""
    _setup_logging(verbose, quiet)
    ctx.obj = {"project": project or Path.cwd(), "quiet": quiet}


def _config(ctx: click.Context, **overrides: Any) -> Any:
    from pipeline.config import load_config

    return load_config(ctx.obj["project"], overrides)


def _split(values: tuple[str, ...]) -> list[str] | None:
    items = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return items or None


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-l", "--lang", "langs", multiple=True, help="Target languages, e.g. es,fr,ar (repeatable)."
)
@click.option(
    "-e", "--engine", type=click.Choice(ENGINE_CHOICES), default=None, help="Translation engine."
)
@click.option(
    "-f", "--format", "formats", multiple=True, help="Output formats: html (default), pdf."
)
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Output folder.",
)
@click.option(
    "--paper", type=click.Choice(["A4", "Letter"]), default=None, help="Paper size for print."
)
@click.option(
    "--beam-size", type=click.IntRange(1, 16), default=None, help="Argos beam size (default 2)."
)
@click.option(
    "--inter-threads",
    type=click.IntRange(0, 64),
    default=None,
    help="CTranslate2 parallel batches.",
)
@click.option(
    "--intra-threads",
    type=click.IntRange(0, 64),
    default=None,
    help="CTranslate2 threads per batch (0 = automatic).",
)
@click.option(
    "--batch-size", type=click.IntRange(1, 4096), default=None, help="Sentences per model batch."
)
@click.pass_context
def build(
    ctx: click.Context,
    sources: tuple[Path, ...],
    langs: tuple[str, ...],
    engine: str | None,
    formats: tuple[str, ...],
    output_dir: str | None,
    paper: str | None,
    beam_size: int | None,
    inter_threads: int | None,
    intra_threads: int | None,
    batch_size: int | None,
) -> None:
    """Translate SOURCES (default: the project's sources) and write pages into output/."""
    from pipeline.build import build as run_build

    config = _config(
        ctx,
        languages=_split(langs),
        engine=engine,
        formats=_split(formats),
        output_dir=output_dir,
        paper=paper,
        beam_size=beam_size,
        inter_threads=inter_threads,
        intra_threads=intra_threads,
        batch_size=batch_size,
    )
    quiet = ctx.obj["quiet"]
    progress = (
        None if quiet or not sys.stderr.isatty() else (lambda m: click.echo(f"… {m}", err=True))
    )
    report = run_build(config, sources, languages_from_cli=bool(langs), progress=progress)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        click.echo(report.summary())


@main.group()
def models() -> None:
    """Manage Argos Translate models (packages)."""


@models.command("list")
def models_list() -> None:
    """Installed language pairs, versions and folders."""
    from pipeline import models as m

    found = m.installed()
    if not found:
        click.echo(f"No Argos models installed in {m.packages_dir()}.")
        return
    for info in found:
        click.echo(f"{info.pair}\t{info.version}\t{info.path}")


@models.command("available")
def models_available() -> None:
    """Pairs offered by the Argos package index (needs the network)."""
    from pipeline import models as m

    installed = {(i.from_code, i.to_code): i.version for i in m.installed()}
    for info in m.fetch_index():
        mark = "  (installed)" if (info.from_code, info.to_code) in installed else ""
        click.echo(f"{info.pair}\t{info.version}{mark}")


@models.command("install")
@click.argument("targets", nargs=-1, required=True)
@click.option(
    "--from", "from_code", default="en", show_default=True, help="Source language of index models."
)
@click.pass_context
def models_install(ctx: click.Context, targets: tuple[str, ...], from_code: str) -> None:
    """Install models: language codes (downloaded from the index) or .argosmodel files (offline)."""
    from pipeline import models as m
    from pipeline.errors import ModelError

    files = [t for t in targets if t.endswith(".argosmodel") or Path(t).is_file()]
    codes = [c for t in targets if t not in files for c in t.split(",") if c]
    for name in files:
        folder = m.install_file(Path(name))
        click.echo(f"installed {name} → {folder}")
    if not codes:
        return
    installed = {(i.from_code, i.to_code): i for i in m.installed()}
    wanted = [c for c in codes if (from_code, c) not in installed]
    for code in codes:
        if (from_code, code) in installed:
            click.echo(
                f"{from_code}→{code} already installed ({installed[(from_code, code)].version})"
            )
    if not wanted:
        return
    index = {(i.from_code, i.to_code): i for i in m.fetch_index()}
    unknown = [c for c in wanted if (from_code, c) not in index]
    if unknown:
        offered = ", ".join(sorted(t for f, t in index if f == from_code))
        raise ModelError(
            f"the Argos index has no {from_code}→ model for: {', '.join(unknown)} "
            f"(offered: {offered})"
        )
    for code in wanted:
        info = index[(from_code, code)]
        label = f"{info.pair} {info.version}"
        if ctx.obj["quiet"]:
            folder = m.download_and_install(info)
        else:
            with click.progressbar(length=0, label=label, show_pos=False, file=sys.stderr) as bar:

                def advance(n: int, total: int | None, bar: Any = bar) -> None:
                    if total and not bar.length:
                        bar.length = total
                    bar.update(n)

                folder = m.download_and_install(info, advance)
        click.echo(f"installed {label} → {folder}")


@models.command("remove")
@click.argument("targets", nargs=-1, required=True)
@click.option("--from", "from_code", default="en", show_default=True, help="Source language.")
def models_remove(targets: tuple[str, ...], from_code: str) -> None:
    """Uninstall the models for language codes (en→CODE) or pairs like fr-en."""
    from pipeline import models as m

    for target in (c for t in targets for c in t.split(",") if c):
        source, _, dest = target.rpartition("-") if "-" in target else (from_code, "", target)
        folder = m.remove(source, dest)
        click.echo(f"removed {source}→{dest} ({folder})")
