"""How an old catalog, the current units and fresh machine output merge.

Nothing a person wrote is ever lost or replaced by a model:

- any ``msgstr`` that differs from the machine output recorded in the entry's ``#.`` note is
  reviewer text: *reviewed* without the fuzzy flag, a *draft* with it;
- when the English of reviewer text changes, the entry stays (fuzzy, the English the reviewer
  translated kept as ``#| msgid``, like ``msgmerge``): *stale*;
- when its unit disappears, it becomes an obsolete ``#~`` entry;
- a change of engine or model replaces machine text only;
- reviewed text whose tags do not match the English is *rejected*: kept in the file, not
  shown, and reported with the reason (:attr:`Choice.problem`).

Old entries are paired with units by context and English, then by English alone (units are
renumbered when a paragraph is added above them), then reviewer text by similarity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from pipeline.catalog.header import merged_header
from pipeline.catalog.match import PERSON, Matcher, has_person_text
from pipeline.catalog.model import (
    DRAFT,
    MACHINE,
    MISSING,
    REJECTED,
    REVIEWED,
    STALE,
    STALE_NOTE,
    STATUSES,
    Catalog,
    Entry,
    Status,
    join_wrapped_notes,
    machine_note,
    without_machine_notes,
)
from pipeline.inline import TagError, check_against
from pipeline.segment import Unit

DRAFT_NOTE = "draft: not approved when its English changed"


@dataclass(frozen=True, slots=True)
class Choice:
    """What the page shows for one unit, and why."""

    unit_id: str
    status: Status  # the entry's status after the merge
    text: str  # tagged text for the page
    shown: str  # "reviewed", "machine", "previous-review" or "english"
    english: str
    reviewed: str = ""  # the reviewer's text (reviewed, draft, stale and rejected entries)
    previous_english: str = ""  # stale entries: the English the reviewer translated
    problem: str = ""  # rejected entries: why the reviewer's text cannot be used
    line: int = 0  # where the old entry's msgstr was in the catalog (0: new entry)


@dataclass
class MergeResult:
    """A merged catalog, the page text per unit, and problems found in reviewer text."""

    catalog: Catalog
    choices: dict[str, Choice]
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Units per status (every status present, zero or not)."""
        counts = dict.fromkeys(STATUSES, 0)
        for choice in self.choices.values():
            counts[choice.status] += 1
        return counts

    @property
    def rejected(self) -> list[Choice]:
        """Reviewed entries that cannot be used, in unit order (see :attr:`Choice.problem`)."""
        return [c for c in self.choices.values() if c.status == REJECTED]


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
        if entry is not None and entry.status == REVIEWED and not tag_problem(unit, entry.msgstr):
            result.add(unit.id)
    return result


def tag_problem(unit: Unit, translation: str) -> str:
    """Why ``translation``'s tags do not fit ``unit``'s English ("" when they do)."""
    try:
        check_against(unit.text, translation)
    except TagError as err:
        return str(err)
    return ""


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
    revision_date: str | None = None,
) -> MergeResult:
    """Merge ``old`` with the current ``units`` and fresh ``machine`` text (unit id → tagged).

    ``reference`` is the source file as shown in ``#:`` comments, ``name`` the catalog path for
    warnings. Units without machine text keep their old machine entry, or are missing.
    ``revision_date`` is written as ``PO-Revision-Date`` only when the catalog has none.
    """
    units = translatable_units(units)
    olds = [replace(e, notes=join_wrapped_notes(e.notes)) for e in (old.entries if old else [])]
    matcher = Matcher(olds)
    matcher.exact(units)
    matcher.same_english(units)
    matcher.similar(units)
    result = MergeResult(Catalog(), {}, list(old.notices) if old else [])
    entries: list[Entry] = []
    for unit in units:
        fresh = machine.get(unit.id)
        if unit.id in matcher.match:
            index, how = matcher.match[unit.id]
            entry, choice = _merge_one(
                unit, matcher.candidates[index], how, fresh, identity, prefer_reviewed_stale
            )
        else:
            entry, choice = _new_entry(unit, fresh, identity, None)
        entry.references = [f"{reference}:{unit.line}" if unit.line else reference]
        if choice.status == REJECTED:
            result.warnings.append(
                f"{name}:{choice.line}: {unit.id}: the reviewed translation's tags do not "
                f"match the English ({choice.problem}); the page shows the "
                f"{'machine translation' if fresh is not None else 'English'}"
            )
        entries.append(entry)
        result.choices[unit.id] = choice
    kept = _obsolete_entries(matcher)
    header = merged_header(old, lang=lang, project=project, revision_date=revision_date)
    comments = (
        old.header_comments if old and old.header_comments else _header_comments(reference, lang)
    )
    result.catalog = Catalog(
        comments,
        header,
        entries + kept,
        header_flags=[f for f in (old.header_flags if old else []) if f != "fuzzy"],
        newline=old.newline if old else "\n",
    )
    return result


def _header_comments(reference: str, lang: str) -> list[str]:
    return [
        f"Translations of {reference} into {lang}, one entry per unit of text.",
        "Machine translations are marked fuzzy: check one, correct it if needed and",
        "clear the fuzzy flag to approve it. Approved entries are never overwritten.",
    ]


def _obsolete_entries(matcher: Matcher) -> list[Entry]:
    """Everything a person wrote that no unit uses any more, as obsolete entries."""
    obsolete: list[Entry] = []
    for i, entry in enumerate(matcher.candidates):
        if i in matcher.claimed:
            continue
        if entry.obsolete or has_person_text(entry):
            obsolete.append(replace(entry, obsolete=True, references=[]))
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
    return kept


def _machine_entry(unit: Unit, text: str, identity: str, old: Entry | None) -> Entry:
    """A fuzzy entry holding ``text``; what the reviewer added to ``old`` is kept."""
    flags = ["fuzzy", *(f for f in (old.flags if old else []) if f != "fuzzy")]
    notes = [machine_note(identity, text), *without_machine_notes(old.notes if old else [])]
    return Entry(
        unit.text,
        text,
        unit.id,
        flags,
        list(old.comments) if old else [],
        notes,
        previous_context=None,
    )


def _new_entry(
    unit: Unit, fresh: str | None, identity: str, old: Entry | None
) -> tuple[Entry, Choice]:
    if fresh is None:
        entry = Entry(unit.text, "", unit.id, comments=list(old.comments) if old else [])
        return entry, Choice(unit.id, MISSING, unit.text, "english", unit.text)
    entry = _machine_entry(unit, fresh, identity, old)
    return entry, Choice(unit.id, MACHINE, fresh, "machine", unit.text)


def _merge_one(
    unit: Unit,
    old: Entry,
    how: str,
    fresh: str | None,
    identity: str,
    prefer_reviewed_stale: bool,
) -> tuple[Entry, Choice]:
    status = old.status
    if how == "reverted":
        return _reverted(unit, old, fresh)
    if how == "exact" and status == REVIEWED:
        return _reviewed(unit, replace(old, context=unit.id, obsolete=False), fresh)
    if how == "exact" and status == DRAFT:
        entry = replace(old, context=unit.id, obsolete=False)
        return entry, _draft_choice(unit, old, fresh)
    if status in PERSON:
        return _stale(unit, old, fresh, prefer_reviewed_stale)
    if how == "similar":
        # Machine text (or none) for older English, with a translator comment: the comment
        # moves to the new entry, the old machine text does not.
        return _new_entry(unit, fresh, identity, old)
    # A machine (or empty) entry for the same English.
    if fresh is None:
        if status == MACHINE:
            entry = replace(old, context=unit.id, obsolete=False)
            return entry, Choice(unit.id, MACHINE, old.msgstr, "machine", unit.text, line=old.line)
        return _new_entry(unit, None, identity, old)
    if old.machine_digest is None and old.model == identity and old.msgstr != fresh:
        # A catalog from before machine text was recorded: same model, other text means a
        # reviewer edited it. Keep it as a draft.
        entry = replace(old, context=unit.id, obsolete=False)
        return entry, _draft_choice(unit, old, fresh)
    return _new_entry(unit, fresh, identity, old)


def _draft_choice(unit: Unit, old: Entry, fresh: str | None) -> Choice:
    # Not approved: the page shows machine output (or the English) until the flag is cleared.
    return Choice(
        unit.id,
        DRAFT,
        fresh if fresh is not None else unit.text,
        "machine" if fresh is not None else "english",
        unit.text,
        reviewed=old.msgstr,
        line=old.line,
    )


def _reviewed(unit: Unit, entry: Entry, fresh: str | None) -> tuple[Entry, Choice]:
    """Reviewer text that translates exactly this English: shown, unless its tags are wrong."""
    entry.notes = [n for n in entry.notes if n not in (DRAFT_NOTE, STALE_NOTE)]
    problem = tag_problem(unit, entry.msgstr)
    if not problem:
        choice = Choice(
            unit.id, REVIEWED, entry.msgstr, "reviewed", unit.text, entry.msgstr, line=entry.line
        )
        return entry, choice
    choice = Choice(
        unit.id,
        REJECTED,
        fresh if fresh is not None else unit.text,
        "machine" if fresh is not None else "english",
        unit.text,
        reviewed=entry.msgstr,
        problem=problem,
        line=entry.line,
    )
    return entry, choice


def _reverted(unit: Unit, old: Entry, fresh: str | None) -> tuple[Entry, Choice]:
    """Stale text whose English went back to what the reviewer translated."""
    entry = replace(
        old,
        msgid=unit.text,
        context=unit.id,
        obsolete=False,
        previous_msgid=None,
        previous_context=None,
        previous_msgid_plural=None,
    )
    if DRAFT_NOTE in old.notes:
        entry.notes = [n for n in old.notes if n != DRAFT_NOTE]
        return entry, _draft_choice(unit, old, fresh)
    entry.flags = [f for f in old.flags if f != "fuzzy"]
    return _reviewed(unit, entry, fresh)


def _stale(
    unit: Unit, old: Entry, fresh: str | None, prefer_reviewed_stale: bool
) -> tuple[Entry, Choice]:
    """Reviewer text whose English changed (or had already): fuzzy, old English in ``#|``."""
    was_stale = old.status == STALE
    before = old.previous_msgid if was_stale and old.previous_msgid is not None else old.msgid
    notes = [n for n in old.notes if n != STALE_NOTE]
    if old.status == DRAFT and DRAFT_NOTE not in notes:
        notes.append(DRAFT_NOTE)
    moved = old.context if old.context != unit.id else None
    entry = replace(
        old,
        msgid=unit.text,
        context=unit.id,
        flags=["fuzzy", *(f for f in old.flags if f != "fuzzy")],
        notes=notes,
        obsolete=False,
        previous_msgid=before,
        previous_context=old.previous_context if was_stale else moved,
    )
    # A draft was never approved: it is not shown, even when stale reviews are preferred.
    approved = DRAFT_NOTE not in notes
    use_old = prefer_reviewed_stale and approved and not tag_problem(unit, old.msgstr)
    choice = Choice(
        unit.id,
        STALE,
        old.msgstr if use_old else (fresh if fresh is not None else unit.text),
        "previous-review" if use_old else ("machine" if fresh is not None else "english"),
        unit.text,
        reviewed=old.msgstr,
        previous_english=before,
        line=old.line,
    )
    return entry, choice
