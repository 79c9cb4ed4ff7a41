"""QA checks: each check fires on its fault and stays quiet on a good translation."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.glossary import Glossary
from pipeline.qa import CHECKS, check_pair, restore_findings
from pipeline.stages.merge import LanguageCatalogs
from pipeline.stages.qa import lowest_scoring
from pipeline.translate import UnitTranslation

from .conftest import EXAMPLE
from .helpers import approve

SOURCE = (
    "The <a1>IWF</a1> found more than 11,000 images in July 2023, see <url1/>. "
    "Write to help@example.org or visit https://example.org/x today."
)
GLOSSARY = Glossary(keep=("IWF",))
GOOD = {
    "es": "La <a1>IWF</a1> encontró más de 11.000 imágenes en julio de 2023, ver <url1/>. "
    "Escriba a help@example.org o visite https://example.org/x hoy.",
    "fr": "L'<a1>IWF</a1> a trouvé plus de 11\u202f000 images en juillet 2023, voir <url1/>. "
    "Écrivez à help@example.org ou visitez https://example.org/x aujourd'hui.",
    "ar": "وجدت <a1>IWF</a1> أكثر من ١١٬٠٠٠ صورة في يوليو ٢٠٢٣، انظر <url1/>. "
    "اكتب إلى help@example.org أو زر https://example.org/x اليوم.",
    "zh": "<a1>IWF</a1>在2023年7月发现了超过11,000张图片，见<url1/>。"
    "请写信至help@example.org或访问 https://example.org/x 。",
    "hi": "<a1>IWF</a1> ने जुलाई २०२३ में ११,००० से अधिक छवियां पाईं, <url1/> देखें। "
    "help@example.org पर लिखें या आज https://example.org/x पर जाएं।",
}


def ids(found: list[object]) -> set[str]:
    return {f.id for f in found}  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", sorted(GOOD))
def test_good_translations_have_no_errors_or_warnings(lang: str) -> None:
    found = check_pair(SOURCE, GOOD[lang], lang, GLOSSARY)
    assert [f for f in found if f.severity != "info"] == []


@pytest.mark.parametrize(
    ("translation", "check"),
    [
        ("", "empty"),
        ("La IWF encontró 11.000 imágenes en julio de 2023, ver <url1/>.", "tags"),
        ("La <a1>IWF</a1> encontró 11.000 imágenes en 2023.", "placeholders"),
        ("La <a1>IWF</a1> <b>x</b> 11.000 2023 <url1/>.", "tags"),
        ("La <a1>IWF</a1 encontró", "tags"),
        (
            "La <a1>IWF</a1> encontró 1.100 imágenes en 2023, <url1/>. help@example.org "
            "https://example.org/x.",
            "numbers",
        ),
        ("La <a1>IWF</a1> 11.000 2023 <url1/>. help@example.org hoy.", "urls"),
        ("La <a1>IWF</a1> 11.000 2023 <url1/>. https://example.org/x hoy.", "emails"),
        (
            "La <a1>fundación</a1> 11.000 2023 <url1/>. help@example.org https://example.org/x.",
            "glossary",
        ),
        (SOURCE, "untranslated"),
        ("La <a1>IWF</a1> 11.000 2023 <url1/>.", "length"),
        (
            "La <a1>IWF</a1> encontró encontró más de 11.000 imágenes en julio de 2023, "
            "ver <url1/>. Escriba a help@example.org o visite https://example.org/x hoy.",
            "repeated",
        ),
        (
            "La <a1>IWF</a1> ensalada ensalada ensalada de 11.000 en 2023, ver <url1/>. Escriba a "
            "help@example.org o visite https://example.org/x hoy.",
            "repeated",
        ),
        (
            "La <a1>IWF</a1> encontró más de 11.000 imágenes en julio de 2023, ver <url1/>, "
            "escriba a help@example.org o visite https://example.org/x hoy.",
            "sentences",
        ),
        (
            "La <a1>IWF</a1> encontró más de 11.000 imágenes en julio de 2023, ver <url1/>. "
            "Escriba a help@example.org o visite https://example.org/x hoy",
            "end-punctuation",
        ),
    ],
)
def test_each_check_fires(translation: str, check: str) -> None:
    found = check_pair(SOURCE, translation, "es", GLOSSARY)
    assert check in ids(found)
    for finding in found:
        assert finding.severity == CHECKS[finding.id][0]


def test_script_rules_for_punctuation_and_placeholder_order() -> None:
    assert "end-punctuation" in ids(check_pair("Is it done?", "هل انتهى?", "ar"))
    assert "end-punctuation" not in ids(check_pair("Is it done?", "هل انتهى؟", "ar"))
    assert "end-punctuation" in ids(check_pair("It is done.", "完成了.", "zh"))
    assert "end-punctuation" not in ids(check_pair("It is done.", "यह हो गया।", "hi"))
    moved = check_pair("Run <code1/> then <code2/> now.", "Lance <code2/> puis <code1/>.", "fr")
    assert ids(moved) == {"tag-order"}


def test_restoration_notes_become_findings() -> None:
    found = restore_findings(
        ["inline-fallback:a1", "placeholder-missing:url1", "glossary-missing:IWF"]
    )
    assert [f.id for f in found] == ["inline-fallback", "placeholder-repaired", "glossary-repaired"]
    assert all(f.severity == "warning" for f in found)


def test_lowest_scoring_units_worst_first() -> None:
    result = LanguageCatalogs(
        "es",
        "x",
        {},
        {
            "doc": {
                "a": UnitTranslation("a", "uno", -0.2),
                "b": UnitTranslation("b", "dos", -2.5),
                "c": UnitTranslation("c", "tres", None),
                "d": UnitTranslation("d", "cuatro", -1.0),
            }
        },
    )
    assert [low.unit_id for low in lowest_scoring(result, limit=2)] == ["b", "d"]


def _project(tmp_path: Path) -> Path:
    from .test_fidelity import make_project

    return make_project(tmp_path)


def test_check_command_strict_exits_0_without_errors(tmp_path: Path) -> None:
    project = _project(tmp_path)
    runner = CliRunner()
    translate = ["-C", str(project), "translate", "--engine", "pseudo", "--lang", "es,zh"]
    assert runner.invoke(main, translate).exit_code == 0
    result = runner.invoke(main, ["-C", str(project), "check", "--lang", "es,zh", "--strict"])
    assert result.exit_code == 0, result.output
    # zh keeps the pseudo engine's "." where Chinese wants "。": an info, printed with place.
    assert "zh paragraph-1: info [end-punctuation]" in result.output
    assert "error" not in result.stdout


def test_check_and_build_strict_exit_3_on_errors(
    tmp_path: Path, install_argos: Callable[..., list[Path]]
) -> None:
    # The generated package has random weights: its output loses numbers (an error).
    install_argos("en-es")
    project = _project(tmp_path)
    translate = ["-C", str(project), "translate", "--engine", "argos", "--lang", "es"]
    assert CliRunner().invoke(main, translate).exit_code == 0
    args = ["-C", str(project), "check", "--lang", "es"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "error [numbers]" in result.output
    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert strict.exit_code == 3
    assert "QA error(s) (--strict)" in strict.output
    build = CliRunner().invoke(
        main, ["-C", str(project), "build", "--engine", "argos", "--lang", "es", "--strict"]
    )
    assert build.exit_code == 3, build.output
    assert (project / "output" / "es" / "ai-csam-pledge.html").exists()


def test_check_reads_reviewed_text_from_the_catalogs(tmp_path: Path) -> None:
    """A reviewer's approved text is what the page shows, so it is what `check` checks."""
    from pipeline.catalog import catalog_path

    project = tmp_path / "project"
    (project / "examples").mkdir(parents=True)
    shutil.copy(EXAMPLE, project / "examples" / EXAMPLE.name)
    runner = CliRunner()
    first = runner.invoke(main, ["-C", str(project), "build", "--lang", "es", "--engine", "pseudo"])
    assert first.exit_code == 0, first.output
    clean = runner.invoke(
        main, ["-C", str(project), "check", "--lang", "es", "--strict"]
    )
    assert clean.exit_code == 0, clean.output

    # "more than 11,000 … nearly 3,000 …", approved without its numbers
    approve(
        catalog_path(project / "locales", "es", "ai-csam-pledge"),
        "paragraph-6",
        "Los analistas revisaron miles de imágenes en un solo mes.",
    )

    result = runner.invoke(
        main, ["-C", str(project), "check", "--lang", "es", "--strict"]
    )
    assert result.exit_code == 3, result.output
    assert "paragraph-6" in result.output and "[numbers]" in result.output
