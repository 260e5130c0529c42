"""An OpenAPI 3.1 document of every modelled endpoint: ``tv.openapi()``.

Built from what the library already knows, so it cannot drift from the checks:

- request bodies: each route's model's JSON Schema (its ``$defs`` under
  ``components/schemas``); the read contracts (GETs, DELETEs by path) with their query
  parameters (filters, ``page``/``per_page`` with default and maximum);
- ``X-Api-Key`` as the ``apiKey`` security scheme;
- the success answer of each endpoint from the contract's shape
  (:data:`trackly_validate.contracts.shapes.SHAPES`, which the stand-in answers with),
  with the docs' example, and the headers its answers carry (``HEADERS``: v1's);
- one error response per status the endpoint can answer, ``{error, code, message?}``
  with ``code`` an enum of that status's codes (:func:`trackly_validate.contracts.answers.error_codes`
  with the key codes, plus the account-state codes, :mod:`trackly_validate.contracts.state`) and one
  example per code, and the ``problems`` extension every local answer carries.  403 also
  admits the suspended account's answer, which has no code; 415 is express.json's
  answer to a charset or encoding it cannot decode, without a code.
"""

from __future__ import annotations

import copy
import re
import sys
import types
from typing import Any

from trackly_validate.core.version import __version__
from trackly_validate.contracts.answers import error_codes
from trackly_validate.core.catalog import CATALOG, CodeInfo
from trackly_validate.contracts.routes import READS, ROUTES, Route
from trackly_validate.contracts.shapes import HEADERS, SHAPES
from trackly_validate.contracts.state import SUSPENDED_ERROR, server_text, state_codes
from trackly_validate.rules.schema import request_schema

__all__ = ["openapi", "PRODUCTION_URL", "SANDBOX_URL"]

PRODUCTION_URL = "https://api.tracklysms.com/api"
SANDBOX_URL = "http://127.0.0.1:4787/api"

_REF = "#/components/schemas/{model}"
_DESCRIPTIONS = {400: "Refused: invalid request", 401: "Refused: API key missing or invalid",
                 402: "Refused: billing", 403: "Refused: account or product not allowed", 404: "Not found",
                 409: "Conflict", 413: "Refused: too large", 415: "Refused: a charset or Content-Encoding "
                 "the body parser cannot decode", 429: "Refused: limit reached",
                 500: "Server error", 502: "Upstream error", 503: "Unavailable"}


def openapi(*, sandbox_url: str = SANDBOX_URL, production_url: str = PRODUCTION_URL) -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh dict on each call)."""
    from trackly_validate.contracts.pipeline import run

    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        body_ref = _hoist(route, schemas)
        codes = _codes(route, state_codes(route))
        op: dict[str, Any] = {
            "operationId": _operation_id(route),
            "summary": route.summary,
            "description": _description(route),
            "tags": [_tag(route)],
            # an empty body is read as {}: required exactly when the library refuses {}
            "requestBody": {"required": bool(run(route, {}).problems),
                            "content": {"application/json": {"schema": {"$ref": body_ref}}}},
            "responses": _responses(route, codes),
        }
        params = [name for name in route.params(tuple(route.template.strip("/").split("/")))]
        if params:
            op["parameters"] = [{"name": name, "in": "path", "required": True, "schema": _path_schema(route, name)}
                                for name in params]
        if route.version == "v1":
            op["deprecated"] = True
        paths.setdefault(route.template, {})[route.method.lower()] = op
    for route in READS:
        paths.setdefault(route.template, {})[route.method.lower()] = _read_operation(route)
    tags = sorted({op["tags"][0] for ops in paths.values() for op in ops.values()})
    return {
        "openapi": "3.1.0",
        "info": {"title": "Trackly SMS API (as modelled by trackly-validate)", "version": __version__,
                 "description": "Every endpoint trackly-validate models, with its documented answers. "
                                "`trackly-validate serve` answers this document locally.",
                 "contact": {"name": "trackly-validate", "url": "https://docs.tracklysms.com"}},
        "tags": [{"name": tag, "description": f"The {tag.split(' ')[0]} endpoints of API "
                  f"{tag.split(' ')[1].strip('()')}"} for tag in tags],
        "servers": [{"url": production_url, "description": "Trackly API"},
                    {"url": sandbox_url, "description": "trackly-validate sandbox (trackly-validate serve)"}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                                           "description": "trk_ followed by 32 letters or digits"}},
            "schemas": schemas,
        },
    }


def _read_operation(route: Route) -> dict[str, Any]:
    """A read contract's operation: path and query parameters, no body."""
    responses = _responses(route, _codes(route, ()))
    if route.listing is not None and route.listing.per_page is not None:
        schema: dict[str, Any] = responses["200"]["content"]["application/json"]["schema"]
        schema["properties"]["pagination"] = {
            "type": "object", "required": ["page", "per_page", "total", "total_pages"],
            "properties": {name: {"type": "integer", "minimum": 0} for name in ("page", "per_page", "total",
                                                                                 "total_pages")}}
    op: dict[str, Any] = {"operationId": _operation_id(route), "summary": route.summary,
                          "description": f"{route.summary} ({route.method} {route.template}).",
                          "tags": [_tag(route)], "responses": responses}
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer"} if name == "list_id" else {"type": "string"}}
        for name in route.params(tuple(route.template.strip("/").split("/")))]
    listing = route.listing
    for q in listing.query if listing is not None else ():
        note = None
        # no value is refused (out of range: clamped; not a number: the default; another
        # word: matches nothing), so the schemas admit any text and say what is meant
        if q.name == "page":
            schema = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}], "default": 1}
            note = "Below 1 or not a whole number: 1. Past the last page: an empty array."
        elif q.name == "per_page":
            assert listing is not None
            schema = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": listing.max_per_page},
                                {"type": "string"}], "default": listing.per_page}
            note = (f"Above {listing.max_per_page}: {listing.max_per_page}; not a whole number: "
                    f"{listing.per_page} (the stand-in's choice; the docs give no error for it).")
        else:
            schema = {"type": "string"}
            if q.values is not None:
                schema["examples"] = list(q.values)
            if q.default is not None:
                schema["default"] = q.default
        entry: dict[str, Any] = {"name": q.name, "in": "query", "required": False, "schema": schema}
        if q.hidden:
            note = f"Without it, {', '.join(q.hidden)} ones are left out."
        if q.values is not None:
            note = ((note + " ") if note else "") + f"One of {', '.join(q.values)}; another value matches nothing."
        if note:
            entry["description"] = note
        params.append(entry)
    if params:
        op["parameters"] = params
    if route.version == "v1":
        op["deprecated"] = True
    return op


def _codes(route: Route, simulated: tuple[CodeInfo, ...]) -> dict[int, list[str]]:
    """``{status: [code, ...]}``: what the pipeline can answer, then the simulated state codes."""
    out = {status: list(found) for status, found in error_codes(route, auth=True).items()}
    for info in simulated:
        found = out.setdefault(route.status_for(info), [])
        if info.code not in found:
            found.append(info.code)
    return dict(sorted(out.items()))


def _responses(route: Route, codes: dict[int, list[str]]) -> dict[str, Any]:
    success = SHAPES[route]
    headers = _headers(route)
    properties = {name: _success_field(name, kind, route) for name, kind in success.fields.items()}
    out: dict[str, Any] = {str(success.status): {
        "description": "Accepted",
        **headers,
        "content": {"application/json": {
            "schema": {"type": "object", "required": list(success.fields), "properties": properties},
            "example": copy.deepcopy(dict(success.example))}},
    }}
    codes = dict(codes)
    codes.setdefault(403, [])
    for status, found in sorted(codes.items()):
        examples = {code: {"value": {"error": server_text(CATALOG[code], route), "code": code}} for code in found}
        shape: dict[str, Any] = {
            "type": "object",
            "required": ["error", "code"],
            "properties": {"error": {"type": "string"}, "code": {"enum": found}, "message": {"type": "string"},
                           "problems": _PROBLEMS},
        }
        if status == 403:  # the suspended account's answer has no code (authentication page)
            examples["suspended"] = {"value": {"error": SUSPENDED_ERROR}}
            suspended_shape = _codeless({"const": SUSPENDED_ERROR})
            shape = {"anyOf": [shape, suspended_shape]} if found else suspended_shape
        out[str(status)] = {"description": _DESCRIPTIONS.get(status, "Error"), **headers,
                            "content": {"application/json": {"schema": shape, "examples": examples}}}
    # express.json: a charset or Content-Encoding it cannot decode, answered without a code
    message = 'unsupported charset "LATIN1"'
    out["415"] = {"description": _DESCRIPTIONS[415], **headers, "content": {"application/json": {
        "schema": _codeless({"type": "string"}),
        "examples": {"charset": {"value": {"error": message, "problems": [{"error": message, "loc": []}]}}}}}}
    return out


def _headers(route: Route) -> dict[str, Any]:
    """``{"headers": ...}`` for an answer of ``route`` (empty: no header every answer carries)."""
    found = {header.name: {"description": header.description, "required": True, "schema": {"type": "string"}}
             for header in HEADERS[route]}
    return {"headers": found} if found else {}


def _success_field(name: str, kind: str, route: Route) -> dict[str, Any]:
    """A top-level field of a success answer (``kind``: a JSON type, ``number|null``)."""
    out: dict[str, Any] = {"type": kind.split("|") if "|" in kind else kind}
    if "array" in kind.split("|"):
        out["items"] = {}
    if name == "errors" and route.items is not None:
        out["description"] = ("Partial success: the items the server did not accept, each with its index and "
                              "error; the others were accepted.  A request whose only problems are in its items "
                              "is answered with this status, not refused.")
    return out


#: The extension every local answer carries (``trackly_validate.doors.http.answer``): every
#: problem found, the server's answer first, each with its JSON path in the body.
_PROBLEMS: dict[str, Any] = {
    "type": "array",
    "description": "trackly-validate's extension (the API itself sends error and code only): every problem "
                   "found, the server's answer first, each with the JSON path of the value (loc).",
    "items": {"type": "object", "required": ["error", "loc"],
              "properties": {"code": {"type": "string"}, "error": {"type": "string"},
                             "loc": {"type": "array", "items": {"type": ["string", "integer"]}}}},
}


def _codeless(error: dict[str, Any]) -> dict[str, Any]:
    """An answer the server sends without a code."""
    return {"type": "object", "required": ["error"], "properties": {"error": error, "problems": _PROBLEMS}}


def _hoist(route: Route, schemas: dict[str, Any]) -> str:
    """Put the route's body schema (and its ``$defs``) under ``components/schemas``; its ``$ref``."""
    model = route.model
    schema = request_schema(model, _REF)
    for name, sub in schema.pop("$defs", {}).items():
        if schemas.setdefault(name, sub) != sub:  # pragma: no cover - guarded by tests/doors/test_openapi.py
            raise ValueError(f"two different schemas are both named {name!r}")
    name = model.__name__
    if schemas.setdefault(name, schema) != schema:  # pragma: no cover
        raise ValueError(f"two different body schemas are both named {name!r}")
    return _REF.format(model=name)


def _path_schema(route: Route, name: str) -> dict[str, Any]:
    """A path parameter: a string, with its format rule's pattern (the audience id)."""
    rule = dict(route.path_checks).get(name)
    return {"type": "string", "pattern": rule.pattern} if rule is not None and rule.pattern else {"type": "string"}


def _description(route: Route) -> str:
    """A body operation's description: its model's docstring (the fields' rules are in the schema)."""
    text = " ".join((route.model.__doc__ or route.summary).split())
    if route.items is not None:
        text += (f" Partial success: when the only problems are in `{route.items}` items, the request is "
                 "accepted and the refused items are listed in the answer's `errors`. Above the item cap or "
                 "5 MiB the whole request is refused with 413.")
    return text


def _operation_id(route: Route) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{route.method.lower()}{route.template}").strip("_")


def _tag(route: Route) -> str:
    parts = route.template.strip("/").split("/")
    return f"{parts[1]} ({parts[0]})"


class _DocumentModule(types.ModuleType):
    """This module, callable as :func:`openapi`: importing ``trackly_validate.doors.openapi``
    makes the package attribute ``tv.openapi`` this module (Python sets a submodule on
    its package), and ``tv.openapi()`` must still build the document."""

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        return openapi(**kwargs)


sys.modules[__name__].__class__ = _DocumentModule
