"""httpx pre-flight: refuse a request locally, before any network I/O.

::

    import httpx
    from trackly_validate.doors.httpx import ValidatingTransport

    client = httpx.Client(base_url="https://api.tracklysms.com/api",
                          transport=ValidatingTransport(),
                          headers={"X-Api-Key": key})
    client.post("/v2/send", json={"to": "+1415"})   # raises TracklyValidationError, nothing sent

The wrapped transport (default ``httpx.HTTPTransport()``) only sees requests the API
would accept, judged as the server judges the bytes and headers it will receive (see
``trackly_validate.doors.hooks``: a gzip body is inflated, a ``text/plain`` one is read as
``{}``); requests to endpoints the library does not model (GETs, unknown paths) pass
through untouched.  A streamed body is read once and kept on the request, so the wrapped
transport still sends it.  A bulk request with problems only in its items is sent (the
API's partial success): its item problems are on ``response.extensions["trackly_item_problems"]``
and given to ``on_item_problems``; ``refuse_partial_bulk=True`` refuses it instead.
"""

from __future__ import annotations

import httpx

from trackly_validate.core.options import Options
from trackly_validate.contracts.routes import find
from trackly_validate.doors.hooks import ItemProblems, Preflight

__all__ = ["ValidatingTransport", "AsyncValidatingTransport"]


class ValidatingTransport(httpx.BaseTransport):
    """Wraps a sync httpx transport; raises :class:`TracklyValidationError` instead of
    sending a request the API would refuse.  ``check_api_key=False`` skips the
    ``X-Api-Key`` format check (e.g. a gateway adds the key)."""

    def __init__(self, transport: httpx.BaseTransport | None = None, *, options: Options | None = None,
                 check_api_key: bool = True, refuse_partial_bulk: bool = False,
                 on_item_problems: ItemProblems | None = None) -> None:
        self.transport = transport if transport is not None else httpx.HTTPTransport()
        self.preflight = Preflight(options, check_api_key, refuse_partial_bulk, on_item_problems)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        route = find(request.method, str(request.url))
        if route is None:
            return self.transport.handle_request(request)
        try:
            body = request.content
        except httpx.RequestNotRead:  # a streamed body: read it once, it stays on the request
            body = request.read()
        items = self.preflight.check(route, request.headers, body, request.url.path)
        response = self.transport.handle_request(request)
        if items:
            response.extensions = {**response.extensions, "trackly_item_problems": items}
        return response

    def close(self) -> None:
        self.transport.close()


class AsyncValidatingTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`ValidatingTransport` (default ``httpx.AsyncHTTPTransport()``)."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None, *, options: Options | None = None,
                 check_api_key: bool = True, refuse_partial_bulk: bool = False,
                 on_item_problems: ItemProblems | None = None) -> None:
        self.transport = transport if transport is not None else httpx.AsyncHTTPTransport()
        self.preflight = Preflight(options, check_api_key, refuse_partial_bulk, on_item_problems)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = find(request.method, str(request.url))
        if route is None:
            return await self.transport.handle_async_request(request)
        try:
            body = request.content
        except httpx.RequestNotRead:
            body = await request.aread()
        items = self.preflight.check(route, request.headers, body, request.url.path)
        response = await self.transport.handle_async_request(request)
        if items:
            response.extensions = {**response.extensions, "trackly_item_problems": items}
        return response

    async def aclose(self) -> None:
        await self.transport.aclose()
