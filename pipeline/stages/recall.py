"""The up-to-date shortcut's view of the inputs: the sources known by their bytes, unparsed.

A complete build records, per source file, the sha256 of the bytes it parsed, the slug and
front-matter languages the parse gave, and every local reference segmenting asked of the
file system (:attr:`pipeline.segment.Segmented.references`). The same bytes give the same
parse, so a file whose bytes still have that sha256 needs no Markdown or YAML parser: its
slug and languages are the recorded ones, and its references are asked again
(:func:`pipeline.assets.replay`), so an image added, deleted or edited since is seen exactly
as segmenting would see it. Anything else (a source added, removed, edited or unreadable, a
reference that now fails) gives ``None``, and the caller loads in full, which reports any
error as it always did.

The memory's counts are recorded too, with the state of its files: while neither the
database nor its write-ahead log was touched, the counts are the recorded ones and SQLite
need not be opened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.assets import REFERENCE_KINDS, Reference, replay
from pipeline.config import Config
from pipeline.errors import SourceError
from pipeline.fingerprint import SourceInput
from pipeline.stages.sources import resolve_sources, target_languages

if TYPE_CHECKING:
    from pipeline.segment import Segmented

#: A file's identity and last change: inode, size, mtime and ctime in ns (None: no file).
FileState = tuple[int, int, int, int] | None


@dataclass(frozen=True)
class SourceRecord:
    """What a complete build learnt from parsing one source file."""

    digest: str  # sha256 of the bytes parsed
    slug: str
    languages: tuple[str, ...]  # from the front matter (may be empty)
    references: tuple[Reference, ...]

    def to_json(self) -> dict[str, object]:
        """The record as JSON data (``last-build.json``)."""
        return {
            "digest": self.digest,
            "slug": self.slug,
            "languages": list(self.languages),
            "references": [list(ref) for ref in self.references],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> SourceRecord:
        """The record written by :meth:`to_json`; ``ValueError`` for anything else."""
        digest, slug = data["digest"], data["slug"]
        languages, references = data["languages"], data["references"]
        if not isinstance(digest, str) or not isinstance(slug, str):
            raise ValueError("a source record needs a digest and a slug")
        if not isinstance(languages, list) or not all(isinstance(c, str) for c in languages):
            raise ValueError("a source record's languages are a list of codes")
        if not isinstance(references, list):
            raise ValueError("a source record's references are a list")
        refs: list[Reference] = []
        for ref in references:
            kind, text, line = ref
            if kind not in REFERENCE_KINDS or not isinstance(text, str):
                raise ValueError(f"not a reference: {ref!r}")
            if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
                raise ValueError(f"not a reference: {ref!r}")
            refs.append((kind, text, line))
        return cls(digest, slug, tuple(languages), tuple(refs))


def records_of(docs: Sequence[Segmented]) -> dict[str, SourceRecord]:
    """Per source path, what the build parsed (keyed as :func:`recall` looks them up)."""
    return {
        str(seg.document.path): SourceRecord(
            seg.document.digest, seg.document.slug, seg.document.languages, seg.references
        )
        for seg in docs
        if seg.document.digest  # a Document made by hand has no bytes to recognise
    }


@dataclass(frozen=True)
class Recalled:
    """The sources of a run as the last build parsed them, and the run's target languages."""

    inputs: tuple[SourceInput, ...]  # what the fingerprint reads of each source
    slugs: tuple[str, ...]
    languages: tuple[str, ...]


def recall(
    config: Config,
    paths: Sequence[Path],
    languages: Sequence[str],
    records: Mapping[str, SourceRecord],
) -> Recalled | None:
    """The sources unparsed, if each one's bytes are those a recorded parse read; else None."""
    try:
        files = resolve_sources(config, paths)
    except SourceError:
        return None
    inputs: list[SourceInput] = []
    found: list[SourceRecord] = []
    slugs: dict[str, Path] = {}
    for path in files:
        record = records.get(str(path))
        if record is None or slugs.setdefault(record.slug, path) != path:
            return None  # unknown, or a slug clash the full load reports
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != record.digest:
                return None
            assets = replay(path, record.references)
        except (OSError, SourceError):
            return None
        inputs.append(SourceInput(path, digest, assets))
        found.append(record)
    targets = target_languages(config, (r.languages for r in found), languages)
    return Recalled(tuple(inputs), tuple(r.slug for r in found), targets)


def file_state(path: Path) -> FileState:
    """The inode, size, mtime and ctime of ``path`` (None when there is no file)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def memory_state(path: Path) -> tuple[FileState, FileState]:
    """The state of the SQLite memory at ``path`` and of its write-ahead log.

    Every write goes to the log (``<path>-wal``), which exists until the last connection
    closes and copies it into the database; so while both states are unchanged (a new
    file has another inode, a rewritten one another ctime, which no one can set back),
    nothing was written.
    """
    return file_state(path), file_state(Path(f"{path}-wal"))


@dataclass(frozen=True)
class MemoryRecord:
    """How many translations the memory held per model identity, and its files' state."""

    state: tuple[FileState, FileState]
    counts: Mapping[str, int]

    def counts_for(self, path: Path, identities: Sequence[str]) -> dict[str, int] | None:
        """The recorded counts of ``identities`` if the memory at ``path`` is untouched."""
        if memory_state(path) != self.state or not all(i in self.counts for i in identities):
            return None
        return {identity: self.counts[identity] for identity in identities}

    def to_json(self) -> dict[str, object]:
        """The record as JSON data (``last-build.json``)."""
        return {"state": [list(s) if s else None for s in self.state], "counts": dict(self.counts)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> MemoryRecord:
        """The record written by :meth:`to_json`; ``ValueError`` for anything else."""
        state, counts = data["state"], data["counts"]
        if not isinstance(state, list) or len(state) != 2:
            raise ValueError("a memory record's state names two files")
        files: list[FileState] = []
        for entry in state:
            if entry is None:
                files.append(None)
                continue
            if not isinstance(entry, list) or len(entry) != 4:
                raise ValueError(f"not a file state: {entry!r}")
            ino, size, mtime, ctime = (int(n) for n in entry)
            files.append((ino, size, mtime, ctime))
        if not isinstance(counts, dict):
            raise ValueError("a memory record's counts are a mapping")
        return cls((files[0], files[1]), {str(k): int(v) for k, v in counts.items()})
