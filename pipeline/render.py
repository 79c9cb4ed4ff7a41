"""Pages from templates: Jinja2 environment, per-language context, HTML writer.

Templates are looked up in the project's ``templates/`` first, then in the package's own,
file by file. Autoescape is on and undefined variables are errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import TemplateError
from pipeline.languages import SOURCE_LANGUAGE, Language, get_language
from pipeline.ui_catalogs import UICatalogs, default_locales_dir

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_templates_dir() -> Path:
    """The package's own templates (``pipeline/templates/``), used after the project's."""
    return _PACKAGE_DIR / "templates"


@dataclass(frozen=True)
class PageLink:
    """A link to the same document in another language (the language switcher)."""

    code: str
    tag: str
    native_name: str
    href: str
    current: bool


def make_environment(project_templates: Path | None, keep_compiled: bool = False) -> Any:
    """A Jinja2 environment over the project's templates, then the package's.

    ``keep_compiled``: templates compiled once are kept in the user's cache folder
    (:func:`pipeline.user_cache.template_cache`) for the next build; read-only commands
    write nothing there.
    """
    import jinja2

    from pipeline.i18n import setup_environment
    from pipeline.user_cache import template_cache

    folders = [str(p) for p in (project_templates, default_templates_dir()) if p and p.is_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # One environment per build: each template is compiled once and not stat'ed again.
        auto_reload=False,
        bytecode_cache=template_cache() if keep_compiled else None,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    setup_environment(env)
    return env


class Renderer:
    """Renders templates in one language at a time, with that language's UI catalogs.

    The project's ``templates/`` and ``locales/`` come first, then the package's own.
    """

    def __init__(
        self, project_templates: Path | None, locales_dir: Path | None, keep_compiled: bool = False
    ) -> None:
        self.env = make_environment(project_templates, keep_compiled)
        self.ui = UICatalogs([locales_dir, default_locales_dir()])

    @property
    def warnings(self) -> list[str]:
        """Problems with UI catalogs met so far (each once)."""
        return list(self.ui.warnings)

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render template ``name``; ``context["lang"]`` (a Language) picks the UI language."""
        lang = context.get("lang")
        code = lang.code if isinstance(lang, Language) else SOURCE_LANGUAGE
        translations, real = self.ui.get(code)
        self.env.install_gettext_translations(translations, newstyle=True)
        ui_tag = get_language(code if real else SOURCE_LANGUAGE).tag
        return render_template(self.env, name, {"ui_tag": ui_tag, **context})


def format_date(value: dt.date | None, lang: Language) -> str:
    """A date in the language's long format (Babel), or '' when there is none."""
    if value is None:
        return ""
    from babel.dates import format_date as babel_format_date

    try:
        return str(babel_format_date(value, format="long", locale=lang.babel_locale))
    except (ValueError, LookupError):
        return value.isoformat()


def language_links(codes: Sequence[str], current: str, slug: str) -> list[PageLink]:
    """Switcher entries, each language named in its own language."""
    links = []
    for code in codes:
        lang = get_language(code)
        links.append(
            PageLink(code, lang.tag, lang.native_name, f"../{code}/{slug}.html", code == current)
        )
    return links


def render_template(env: Any, name: str, context: dict[str, Any]) -> str:
    """Render one template; template problems become :class:`TemplateError`."""
    import jinja2

    try:
        return str(env.get_template(name).render(**context))
    except jinja2.TemplateNotFound as err:
        raise TemplateError(f"template {err.name!r} not found in {env.loader.searchpath}") from err
    except jinja2.UndefinedError as err:
        raise TemplateError(f"template {name}: {err.message}") from err
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{err.filename or name}:{err.lineno}: {err.message}") from err
