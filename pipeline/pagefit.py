"""Page-fit findings: a handout longer than ``max_pages`` is a QA finding (check ``overflow``).

The PDF renderer (:mod:`pipeline.pdf`) does the fitting and says whether it worked; this
module turns a failure into a :class:`~pipeline.qa.UnitFinding` for ``build.json`` and the
review page, and reads those findings back for ``check``, which prints no PDF: the last
build's overflow findings stand for as long as their source file is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from pipeline.findings import Severity, UnitFinding
from pipeline.qa import CHECKS

OVERFLOW = "overflow"
# The unit a whole-handout finding is shown against on the review page: the title.
HANDOUT_UNIT = "title"
_MANIFEST = "build.json"


def overflow_finding(source: Path, slug: str, lang: str, message: str) -> UnitFinding:
    """The finding for ``lang``'s PDF of ``slug`` that does not fit (``message`` says how)."""
    severity = CHECKS[OVERFLOW][0]
    return UnitFinding(str(source), slug, lang, HANDOUT_UNIT, None, OVERFLOW, severity, message)


def recorded_overflows(output_dir: Path, languages: Iterable[str] = ()) -> list[UnitFinding]:
    """The overflow findings of the last build in ``output_dir`` whose source is unchanged.

    ``languages``: only these (all when empty). A missing or unreadable ``build.json`` means
    no findings: ``check`` must work before the first build.
    """
    try:
        manifest = json.loads((output_dir / _MANIFEST).read_text(encoding="utf-8"))
        recorded = manifest.get("findings", [])
        documents = manifest.get("documents", {})
    except (OSError, ValueError, AttributeError):
        return []
    wanted = set(languages)
    found = []
    for entry in recorded:
        if not isinstance(entry, dict) or entry.get("id") != OVERFLOW:
            continue
        try:
            finding = UnitFinding(**{**entry, "severity": Severity(str(entry.get("severity")))})
        except (TypeError, ValueError):  # written by another version
            continue
        if wanted and finding.lang not in wanted:
            continue
        if _unchanged(Path(finding.path), documents.get(finding.slug, {})):
            found.append(finding)
    return found


def _unchanged(source: Path, document: object) -> bool:
    digest = document.get("sha256") if isinstance(document, dict) else None
    try:
        return hashlib.sha256(source.read_bytes()).hexdigest() == digest
    except OSError:
        return False
