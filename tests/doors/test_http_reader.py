"""The one HTTP body reader (``trackly_validate.doors.http.reader``) against a table of what
express.json / body-parser does, written from body-parser's documentation and source
(``lib/types/json.js``, ``lib/read.js``, raw-body, type-is, iconv-lite), not from the
reader: Hypothesis draws headers x encodings x bodies and both must agree.

body-parser's documented behaviour, as a table:

| step      | input                                   | outcome                                  |
|-----------|-----------------------------------------|------------------------------------------|
| has body  | neither Content-Length nor chunked      | not read: ``req.body = {}``              |
| type      | media type other than application/json  | not read: ``req.body = {}``, no limit    |
| charset   | not ``utf-*``                           | 415 ``unsupported charset "X"``          |
| charset   | ``utf-*`` iconv-lite does not know      | 415 ``unsupported charset "X"``          |
| encoding  | not identity/gzip/deflate/br            | 415 ``unsupported content encoding "x"`` |
| limit     | declared Content-Length > limit         | 413                                      |
| limit     | bytes read (inflated) > limit           | 413                                      |
| inflate   | data that does not inflate              | 400                                      |
| decode    | iconv-lite: BOM dropped, U+FFFD         | the text JSON.parse reads                |

plus this library's one addition: the bytes as received are held to the limit too.
"""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import brotli
import pytest
from hypothesis import given, settings, strategies as st

from trackly_validate.doors.http.reader import Body, BodyReader, Refusal, read_bytes, reading

LIMIT = 2000  # a small limit, so the edges are reached cheaply

KNOWN_UTF = {"utf-8": "utf-8", "utf8": None, "utf-16": "utf-16", "utf-16le": "utf-16-le",
             "utf-16be": "utf-16-be", "utf-32": "utf-32", "utf-99": None, "latin1": None, "ascii": None}
ENCODINGS = [None, "identity", "gzip", "deflate", "br", "GZIP", " gzip ", "compress", "gzip, deflate", "x-gzip"]
TYPES = [None, "application/json", "Application/JSON", "application/json; charset={}", "application/json;charset={}",
         'application/json; charset="{}"', "text/plain", "application/vnd.api+json", "application/x-www-form-urlencoded",
         "application/json ; charset={}"]


def _expected(content_type: str | None, charset: str | None, encoding: str | None, declared: int | None,
              wire: bytes, plain: bytes) -> tuple[str, Any]:
    """The table above, applied: ("unread", None), ("refused", status) or ("read", text bytes)."""
    if declared is None:
        return ("unread", None)
    if content_type is None or content_type.split(";")[0].strip().lower() != "application/json":
        return ("unread", None)
    name = (charset or "utf-8").lower()
    if not name.startswith("utf-") or KNOWN_UTF.get(name) is None:
        return ("refused", 415)
    coding = (encoding or "identity").strip().lower()
    if coding not in ("identity", "gzip", "deflate", "br"):
        return ("refused", 415)
    if declared > LIMIT or len(wire) > LIMIT or len(plain) > LIMIT:
        return ("refused", 413)
    codec = KNOWN_UTF[name]
    text = plain.decode(codec, "replace").removeprefix("\ufeff") if codec != "utf-8" else plain
    return ("read", text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))


def _encode(plain: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(plain, mtime=0)
    if coding == "deflate":
        return zlib.compress(plain)
    if coding == "br":
        return brotli.compress(plain)
    return plain


def _outcome(found: Body | Refusal) -> tuple[str, Any]:
    if isinstance(found, Refusal):
        return ("refused", found.status)
    return ("read", found.json) if found.read else ("unread", None)


@settings(max_examples=400, deadline=None)
@given(type_form=st.sampled_from(TYPES), charset=st.sampled_from(sorted(KNOWN_UTF)),
       encoding=st.sampled_from(ENCODINGS), text=st.text(max_size=40),
       size=st.sampled_from([0, 10, LIMIT // 2, LIMIT - 40, LIMIT + 1, 3 * LIMIT]),
       chunked=st.booleans(), chunk=st.integers(1, 700))
def test_the_reader_agrees_with_body_parsers_table(type_form, charset, encoding, text, size, chunked, chunk):
    body = json.dumps({"to": text, "pad": "x" * size}, ensure_ascii=False)
    codec = KNOWN_UTF[charset] or "utf-8"
    plain = body.encode(codec, "surrogatepass")
    coding = (encoding or "identity").strip().lower()
    wire = _encode(plain, coding)
    content_type = type_form.format(charset) if type_form else None
    headers = {"content-type": content_type} if content_type else {}
    if encoding is not None:
        headers["content-encoding"] = encoding
    if chunked:
        headers["transfer-encoding"] = "chunked"
        declared: int | None = 0
    else:
        headers["content-length"] = str(len(wire))
        declared = len(wire)
    has_charset = content_type is not None and "{}" in (type_form or "")
    expected = _expected(content_type, charset if has_charset else None, encoding, declared, wire, plain)
    # fed in chunks of any size, or in one piece: the same outcome
    how = reading(headers, LIMIT)
    reader = BodyReader(how, limit=LIMIT)
    for i in range(0, len(wire), chunk):
        if how.refused is not None or reader.feed(wire[i:i + chunk]) is not None:
            break
    assert _outcome(reader.finish()) == expected
    assert _outcome(read_bytes(headers, wire, limit=LIMIT)) == expected


@pytest.mark.parametrize(("headers", "wire", "expected"), [
    # raw-body refuses a declared length over the limit before reading a byte
    ({"content-type": "application/json", "content-length": str(LIMIT + 1)}, b"", ("refused", 413)),
    # gzip members are read one after the other, as Node's gunzip reads them
    ({"content-type": "application/json", "content-encoding": "gzip", "content-length": "1"},
     gzip.compress(b'{"a":', mtime=0) + gzip.compress(b"1}", mtime=0), ("read", b'{"a":1}')),
    # a gzip member then padding: held to the limit as received, whatever it inflates to
    ({"content-type": "application/json", "content-encoding": "gzip", "content-length": "1"},
     gzip.compress(b"{}", mtime=0) + b"\0" * (LIMIT + 1), ("refused", 413)),
    # a ratio bomb: stopped once the inflated bytes pass the limit
    ({"content-type": "application/json", "content-encoding": "gzip", "content-length": "1"},
     gzip.compress(b" " * (50 * LIMIT), mtime=0), ("refused", 413)),
    # deflate is zlib data (Node's createInflate); gzip data under "deflate" does not inflate
    ({"content-type": "application/json", "content-encoding": "deflate", "content-length": "1"},
     gzip.compress(b"{}", mtime=0), ("refused", 400)),
    # cut off mid-stream: zlib's "unexpected end of file" (400)
    ({"content-type": "application/json", "content-encoding": "gzip", "content-length": "1"},
     gzip.compress(b'{"a": 1}', mtime=0)[:-6], ("refused", 400)),
    # an empty compressed body is an empty body: {}
    ({"content-type": "application/json", "content-encoding": "gzip", "content-length": "0"}, b"", ("read", b"")),
    # UTF-16 measured as received: under the limit as UTF-16 though its UTF-8 would not be
    ({"content-type": "application/json; charset=utf-16le", "content-length": "1"},
     json.dumps({"b": "界" * (LIMIT // 2 - 10)}, ensure_ascii=False).encode("utf-16-le"),
     ("read", json.dumps({"b": "界" * (LIMIT // 2 - 10)}, ensure_ascii=False).encode())),
    # iconv-lite: a UTF-8 BOM is left for the pipeline (JSON.parse's reader drops it), a UTF-16 BOM dropped
    ({"content-type": "application/json; charset=utf-16", "content-length": "1"}, '{"a":1}'.encode("utf-16"),
     ("read", b'{"a":1}')),
])
def test_edges_of_the_table(headers, wire, expected):
    assert _outcome(read_bytes(headers, wire, limit=LIMIT)) == expected
