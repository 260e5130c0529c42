"""Timestamps (``signup_date``, ``timestamp``, ``send_timestamp``, ``before_date``…).

The docs say "ISO 8601" and show ``2025-03-15T14:30:00Z`` and ``2025-06-10T12:00:00``; the
code's text is "The timestamp value cannot be parsed", and the server is Node, where that
is ``isNaN(new Date(value))``: V8's parser, far more lenient than ISO 8601 (``06/01/2025``,
``June 1, 2025``, ``Sun, 01 Jun 2025 00:00:00 GMT``, ISO with surrounding spaces; the
dashboard's CSV import documents ``MM/DD/YYYY`` and ``MM-DD-YYYY``).  A timestamp is
accepted when either reading accepts it (docs/decisions.md, "Timestamps"):

- :func:`~trackly_validate.rules.jsdate.js_date_valid`: ``new Date(value)`` is a date, for a
  string as V8 parses it and for the other JSON values as ``new Date`` reads them
  (``1718000000000``);
- :func:`is_iso8601`: the documented ISO 8601 reading, for the few ISO forms V8 refuses
  (``10:00:60``, ``,5`` fractions, ``+05`` offsets).

:func:`is_timestamp` is the one rule; every door derives from it.  :data:`FAST_PATTERN` answers
the common forms (ISO 8601, US numeric dates, RFC 2822, "June 1, 2025") in Rust
(pydantic-core's regex) and accepts nothing :func:`is_timestamp` refuses; anything else goes
to :func:`is_timestamp`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Callable

from pydantic_core import core_schema as cs

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.options import Options
from trackly_validate.rules.base import Rule, fail, tagged
from trackly_validate.rules.jsdate import js_date_valid, parses

__all__ = ["is_iso8601", "is_timestamp", "Timestamp", "TimestampOf", "FAST_PATTERN", "JSON_SCHEMA"]

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?"
    r"(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)?)?",
    re.ASCII,
)
_MAX_LEN = 40


def is_iso8601(value: object) -> bool:
    """The ISO 8601 reading: ``YYYY-MM-DD``, optionally ``T`` or a space and ``HH:MM``,
    optional ``:SS`` (up to 60) and a fraction (``.`` or ``,``, 1-9 digits), optional zone
    ``Z``/``±HH``/``±HH:MM``/``±HHMM``; the date must exist."""
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


def is_timestamp(value: Any) -> bool:
    """The timestamp rule: ``new Date(value)`` is a date in V8, or ``value`` is ISO 8601."""
    if type(value) is str:
        return is_iso8601(value) or parses(value)
    return js_date_valid(value)


# The common forms, in pydantic-core's Rust regex.  Each alternative accepts only strings
# is_timestamp accepts (a property test draws strings from it; another has Node judge them):
# ISO 8601 whose date always exists (years 1000-9999, days 01-28: the 29th-31st go to Python);
_ISO_FAST = (r"[1-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
             r"(?:[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,9})?)?"
             r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?)?")
# and V8 legacy dates with month 1-12 and day 1-31 (a day past the month's end rolls over):
# US numeric dates (MM/DD/YYYY, MM-DD-YYYY) with an optional 24-hour or AM/PM time (V8 wants
# a space before AM/PM), RFC 2822 / HTTP dates and "June 1, 2025".
_DAY, _MONTH = r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:0?[1-9]|1[0-2])"
_NAME = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
_CLOCK = (r"(?: (?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
          r"|(?:0?[0-9]|1[0-2]):[0-5][0-9](?::[0-5][0-9])? [AaPp][Mm]))?")
_US_FAST = rf"{_MONTH}/{_DAY}/[0-9]{{4}}{_CLOCK}|{_MONTH}-{_DAY}-[0-9]{{4}}{_CLOCK}"
_RFC_FAST = (rf"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?{_DAY} {_NAME} [0-9]{{4}}"
             r"(?: (?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])? (?:GMT|UTC|[+-][0-9]{4}))?")
_NAMED_FAST = rf"{_NAME} {_DAY}, [0-9]{{4}}{_CLOCK}"

#: the common forms answered in Rust without calling Python; every string it matches is a
#: timestamp.  Anything else (other forms, other JSON types) goes to is_timestamp.
FAST_PATTERN = rf"^(?:{_ISO_FAST}|{_US_FAST}|{_RFC_FAST}|{_NAMED_FAST})$"

#: what a timestamp field shows in JSON Schema and OpenAPI: no ``format: date-time``, which
#: would be stricter than the rule (``06/01/2025`` is not RFC 3339, the server takes it)
JSON_SCHEMA: dict[str, Any] = {
    "type": ["string", "number", "boolean", "array"],
    "items": {},
    "description": "A date as the server's JavaScript reads it (`new Date(value)` is a valid date), or ISO 8601: "
                   "ISO 8601 / RFC 3339 (`2025-03-15T14:30:00Z`, `2025-03-15`), RFC 2822 / HTTP dates "
                   "(`Sun, 01 Jun 2025 00:00:00 GMT`), US numeric dates (`06/01/2025`, `6-1-2025`), month names "
                   "(`June 1, 2025`, `1 Jun 2025`), or milliseconds since 1970 as a number.",
    "examples": ["2025-03-15T14:30:00Z", "2025-03-15", "06/01/2025", "June 1, 2025",
                 "Sun, 01 Jun 2025 00:00:00 GMT", 1718000000000],
}


class _TimestampRule(Rule):
    """The fast pattern in Rust, then :func:`is_timestamp` for any other JSON value."""

    def __init__(self, info: CodeInfo, check: Callable[[Any], bool]):
        self.info, self.check = info, check
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return cs.any_schema()
        error, check = fail(self.info), self.check

        def validate(value: Any) -> Any:
            if not check(value):
                raise error
            return value

        return cs.union_schema([cs.str_schema(pattern=FAST_PATTERN, strict=True),
                                cs.no_info_plain_validator_function(validate)], mode="left_to_right",
                               custom_error_type=self.info.code, custom_error_message=self.info.message)


class _TimestampMarker:
    __slots__ = ("info",)

    def __init__(self, info: CodeInfo):
        self.info = info

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_TimestampRule(self.info, is_timestamp))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        return dict(JSON_SCHEMA)

    def __repr__(self) -> str:
        return f"TimestampOf({self.info.code})"


def TimestampOf(info: CodeInfo = C.invalid_timestamp) -> _TimestampMarker:  # noqa: N802 - reads like a marker
    """Marker: a timestamp (:func:`is_timestamp`), else ``info``."""
    return _TimestampMarker(info)


#: a timestamp field: usually a string, but any JSON value ``new Date()`` reads is accepted
Timestamp = Annotated[Any, TimestampOf()]
