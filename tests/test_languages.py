"""Language codes: the table that spares Babel when checking a configuration agrees with it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.languages import ARGOS_TARGETS, SOURCE_LANGUAGE, get_writing, is_known


@pytest.mark.parametrize("code", [SOURCE_LANGUAGE, *ARGOS_TARGETS])
def test_every_code_known_without_babel_is_one_babel_knows(code: str) -> None:
    writing = get_writing.__wrapped__(code)  # Babel's answer, not a cached one
    assert writing.code == code and len(writing.script) == 4
    assert is_known(code)


@pytest.mark.parametrize("code", ["xx", "e", "es-", "EN", "zz-Latn", "qzz"])
def test_unknown_codes_still_go_to_babel_and_fail(code: str) -> None:
    assert not is_known(code)


def test_checking_known_codes_does_not_import_babel() -> None:
    code = (
        "import sys\n"
        "from pipeline.languages import is_known\n"
        "assert is_known('es') and is_known('zt') and is_known('pb')\n"
        "print('babel' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    code = "import sys\nfrom pipeline.languages import is_known\nis_known('am')\n"
    code += "print('babel' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"  # a code outside the table: Babel decides
