"""The ``engines`` and ``models`` command groups: inspect engines, manage Argos packages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pipeline.cli_options import config_from, engine_option, libretranslate_options


@click.group()
def engines() -> None:
    """Inspect translation engines."""


@engines.command("check")
@click.option("-l", "--lang", "langs", multiple=True, help="Languages needed (default: project's).")
@engine_option
@libretranslate_options
@click.pass_context
def engines_check(ctx: click.Context, /, **params: Any) -> None:
    """Can the engine do the project's languages? For LibreTranslate, per server:
    reachability, pairs offered vs needed, and a one-sentence round-trip time."""
    from pipeline.build import probe_engine
    from pipeline.errors import EngineError
    from pipeline.languages import SOURCE_LANGUAGE

    config = config_from(ctx, params)
    covered: set[str] = set()
    for probe in probe_engine(config):
        first, *rest = probe.lines or ("",)
        click.echo(f"{probe.name}: {first}")
        for line in rest:
            click.echo(f"  {line}")
        covered.update(probe.covers)
    missing = [t for t in config.languages if t not in covered]
    if missing:
        raise EngineError(f"{config.engine} cannot do {SOURCE_LANGUAGE}→{', '.join(missing)}")
    click.echo(f"ok: every needed language ({', '.join(config.languages)}) is offered")


@click.group()
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


def _download(info: Any, quiet: bool) -> Path:
    from pipeline import models as m

    label = f"{info.pair} {info.version}"
    if quiet:
        return m.download_and_install(info)
    with click.progressbar(length=0, label=label, show_pos=False, file=sys.stderr) as bar:

        def advance(n: int, total: int | None) -> None:
            if total and not bar.length:
                bar.length = total
            bar.update(n)

        return m.download_and_install(info, advance)


@models.command("install")
@click.argument("targets", nargs=-1, required=True)
@click.option("--from", "from_code", default="en", show_default=True, help="Source language.")
@click.option("--replace", is_flag=True, help="Replace an installed package for the same pair.")
@click.pass_context
def models_install(
    ctx: click.Context, targets: tuple[str, ...], from_code: str, replace: bool
) -> None:
    """Install models: language codes (downloaded from the index) or .argosmodel files."""
    from pipeline import models as m
    from pipeline.errors import ModelError

    files = [t for t in targets if t.endswith(".argosmodel") or Path(t).is_file()]
    codes = [c for t in targets if t not in files for c in t.split(",") if c]
    for name in files:
        click.echo(f"installed {name} → {m.install_file(Path(name), replace=replace)}")
    installed = {(i.from_code, i.to_code): i for i in m.installed()}
    wanted = [c for c in codes if (from_code, c) not in installed]
    for code in codes:
        if (from_code, code) in installed:
            have = installed[(from_code, code)].version
            click.echo(f"{from_code}→{code} already installed ({have})")
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
        folder = _download(info, ctx.obj["quiet"])
        click.echo(f"installed {info.pair} {info.version} → {folder}")


@models.command("remove")
@click.argument("targets", nargs=-1, required=True)
@click.option("--from", "from_code", default="en", show_default=True, help="Source language.")
def models_remove(targets: tuple[str, ...], from_code: str) -> None:
    """Uninstall the models for language codes (en→CODE) or pairs like fr-en."""
    from pipeline import models as m

    for target in (c for t in targets for c in t.split(",") if c):
        source, _, dest = target.rpartition("-") if "-" in target else (from_code, "", target)
        click.echo(f"removed {source}→{dest} ({m.remove(source, dest)})")
