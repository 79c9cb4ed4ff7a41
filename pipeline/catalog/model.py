"""The data of a PO catalog: entries, statuses and where a document's catalog lives.

One entry per translatable unit: ``msgctxt`` is the unit id, ``msgid`` the English as tagged
text (see :mod:`pipeline.inline`), ``msgstr`` the translation. See :class:`Status` for what
each state means; :mod:`pipeline.catalog.merge` decides it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pipeline.languages import LEGACY_LOCALE_FOLDERS, locale_folder


class Status(StrEnum):
    """What a catalog entry holds, from the reviewer's point of view."""

    REVIEWED = "reviewed"  # a person's text, fuzzy flag cleared: shown, never replaced
    DRAFT = "draft"  # a person's text still marked fuzzy: kept, not shown yet
    MACHINE = "machine"  # the engine's text, fuzzy, as recorded in the #. note
    STALE = "stale"  # reviewed text whose English changed (old English in #| msgid)
    REJECTED = "rejected"  # reviewed text whose tags do not match the English
    MISSING = "missing"  # no translation at all


REVIEWED = Status.REVIEWED
DRAFT = Status.DRAFT
MACHINE = Status.MACHINE
STALE = Status.STALE
REJECTED = Status.REJECTED
MISSING = Status.MISSING
STATUSES: tuple[str, ...] = tuple(Status)  # str keys for count tables

# The note on machine entries names the model and a digest of the text it wrote, so any
# other msgstr is known to be a person's. It stays put when the entry is approved.
MACHINE_NOTE = "machine translation by {identity} (text {digest}); clear the fuzzy flag to approve"
_NOTE_END = "; clear the fuzzy flag to approve"
_MACHINE_RE = re.compile(r"^machine translation by (\S+?)(?: \(text ([0-9a-f]+)\))?;")
# Older builds wrote this note on stale entries; it is dropped when seen.
STALE_NOTE = "English changed since review (old English in #| msgid); page shows machine output"


@dataclass(slots=True)
class Entry:
    """One PO entry as read or to be written."""

    msgid: str
    msgstr: str = ""
    context: str | None = None
    flags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # "# " translator comments
    notes: list[str] = field(default_factory=list)  # "#." extracted comments
    references: list[str] = field(default_factory=list)  # "#:"
    previous_msgid: str | None = None
    previous_context: str | None = None
    obsolete: bool = False
    line: int = 0  # line of ``msgstr`` in the file it was read from
    msgid_plural: str | None = None
    plurals: list[str] = field(default_factory=list)  # msgstr[1], msgstr[2], ... (plural only)
    previous_msgid_plural: str | None = None

    @property
    def fuzzy(self) -> bool:
        """True when the entry carries the ``fuzzy`` flag."""
        return "fuzzy" in self.flags

    @property
    def status(self) -> Status:
        """The entry's status as written in the file (the merge may refine it)."""
        if not self.msgstr:
            return MISSING
        if not self.fuzzy:
            return REVIEWED
        if self.previous_msgid is not None:
            return STALE
        return MACHINE if self.is_machine_text else DRAFT

    @property
    def is_machine_text(self) -> bool:
        """True when ``msgstr`` is what a model wrote (a reviewer has not touched it).

        Entries written before the machine text was recorded count as machine text when
        they carry a machine note.
        """
        digest = self.machine_digest
        if digest is not None:
            return text_digest(self.msgstr) == digest
        return self.model is not None

    @property
    def model(self) -> str | None:
        """The model identity named in a machine entry's comment, if any."""
        match = self._machine_match()
        return match.group(1) if match else None

    @property
    def machine_digest(self) -> str | None:
        """The digest of the machine text recorded in the note (None in older catalogs)."""
        match = self._machine_match()
        return match.group(2) if match else None

    def _machine_match(self) -> re.Match[str] | None:
        for note in self.notes:
            match = _MACHINE_RE.match(note)
            if match:
                return match
        return None


def text_digest(text: str) -> str:
    """A short digest of a msgstr, as recorded in machine notes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def machine_note(identity: str, text: str) -> str:
    """The ``#.`` note of a machine entry holding ``text``."""
    return MACHINE_NOTE.format(identity=identity, digest=text_digest(text))


def join_wrapped_notes(notes: list[str]) -> list[str]:
    """``notes`` with a machine note that an editor wrapped onto several lines made whole.

    polib, for one, wraps ``#.`` comments longer than its line width.
    """
    out: list[str] = []
    i = 0
    while i < len(notes):
        note = notes[i]
        i += 1
        if note.startswith("machine translation by ") and not note.endswith(_NOTE_END):
            for extra in range(1, 5):
                joined = " ".join(notes[i - 1 : i - 1 + extra + 1])
                if joined.endswith(_NOTE_END) and _MACHINE_RE.match(joined):
                    note, i = joined, i + extra
                    break
        out.append(note)
    return out


def without_machine_notes(notes: list[str]) -> list[str]:
    """``notes`` without machine notes and the note older versions put on stale entries."""
    return [n for n in notes if not _MACHINE_RE.match(n) and n != STALE_NOTE]


@dataclass
class Catalog:
    """A PO file: header comments, header fields (in order) and entries."""

    header_comments: list[str] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    path: Path | None = None
    header_flags: list[str] = field(default_factory=list)
    newline: str = "\n"  # "\r\n" for a file written with CRLF line ends (kept on rewrite)
    notices: list[str] = field(default_factory=list)  # what reading had to normalise

    @property
    def active(self) -> list[Entry]:
        """Entries that are not obsolete."""
        return [e for e in self.entries if not e.obsolete]


def catalog_path(locales_dir: Path, lang: str, slug: str) -> Path:
    """Where the catalog of document ``slug`` in ``lang`` lives: ``<locale>/<slug>.po``.

    Folders are named by locale (``pt_BR``, ``zh_Hant``) as PO editors and Weblate expect;
    :func:`pipeline.catalog.read_catalog` still reads a catalog left in the old Argos-code
    folder (``pb``, ``zt``) and says so, and the next build writes it to the new place.
    """
    return locales_dir / locale_folder(lang) / f"{slug}.po"


def legacy_path(path: Path) -> Path | None:
    """The same catalog under its old Argos-code folder, when that folder name changed."""
    old = LEGACY_LOCALE_FOLDERS.get(path.parent.name)
    return None if old is None else path.parent.parent / old / path.name
