"""Every failure the pipeline reports to its user, one class per kind.

Each error is a :class:`click.ClickException`, so the CLI prints its message without a
traceback and exits with :attr:`exit_code`. Library errors are wrapped where they enter
(``raise SourceError(msg) from err``); bugs keep their traceback.
"""

from __future__ import annotations

import click

#: Exit codes, documented in README.md.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_STRICT = 3


class PipelineError(click.ClickException):
    """Base class: a problem the user can fix; printed as ``Error: <message>``, exit 1."""

    exit_code = EXIT_ERROR


class ConfigError(PipelineError):
    """Raised when ``summary-pipeline.toml`` or the command-line options are invalid.

    All problems are collected first and reported together, each with its key.
    """


class SourceError(PipelineError):
    """Raised when an input Markdown file is missing, unreadable or malformed.

    The message names the file and, where there is one, the line.
    """


class ModelError(PipelineError):
    """Raised when a translation model is missing, broken or cannot be installed."""


class NetworkError(PipelineError):
    """Raised when the model index or a download cannot be reached (``models`` commands only)."""


class EngineError(PipelineError):
    """Raised when a translation engine fails while translating."""


class OutputError(PipelineError):
    """Raised when a file cannot be written inside the output folder, or a path would escape it."""


class TemplateError(PipelineError):
    """Raised when a template is missing or fails to render (e.g. an undefined variable)."""


class PdfError(PipelineError):
    """Raised when a page cannot be rendered to PDF (WeasyPrint or its libraries missing)."""


class CatalogError(PipelineError):
    """Raised when a PO catalog under ``locales/`` cannot be read (the message names file:line).

    The build stops rather than overwrite a catalog it cannot understand, so no reviewer's
    text is lost.
    """


class LockError(PipelineError):
    """Raised when another run holds the project lock for longer than the allowed wait."""


class StrictError(PipelineError):
    """Raised by ``--strict`` when a QA check found an error-level problem (exit 3).

    Pages are still written, so the problems can be looked at in them.
    """

    exit_code = EXIT_STRICT
