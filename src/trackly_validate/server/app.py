"""The sandbox: a Starlette app that answers ``/api/v2/...`` and ``/api/v1/...`` like the
Trackly API, serves its OpenAPI document, and records what it received.

Every API request takes one path (:meth:`Sandbox.api`)::

    route    : method + raw path -> the modelled endpoint (404 not_found for anything else)
    body     : as express.json reads it (.body): application/json only, inflated and
               decoded from its charset, in chunks; past 5 MiB stop reading -> 413
               payload_too_large; another type is not read (judged as {})
    key      : X-Api-Key format (and, with fixtures, one of the account's) -> 401
    account  : suspended -> 403 without code; product off -> 403 product_not_enabled
    pipeline : the one request pipeline (bulk: trackly_validate.bulk.partition)
    state    : the fixtures' resources -> not_found, list_not_found, daily_cap_exceeded...
    answer   : the documented success shape (shapes.SUCCESS), or the first problem

The validating proxy (:mod:`.proxy`) is this class with other answer steps: it forwards
what passes the checks and anything unmodelled instead of simulating the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from pydantic_core import to_json
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as HttpRoute, request_response

from .. import decoding
from ..auth import check_api_key, redact
from ..bulk import Partition, partition
from ..catalog import C, CodeInfo
from ..errors import Problem
from ..options import DEFAULT_OPTIONS, Options, coerce_options
from ..pipeline import in_server_order, is_parser_refusal, run, too_large
from ..routes import ROUTES, Route
from ..translate import problem
from .body import TooLarge, Unreadable, drain, read_json, reading
from .shapes import Accepted, Ids, success_for
from .simulation import (COMPLETE_SCHEDULE, PATH_RESOURCES, PRODUCTS, REFERENCES, SENDS, SUSPENDED_ERROR, Ref,
                         server_text, values_at)
from .store import Store, load_fixtures

__all__ = ["create_app", "Sandbox", "Checked", "PROBLEMS_KEY"]

#: The extension key under which an error answer lists every problem (the server sends
#: only ``error`` and ``code``).
PROBLEMS_KEY = "x-trackly-problems"

#: Every v1 response carries these (messaging.md §1.5).
V1_HEADERS = {"X-API-Deprecated": "v1 is deprecated", "Deprecation": "true"}

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_HIDDEN_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "proxy-authorization"})


class _Json(JSONResponse):
    """A JSON answer written as Node writes it (JSON.stringify: a non-finite number is null)."""

    def render(self, content: Any) -> bytes:
        return to_json(content, inf_nan_mode="null")


class _Refused(Exception):
    """A request answered with an error before the endpoint's success."""

    def __init__(self, problems: list[Problem] | None = None, body: dict[str, Any] | None = None, status: int = 0):
        self.problems = problems or []
        self.body = body
        self.status = status or (self.problems[0].status if self.problems else 400)


@dataclass(frozen=True, slots=True)
class Checked:
    """A request that passed the local checks: ``raw`` the body bytes as received
    (``None`` when express.json does not read them: another type, left unread),
    ``body`` the UTF-8 JSON text express.json reads of them (``b""`` when unread),
    ``split`` the bulk partition (``None`` on other endpoints)."""

    route: Route
    params: dict[str, str]
    path: str
    raw: bytes | None
    body: bytes
    split: Partition | None


class Sandbox:
    """The app's state: options, the account store, the id source, the document."""

    def __init__(self, options: Options | None = None, fixtures: Any = None, seed: int | None = None):
        self.options = DEFAULT_OPTIONS if options is None else coerce_options(options)
        self.store = Store(load_fixtures(fixtures))
        self.ids = Ids(seed)
        self._document: dict[str, Any] | None = None

    # --- the API ---------------------------------------------------------------------------------------

    async def api(self, request: Request) -> Response:
        route, params, path = _match(request.method, _raw_path(request))
        if route is None:
            return await self.unmodelled(request)
        how = reading(request.headers)
        if how.refused is not None:
            return await self.unreadable(request, route, Unreadable(415, how.refused))
        raw: bytes | None = None
        body = b""
        try:
            if how.parsed:
                try:
                    raw, body = await read_json(request.stream(), request.headers, how)
                except TooLarge:
                    raise _Refused([too_large(route)]) from None
                except Unreadable as unreadable:
                    return await self.unreadable(request, route, unreadable, raw=raw)
            checked = self.check(request, route, params, path, raw, body)
            response = await self.answer(request, checked)
        except _Refused as refused:
            response = self.refusal(route, refused)
        if not how.parsed:  # unread by express.json: read to its end (the proxy may have sent it on)
            await _drain(request)
        self.record(request, route, body if raw is not None or not how.parsed else None, response)
        return response

    async def unreadable(self, request: Request, route: Route, unreadable: Unreadable,
                         raw: bytes | None = None) -> Response:
        """A body express.json refuses to read (a charset or encoding it cannot decode:
        415; compressed data that does not inflate: 400).  The catalog has no code for a
        415: the answer is body-parser's status and message without one."""
        await _drain(request)
        if unreadable.status == 400:
            refused = _Refused([problem(C.invalid_input, route)])
        else:
            refused = _Refused(body={"error": unreadable.message}, status=unreadable.status)
        response = self.refusal(route, refused)
        self.record(request, route, None, response)
        return response

    def check(self, request: Request, route: Route, params: dict[str, str], path: str, raw: bytes | None,
              body: bytes) -> Checked:
        """The local checks, in the server's order (``pipeline.in_server_order``, as every
        HTTP door orders them): the body parser's refusals, the key, the account, then the
        body's rules (the one pipeline; a bulk request's items are reported in its answer)."""
        key_problems = check_api_key(request.headers.get("x-api-key"))
        if not key_problems and not self.store.key_known(request.headers["x-api-key"]):
            key_problems = [problem(C.invalid_api_key, route, ("X-Api-Key",))]
        split = partition(route.method, path, body, options=self.options) if route.items else None
        found = in_server_order(list(split.problems) if split is not None
                                else run(route, body, self.options, path=path).problems, key_problems)
        if found and (key_problems or is_parser_refusal(found[0])):
            raise _Refused(found)
        self._check_account(route)
        if found:
            raise _Refused(found)
        return Checked(route, params, path, raw, body, split)

    async def answer(self, request: Request, checked: Checked) -> Response:
        """A request that passed the local checks: the fixtures' state, then the success."""
        route, split = checked.route, checked.split
        data = split.source if split is not None else decoding.parse(checked.body)
        accepted = Accepted(route, data if isinstance(data, dict) else {}, checked.params, self.store, self.ids)
        if split is not None:
            accepted.items = list(zip(split.accepted_indices, split.accepted))
            accepted.errors = list(split.errors)
        if not self.store.open:
            self._check_state(accepted)
        shape = success_for(route)
        response = _Json(shape.build(accepted), status_code=shape.status)
        if route.version == "v1":
            response.headers.update(V1_HEADERS)
        return response

    async def unmodelled(self, request: Request) -> Response:
        """Anything but a modelled endpoint: 404 ``not_found``, as the API answers it."""
        response = _error_response(_Refused([problem(C.not_found, None)]))
        self.record(request, None, None, response)
        return response

    def refusal(self, route: Route, refused: _Refused) -> Response:
        """The answer to a refused request (v1 answers carry the deprecation headers)."""
        response = _error_response(refused)
        if route.version == "v1":
            response.headers.update(V1_HEADERS)
        return response

    def record(self, request: Request, route: Route | None, raw: bytes | None, response: Response) -> None:
        """One entry of the request log (keys redacted): ``raw`` the body express.json
        read (``b""``: not read, another type), ``None`` when it was left unread
        (unmodelled, refused unread) or stopped past the limit (413)."""
        path = _raw_path(request)
        entry: dict[str, Any] = {"method": request.method, "path": redact(path),
                                 "query": redact(request.url.query), "headers": _shown_headers(request)}
        if route is not None:
            if raw is None:
                entry["body"] = None
                if response.status_code == 413:
                    entry["body_too_large"] = True
            else:
                entry["body"] = _shown_body(raw)
        entry["status"] = response.status_code
        entry["endpoint"] = route.key if route is not None else None
        code = getattr(response, "trackly_code", None)
        if code is not None:
            entry["code"] = code
        self.store.log(entry)

    # --- the account's state ------------------------------------------------------------------------------

    def _check_account(self, route: Route) -> None:
        if self.store.suspended:
            raise _Refused(body={"error": SUSPENDED_ERROR}, status=403)
        product = PRODUCTS.get(route.key)
        if product is not None and not self.store.product_enabled(product):
            text = server_text(C.product_not_enabled, route)
            raise _Refused([problem(C.product_not_enabled, route, (), text)])

    def _check_state(self, ctx: Accepted) -> None:
        route, store = ctx.route, self.store
        table = PATH_RESOURCES.get(route.key)
        if table is not None:
            ctx.existing = store.get(table, ctx.params.get("id", ""))
            if ctx.existing is None:
                raise _Refused([problem(C.not_found, route, ("path", "id"))])
            if table == "schedules" and ctx.existing.get("status") == COMPLETE_SCHEDULE:
                raise _Refused([problem(C.schedule_complete, route)])
        prefix = f"{route.items}[]." if route.items else None
        for ref in REFERENCES.get(route.key, ()):
            if prefix is None or not ref.field.startswith(prefix):
                for value in _ref_values(ctx.body, ref.field):
                    found = self._unmet(route, ref, value, ())
                    if found is not None:
                        raise _Refused([found])
        if prefix is not None:
            self._check_items(ctx, prefix)
        if route.key in SENDS and store.daily_cap is not None:
            wanted = len(ctx.items) if route.items else 1
            if wanted and store.sent_today() + wanted > store.daily_cap:
                raise _Refused([problem(C.daily_cap_exceeded, route)])

    def _check_items(self, ctx: Accepted, prefix: str) -> None:
        """Per-item references of a bulk request: a missing one moves the item to errors[]."""
        route = ctx.route
        refs = [ref for ref in REFERENCES.get(route.key, ()) if ref.field.startswith(prefix)]
        if not refs:
            return
        kept: list[tuple[int, Any]] = []
        for index, item in ctx.items:
            found = None
            for ref in refs:
                field = ref.field[len(prefix):]
                values = list(_ref_values(item, field))
                if not values and ref.default is not None:
                    values = list(_ref_values(ctx.body, ref.default))
                for value in values:
                    found = self._unmet(route, ref, value, (route.items, index, field))
                    if found is not None:
                        break
                if found is not None:
                    break
            if found is None:
                kept.append((index, item))
                continue
            entry: dict[str, Any] = {"index": index}
            for name in route.echo:
                entry[name] = item.get(name) if isinstance(item, dict) else None
            entry.update(code=found.code, error=found.error)
            ctx.errors.append(entry)
        ctx.items = kept
        ctx.errors.sort(key=lambda e: e["index"])

    def _unmet(self, route: Route, ref: Ref, value: Any, loc: tuple[Any, ...]) -> Problem | None:
        row = self.store.find(ref.table, ref.column, value)
        if row is None:
            return problem(ref.info, route, loc, _text(ref.info, route, value))
        if ref.requires is not None and not row.get(ref.requires, True) and ref.unmet is not None:
            return problem(ref.unmet, route, loc, _text(ref.unmet, route, value))
        return None

    # --- the sandbox's own endpoints -------------------------------------------------------------------------

    async def openapi_json(self, request: Request) -> Response:
        if self._document is None:
            from ..openapi import openapi

            base = str(request.base_url).rstrip("/")
            self._document = openapi(sandbox_url=f"{base}/api")
        return _Json(self._document)

    async def requests_log(self, request: Request) -> Response:
        if request.method == "DELETE":
            return _Json({"deleted": self.store.clear_requests()})
        return _Json({"requests": self.store.requests()})


def create_app(options: Options | None = None, fixtures: Any = None, seed: int | None = None) -> Starlette:
    """The sandbox app: ``fixtures`` is a path to a JSON file or a mapping (see
    ``examples/sandbox-fixtures.json``); ``seed`` makes generated ids repeatable."""
    sandbox = Sandbox(options, fixtures, seed)
    app = Starlette(routes=[
        HttpRoute("/openapi.json", sandbox.openapi_json, methods=["GET"]),
        HttpRoute("/_sandbox/requests", sandbox.requests_log, methods=["GET", "DELETE"]),
        HttpRoute("/{rest:path}", sandbox.api, methods=_METHODS),
    ])
    # a path the route patterns cannot match (a decoded newline: %0A) still gets the
    # API's answer, not Starlette's plain-text 404
    app.router.default = request_response(sandbox.api)
    app.state.sandbox = sandbox
    return app


# --- helpers -----------------------------------------------------------------------------------------------------

def _raw_path(request: Request) -> str:
    """The path as sent (percent-encoding kept), without the query."""
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    return str(raw_path.decode("latin-1").split("?", 1)[0])


def _match(method: str, raw_path: str) -> tuple[Route | None, dict[str, str], str]:
    """The route for ``method`` and the raw (percent-encoded) path under ``/api``, as
    Express matches it: literal segments on the raw path, case-insensitively; parameter
    values decoded after.  The path for the path rules: the route's literals with the
    request's parameter values (a decoded "/" inside one stays encoded)."""
    segments = [s for s in raw_path.split("/") if s]
    if not segments or segments[0].lower() != "api":
        return None, {}, raw_path
    raw = tuple(segments[1:])
    folded = tuple(s.lower() for s in raw)  # the literals are lower case; a parameter matches any text
    for route in ROUTES:
        if route.method == method and route.matches(folded):
            template = route.template.strip("/").split("/")
            values = tuple(unquote(s) if t.startswith("{") else t for t, s in zip(template, raw))
            checked = "/" + "/".join(v if "/" not in v else s for v, s in zip(values, raw))
            return route, route.params(values), checked
    return None, {}, raw_path


async def _drain(request: Request) -> None:
    """Read a body nobody reads to its end (unless it was already sent on)."""
    try:
        await drain(request.stream())
    except (RuntimeError, ClientDisconnect):  # consumed (forwarded) / the client went away
        pass


def _ref_values(data: Any, field: str) -> list[Any]:
    """The values a reference names; ``a+b`` pairs two fields of one object."""
    if "+" in field:
        found = [list(values_at(data, part)) for part in field.split("+")]
        return [tuple(v[0] for v in found)] if all(found) else []
    return list(values_at(data, field))


def _text(info: CodeInfo, route: Route, value: Any) -> str:
    """The server's text, the ``…`` filled with the id it names (key-shaped text redacted)."""
    return server_text(info, route, redact(str(value)) if not isinstance(value, tuple) else None)


def _error_response(refused: _Refused) -> Response:
    if refused.body is not None:
        return _Json(refused.body, status_code=refused.status)
    first = refused.problems[0]
    content = {"error": first.error, "code": first.code,
               PROBLEMS_KEY: [{"code": p.code, "error": p.error, "loc": list(p.loc)} for p in refused.problems]}
    response = _Json(content, status_code=first.status)
    response.trackly_code = first.code  # type: ignore[attr-defined]
    if first.status == 413:
        response.headers["Connection"] = "close"
    return response


def _shown_headers(request: Request) -> dict[str, str]:
    """The request's headers for the log: key-bearing ones only say they were there."""
    shown = {}
    for name, value in request.headers.items():
        shown[name] = "[redacted]" if name in _HIDDEN_HEADERS else redact(value)
    return shown


def _shown_body(raw: bytes) -> Any:
    """The body for the log: JSON data when it parses, else text; key-shaped text redacted."""
    if not raw:
        return None
    text = redact(decoding.as_server_reads(raw).decode("utf-8"))  # no lone surrogate reaches the log
    try:
        return json.loads(text)
    except ValueError:
        return text
