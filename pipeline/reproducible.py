"""``SOURCE_DATE_EPOCH``: the one clock a build may write into its files.

Reproducible-builds convention: when it is set, dates written into files (PDF metadata, PO
revision dates, ``build.json``) come from it; when it is not, no date is written at all.
"""

from __future__ import annotations

import datetime as dt
import os


def source_date() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as an aware UTC date-time, or None when unset or malformed."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)


def source_date_raw() -> str:
    """The variable as set ('' when unset), for fingerprints."""
    return os.environ.get("SOURCE_DATE_EPOCH", "").strip()
