"""FastAPI: trackly-validate models as request bodies, answered as the Trackly API answers.

::

    from fastapi import FastAPI
    import trackly_validate as tv
    from trackly_validate.doors.fastapi import install

    app = FastAPI()
    install(app)                      # or install(app, options=tv.Options(phone_level="valid"))

    @app.post("/send")
    def send(message: tv.models.SendMessage): ...

A request to a route whose body is a trackly-validate model goes through the HTTP face
the stand-in and the proxy use before FastAPI parses it:

- the body is read as express.json reads it (``trackly_validate.doors.http.reader``): only
  ``application/json`` is read (another type is judged as ``{}``), ``utf-*`` charsets
  decoded and gzip/deflate/br inflated (else 415), 413 ``payload_too_large`` past 5 MiB
  as received or inflated (a larger ``Content-Length`` is refused before reading); a
  refused body is read off before the answer;
- the pipeline judges it with ``install``'s ``options``; a refused body is answered with
  the one error answer (``trackly_validate.doors.http.answer``): the first problem's status
  and ``{"error": ..., "code": ..., "problems": [{"code", "error", "loc"}]}``;
- an accepted body reaches the endpoint as the pipeline's model instance (FastAPI's own
  validation of that parameter returns it), so the endpoint sees exactly what
  ``tv.validate`` gives.

Routes without such a body keep FastAPI's default 422 (or whatever handler was installed
before).  The OpenAPI schema documents, for each such route, one response per status the
endpoint can answer, with ``code`` an enum of its codes at that status (413 included).

Judgement calls
---------------
- The body is judged before the route's other parameters (query, path, header, cookie),
  as the server's express.json and rules run before a handler reads its own parameters:
  a refused body is answered in the API's shape even when a parameter would fail too; an
  accepted body leaves those parameters to FastAPI (their 422).
- A bulk body with problems only in its items is refused whole here: the endpoint
  receives a model instance, and an instance is only built for a valid body (the client
  hooks, the stand-in and the proxy follow the API's partial success instead).
- A body embedded under a key (``Body(embed=True)``, several bodies) is read the same
  way and validated by FastAPI with the options' validators, rendered in the API's shape.
"""

from __future__ import annotations

import contextvars
import inspect
import typing
from typing import Any, Callable, Iterable

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trackly_validate.core import decoding
from trackly_validate.core.internals import replace_type_adapter
from trackly_validate.contracts.answers import error_codes
from trackly_validate.core.errors import Problem
from trackly_validate.doors.http.answer import error_body
from trackly_validate.doors.http.gate import DRAIN_LIMIT, Refused, judge
from trackly_validate.doors.http.reader import Body, BodyReader, Refusal, reading
from trackly_validate.core.options import Options, coerce_options
from trackly_validate.contracts.pipeline import run
from trackly_validate.contracts.routes import Route
from trackly_validate.rules.base import TracklyModel
from trackly_validate.rules.validators import compiled
from trackly_validate.contracts.translate import problems_from_errors, route_for_model

__all__ = ["install", "TracklyErrorResponse", "ProblemOut", "problems_for"]


class ProblemOut(BaseModel):
    """One problem: the API's code (absent where the server sends none) and text, and the
    JSON path in the body."""

    code: str | None = None
    error: str
    loc: list[str | int]


class TracklyErrorResponse(BaseModel):
    """The Trackly API's error body (``code`` absent where the server sends none), with
    every problem found under ``problems`` (``trackly_validate.doors.http.answer``)."""

    error: str
    code: str | None = None
    problems: list[ProblemOut]


# --- which routes have a trackly-validate body ---------------------------------------------------------------

def _trackly_model(annotation: Any) -> type[TracklyModel] | None:
    """The TracklyModel in ``annotation`` (``M``, ``M | None``, ``Annotated[M, ...]``)."""
    if isinstance(annotation, type):
        return annotation if issubclass(annotation, TracklyModel) else None
    for arg in typing.get_args(annotation):
        found = _trackly_model(arg)
        if found is not None:
            return found
    return None


def _body_models(route: Any) -> list[tuple[tuple[str, ...], type[TracklyModel], str | None, Any]]:
    """``(loc prefix, model, embedded key, FastAPI field)`` for each trackly-validate body."""
    if not isinstance(route, APIRoute):
        return []
    cached = getattr(route, "_trackly_bodies", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    params = _flat_body_params(route.dependant)
    embed = len({p.name for p in params}) > 1 or any(getattr(p.field_info, "embed", False) for p in params)
    out: list[tuple[tuple[str, ...], type[TracklyModel], str | None, Any]] = []
    for p in params:
        model = _trackly_model(p.field_info.annotation)
        if model is not None:
            out.append((("body", p.alias) if embed else ("body",), model, p.alias if embed else None, p))
    route._trackly_bodies = out  # type: ignore[attr-defined]
    return out


def _flat_body_params(dependant: Any) -> list[Any]:
    """Body parameters of an endpoint and its dependencies, one per name (as FastAPI embeds them)."""
    out: dict[str, Any] = {}
    stack = [dependant]
    while stack:
        dep = stack.pop()
        for p in getattr(dep, "body_params", ()):
            out.setdefault(p.name, p)
        stack.extend(getattr(dep, "dependencies", ()))
    return list(out.values())


def _has_other_params(route: APIRoute) -> bool:
    """Whether the route validates query/path/header/cookie parameters (which keep the 422)."""
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        if any(getattr(dep, kind, None) for kind in ("query_params", "path_params", "header_params",
                                                        "cookie_params")):
            return True
        stack.extend(getattr(dep, "dependencies", ()))
    return False


def _contract(model: type[BaseModel]) -> Route | None:
    """The Trackly endpoint whose body ``model`` is (statuses, order, path rules)."""
    return route_for_model(model)


# --- FastAPI's own validation of those parameters --------------------------------------------------------------

_ACCEPTED: contextvars.ContextVar[BaseModel | None] = contextvars.ContextVar("trackly_accepted", default=None)


class _OptionsAdapter:
    """Stands in for a body field's TypeAdapter: the instance the pipeline already accepted
    for this request, else the model's validator for the app's options."""

    def __init__(self, model: type[BaseModel], options: Options, original: Any) -> None:
        self.model, self.options, self.original = model, options, original

    def validate_python(self, value: Any, **_: Any) -> Any:
        accepted = _ACCEPTED.get()
        if accepted is not None and type(accepted) is self.model:
            return accepted
        return compiled(self.model, self.options).validator.validate_python(value)

    def __getattr__(self, name: str) -> Any:  # schema generation and the rest: the original
        return getattr(self.original, name)


def _adapter_maker(model: type[BaseModel], options: Options) -> Callable[[Any], "_OptionsAdapter"]:
    """What replaces a body parameter's validator: the model's, compiled for ``options``."""
    def make(original: Any) -> _OptionsAdapter:
        return _OptionsAdapter(model, options, original)
    return make


def _patch_fields(route: APIRoute, options: Options) -> None:
    if getattr(route, "_trackly_patched", False):
        return
    for _prefix, model, _key, field in _body_models(route):
        replace_type_adapter(field, _adapter_maker(model, options))
    route._trackly_patched = True  # type: ignore[attr-defined]


# --- the middleware: size rule and the pipeline on the raw body ---------------------------------------------

class _TracklyBodies:
    """ASGI middleware for routes with a trackly-validate body (see the module docstring)."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI, options: Options) -> None:
        self.app, self.fastapi_app, self.options = app, fastapi_app, options

    def _route(self, scope: Scope) -> APIRoute | None:
        for route in self.fastapi_app.router.routes:
            if isinstance(route, APIRoute):
                match, _ = route.matches(scope)
                if match is Match.FULL:
                    return route if _body_models(route) else None
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._route(scope) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        _patch_fields(route, self.options)
        bodies = _body_models(route)
        contract = _contract(bodies[0][1])
        read = await _read_body(scope, receive)
        if isinstance(read, Refusal):
            verdict = judge(contract, read, [], self.options) if contract is not None else \
                Refused(None, read.status, read.message)
            assert isinstance(verdict, Refused)  # a body the reader refused is never admitted
            await _respond(verdict)(scope, receive, send)
            return
        token = None
        if len(bodies) == 1 and bodies[0][2] is None and contract is not None:
            problems, instance, _data = run(contract, read.judged, self.options, limit=None)
            if problems:
                await _render(problems)(scope, receive, send)
                return
            token = _ACCEPTED.set(instance)
        text = decoding.as_server_reads(read.judged)  # what JSON.parse reads (U+FFFD, no BOM)
        try:
            await self.app(_as_json(scope, text), _replay(text), send)
        finally:
            if token is not None:
                _ACCEPTED.reset(token)


async def _read_body(scope: Scope, receive: Receive) -> Body | Refusal:
    """The request body as express.json reads it; a refused one is read off first (up to
    the gate's drain limit), as body-parser does before answering."""
    how = reading(Headers(scope=scope))
    reader = BodyReader(how, keep_raw=False)
    waits = any(k == b"expect" and v.strip().lower() == b"100-continue" for k, v in scope.get("headers", ()))
    more = not (how.refused is not None and waits)  # refused before reading: do not ask for the body
    drained = 0
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        more = message.get("more_body", False)
        if reader.feed(chunk) is not None:
            drained += len(chunk)
            if drained > DRAIN_LIMIT:
                break
    return reader.finish()


def _as_json(scope: Scope, body: bytes) -> Scope:
    """The scope FastAPI sees: the body is the JSON text express.json read (``{}`` for a
    body it leaves unread), so its headers say so."""
    kept = [(k, v) for k, v in scope.get("headers", ())
            if k not in (b"content-type", b"content-length", b"content-encoding", b"transfer-encoding")]
    kept += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return {**scope, "headers": kept}


def _replay(raw: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return {"type": "http.disconnect"}
    return receive


def _render(problems: list[Problem]) -> JSONResponse:
    return JSONResponse(error_body(problems), status_code=problems[0].status)


def _respond(refused: Refused) -> JSONResponse:
    response = JSONResponse(refused.answer(), status_code=refused.status)
    if refused.close:
        response.headers["Connection"] = "close"
    return response


# --- FastAPI's validation errors on those routes ---------------------------------------------------------------

def _empty_body_problems(model: type[TracklyModel], options: Options) -> list[Problem]:
    """What the endpoint answers for ``{}``."""
    contract = _contract(model)
    if contract is not None:
        return run(contract, b"{}", options).problems
    from pydantic import ValidationError

    try:
        compiled(model, options).validator.validate_json(b"{}")
    except ValidationError as exc:
        return problems_from_errors(exc.errors(include_url=False), model, data={}, options=options)
    return []


def problems_for(route: Any, errors: Iterable[dict[str, Any]], body: Any,
                 options: Options | None = None) -> list[Problem] | None:
    """The Trackly problems for FastAPI's validation ``errors`` on ``route``, or ``None``
    when the route has no trackly-validate body or an error lies outside it."""
    opts = coerce_options(options)
    bodies = _body_models(route)
    if not bodies:
        return None
    groups: dict[int, list[dict[str, Any]]] = {}
    for err in errors:
        loc = tuple(err.get("loc") or ())
        for i, (prefix, _model, _key, _field) in enumerate(bodies):
            if loc[: len(prefix)] == prefix:
                groups.setdefault(i, []).append({**err, "loc": loc[len(prefix):]})
                break
        else:
            return None
    problems: list[Problem] = []
    for i, errs in groups.items():
        _prefix, model, key, _field = bodies[i]
        data = body.get(key) if key is not None and isinstance(body, dict) else body
        if any(e.get("type") == "missing" and not e["loc"] for e in errs):
            problems += _empty_body_problems(model, opts)
            continue
        for e in errs:
            if e.get("type") == "json_invalid":
                e["loc"] = ()
        problems += problems_from_errors(errs, model, data=data if isinstance(data, (dict, list)) else None,
                                         options=opts)
    return problems or None


def install(app: FastAPI, *, options: Options | None = None) -> FastAPI:
    """Answer trackly-validate bodies as the Trackly API would (size rule, ``options``,
    shape and status) and document it in the OpenAPI schema; idempotent."""
    if getattr(app.state, "trackly_validate_installed", False):
        return app
    app.state.trackly_validate_installed = True
    opts = coerce_options(options)
    previous = app.exception_handlers.get(RequestValidationError, request_validation_exception_handler)

    async def handler(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, RequestValidationError)  # registered for that class only
        problems = problems_for(request.scope.get("route"), exc.errors(), getattr(exc, "body", None), opts)
        if problems:
            return _render(problems)
        result = previous(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(RequestValidationError, handler)
    app.add_middleware(_TracklyBodies, fastapi_app=app, options=opts)
    _patch_openapi(app, opts)
    return app


# --- OpenAPI ---------------------------------------------------------------------------------------------

_REF = "#/components/schemas/TracklyErrorResponse"


def _answers(model: type[TracklyModel], options: Options) -> dict[int, tuple[str, ...]]:
    """The statuses and codes a route with this body can answer with (413 always)."""
    contract = _contract(model)
    if contract is None:
        return {400: (), 413: ()}
    return error_codes(contract, local_for=options)


def _add_error_shape(app: FastAPI, schema: dict[str, Any], options: Options) -> None:
    touched = False
    for route in app.routes:
        bodies = _body_models(route)
        if not bodies or not route.include_in_schema:  # type: ignore[attr-defined]
            continue
        ops = schema.get("paths", {}).get(route.path_format, {})  # type: ignore[attr-defined]
        answers: dict[int, set[str]] = {}
        for _p, model, _k, _f in bodies:
            for status, codes in _answers(model, options).items():
                answers.setdefault(status, set()).update(codes)
        for method in route.methods or ():  # type: ignore[attr-defined]
            op = ops.get(method.lower())
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            if not _has_other_params(route):  # type: ignore[arg-type]
                responses.pop("422", None)
            for status, raised in sorted(answers.items()):
                shape: dict[str, Any] = {"$ref": _REF}
                if raised:
                    shape = {"allOf": [{"$ref": _REF},
                                       {"type": "object", "properties": {"code": {"enum": sorted(raised)}}}]}
                responses[str(status)] = {
                    "description": "Refused with the Trackly API's code, message and status",
                    "content": {"application/json": {"schema": shape}},
                }
            touched = True
    if touched:
        shape = TracklyErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(shape.pop("$defs", {}))
        components["TracklyErrorResponse"] = shape


def _patch_openapi(app: FastAPI, options: Options) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        _add_error_shape(app, schema, options)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
