"""The validating proxy: ``trackly-validate serve --upstream URL``.

Point an app's Trackly base URL at the proxy (``http://127.0.0.1:8787/api/v2``) and every
request to a modelled endpoint takes the sandbox's path (:class:`~.app.Sandbox`: route on
the raw path -> body read in chunks, 413 past 5 MiB -> ``X-Api-Key`` format -> the one
request pipeline) with other answer steps:

- refused: answered here exactly as the API answers (``{"error", "code"}`` and the
  endpoint's status, the v1 deprecation headers on v1), marked ``X-Trackly-Validate:
  local``; nothing reaches the upstream;
- accepted: the body bytes as received, the method, raw path, query and headers (the
  key too) go to the upstream once (never retried: sends are not idempotent); its
  status, headers and body come back as they are, streamed;
- a body express.json does not read (another Content-Type, or none) is judged as ``{}``
  and, accepted, streamed on unchanged; a charset or Content-Encoding it answers 415
  for is passed through unchecked; a gzip/deflate body is judged inflated and forwarded
  as received;
- anything else (other paths, other methods): passed through, unchecked, streamed both ways;
- the upstream unreachable, too slow or gone mid-answer: 503 ``provider_error`` from the
  proxy, marked ``X-Trackly-Validate: upstream-error`` with the kind of failure in
  ``X-Trackly-Upstream-Error`` (:data:`NOT_SENT` kinds mean the request never left).

Hop-by-hop headers (RFC 9110 §7.6.1: ``Connection`` and the headers it names,
``Keep-Alive``, ``Transfer-Encoding``, ``TE``, ``Trailer``, ``Upgrade``, ``Proxy-*``) are
not forwarded either way; ``Host`` is the upstream's; ``Expect`` is answered by this
server.  Requests go out through one pool of keep-alive connections
(:class:`~.upstream.UpstreamPool`).

Counts are served at ``GET /_proxy/stats`` and logged at shutdown.  Log lines
(logger ``trackly_validate.proxy``) carry methods, redacted paths, kinds and counts,
never a header, a query or a body.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import Counter
from typing import Any, AsyncIterator, Iterable

import httpcore
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route as HttpRoute, request_response

from ..auth import redact
from ..catalog import C
from ..options import Options
from ..routes import Route
from ..translate import problem
from .app import _METHODS, V1_HEADERS, Checked, Sandbox, _Json, _raw_path, _Refused
from .body import Unreadable
from .upstream import NOT_SENT, Answer, Timeouts, Upstream, UpstreamPool, failure_kind

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

    def snapshot(self) -> dict[str, Any]:
        def part(counter: Counter[str], name: str) -> dict[str, Any]:
            return {"total": sum(counter.values()), name: dict(sorted(counter.items()))}

        return {"forwarded": {**part(self.forwarded, "by_status"),
                              "upstream_codes": dict(sorted(self.upstream_codes.items()))},
                "answered_locally": part(self.local, "by_code"),
                "passed_through": part(self.passed_through, "by_status"),
                "upstream_errors": part(self.upstream_errors, "by_kind")}


class UpstreamInterrupted(Exception):
    """The upstream's answer stopped mid-body: the client's connection is closed so the
    cut-off answer is never taken for a whole one."""


class Proxy(Sandbox):
    """The sandbox's request path with forwarding answer steps (no fixtures: the account's
    state is the upstream's, so the store is open and every well-formed key passes here)."""

    def __init__(self, upstream: str, options: Options | None = None, timeouts: Timeouts | float | None = None,
                 max_connections: int = 100):
        super().__init__(options)
        self.upstream = Upstream.parse(upstream)
        self.timeouts = timeouts if isinstance(timeouts, Timeouts) else \
            Timeouts() if timeouts is None else Timeouts(read=timeouts)
        self.max_connections = max_connections
        self.stats = ProxyStats()
        self._pool: UpstreamPool | None = None

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Any) -> AsyncIterator[None]:
        """The upstream connection pool lives as long as the app; the counts are logged at the end."""
        self._pool = UpstreamPool(self.upstream, self.max_connections)
        log.info("proxy for %s started", self.upstream.url())
        try:
            yield
        finally:
            pool, self._pool = self._pool, None
            await pool.aclose()
            log.info("proxy stats at shutdown: %s", json.dumps(self.stats.snapshot(), sort_keys=True))

    # --- the answer steps ------------------------------------------------------------------------------------

    async def answer(self, request: Request, checked: Checked) -> Response:
        """Accepted: the body bytes as received go to the upstream (a body express.json
        does not read, another type, streamed on as it comes)."""
        if checked.raw is None:
            return await self._forward_streamed(request, checked.route)
        return await self._forward(request, checked.route, checked.raw, str(len(checked.raw)).encode())

    async def unmodelled(self, request: Request) -> Response:
        """Not a modelled endpoint: passed through unchecked, the body streamed as it comes."""
        return await self._forward_streamed(request, None)

    async def unreadable(self, request: Request, route: Route, unreadable: Unreadable,
                         raw: bytes | None = None) -> Response:
        """A charset or encoding express.json answers 415 for: passed through unchecked
        (the upstream's answer is the API's own).  Compressed data that does not inflate
        is refused here as the sandbox refuses it (400 ``invalid_input``)."""
        if unreadable.status == 415:
            return await self._forward_streamed(request, None)
        return await super().unreadable(request, route, unreadable, raw)

    def refusal(self, route: Route, refused: _Refused) -> Response:
        """Refused here: the API's answer exactly (``{"error", "code"}``), marked local."""
        if refused.body is not None:
            response = _Json(refused.body, status_code=refused.status)
        else:
            first = refused.problems[0]
            response = _Json({"error": first.error, "code": first.code}, status_code=first.status)
            response.trackly_code = first.code  # type: ignore[attr-defined]
            if first.status == 413:  # the rest of the body is not read
                response.headers["Connection"] = "close"
        if route.version == "v1":
            response.headers.update(V1_HEADERS)
        response.headers[MARK_HEADER] = "local"
        return response

    def record(self, request: Request, route: Route | None, raw: bytes | None, response: Response) -> None:
        """No request log here: counts only (forwarded ones are counted as they are sent)."""
        if response.headers.get(MARK_HEADER) == "local":
            self.stats.local[getattr(response, "trackly_code", None) or "(no code)"] += 1

    # --- forwarding -------------------------------------------------------------------------------------------

    async def _forward_streamed(self, request: Request, route: Route | None) -> Response:
        """The request with its body streamed on as it comes (its length or chunked)."""
        headers = request.scope["headers"]
        length = _header(headers, b"content-length")
        chunked = length is None and _header(headers, b"transfer-encoding") is not None
        body: Any = request.stream() if length is not None or chunked else b""
        return await self._forward(request, route, body, length, chunked=chunked)

    async def _forward(self, request: Request, route: Route | None, content: Any, length: bytes | None,
                       *, chunked: bool = False) -> Response:
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
        outgoing = httpcore.Request(request.method.encode("ascii"),
                                    httpcore.URL(scheme=self.upstream.scheme, host=self.upstream.host,
                                                 port=self.upstream.port, target=target),
                                    headers=headers, content=content,
                                    extensions={"timeout": self.timeouts.extension()})
        try:
            upstream = await pool.send(outgoing, self.timeouts)
        except Exception as exc:  # any failure to get an answer: never retried
            return self._upstream_unavailable(request, route, exc)
        status = upstream.status
        headers_back = [(k.lower(), v) for k, v in upstream.headers if k.lower() not in _HOP_BY_HOP]
        size = _header(headers_back, b"content-length")
        if size is not None and size.isdigit() and int(size) <= _WHOLE_MAX:
            return await self._read_whole(request, route, upstream, headers_back)
        self._count(route, status)
        response = StreamingResponse(self._relay(request, upstream), status_code=status)
        response.raw_headers = headers_back
        return response

    def _count(self, route: Route | None, status: int) -> None:
        (self.stats.forwarded if route is not None else self.stats.passed_through)[str(status)] += 1

    async def _read_whole(self, request: Request, route: Route | None, upstream: Answer,
                          headers: list[tuple[bytes, bytes]]) -> Response:
        """A small answer, read whole and sent in one piece (cut off: 503 from the proxy,
        nothing of it sent yet); an error answer to a forwarded request has its code
        counted (what passed here but the API refused)."""
        try:
            body = b"".join([chunk async for chunk in upstream.chunks()])
        except Exception as exc:
            return self._upstream_unavailable(request, route, exc)
        finally:
            await upstream.aclose()
        self._count(route, upstream.status)
        if route is not None and upstream.status >= 400:
            self.stats.upstream_codes[_code_of(body)] += 1
        response = Response(body, status_code=upstream.status)
        response.raw_headers = headers
        return response

    async def _relay(self, request: Request, upstream: Answer) -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.chunks():
                yield chunk
        except Exception as exc:
            self._note_failure(request, "body_interrupted", exc)
            raise UpstreamInterrupted("the upstream's answer was cut off") from None
        finally:
            await upstream.aclose()

    def _upstream_unavailable(self, request: Request, route: Route | None, exc: Exception) -> Response:
        """No answer from the upstream: 503 provider_error, from the proxy."""
        kind = failure_kind(exc)
        self._note_failure(request, kind, exc)
        answer = problem(C.provider_error, route)
        response = _Json({"error": answer.error, "code": answer.code}, status_code=answer.status)
        if route is not None and route.version == "v1":
            response.headers.update(V1_HEADERS)
        response.headers[MARK_HEADER] = "upstream-error"
        response.headers[UPSTREAM_ERROR_HEADER] = kind
        return response

    def _note_failure(self, request: Request, kind: str, exc: Exception) -> None:
        self.stats.upstream_errors[kind] += 1
        sent = "not sent" if kind in NOT_SENT else "may have reached the upstream"
        log.warning("upstream %s: %s %s (%s, %s)", kind, request.method, redact(_raw_path(request)),
                    type(exc).__name__, sent)

    async def stats_page(self, request: Request) -> Response:
        return _Json({"upstream": self.upstream.url(), **self.stats.snapshot()})


def create_proxy_app(upstream: str, options: Options | None = None, timeouts: Timeouts | float | None = None,
                     max_connections: int = 100) -> Starlette:
    """The proxy app (run it with its lifespan: the upstream pool opens and closes there).
    ``timeouts``: a :class:`Timeouts` or the read timeout in seconds."""
    proxy = Proxy(upstream, options, timeouts, max_connections)
    app = Starlette(routes=[HttpRoute(STATS_PATH, proxy.stats_page, methods=["GET"]),
                            HttpRoute("/{rest:path}", proxy.api, methods=_METHODS)],
                    lifespan=proxy.lifespan)
    app.router.default = request_response(proxy.api)  # paths no route pattern matches (%0A) too
    app.state.proxy = proxy
    return app


# --- helpers -----------------------------------------------------------------------------------------------

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
