"""Which old catalog entry is the previous version of which unit."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from pipeline.catalog.model import DRAFT, MACHINE, MISSING, REVIEWED, STALE, Entry
from pipeline.segment import Unit

# Similarity (0..1, by words) from which reviewer text is taken as the old version of a unit.
STALE_SIMILARITY = 0.5
SAME_CONTEXT_BONUS = 0.15
PERSON = (REVIEWED, STALE, DRAFT)  # statuses of text a person wrote


def has_person_text(entry: Entry) -> bool:
    """True when a person wrote something in ``entry``: its text or a translator comment."""
    return entry.status in PERSON or bool(entry.comments)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


class Matcher:
    """Pairs old entries (candidates) with units."""

    def __init__(self, candidates: list[Entry]) -> None:
        self.candidates = candidates
        self.claimed: set[int] = set()
        self.match: dict[str, tuple[int, str]] = {}  # unit id → (candidate index, how)

    def claim(self, unit: Unit, index: int, how: str) -> None:
        self.claimed.add(index)
        self.match[unit.id] = (index, how)

    def exact(self, units: Sequence[Unit]) -> None:
        """Same context and English (active entries before obsolete ones)."""
        by_key: dict[tuple[str | None, str], list[int]] = {}
        for i, entry in enumerate(self.candidates):
            by_key.setdefault((entry.context, entry.msgid), []).append(i)
        for unit in units:
            found = sorted(by_key.get((unit.id, unit.text), []), key=self._obsolete)
            for i in found:
                if i not in self.claimed:
                    self.claim(unit, i, "exact")
                    break

    def _obsolete(self, i: int) -> bool:
        return self.candidates[i].obsolete

    def same_english(self, units: Sequence[Unit]) -> None:
        """Same English under another context, or stale text whose English went back."""
        rank = {REVIEWED: 0, STALE: 1, DRAFT: 2, MACHINE: 3, MISSING: 4}
        for unit in units:
            if unit.id in self.match:
                continue
            found = [
                i
                for i, e in enumerate(self.candidates)
                if i not in self.claimed
                and (e.msgid == unit.text or (e.status == STALE and e.previous_msgid == unit.text))
            ]
            if found:
                best = min(
                    found, key=lambda i: (rank[self.candidates[i].status], self._obsolete(i), i)
                )
                reverted = self.candidates[best].msgid != unit.text
                self.claim(unit, best, "reverted" if reverted else "exact")

    def similar(self, units: Sequence[Unit]) -> None:
        """Reviewer text similar to a changed unit: the unit's old version."""
        pairs: list[tuple[float, int, int]] = []
        for u, unit in enumerate(units):
            if unit.id in self.match:
                continue
            for i, entry in enumerate(self.candidates):
                if i in self.claimed or not has_person_text(entry):
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
            if units[u].id not in self.match and i not in self.claimed:
                self.claim(units[u], i, "similar")
