"""The validating proxy: ``trackly-validate serve --upstream URL``.

Point an app's Trackly base URL at the proxy (``http://127.0.0.1:4787/api/v2``) and every
request to a modelled endpoint goes through the HTTP gate the stand-in uses
(``trackly_validate.doors.http.gate``: route on the raw path -> the body as express.json reads it
-> ``X-Api-Key`` format -> the one request pipeline), then the forwarder:

- refused: answered here with the one error answer (the API's ``{"error", "code"}`` and
  the endpoint's status, plus ``problems``; the v1 deprecation headers on v1), marked
  ``X-Trackly-Validate: local``; nothing reaches the upstream.  That includes what
  express.json itself refuses (415 charsets and encodings, 413, compressed data that
  does not inflate), answered as the stand-in answers it;
- accepted: the body bytes as received, the method, raw path, query and headers (the
  key too) go to the upstream once (never retried: sends are not idempotent); its
  status, headers and body come back as they are, streamed.  A bulk request with
  problems only in its items is the API's partial success: forwarded;
- a body express.json does not read (another Content-Type, or none) is judged as ``{}``
  and, accepted, streamed on unchanged;
- anything else (other paths, other methods): passed through, unchecked, streamed both ways;
- the upstream unreachable, too slow or gone mid-answer: 503 ``provider_error`` from the
  proxy, marked ``X-Trackly-Validate: upstream-error`` with the kind of failure in
  ``X-Trackly-Upstream-Error`` (:data:`NOT_SENT` kinds mean the request never left).

The proxy holds no store: the account's state is the upstream's.  Hop-by-hop headers
(RFC 9110 §7.6.1: ``Connection`` and the headers it names, ``Keep-Alive``,
``Transfer-Encoding``, ``TE``, ``Trailer``, ``Upgrade``, ``Proxy-*``) are not forwarded
either way; ``Host`` is the upstream's; ``Expect`` is answered by this server.  Requests
go out through one pool of keep-alive connections (:class:`~.upstream.UpstreamPool`, a
lean client of its own over llhttp).

A client that goes away releases what its request held at once, at any stage: before
the upstream answered, during a streamed answer (a watcher on the ASGI ``receive``
channel cancels the relay) or mid-body (its cut-off body is never judged or forwarded).
The proxy is a plain ASGI app (no framework routing on the hot path); the connections
in front of it are :mod:`.connections`' (Node's parsing and timeouts).

Counts are served at ``GET /_proxy/stats`` and logged at shutdown.  Log lines
(logger ``trackly_validate.proxy``) are counted and rate-limited by class
(:class:`~.quiet.EventLog`) and carry methods, redacted paths, kinds and counts, never a
header, a query or a body.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections import Counter
from types import SimpleNamespace
from typing import Any, AsyncIterator, Iterable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from trackly_validate.core.keys import redact
from trackly_validate.core.catalog import C
from trackly_validate.doors.http.answer import error_body
from trackly_validate.doors.http.gate import ClientGone, Refused
from trackly_validate.core.options import DEFAULT_OPTIONS, Options, coerce_options
from trackly_validate.contracts.routes import Route
from trackly_validate.contracts.translate import problem
from trackly_validate.doors.server.front import V1_HEADERS, Json, raw_path, refusal_response, through_gate
from trackly_validate.doors.server.connections import EVENTS as CONNECTION_EVENTS
from trackly_validate.doors.server.quiet import EventLog
from trackly_validate.doors.server.upstream import NOT_SENT, Answer, Timeouts, Upstream, UpstreamPool, failure_kind

__all__ = ["create_proxy_app", "Proxy", "Timeouts", "ProxyStats", "MARK_HEADER", "UPSTREAM_ERROR_HEADER",
           "NOT_SENT", "STATS_PATH"]

log = logging.getLogger("trackly_validate.proxy")

#: Says who answered: ``local`` (refused here) or ``upstream-error`` (the upstream failed).
#: An answer without it is the upstream's own.
MARK_HEADER = "X-Trackly-Validate"
#: The kind of upstream failure behind a 503 from the proxy.
UPSTREAM_ERROR_HEADER = "X-Trackly-Upstream-Error"
STATS_PATH = "/_proxy/stats"

_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"upgrade",
                         b"proxy-connection", b"proxy-authenticate", b"proxy-authorization"})
_NOT_FORWARDED = _HOP_BY_HOP | {b"host", b"expect", b"content-length"}
_WHOLE_MAX = 65536  # an upstream answer declared up to this size is read whole, a bigger one streamed


class ProxyStats:
    """Counts since start (one event loop updates them: no lock needed)."""

    def __init__(self) -> None:
        self.forwarded: Counter[str] = Counter()  # by upstream status
        self.upstream_codes: Counter[str] = Counter()  # codes of the upstream's error answers to forwarded requests
        self.passed_through: Counter[str] = Counter()  # unmodelled, by upstream status
        self.local: Counter[str] = Counter()  # answered here, by code
        self.upstream_errors: Counter[str] = Counter()  # by failure kind
        self.departed: Counter[str] = Counter()  # clients gone before their answer, by stage

    def snapshot(self) -> dict[str, Any]:
        def part(counter: Counter[str], name: str) -> dict[str, Any]:
            return {"total": sum(counter.values()), name: dict(sorted(counter.items()))}

        return {"forwarded": {**part(self.forwarded, "by_status"),
                              "upstream_codes": dict(sorted(self.upstream_codes.items()))},
                "answered_locally": part(self.local, "by_code"),
                "passed_through": part(self.passed_through, "by_status"),
                "upstream_errors": part(self.upstream_errors, "by_kind"),
                "clients_departed": part(self.departed, "by_stage")}


class Proxy:
    """The gate in front of the forwarder, as an ASGI app (no store: the account's state
    is the upstream's, so every well-formed key passes here)."""

    def __init__(self, upstream: str, options: Options | None = None, timeouts: Timeouts | float | None = None,
                 max_connections: int = 100):
        self.options = DEFAULT_OPTIONS if options is None else coerce_options(options)
        self.upstream = Upstream.parse(upstream)
        self.timeouts = timeouts if isinstance(timeouts, Timeouts) else \
            Timeouts() if timeouts is None else Timeouts(read=timeouts)
        self.max_connections = max_connections
        self.stats = ProxyStats()
        self.events = EventLog(log)
        self.state = SimpleNamespace(proxy=self)  # as a Starlette app's: ``app.state.proxy``
        self._pool: UpstreamPool | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        """The upstream connection pool lives as long as the app; the counts are logged at the end."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._pool = UpstreamPool(self.upstream, self.max_connections)
                # what start-up built (validators, routes) out of the collector's sight: its
                # full collections then scan only what requests allocate (shorter pauses at p99)
                gc.collect()
                gc.freeze()
                log.info("proxy for %s started", self.upstream.url())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                pool, self._pool = self._pool, None
                if pool is not None:
                    await pool.aclose()
                self.events.flush()
                CONNECTION_EVENTS.flush()
                log.info("proxy stats at shutdown: %s", json.dumps(self.stats.snapshot(), sort_keys=True))
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        try:
            if scope["path"] == STATS_PATH and scope["method"] == "GET":
                await Json({"upstream": self.upstream.url(), **self.stats.snapshot()})(scope, receive, send)
            else:
                await self.api(request, send)
        except (ClientGone, ClientDisconnect):
            self._departed(request, "request body")

    async def api(self, request: Request, send: Any) -> None:
        """Gate, then forward: a refused request is answered here; an accepted one goes on
        with the bytes as received (a body express.json does not read streamed on as it
        comes); an unmodelled one passes through unchecked."""
        route, verdict = await through_gate(request, self.options)
        if route is None or verdict is None:
            return await self._forward_streamed(request, send, None)
        if isinstance(verdict, Refused):
            if getattr(request, "_is_disconnected", False):  # cut off mid-body: nobody to answer
                return self._departed(request, "request body")
            return await self.refusal(verdict)(request.scope, request.receive, send)
        if not verdict.body.read:
            return await self._forward_streamed(request, send, route)
        raw = verdict.body.raw
        return await self._forward(request, send, route, raw, str(len(raw)).encode())

    def refusal(self, refused: Refused) -> Response:
        """Refused here: the one error answer, marked local."""
        response = refusal_response(refused)
        response.headers[MARK_HEADER] = "local"
        self.stats.local[refused.code or "(no code)"] += 1
        return response

    # --- forwarding -------------------------------------------------------------------------------------------

    async def _forward_streamed(self, request: Request, send: Any, route: Route | None) -> None:
        """The request with its body streamed on as it comes: chunked when the client sent
        it chunked (never with the client's length: the body goes on de-chunked), else
        with its length."""
        headers = request.scope["headers"]
        chunked = _header(headers, b"transfer-encoding") is not None
        length = None if chunked else _header(headers, b"content-length")
        body: Any = _body(request) if length is not None or chunked else b""
        await self._forward(request, send, route, body, length, chunked=chunked)

    async def _forward(self, request: Request, send: Any, route: Route | None, content: Any,
                       length: bytes | None, *, chunked: bool = False) -> None:
        pool = self._pool
        if pool is None:
            raise RuntimeError("the proxy app runs with its lifespan (uvicorn lifespan='on')")
        scope = request.scope
        target = self.upstream.prefix + (scope.get("raw_path") or scope["path"].encode())
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        headers = _forwarded(scope["headers"])
        headers.insert(0, (b"host", self.upstream.host_header))
        if length is not None:
            headers.append((b"content-length", length))
        elif chunked:
            headers.append((b"transfer-encoding", b"chunked"))
        try:
            upstream = await pool.send(scope["method"].encode("ascii"), target, headers, content, self.timeouts,
                                       chunked=chunked)
        except ClientGone:
            return self._departed(request, "request body")
        except Exception as exc:  # any failure to get an answer: never retried
            return await self._unavailable(request, send, route, exc)
        try:
            headers_back = [(k.lower(), v) for k, v in upstream.headers if k.lower() not in _HOP_BY_HOP]
            size = _header(headers_back, b"content-length")
            if size is not None and size.isdigit() and int(size) <= _WHOLE_MAX:
                await self._send_whole(request, send, route, upstream, headers_back)
            else:
                self._count(route, upstream.status)
                await self._relay(request, send, upstream, headers_back)
        finally:
            await upstream.aclose()  # the connection back to the pool (or dropped), whatever happened

    def _count(self, route: Route | None, status: int) -> None:
        (self.stats.forwarded if route is not None else self.stats.passed_through)[str(status)] += 1

    async def _send_whole(self, request: Request, send: Any, route: Route | None, upstream: Answer,
                          headers: list[tuple[bytes, bytes]]) -> None:
        """A small answer, read whole and sent in one piece (cut off: 503 from the proxy,
        nothing of it sent yet); an error answer to a forwarded request has its code
        counted (what passed here but the API refused)."""
        try:
            body = b"".join([chunk async for chunk in upstream.chunks()])
        except Exception as exc:
            return await self._unavailable(request, send, route, exc)
        await upstream.aclose()  # the upstream connection is free before a slow client reads the answer
        self._count(route, upstream.status)
        if route is not None and upstream.status >= 400:
            self.stats.upstream_codes[_code_of(body)] += 1
        await send({"type": "http.response.start", "status": upstream.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _relay(self, request: Request, send: Any, upstream: Answer, headers: list[tuple[bytes, bytes]]) -> None:
        """A streamed answer, relayed chunk by chunk while a watcher waits for the client
        to go away (then the relay stops and the upstream connection is dropped).  Cut
        off upstream: the client's connection is closed, so the answer is never taken for
        a whole one.  A client that stops reading for the read timeout is treated as
        gone too (it would hold the upstream connection for as long as it likes)."""
        relay = asyncio.current_task()
        assert relay is not None
        finished = stalled = False
        loop = asyncio.get_running_loop()

        def stall() -> None:
            nonlocal stalled
            stalled = True
            relay.cancel()

        async def timed(message: dict[str, Any]) -> None:
            timer = loop.call_later(self.timeouts.read, stall)
            try:
                await send(message)
            finally:
                timer.cancel()

        async def watch() -> None:
            while True:
                message = await request.receive()
                if message["type"] == "http.disconnect":
                    if not finished:
                        relay.cancel()
                    return

        watcher = asyncio.ensure_future(watch())
        try:
            try:
                await timed({"type": "http.response.start", "status": upstream.status, "headers": headers})
                async for chunk in upstream.chunks():
                    await timed({"type": "http.response.body", "body": chunk, "more_body": True})
            except asyncio.CancelledError:
                if (watcher.done() or stalled) and not finished:  # the client went away or stopped reading
                    if hasattr(relay, "uncancel"):  # Python 3.11+
                        relay.uncancel()
                    return self._departed(request, "streamed answer" if not stalled else "stalled reading")
                raise
            except Exception as exc:  # the upstream's answer stopped mid-body
                self._note_failure(request, "body_interrupted", exc)
                return  # the response left incomplete: the server closes the connection
            finished = True
            await send({"type": "http.response.body", "body": b""})
        finally:
            watcher.cancel()

    async def _unavailable(self, request: Request, send: Any, route: Route | None, exc: Exception) -> None:
        """No answer from the upstream: 503 provider_error, from the proxy."""
        kind = failure_kind(exc)
        self._note_failure(request, kind, exc)
        answer = problem(C.provider_error, route)
        response = Json(error_body([answer]), status_code=answer.status)
        if route is not None and route.version == "v1":
            response.headers.update(V1_HEADERS)
        response.headers[MARK_HEADER] = "upstream-error"
        response.headers[UPSTREAM_ERROR_HEADER] = kind
        await response(request.scope, request.receive, send)

    def _note_failure(self, request: Request, kind: str, exc: Exception) -> None:
        self.stats.upstream_errors[kind] += 1
        sent = "not sent" if kind in NOT_SENT else "may have reached the upstream"
        self.events.note(f"upstream {kind}", f"{request.method} {redact(raw_path(request))} "
                                             f"({type(exc).__name__}, {sent})")

    def _departed(self, request: Request, stage: str) -> None:
        self.stats.departed[stage] += 1
        self.events.note("client departed", f"during the {stage}: {request.method} {redact(raw_path(request))}",
                         level=logging.INFO)


def create_proxy_app(upstream: str, options: Options | None = None, timeouts: Timeouts | float | None = None,
                     max_connections: int = 100) -> Proxy:
    """The proxy app (run it with its lifespan: the upstream pool opens and closes there).
    ``timeouts``: a :class:`Timeouts` or the read timeout in seconds."""
    return Proxy(upstream, options, timeouts, max_connections)


# --- helpers -----------------------------------------------------------------------------------------------

async def _body(request: Request) -> AsyncIterator[bytes]:
    """A body streamed on as it comes; the client going away mid-body raises ClientGone."""
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise ClientGone from None


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _forwarded(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The request's headers as received, without hop-by-hop ones (and those its
    ``Connection`` header names), ``Host``, ``Expect`` and the length (set again)."""
    headers = list(headers)
    named = {token.strip().lower() for key, value in headers if key.lower() == b"connection"
             for token in value.split(b",")}
    return [(k, v) for k, v in headers if k.lower() not in _NOT_FORWARDED and k.lower() not in named]


def _code_of(body: bytes) -> str:
    """The ``code`` of an API error answer (``(no code)`` when it has none)."""
    try:
        code = json.loads(body).get("code")
    except (ValueError, AttributeError, UnicodeDecodeError):
        code = None
    return code if isinstance(code, str) else "(no code)"
