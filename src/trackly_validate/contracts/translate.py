"""pydantic errors -> Problems, in the order the server reports them.

Our rules raise the Trackly code as the pydantic error *type*, so translation is a
catalog lookup: a catalog code keeps its text, ``missing`` becomes ``required``, any
other pydantic type becomes ``invalid_input``.  The status is the catalog's for the
endpoint.  ``loc`` is cleaned of pydantic's synthetic parts (union tags,
``function-after[...]``) by walking it against the parsed body, and never echoes a
key-shaped part.  Problems are sorted by the endpoint's documented order; items of a
bulk request come after request-level problems, by index.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from trackly_validate.core import catalog
from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.errors import Problem, redact_loc
from trackly_validate.core.options import Options, coerce_options
from trackly_validate.contracts.routes import Route

__all__ = ["problem", "problems_from_errors", "route_for_model"]


def problem(info: CodeInfo, route: Route | None, loc: tuple[Any, ...] = (), text: str | None = None) -> Problem:
    """The Problem ``info`` gives on ``route`` (its per-endpoint status) at ``loc``."""
    status = route.status_for(info) if route is not None else info.status
    # a loc may hold the caller's own keys (custom field names...): never echo a key-shaped one
    return Problem(info.code, text if text is not None else info.message, status, redact_loc(loc))


def _clean_loc(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Keep a loc part only where the data has it (or, last, a missing key's name)."""
    out: list[Any] = []
    cur = data
    last = len(loc) - 1
    for i, part in enumerate(loc):
        if isinstance(cur, dict) and isinstance(part, str) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif i == last and isinstance(cur, dict) and isinstance(part, str) and not _synthetic(part):
            out.append(part)  # a missing key: the field the problem is about
            cur = None
        # anything else is a tag pydantic added; leave it out
    return tuple(out)


def _synthetic(part: str) -> bool:
    return "[" in part or part in _TAG_WORDS


_TAG_WORDS = frozenset({"str", "int", "float", "bool", "none", "list", "dict", "any", "literal", "chain",
                        "nullable", "union", "model", "default", "custom-error"})


def _order_key(found: Problem, route: Route | None, order: tuple[str, ...], seq: int) -> tuple[int, ...]:
    """Request-level problems first (in the documented order), then bulk items by index."""
    try:
        rank = order.index(found.code)
    except ValueError:
        rank = len(order)
    loc = found.loc
    if route is not None and route.items and len(loc) >= 2 and loc[0] == route.items and isinstance(loc[1], int):
        return (1, loc[1], rank, seq)
    return (0, 0, rank, seq)


def problems_from_errors(errors: Iterable[Mapping[str, Any]], model: type, route: Route | None = None, *,
                         data: Any = None, options: Options | None = None) -> list[Problem]:
    """Problems from pydantic error dicts raised by ``model``, in the endpoint's order.

    ``errors`` is ``ValidationError.errors()`` (or FastAPI's ``RequestValidationError.errors()``
    with its ``"body"`` prefix removed from each ``loc``); ``data`` is the parsed body, used to
    drop pydantic's synthetic union tags from ``loc``.  ``route`` gives the per-endpoint
    statuses and the bulk ordering; when ``None`` it is found from the model (or one of its
    bases) in the route table.  Codes ``options`` disables are left out.
    """
    opts = coerce_options(options)
    route = route if route is not None else route_for_model(model)
    order: tuple[str, ...] = route.codes if route is not None else ()
    keyed: list[tuple[tuple[int, ...], Problem]] = []
    for seq, err in enumerate(errors):
        kind = err.get("type")
        loc = tuple(err.get("loc") or ())
        info = catalog.CATALOG.get(kind) if isinstance(kind, str) else None
        if info is not None:
            text = err.get("msg") or info.message
        elif kind == "missing":
            info, text = C.required, f"{loc[-1]} is required" if loc else C.required.message
        else:
            info, text = C.invalid_input, C.invalid_input.message
        if info.code in opts.disable:
            continue
        if loc and data is not None:
            loc = _clean_loc(loc, data)
        found = problem(info, route, loc, text)
        keyed.append((_order_key(found, route, order, seq), found))
    keyed.sort(key=lambda kp: kp[0])
    return [p for _, p in keyed]


_BY_MODEL: dict[str | None, Route] = {}


def route_for_model(model: type) -> Route | None:
    """The route whose body ``model`` (or one of its bases) checks; ``None`` if none does.

    Matches ``module:qualname`` against the route table without importing other areas.
    """
    if not _BY_MODEL:
        from trackly_validate.contracts.routes import ROUTES

        for r in ROUTES:
            _BY_MODEL.setdefault(r.model_ref, r)
    for cls in getattr(model, "__mro__", ()):
        found = _BY_MODEL.get(f"{cls.__module__}:{cls.__qualname__}")
        if found is not None:
            return found
    return None
