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
from pipeline.engines import ENGINE_NAMES


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


_sources_argument = click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
_lang_option = click.option(
    "-l", "--lang", "langs", multiple=True, help="Target languages, e.g. es,fr,ar (repeatable)."
)
_engine_option = click.option(
    "-e", "--engine", type=click.Choice(ENGINE_NAMES), default=None, help="Translation engine."
)


def _progress(quiet: bool) -> Any:
    """Progress lines on a terminal only: cron and CI logs get the summary line alone."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"… {message}", err=True)


def _libretranslate_options(command: Any) -> Any:
    """The options of the libretranslate engine (passed to the command as ``lt_*``)."""
    options = [
        click.option(
            "--url",
            "lt_urls",
            multiple=True,
            help="LibreTranslate server(s) for --engine libretranslate (repeatable or a,b).",
        ),
        click.option(
            "--api-key",
            "lt_api_key",
            default=None,
            help="LibreTranslate API key (better: $SUMMARY_PIPELINE_LT_API_KEY).",
        ),
        click.option(
            "--batch-limit",
            "lt_batch_limit",
            type=click.IntRange(1, 10000),
            default=None,
            help="Texts per LibreTranslate request (default 16; a server's 400 lowers it).",
        ),
        click.option(
            "--char-limit",
            "lt_char_limit",
            type=click.IntRange(0, 10**7),
            default=None,
            help="Characters per text a LibreTranslate server accepts (0 = as it says).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _lt_overrides(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "libretranslate_urls": _split(options.get("lt_urls") or ()),
        "libretranslate_api_key": options.get("lt_api_key"),
        "libretranslate_batch_limit": options.get("lt_batch_limit"),
        "libretranslate_char_limit": options.get("lt_char_limit"),
    }


@main.command()
@_sources_argument
@_lang_option
@_engine_option
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
@click.option("--strict", is_flag=True, help="Exit with code 3 when a QA check finds an error.")
@click.option(
    "--prefer-reviewed-stale/--prefer-machine-stale",
    default=None,
    help="For stale entries (English changed after review) show the old reviewed text "
    "instead of fresh machine output.",
)
@_libretranslate_options
@click.pass_context
def build(
    ctx: click.Context,
    /,
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
    strict: bool,
    prefer_reviewed_stale: bool | None,
    **lt_options: Any,
) -> None:
    """Translate SOURCES (default: the project's sources) and write pages into output/.

    Also updates the catalogs in locales/, output/review/ and output/build.json. Only
    sentences the translation memory does not know are sent to the engine.
    """
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
        prefer_reviewed_stale=prefer_reviewed_stale,
        **_lt_overrides(lt_options),
    )
    quiet = ctx.obj["quiet"]
    progress = _progress(quiet)
    report = run_build(config, sources, languages_from_cli=bool(langs), progress=progress)
    if not quiet:  # --quiet (cron): errors only; warnings stay in output/build.json
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(report.summary())
    _strict_exit(report.findings, strict)


@main.command()
@_sources_argument
@_lang_option
@_engine_option
@_libretranslate_options
@click.pass_context
def translate(
    ctx: click.Context,
    /,
    sources: tuple[Path, ...],
    langs: tuple[str, ...],
    engine: str | None,
    **lt_options: Any,
) -> None:
    """Update the catalogs in locales/ (memory misses go to the engine); render nothing."""
    from pipeline.build import build as run_build

    config = _config(ctx, languages=_split(langs), engine=engine, **_lt_overrides(lt_options))
    quiet = ctx.obj["quiet"]
    progress = _progress(quiet)
    report = run_build(
        config, sources, languages_from_cli=bool(langs), progress=progress, translate_only=True
    )
    if not quiet:
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        texts = sum(c.engine_texts for c in report.catalogs.values())
        click.echo(
            f"Updated {report.documents * len(report.languages)} catalog(s) in "
            f"{config.locales_dir}: {texts} text(s) translated, "
            f"{report.model_loads} model load(s), in {report.seconds:.1f} s."
        )


@main.command()
@_sources_argument
@_lang_option
@click.pass_context
def status(ctx: click.Context, sources: tuple[Path, ...], langs: tuple[str, ...]) -> None:
    """Per language and document: reviewed, machine, stale and missing units.

    Read-only: counts what the next build would find in locales/ for the current English.
    """
    from pipeline.review import format_status, status_rows

    config = _config(ctx, languages=_split(langs))
    rows = status_rows(config, sources, languages_from_cli=bool(langs))
    click.echo(format_status(rows))


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
@click.option(
    "--machine",
    is_flag=True,
    help="Compare the catalogs with a fresh machine translation.",
)
@click.option("-l", "--lang", "langs", multiple=True, help="Only these languages (repeatable).")
@click.option(
    "-e", "--engine", type=click.Choice(ENGINE_NAMES), default=None, help="Engine (--machine)."
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a side-by-side page (English | before | after) to this file.",
)
@click.option(
    "--color/--no-color", default=None, help="Colour the word diff (default: on a terminal)."
)
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
    """Unit by unit, what changed in the translations.

    \b
    diff                 catalogs at HEAD vs the working tree (git)
    diff REV             catalogs at REV vs the working tree
    diff REV1 REV2       catalogs at REV1 vs REV2
    diff --dirs OLD NEW  two output folders
    diff --machine       catalogs vs a fresh machine translation
    """
    from pipeline.errors import ConfigError
    from pipeline.review import diff_page, diff_rows, format_diff

    modes = sum((bool(dirs), machine, bool(revisions)))
    if modes > 1 or len(revisions) > 2:
        raise click.UsageError("give revisions, --dirs or --machine, not several")
    config = _config(ctx, engine=engine)
    try:
        rows, title = diff_rows(config, revisions, dirs, machine, _split(langs) or [])
    except ValueError as err:
        raise ConfigError(str(err)) from err
    use_color = sys.stdout.isatty() if color is None else color
    if rows:
        click.echo(format_diff(rows, use_color), color=use_color)
    elif not ctx.obj["quiet"]:
        click.echo("No differences.")
    if html_path is not None:
        from pipeline.output import atomic_write

        atomic_write(html_path, diff_page(rows, title).encode("utf-8"))
        if not ctx.obj["quiet"]:
            click.echo(f"wrote {html_path}", err=True)


def _strict_exit(findings: Any, strict: bool) -> None:
    from pipeline.errors import StrictError
    from pipeline.qa import ERROR

    errors = sum(1 for f in findings if f.severity == ERROR)
    if strict and errors:
        raise StrictError(f"{errors} QA error(s) (--strict); see `summary-pipeline check`")


@main.command()
@_sources_argument
@_lang_option
@_engine_option
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
    help="Translate the published text back to English (where a reverse model is installed) "
    "and flag the units that come back far from the source.",
)
@click.pass_context
def check(
    ctx: click.Context,
    sources: tuple[Path, ...],
    langs: tuple[str, ...],
    engine: str | None,
    severity: str,
    strict: bool,
    back_translation: bool,
) -> None:
    """Run the QA checks on the translations of SOURCES and print the findings.

    One line per finding: file:line: language unit: severity [check id] message.
    """
    from pipeline.qa import ERROR, INFO, WARNING, check_sources

    config = _config(ctx, languages=_split(langs), engine=engine)
    findings = check_sources(config, sources, languages_from_cli=bool(langs))
    if back_translation:
        from pipeline.backtranslate import back_translation_findings
        from pipeline.build import load_all, resolve_sources, target_languages
        from pipeline.engines import create_engine

        docs = load_all(resolve_sources(config, sources))
        reverse = create_engine(config.engine, config.engine_options)
        languages = target_languages(config, docs, bool(langs))
        findings = [
            *findings,
            *back_translation_findings(docs, languages, config.locales_dir, reverse),
        ]
    shown = {ERROR: (ERROR,), WARNING: (ERROR, WARNING), INFO: (ERROR, WARNING, INFO)}[severity]
    for finding in findings:
        if finding.severity in shown:
            click.echo(finding.format())
    if not ctx.obj["quiet"]:
        counts = {level: sum(1 for f in findings if f.severity == level) for level in shown}
        click.echo(
            "Checked: " + ", ".join(f"{n} {level}(s)" for level, n in counts.items()), err=True
        )
    _strict_exit(findings, strict)


@main.group()
def engines() -> None:
    """Inspect translation engines."""


@engines.command("check")
@click.option(
    "-l", "--lang", "langs", multiple=True, help="Languages needed (default: the project's)."
)
@click.option(
    "-e", "--engine", type=click.Choice(ENGINE_NAMES), default=None, help="Engine to check."
)
@_libretranslate_options
@click.pass_context
def engines_check(
    ctx: click.Context, /, langs: tuple[str, ...], engine: str | None, **lt_options: Any
) -> None:
    """Can the engine do the project's languages? For LibreTranslate, per server:
    reachability, pairs offered vs needed, and a one-sentence round-trip time."""
    from pipeline.engines import create_engine
    from pipeline.errors import EngineError, PipelineError
    from pipeline.languages import SOURCE_LANGUAGE

    config = _config(ctx, languages=_split(langs), engine=engine, **_lt_overrides(lt_options))
    chosen = create_engine(config.engine, config.engine_options)
    needed = config.languages
    if config.engine == "libretranslate":
        from pipeline.engines.libretranslate import LibreTranslateEngine

        assert isinstance(chosen, LibreTranslateEngine)
        covered: set[str] = set()
        for report in chosen.probe(SOURCE_LANGUAGE, needed):
            click.echo(f"{report.url}: {'reachable' if report.reachable else 'unreachable'}")
            if report.reachable:
                have = [t for t in needed if t not in report.missing]
                covered.update(have)
                click.echo(f"  offers {SOURCE_LANGUAGE}→{', '.join(report.offered) or '-'}")
                click.echo(
                    f"  needed: {', '.join(have) or '-'} offered; "
                    f"{', '.join(report.missing) or 'none'} missing"
                )
            if report.round_trip is not None:
                click.echo(
                    f"  one sentence {report.round_trip_pair}: {report.round_trip * 1000:.0f} ms"
                )
            if report.problem:
                click.echo(f"  problem: {report.problem}")
        uncovered = [t for t in needed if t not in covered]
        if uncovered:
            raise EngineError(f"no server offers {SOURCE_LANGUAGE}→{', '.join(uncovered)}")
        click.echo(f"ok: every needed language ({', '.join(needed)}) is offered")
        return
    failed = []
    for target in needed:
        try:
            chosen.check(SOURCE_LANGUAGE, target)
        except PipelineError as err:
            failed.append(target)
            click.echo(f"{SOURCE_LANGUAGE}→{target}: {err.message}")
        else:
            click.echo(
                f"{SOURCE_LANGUAGE}→{target}: ok ({chosen.identity(SOURCE_LANGUAGE, target)})"
            )
    if failed:
        raise EngineError(f"{config.engine} cannot do {SOURCE_LANGUAGE}→{', '.join(failed)}")


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
