"""FastAPI: trackly-validate models as request bodies, failures in the API's own shape.

::

    from fastapi import FastAPI
    import trackly_validate as tv
    from trackly_validate.integrations.fastapi import install

    app = FastAPI()
    install(app)

    @app.post("/send")
    def send(message: tv.models.SendMessage): ...

A request whose body fails a trackly-validate model is answered like the Trackly API
would: status 400 or 413 (the first problem's, per endpoint, from the catalog) and
``{"error": ..., "code": ..., "problems": [{"code", "error", "loc"}]}`` with every
problem, the one the server would answer first first (``__trackly_order__``), ``loc``
relative to the body.  Routes without such a body keep FastAPI's default 422 (or
whatever handler was installed before).  The OpenAPI schema documents that shape for
those routes (``TracklyErrorResponse``) instead of the 422.

Judgement calls
---------------
- A route takes the Trackly shape only when *every* error is inside a trackly-validate
  body; a failing query or path parameter on the same route keeps the default 422
  (those are the app's own parameters, not the API's).
- A request without a body is checked as ``{}`` (the endpoint's ``missing_*`` codes);
  malformed JSON is ``invalid_input`` with an empty ``loc``.
- Statuses come from the model's rules (400, plus 413 when a rule can answer 413 on
  that endpoint, e.g. ``too_many_messages`` on v2); FastAPI validates with the default
  :class:`~trackly_validate.Options`.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any, Iterable

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from .. import catalog
from ..engine import problems_from_errors, route_for_model
from ..errors import Problem
from ..rules.base import TracklyModel, validator_for, walk_rules

__all__ = ["install", "TracklyErrorResponse", "ProblemOut", "problems_for"]


class ProblemOut(BaseModel):
    """One problem: the API's code and text, and the JSON path in the body."""

    code: str
    error: str
    loc: list[str | int]


class TracklyErrorResponse(BaseModel):
    """The Trackly API's error body, with every problem found."""

    error: str
    code: str
    problems: list[ProblemOut]


def _trackly_model(annotation: Any) -> type[TracklyModel] | None:
    """The TracklyModel in ``annotation`` (``M``, ``M | None``, ``Annotated[M, ...]``)."""
    if isinstance(annotation, type):
        return annotation if issubclass(annotation, TracklyModel) else None
    for arg in typing.get_args(annotation):
        found = _trackly_model(arg)
        if found is not None:
            return found
    return None


def _body_models(route: Any) -> list[tuple[tuple, type[TracklyModel], str | None]]:
    """``(loc prefix, model, embedded key)`` for each trackly-validate body of ``route``."""
    if not isinstance(route, APIRoute):
        return []
    cached = getattr(route, "_trackly_bodies", None)
    if cached is not None:
        return cached
    params = _flat_body_params(route.dependant)
    embed = len({p.name for p in params}) > 1 or any(getattr(p.field_info, "embed", False) for p in params)
    out = []
    for p in params:
        model = _trackly_model(p.field_info.annotation)
        if model is not None:
            out.append((("body", p.alias) if embed else ("body",), model, p.alias if embed else None))
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


def _empty_body_problems(model: type[TracklyModel]) -> list[Problem]:
    """What the endpoint answers for ``{}``."""
    from pydantic import ValidationError

    try:
        validator_for(model).validate_json(b"{}")
    except ValidationError as exc:
        return problems_from_errors(exc.errors(include_url=False), model, data={})
    return []


def problems_for(route: Any, errors: Iterable[dict[str, Any]], body: Any) -> list[Problem] | None:
    """The Trackly problems for FastAPI's validation ``errors`` on ``route``, or ``None``
    when the route has no trackly-validate body or an error lies outside it."""
    bodies = _body_models(route)
    if not bodies:
        return None
    groups: dict[int, list[dict[str, Any]]] = {}
    for err in errors:
        loc = tuple(err.get("loc") or ())
        for i, (prefix, _model, _key) in enumerate(bodies):
            if loc[: len(prefix)] == prefix:
                groups.setdefault(i, []).append({**err, "loc": loc[len(prefix):]})
                break
        else:
            return None
    problems: list[Problem] = []
    for i, errs in groups.items():
        _prefix, model, key = bodies[i]
        data = body.get(key) if key is not None and isinstance(body, dict) else body
        if any(e.get("type") == "missing" and not e["loc"] for e in errs):
            problems += _empty_body_problems(model)
            continue
        for e in errs:
            if e.get("type") == "json_invalid":
                e["loc"] = ()
        problems += problems_from_errors(errs, model, data=data if isinstance(data, (dict, list)) else None)
    return problems or None


def _render(problems: list[Problem]) -> JSONResponse:
    first = problems[0]
    content = {"error": first.error, "code": first.code,
               "problems": [{"code": p.code, "error": p.error, "loc": list(p.loc)} for p in problems]}
    return JSONResponse(content, status_code=first.status)


def install(app: FastAPI) -> FastAPI:
    """Render trackly-validate body failures in the API's shape and status; idempotent."""
    if getattr(app.state, "trackly_validate_installed", False):
        return app
    app.state.trackly_validate_installed = True
    previous = app.exception_handlers.get(RequestValidationError, request_validation_exception_handler)

    async def handler(request: Request, exc: RequestValidationError) -> Any:
        problems = problems_for(request.scope.get("route"), exc.errors(), getattr(exc, "body", None))
        if problems:
            return _render(problems)
        result = previous(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(RequestValidationError, handler)
    _patch_openapi(app)
    return app


# --- OpenAPI ---------------------------------------------------------------------------------------------

_REF = "#/components/schemas/TracklyErrorResponse"


def _statuses(model: type[TracklyModel]) -> list[int]:
    model.model_rebuild()
    route = route_for_model(model)
    found = {400}
    for rule in walk_rules(model.__pydantic_core_schema__):
        for code in rule.codes:
            info = catalog.CATALOG.get(code)
            if info is not None:
                status = info.status_for(route.key, route.version) if route is not None else info.status
                if status == 413:
                    found.add(413)
    return sorted(found)


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


def _add_error_shape(app: FastAPI, schema: dict[str, Any]) -> None:
    touched = False
    for route in app.routes:
        bodies = _body_models(route)
        if not bodies or not route.include_in_schema:
            continue
        ops = schema.get("paths", {}).get(route.path_format, {})
        statuses = sorted({s for _p, model, _k in bodies for s in _statuses(model)})
        for method in route.methods or ():
            op = ops.get(method.lower())
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            if not _has_other_params(route):
                responses.pop("422", None)
            for status in statuses:
                responses[str(status)] = {
                    "description": "Refused with the Trackly API's code, message and status",
                    "content": {"application/json": {"schema": {"$ref": _REF}}},
                }
            touched = True
    if touched:
        shape = TracklyErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(shape.pop("$defs", {}))
        components["TracklyErrorResponse"] = shape


def _patch_openapi(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        _add_error_shape(app, schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
