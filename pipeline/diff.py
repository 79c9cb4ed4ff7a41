"""``summary-pipeline diff``: what changed in the translations, unit by unit (read-only).

Two versions are compared, keyed by language, document and unit id: the catalogs at two git
revisions (or one and the working tree), two output folders (their ``review/*.json``), or
the catalogs and a fresh machine translation. The terminal shows a word-level diff
(coloured on a terminal, ``[-old-]{+new+}`` otherwise); ``--html`` writes a side-by-side page.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from pipeline.build import MACHINE, Build
from pipeline.catalog import DRAFT, MISSING, REJECTED, REVIEWED, STALE, Catalog, parse_po
from pipeline.catalog import MACHINE as MACHINE_STATUS
from pipeline.config import Config
from pipeline.errors import CatalogError, PipelineError
from pipeline.languages import get_language, language_of_folder
from pipeline.render import Renderer
from pipeline.stages.review import REVIEW_DIR
from pipeline.worddiff import html_diff, terminal_diff


@dataclass(frozen=True)
class Side:
    """One unit's English, translation and status in one version."""

    english: str
    text: str
    status: str


@dataclass(frozen=True)
class DiffRow:
    """A unit whose English, translation or status differs between two versions."""

    lang: str
    slug: str
    unit: str
    before: Side | None
    after: Side | None


Version = dict[tuple[str, str, str], Side]  # (lang, slug, unit) → side


def catalog_sides(catalog: Catalog, lang: str, slug: str) -> Version:
    """The active entries of a catalog as diff sides (keyed by msgctxt)."""
    return {
        (lang, slug, entry.context or entry.msgid): Side(entry.msgid, entry.msgstr, entry.status)
        for entry in catalog.active
    }


def _want(lang: str, langs: Sequence[str]) -> bool:
    return not langs or lang in langs


def catalogs_in_folder(locales_dir: Path, langs: Sequence[str] = ()) -> Version:
    """Every ``<lang>/<slug>.po`` under ``locales_dir`` (UI catalogs excluded)."""
    result: Version = {}
    for path in sorted(locales_dir.glob("*/*.po")):
        lang, slug = language_of_folder(path.parent.name), path.stem
        if not _want(lang, langs):
            continue
        try:
            catalog = parse_po(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as err:
            raise CatalogError(f"{path}: cannot read ({err})") from err
        result.update(catalog_sides(catalog, lang, slug))
    return result


def _git(project: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=project, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as err:
        raise PipelineError("git is not installed") from err
    if done.returncode != 0:
        raise PipelineError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def catalogs_at_revision(
    project: Path, locales_dir: Path, revision: str, langs: Sequence[str] = ()
) -> Version:
    """The catalogs as committed in ``revision`` (read with ``git show``)."""
    try:
        relative = locales_dir.resolve().relative_to(project.resolve()).as_posix()
    except ValueError as err:
        raise PipelineError(f"{locales_dir} is not inside the project {project}") from err
    listing = _git(project, "ls-tree", "-r", "--name-only", revision, "--", relative)
    result: Version = {}
    for name in listing.splitlines():
        parts = Path(name).parts
        # Paths are shown relative to the project; keep <locales>/<lang>/<slug>.po only.
        if not name.endswith(".po") or len(parts) < 2 or parts[-2] == "LC_MESSAGES":
            continue
        lang, slug = language_of_folder(parts[-2]), Path(parts[-1]).stem
        if _want(lang, langs):
            text = _git(project, "show", f"{revision}:./{name}")
            result.update(catalog_sides(parse_po(text, f"{revision}:{name}"), lang, slug))
    return result


def review_data_in_folder(output_dir: Path, langs: Sequence[str] = ()) -> Version:
    """What a build wrote into ``output_dir/review`` (the JSON twins of the review pages)."""
    result: Version = {}
    folder = output_dir / REVIEW_DIR
    if not folder.is_dir():
        raise PipelineError(f"{output_dir}: no {REVIEW_DIR}/ folder (is it a build's output?)")
    for path in sorted(folder.glob("*/*.json")):
        lang, slug = path.parent.name, path.stem
        if not _want(lang, langs):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for unit in data["units"]:
                result[(lang, slug, str(unit["id"]))] = Side(
                    str(unit["english"]), str(unit["text"]), str(unit["status"])
                )
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise PipelineError(f"{path}: not a review file ({err})") from err
    return result


def machine_versions(config: Config, langs: Sequence[str]) -> tuple[Version, Version]:
    """The catalogs' translations, and a fresh machine translation of the same English.

    Nothing is written: no lock, no memory, no catalog.
    """
    outcome = Build(config, MACHINE).run(languages=langs)
    before: Version = {}
    after: Version = {}
    for lang, catalogs in outcome.catalogs.items():
        fresh = outcome.translated[lang].result
        for slug, doc in catalogs.documents.items():
            for uid, choice in doc.merged.choices.items():
                text = choice.reviewed or (choice.text if choice.status != MISSING else "")
                before[(lang, slug, uid)] = Side(choice.english, text, choice.status)
                machine = fresh.units.get(slug, {}).get(uid)
                after[(lang, slug, uid)] = Side(
                    choice.english, machine.text if machine else "", MACHINE_STATUS
                )
    return before, after


def diff_rows(
    config: Config,
    revisions: Sequence[str],
    dirs: tuple[Path, Path] | None,
    machine: bool,
    langs: Sequence[str],
) -> tuple[list[DiffRow], str]:
    """The changed units for the ``diff`` command, and a title for its page."""
    if dirs:
        old, new = dirs
        versions = review_data_in_folder(old, langs), review_data_in_folder(new, langs)
        title = f"Translations: {old} → {new}"
    elif machine:
        versions = machine_versions(config, langs)
        title = "Translations: catalogs → fresh machine translation"
    else:
        first = revisions[0] if revisions else "HEAD"
        project, locales = config.project_dir, config.locales_dir
        before = catalogs_at_revision(project, locales, first, langs)
        if len(revisions) > 1:
            after = catalogs_at_revision(project, locales, revisions[1], langs)
            title = f"Translations: {first} → {revisions[1]}"
        else:
            after = catalogs_in_folder(locales, langs)
            title = f"Translations: {first} → working tree"
        versions = before, after
    return compare(*versions), title


def compare(before: Version, after: Version) -> list[DiffRow]:
    """Units that differ, in a stable order (language, document, unit order)."""
    keys = list(after) + [k for k in before if k not in after]
    rows = []
    for key in sorted(keys, key=lambda k: (k[0], k[1], _unit_order(k[2]))):
        old, new = before.get(key), after.get(key)
        if old != new:
            rows.append(DiffRow(key[0], key[1], key[2], old, new))
    return rows


#: Statuses that hold a person's text.
PERSON = (str(REVIEWED), str(DRAFT), str(STALE), str(REJECTED))


def lost_reviews(rows: Iterable[DiffRow]) -> list[str]:
    """One line per unit whose reviewer text (reviewed, draft, stale) is gone in ``after``."""
    lost = []
    for row in rows:
        if row.before is None or row.before.status not in PERSON:
            continue
        if row.after is None or row.after.status not in PERSON:
            now = row.after.status if row.after else "absent"
            lost.append(
                f"{row.lang} {row.slug} {row.unit}: the reviewer's text "
                f"({row.before.status}) is gone ({now} now)"
            )
    return lost


def _unit_order(unit: str) -> tuple[int, str, int]:
    fixed = {"title": 0, "summary": 1, "source_title": 2}
    if unit in fixed:
        return (fixed[unit], "", 0)
    kind, _, number = unit.rpartition("-")
    return (3, kind, int(number) if number.isdigit() else 0)


def _texts(row: DiffRow) -> tuple[str, str, str, str, str]:
    """English before/after, text before/after, and the status change."""
    old_status = row.before.status if row.before else "absent"
    new_status = row.after.status if row.after else "absent"
    status = old_status if old_status == new_status else f"{old_status} → {new_status}"
    return (
        row.before.english if row.before else "",
        row.after.english if row.after else "",
        row.before.text if row.before else "",
        row.after.text if row.after else "",
        status,
    )


def format_diff(rows: Iterable[DiffRow], color: bool) -> str:
    """The terminal report: one block per changed unit."""
    out: list[str] = []
    for row in rows:
        old_en, new_en, old_text, new_text, status = _texts(row)
        head = f"{row.lang} {row.slug} {row.unit} [{status}]"
        out.append(click.style(head, bold=True) if color else head)
        if old_en != new_en:
            out.append("  English: " + terminal_diff(old_en, new_en, color))
        if old_text != new_text:
            out.append(f"  {row.lang}: " + terminal_diff(old_text, new_text, color))
        elif old_en != new_en:
            out.append(f"  {row.lang} (unchanged): {new_text}")
    return "\n".join(out)


@dataclass(frozen=True)
class _PageRow:
    lang: str
    slug: str
    unit: str
    status: str
    english: object
    before: object
    after: object
    direction: str
    tag: str


def diff_page(config: Config, rows: Sequence[DiffRow], title: str) -> str:
    """A side-by-side page (English | before | after), from the ``diff.html`` template."""
    shown = []
    for row in rows:
        old_en, new_en, old_text, new_text, status = _texts(row)
        language = get_language(row.lang)
        shown.append(
            _PageRow(
                row.lang, row.slug, row.unit, status,
                new_en if old_en == new_en else html_diff(old_en, new_en),
                html_diff(old_text, new_text, "before"),
                html_diff(old_text, new_text, "after"),
                language.direction, language.tag,
            )
        )
    renderer = Renderer(config.templates_dir, None)
    return renderer.render("diff.html", {"title": title, "rows": shown})
