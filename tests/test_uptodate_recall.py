"""The up-to-date check without parsing: a source is known by its bytes, and everything its
parse depended on (front-matter languages, local images and files, the memory) is still seen
when it changes."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from pipeline.build import BUILD, Build
from pipeline.cli import main
from pipeline.config import Flag, load_config

from .helpers import build_record

SETTINGS = 'sources = ["*.md"]\nlanguages = ["es", "ar"]\nformats = ["html"]\nengine = "pseudo"\n'
FRONT = "---\ntitle: Recall\n{extra}---\n"
BODY = (
    "A short summary with a map.\n"
    "\n"
    "![Map of the area](img/map.png)\n"
    "\n"
    "The figures are in [the data](data/figures.json).\n"
)


def _project(root: Path, extra: str = "", body: str = BODY) -> Path:
    (root / "img").mkdir(parents=True)
    (root / "summary-pipeline.toml").write_text(SETTINGS, encoding="utf-8")
    (root / "doc.md").write_text(FRONT.format(extra=extra) + body, encoding="utf-8")
    (root / "img" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n one map")
    return root


def _build(runner: CliRunner, project: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo", *args])
    assert result.exit_code == 0, result.output
    record = build_record(project)
    run = json.loads((project / ".summary-pipeline" / "last-run.json").read_text("utf-8"))
    return {
        "up_to_date": record["up_to_date"],
        "languages": sorted(run["languages"]),
        "texts": sum(entry["engine_texts"] for entry in run["languages"].values()),
        "summary": result.output.strip().splitlines()[-1],
        "output_files": sorted(record["files"]["output"]),
    }


def _outputs(project: Path) -> dict[str, str]:
    out = project / "output"
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_whitespace_edit_builds_again_and_changes_no_output(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = _project(tmp_path / "p")
    assert _build(runner, project)["up_to_date"] is False
    assert _build(runner, project)["up_to_date"] is True
    before = _outputs(project)
    # The same parse from other bytes: the bytes are the input, so this is a full build
    # (all from the memory), which writes the same files again.
    _edit(project / "doc.md", "A short summary with a map.\n", "A short summary with a map.  \n")
    again = _build(runner, project)
    assert again["up_to_date"] is False
    assert again["texts"] == 0
    pages = {name for name in before if name.endswith(".html")}
    assert len(pages) > 3
    after = _outputs(project)
    assert {n: after[n] for n in pages} == {n: before[n] for n in pages}
    assert _build(runner, project)["up_to_date"] is True


def test_front_matter_languages_are_the_targets_and_a_change_is_seen(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = _project(tmp_path / "p", extra="languages: [es, fr]\n")
    first = _build(runner, project)
    assert first["languages"] == ["es", "fr"] and first["up_to_date"] is False
    second = _build(runner, project)
    assert second["up_to_date"] is True
    assert second["languages"] == ["es", "fr"]  # the recorded parse's languages
    assert "1 document(s) in 2 language(s): 3 page(s), up to date" in str(second["summary"])
    _edit(project / "doc.md", "languages: [es, fr]", "languages: [es, uk]")
    third = _build(runner, project)
    assert third["up_to_date"] is False
    assert third["languages"] == ["es", "uk"]
    assert (project / "output" / "uk" / "doc.html").is_file()
    fourth = _build(runner, project)
    assert fourth["up_to_date"] is True and fourth["languages"] == ["es", "uk"]
    # --lang still wins over the recorded front matter, as over a parsed one.
    flagged = _build(runner, project, "-l", "ar")
    assert flagged["languages"] == ["ar"] and flagged["up_to_date"] is False
    assert _build(runner, project, "-l", "ar")["up_to_date"] is True


def test_a_deleted_image_fails_as_it_would_and_an_edited_one_is_copied_again(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = _project(tmp_path / "p")
    _build(runner, project)
    assert _build(runner, project)["up_to_date"] is True
    image = project / "img" / "map.png"
    image.unlink()
    failed = runner.invoke(main, ["-C", str(project), "build", "-e", "pseudo"])
    assert failed.exit_code == 1
    assert "image 'img/map.png' not found" in failed.output
    image.write_bytes(b"\x89PNG\r\n\x1a\n another map")
    rebuilt = _build(runner, project)
    assert rebuilt["up_to_date"] is False
    page = project / "output" / "es" / "doc.html"
    [src] = re.findall(r'<img src="([^"]+)"', page.read_text("utf-8"))
    assert (page.parent / src).read_bytes() == image.read_bytes()
    assert _build(runner, project)["up_to_date"] is True


def test_a_linked_file_that_appears_is_copied_and_one_that_goes_is_dropped(
    runner: CliRunner, tmp_path: Path
) -> None:
    # A link to a .json file that does not exist is kept as written (not an error); once the
    # file exists the page points at a copy: the same bytes of doc.md, another page.
    project = _project(tmp_path / "p")
    first = _build(runner, project)
    assert not any(name.endswith("figures.json") for name in first["output_files"])
    assert _build(runner, project)["up_to_date"] is True
    (project / "data").mkdir()
    (project / "data" / "figures.json").write_text('{"images": 2978}\n', "utf-8")
    appeared = _build(runner, project)
    assert appeared["up_to_date"] is False
    assert any(name.endswith("figures.json") for name in appeared["output_files"])
    page = (project / "output" / "es" / "doc.html").read_text("utf-8")
    assert "../assets/" in page and "figures.json" in page
    assert _build(runner, project)["up_to_date"] is True
    (project / "data" / "figures.json").unlink()
    gone = _build(runner, project)
    assert gone["up_to_date"] is False
    assert not any(name.endswith("figures.json") for name in gone["output_files"])
    assert 'href="data/figures.json"' in (project / "output" / "es" / "doc.html").read_text("utf-8")


def test_an_image_leaving_the_project_is_seen(runner: CliRunner, tmp_path: Path) -> None:
    # The project folder is the nearest one with a settings file: one in img/'s parent of the
    # document makes ../ references leave it, with the document's bytes unchanged.
    root = tmp_path / "p"
    project = _project(root / "docs", body="A map.\n\n![Map](../shared/map.png)\n")
    (root / "shared").mkdir()
    (root / "shared" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n shared map")
    (project / "summary-pipeline.toml").unlink()  # the project is root; sources below it
    (root / "summary-pipeline.toml").write_text(
        SETTINGS.replace('["*.md"]', '["docs/*.md"]'), encoding="utf-8"
    )
    first = _build(runner, root)
    assert any(name.endswith("map.png") for name in first["output_files"])
    assert _build(runner, root)["up_to_date"] is True
    (project / "summary-pipeline.toml").write_text("# marks docs/ as a project\n", "utf-8")
    moved = _build(runner, root)
    assert moved["up_to_date"] is False
    assert not any(name.endswith("map.png") for name in moved["output_files"])


def test_a_new_source_file_is_built(runner: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    _build(runner, project)
    (project / "other.md").write_text("---\ntitle: Other\n---\nAnother text.\n", "utf-8")
    built = _build(runner, project)
    assert built["up_to_date"] is False
    assert "Built 2 document(s)" in str(built["summary"])
    assert _build(runner, project)["up_to_date"] is True


def test_the_memory_is_not_opened_while_untouched_and_is_asked_when_it_changed(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = _project(tmp_path / "p")
    _build(runner, project)
    memory = project / ".summary-pipeline" / "memory.sqlite3"
    state = memory.stat()
    assert _build(runner, project)["up_to_date"] is True
    after = memory.stat()
    assert (after.st_mtime_ns, after.st_ino) == (state.st_mtime_ns, state.st_ino)
    # Touched, same translations: SQLite counts them, and the build is still up to date.
    with sqlite3.connect(memory) as conn:
        conn.execute("PRAGMA user_version=2")
    assert _build(runner, project)["up_to_date"] is True
    # A translation more for the model: the counts differ, a full build.
    with sqlite3.connect(memory) as conn:
        conn.execute(
            "INSERT INTO translations VALUES ('en-es', 'pseudo-1', 'Extra.', 'Éxtra.', 0, NULL)"
        )
    assert _build(runner, project)["up_to_date"] is False


def test_a_damaged_record_means_a_full_build(runner: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    _build(runner, project)
    path = project / ".summary-pipeline" / "last-build.json"
    record = json.loads(path.read_text("utf-8"))
    for source in record["sources"].values():
        source["references"] = [["picture", "img/map.png", 5]]
    path.write_text(json.dumps(record), "utf-8")
    assert _build(runner, project)["up_to_date"] is False
    assert _build(runner, project)["up_to_date"] is True


def test_the_sources_of_an_up_to_date_build_are_read_when_asked(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", extra="languages: [es, fr]\n")
    config = load_config(project, {"engine": Flag("pseudo", "--engine")})
    first = Build(config, BUILD).run()
    again = Build(config, BUILD).run()
    assert not first.up_to_date and again.up_to_date
    assert again.slugs == ("doc",) and again.languages == ("es", "fr")
    sources = again.sources  # read now, as a full build reads them
    assert [seg.document.slug for seg in sources.docs] == ["doc"]
    assert sources.languages == ("es", "fr")
    assert [a.source.name for a in sources.docs[0].assets] == ["map.png"]
    assert sources.docs[0].document.digest == first.sources.docs[0].document.digest
