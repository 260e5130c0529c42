"""A request body as ``express.json({limit: "5mb"})`` (body-parser) reads it: the one reader
of HTTP request bodies, used by every HTTP door (the httpx and requests hooks, FastAPI
``install()``, the stand-in and the proxy).

body-parser's steps, in its order (``lib/types/json.js``, ``lib/read.js``; Express 4 and 5)::

    body?     : no ``Transfer-Encoding`` and no ``Content-Length`` (type-is's hasBody): nothing
                is read and ``req.body`` is ``{}``
    type      : only ``application/json`` (any parameters) is read; any other type, or none,
                leaves the body unread (``req.body`` is ``{}``) - with no size limit
    charset   : ``utf-*`` (default utf-8) is decoded (iconv-lite); any other: 415
    encoding  : ``gzip`` / ``deflate`` inflated (Express 5 also ``br``: the union is read),
                ``identity`` as is; any other: 415
    limit     : 5 MiB inclusive (raw-body): a declared ``Content-Length`` over it is a 413
                before anything is read; the inflated bytes are held to it as they come

On top of raw-body's limit on the inflated bytes, the bytes *as received* are held to the same
limit (a compressed body longer than 5 MiB is refused though it may inflate to less): a
gzip member followed by hundreds of MiB of padding must not pass.  The limit is measured on
the bytes in their charset, never on a re-encoding (a UTF-16 body is measured as UTF-16).

:class:`BodyReader` is sans-I/O: feed it chunks as they arrive, then ``finish()``.
:func:`read_bytes` reads a body already in memory (the client hooks).
"""

from __future__ import annotations

import codecs
import functools
import zlib
from dataclasses import dataclass
from typing import Any, Mapping

from trackly_validate.core.decoding import without_bom
from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES

__all__ = ["Reading", "reading", "BodyReader", "Body", "Refusal", "read_bytes", "MAX_PAYLOAD_BYTES",
           "header", "node_headers"]

# charset (lowercased, as body-parser reads it) -> Python codec, for the utf-* charsets
# iconv-lite decodes (it ignores case and punctuation: "utf-16le" is its "utf16le")
_CODECS = {"utf8": "utf-8", "utf16": "utf-16", "utf16le": "utf-16-le", "utf16be": "utf-16-be",
           "utf32": "utf-32", "utf32le": "utf-32-le", "utf32be": "utf-32-be", "utf7": "utf-7"}
# Content-Encoding -> zlib window bits: Node's createGunzip reads gzip only, createInflate
# zlib only (body-parser's contentstream); "br" is brotli (body-parser 2, Express 5)
_WBITS = {"gzip": 16 + 15, "deflate": 15}
_BROTLI = "br"
_GZIP_MAGIC = b"\x1f\x8b"
_MEMBER_STEP = 2048  # bytes fed at a time once a body has several gzip members


@dataclass(frozen=True, slots=True)
class Refusal:
    """body-parser's answer instead of a body: ``status`` 413 (over the limit), 415 (a
    charset or an encoding it cannot decode) or 400 (compressed data that does not
    inflate), and its message."""

    status: int
    message: str

    @property
    def too_large(self) -> bool:
        return self.status == 413


TOO_LARGE = Refusal(413, "request entity too large")


@dataclass(frozen=True, slots=True)
class Body:
    """A body as received: ``raw`` the bytes on the wire (``b""`` when not kept), ``json``
    the UTF-8 JSON text body-parser hands to ``JSON.parse`` - inflated, decoded from its
    charset - or ``None`` when express.json leaves the body unread (``req.body`` is ``{}``)."""

    raw: bytes
    json: bytes | None

    @property
    def read(self) -> bool:
        return self.json is not None

    @property
    def judged(self) -> bytes:
        """What the pipeline judges: the JSON text, or ``{}`` for a body left unread."""
        return self.json if self.json is not None else b"{}"


@dataclass(frozen=True, slots=True)
class Reading:
    """What body-parser does with a request, decided from its headers: ``parsed`` - the
    body is read as JSON; ``refused`` - it answers this instead, before reading (a charset
    or an encoding it cannot decode, a declared length over the limit); ``encoding`` the
    lowercased ``Content-Encoding``; ``codec`` the Python codec of the charset."""

    parsed: bool
    refused: Refusal | None = None
    encoding: str = "identity"
    codec: str = "utf-8"


NOT_READ = Reading(parsed=False)


#: Headers of which Node keeps the first when a request repeats them (``IncomingMessage``'s
#: ``matchKnownFields``); any other repeated header is read as its values joined by ", "
#: (a valid X-Api-Key followed by another one is the key "trk_..., junk": 401).
_FIRST_KEPT = frozenset({"content-type", "content-length", "user-agent", "referer", "host", "authorization",
                         "proxy-authorization", "if-modified-since", "if-unmodified-since", "from", "location",
                         "max-forwards", "retry-after", "etag", "last-modified", "server", "age", "expires"})


def header(headers: Any, name: str) -> str | None:
    """A header's value as Node reads it, from any headers object with a case-insensitive
    ``get`` (httpx, requests, Starlette) or a plain mapping of lowercased names; ``bytes``
    decoded as latin-1.  A repeated header is joined as Node joins it (:data:`_FIRST_KEPT`)."""
    if type(headers) is dict:  # node_headers(): already as Node reads them
        return headers.get(name)
    getlist = getattr(headers, "getlist", None)
    if getlist is not None and name not in _FIRST_KEPT:
        values = getlist(name)
        if len(values) > 1:
            return ", ".join(v.decode("latin-1") if isinstance(v, (bytes, bytearray)) else str(v) for v in values)
    value = headers.get(name)
    if value is None and isinstance(headers, Mapping):
        value = headers.get(name.lower())
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return value if isinstance(value, str) else None


def node_headers(raw: Any) -> dict[str, str]:
    """An ASGI request's raw header pairs (lowercased names) as Node's ``req.headers``:
    names to values, a repeated header joined by ", " or its first value kept
    (:data:`_FIRST_KEPT`).  Read by :func:`header` without a scan per lookup."""
    found: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1")
        text = value.decode("latin-1")
        if key in found:
            if key not in _FIRST_KEPT:
                found[key] += ", " + text
        else:
            found[key] = text
    return found


def reading(headers: Any, limit: int = MAX_PAYLOAD_BYTES) -> Reading:
    """body-parser's decision for a request with these headers (see the module docstring)."""
    length = header(headers, "content-length")
    declared = _declared_length(length)
    # type-is hasBody: a body is read only when the request says it has one
    if header(headers, "transfer-encoding") is None and declared is None:
        return NOT_READ
    content_type = header(headers, "content-type")
    if not content_type:  # type-is needs a type: nothing is parsed
        return NOT_READ
    kind, _, params = content_type.partition(";")
    # express.json's default type is exactly application/json (type-is: +json does not match)
    if kind.strip().lower() != "application/json":
        return NOT_READ
    charset = _charset(params) or "utf-8"
    encoding = (header(headers, "content-encoding") or "identity").strip().lower()
    # json.js: a charset that is not utf-* is a 415 before anything is read
    if not charset.startswith("utf-"):
        return Reading(True, Refusal(415, f'unsupported charset "{charset.upper()}"'), encoding)
    codec = _CODECS.get("".join(c for c in charset if c.isalnum()))
    # raw-body: a utf-* charset iconv-lite does not know is a 415 too (utf-7-imap, which
    # Python cannot decode as iconv-lite does, is read no further either)
    if codec is None:
        return Reading(True, Refusal(415, f'unsupported charset "{charset.upper()}"'), encoding)
    # read.js contentstream: gzip, deflate (and br in body-parser 2) inflated, identity read
    # (without the brotli package, "br" is answered as Express 4 answers it: 415)
    if encoding != "identity" and encoding not in _WBITS and (encoding != _BROTLI or not _has_brotli()):
        return Reading(True, Refusal(415, f'unsupported content encoding "{encoding}"'), encoding, codec)
    # raw-body: a declared length over the limit is refused before anything is read
    if declared is not None and declared > limit:
        return Reading(True, TOO_LARGE, encoding, codec)
    return Reading(True, None, encoding, codec)


def _declared_length(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() and value.isascii() else None


def _charset(params: str) -> str | None:
    """The ``charset`` parameter of a Content-Type's parameters, lowercased."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


class BodyReader:
    """A body read chunk by chunk as body-parser reads it.  ``feed`` each chunk as it
    arrives (it returns the :class:`Refusal` once the body is over the limit or does not
    inflate: stop feeding then), ``finish`` at the end.  ``keep_raw`` keeps the bytes as
    received (the proxy forwards them)."""

    def __init__(self, how: Reading, *, keep_raw: bool = True, limit: int = MAX_PAYLOAD_BYTES) -> None:
        self.how = how
        self.limit = limit
        self.received = 0
        self.refusal: Refusal | None = how.refused
        self._keep = keep_raw or how.encoding == "identity"
        self._raw = bytearray()
        self._inflater: _Inflater | None = None
        if how.parsed and how.encoding != "identity":
            self._inflater = _Inflater(how.encoding, limit)

    def feed(self, chunk: bytes) -> Refusal | None:
        if self.refusal is not None or not chunk:
            return self.refusal
        self.received += len(chunk)
        if not self.how.parsed:  # unread by express.json: no limit, kept only to forward it
            if self._keep:
                self._raw += chunk
            return None
        if self.received > self.limit:  # the bytes as received, whatever the encoding
            self.refusal = TOO_LARGE
            return self.refusal
        if self._keep:
            self._raw += chunk
        if self._inflater is not None:
            self.refusal = self._inflater.feed(chunk)
        return self.refusal

    def finish(self) -> Body | Refusal:
        if self.refusal is not None:
            return self.refusal
        raw = bytes(self._raw)
        if not self.how.parsed:
            return Body(raw, None)
        if self._inflater is not None:
            data = self._inflater.finish()
            if isinstance(data, Refusal):
                self.refusal = data
                return data
        else:
            data = raw
        return Body(raw if self._keep else b"", _as_utf8(data, self.how.codec))


def read_bytes(headers: Any, data: bytes, *, limit: int = MAX_PAYLOAD_BYTES) -> Body | Refusal:
    """A body already in memory (a client hook's request) read as body-parser reads it."""
    how = reading(headers, limit)
    if how.refused is not None:
        return how.refused
    reader = BodyReader(how, limit=limit)
    reader.feed(data)
    return reader.finish()


class _Inflater:
    """gzip / deflate / brotli inflated chunk by chunk; the output never grows past the
    limit + 1 byte, so a compression bomb stops there (413).  Concatenated gzip members
    are read as Node's gunzip reads them; bytes after the stream that are not another
    member are ignored, as Node ignores them.

    The input is walked with a memoryview and, once a second member is seen, fed in slices
    of :data:`_MEMBER_STEP` bytes: zlib copies what follows a member's end into
    ``unused_data``, so feeding whole chunks would copy the rest of the chunk once per
    member (quadratic in 5 MiB of empty members)."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._limit = limit
        self._out = bytearray()
        self._done = False
        self._fed = False  # an empty body is read as {} (nothing to inflate)
        self._wbits = _WBITS.get(encoding)
        self._z: Any = zlib.decompressobj(wbits=self._wbits) if self._wbits is not None else _brotli()
        self._step = 1 << 30  # whole chunks until a second member shows up
        self._between = b""  # the first byte of what follows a member, when a chunk ended there

    def feed(self, chunk: bytes) -> Refusal | None:
        self._fed = self._fed or bool(chunk)
        if self._wbits is None:
            return self._feed_brotli(chunk)
        if self._between:
            chunk, self._between = self._between + chunk, b""
        view = memoryview(chunk)
        pos, end = 0, len(view)
        while pos < end and not self._done:
            if self._z.eof:  # a member ended: another one, or the end of what Node reads
                if end - pos < 2:
                    self._between = bytes(view[pos:])
                    return None
                if self._wbits != _WBITS["gzip"] or view[pos:pos + 2] != _GZIP_MAGIC:
                    self._done = True
                    break
                self._z = zlib.decompressobj(wbits=self._wbits)
                self._step = _MEMBER_STEP
            piece = view[pos:pos + self._step]
            room = self._limit + 1 - len(self._out)
            try:
                self._out += self._z.decompress(piece, room)
            except zlib.error:
                return Refusal(400, "invalid compressed data")
            if len(self._out) > self._limit:
                return TOO_LARGE
            pos += len(piece) - len(self._z.unconsumed_tail) - len(self._z.unused_data)
        return None

    def _feed_brotli(self, chunk: bytes) -> Refusal | None:
        if self._done:
            return None
        try:
            out = self._z.process(chunk)
        except Exception:  # brotli.error: not brotli data
            return Refusal(400, "invalid compressed data")
        self._out += out
        if len(self._out) > self._limit:
            return TOO_LARGE
        self._done = self._z.is_finished()
        return None

    def finish(self) -> bytes | Refusal:
        if not self._fed:
            return b""
        if self._wbits is None:
            if not self._done:
                return Refusal(400, "unexpected end of file")
        elif not self._done and not self._z.eof:
            self._out += self._z.flush()
            if not self._z.eof:  # cut off: zlib's "unexpected end of file"
                return Refusal(400, "unexpected end of file")
        if len(self._out) > self._limit:
            return TOO_LARGE
        return bytes(self._out)


def _brotli() -> Any:
    """A brotli decompressor (the ``brotli`` package, installed with every HTTP extra)."""
    import brotli

    return brotli.Decompressor()


@functools.cache
def _has_brotli() -> bool:
    import importlib.util

    return importlib.util.find_spec("brotli") is not None


def _as_utf8(data: bytes, codec: str) -> bytes:
    """``data`` in its charset as UTF-8 (utf-8 itself as is: the pipeline decodes it as
    iconv-lite does).  iconv-lite strips one leading BOM and writes U+FFFD for what does
    not decode; a lone surrogate stays one (the pipeline reads it as U+FFFD)."""
    if codec == "utf-8":
        return data
    if codec == "utf-16" and data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        codec = _unmarked_order(data, 2)
    elif codec == "utf-32" and data[:4] not in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        codec = _unmarked_order(data, 4)
    return without_bom(data.decode(codec, "replace").encode("utf-8", "surrogatepass"))


def _unmarked_order(data: bytes, width: int) -> str:
    """The byte order of utf-16/utf-32 text without a BOM, as iconv-lite guesses it: the
    order in which more units look like ASCII (little-endian when even)."""
    sample = data[:width * 100]
    little = big = 0
    for i in range(0, len(sample) - width + 1, width):
        unit = sample[i:i + width]
        if unit[0] and not any(unit[1:]):
            little += 1
        elif unit[-1] and not any(unit[:-1]):
            big += 1
    suffix = "be" if big > little else "le"
    return f"utf-{8 * width}-{suffix}"

