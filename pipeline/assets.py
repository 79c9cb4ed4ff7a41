"""Local files a summary refers to: images and linked documents, copied once into output/.

``![Map](img/map.png)`` next to the summary is found at segment time (:class:`AssetFinder`),
and the page points at ``../assets/<hash>/map.png``; :func:`copy_assets` writes each file
once, shared by every language, before the pages (and the PDFs, which embed the images from
there) are written. A missing image is a :class:`~pipeline.errors.SourceError` naming the
file and line; a path that leaves the project folder is not copied, with a warning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from pipeline.errors import SourceError
from pipeline.output import OutputWriter

#: The output folder for copies, and how a page (``output/<lang>/<slug>.html``) reaches it.
ASSETS_DIR = "assets"
_FROM_PAGE = "../"
#: The file that marks a project folder (the settings file, see pipeline.config).
_PROJECT_MARKER = "summary-pipeline.toml"
#: Links to these are pages of their own, not files to hand out.
_PAGE_SUFFIXES = {".md", ".markdown", ".html", ".htm"}
#: A link to one of these that does not exist is an error, as a missing image is.
_FILE_SUFFIXES = {
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".csv", ".xls", ".xlsx", ".ods",
    ".ppt", ".pptx", ".odp", ".zip", ".epub", ".png", ".jpg", ".jpeg", ".gif", ".svg",
    ".webp",
}  # fmt: skip


@dataclass(frozen=True)
class Asset:
    """A local file of the project and where its copy goes below the output folder."""

    source: Path  # resolved path of the file
    target: str  # relative to the output folder: ``assets/<hash>/<name>``


#: One question a document asked of the file system: ``(kind, ref, line)``.
Reference = tuple[str, str, int | None]
REFERENCE_KINDS = ("image", "link")


def project_root(document: Path) -> Path:
    """The project folder of a document: the nearest folder above it with a settings file.

    Without one, the document's own folder: nothing above it may be copied.
    """
    folder = document.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / _PROJECT_MARKER).is_file():
            return candidate
    return folder


class AssetFinder:
    """Turns a document's local references into references to copies, and remembers them."""

    def __init__(self, document: Path, body: str, body_line: int) -> None:
        self.document = document
        self.root = project_root(document)
        self.lines = body.split("\n")
        self.body_line = body_line
        self.assets: dict[str, Asset] = {}
        self.warnings: list[str] = []
        # Every local reference in the order asked: asking them again (replay) gives the
        # assets of the same bytes without parsing them (pipeline.stages.recall).
        self.references: list[Reference] = []

    def image(self, ref: str, line: int | None) -> str:
        """The ``src`` a page uses for image ``ref`` (unchanged if not a local file)."""
        if _local_path(ref) is not None:
            self.references.append(("image", ref, line))
        return self._local(ref, line, "image", required=True)

    def link(self, ref: str, line: int | None) -> str:
        """The ``href`` a page uses for link ``ref``: a copy for a local file, else ``ref``."""
        path = _local_path(ref)
        if path is not None:
            self.references.append(("link", ref, line))
        if path is None or Path(path).suffix.lower() in _PAGE_SUFFIXES:
            return ref
        return self._local(ref, line, "linked file", Path(path).suffix.lower() in _FILE_SUFFIXES)

    def _local(self, ref: str, line: int | None, what: str, required: bool) -> str:
        path = _local_path(ref)
        if path is None:
            return ref
        where = f"{self.document}:{self._line_of(ref, line)}"
        resolved = (self.document.parent / path).resolve()
        if resolved != self.root and self.root not in resolved.parents:
            self.warnings.append(
                f"{where}: {what} {path!r} is outside the project folder {self.root}; "
                "not copied (the page keeps the reference as written)"
            )
            return ref
        if not resolved.is_file():
            if not required:
                return ref
            state = "is not a file" if resolved.exists() else "does not exist"
            raise SourceError(f"{where}: {what} {path!r} not found: {resolved} {state}")
        asset = self._asset(resolved, where)
        return _FROM_PAGE + quote(asset.target)

    def _asset(self, resolved: Path, where: str) -> Asset:
        try:
            digest = hashlib.sha256(resolved.read_bytes()).hexdigest()[:12]
        except OSError as err:
            raise SourceError(f"{where}: cannot read {resolved} ({err.strerror})") from err
        asset = Asset(resolved, f"{ASSETS_DIR}/{digest}/{resolved.name}")
        self.assets.setdefault(asset.target, asset)
        return asset

    def _line_of(self, ref: str, line: int | None) -> int:
        # The block's first line, or the line of the block that holds the reference.
        if line is None:
            return self.body_line
        start = line - self.body_line
        for i in range(max(start, 0), len(self.lines)):
            if ref in self.lines[i] or unquote(ref) in self.lines[i]:
                return i + self.body_line
            if i > start and not self.lines[i].strip():
                break
        return line


def replay(document: Path, references: Sequence[Reference]) -> tuple[Asset, ...]:
    """The assets ``references`` of ``document`` resolve to now, as :class:`AssetFinder` found
    them while segmenting (the same questions, asked again of the file system).

    Raises :class:`SourceError` as segmenting would (a required file is missing).
    """
    finder = AssetFinder(document, "", 1)  # the body only places messages on lines
    for kind, ref, line in references:
        if kind == "image":
            finder.image(ref, line)
        elif kind == "link":
            finder.link(ref, line)
        else:
            raise ValueError(f"unknown reference kind {kind!r}")
    return tuple(finder.assets.values())


def _local_path(ref: str) -> str | None:
    """The file path of a reference to a local file, or ``None`` (URL, anchor, site path)."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("#", "/", "\\")) or not parts.path:
        return None
    return unquote(parts.path)


def copy_assets(writer: OutputWriter, assets: Sequence[Asset]) -> list[Path]:
    """Copy each asset once below the writer's root; return the written paths."""
    written: list[Path] = []
    unique = {asset.target: asset for asset in assets}
    for target, asset in sorted(unique.items()):
        try:
            data = asset.source.read_bytes()
        except OSError as err:
            raise SourceError(f"{asset.source}: cannot be read ({err.strerror})") from err
        written.append(writer.write(target, data))
    return written
