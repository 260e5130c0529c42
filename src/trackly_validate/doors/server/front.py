"""What the stand-in (app.py) and the proxy (proxy.py) share in front of their own steps:
the request's raw path, the gate (``trackly_validate.doors.http.gate``) run on a Starlette
request, and the one error answer written as Node writes JSON."""

from __future__ import annotations

from typing import Any, AsyncIterator

from pydantic_core import to_json
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from trackly_validate.core.catalog import C
from trackly_validate.doors.http.gate import Admitted, ClientGone, Refused, admit, drain
from trackly_validate.doors.http.reader import node_headers
from trackly_validate.core.options import Options
from trackly_validate.contracts.routes import Route, match
from trackly_validate.contracts.shapes import VERSION_HEADERS
from trackly_validate.contracts.translate import problem

__all__ = ["Json", "METHODS", "V1_HEADERS", "raw_path", "through_gate", "refusal_response", "not_found",
           "drain_request"]

#: Every v1 response carries these (the contract's version headers).
V1_HEADERS = {header.name: header.value for header in VERSION_HEADERS["v1"]}

#: The methods routed to the app (Node answers TRACE like any other: Express's 404 here;
#: CONNECT never reaches the app, see connections.py).
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


class Json(JSONResponse):
    """A JSON answer written as Node writes it (JSON.stringify: a non-finite number is null)."""

    def render(self, content: Any) -> bytes:
        return to_json(content, inf_nan_mode="null")


def raw_path(request: Request) -> str:
    """The path as sent (percent-encoding kept), without the query.  An absolute-form
    target (``http://host/api/v2/send``) is its pathname: Node hands it to Express, which
    routes on the pathname, so the API would process it."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = str(raw.decode("latin-1").split("?", 1)[0])
    if not path.startswith("/"):
        scheme, sep, rest = path.partition("://")
        path = "/" + rest.partition("/")[2] if sep and scheme.isalpha() else path
    return path


async def _chunks(request: Request) -> AsyncIterator[bytes]:
    """The request body's chunks; a client that goes away mid-body raises
    :class:`~trackly_validate.doors.http.gate.ClientGone` (the gate never judges part of a body)."""
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        raise ClientGone from None


async def through_gate(request: Request, options: Options, *, reads: bool = False,
                       **gate: Any) -> tuple[Route | None, Refused | Admitted | None]:
    """The request's route and the gate's verdict (``None`` for an unmodelled request,
    whose body is left for the door); ``reads``: the read contracts too."""
    found = match(request.method, raw_path(request), express=True, reads=reads)
    if found is None:
        return None, None
    headers = node_headers(request.scope["headers"])
    return found.route, await admit(found.route, headers, _chunks(request), options, path=found.path,
                                    params=dict(found.params), **gate)


def refusal_response(refused: Refused) -> Response:
    """The one error answer (``trackly_validate.doors.http.answer``), with the v1 deprecation
    headers on v1 and ``Connection: close`` when the rest of the body was not read."""
    response = Json(refused.answer(), status_code=refused.status)
    response.trackly_code = refused.code  # type: ignore[attr-defined]  # the code rides on the response, for logs
    if refused.route is not None and refused.route.version == "v1":
        response.headers.update(V1_HEADERS)
    if refused.close:
        response.headers["Connection"] = "close"
    return response


def not_found() -> Refused:
    """Anything but a modelled endpoint, as the API answers it: 404 ``not_found``."""
    return Refused.of([problem(C.not_found, None)])


async def drain_request(request: Request) -> None:
    """Read a body nobody reads to its end (unless it was already sent on)."""
    await drain(_chunks(request))
