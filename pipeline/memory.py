"""Translation memory: one SQLite file per project, keyed by model and normalized sentence.

A translation is reused only for the same language pair, the same engine and model identity
(for Argos: package code, version and a checksum of the model files) and the same source
text after normalization (Unicode NFC, runs of white space collapsed). Upgrading a model
therefore invalidates only that model's entries; the others stay.

The memory is a cache: it can never break a build. A missing or corrupt file is reported
once, moved aside (to a fresh ``.corrupt`` name, never over an earlier one) and replaced by
an empty one. Only a file SQLite calls corrupt (or of another schema) is moved: a full disk,
an I/O or permission error only warns, and the build runs without the memory, leaving the
healthy file where it is. Writes
are single transactions in a write-ahead-logged database, so killing a build at any moment
leaves either the old rows or the new ones.

The same file also keeps the *change history* of catalog entries (which build last changed
which unit), used to list the newest changes first on review pages, and *derived results*
(see :mod:`pipeline.derived`): text computed from the translations that a template edit
need not compute again.

Schema versions: 2 had translations and history; 3 adds the derived results. A version 2
file is migrated in place (the new table is added, nothing else changes).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from pipeline.derived import code_version
from pipeline.engines import Translation
from pipeline.languages import SOURCE_LANGUAGE

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
# Layouts this code opens as they are: 0 (a new file) and 2 gain the missing tables.
_OPENS = (0, 2, SCHEMA_VERSION)
_SPACE_RE = re.compile(r"\s+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    pair TEXT NOT NULL,
    identity TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    score REAL,
    alignment TEXT,
    PRIMARY KEY (pair, identity, source)
);
CREATE TABLE IF NOT EXISTS history (
    lang TEXT NOT NULL,
    slug TEXT NOT NULL,
    unit TEXT NOT NULL,
    digest TEXT NOT NULL,
    change INTEGER NOT NULL,
    PRIMARY KEY (lang, slug, unit)
);
CREATE TABLE IF NOT EXISTS derived (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
"""
# SQLite limits the number of parameters per statement; look texts up in chunks.
_CHUNK = 500


def normalize(text: str) -> str:
    """The memory key of a source text: NFC, white space collapsed, trimmed."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


Alignment = tuple[tuple[int, int, int, int], ...]


class _Unusable(sqlite3.DatabaseError):
    """A readable file that is not this memory: another schema, a failed integrity check."""


def is_corrupt(err: BaseException) -> bool:
    """True when ``err`` says the file itself is broken (not the disk, not permissions)."""
    if isinstance(err, _Unusable):
        return True
    name = str(getattr(err, "sqlite_errorname", ""))
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _dump(alignment: Alignment | None) -> str | None:
    return None if alignment is None else json.dumps(alignment, separators=(",", ":"))


def _copy(text: str) -> str:
    """An equal str that is not ``text`` (ASCII needs none: its UTF-8 is the str's own)."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


def _load(raw: str | None) -> Alignment | None:
    # The alignment places inline markup on restore; it is stored so that a memory hit
    # restores exactly as the fresh translation did (byte-identical rebuilds).
    if raw is None:
        return None
    try:
        return tuple((int(a), int(b), int(c), int(d)) for a, b, c, d in json.loads(raw))
    except (ValueError, TypeError):
        return None


class TranslationMemory:
    """The SQLite translation memory; implements :class:`pipeline.translate.Memory`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._warned = False
        self._pruned = False
        self._open()

    # -- opening and recovery ----------------------------------------------------------------

    def _open(self) -> None:
        try:
            self._conn = self._connect()
        except (sqlite3.Error, OSError) as err:
            if is_corrupt(err):
                self._recover(err)
            else:
                self._unavailable(err)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            # WAL: a killed writer leaves the last committed state; readers never see half.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in _OPENS:
                # An older or newer layout: this is a cache, so start afresh rather than guess.
                raise _Unusable(f"schema version {version}, expected {SCHEMA_VERSION}")
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise _Unusable(f"integrity check failed: {check}")
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _recover(self, err: BaseException) -> None:
        """Report once, move the broken file aside and start empty (or run without memory)."""
        self._warn(f"translation memory {self.path} is unusable ({err}); starting a new one")
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        try:
            aside = self._aside_name()
            for suffix in ("", "-wal", "-shm"):
                broken = Path(f"{self.path}{suffix}")
                if broken.exists():
                    broken.rename(Path(f"{aside}{suffix}"))
            self._conn = self._connect()
        except (sqlite3.Error, OSError) as again:
            log.warning("running without a translation memory: %s", again)
            self._conn = None

    def _aside_name(self) -> Path:
        """``<memory>.corrupt``, or ``.corrupt-2`` … when an earlier one is kept there."""
        candidate = Path(f"{self.path}.corrupt")
        number = 1
        while any(Path(f"{candidate}{s}").exists() for s in ("", "-wal", "-shm")):
            number += 1
            candidate = Path(f"{self.path}.corrupt-{number}")
        return candidate

    def _unavailable(self, err: BaseException) -> None:
        """A healthy file that cannot be used now (disk full, I/O, permissions): keep it."""
        self._warn(
            f"translation memory {self.path} cannot be used now ({err}: is the disk full or "
            "read-only?); this run goes without it and the file is left as it is"
        )
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None

    def _warn(self, message: str) -> None:
        if not self._warned:
            log.warning("%s", message)
            self._warned = True

    # -- the Memory protocol -----------------------------------------------------------------

    def lookup(
        self, identity: str, target: str, texts: Sequence[str], source: str = SOURCE_LANGUAGE
    ) -> dict[str, Translation]:
        """Known translations of ``texts`` by the model ``identity`` (keys as given).

        ``source`` is English but for back-translations (``target`` is then English).
        """
        if self._conn is None or not texts:
            return {}
        keys: dict[str, list[str]] = {}
        for text in texts:
            keys.setdefault(normalize(text), []).append(text)
        found: dict[str, Translation] = {}
        pair = f"{source}-{target}"
        names = list(keys)
        try:
            for start in range(0, len(names), _CHUNK):
                chunk = names[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    "SELECT source, target, score, alignment FROM translations "
                    f"WHERE pair = ? AND identity = ? AND source IN ({marks})",
                    [pair, identity, *chunk],
                ).fetchall()
                for source, translated, score, alignment in rows:
                    for text in keys.get(source, ()):
                        found[text] = Translation(str(translated), score, _load(alignment))
        except sqlite3.Error as err:
            if is_corrupt(err):
                self._recover(err)
            else:
                self._unavailable(err)
            return {}
        return found

    def store(
        self,
        identity: str,
        target: str,
        pairs: dict[str, Translation],
        source: str = SOURCE_LANGUAGE,
    ) -> None:
        """Remember new translations in one transaction; a failure only warns."""
        if self._conn is None or not pairs:
            return
        pair = f"{source}-{target}"
        # A generator, and a copy of each text: binding a non-ASCII str caches its UTF-8 bytes
        # in the str itself, which would stay for as long as the build holds the translation.
        rows = (
            (pair, identity, normalize(s), _copy(t.text), t.score, _dump(t.alignment))
            for s, t in pairs.items()
        )
        try:
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany(
                    "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?)", rows
                )
        except sqlite3.Error as err:
            self._warn(f"could not save to the translation memory {self.path}: {err}")
            return

    # -- change history ----------------------------------------------------------------------

    def record_changes(self, lang: str, slug: str, digests: dict[str, str]) -> dict[str, int]:
        """Record each unit's state digest; return unit → number of the change that set it.

        Units whose digest differs from the stored one get a new change number (one more than
        the highest so far), so "newest first" needs no clock. Without a usable memory every
        unit gets change 0.
        """
        if self._conn is None:
            return dict.fromkeys(digests, 0)
        try:
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                stored = {
                    unit: (digest, change)
                    for unit, digest, change in self._conn.execute(
                        "SELECT unit, digest, change FROM history WHERE lang = ? AND slug = ?",
                        (lang, slug),
                    )
                }
                top = self._conn.execute("SELECT COALESCE(MAX(change), 0) FROM history").fetchone()
                new_change = int(top[0]) + 1
                result: dict[str, int] = {}
                changed: list[tuple[str, str, str, str, int]] = []
                for unit, digest in digests.items():
                    old = stored.get(unit)
                    if old and old[0] == digest:
                        result[unit] = int(old[1])
                    else:
                        result[unit] = new_change
                        changed.append((lang, slug, unit, digest, new_change))
                self._conn.executemany(
                    "INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?)", changed
                )
                gone = [u for u in stored if u not in digests]
                self._conn.executemany(
                    "DELETE FROM history WHERE lang = ? AND slug = ? AND unit = ?",
                    [(lang, slug, u) for u in gone],
                )
                return result
        except sqlite3.Error as err:
            self._warn(f"could not update the change history in {self.path}: {err}")
            return dict.fromkeys(digests, 0)

    # -- derived results (pipeline.derived.Store) ----------------------------------------------

    def recall(self, kind: str, keys: Sequence[str]) -> dict[str, str]:
        """The stored values of ``kind`` under ``keys`` (those known)."""
        if self._conn is None or not keys:
            return {}
        found: dict[str, str] = {}
        names = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(names), _CHUNK):
                chunk = names[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT key, value FROM derived WHERE kind = ? AND key IN ({marks})",
                    [kind, *chunk],
                )
                found.update((str(key), str(value)) for key, value in rows)
        except sqlite3.Error as err:
            self._warn(f"could not read derived results from {self.path}: {err}")
            return {}
        return found

    def keep(self, kind: str, values: dict[str, str]) -> None:
        """Store derived values in one transaction; a failure only warns.

        The first call of a run drops the rows an earlier version of the code derived:
        their keys can never be asked for again.
        """
        if self._conn is None or not values:
            return
        version = code_version()
        rows = [(kind, key, version, value) for key, value in values.items()]
        try:
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                if not self._pruned:
                    self._conn.execute("DELETE FROM derived WHERE version != ?", (version,))
                    self._pruned = True
                self._conn.executemany("INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as err:
            self._warn(f"could not save derived results to {self.path}: {err}")

    # -- housekeeping ------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """False when this run goes without the memory (its file could not be opened)."""
        return self._conn is not None

    def count(self, identity: str | None = None) -> int:
        """How many translations are stored (for one model identity, or all)."""
        if self._conn is None:
            return 0
        if identity is None:
            row = self._conn.execute("SELECT COUNT(*) FROM translations").fetchone()
        else:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM translations WHERE identity = ?", (identity,)
            ).fetchone()
        return int(row[0])


    def close(self) -> None:
        """Checkpoint the write-ahead log and close the file."""
        if self._conn is None:
            return
        # A busy or broken log is replayed by the next open.
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()
        self._conn = None

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
