"""The header entry of a catalog: fields a PO editor owns are kept as the editor wrote them."""

from __future__ import annotations

from pipeline import reproducible
from pipeline.catalog.model import Catalog
from pipeline.languages import locale_folder

# gettext's order for the fields of a new catalog.
_ORDER = (
    "Project-Id-Version",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "X-Generator",
)
# gettext's own "not filled in yet" value; Poedit and Weblate replace it on the first save.
UNSET_DATE = "YEAR-MO-DA HO:MI+ZONE"


def source_date() -> str | None:
    """``SOURCE_DATE_EPOCH`` in PO date format, or None when it is not set."""
    moment = reproducible.source_date()
    return moment.strftime("%Y-%m-%d %H:%M+0000") if moment else None


def merged_header(
    old: Catalog | None, *, lang: str, project: str, revision_date: str | None = None
) -> dict[str, str]:
    """The header to write: the old one as the editor left it, missing fields filled in.

    Values are deterministic (no clock): ``PO-Revision-Date`` is ``revision_date``,
    ``SOURCE_DATE_EPOCH`` or gettext's placeholder, and only when the field is absent.
    """
    header = dict(old.header) if old else {}
    locale = locale_folder(lang)
    defaults = {
        "Project-Id-Version": project,
        "PO-Revision-Date": revision_date or source_date() or UNSET_DATE,
        "Last-Translator": "machine translation (summary-pipeline)",
        "Language-Team": "none",
        "Language": locale,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": "summary-pipeline",
    }
    if header.get("Language") == lang and lang != locale:
        header["Language"] = locale  # written by an older version with the Argos code
    if "charset=utf-8" not in header.get("Content-Type", "").lower():
        header["Content-Type"] = defaults["Content-Type"]  # the file is written in UTF-8
    for key in _ORDER:
        if not header.get(key):
            header[key] = defaults[key]
    if old is None:
        header = {key: header[key] for key in _ORDER}
    return header
