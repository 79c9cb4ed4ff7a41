"""Local images and linked files: copied once into output/, pages and PDFs use the copies."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.cli import main

BODY = (
    "A short summary with a map.\n"
    "\n"
    '![Map of the area](img/map.png "Distribution map")\n'
    "\n"
    "Fill in [the form](forms/form%20a.pdf) and read [the notes](notes.md).\n"
)


def _project(root: Path, body: str = BODY, formats: str = '"html"') -> Path:
    (root / "img").mkdir(parents=True)
    (root / "forms").mkdir()
    (root / "summary-pipeline.toml").write_text(
        f'sources = ["*.md"]\nlanguages = ["es", "ar"]\nformats = [{formats}]\nengine = "pseudo"\n',
        encoding="utf-8",
    )
    (root / "doc.md").write_text(f"---\ntitle: Assets\n---\n{body}", encoding="utf-8")
    Image.new("RGB", (40, 20), (200, 30, 30)).save(root / "img" / "map.png")
    (root / "forms" / "form a.pdf").write_bytes(b"%PDF-1.4\n% a form\n")
    return root


def _build(runner: CliRunner, project: Path, *extra: str) -> str:
    result = runner.invoke(main, ["-C", str(project), "build", "--engine", "pseudo", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _srcs(page: Path) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', page.read_text(encoding="utf-8"))


def test_every_page_shows_the_image_from_a_copy_under_output(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = _project(tmp_path / "p")
    _build(runner, project)
    out = project / "output"
    copies = list((out / "assets").rglob("map.png"))
    assert len(copies) == 1  # once, shared by all languages
    assert copies[0].read_bytes() == (project / "img" / "map.png").read_bytes()
    for code in ("en", "es", "ar"):
        page = out / code / "doc.html"
        [src] = _srcs(page)
        assert (page.parent / src).resolve() == copies[0].resolve()
        html = page.read_text(encoding="utf-8")
        form = re.search(r'<a href="([^"]+)">', html.split("<main>")[1])
        assert form is not None
        assert (page.parent / form.group(1).replace("%20", " ")).read_bytes().startswith(b"%PDF")
        assert 'href="notes.md"' in html  # a link to a page stays as written
    assert 'title="Distribution map"' in (out / "en" / "doc.html").read_text(encoding="utf-8")
    spanish = (out / "es" / "doc.html").read_text(encoding="utf-8")
    assert 'title="[Đîšţŕîƀûţîöñ ɱàþ' in spanish  # the image title is translated


def test_a_changed_image_reaches_the_pages_on_the_next_build(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = _project(tmp_path / "p")
    _build(runner, project)
    before = _srcs(project / "output" / "es" / "doc.html")
    Image.new("RGB", (40, 20), (30, 30, 200)).save(project / "img" / "map.png")
    _build(runner, project)
    after = _srcs(project / "output" / "es" / "doc.html")
    assert before != after
    copy = (project / "output" / "es" / after[0]).resolve()
    assert copy.read_bytes() == (project / "img" / "map.png").read_bytes()


def test_a_missing_image_is_an_error_naming_file_and_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = _project(tmp_path / "p", body="Text.\n\nMore text\nand ![a chart](img/chart.png).\n")
    result = runner.invoke(main, ["-C", str(project), "build", "--engine", "pseudo"])
    assert result.exit_code == 1
    assert "doc.md:7: image 'img/chart.png' not found" in result.output
    assert "Traceback" not in result.output
    assert not (project / "output").exists()  # nothing is written before the sources are sound


def test_a_path_leaving_the_project_is_refused_with_a_warning(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "secret.png").write_bytes(b"not for the handout")
    project = _project(tmp_path / "p", body="Text.\n\n![x](../secret.png)\n")
    output = _build(runner, project)
    assert "doc.md:6: image '../secret.png' is outside the project folder" in output
    assert not list((project / "output").rglob("secret.png"))


def test_the_pdf_embeds_the_image(runner: CliRunner, tmp_path: Path) -> None:
    if not shutil.which("pdfimages"):
        pytest.skip("needs poppler's pdfimages")
    project = _project(tmp_path / "p", formats='"html", "pdf"')
    _build(runner, project, "--lang", "es")
    for code in ("en", "es"):
        listing = subprocess.run(
            ["pdfimages", "-list", str(project / "output" / code / "doc.pdf")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert [(row[3], row[4]) for row in rows if row[2] == "image"] == [("40", "20")], code
