"""httpx pre-flight: refuse a request locally, before any network I/O.

::

    import httpx
    from trackly_validate.integrations.httpx import ValidatingTransport

    client = httpx.Client(base_url="https://api.tracklysms.com/api",
                          transport=ValidatingTransport(),
                          headers={"X-Api-Key": key})
    client.post("/v2/send", json={"to": "+1415"})   # raises TracklyValidationError, nothing sent

The wrapped transport (default ``httpx.HTTPTransport()``) only sees requests the API
would accept; requests to endpoints the library does not model (GETs, unknown paths)
pass through untouched.  A streamed body is read once and kept on the request, so the
wrapped transport still sends it.
"""

from __future__ import annotations

import httpx

from ..errors import TracklyValidationError
from ..options import Options, coerce_options
from . import API_KEY_HEADER, check_route, find

__all__ = ["ValidatingTransport", "AsyncValidatingTransport"]


class ValidatingTransport(httpx.BaseTransport):
    """Wraps a sync httpx transport; raises :class:`TracklyValidationError` instead of
    sending a request the API would refuse.  ``check_api_key=False`` skips the
    ``X-Api-Key`` format check (e.g. a gateway adds the key)."""

    def __init__(self, transport: httpx.BaseTransport | None = None, *, options: Options | None = None,
                 check_api_key: bool = True) -> None:
        self.transport = transport if transport is not None else httpx.HTTPTransport()
        self.options = coerce_options(options)
        self.check_api_key = check_api_key

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        route = find(request.method, str(request.url))
        if route is not None:
            try:
                body = request.content
            except httpx.RequestNotRead:  # a streamed body: read it once, it stays on the request
                body = request.read()
            problems = check_route(route, request.headers.get(API_KEY_HEADER), body, options=self.options,
                                   check_key=self.check_api_key, path=request.url.path)
            if problems:
                raise TracklyValidationError(problems)
        return self.transport.handle_request(request)

    def close(self) -> None:
        self.transport.close()


class AsyncValidatingTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`ValidatingTransport` (default ``httpx.AsyncHTTPTransport()``)."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None, *, options: Options | None = None,
                 check_api_key: bool = True) -> None:
        self.transport = transport if transport is not None else httpx.AsyncHTTPTransport()
        self.options = coerce_options(options)
        self.check_api_key = check_api_key

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = find(request.method, str(request.url))
        if route is not None:
            try:
                body = request.content
            except httpx.RequestNotRead:
                body = await request.aread()
            problems = check_route(route, request.headers.get(API_KEY_HEADER), body, options=self.options,
                                   check_key=self.check_api_key, path=request.url.path)
            if problems:
                raise TracklyValidationError(problems)
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self.transport.aclose()
