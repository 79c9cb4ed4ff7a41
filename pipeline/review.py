"""Reviewer tools: status counts, unit-by-unit diffs, and the per-build review pages.

Diffs compare translations unit by unit (keyed by language, document and unit id) from two
git revisions of the catalogs, two output folders (their ``review/<lang>/<slug>.json``), or
the catalogs against a fresh machine translation. The terminal shows a word-level diff
(coloured on a terminal, ``[-old-]{+new+}`` otherwise); ``--html`` writes a side-by-side page.
"""

from __future__ import annotations

import difflib
import html
import json
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.catalog import (
    MACHINE,
    MISSING,
    REVIEWED,
    STALE,
    STATUSES,
    Catalog,
    MergeResult,
    catalog_path,
    merge,
    parse_po,
    read_catalog,
)
from pipeline.config import Config
from pipeline.errors import CatalogError, PipelineError
from pipeline.languages import get_language, language_of_folder
from pipeline.segment import Segmented

REVIEW_DIR = "review"


# -- status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusRow:
    """Counts of one document in one language."""

    lang: str
    slug: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """All units."""
        return sum(self.counts.values())

    @property
    def reviewed_share(self) -> float:
        """Reviewed units / all units (0 when there are none)."""
        return self.counts[REVIEWED] / self.total if self.total else 0.0


def format_status(rows: Sequence[StatusRow]) -> str:
    """A plain table: language, document, counts per status, reviewed share."""
    head = ("lang", "document", *STATUSES, "reviewed %")
    lines: list[tuple[str, ...]] = [head]
    for row in rows:
        lines.append(
            (
                row.lang,
                row.slug,
                *(str(row.counts[s]) for s in STATUSES),
                f"{100 * row.reviewed_share:.0f}%",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for line in lines:
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def status_rows(
    config: Config, paths: Sequence[Path] = (), *, languages_from_cli: bool = False
) -> list[StatusRow]:
    """Counts per language and document, as the next build would merge them (read-only)."""
    from pipeline.build import load_all, resolve_sources, target_languages

    docs = load_all(resolve_sources(config, paths))
    rows = []
    for lang in target_languages(config, docs, languages_from_cli):
        for seg in docs:
            path = catalog_path(config.locales_dir, lang, seg.document.slug)
            merged = merge(
                read_catalog(path),
                seg.units,
                {},
                identity="",
                lang=lang,
                project=seg.document.slug,
                reference="",
                name=str(path),
            )
            rows.append(StatusRow(lang, seg.document.slug, merged.counts()))
    return rows


# -- review pages ----------------------------------------------------------------------------

_PAGE_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.4rem .6rem;vertical-align:top;text-align:start}
th{background:#f3f3f3}
.status{white-space:nowrap;font-size:.85em}
.reviewed .status{color:#176b2c}.machine .status{color:#7a5b00}
.stale .status{color:#a11}.missing .status{color:#555}
del{background:#fdd;text-decoration:line-through}ins{background:#dfd;text-decoration:none}
.old{color:#666;font-size:.9em;margin-top:.3rem}
code{font-size:.85em;color:#555}
.finding{color:#8a1c1c;font-size:.85em;margin-block-start:.3em}
""".strip()


def review_rows(
    seg: Segmented, merged: MergeResult, changes: dict[str, int]
) -> list[dict[str, Any]]:
    """One record per unit, newest change first (then document order)."""
    order = {unit.id: i for i, unit in enumerate(seg.units)}
    rows = []
    for unit_id, choice in merged.choices.items():
        rows.append(
            {
                "id": unit_id,
                "status": choice.status,
                "shown": choice.shown,
                "change": changes.get(unit_id, 0),
                "english": choice.english,
                "text": choice.text,
                "reviewed": choice.reviewed,
                "previous_english": choice.previous_english,
            }
        )
    rows.sort(key=lambda r: (-int(str(r["change"])), order.get(str(r["id"]), 0)))
    return rows


def review_json(
    lang: str, slug: str, rows: list[dict[str, Any]], low: Sequence[dict[str, Any]] = ()
) -> str:
    """The machine-readable twin of a review page (used by ``diff`` between output folders)."""
    data = {"lang": lang, "document": slug, "units": rows, "lowest_confidence": list(low)}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def review_page(
    lang: str,
    seg: Segmented,
    rows: list[dict[str, Any]],
    catalog: str,
    low: Sequence[dict[str, Any]] = (),
) -> str:
    """English beside the translation, with each unit's status and QA findings; newest changes
    first, after a list of the units the model was least sure of (worst first)."""
    language = get_language(lang)
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[str(row["status"])] += 1
    summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES)
    title = f"Review: {seg.document.title} ({language.english_name})"
    body = []
    for row in rows:
        status = str(row["status"])
        label = status
        if status == STALE:
            shown = "previous review" if row["shown"] == "previous-review" else "machine"
            label += f" (page: {shown})"
        extra = ""
        if status == STALE:
            extra = (
                '<div class="old">English reviewed: '
                f"{_diff_html(str(row['previous_english']), str(row['english']))}</div>"
                f'<div class="old" dir="{language.direction}" lang="{language.tag}">'
                f"Reviewer's text: {html.escape(str(row['reviewed']))}</div>"
            )
        notes = "".join(
            f'<div class="finding">{html.escape(str(item))}</div>'
            for item in row.get("findings", [])
        )
        extra += notes
        body.append(
            f'<tr class="{status}" id="{html.escape(str(row["id"]))}">'
            f'<td><code>{html.escape(str(row["id"]))}</code><div class="status">{label}</div>'
            f'<div class="status">change {row["change"]}</div></td>'
            f"<td>{html.escape(str(row['english']))}</td>"
            f'<td dir="{language.direction}" lang="{language.tag}">'
            f"{html.escape(str(row['text']))}{extra}</td></tr>"
        )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>\n'
        f"<style>{_PAGE_CSS}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f"<p>{summary}. Edit <code>{html.escape(catalog)}</code> to review; "
        "clear an entry's fuzzy flag to approve it. Newest changes first.</p>\n"
        + _low_confidence_html(low)
        + "<table><thead><tr><th>Unit</th><th>English</th>"
        f"<th>{html.escape(language.english_name)}</th></tr></thead><tbody>\n"
        + "\n".join(body)
        + "\n</tbody></table></body></html>\n"
    )


def _low_confidence_html(low: Sequence[dict[str, Any]]) -> str:
    if not low:
        return ""
    items = "".join(
        f'<li><a href="#{html.escape(str(item["id"]))}"><code>{html.escape(str(item["id"]))}'
        f"</code></a> score {float(item['score']):.2f}</li>"
        for item in low
    )
    return (
        "<h2>Least confident machine translations (worst first)</h2>\n"
        f'<ol class="low-confidence">{items}</ol>\n'
    )


# -- diffs -----------------------------------------------------------------------------------


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
    result: Version = {}
    for entry in catalog.active:
        result[(lang, slug, entry.context or entry.msgid)] = Side(
            entry.msgid, entry.msgstr, entry.status
        )
    return result


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
        if not _want(lang, langs):
            continue
        text = _git(project, "show", f"{revision}:./{name}")
        catalog = parse_po(text, f"{revision}:{name}")
        result.update(catalog_sides(catalog, lang, slug))
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
    """The catalogs' translations, and a fresh machine translation of the same English."""
    from pipeline.build import load_all, resolve_sources, target_languages
    from pipeline.engines import create_engine
    from pipeline.glossary import project_glossary
    from pipeline.languages import SOURCE_LANGUAGE
    from pipeline.rebuild import engine_options, session
    from pipeline.translate import translate_language

    docs = load_all(resolve_sources(config, ()))
    languages = list(langs) or target_languages(config, docs, False)
    glossary = project_glossary(config)
    engine = create_engine(config.engine, engine_options(config))
    before: Version = {}
    after: Version = {}
    with session(config) as memory:
        for lang in languages:
            engine.check(SOURCE_LANGUAGE, lang)
            result = translate_language(docs, lang, engine, memory=memory, glossary=glossary)
            engine.release()
            for seg in docs:
                slug = seg.document.slug
                path = catalog_path(config.locales_dir, lang, slug)
                merged = merge(
                    read_catalog(path),
                    seg.units,
                    {},
                    identity="",
                    lang=lang,
                    project=slug,
                    reference="",
                    name=str(path),
                )
                for uid, choice in merged.choices.items():
                    text = choice.reviewed or (choice.text if choice.status != MISSING else "")
                    before[(lang, slug, uid)] = Side(choice.english, text, choice.status)
                    fresh = result.units[slug].get(uid)
                    after[(lang, slug, uid)] = Side(
                        choice.english, fresh.text if fresh else "", MACHINE
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
        before = review_data_in_folder(old, langs)
        after = review_data_in_folder(new, langs)
        title = f"Translations: {old} → {new}"
    elif machine:
        before, after = machine_versions(config, langs)
        title = "Translations: catalogs → fresh machine translation"
    else:
        first = revisions[0] if revisions else "HEAD"
        before = catalogs_at_revision(config.project_dir, config.locales_dir, first, langs)
        if len(revisions) > 1:
            after = catalogs_at_revision(
                config.project_dir, config.locales_dir, revisions[1], langs
            )
            title = f"Translations: {first} → {revisions[1]}"
        else:
            after = catalogs_in_folder(config.locales_dir, langs)
            title = f"Translations: {first} → working tree"
    return compare(before, after), title


def compare(before: Version, after: Version) -> list[DiffRow]:
    """Units that differ, in a stable order (language, document, unit order of ``after``)."""
    keys = list(after) + [k for k in before if k not in after]
    rows = []
    for key in sorted(keys, key=lambda k: (k[0], k[1], _unit_order(k[2]))):
        old, new = before.get(key), after.get(key)
        if old != new:
            rows.append(DiffRow(key[0], key[1], key[2], old, new))
    return rows


def _unit_order(unit: str) -> tuple[int, str, int]:
    fixed = {"title": 0, "summary": 1, "source_title": 2}
    if unit in fixed:
        return (fixed[unit], "", 0)
    kind, _, number = unit.rpartition("-")
    return (3, kind, int(number) if number.isdigit() else 0)


_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``[(op, text)]`` with op ``=``, ``-`` or ``+``, by words.

    Spaces between two changes join them, so a rewritten phrase reads as one deletion and
    one insertion rather than alternating words.
    """
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    blocks: list[list[str]] = []  # [kind, deleted, inserted] with kind "=" or "~"
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        gap = op == "equal" and 0 < index < len(ops) - 1 and all(not t.strip() for t in a[i1:i2])
        if op == "equal" and not gap:
            blocks.append(["=", "".join(a[i1:i2]), ""])
            continue
        if not blocks or blocks[-1][0] != "~":
            blocks.append(["~", "", ""])
        blocks[-1][1] += "".join(a[i1:i2])
        blocks[-1][2] += "".join(b[j1:j2])
    pieces: list[tuple[str, str]] = []
    for kind, deleted, inserted in blocks:
        if kind == "=":
            pieces.append(("=", deleted))
            continue
        if deleted:
            pieces.append(("-", deleted))
        if inserted:
            pieces.append(("+", inserted))
    return pieces


def terminal_diff(old: str, new: str, color: bool) -> str:
    """A word diff for the terminal: coloured, or ``[-old-]{+new+}`` markers."""
    import click

    out = []
    for op, text in word_diff(old, new):
        if op == "=":
            out.append(text)
        elif color:
            if op == "-":
                out.append(click.style(text, fg="red", strikethrough=True))
            else:
                out.append(click.style(text, fg="green", underline=True))
        else:
            out.append(f"[-{text}-]" if op == "-" else f"{{+{text}+}}")
    return "".join(out)


def format_diff(rows: Iterable[DiffRow], color: bool) -> str:
    """The terminal report: one block per changed unit."""
    import click

    out: list[str] = []
    for row in rows:
        old_status = row.before.status if row.before else "absent"
        new_status = row.after.status if row.after else "absent"
        status = old_status if old_status == new_status else f"{old_status} → {new_status}"
        head = f"{row.lang} {row.slug} {row.unit} [{status}]"
        out.append(click.style(head, bold=True) if color else head)
        old_en = row.before.english if row.before else ""
        new_en = row.after.english if row.after else ""
        if old_en != new_en:
            out.append("  English: " + terminal_diff(old_en, new_en, color))
        old_text = row.before.text if row.before else ""
        new_text = row.after.text if row.after else ""
        if old_text != new_text:
            out.append(f"  {row.lang}: " + terminal_diff(old_text, new_text, color))
        elif old_en != new_en:
            out.append(f"  {row.lang} (unchanged): {new_text}")
    return "\n".join(out)


def _diff_html(old: str, new: str) -> str:
    out = []
    for op, text in word_diff(old, new):
        escaped = html.escape(text)
        tag = "del" if op == "-" else "ins"
        out.append(escaped if op == "=" else f"<{tag}>{escaped}</{tag}>")
    return "".join(out)


def _side_html(old: str, new: str, which: str) -> str:
    """One column of a side-by-side diff: deletions shown before, insertions after."""
    out = []
    for op, text in word_diff(old, new):
        escaped = html.escape(text)
        if op == "=":
            out.append(escaped)
        elif op == "-" and which == "before":
            out.append(f"<del>{escaped}</del>")
        elif op == "+" and which == "after":
            out.append(f"<ins>{escaped}</ins>")
    return "".join(out)


def diff_page(rows: Sequence[DiffRow], title: str) -> str:
    """A side-by-side page: English | before | after, changes highlighted."""
    body = []
    for row in rows:
        language = get_language(row.lang)
        old_en = row.before.english if row.before else ""
        new_en = row.after.english if row.after else ""
        old_text = row.before.text if row.before else ""
        new_text = row.after.text if row.after else ""
        old_status = row.before.status if row.before else "absent"
        status = f"{old_status} → {row.after.status if row.after else 'absent'}"
        english = html.escape(new_en) if old_en == new_en else _diff_html(old_en, new_en)
        cell = f'dir="{language.direction}" lang="{language.tag}"'
        body.append(
            f"<tr><td><code>{html.escape(row.lang)} {html.escape(row.slug)} "
            f'{html.escape(row.unit)}</code><div class="status">{html.escape(status)}</div></td>'
            f"<td>{english}</td><td {cell}>{_side_html(old_text, new_text, 'before')}</td>"
            f"<td {cell}>{_side_html(old_text, new_text, 'after')}</td></tr>"
        )
    empty = "" if rows else "<p>No differences.</p>\n"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>\n'
        f"<style>{_PAGE_CSS}</style></head><body>\n<h1>{html.escape(title)}</h1>\n{empty}"
        "<table><thead><tr><th>Unit</th><th>English</th><th>Before</th><th>After</th></tr>"
        "</thead><tbody>\n" + "\n".join(body) + "\n</tbody></table></body></html>\n"
    )
