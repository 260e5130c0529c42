"""requests pre-flight: a transport adapter that refuses bad requests locally.

::

    import requests
    from trackly_validate.integrations.requests import ValidatingAdapter

    session = requests.Session()
    session.mount("https://api.tracklysms.com/", ValidatingAdapter())
    session.post("https://api.tracklysms.com/api/v2/send", json={...},
                 headers={"X-Api-Key": key})   # TracklyValidationError before any I/O

``ValidatingAdapter(adapter=None)`` wraps another adapter (default
``requests.adapters.HTTPAdapter()``; pass your own for retries or pool sizes) and only
hands it requests the API would accept.  Unmodelled endpoints pass through untouched.
A streamed body (file or generator) is read once and replaced by its bytes, so the
wrapped adapter still sends it.
"""

from __future__ import annotations

from typing import Any

from requests.adapters import BaseAdapter, HTTPAdapter
from requests.models import PreparedRequest, Response

from ..errors import TracklyValidationError
from ..options import Options, coerce_options
from . import API_KEY_HEADER, preflight

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
                 check_api_key: bool = True) -> None:
        super().__init__()
        self.adapter = adapter if adapter is not None else HTTPAdapter()
        self.options = coerce_options(options)
        self.check_api_key = check_api_key

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        problems = preflight(request.method or "GET", request.url or "", request.headers.get(API_KEY_HEADER),
                             lambda: _body_bytes(request), options=self.options, check_key=self.check_api_key)
        if problems:
            raise TracklyValidationError(problems)
        return self.adapter.send(request, **kwargs)

    def close(self) -> None:
        self.adapter.close()
