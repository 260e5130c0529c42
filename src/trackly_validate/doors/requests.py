"""requests pre-flight: a transport adapter that refuses bad requests locally.

::

    import requests
    from trackly_validate.doors.requests import ValidatingAdapter

    session = requests.Session()
    session.mount("https://api.tracklysms.com/", ValidatingAdapter())
    session.post("https://api.tracklysms.com/api/v2/send", json={...},
                 headers={"X-Api-Key": key})   # TracklyValidationError before any I/O

``ValidatingAdapter(adapter=None)`` wraps another adapter (default
``requests.adapters.HTTPAdapter()``; pass your own for retries or pool sizes) and only
hands it requests the API would accept, judged as the server judges the bytes and
headers it will receive (``trackly_validate.doors.hooks``).  Unmodelled endpoints pass
through untouched.  A streamed body (file or generator) is read once and replaced by its
bytes, so the wrapped adapter still sends it.  A bulk request with problems only in its
items is sent (the API's partial success): its item problems are on
``response.trackly_item_problems`` and given to ``on_item_problems``;
``refuse_partial_bulk=True`` refuses it instead.
"""

from __future__ import annotations


from requests.adapters import BaseAdapter, HTTPAdapter
from requests.models import PreparedRequest, Response

from trackly_validate.core.options import Options
from trackly_validate.contracts.routes import find
from trackly_validate.doors.hooks import ItemProblems, Preflight

__all__ = ["ValidatingAdapter"]


def _body_bytes(request: PreparedRequest) -> bytes:
    body = request.body
    if body is None or isinstance(body, bytes):
        return body or b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    # a stream: read it once, then send the bytes instead
    if hasattr(body, "read"):
        data = body.read()
    else:
        data = b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)
    if isinstance(data, str):
        data = data.encode("utf-8")
    request.body = data
    request.headers.pop("Transfer-Encoding", None)
    request.headers["Content-Length"] = str(len(data))
    return data


class ValidatingAdapter(BaseAdapter):
    """Raises :class:`TracklyValidationError` instead of sending a request the API would
    refuse; everything else goes to the wrapped adapter.  ``check_api_key=False`` skips
    the ``X-Api-Key`` format check."""

    def __init__(self, adapter: BaseAdapter | None = None, *, options: Options | None = None,
                 check_api_key: bool = True, refuse_partial_bulk: bool = False,
                 on_item_problems: ItemProblems | None = None) -> None:
        super().__init__()
        self.adapter = adapter if adapter is not None else HTTPAdapter()
        self.preflight = Preflight(options, check_api_key, refuse_partial_bulk, on_item_problems)

    def send(self, request: PreparedRequest, stream: bool = False,
             timeout: float | tuple[float | None, float | None] | None = None, verify: bool | str = True,
             cert: str | tuple[str, str] | None = None, proxies: dict[str, str] | None = None) -> Response:
        def forward() -> Response:  # BaseAdapter.send's parameters (requests passes them all), unchanged
            return self.adapter.send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)

        url = request.url or ""
        route = find(request.method or "GET", url)
        if route is None:
            return forward()
        items = self.preflight.check(route, request.headers, _body_bytes(request), url)
        response = forward()
        if items:
            response.trackly_item_problems = items  # type: ignore[attr-defined]  # handed to the caller on the response
        return response

    def close(self) -> None:
        self.adapter.close()
