"""The proxy's side towards the real API: where it is (:class:`Upstream`), how long to
wait (:class:`Timeouts`), and the keep-alive connections to it (:class:`UpstreamPool`).

The client is this module's own: an asyncio protocol per connection with llhttp
(httptools) reading the answers - the request line, headers and body bytes go out exactly
as given (no default headers, cookies, redirects or path normalisation).  A general
client (httpcore over anyio and h11) cost ~0.6 ms of CPU per forwarded request, most of
the proxy's time; this one a tenth of that.

- an idle connection is reused (the most recent first) unless it has been idle longer
  than :data:`KEEPALIVE_EXPIRY` or the upstream closed it; otherwise one is opened;
- at most ``size`` connections at once; a request waits for a free one up to the connect
  timeout (then ``pool_timeout``: it was never sent);
- nothing is retried: a connection that fails is dropped and the failure is the answer;
- an answer's connection goes back to the pool once the answer is read to its end, and is
  dropped when :meth:`Answer.aclose` comes before that (a client gone mid-answer).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import httptools

from trackly_validate.core.keys import redact

__all__ = ["Upstream", "Timeouts", "UpstreamPool", "Answer", "failure_kind", "NOT_SENT", "KEEPALIVE_EXPIRY",
           "UpstreamFailure"]

#: Seconds an idle connection is kept: under Node's default ``keepAliveTimeout`` (5 s),
#: so a request is not sent on a connection the server is closing at that moment.
KEEPALIVE_EXPIRY = 4.0

#: Failure kinds after which the request certainly did not reach the upstream; after the
#: others (``write_failed``, ``read_timeout``, ``disconnected``, ``failed``) it may have.
NOT_SENT = frozenset({"connect_failed", "connect_timeout", "pool_timeout"})

_BUFFERED = 1 << 20  # answer bytes held before reading from the upstream pauses


class UpstreamFailure(Exception):
    """The upstream gave no (whole) answer; ``kind`` says how (``X-Trackly-Upstream-Error``)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(detail or kind)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds: ``connect`` to open a connection (and to wait for a free one in the pool),
    ``read`` between two reads of the answer (and between two writes of the request)."""

    connect: float = 5.0
    read: float = 30.0

    def __post_init__(self) -> None:
        for name in ("connect", "read"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"the {name} timeout must be a positive number of seconds, got {value!r}")


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where accepted requests go: ``scheme://host[:port][/prefix]``."""

    scheme: bytes
    host: bytes
    port: int
    prefix: bytes
    host_header: bytes

    @classmethod
    def parse(cls, url: str) -> "Upstream":
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the upstream must be an http:// or https:// URL with a host, got {redact(url)!r}")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("the upstream URL takes no query, fragment or credentials")
        try:
            explicit = parts.port
        except ValueError:
            raise ValueError("the upstream URL's port is not a number from 0 to 65535") from None
        port = explicit or (443 if parts.scheme == "https" else 80)
        host = parts.hostname
        netloc = f"[{host}]" if ":" in host else host
        if explicit is not None:
            netloc += f":{explicit}"
        return cls(parts.scheme.encode(), host.encode("idna"), port, parts.path.rstrip("/").encode("ascii"),
                   netloc.encode("idna"))

    def url(self) -> str:
        return f"{self.scheme.decode()}://{self.host_header.decode()}{self.prefix.decode()}"


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection to the upstream; one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._parser: Any = None
        self._head_only = False
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._framed = True  # the answer has a length or chunks (else it ends when the connection does)
        self._head: asyncio.Future[None] | None = None
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._complete = False
        self._waiter: asyncio.Future[None] | None = None
        self._error: UpstreamFailure | None = None
        self._drained: asyncio.Future[None] | None = None

    # --- asyncio.Protocol ---------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream connection's transport is a Transport

    def data_received(self, data: bytes) -> None:
        if self._parser is None:  # bytes nobody asked for: the connection is not reused
            self._fail(UpstreamFailure("disconnected", "unexpected data from the upstream"))
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamFailure("disconnected", f"invalid answer: {type(exc).__name__}"))

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head is not None and self._head.done() and not self._framed and not self._complete:
            self.on_message_complete()  # an answer read until the connection closes
        self._fail(UpstreamFailure("disconnected", "the upstream closed the connection"))

    def pause_writing(self) -> None:
        self._drained = self.loop.create_future()

    def resume_writing(self) -> None:
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    # --- llhttp callbacks ---------------------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:  # an interim answer (103): the real one follows
            self._headers = []
            return
        self._status = status
        names = {k.lower() for k, _ in self._headers}
        self._framed = (b"content-length" in names or b"transfer-encoding" in names or status in (204, 304)
                        or self._head_only)
        if self._head is not None and not self._head.done():
            self._head.set_result(None)
        if self._head_only:
            self.on_message_complete()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _BUFFERED and self.transport is not None:
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._status and not self._complete:
            self._complete = True
            if not self._parser.should_keep_alive() or not self._framed:
                self.closed = True
            self._wake()

    # --- the request ------------------------------------------------------------------------------------------

    async def request(self, head: bytes, content: Any, chunked: bool, method: bytes, timeouts: Timeouts) -> None:
        """Send the request and wait for the answer's head (status and headers)."""
        self._parser = httptools.HttpResponseParser(self)
        self._head_only = method == b"HEAD"
        self._status, self._headers, self._complete, self._error = 0, [], False, None
        self._chunks.clear()
        self._buffered = 0
        self._head = self.loop.create_future()
        transport = self.transport
        if transport is None or transport.is_closing() or self.closed:
            raise UpstreamFailure("disconnected", "the connection was closed")
        if isinstance(content, (bytes, bytearray)):
            transport.write(head + content if len(content) < 65536 else head)
            if len(content) >= 65536:
                transport.write(content)
        else:
            transport.write(head)
            async for chunk in content:
                if self._error is not None:
                    raise self._error
                transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
                if self._drained is not None:
                    await self._until(self._drained, timeouts.read, "write_failed")
            if chunked:
                transport.write(b"0\r\n\r\n")
        await self._until(self._head, timeouts.read, "read_timeout")

    async def chunks(self, timeout: float) -> AsyncIterator[bytes]:
        while True:
            while self._chunks:
                chunk = self._chunks.popleft()
                self._buffered -= len(chunk)
                if self._buffered <= _BUFFERED // 2 and self.transport is not None:
                    self.transport.resume_reading()
                yield chunk
            if self._complete:
                return
            if self._error is not None:
                raise self._error
            self._waiter = self.loop.create_future()
            await self._until(self._waiter, timeout, "read_timeout")

    @property
    def reusable(self) -> bool:
        return self._complete and not self.closed and self.transport is not None and not self.transport.is_closing()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    # --- helpers ----------------------------------------------------------------------------------------------

    async def _until(self, future: asyncio.Future[None], timeout: float, kind: str) -> None:
        if self._error is not None and not future.done():
            raise self._error
        timer = self.loop.call_later(timeout, _expire, future, kind)
        try:
            await future
        finally:
            timer.cancel()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: UpstreamFailure) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()
        if self._complete:
            return
        self._error = error
        for future in (self._head, self._waiter):
            if future is not None and not future.done():
                future.set_exception(error)
        self.resume_writing()  # a body being written stops at its next chunk (self._error)


def _expire(future: asyncio.Future[None], kind: str) -> None:
    if not future.done():
        future.set_exception(UpstreamFailure(kind, "timed out"))


class Answer:
    """The upstream's answer: ``status``, ``headers`` (raw pairs), the body by
    :meth:`chunks`; :meth:`aclose` gives the connection back (read to its end) or drops it."""

    def __init__(self, connection: _Connection, pool: "UpstreamPool", read_timeout: float):
        self.status = connection._status
        self.headers: list[tuple[bytes, bytes]] = connection._headers
        self._connection: _Connection | None = connection
        self._pool = pool
        self._timeout = read_timeout

    def chunks(self) -> AsyncIterator[bytes]:
        assert self._connection is not None
        return self._connection.chunks(self._timeout)

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool._release(connection)


class UpstreamPool:
    """At most ``size`` keep-alive HTTP/1.1 connections to one upstream."""

    def __init__(self, upstream: Upstream, size: int = 100):
        self.upstream = upstream
        self._ssl = _ssl_context() if upstream.scheme == b"https" else None
        self._host = upstream.host.decode("idna")
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(size)

    async def send(self, method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], content: Any,
                   timeouts: Timeouts, *, chunked: bool = False) -> Answer:
        """One request on a connection of its own, up to the answer's head; its failure is
        raised as :class:`UpstreamFailure` (or what the request's body stream raised)."""
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), timeouts.connect)
            except asyncio.TimeoutError:
                raise UpstreamFailure("pool_timeout", "no free connection to the upstream") from None
        else:
            await self._slots.acquire()
        try:
            connection = await self._connection(timeouts)
        except BaseException:
            self._slots.release()
            raise
        head = b"".join([method, b" ", target, b" HTTP/1.1\r\n",
                         *[b"%b: %b\r\n" % (k, v) for k, v in headers], b"\r\n"])
        try:
            await connection.request(head, content, chunked, method, timeouts)
        except BaseException:
            connection.close()
            self._slots.release()
            raise
        return Answer(connection, self, timeouts.read)

    def _release(self, connection: _Connection) -> None:
        self._slots.release()  # first: the slot is free whatever closing the connection does
        if connection.reusable:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()

    async def _connection(self, timeouts: Timeouts) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable and now - connection.idle_since < KEEPALIVE_EXPIRY:
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        try:
            _, connection = await asyncio.wait_for(loop.create_connection(
                lambda: _Connection(loop), self._host, self.upstream.port, ssl=self._ssl,
                server_hostname=self._host if self._ssl is not None else None), timeouts.connect)
        except asyncio.TimeoutError:
            raise UpstreamFailure("connect_timeout", "connecting to the upstream timed out") from None
        except OSError as exc:
            raise UpstreamFailure("connect_failed", type(exc).__name__) from None
        return connection

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every connection (certifi's roots when installed, as httpx)."""
    try:
        import certifi
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def failure_kind(exc: BaseException) -> str:
    """What went wrong, as the proxy reports it (``X-Trackly-Upstream-Error``)."""
    if isinstance(exc, UpstreamFailure):
        return exc.kind
    if isinstance(exc, (ConnectionError, OSError)):
        return "disconnected"
    return "failed"
