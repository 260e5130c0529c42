"""The sandbox: a Starlette app that answers ``/api/v2/...`` and ``/api/v1/...`` like the
Trackly API, serves its OpenAPI document, and records what it received.

Every API request goes through the HTTP gate (``trackly_validate.doors.http.gate``, shared with
the proxy and the client hooks), then the simulator's own steps::

    gate     : route on the raw path (404 not_found for anything else) -> the body as
               express.json reads it (415 / 413 / 400, the rest read off first) -> the key
               (format, and with fixtures one of the account's: 401) -> the account
               (suspended: 403 without code; product off: 403 product_not_enabled) ->
               the one request pipeline (bulk: its partition; items in errors[])
    state    : the fixtures' resources -> not_found, list_not_found, daily_cap_exceeded...
    answer   : the contract's success shape (contracts/shapes.SHAPES) with the body its
               builder makes (shapes.BUILDERS), or the one error answer

What the state decides per endpoint is the contract's (contracts/state.ACCOUNT).  A read
contract (GET, DELETE by path) passes the same gate (key, account) and is answered from
the state by reads.py.  The store's work runs in a thread, a write request in one
transaction; the messages a send queued then get their delivery webhooks (delivery.py).
The sandbox's own endpoints: ``/openapi.json``, ``/_sandbox/requests`` (the request log)
and ``/_sandbox/inbound`` (an inbound SMS), the last two for one of the account's keys.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as HttpRoute, request_response

from trackly_validate.core import decoding
from trackly_validate.core.keys import check_api_key, redact
from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.errors import Problem
from trackly_validate.doors.http.answer import PROBLEMS_KEY
from trackly_validate.doors.http.gate import Admitted, Refused
from trackly_validate.core.options import DEFAULT_OPTIONS, Options, coerce_options
from trackly_validate.contracts.routes import Route
from trackly_validate.contracts.translate import problem
from trackly_validate.contracts.shapes import HEADERS, SHAPES
from trackly_validate.contracts.state import ACCOUNT, SUSPENDED_ERROR, Ref, path_resource, server_text, values_at
from trackly_validate.doors.server.front import Json, drain_request, not_found, raw_path, refusal_response, through_gate
from trackly_validate.doors.server.delivery import REMOVES_CONTACT, Webhooks, WebhookSender, event_time, opt_out_keyword, outcome_for
from trackly_validate.doors.server.reads import READERS, NotFound, ReadRequest
from trackly_validate.doors.server.shapes import BUILDERS, DEFAULTS, Accepted, Ids
from trackly_validate.doors.server.store import RequestLog, Store, load_fixtures

__all__ = ["create_app", "Sandbox", "PROBLEMS_KEY"]

_LOG_INLINE = 64 * 1024  # a body up to this size is logged on the event loop
_HIDDEN_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "proxy-authorization"})


class _Refused(Exception):
    """The simulated state refuses an admitted request."""

    def __init__(self, refused: Refused):
        self.refused = refused


class Sandbox:
    """The app's state: options, the account store, the id source, the document."""

    def __init__(self, options: Options | None = None, fixtures: Any = None, seed: int | None = None, *,
                 db: Any = None, reset: bool = False, log_bytes: int | None = None,
                 webhooks: Webhooks | None = None):
        self.options = DEFAULT_OPTIONS if options is None else coerce_options(options)
        self.store = Store(load_fixtures(fixtures), path=db, reset=reset, defaults=DEFAULTS)
        self.log = RequestLog() if log_bytes is None else RequestLog(log_bytes)
        self.ids = Ids(seed)
        self.sender = WebhookSender(webhooks) if webhooks is not None else None
        self._document: dict[str, Any] | None = None

    # --- the API ---------------------------------------------------------------------------------------

    async def api(self, request: Request) -> Response:
        route, verdict = await through_gate(request, self.options, reads=True, key_known=self.store.key_known,
                                            account=self._check_account)
        if route is None or verdict is None:
            await drain_request(request)
            response = refusal_response(not_found())
            self.record(request, None, None, response)
            return response
        if isinstance(verdict, Refused):
            response = refusal_response(verdict)
            self.record(request, route, None, response)
            return response
        # the store's work runs off the event loop: a big bulk never stalls other clients
        if route.reads:
            response = await run_in_threadpool(self.read, verdict, dict(request.query_params))
        else:
            response = await run_in_threadpool(self.answer, verdict)
        if not verdict.body.read:  # unread by express.json (another type): read to its end
            await drain_request(request)
        raw = verdict.body.json if verdict.body.read else b""
        if raw is not None and len(raw) > _LOG_INLINE:  # redacting a big body for the log: off the loop too
            await run_in_threadpool(self.record, request, route, raw, response)
        else:
            self.record(request, route, raw, response)
        return response

    def read(self, admitted: Admitted, query: dict[str, str]) -> Response:
        """A read contract's answer (reads.py), or 404 ``not_found``."""
        route = admitted.route
        try:
            body = READERS[route](ReadRequest(route, admitted.params, query, self.store))
        except NotFound as missing:
            return refusal_response(Refused.of([missing.problem], route))
        return _success(route, body)

    def answer(self, admitted: Admitted) -> Response:
        """A request that passed the gate, in one write transaction: the account's state,
        then the success (what it creates is there for the next request); then the
        delivery webhooks of the messages it queued."""
        try:
            with self.store.transaction():
                response, accepted = self._answer(admitted)
        except _Refused as refused:
            return refusal_response(refused.refused)
        for message in accepted.sent:
            key = (message.get("to"), message.get("list_number"))
            sub = self.store.find("list_contacts", "phone_number+list_number", key)
            outcome = outcome_for(message.get("to"), unsubscribed=sub is not None and sub.get("active") is False)
            if outcome[1] == REMOVES_CONTACT and sub is not None:
                self._unsubscribe(str(key[0]), str(key[1]), "invalid_contact")
            if self.sender is not None:
                self.sender.delivery(message, outcome)
        return response

    def _answer(self, admitted: Admitted) -> tuple[Response, Accepted]:
        route, split = admitted.route, admitted.split
        data = admitted.data
        accepted = Accepted(route, data if isinstance(data, dict) else {}, admitted.params, self.store, self.ids)
        if split is not None:
            accepted.items = list(zip(split.accepted_indices, split.accepted))
            accepted.errors = list(split.errors)
        if not self.store.open:
            self._check_state(accepted)
        else:  # every resource exists; a stored one is updated, not made up
            table = path_resource(route)
            if table is not None:
                accepted.existing = self.store.get(table, accepted.params.get("id", ""))
        return _success(route, BUILDERS[route](accepted)), accepted

    def record(self, request: Request, route: Route | None, raw: bytes | None, response: Response) -> None:
        """One entry of the request log (keys redacted): ``raw`` the body express.json
        read (``b""``: not read, another type), ``None`` when it was refused unread.  A
        body the log cannot hold (nested past what JSON serialisers take) is kept as text;
        the log never fails a request."""
        path = raw_path(request)
        entry: dict[str, Any] = {"method": request.method, "path": redact(path),
                                 "query": redact(request.url.query), "headers": _shown_headers(request)}
        if route is not None:
            entry["body"] = None if raw is None else _shown_body(raw)
            if raw is None and response.status_code == 413:
                entry["body_too_large"] = True
        entry["status"] = response.status_code
        entry["endpoint"] = route.key if route is not None else None
        code = getattr(response, "trackly_code", None)
        if code is not None:
            entry["code"] = code
        try:
            self.log.add(entry)
        except (ValueError, RecursionError, TypeError):
            if raw:
                entry["body"] = _shown_text(raw)
            try:
                self.log.add(entry)
            except Exception:  # noqa: BLE001 - the log never fails the request
                pass

    # --- the account's state ------------------------------------------------------------------------------

    def _check_account(self, route: Route) -> Refused | None:
        if self.store.suspended:
            return Refused(route, 403, SUSPENDED_ERROR)
        product = ACCOUNT[route].product
        if product is not None and not self.store.product_enabled(product):
            text = server_text(C.product_not_enabled, route)
            return Refused.of([problem(C.product_not_enabled, route, (), text)], route)
        return None

    def _check_state(self, ctx: Accepted) -> None:
        route, store, account = ctx.route, self.store, ACCOUNT[ctx.route]
        table = path_resource(route)
        if table is not None:
            ctx.existing = store.get(table, ctx.params.get("id", ""))
            if ctx.existing is None:
                raise _Refused(Refused.of([problem(C.not_found, route, ("path", "id"))], route))
            lock = account.locked
            if lock is not None and ctx.existing.get(lock.field) == lock.value:
                raise _Refused(Refused.of([problem(lock.info, route)], route))
        prefix = f"{route.items}[]." if route.items else None
        for ref in account.refs:
            if prefix is None or not ref.field.startswith(prefix):
                for value in _ref_values(ctx.body, ref.field):
                    found = self._unmet(route, ref, value, ())
                    if found is not None:
                        raise _Refused(Refused.of([found], route))
        if prefix is not None:
            self._check_items(ctx, prefix)
        if account.queues_sms and store.daily_cap is not None:
            wanted = len(ctx.items) if route.items else 1
            if wanted and store.sent_today() + wanted > store.daily_cap:
                raise _Refused(Refused.of([problem(C.daily_cap_exceeded, route)], route))

    def _check_items(self, ctx: Accepted, prefix: str) -> None:
        """Per-item references of a bulk request: a missing one moves the item to errors[]."""
        route = ctx.route
        refs = [ref for ref in ACCOUNT[route].refs if ref.field.startswith(prefix)]
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
        if row is None or (ref.inactive and row.get("status") in ref.inactive):
            return problem(ref.info, route, loc, _text(ref.info, route, value))
        if ref.requires is not None and not row.get(ref.requires, True) and ref.unmet is not None:
            return problem(ref.unmet, route, loc, _text(ref.unmet, route, value))
        return None

    # --- the sandbox's own endpoints -------------------------------------------------------------------------

    async def openapi_json(self, request: Request) -> Response:
        if self._document is None:
            from trackly_validate.doors.openapi import openapi

            base = str(request.base_url).rstrip("/")
            self._document = openapi(sandbox_url=f"{base}/api")
        return Json(self._document)

    def _key_refusal(self, request: Request) -> Response | None:
        """The sandbox's own endpoints open for one of the account's keys only."""
        key = request.headers.get("x-api-key")
        found = check_api_key(key)
        if not found and not self.store.key_known(key or ""):
            found = [problem(C.invalid_api_key, None, ("X-Api-Key",))]
        return refusal_response(Refused.of(found)) if found else None

    async def inbound(self, request: Request) -> Response:
        """An inbound SMS, simulated: ``{"phone_number", "list_number", "body"}``.  An
        opt-out keyword unsubscribes the contact from the list (reason ``message``) and
        makes an ``unsubscribe`` event; anything else a ``reply`` event.  Answers the event."""
        refused = self._key_refusal(request)
        if refused is not None:
            return refused
        try:
            data = json.loads(await request.body())
        except ValueError:
            data = None
        fields = ("phone_number", "list_number", "body")
        if not isinstance(data, dict) or not all(isinstance(data.get(name), str) for name in fields):
            return refusal_response(Refused.of([problem(C.invalid_input, None)]))
        keyword = opt_out_keyword(data["body"])
        event: dict[str, Any]
        if keyword is not None:
            await run_in_threadpool(self._unsubscribe, data["phone_number"], data["list_number"])
            event = {"event": "unsubscribe", "phone_number": data["phone_number"],
                     "list_number": data["list_number"], "keyword": keyword, "timestamp": event_time()}
        else:
            event = {"event": "reply", "phone_number": data["phone_number"], "list_number": data["list_number"],
                     "body": data["body"], "timestamp": event_time()}
        if self.sender is not None:
            self.sender.emit(event)
        return Json({"success": True, "event": event})

    def _unsubscribe(self, phone: str, list_number: str, reason: str = "message") -> None:
        with self.store.transaction():
            sub = self.store.find("list_contacts", "phone_number+list_number", (phone, list_number))
            if sub is not None and sub.get("active") is not False:
                sub.update(active=False, unsubscribe_reason=reason)
                self.store.put("list_contacts", sub, "phone_number+list_number")

    def reset(self, seed: int | None = None, webhooks: Webhooks | None = None) -> None:
        """Fresh state: the fixtures' resources only, an empty log, ids from ``seed``, no
        event of before pending; events go to ``webhooks`` from now on."""
        self.store.reset()
        self.log.clear()
        self.ids = Ids(seed)
        self.send_webhooks_to(webhooks)

    def send_webhooks_to(self, webhooks: Webhooks | None) -> None:
        """Events go to ``webhooks`` from now on (``None``: nowhere); pending ones are dropped."""
        if self.sender is not None:
            self.sender.close()
        self.sender = WebhookSender(webhooks) if webhooks is not None else None

    def close(self) -> None:
        if self.sender is not None:
            self.sender.close()
        self.store.close()

    async def requests_log(self, request: Request) -> Response:
        """The request log, for one of the account's keys only (it holds what clients sent)."""
        refused = self._key_refusal(request)
        if refused is not None:
            return refused
        if request.method == "DELETE":
            return Json({"deleted": self.log.clear()})
        return Response(self.log.json(), media_type="application/json")


def create_app(options: Options | None = None, fixtures: Any = None, seed: int | None = None, *,
               db: Any = None, reset: bool = False, webhooks: Webhooks | None = None) -> Starlette:
    """The sandbox app: ``fixtures`` is a path to a JSON file or a mapping (see
    ``examples/sandbox-fixtures.json``); ``seed`` makes generated ids repeatable; ``db`` a
    database file kept across restarts (``reset``: emptied first, then seeded again);
    ``webhooks`` where delivery events go (:class:`~.delivery.Webhooks`)."""
    sandbox = Sandbox(options, fixtures, seed, db=db, reset=reset, webhooks=webhooks)
    app = Starlette(routes=[
        HttpRoute("/openapi.json", sandbox.openapi_json, methods=["GET"]),
        HttpRoute("/_sandbox/requests", sandbox.requests_log, methods=["GET", "DELETE"]),
        HttpRoute("/_sandbox/inbound", sandbox.inbound, methods=["POST"]),
    ])
    # every other request, whatever its method (PROPFIND too) or path (a decoded newline:
    # %0A), gets the API's answer, never Starlette's plain-text 404/405
    app.router.default = request_response(sandbox.api)
    app.state.sandbox = sandbox
    return app


# --- helpers -----------------------------------------------------------------------------------------------------

def _success(route: Route, body: dict[str, Any]) -> Response:
    """The contract's success answer: its status, ``body``, the headers its answers carry."""
    response = Json(body, status_code=SHAPES[route].status)
    response.headers.update({header.name: header.value for header in HEADERS[route]})
    return response


def _ref_values(data: Any, field: str) -> list[Any]:
    """The values a reference names; ``a+b`` pairs two fields of one object."""
    if "+" in field:
        found = [list(values_at(data, part)) for part in field.split("+")]
        return [tuple(v[0] for v in found)] if all(found) else []
    return list(values_at(data, field))


def _text(info: CodeInfo, route: Route, value: Any) -> str:
    """The server's text, the ``…`` filled with the id it names (key-shaped text redacted)."""
    return server_text(info, route, redact(str(value)) if not isinstance(value, tuple) else None)


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
    text = _shown_text(raw)  # no lone surrogate reaches the log
    try:
        data = json.loads(text)
        # redacted again once decoded: a key written with JSON escapes ("trk\u005f...")
        return json.loads(redact(json.dumps(data, ensure_ascii=False)))
    except (ValueError, RecursionError):
        return text


def _shown_text(raw: bytes) -> str:
    """The body as text for the log, key-shaped text redacted."""
    return redact(decoding.as_server_reads(raw).decode("utf-8"))
