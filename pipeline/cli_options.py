"""Options shared by several commands, and how flags become configuration values."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline.config import Flag, load_config
from pipeline.engines import engine_names

F = TypeVar("F", bound=Callable[..., Any])

#: Command parameter → (configuration key, flag as the user typed it).
FLAG_KEYS: dict[str, tuple[str, str]] = {
    "langs": ("languages", "--lang"),
    "engine": ("engine", "--engine"),
    "formats": ("formats", "--format"),
    "output_dir": ("output_dir", "--output"),
    "paper": ("paper", "--paper"),
    "max_pages": ("max_pages", "--max-pages"),
    "prefer_reviewed_stale": ("prefer_reviewed_stale", "--prefer-reviewed-stale"),
    "back_translation": ("back_translation", "--back-translation"),
    "beam_size": ("argos.beam_size", "--beam-size"),
    "inter_threads": ("argos.inter_threads", "--inter-threads"),
    "intra_threads": ("argos.intra_threads", "--intra-threads"),
    "batch_size": ("argos.batch_size", "--batch-size"),
    "lt_urls": ("libretranslate.urls", "--url"),
    "lt_api_key": ("libretranslate.api_key", "--api-key"),
    "lt_batch_limit": ("libretranslate.batch_limit", "--batch-limit"),
    "lt_char_limit": ("libretranslate.char_limit", "--char-limit"),
}
_LISTS = ("langs", "formats", "lt_urls")


def split(values: tuple[str, ...]) -> list[str]:
    """``("es,fr", "ar")`` → ``["es", "fr", "ar"]``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def config_from(ctx: click.Context, params: Mapping[str, Any]) -> Any:
    """The configuration: the project file, then the flags that were given."""
    flags: dict[str, Flag] = {}
    for name, value in params.items():
        if name not in FLAG_KEYS or value is None:
            continue
        if name in _LISTS:
            value = split(value)
            if not value:
                continue
        key, flag = FLAG_KEYS[name]
        flags[key] = Flag(value, flag)
    return load_config(ctx.obj["project"], flags)


def progress(quiet: bool) -> Callable[[str], None] | None:
    """Progress lines on a terminal only: cron and CI logs get the summary line alone."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"… {message}", err=True)


def _apply(command: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        command = option(command)
    return command


sources_argument = click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
lang_option = click.option(
    "-l", "--lang", "langs", multiple=True, help="Target languages, e.g. es,fr,ar (repeatable)."
)
engine_option = click.option(
    "-e", "--engine", type=click.Choice(engine_names()), default=None, help="Translation engine."
)


def argos_options(command: F) -> F:
    """The Argos engine's flags."""
    return _apply(
        command,
        [
            click.option("--beam-size", type=int, default=None, help="Argos beam size (2)."),
            click.option("--inter-threads", type=int, default=None, help="Parallel batches."),
            click.option(
                "--intra-threads", type=int, default=None, help="Threads per batch (0: auto)."
            ),
            click.option("--batch-size", type=int, default=None, help="Sentences per batch."),
        ],
    )


def libretranslate_options(command: F) -> F:
    """The LibreTranslate engine's flags."""
    return _apply(
        command,
        [
            click.option(
                "--url", "lt_urls", multiple=True, help="LibreTranslate server(s) (repeatable)."
            ),
            click.option(
                "--api-key",
                "lt_api_key",
                default=None,
                help="LibreTranslate API key (better: $SUMMARY_PIPELINE_LT_API_KEY).",
            ),
            click.option(
                "--batch-limit", "lt_batch_limit", type=int, default=None,
                help="Texts per LibreTranslate request (16; a server's 400 lowers it).",
            ),
            click.option(
                "--char-limit", "lt_char_limit", type=int, default=None,
                help="Characters per text a server accepts (0: as it says).",
            ),
        ],
    )
