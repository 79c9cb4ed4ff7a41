"""Reading a catalog file (UTF-8, BOM and CRLF accepted; old Argos-code folders found)."""

from __future__ import annotations

from pathlib import Path

from pipeline.catalog.model import Catalog, legacy_path
from pipeline.catalog.po import parse_po
from pipeline.errors import CatalogError


def read_catalog(path: Path) -> Catalog | None:
    """Read ``path``; ``None`` when it does not exist; :class:`CatalogError` when unreadable.

    When ``path`` is missing but the same catalog is in the old Argos-code folder
    (``locales/pb/`` for ``locales/pt_BR/``), that one is read, with a notice saying so; the
    build then writes it to ``path`` (``catalog.path`` stays ``path``).
    """
    source = path
    legacy = legacy_path(path)
    left_over = legacy is not None and legacy.exists()
    if not path.exists():
        if legacy is None or not left_over:
            return None
        source = legacy
    try:
        text = source.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise CatalogError(f"{source}: not UTF-8 ({err.reason} at byte {err.start})") from err
    except OSError as err:
        raise CatalogError(f"{source}: cannot read ({err.strerror or err})") from err
    catalog = parse_po(text, str(source))
    if left_over and legacy is not None:
        done = "read from" if source == legacy else "already moved out of"
        catalog.notices.append(
            f"{legacy}: {done} the old Argos-code folder; the catalog is now {path} "
            f"(remove the old folder: git rm -r {legacy.parent})"
        )
    catalog.path = path
    return catalog
