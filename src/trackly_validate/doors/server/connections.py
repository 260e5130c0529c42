"""The HTTP/1.1 connections of the stand-in and the proxy: uvicorn's httptools protocol
(llhttp, the parser Node's HTTP server uses) with what Node's server does on top of it.

- **parsing** as Node parses: a request line and headers over 16 KiB are a 431 (Node's
  ``maxHeaderSize``; llhttp alone has no limit), llhttp refuses a request with both ``Content-Length`` and
  ``Transfer-Encoding`` (RFC 9112 §6.1), a doubled or invalid length, and answers 400 with
  ``Connection: close`` - nothing after it on that connection is read;
- **CONNECT** closes the connection without an answer, as Node's server does without a
  ``connect`` listener (Express has none); it never reaches the app;
- **timeouts** (:class:`Limits`, as Node's ``headersTimeout`` / ``requestTimeout`` /
  ``keepAliveTimeout``): the headers must arrive within ``header_timeout`` seconds of the
  first byte (or of the connection), the body within ``body_timeout`` of the headers,
  else 408 and the connection closed; an idle keep-alive connection is closed after
  ``keep_alive``;
- **connections**: past ``max_connections`` open at once a new connection is answered
  503 and closed at once (it holds no file descriptor for long);
- **half-close**: a client that sends its whole request then shuts its side (``SHUT_WR``)
  still gets its answer, then the connection is closed (Node's ``allowHalfOpen``); a client
  that shuts its side mid-body is gone (the request is not acted on);
- **logs**: each of these is one counted, rate-limited event line (``quiet.EventLog``),
  never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from trackly_validate.doors.server.quiet import EventLog

__all__ = ["Limits", "GuardedProtocol", "EVENTS", "MAX_HEADER_BYTES"]

#: The servers' connection events (logger ``trackly_validate.doors.server``).
EVENTS = EventLog(logging.getLogger("trackly_validate.doors.server"))

_TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
_HEADERS_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"

#: Seconds a refused connection is read (and what comes dropped) before it is closed.
LINGER = 1.0

#: Node's ``maxHeaderSize``: the request line and headers of one request, in bytes.
MAX_HEADER_BYTES = 16 * 1024
_OVER = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"


class _Corked:
    """A transport whose writes of one turn of the event loop leave in one ``send``: an
    answer's head and body (two ASGI messages) go out as one packet, not two."""

    __slots__ = ("_transport", "_loop", "_parts", "_scheduled")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._parts: list[bytes] = []
        self._scheduled = False

    def write(self, data: bytes) -> None:
        self._parts.append(data)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        if self._parts:
            data = b"".join(self._parts)
            self._parts.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


@dataclass(frozen=True, slots=True)
class Limits:
    """Seconds and counts of a server's connections (see the module docstring)."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0
    keep_alive: float = 5.0
    max_connections: int = 1000

    def __post_init__(self) -> None:
        for name in ("header_timeout", "body_timeout", "keep_alive", "max_connections"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name.replace('_', ' ')} must be a positive number, got {value!r}")
        if not isinstance(self.max_connections, int):
            raise ValueError(f"max connections must be a whole number, got {self.max_connections!r}")


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the behaviours of the module docstring.  The
    :class:`Limits` come from the uvicorn config's ``trackly_limits`` attribute."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits: Limits = getattr(config, "trackly_limits", None) or Limits()
        self.timeout_keep_alive = self.limits.keep_alive  # type: ignore[assignment]  # uvicorn reads it as seconds
        self._deadline: asyncio.TimerHandle | None = None
        self._phase = "headers"
        self._replay: bytes | None = None
        self._in_head = True  # the next bytes are a request's line and headers
        self._head_bytes = 0
        self._framing = 0  # bytes received in a body since its last body bytes
        self._refused = False

    # --- the connection --------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn's
        super().connection_made(transport)
        self.transport = _Corked(transport, self.loop)  # type: ignore[assignment]  # a Transport that corks writes
        if len(self.connections) > self.limits.max_connections:
            EVENTS.note("connection over the limit", f"{self.limits.max_connections} open: answered 503")
            self._refused = True
            transport.write(_OVER)
            transport.close()
            return
        self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused or self.transport.is_closing():
            return
        self._unset_keepalive_if_required()
        if self._in_head and self._head_bytes + len(data) > MAX_HEADER_BYTES:
            cut = max(MAX_HEADER_BYTES - self._head_bytes, 0)
            self._receive(data[:cut])
            if self._in_head and not self._refused and not self.transport.is_closing():
                # Node's maxHeaderSize: the request line and headers past 16 KiB are a 431
                EVENTS.note("headers too large", f"over {MAX_HEADER_BYTES} bytes: answered 431, connection closed")
                self._refuse(_HEADERS_TOO_LARGE)
                return
            data = data[cut:]
            if self._refused or self.transport.is_closing():
                return
        self._receive(data)

    def _receive(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        else:
            self._framing += len(data)
        self._parse(data)
        # in a body: bytes that were not body (chunk sizes, extensions, trailers) since the
        # last body bytes are held to the same 16 KiB (httptools keeps a trailer in memory
        # until it ends)
        if not self._in_head and self._framing > MAX_HEADER_BYTES and not self._refused:
            EVENTS.note("headers too large", "chunk framing or trailers: answered 431, connection closed")
            self._refuse(_HEADERS_TOO_LARGE)

    def _parse(self, data: bytes) -> None:
        while True:
            try:
                self.parser.feed_data(data)
                return
            except httptools.HttpParserUpgrade as exc:
                if self._replay is None:  # CONNECT (closed), or a WebSocket upgrade
                    if not self._refused and self._should_upgrade():
                        self.handle_websocket_upgrade()
                    return
                # an Upgrade nobody serves: the request again without it, then the rest
                data, self._replay = self._replay + data[int(exc.args[0]):], None
            except httptools.HttpParserError as exc:  # what llhttp refuses, Node answers the same way
                EVENTS.note("invalid request", f"{type(exc).__name__}: answered 400, connection closed")
                self._refuse(_BAD_REQUEST)
                return

    def _refuse(self, answer: bytes) -> None:
        """Answer and close without reading further - after a moment, reading and dropping
        what the client still sends, so the answer is not lost to a reset (a lingering
        close: closing with unread bytes makes the kernel send RST at once)."""
        self._refused = True
        self._disarm()
        self.transport.write(answer)
        self.transport.flush()  # type: ignore[attr-defined]  # the _Corked transport
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER, self.transport.close)

    def eof_received(self) -> bool | None:  # type: ignore[override]  # asyncio's signature; uvicorn's says None
        self.transport.flush()  # type: ignore[attr-defined]  # _Corked: an answer written this turn leaves first
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete and not cycle.more_body and not self.pipeline:
            # the whole request is in and its answer pending: answer, then close
            cycle.keep_alive = False
            return True
        return None  # nothing pending, or gone mid-request: the connection closes

    # --- timeouts --------------------------------------------------------------------------------------------

    def _arm(self, seconds: float, phase: str = "headers") -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        """The headers or the body did not come in time: 408 unless an answer is on its way
        (a previous request's, or this one's, answered before its body ended), then closed."""
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        EVENTS.note("request timed out", f"the {self._phase} did not arrive in time: 408, connection closed")
        if self._phase == "headers":
            answer = cycle is None or cycle.response_complete
        else:
            answer = cycle is not None and not cycle.response_started
        if answer:
            self.transport.write(_TIMED_OUT)
        self.transport.close()

    # --- parser callbacks ------------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm(self.limits.header_timeout)

    def on_headers_complete(self) -> None:
        self._disarm()
        self._in_head, self._head_bytes, self._framing = False, 0, 0
        method = self.parser.get_method()
        if method == b"CONNECT":  # Node: no 'connect' listener, the socket is destroyed
            EVENTS.note("CONNECT refused", "connection closed")
            self._refused = True
            self.transport.close()
            return
        if self.parser.should_upgrade() and not self._should_upgrade():
            # Node without an 'upgrade' listener reads such a request as any other, body
            # included; llhttp (in httptools) would stop at its headers.  The request is
            # parsed again without its Upgrade (data_received), so its body is read.
            self._replay = _without_upgrade(method, self.url, self.parser.get_http_version(), self.headers)
            return
        super().on_headers_complete()
        self._arm(self.limits.body_timeout, "body")

    def on_body(self, body: bytes) -> None:
        self._framing = 0
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_head, self._head_bytes, self._framing = True, 0, 0
        if self._replay is None:
            super().on_message_complete()


def _without_upgrade(method: bytes, url: bytes, version: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    """A request's head again, without ``Upgrade`` and the ``upgrade`` token of ``Connection``."""
    lines = [b"%b %b HTTP/%b" % (method, url, version.encode("ascii"))]
    for name, value in headers:
        if name == b"upgrade":
            continue
        if name == b"connection":
            value = b",".join(t for t in value.split(b",") if t.strip().lower() != b"upgrade")
            if not value.strip():
                continue
        lines.append(name + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n"
