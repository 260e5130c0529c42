"""ISO 8601 timestamps (``signup_date``, ``timestamp``, ``start_date``…).

The docs say "ISO 8601" and show ``2025-03-15T14:30:00Z`` as well as
``2025-06-10T12:00:00`` (no zone, read as UTC).  Accepted: a calendar date
``YYYY-MM-DD``, optionally followed by ``T`` or a space and ``HH:MM``, optional
``:SS`` and fraction (``.`` or ``,``, 1-9 digits), optional zone ``Z``/``±HH``/
``±HH:MM``/``±HHMM``; the date and time must exist (no February 30th).  The
pattern is linear (no nested quantifiers) and the input is length-capped before
matching.  Anything else is ``invalid_timestamp``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from ..catalog import C, CodeInfo
from .base import StrCheck

__all__ = ["is_iso8601", "Timestamp", "TimestampOf", "FAST_PATTERN"]

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?"
    r"(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)?)?",
    re.ASCII,
)
_MAX_LEN = 40


def is_iso8601(value: object) -> bool:
    if not isinstance(value, str) or len(value) > _MAX_LEN:
        return False
    m = _ISO.fullmatch(value)
    if m is None:
        return False
    y, mo, d, hh, mm, ss, zh, zm = m.groups()
    try:
        date(int(y), int(mo), int(d))
    except ValueError:
        return False
    if hh is not None and (int(hh) > 23 or int(mm) > 59 or (ss is not None and int(ss) > 60)):
        return False
    if zh is not None and (int(zh) > 23 or (zm is not None and int(zm) > 59)):
        return False
    return True


#: the common ISO 8601 forms whose date always exists (years 1000-9999, days 01-28), for
#: pydantic-core's Rust regex; anything else (29th-31st, early years) goes to is_iso8601
FAST_PATTERN = (r"^[1-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
                r"(?:[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,9})?)?"
                r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?)?$")


def TimestampOf(info: CodeInfo = C.invalid_timestamp) -> StrCheck:  # noqa: N802 - reads like a marker
    """Marker: an ISO 8601 date or date-time string, else ``info``."""
    return StrCheck(info, is_iso8601, {"type": "string", "format": "date-time",
                                       "examples": ["2025-03-15T14:30:00Z"]}, fast=FAST_PATTERN)


Timestamp = Annotated[str, TimestampOf()]
