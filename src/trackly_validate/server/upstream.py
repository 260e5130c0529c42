"""The proxy's side towards the real API: where it is (:class:`Upstream`), how long to
wait (:class:`Timeouts`), and the keep-alive connections to it (:class:`UpstreamPool`).

The pool is this module's own, over httpcore's HTTP/1.1 connections (the core of httpx,
which sends the request line, headers and body bytes exactly as given: no default
headers, cookies, redirects or path normalisation).  httpcore's own pool scans every
connection on every request and can hand one idle connection to two waiting requests
(encode/httpcore#1110); here each request takes a connection for itself:

- an idle connection is reused (the most recent first) unless it has been idle longer
  than :data:`KEEPALIVE_EXPIRY` or the upstream closed it; otherwise one is opened;
- at most ``size`` connections at once; a request waits for a free one up to the connect
  timeout (then ``pool_timeout``: it was never sent);
- nothing is retried: a connection that fails is dropped and the failure is the answer.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
import sys
from dataclasses import dataclass
from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import httpcore

from ..auth import redact

__all__ = ["Upstream", "Timeouts", "UpstreamPool", "Answer", "failure_kind", "NOT_SENT", "KEEPALIVE_EXPIRY"]

# httpcore asks ``import sniffio`` on every lock it takes (several per request); without the
# package each failed import searches sys.path again (~0.1 ms).  Recording it as absent makes
# that failure immediate; nothing changes where sniffio is installed.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

#: Seconds an idle connection is kept: under Node's default ``keepAliveTimeout`` (5 s),
#: so a request is not sent on a connection the server is closing at that moment.
KEEPALIVE_EXPIRY = 4.0

#: Failure kinds after which the request certainly did not reach the upstream; after the
#: others (``write_failed``, ``read_timeout``, ``disconnected``, ``failed``) it may have.
NOT_SENT = frozenset({"connect_failed", "connect_timeout", "pool_timeout"})


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

    def extension(self) -> dict[str, float]:
        return {"connect": self.connect, "pool": self.connect, "read": self.read, "write": self.read}


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


class Answer:
    """The upstream's answer: ``status``, ``headers`` (raw pairs), the body by
    :meth:`chunks`; :meth:`aclose` gives the connection back (or drops it)."""

    def __init__(self, response: httpcore.Response, release: Any):
        self.status = response.status
        self.headers: list[tuple[bytes, bytes]] = list(response.headers)
        self._response = response
        self._release = release

    def chunks(self) -> AsyncIterator[bytes]:
        return self._response.aiter_stream()

    async def aclose(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            try:
                await self._response.aclose()
            except Exception:
                pass  # a connection that fails to close is dropped by release()
            finally:
                await release()  # frees the slot before its first await: never lost


class UpstreamPool:
    """At most ``size`` keep-alive HTTP/1.1 connections to one upstream."""

    def __init__(self, upstream: Upstream, size: int = 100):
        self.upstream = upstream
        self._origin = httpcore.Origin(upstream.scheme, upstream.host, upstream.port)
        self._ssl = _ssl_context() if upstream.scheme == b"https" else None
        self._idle: list[httpcore.AsyncHTTPConnection] = []
        self._slots = asyncio.Semaphore(size)
        self._open: set[httpcore.AsyncHTTPConnection] = set()

    async def send(self, request: httpcore.Request, timeouts: Timeouts) -> Answer:
        """One request on a connection of its own; its failure (httpcore's exceptions) is raised as is."""
        try:
            await asyncio.wait_for(self._slots.acquire(), timeouts.connect)
        except asyncio.TimeoutError:
            raise httpcore.PoolTimeout("no free connection to the upstream") from None
        connection = await self._connection()
        try:
            response = await connection.handle_async_request(request)
        except BaseException:
            await self._drop(connection)
            self._slots.release()
            raise

        async def release() -> None:
            self._slots.release()  # first: the slot is free whatever closing the connection does
            if connection.is_idle():
                self._idle.append(connection)
            else:
                await self._drop(connection)

        return Answer(response, release)

    async def _connection(self) -> httpcore.AsyncHTTPConnection:
        while self._idle:
            connection = self._idle.pop()
            if connection.is_idle() and not connection.has_expired():
                return connection
            await self._drop(connection)
        connection = httpcore.AsyncHTTPConnection(self._origin, ssl_context=self._ssl,
                                                  keepalive_expiry=KEEPALIVE_EXPIRY, retries=0)
        self._open.add(connection)
        return connection

    async def _drop(self, connection: httpcore.AsyncHTTPConnection) -> None:
        self._open.discard(connection)
        await connection.aclose()

    async def aclose(self) -> None:
        self._idle.clear()
        for connection in list(self._open):
            await self._drop(connection)


def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every connection (certifi's roots when installed, as httpx)."""
    try:
        import certifi
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def failure_kind(exc: BaseException) -> str:
    """What went wrong, as the proxy reports it (``X-Trackly-Upstream-Error``)."""
    if isinstance(exc, httpcore.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, httpcore.PoolTimeout):
        return "pool_timeout"
    if isinstance(exc, httpcore.ConnectError):
        return "connect_failed"
    if isinstance(exc, httpcore.ReadTimeout):
        return "read_timeout"
    if isinstance(exc, (httpcore.WriteTimeout, httpcore.WriteError)):
        return "write_failed"
    if isinstance(exc, (httpcore.ReadError, httpcore.RemoteProtocolError)):
        return "disconnected"
    return "failed"
