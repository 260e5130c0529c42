"""JSON bytes read as the server reads them.

The server is Node/Express: ``express.json()`` (body-parser) decodes the body with
iconv-lite as UTF-8 - a leading BOM is stripped and every invalid byte sequence becomes
U+FFFD - and hands the text to ``JSON.parse``, which accepts lone surrogate escapes
(``"\\ud83d"``: what Python's ``json.dumps`` sends for a truncated emoji).
pydantic-core's parser refuses all three, so a body it refuses is read again here
(:func:`read`) before the pipeline calls it ``invalid_input``:

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

from pydantic_core import from_json, to_json

__all__ = ["read", "as_server_reads", "without_bom", "loads", "parse", "NOT_JSON", "encode", "dumps_with_surrogates"]

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


def read(raw: bytes) -> tuple[Any, Any]:
    """The request pipeline's one reading of a body's JSON bytes: ``(judged, parsed)``.

    ``judged`` is the value the rules judge (a lone surrogate escape read as U+FFFD);
    ``parsed`` is what ``JSON.parse`` gives the server (a lone surrogate stays one): the
    same object unless the text holds a lone surrogate escape, the one case parsed twice.
    Both :data:`NOT_JSON` when the bytes are not JSON as the server reads them."""
    try:
        value = from_json(raw, allow_inf_nan=False, cache_strings="keys")
        return value, value
    except ValueError:
        pass
    text = _server_text(raw)
    fixed = _escape_lone_surrogates(text)
    if fixed is text and text.encode("utf-8") == raw:  # as sent: only a body deeper than
        judged = loads_text(text)  # pydantic-core's parser goes (200 levels) is left to try
    else:
        judged = _loads_server_text(fixed)
    if judged is NOT_JSON or fixed is text:
        return judged, judged
    return judged, _loads_server_text(text)


def _loads_server_text(text: str) -> Any:
    """pydantic-core's parser, then Python's for what is nested deeper than it goes (200
    levels; Python's is bounded by the interpreter's recursion limit)."""
    try:
        return from_json(text.encode("utf-8"), allow_inf_nan=False, cache_strings="keys")
    except ValueError:
        return loads_text(text)


def _server_text(raw: bytes) -> str:
    """``raw`` as body-parser decodes it: a leading BOM dropped, invalid UTF-8 as U+FFFD."""
    return without_bom(raw).decode("utf-8", "replace")


def _escape_lone_surrogates(text: str) -> str:
    """``text`` with its lone surrogate escapes as ``\\ufffd`` (``text`` itself when it has none)."""
    if "\\u" not in text and "\\U" not in text:
        return text
    fixed = _ESCAPE.sub(_escape_lone, text)
    return text if fixed == text else fixed


def as_server_reads(raw: bytes) -> bytes:
    """``raw`` after body-parser's decoding, with lone surrogate escapes as ``\\ufffd``."""
    return _escape_lone_surrogates(_server_text(raw)).encode("utf-8")


def loads(raw: bytes) -> Any:
    """Python's parser (for bodies nested deeper than pydantic-core's parser goes, 200
    levels): the parsed value, or :data:`NOT_JSON`.  ``NaN``/``Infinity`` are not JSON."""
    try:
        return loads_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return NOT_JSON


def loads_text(text: str) -> Any:
    """:func:`loads` of decoded text."""
    try:
        # from text, not bytes: json.loads(bytes) would strip one more BOM, JSON.parse does not
        return json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return NOT_JSON


def parse(raw: bytes | str) -> Any:
    """JSON text parsed as the server parses it - body-parser's decoding (BOM dropped,
    invalid UTF-8 as U+FFFD), then JSON.parse (``NaN``/``Infinity`` are not JSON; a lone
    surrogate escape stays a lone surrogate): the value, or :data:`NOT_JSON`.  For doors
    that need a body's data outside the request pipeline (request-log envelopes, the
    sandbox's state); the pipeline reads a body once with :func:`read`."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    try:
        return from_json(data, allow_inf_nan=False)
    except ValueError:
        return loads_text(_server_text(data))


def encode(value: Any) -> bytes | None:
    """The compact UTF-8 JSON a client sends for ``value`` (lone surrogates as ``\\uXXXX``
    escapes, as ``json.dumps`` writes them), or ``None`` when it is not JSON data."""
    try:
        return to_json(value)
    except Exception:  # lone surrogates, unserialisable objects, cycles
        return dumps_with_surrogates(value)


def _not_json(literal: str) -> Any:
    raise ValueError(f"{literal} is not JSON")


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
