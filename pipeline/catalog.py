"""Per-language PO catalogs under ``locales/<lang>/<slug>.po``, and how they merge.

One entry per translatable unit: ``msgctxt`` is the unit id, ``msgid`` the English as tagged
text (see :mod:`pipeline.inline`), ``msgstr`` the translation. An entry is

- *reviewed* when it has a translation and no ``fuzzy`` flag: machine output never replaces it;
- *machine* when it is ``fuzzy`` and carries a ``#.`` comment naming the model that wrote it
  (a reviewer approves it by clearing the flag, as in any PO editor);
- *stale* when a reviewed entry's English changed: ``fuzzy``, with the English the reviewer
  translated kept as ``#| msgid`` and the reviewer's text kept as ``msgstr``;
- *missing* when there is no translation at all.

Entries whose English disappeared are kept as obsolete ``#~`` entries when a person wrote
them, so nothing a reviewer wrote is ever lost. Merging pairs old entries with units by
context and English, then by English alone (units are renumbered when a paragraph is added
above them), then reviewed entries by similarity (they become stale).

The reader and writer here handle standard gettext PO (as written by msgmerge, Poedit or
Weblate); the writer's output passes ``msgfmt --check`` and is byte-stable.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.errors import CatalogError
from pipeline.inline import TagError, check_against
from pipeline.segment import Unit

REVIEWED = "reviewed"
MACHINE = "machine"
STALE = "stale"
MISSING = "missing"
STATUSES = (REVIEWED, MACHINE, STALE, MISSING)

WIDTH = 79
MACHINE_NOTE = "machine translation by {identity}; clear the fuzzy flag to approve"
STALE_NOTE = "English changed since review (old English in #| msgid); page shows machine output"
_MACHINE_RE = re.compile(r"^machine translation by (\S+);")
# Similarity (0..1, by words) from which a reviewed entry is taken as the old version of a unit.
STALE_SIMILARITY = 0.5
SAME_CONTEXT_BONUS = 0.15


@dataclass
class Entry:
    """One PO entry as read or to be written."""

    msgid: str
    msgstr: str = ""
    context: str | None = None
    flags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # "# " translator comments
    notes: list[str] = field(default_factory=list)  # "#." extracted comments (ours)
    references: list[str] = field(default_factory=list)  # "#:"
    previous_msgid: str | None = None
    previous_context: str | None = None
    obsolete: bool = False
    line: int = 0  # line of ``msgstr`` in the file it was read from

    @property
    def fuzzy(self) -> bool:
        """True when the entry carries the ``fuzzy`` flag."""
        return "fuzzy" in self.flags

    @property
    def status(self) -> str:
        """``reviewed``, ``machine``, ``stale`` or ``missing``."""
        if not self.msgstr:
            return MISSING
        if not self.fuzzy:
            return REVIEWED
        return STALE if self.previous_msgid is not None else MACHINE

    @property
    def model(self) -> str | None:
        """The model identity named in a machine entry's comment, if any."""
        for note in self.notes:
            match = _MACHINE_RE.match(note)
            if match:
                return match.group(1)
        return None


@dataclass
class Catalog:
    """A PO file: header comments, header fields (in order) and entries."""

    header_comments: list[str] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    path: Path | None = None

    @property
    def active(self) -> list[Entry]:
        """Entries that are not obsolete."""
        return [e for e in self.entries if not e.obsolete]


def catalog_path(locales_dir: Path, lang: str, slug: str) -> Path:
    """Where the catalog of document ``slug`` in ``lang`` lives."""
    return locales_dir / lang / f"{slug}.po"


# -- reading ---------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_ESCAPES.update({"f": "\f", "v": "\v"})
_KEYWORD_RE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*)$")


def _unquote(token: str, where: str) -> str:
    token = token.strip()
    if len(token) < 2 or not token.startswith('"') or not token.endswith('"'):
        raise CatalogError(f"{where}: expected a quoted string, found {token[:40]!r}")
    body = token[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        if ch == '"':
            raise CatalogError(f"{where}: unescaped quote inside a string")
        out.append(ch)
        i += 1
    return "".join(out)


def read_catalog(path: Path) -> Catalog | None:
    """Read ``path``; ``None`` when it does not exist; :class:`CatalogError` when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as err:
        raise CatalogError(f"{path}: not UTF-8 ({err.reason})") from err
    except OSError as err:
        raise CatalogError(f"{path}: cannot read ({err.strerror or err})") from err
    catalog = parse_po(text, str(path))
    catalog.path = path
    return catalog


def parse_po(text: str, name: str = "<po>") -> Catalog:
    """Parse PO text (``name`` is used in error messages)."""
    catalog = Catalog()
    entries: list[Entry] = []
    current = Entry("")
    fields: dict[str, str] = {}
    field_name: str | None = None  # the keyword continuation lines append to
    previous: dict[str, str] = {}
    previous_field: str | None = None
    seen_any = False  # anything but comments in the current entry
    header_done = False

    def finish() -> None:
        nonlocal current, fields, previous, seen_any, field_name, previous_field, header_done
        if "msgid" in fields:
            current.msgid = fields["msgid"]
            current.msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            current.context = fields.get("msgctxt")
            current.previous_msgid = previous.get("msgid")
            current.previous_context = previous.get("msgctxt")
            if current.msgid == "" and current.context is None and not header_done:
                catalog.header_comments = current.comments
                for raw in current.msgstr.split("\n"):
                    key, sep, value = raw.partition(":")
                    if sep:
                        catalog.header[key.strip()] = value.strip()
            else:
                entries.append(current)
            header_done = True
        elif seen_any:
            raise CatalogError(f"{name}:{current.line or '?'}: entry without msgid")
        current = Entry("")
        fields = {}
        previous = {}
        seen_any = False
        field_name = None
        previous_field = None

    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        where = f"{name}:{number}"
        obsolete = False
        if line.startswith("#~"):
            obsolete = True
            line = line[2:].strip()
            if not line:
                continue
            if line.startswith("|"):
                line = "#" + line  # "#~| msgid" → a previous-msgid line
        if not line:
            if seen_any:
                finish()
            continue
        if line.startswith("#"):
            if any(k.startswith("msgstr") for k in fields):
                finish()
            if line.startswith("#|"):
                rest = line[2:].strip()
                match = _KEYWORD_RE.match(rest)
                if match:
                    previous_field = match.group(1)
                    previous[previous_field] = _unquote(match.group(2), where)
                elif rest.startswith('"') and previous_field:
                    previous[previous_field] += _unquote(rest, where)
                else:
                    raise CatalogError(f"{where}: cannot read previous-msgid line {raw_line!r}")
                current.obsolete = current.obsolete or obsolete
            elif line.startswith("#,"):
                current.flags.extend(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#."):
                current.notes.append(line[2:].strip())
            elif line.startswith("#:"):
                current.references.extend(line[2:].split())
            else:
                current.comments.append(line[1:].removeprefix(" "))
            continue
        match = _KEYWORD_RE.match(line)
        if match:
            keyword = match.group(1)
            if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
                finish()
            if keyword in fields:
                raise CatalogError(f"{where}: {keyword} appears twice in one entry")
            fields[keyword] = _unquote(match.group(2), where)
            field_name = keyword
            seen_any = True
            current.obsolete = current.obsolete or obsolete
            if keyword.startswith("msgstr") and not current.line:
                current.line = number
            continue
        if line.startswith('"'):
            if field_name is None:
                raise CatalogError(f"{where}: string without a keyword before it")
            fields[field_name] += _unquote(line, where)
            continue
        raise CatalogError(f"{where}: cannot read {raw_line.strip()[:60]!r}")
    finish()
    catalog.entries = entries
    _check_unique(catalog, name)
    return catalog


def _check_unique(catalog: Catalog, name: str) -> None:
    seen: dict[tuple[bool, str | None, str], int] = {}
    for entry in catalog.entries:
        key = (entry.obsolete, entry.context, entry.msgid)
        if key in seen:
            raise CatalogError(
                f"{name}:{entry.line}: duplicate entry (msgctxt {entry.context!r}), "
                f"first at line {seen[key]}"
            )
        seen[key] = entry.line


# -- writing ---------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\t", "\\t")
        .replace("\r", "\\r")
    )


def _atoms(escaped: str) -> list[str]:
    """Characters, with each escape sequence kept as one atom (so a wrap never splits one)."""
    return re.findall(r"\\.|.", escaped, flags=re.DOTALL)


def _wrap(escaped: str, width: int) -> list[str]:
    """Break after spaces (and after every ``\\n``) into chunks of at most ``width``."""
    chunks: list[str] = []
    line = ""
    word = ""
    for atom in _atoms(escaped):
        word += atom
        if atom == " " or atom == "\\n":
            if line and len(line) + len(word) > width:
                chunks.append(line)
                line = ""
            line += word
            word = ""
            if atom == "\\n":
                chunks.append(line)
                line = ""
    if word:
        if line and len(line) + len(word) > width:
            chunks.append(line)
            line = ""
        line += word
    if line:
        chunks.append(line)
    return chunks or [""]


def _field(keyword: str, value: str, prefix: str = "") -> list[str]:
    escaped = _escape(value)
    single = f'{prefix}{keyword} "{escaped}"'
    newline_inside = "\\n" in escaped[:-2]
    if len(single) <= WIDTH and not newline_inside:
        return [single]
    chunks = _wrap(escaped, WIDTH - len(prefix) - 2)
    return [f'{prefix}{keyword} ""', *(f'{prefix}"{c}"' for c in chunks)]


def format_catalog(catalog: Catalog) -> str:
    """The PO text of ``catalog`` (deterministic: same catalog, same bytes)."""
    out: list[str] = [f"# {c}".rstrip() for c in catalog.header_comments]
    out.append('msgid ""')
    header = "".join(f"{k}: {v}\n" for k, v in catalog.header.items())
    out.extend(_field("msgstr", header))
    for entry in catalog.entries:
        out.append("")
        out.extend(f"# {c}".rstrip() for c in entry.comments)
        out.extend(f"#. {n}" for n in entry.notes)
        if entry.references:
            out.append("#: " + " ".join(entry.references))
        if entry.flags:
            out.append("#, " + ", ".join(entry.flags))
        prefix = "#~ " if entry.obsolete else ""
        previous_prefix = "#~| " if entry.obsolete else "#| "
        if entry.previous_context is not None:
            out.extend(_field("msgctxt", entry.previous_context, previous_prefix))
        if entry.previous_msgid is not None:
            out.extend(_field("msgid", entry.previous_msgid, previous_prefix))
        if entry.context is not None:
            out.extend(_field("msgctxt", entry.context, prefix))
        out.extend(_field("msgid", entry.msgid, prefix))
        out.extend(_field("msgstr", entry.msgstr, prefix))
    return "\n".join(out) + "\n"


# -- merging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """What the page shows for one unit, and why."""

    unit_id: str
    status: str  # the entry's status after the merge
    text: str  # tagged text for the page
    shown: str  # "reviewed", "machine", "previous-review" or "english"
    english: str
    reviewed: str = ""  # the reviewer's text (reviewed and stale entries)
    previous_english: str = ""  # stale entries: the English the reviewer translated


@dataclass
class MergeResult:
    """A merged catalog, the page text per unit, and problems found in reviewer text."""

    catalog: Catalog
    choices: dict[str, Choice]
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Units per status."""
        counts = dict.fromkeys(STATUSES, 0)
        for choice in self.choices.values():
            counts[choice.status] += 1
        return counts


def translatable_units(units: Sequence[Unit]) -> list[Unit]:
    """The units that get a catalog entry (those with words to translate)."""
    return [u for u in units if u.translatable]


def reviewed_units(old: Catalog | None, units: Sequence[Unit]) -> set[str]:
    """Units whose page text will surely be the reviewer's (no machine output needed)."""
    if old is None:
        return set()
    exact = {(e.context, e.msgid): e for e in old.active}
    result = set()
    for unit in units:
        entry = exact.get((unit.id, unit.text))
        if entry is not None and entry.status == REVIEWED and _tags_ok(unit.text, entry.msgstr):
            result.add(unit.id)
    return result


def _tags_ok(english: str, translation: str) -> bool:
    try:
        check_against(english, translation)
    except TagError:
        return False
    return True


def _words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def merge(
    old: Catalog | None,
    units: Sequence[Unit],
    machine: Mapping[str, str],
    *,
    identity: str,
    lang: str,
    project: str,
    reference: str,
    name: str,
    prefer_reviewed_stale: bool = False,
) -> MergeResult:
    """Merge ``old`` with the current ``units`` and fresh ``machine`` text (unit id → tagged).

    ``reference`` is the source file as shown in ``#:`` comments, ``name`` the catalog path for
    warnings. Units without machine text keep their old machine entry, or are missing.
    """
    units = translatable_units(units)
    candidates = list(old.entries) if old else []
    claimed: dict[int, str] = {}  # candidate index → unit id
    match: dict[str, tuple[int, str]] = {}  # unit id → (candidate index, how)

    def claim(unit: Unit, index: int, how: str) -> None:
        claimed[index] = unit.id
        match[unit.id] = (index, how)

    # 1. Same context and English (active entries before obsolete ones).
    by_key: dict[tuple[str | None, str], list[int]] = {}
    for i, entry in enumerate(candidates):
        by_key.setdefault((entry.context, entry.msgid), []).append(i)
    for unit in units:
        for i in sorted(by_key.get((unit.id, unit.text), []), key=lambda i: candidates[i].obsolete):
            if i not in claimed:
                claim(unit, i, "exact")
                break
    # 2. Same English under another context (units renumbered), or a stale entry whose
    #    English went back to what the reviewer translated.
    rank = {REVIEWED: 0, STALE: 1, MACHINE: 2, MISSING: 3}
    for unit in units:
        if unit.id in match:
            continue
        found = [
            i
            for i, e in enumerate(candidates)
            if i not in claimed
            and (e.msgid == unit.text or (e.status == STALE and e.previous_msgid == unit.text))
        ]
        if found:
            best = min(found, key=lambda i: (rank[candidates[i].status], candidates[i].obsolete, i))
            entry = candidates[best]
            reverted = entry.msgid != unit.text
            claim(unit, best, "reverted" if reverted else "exact")
    # 3. A reviewed (or stale) entry similar to a changed unit: the unit's old version.
    pairs: list[tuple[float, int, int]] = []
    for u, unit in enumerate(units):
        if unit.id in match:
            continue
        for i, entry in enumerate(candidates):
            if i in claimed or entry.status not in (REVIEWED, STALE):
                continue
            score = max(
                _similarity(unit.text, entry.msgid),
                _similarity(unit.text, entry.previous_msgid or ""),
            )
            if entry.context == unit.id:
                score += SAME_CONTEXT_BONUS
            if score >= STALE_SIMILARITY:
                pairs.append((score, u, i))
    for _score, u, i in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        unit = units[u]
        if unit.id not in match and i not in claimed:
            claim(unit, i, "similar")

    result = MergeResult(Catalog(), {})
    entries: list[Entry] = []
    for unit in units:
        fresh = machine.get(unit.id)
        if unit.id in match:
            index, how = match[unit.id]
            entry, choice = _merge_one(
                unit, candidates[index], how, fresh, identity, prefer_reviewed_stale
            )
        else:
            entry, choice = _new_entry(unit, fresh, identity)
        entry.references = [f"{reference}:{unit.line}" if unit.line else reference]
        if choice.shown == "reviewed-broken":
            old_entry = candidates[match[unit.id][0]]
            result.warnings.append(
                f"{name}:{old_entry.line}: {unit.id}: the reviewed translation's tags do not "
                f"match the English ({_tag_problem(unit.text, old_entry.msgstr)}); "
                "the page shows the machine translation"
            )
            choice = replace(choice, shown="machine" if fresh is not None else "english")
        entries.append(entry)
        result.choices[unit.id] = choice

    # Everything a person wrote that no unit uses any more is kept as obsolete.
    obsolete: list[Entry] = []
    for i, entry in enumerate(candidates):
        if i in claimed:
            continue
        if entry.obsolete or entry.status in (REVIEWED, STALE):
            obsolete.append(replace(entry, obsolete=True, references=[], notes=[]))
    kept: list[Entry] = []
    seen: set[tuple[str | None, str]] = set()
    for entry in obsolete:
        key = (entry.context, entry.msgid)
        n = 2
        while key in seen:
            # msgfmt rejects two obsolete entries with the same context and English; both
            # texts are kept under distinct contexts instead.
            key = (f"{entry.context or ''} ({n})", entry.msgid)
            n += 1
        seen.add(key)
        kept.append(replace(entry, context=key[0]) if key[0] != entry.context else entry)

    header_comments = (
        old.header_comments
        if old and old.header_comments
        else [
            f"Translations of {reference} into {lang}, one entry per unit of text.",
            "Machine translations are marked fuzzy: check one, correct it if needed and",
            "clear the fuzzy flag to approve it. Approved entries are never overwritten.",
        ]
    )
    header = dict(old.header) if old else {}
    # Fields a PO editor maintains; set once so msgfmt --check-header is satisfied, then
    # left to the reviewer's editor. No clock: the date comes from SOURCE_DATE_EPOCH only.
    header.setdefault("Last-Translator", "machine translation (summary-pipeline)")
    header.setdefault("Language-Team", "none")
    if "PO-Revision-Date" not in header and (date := _source_date()):
        header["PO-Revision-Date"] = date
    header.update(
        {
            "Project-Id-Version": header.get("Project-Id-Version") or project,
            "Language": lang,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "X-Generator": "summary-pipeline",
        }
    )
    result.catalog = Catalog(header_comments, header, entries + kept)
    return result


def _source_date() -> str | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC).strftime("%Y-%m-%d %H:%M+0000")


def _tag_problem(english: str, translation: str) -> str:
    try:
        check_against(english, translation)
    except TagError as err:
        return str(err)
    return "ok"


def _machine_entry(unit: Unit, text: str, identity: str) -> Entry:
    return Entry(
        unit.text,
        text,
        unit.id,
        ["fuzzy"],
        notes=[MACHINE_NOTE.format(identity=identity)],
    )


def _new_entry(unit: Unit, fresh: str | None, identity: str) -> tuple[Entry, Choice]:
    if fresh is None:
        return Entry(unit.text, "", unit.id), Choice(
            unit.id, MISSING, unit.text, "english", unit.text
        )
    return _machine_entry(unit, fresh, identity), Choice(
        unit.id, MACHINE, fresh, "machine", unit.text
    )


def _merge_one(
    unit: Unit,
    old: Entry,
    how: str,
    fresh: str | None,
    identity: str,
    prefer_reviewed_stale: bool,
) -> tuple[Entry, Choice]:
    status = old.status
    flags_without_fuzzy = [f for f in old.flags if f != "fuzzy"]
    machine_or_english = fresh if fresh is not None else unit.text
    shown_fallback = "machine" if fresh is not None else "english"
    if how == "reverted" or (how == "exact" and status == REVIEWED):
        # The reviewer's text translates exactly this English: reviewed.
        entry = Entry(unit.text, old.msgstr, unit.id, flags_without_fuzzy, list(old.comments))
        ok = _tags_ok(unit.text, old.msgstr)
        choice = Choice(
            unit.id,
            REVIEWED,
            old.msgstr if ok else machine_or_english,
            "reviewed" if ok else "reviewed-broken",
            unit.text,
            reviewed=old.msgstr,
        )
        return entry, choice
    if status in (REVIEWED, STALE):
        # The English changed under a reviewed text (or already had): stale.
        before = old.previous_msgid if status == STALE else old.msgid
        assert before is not None
        entry = Entry(
            unit.text,
            old.msgstr,
            unit.id,
            ["fuzzy", *flags_without_fuzzy],
            list(old.comments),
            [STALE_NOTE],
            previous_msgid=before,
        )
        use_old = prefer_reviewed_stale and _tags_ok(unit.text, old.msgstr)
        choice = Choice(
            unit.id,
            STALE,
            old.msgstr if use_old else machine_or_english,
            "previous-review" if use_old else shown_fallback,
            unit.text,
            reviewed=old.msgstr,
            previous_english=before,
        )
        return entry, choice
    # A machine (or empty) entry for the same English.
    if fresh is None:
        if status == MACHINE:
            entry = replace(old, context=unit.id, references=[], obsolete=False)
            return entry, Choice(unit.id, MACHINE, old.msgstr, "machine", unit.text)
        return _new_entry(unit, None, identity)
    if status == MACHINE and old.msgstr != fresh and old.model == identity:
        # Same model, different text: a reviewer edited it but has not approved it yet.
        # Keep the draft; the page shows machine output until the flag is cleared.
        entry = replace(old, context=unit.id, references=[], obsolete=False)
        return entry, Choice(unit.id, MACHINE, fresh, "machine", unit.text)
    entry = _machine_entry(unit, fresh, identity)
    entry.comments = list(old.comments)
    return entry, Choice(unit.id, MACHINE, fresh, "machine", unit.text)
