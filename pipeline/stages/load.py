"""Stage 1, load: the sources, segmented, the target languages, the glossary, the catalogs.

Everything is read and checked before anything is written, so bad input never leaves a
half-built project behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalog import Catalog, catalog_path, read_catalog
from pipeline.config import Config
from pipeline.document import load_document
from pipeline.errors import SourceError
from pipeline.glossary import Glossary, load_glossary
from pipeline.segment import Segmented, segment
from pipeline.stages.sources import resolve_sources, target_languages


@dataclass(frozen=True)
class Sources:
    """What a run works on: segmented documents, target languages, glossary, catalogs."""

    docs: tuple[Segmented, ...]
    languages: tuple[str, ...]
    glossary: Glossary
    catalogs: Mapping[tuple[str, str], Catalog | None]  # (lang, slug) → catalog as on disk
    warnings: tuple[str, ...] = ()

    def catalog(self, lang: str, slug: str) -> Catalog | None:
        """The catalog of ``slug`` in ``lang`` as it was read (None: there is none yet)."""
        return self.catalogs.get((lang, slug))


def segment_all(paths: Sequence[Path]) -> tuple[Segmented, ...]:
    """Load and segment every source; two sources may not share a slug."""
    docs = tuple(segment(load_document(p)) for p in paths)
    slugs: dict[str, Path] = {}
    for seg in docs:
        other = slugs.setdefault(seg.document.slug, seg.document.path)
        if other != seg.document.path:
            raise SourceError(f"{seg.document.path}: same slug {seg.document.slug!r} as {other}")
    return docs


def load(config: Config, paths: Sequence[Path] = (), languages: Sequence[str] = ()) -> Sources:
    """Read every input of a run; ``languages`` (if given) narrows the targets."""
    docs = segment_all(resolve_sources(config, paths))
    targets = target_languages(config, (seg.document.languages for seg in docs), languages)
    glossary = (
        load_glossary(config.glossary, required=config.glossary_required)
        if config.glossary is not None
        else Glossary()
    )
    catalogs = {
        (lang, seg.document.slug): read_catalog(
            catalog_path(config.locales_dir, lang, seg.document.slug)
        )
        for lang in targets
        for seg in docs
    }
    warnings = tuple(w for seg in docs for w in seg.warnings)
    return Sources(docs, targets, glossary, catalogs, warnings)
