"""Per-language PO catalogs under ``locales/<locale>/<slug>.po``, and how they merge.

- :mod:`pipeline.catalog.model`: entries, catalogs, :class:`Status`, where catalogs live;
- :mod:`pipeline.catalog.po`: gettext-exact reading and writing (``msgcat`` gives the same bytes);
- :mod:`pipeline.catalog.merge`: the rules that keep every reviewer's text;
- :mod:`pipeline.catalog.pot`: the per-document template (``locales/templates/<slug>.pot``).
"""

from __future__ import annotations

from pipeline.catalog.merge import (
    Choice,
    MergeResult,
    merge,
    reviewed_units,
    translatable_units,
)
from pipeline.catalog.model import (
    DRAFT,
    MACHINE,
    MACHINE_NOTE,
    MISSING,
    REJECTED,
    REVIEWED,
    STALE,
    STATUSES,
    Catalog,
    Entry,
    Status,
    catalog_path,
)
from pipeline.catalog.po import format_catalog, parse_po
from pipeline.catalog.pot import TEMPLATES_DIR, format_template, template_path
from pipeline.catalog.read import read_catalog

__all__ = [
    "DRAFT",
    "MACHINE",
    "MACHINE_NOTE",
    "MISSING",
    "REJECTED",
    "REVIEWED",
    "STALE",
    "STATUSES",
    "TEMPLATES_DIR",
    "Catalog",
    "Choice",
    "Entry",
    "MergeResult",
    "Status",
    "catalog_path",
    "format_catalog",
    "format_template",
    "merge",
    "parse_po",
    "read_catalog",
    "reviewed_units",
    "template_path",
    "translatable_units",
]
