"""JSON bytes read as the server reads them.

The server is Node/Express: ``express.json()`` (body-parser) decodes the body with
iconv-lite as UTF-8 - a leading BOM is stripped and every invalid byte sequence becomes
U+FFFD - and hands the text to ``JSON.parse``, which accepts lone surrogate escapes
(``"\\ud83d"``: what Python's ``json.dumps`` sends for a truncated emoji).
pydantic-core's parser refuses all three, so a body it refuses is read again here
before the pipeline calls it ``invalid_input``:

- a leading UTF-8 BOM is dropped;
- invalid UTF-8 is decoded to U+FFFD (Python's ``"replace"`` handler substitutes the
  same maximal subparts as the WHATWG decoder);
- a lone surrogate escape becomes ``\\ufffd``.  Every rule judges it alike: one UTF-16
  unit and one code point either way, never GSM-7, never a digit.

Only a body that is still not JSON after that is ``invalid_input``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import from_json, to_json

__all__ = ["as_server_reads", "without_bom", "loads", "parse", "NOT_JSON", "is_json_syntax_error", "has_nonfinite_literal",
           "encode", "dumps_with_surrogates"]

NOT_JSON: Any = object()

_BOM = b"\xef\xbb\xbf"
# an escape in a JSON string: a valid surrogate pair (kept), a lone surrogate (replaced),
# or any other escape (kept: consuming it keeps "\\\\ud800" - an escaped backslash - intact)
_ESCAPE = re.compile(r"\\(?:(u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                     r"|(u[dD][89a-fA-F][0-9a-fA-F]{2})|.)", re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_lone(match: re.Match[str]) -> str:
    return "\\ufffd" if match.group(2) else match.group(0)


def without_bom(raw: bytes) -> bytes:
    """``raw`` without one leading UTF-8 byte order mark, as iconv-lite decodes it (the
    one place a BOM is dropped: bodies, request-log lines, JSON files)."""
    return raw[len(_BOM):] if raw.startswith(_BOM) else raw


def as_server_reads(raw: bytes) -> bytes:
    """``raw`` after body-parser's decoding, with lone surrogate escapes as ``\\ufffd``."""
    text = without_bom(raw).decode("utf-8", "replace")
    if "\\u" in text or "\\U" in text:
        text = _ESCAPE.sub(_escape_lone, text)
    return text.encode("utf-8")


def loads(raw: bytes) -> Any:
    """Python's parser (for bodies nested deeper than pydantic-core's parser goes, 200
    levels): the parsed value, or :data:`NOT_JSON`.  ``NaN``/``Infinity`` are not JSON."""
    try:
        # from text, not bytes: json.loads(bytes) would strip one more BOM, JSON.parse does not
        return json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return NOT_JSON


def parse(raw: bytes | str) -> Any:
    """JSON text parsed as the server parses it - body-parser's decoding (BOM dropped,
    invalid UTF-8 as U+FFFD), then JSON.parse (``NaN``/``Infinity`` are not JSON; a lone
    surrogate escape stays a lone surrogate): the value, or :data:`NOT_JSON`.  For doors
    that need a body's data (request-log envelopes, bulk items, the sandbox's state);
    validation reads the same bytes through :func:`as_server_reads`."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    try:
        return from_json(data, allow_inf_nan=False)
    except ValueError:
        pass
    try:
        return json.loads(without_bom(data).decode("utf-8", "replace"), parse_constant=_not_json)
    except (ValueError, RecursionError):
        return NOT_JSON


def encode(value: Any) -> bytes | None:
    """The compact UTF-8 JSON a client sends for ``value`` (lone surrogates as ``\\uXXXX``
    escapes, as ``json.dumps`` writes them), or ``None`` when it is not JSON data."""
    try:
        return to_json(value)
    except Exception:  # lone surrogates, unserialisable objects, cycles
        return dumps_with_surrogates(value)


def _not_json(literal: str) -> Any:
    raise ValueError(f"{literal} is not JSON")


def is_json_syntax_error(exc: ValidationError) -> bool:
    """Whether pydantic-core refused the bytes as JSON (rather than judged a value)."""
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    return len(errors) == 1 and errors[0]["type"] == "json_invalid"


def has_nonfinite_literal(raw: bytes) -> bool:
    """Whether ``raw`` holds a ``NaN``/``Infinity`` literal outside strings: pydantic-core's
    parser accepts them, JSON (RFC 8259) and ``JSON.parse`` do not.  A byte search keeps
    this off the common path."""
    if raw.find(b"NaN") == -1 and raw.find(b"Infinity") == -1:
        return False
    try:
        from_json(raw, allow_inf_nan=False)
        return False
    except ValueError:
        try:
            from_json(raw)  # parses once the literals are allowed: they were the problem
        except ValueError:
            return False  # unparseable for another reason: validation reports it
        return True


def dumps_with_surrogates(body: Any) -> bytes | None:
    """Compact UTF-8 JSON of a value whose strings hold lone surrogates (which UTF-8
    cannot carry, so pydantic-core's ``to_json`` refuses them): each is written as a
    ``\\uXXXX`` escape, as Python's ``json.dumps`` sends it.  ``None`` when the value is
    not JSON data at all."""
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")
