"""Stage 3, merge: each document's catalog with the fresh machine output; the page text.

Reviewer text always wins over the machine (see :mod:`pipeline.catalog`). Without machine
output (the read-only commands) the catalogs are merged with nothing new: what the pages
would show is then the reviewed text, else the catalog's machine text, else the English.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalog import (
    STATUSES,
    MergeResult,
    catalog_path,
    format_catalog,
    format_template,
    merge,
    template_path,
)
from pipeline.catalog.header import source_date
from pipeline.config import Config
from pipeline.derived import Store, derived_key
from pipeline.output import BATCH_BYTES, atomic_write_many
from pipeline.segment import Segmented
from pipeline.stages.load import Sources
from pipeline.stages.translate import Translated
from pipeline.translate import UnitTranslation


@dataclass(frozen=True)
class DocumentCatalog:
    """One document's merged catalog in one language."""

    slug: str
    path: Path
    display: str  # the path as shown to people (relative to the project)
    merged: MergeResult


@dataclass(frozen=True)
class LanguageCatalogs:
    """One language: the merged catalogs and the text each unit shows on the page."""

    lang: str
    model: str  # the engine's identity ("" when no engine ran)
    documents: Mapping[str, DocumentCatalog]
    units: Mapping[str, Mapping[str, UnitTranslation]]  # slug → unit id → page text
    warnings: tuple[str, ...] = ()

    def counts(self, slug: str | None = None) -> dict[str, int]:
        """Units per status, for one document or all."""
        counts = dict.fromkeys(STATUSES, 0)
        for doc in self.documents.values():
            if slug is None or doc.slug == slug:
                for status, n in doc.merged.counts().items():
                    counts[status] = counts.get(status, 0) + n
        return counts


def relative(config: Config, path: Path) -> str:
    """``path`` relative to the project when it is inside, else as given."""
    try:
        return path.resolve().relative_to(config.project_dir).as_posix()
    except ValueError:
        return str(path)


def source_reference(config: Config, seg: Segmented) -> str:
    """The source file as ``#:`` comments name it (relative, else its file name)."""
    path = seg.document.path.resolve()
    try:
        return path.relative_to(config.project_dir).as_posix()
    except ValueError:
        return path.name


def merge_language(
    config: Config, sources: Sources, lang: str, translated: Translated | None
) -> LanguageCatalogs:
    """Merge every document's catalog in ``lang`` with ``translated`` (None: read-only)."""
    result = translated.result if translated else None
    documents: dict[str, DocumentCatalog] = {}
    pages: dict[str, dict[str, UnitTranslation]] = {}
    warnings: list[str] = []
    for seg in sources.docs:
        slug = seg.document.slug
        path = catalog_path(config.locales_dir, lang, slug)
        units = dict(result.units.get(slug, {})) if result else {}
        for unit in seg.units:
            if not unit.translatable:
                units.setdefault(unit.id, UnitTranslation(unit.id, unit.text))
        merged = merge(
            sources.catalog(lang, slug),
            seg.units,
            {uid: u.text for uid, u in units.items()} if result else {},
            identity=result.identity if result else "",
            lang=lang,
            project=slug,
            reference=source_reference(config, seg),
            name=relative(config, path),
            prefer_reviewed_stale=config.prefer_reviewed_stale,
        )
        warnings.extend(merged.warnings)
        for unit_id, choice in merged.choices.items():
            previous = units.get(unit_id)
            if previous is None or previous.text != choice.text:
                # The page shows other text than the engine's: its notes were about that text.
                units[unit_id] = UnitTranslation(unit_id, choice.text)
        documents[slug] = DocumentCatalog(slug, path, relative(config, path), merged)
        pages[slug] = units
    model = result.identity if result else ""
    return LanguageCatalogs(lang, model, documents, pages, tuple(warnings))


#: Kinds of derived result (see :mod:`pipeline.derived`): the digest of the bytes written
#: for a catalog's content, and for a template's.
FORMATTED_PO, FORMATTED_POT = "po", "pot"

# What to write: (path, key of its content, how to format it).
_Job = tuple[Path, str, Callable[[], str]]


#: Units whose templates are formatted ahead (a few fields each, well within the line-breaking
#: cache of pipeline.catalog.wrap, so that none is evicted before the catalogs are written).
PREPARED_UNITS = 500


def template_preparations(config: Config, sources: Sources) -> list[Callable[[], object]]:
    """Tasks for a wait (:mod:`pipeline.idle`): formatting a document's template once fills
    the line-breaking caches that its catalogs share (every msgid, context and reference)."""
    tasks: list[Callable[[], object]] = []
    units = 0
    for seg in sources.docs:
        units += len(seg.units)
        if units > PREPARED_UNITS:
            break
        reference = source_reference(config, seg)
        slug = seg.document.slug
        task = functools.partial(format_template, seg.units, project=slug, reference=reference)
        tasks.append(task)
    return tasks


def write_templates(config: Config, sources: Sources, store: Store | None = None) -> None:
    """``locales/templates/<slug>.pot`` for each document (for msgmerge and Weblate)."""
    jobs: list[_Job] = []
    for seg in sources.docs:
        slug = seg.document.slug
        reference = source_reference(config, seg)
        key = derived_key(FORMATTED_POT, list(seg.units), slug, reference, source_date())
        formatted = functools.partial(
            format_template, seg.units, project=slug, reference=reference
        )
        jobs.append((template_path(config.locales_dir, slug), key, formatted))
    _write_formatted(FORMATTED_POT, jobs, store)


def write_catalogs(catalogs: LanguageCatalogs, store: Store | None = None) -> None:
    """Write each merged catalog atomically (unchanged files are not touched)."""
    jobs: list[_Job] = []
    for doc in catalogs.documents.values():
        catalog = doc.merged.catalog
        content = (
            catalog.header_comments,
            catalog.header,
            catalog.entries,
            catalog.header_flags,
            catalog.newline,
        )
        key = derived_key(FORMATTED_PO, *content)
        jobs.append((doc.path, key, functools.partial(format_catalog, catalog)))
    _write_formatted(FORMATTED_PO, jobs, store)


def _write_formatted(kind: str, jobs: Sequence[_Job], store: Store | None) -> None:
    """Format and write each job, unless its file already holds what formatting gave for
    the same content before (gettext-exact line breaking is the slow part of a rebuild)."""
    written = store.recall(kind, [key for _, key, _ in jobs]) if store else {}
    new: dict[str, str] = {}
    files: list[tuple[Path, bytes]] = []
    size = 0
    for path, key, formatted in jobs:
        if key in written and _digest_of(path) == written[key]:
            continue
        files.append((path, formatted().encode("utf-8")))
        new[key] = hashlib.sha256(files[-1][1]).hexdigest()
        size += len(files[-1][1])
        if size >= BATCH_BYTES:  # together, one wait for the disk; memory flat at any size
            atomic_write_many(files)
            files, size = [], 0
    atomic_write_many(files)
    if store and new:
        store.keep(kind, new)


def _digest_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
