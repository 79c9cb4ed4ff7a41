"""Hostile sources and catalogs (issue 13, rows 1, 2, 3, 11, 14), through the public CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import OutputError
from pipeline.output import (
    atomic_write,
    atomic_write_many,
    is_temporary_name,
    remove_temporary_files,
)
from pipeline.qa import check_pair
from pipeline.ui_catalogs import UICatalogs
from pipeline.urls import allowed_url, local_file_allowed, url_problem

from .helpers import approve

PAGE = """\
---
title: "Safe water"
organisation: "Example Aid"
source: {source}
---

Boil water for one minute.
"""


def _project(tmp_path: Path, source: str = '"https://example.org/report"') -> Path:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "water.md").write_text(PAGE.format(source=source), "utf-8")
    (tmp_path / "summary-pipeline.toml").write_text(
        'sources = ["examples/*.md"]\nlanguages = ["es"]\nengine = "pseudo"\n', "utf-8"
    )
    return tmp_path


def _build(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(project), "build", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


# -- row 1: front matter source ----------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        '"javascript:alert(1)"',
        '"JaVaScRiPt:alert(1)"',
        '" java\\tscript:alert(1)"',
        '"data:text/html,<script>alert(1)</script>"',
        '"vbscript:msgbox(1)"',
        '"file:///etc/passwd"',
        '"//evil.example/x"',
    ],
)
def test_unsafe_source_link_is_dropped_with_a_warning(tmp_path: Path, source: str) -> None:
    project = _project(tmp_path, source)
    code, output = _build(project)
    assert code == 0, output
    assert "front matter 'source' dropped" in output
    page = (project / "output" / "es" / "water.html").read_text("utf-8")
    assert 'class="source"' not in page
    for scheme in ("javascript:", "data:", "vbscript:", "file:", "//evil"):
        assert scheme not in page.lower().replace("\t", "")


def test_allowed_source_link_stays(tmp_path: Path) -> None:
    project = _project(tmp_path)
    code, output = _build(project)
    assert code == 0, output
    page = (project / "output" / "es" / "water.html").read_text("utf-8")
    assert '<a href="https://example.org/report"' in page
    assert "dropped" not in output


def test_allow_list() -> None:
    for good in ("https://a.org/x", "http://a.org", "mailto:a@b.org", "notes.html#x", "#top"):
        assert allowed_url(good), good
    for bad in ("javascript:x", "data:,x", "file:///etc", "/etc/passwd", "../../x", "a\\b"):
        assert url_problem(bad), bad
    project = Path("/srv/project")
    assert url_problem("../README.md", project / "examples", project) is None
    assert url_problem("../../x", project / "examples", project)
    assert local_file_allowed("file:///srv/project/img/a.png", [project])
    assert not local_file_allowed("file:///tmp/secret.png", [project])
    assert not local_file_allowed("file:///srv/project/../etc/passwd", [project])
    assert not local_file_allowed("https://example.org/a.png", [project])


def _png(path: Path, size: int) -> None:
    """A real PNG of ``size`` × ``size`` pixels (PIL is not needed: zlib and struct do)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + b"\xff\x00\x00" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_pdfs_never_embed_files_from_outside_the_project(tmp_path: Path) -> None:
    import subprocess

    secret = tmp_path / "secret.png"
    _png(secret, 31)
    (tmp_path / "p").mkdir()
    project = _project(tmp_path / "p")
    _png(project / "inside.png", 17)
    doc = project / "examples" / "water.md"
    doc.write_text(
        doc.read_text("utf-8")
        + f"\n![inside](../inside.png)\n\n![secret]({secret})\n\n"
        + '<img src="file:///etc/passwd">\n',
        "utf-8",
    )
    code, output = _build(project, "-f", "html,pdf")
    assert code == 0, output
    assert "Traceback" not in output
    pdf = project / "output" / "es" / "water.pdf"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    sizes = {tuple(line.split()[3:5]) for line in images.stdout.splitlines()[2:]}
    assert ("17", "17") in sizes  # the project's own image is embedded
    assert ("31", "31") not in sizes  # the file outside the project is not
    assert b"root:" not in pdf.read_bytes()


# -- row 2: UI catalog markup and placeholders ---------------------------------------------

_PO_HEAD = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def _ui_catalog(project: Path, entries: str) -> None:
    folder = project / "locales" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(_PO_HEAD + entries, "utf-8")


def test_markup_in_a_ui_catalog_is_text(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _ui_catalog(
        project,
        'msgid "All handouts"\nmsgstr "<script>alert(1)</script>"\n\n'
        'msgid "Languages"\nmsgstr "x\\" onmouseover=\\"alert(1)"\n',
    )
    code, output = _build(project)
    assert code == 0, output
    page = (project / "output" / "es" / "water.html").read_text("utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '" onmouseover="' not in page
    assert 'aria-label="x&#34; onmouseover=&#34;alert(1)"' in page


def test_ui_entry_with_wrong_placeholders_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _ui_catalog(
        project,
        'msgid "Source: %(source)s"\nmsgstr "Fuente: %(evil)s"\n\n'
        'msgid "Published %(date)s"\nmsgstr "Publicado 100% el"\n\n'
        'msgid "Languages"\nmsgstr "Lenguas"\n',
    )
    code, output = _build(project)
    assert code == 0, output
    # The msgstr's line, as msgfmt names it.
    assert "messages.po:6: UI catalog entry 'Source: %(source)s' refused" in output
    assert "'Published %(date)s' refused" in output
    page = (project / "output" / "es" / "water.html").read_text("utf-8")
    assert 'aria-label="Lenguas"' in page  # the good entry is used
    assert "Fuente: <a" in page  # the package's catalog stands in for the refused entry


def test_english_ui_text_is_escaped_too(tmp_path: Path) -> None:
    translations, real = UICatalogs([tmp_path]).get("en")
    assert real
    assert translations.gettext("a < b") == "a &lt; b"


# -- row 3: cleanup removes only the pipeline's temporaries --------------------------------


def test_cleanup_leaves_users_tmp_files(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = project / "mine"
    (out / "sub").mkdir(parents=True)
    (out / ".draft.tmp").write_text("mine", "utf-8")
    (out / "sub" / ".vim-swap.tmp").write_text("mine", "utf-8")
    (out / ".index.html.abcd1234.tmp").write_text("old scheme, not ours", "utf-8")
    ours = out / ".index.html.sp-abcd1234.tmp"
    ours.write_text("left by a killed run", "utf-8")
    code, output = _build(project, "-o", str(out))
    assert code == 0, output
    assert (out / ".draft.tmp").read_text("utf-8") == "mine"
    assert (out / "sub" / ".vim-swap.tmp").read_text("utf-8") == "mine"
    assert (out / ".index.html.abcd1234.tmp").exists()
    assert not ours.exists()
    assert (out / "es" / "water.html").is_file()


def test_cleanup_never_follows_or_removes_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / ".x.sp-abcd1234.tmp"
    victim.write_text("not ours", "utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "link").symlink_to(outside)
    (folder / ".y.sp-abcd1234.tmp").symlink_to(victim)
    assert remove_temporary_files(folder) == []
    assert victim.exists() and (folder / ".y.sp-abcd1234.tmp").is_symlink()


def test_atomic_write_names_its_temporaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    seen: list[str] = []
    real = os.fsync

    def spy(fd: int) -> None:
        seen.extend(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    atomic_write(tmp_path / "page.html", b"hello")
    assert seen and all(is_temporary_name(n) for n in seen)
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_files_written_together_are_each_synced_before_their_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    synced: set[int] = set()
    renamed: list[str] = []
    real_fsync, real_replace = os.fsync, Path.replace

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.add(os.fstat(fd).st_ino)

    def replace(self: Path, target: Path) -> Path:
        assert self.stat().st_ino in synced, f"{target} renamed before its data was synced"
        renamed.append(Path(target).name)
        return real_replace(self, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(Path, "replace", replace)
    files = [(tmp_path / "out" / f"page{i}.html", f"page {i}".encode()) for i in range(12)]
    atomic_write_many(files)
    assert renamed == [path.name for path, _ in files]
    assert all(path.read_bytes() == data for path, data in files)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(renamed)


def test_a_failed_file_leaves_every_file_of_the_batch_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "old.html").write_bytes(b"old")
    (tmp_path / "blocker").write_bytes(b"a file where a folder should be")
    with pytest.raises(OutputError, match="cannot write"):
        atomic_write_many(
            [(tmp_path / "old.html", b"new"), (tmp_path / "blocker" / "page.html", b"x")]
        )
    assert (tmp_path / "old.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "old.html"]  # no .tmp


# -- row 14 (and -o .): output folders that would harm the project -------------------------


@pytest.mark.parametrize("where", ["templates", "locales", "locales/es", ".", "examples", "pkg"])
def test_output_folder_refused(tmp_path: Path, where: str) -> None:
    project = _project(tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "index.html").write_text("{# mine #}", "utf-8")
    (project / "examples" / ".my-notes.tmp").write_text("mine", "utf-8")
    if where == "pkg":
        import pipeline

        target = str(Path(pipeline.__file__).parent / "templates")
    else:
        target = str(project / where)
    code, output = _build(project, "-o", target)
    assert code == 1, output
    assert "Error: refusing output folder" in output
    assert "Traceback" not in output
    assert (project / "templates" / "index.html").read_text("utf-8") == "{# mine #}"
    assert (project / "examples" / ".my-notes.tmp").exists()


# -- row 11: bidi controls ----------------------------------------------------------------


def test_bidi_controls_are_a_finding() -> None:
    ids = lambda found: [f.id for f in found]  # noqa: E731
    assert "bidi" in ids(check_pair("Pay \u202eusd 01\u202c now.", "Paga ahora.", "es"))
    assert "bidi" in ids(check_pair("Pay now.", "Paga \u2066ahora\u2069.", "es"))
    assert "bidi" in ids(check_pair("Pay now.", "Paga\u200f ahora.", "es"))
    assert "bidi" not in ids(check_pair("Pay 10 now.", "ادفع\u200f 10 الآن.", "ar"))
    assert "bidi" not in ids(check_pair("Pay now.", "Paga ahora.", "es"))


def test_bidi_in_source_reported_by_check(tmp_path: Path) -> None:
    project = _project(tmp_path)
    md = project / "examples" / "water.md"
    md.write_text(md.read_text("utf-8").replace("one minute", "one \u202eetunim\u202c"), "utf-8")
    code, output = _build(project)
    assert code == 0, output
    result = CliRunner().invoke(main, ["-C", str(project), "check"])
    assert "[bidi]" in result.output and "U+202E" in result.output, result.output


def test_bidi_in_a_reviewed_msgstr_reported_by_check(tmp_path: Path) -> None:
    project = _project(tmp_path)
    code, output = _build(project)
    assert code == 0, output
    catalog = project / "locales" / "es" / "water.po"
    approve(catalog, "paragraph-1", "Hierva el agua \u2066durante un minuto\u2069. Tápela.")
    result = CliRunner().invoke(main, ["-C", str(project), "check"])
    assert "[bidi] the translation contains U+2066, U+2069" in result.output, result.output


def test_a_write_batch_writes_whenever_it_holds_enough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages are written together, but never more than BATCH_BYTES of them wait in memory."""
    from pipeline import output

    monkeypatch.setattr(output, "BATCH_BYTES", 10)
    batch = output.WriteBatch(output.OutputWriter(tmp_path))
    batch.add("es/a.html", "aaaaaa")
    assert not (tmp_path / "es" / "a.html").exists()  # waits for more
    batch.add("es/b.html", "bbbbbb")  # 12 bytes: both written
    assert (tmp_path / "es" / "a.html").read_text() == "aaaaaa"
    batch.add("index.html", "i")
    assert not (tmp_path / "index.html").exists()
    batch.flush()
    assert batch.paths == [tmp_path / name for name in ("es/a.html", "es/b.html", "index.html")]
    with pytest.raises(OutputError, match="written twice"):
        batch.add("es/a.html", "again")
        batch.flush()


def test_many_small_files_written_together_stay_within_the_open_file_limit(
    tmp_path: Path,
) -> None:
    """A project of many tiny documents: a batch never holds more files open than it may."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    files = [(tmp_path / f"doc{i}.po", b"x") for i in range(600)]
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        atomic_write_many(files)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p, _ in files)
