"""A request body as ``express.json({limit: "5mb"})`` (body-parser) reads it, for the
sandbox and the proxy.

body-parser's steps, in its order::

    type      : only ``application/json`` (any parameters) is read; any other type, or
                none, leaves the body unread and ``req.body`` is ``{}`` - no size limit
    charset   : ``utf-*`` (default utf-8) is decoded; any other charset: 415
    encoding  : ``gzip``/``deflate`` are inflated, ``identity`` read as is; any other: 415
    limit     : 5 MiB, inclusive, on the bytes after inflating (a declared identity
                ``Content-Length`` over it: 413 before anything is read)

:func:`reading` decides from the headers; :func:`read_json` reads a body the parser
reads.  The text handed to the pipeline is the body's UTF-8 encoding (what the pipeline
judges); the bytes as received are kept for the proxy to forward.
"""

from __future__ import annotations

import codecs
import zlib
from dataclasses import dataclass
from typing import Any, Mapping

from ..pipeline import MAX_PAYLOAD_BYTES

__all__ = ["Reading", "reading", "read_json", "drain", "Unreadable", "TooLarge"]

# charset (lowercased, as body-parser reads it) -> Python codec, for the utf-* charsets
# iconv-lite decodes (it ignores case and punctuation: "utf-16le" is its "utf16le")
_CODECS = {"utf8": "utf-8", "utf16": "utf-16", "utf16le": "utf-16-le", "utf16be": "utf-16-be",
           "utf32": "utf-32", "utf32le": "utf-32-le", "utf32be": "utf-32-be", "utf7": "utf-7"}
_INFLATED = frozenset({"gzip", "deflate"})
_GZIP_MAGIC = b"\x1f\x8b"


class Unreadable(Exception):
    """A body body-parser does not read (its 415/400 answers): ``status`` and its message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class TooLarge(Exception):
    """Past :data:`MAX_PAYLOAD_BYTES` (after inflating): 413, the rest left unread."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What body-parser does with a request, decided from its headers:
    ``parsed`` - the body is read as JSON; ``refused`` - it answers 415 with this
    message instead (a charset or an encoding it cannot decode); ``encoding`` - the
    lowercased ``Content-Encoding``; ``codec`` - the Python codec of the charset."""

    parsed: bool
    refused: str | None = None
    encoding: str = "identity"
    codec: str = "utf-8"


_NOT_READ = Reading(parsed=False)


def reading(headers: Mapping[str, str]) -> Reading:
    """body-parser's decision for a request with these headers (names lowercased)."""
    content_type = headers.get("content-type")
    if not content_type:  # type-is needs a type: nothing is parsed
        return _NOT_READ
    kind, _, params = content_type.partition(";")
    # express.json's default type is exactly application/json (type-is: +json does not match)
    if kind.strip().lower() != "application/json":
        return _NOT_READ
    charset = _charset(params) or "utf-8"
    encoding = (headers.get("content-encoding") or "identity").strip().lower()
    # body-parser: a charset that is not utf-* is a 415 before anything is read
    if not charset.startswith("utf-"):
        return Reading(True, f'unsupported charset "{charset.upper()}"', encoding)
    codec = _CODECS.get("".join(c for c in charset if c.isalnum()))
    # raw-body: a utf-* charset iconv-lite does not know is a 415 too (here: one Python
    # cannot decode as iconv-lite does, utf-7-imap, is read no further either)
    if codec is None:
        return Reading(True, f'unsupported charset "{charset.upper()}"', encoding)
    # read.js/contentstream: gzip and deflate are inflated, identity read, anything else 415
    if encoding != "identity" and encoding not in _INFLATED:
        return Reading(True, f'unsupported content encoding "{encoding}"', encoding, codec)
    return Reading(True, None, encoding, codec)


def _charset(params: str) -> str | None:
    """The ``charset`` parameter of a Content-Type's parameters, lowercased."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


async def read_json(stream: Any, headers: Mapping[str, str], how: Reading) -> tuple[bytes, bytes]:
    """The body bytes as received and the UTF-8 JSON text body-parser hands to JSON.parse
    (inflated, decoded from its charset).  :class:`TooLarge` past the limit (after
    inflating), :class:`Unreadable` for compressed data that does not inflate."""
    declared = headers.get("content-length", "")
    if how.encoding == "identity" and declared.isdigit() and int(declared) > MAX_PAYLOAD_BYTES:
        raise TooLarge()
    raw = bytearray()
    inflater = _Inflater() if how.encoding in _INFLATED else None
    async for chunk in stream:
        raw += chunk
        if inflater is not None:
            inflater.feed(chunk)
        elif len(raw) > MAX_PAYLOAD_BYTES:
            raise TooLarge()
    data = inflater.finish() if inflater is not None else bytes(raw)
    return bytes(raw), _as_utf8(data, how.codec)


async def drain(stream: Any) -> None:
    """Read a body nobody needs to its end, keeping none of it."""
    async for _ in stream:
        pass


class _Inflater:
    """gzip or deflate (zlib or raw) inflated chunk by chunk; the output never grows past
    the limit + 1 byte, so a compression bomb stops there (413)."""

    def __init__(self) -> None:
        self._z = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib, found from the header
        self._out = bytearray()
        self._done = False
        self._fed = False  # an empty body is read as {} (nothing to inflate)

    def feed(self, chunk: bytes) -> None:
        self._fed = self._fed or bool(chunk)
        while chunk and not self._done:
            room = MAX_PAYLOAD_BYTES + 1 - len(self._out)
            try:
                self._out += self._z.decompress(chunk, room)
            except zlib.error:
                raise Unreadable(400, "invalid compressed data") from None
            if len(self._out) > MAX_PAYLOAD_BYTES:
                raise TooLarge()
            chunk = self._z.unconsumed_tail
            if self._z.eof:
                rest = self._z.unused_data + chunk
                if rest.startswith(_GZIP_MAGIC):  # Node's gunzip reads concatenated members
                    self._z = zlib.decompressobj(wbits=47)
                    chunk = rest
                else:  # trailing bytes after the stream are ignored
                    self._done = True

    def finish(self) -> bytes:
        if self._fed and not self._done and not self._z.eof:
            self._out += self._z.flush()
            if not self._z.eof:  # cut off: zlib's "unexpected end of file"
                raise Unreadable(400, "unexpected end of file")
        if len(self._out) > MAX_PAYLOAD_BYTES:
            raise TooLarge()
        return bytes(self._out)


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
    text = data.decode(codec, "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.encode("utf-8", "surrogatepass")


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
