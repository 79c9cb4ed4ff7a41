"""Which files a run reads and which languages it builds: no file is parsed here.

Both the full load (:mod:`pipeline.stages.load`) and the up-to-date shortcut
(:mod:`pipeline.stages.recall`) choose their sources and targets here, so that they can only
agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import SourceError


def resolve_sources(config: Config, paths: Sequence[Path]) -> list[Path]:
    """The Markdown files to build: the paths given, else the configured globs."""
    if paths:
        return [Path(p) for p in paths]
    found: list[Path] = []
    for pattern in config.sources:
        found.extend(sorted(config.project_dir.glob(pattern)))
    if not found:
        raise SourceError(
            f"no source files match {', '.join(config.sources)} in {config.project_dir}"
        )
    return list(dict.fromkeys(found))


def target_languages(
    config: Config, named: Iterable[Sequence[str]], only: Sequence[str] = ()
) -> tuple[str, ...]:
    """Languages to build: ``--lang`` wins, then the documents' own lists (``named``, one per
    document), then the config; ``only`` (if given) narrows the targets."""
    if config.languages_from_cli:
        targets = config.languages
    else:
        listed = [code for codes in named for code in codes]
        targets = tuple(dict.fromkeys(listed)) if listed else config.languages
    if only:
        targets = tuple(lang for lang in targets if lang in only) or tuple(only)
    return targets
