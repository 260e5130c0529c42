"""check / validate: size, parse, validate, translate, order.

::

    check(method, path, body, options)
      route    : normalise the path, find the template (UnknownEndpointError if none)
      payload  : str/bytes -> size check (5 MiB) *before* parsing;
                 anything else -> its compact UTF-8 JSON (pydantic-core's to_json)
      model    : pydantic-core validates the JSON bytes (one path for raw and parsed
                 bodies, so both always get the same answer); check() validates a
                 plain-JSON dict as it is instead of parsing its JSON back - for such
                 a dict both modes answer alike (tests/test_engine_fastpath.py)
      problems : pydantic errors -> Problem(code, error, status, loc), sorted in the
                 endpoint's documented order

Speed (issue 6): check() remembers the route, model and validator of each (path,
method, options) in bounded tables, so a request costs a couple of dict lookups on top
of pydantic-core; see the "hot path" section below and benchmarks/README.md.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator, from_json, to_json

from . import catalog
from .catalog import C
from .errors import Problem, TracklyValidationError, redact_loc
from .options import DEFAULT_OPTIONS, Options, coerce_options
from .routes import Route, normalise_path, resolve
from .rules.base import validator_for
from .rules.ids import is_object_id

__all__ = ["MAX_PAYLOAD_BYTES", "check", "validate", "model_for", "run", "encode_body",
           "problems_from_errors", "route_for_model", "run_many", "path_problems"]

#: The docs' "5 MB" read as 5 MiB, so nothing the server accepts is refused.
MAX_PAYLOAD_BYTES = 5 * 1024 * 1024


def _problem(info: catalog.CodeInfo, route: Route | None, loc: tuple = (), text: str | None = None) -> Problem:
    status = info.status_for(route.key, route.version) if route is not None else info.status
    # a loc may hold the caller's own keys (custom field names...): never echo a key-shaped one
    return Problem(info.code, text if text is not None else info.message, status, redact_loc(loc))


def encode_body(body: Any, route: Route | None = None, limit: int = MAX_PAYLOAD_BYTES) -> bytes | Problem:
    """The body as JSON bytes, or the problem that stops it before parsing."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        raw = bytes(body)
    elif isinstance(body, str):
        if len(body) > limit:  # every character is at least one byte
            return _problem(C.payload_too_large, route)
        try:
            raw = body.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates cannot be sent as UTF-8
            return _problem(C.invalid_input, route)
    else:
        try:
            raw = to_json(body)
        except Exception:  # unserialisable objects, cycles, pathological depth
            return _problem(C.invalid_input, route)
    if len(raw) > limit:
        return _problem(C.payload_too_large, route)
    return raw


def _clean_loc(loc: tuple, data: Any) -> tuple:
    """Drop pydantic's synthetic loc items (union tags, ``function-after[...]``) by
    walking the loc against the parsed body: keep a key only where the data has it."""
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


def _translate(exc: ValidationError, route: Route, model: type[BaseModel], raw: bytes,
               options: Options, data: Any = None) -> list[Problem]:
    """The engine's side of :func:`problems_from_errors`: parses the body (only when a
    problem has a loc to clean) unless the caller already has it."""
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    if data is None and any(err["loc"] for err in errors):
        try:
            data = from_json(raw)
        except ValueError:
            data = None
    return problems_from_errors(errors, model, route, data=data, options=options)


_UNSET = object()


def _order_key(problem: Problem, route: Route, model: type[BaseModel], seq: int) -> tuple:
    order = getattr(model, "__trackly_order__", ())
    try:
        rank = order.index(problem.code)
    except ValueError:
        rank = len(order)
    loc = problem.loc
    if route.items and len(loc) >= 2 and loc[0] == route.items and isinstance(loc[1], int):
        return (1, loc[1], rank, seq)
    return (0, 0, rank, seq)


# --- the hot path ----------------------------------------------------------------------------------------
# check() costs a couple of µs, so its per-call Python is kept to a few dict lookups:
# the route of a (method, path) pair, and the model and validator of a route for
# given options, are remembered in bounded tables (the default-options validator is
# the model's own schema, compiled once with cache_strings="keys", instead of calling
# model_rebuild() per request; a later forced rebuild of a library model is not seen).
# The body is still serialised with to_json: the 5 MiB rule needs its exact compact
# size.  A sound upper bound (6 bytes a character...) would let small bodies skip it,
# but computing one in Python costs as much as to_json itself, and to_json also decides
# what cannot be sent at all (lone surrogates, unserialisable objects) - so no bound.
# A dict that is not plain JSON (a datetime, a tuple, a model instance...) is judged
# as the JSON it becomes; a plain-JSON dict is validated as it is (same answer, no
# parse): see _json_native().

_ROUTE_OF: dict[tuple[str, str], Route] = {}  # (method, path) -> route
_DEFAULT_OF: dict[str, tuple[type[BaseModel], Any]] = {}  # route.model_ref -> (model, validator)
_VARIANT_OF: dict[tuple[str, int], tuple[Options, type[BaseModel], Any]] = {}  # (model_ref, id(options)) -> …
_TABLE_MAX = 4096  # each table is cleared when it reaches this size


def _resolve(method: str, path: str) -> Route:
    if type(method) is not str or type(path) is not str:
        return resolve(method, path)
    key = (method, path)
    found = _ROUTE_OF.get(key)
    if found is None:
        found = resolve(method, path)  # UnknownEndpointError is never remembered
        if len(_ROUTE_OF) >= _TABLE_MAX:
            _ROUTE_OF.clear()
        _ROUTE_OF[key] = found
    return found


def _default_validator(model: type[BaseModel]) -> Any:
    """The model's validator, recompiled with ``cache_strings="keys"``: JSON values
    (phone numbers, texts) are mostly unique, so interning them costs more than it
    saves (~0.2 µs a request).  Same schema and config otherwise, so same answers."""
    validator = validator_for(model, DEFAULT_OPTIONS)  # builds the model once
    schema = model.__pydantic_core_schema__
    if schema.get("type") == "model" and isinstance(schema.get("config"), dict):
        try:
            return SchemaValidator(schema, {**schema["config"], "cache_strings": "keys"})
        except Exception:  # pragma: no cover - keep the model's own
            pass
    return validator


def _compiled(route: Route, options: Options) -> tuple[type[BaseModel], Any]:
    """(model, validator) of ``route`` for ``options``, remembered."""
    if options is DEFAULT_OPTIONS:
        found = _DEFAULT_OF.get(route.model_ref)
        if found is None:
            model = route.model
            found = _DEFAULT_OF[route.model_ref] = (model, _default_validator(model))
        return found
    key = (route.model_ref, id(options))
    hit = _VARIANT_OF.get(key)
    if hit is not None and hit[0] is options:  # the options object is kept, so its id is not reused
        return hit[1], hit[2]
    model = route.model
    validator = validator_for(model, options)
    if len(_VARIANT_OF) >= _TABLE_MAX:
        _VARIANT_OF.clear()
    _VARIANT_OF[key] = (options, model, validator)
    return model, validator


# check() validates a JSON-native dict as it is (Python mode) rather than parsing its
# JSON back: the walk that proves it is plain JSON costs less than the parse (~0.3 µs
# against ~1 µs for a /v2/send body, 0.3 ms against 0.55 ms for a 1,000-message bulk).
# The JSON is still produced, for the exact 5 MiB rule and for error locations.


def _json_native(value: Any, depth: int = 1) -> bool:
    """Whether ``value`` is plain JSON data: dicts with str keys, lists, str, int, bool,
    None and finite floats, all of these exact types (no subclasses, no tuples, no
    model instances), nested at most :data:`_NATIVE_DEPTH` containers deep.  For such a
    value ``from_json(to_json(value)) == value`` with the same types, so pydantic-core
    judges it in Python mode as it judges its JSON (deeper values keep the JSON path:
    its parser has its own nesting limit).  Recursion is bounded by that depth."""
    t = type(value)
    if t is dict:
        if depth > _NATIVE_DEPTH:
            return False
        for k, x in value.items():
            if type(k) is not str:
                return False
            tx = type(x)
            if tx is str or tx is int or tx is bool or x is None:
                continue
            if not (_json_native(x, depth + 1) if tx is dict or tx is list else _native_scalar(x)):
                return False
        return True
    if t is list:
        if depth > _NATIVE_DEPTH:
            return False
        for x in value:
            tx = type(x)
            if tx is str or tx is int or tx is bool or x is None:
                continue
            if not (_json_native(x, depth + 1) if tx is dict or tx is list else _native_scalar(x)):
                return False
        return True
    return _native_scalar(value)


def _native_scalar(v: Any) -> bool:
    t = type(v)
    if t is float:
        return v == v and v not in (_INF, -_INF)
    return t is str or t is int or t is bool or v is None


_NATIVE_DEPTH = 32
_INF = float("inf")


def _nonfinite_literal(raw: bytes) -> bool:
    """Whether ``raw`` holds a ``NaN``/``Infinity`` literal outside strings.

    pydantic-core's parser accepts them; JSON (RFC 8259) and the server's parser do not,
    so such a body is ``invalid_input``.  A byte search keeps this off the common path."""
    if b"NaN" not in raw and b"Infinity" not in raw:
        return False
    try:
        from_json(raw, allow_inf_nan=False)
        return False
    except ValueError:
        try:
            from_json(raw)  # parses once the literals are allowed: they were the problem
        except ValueError:
            return False  # unparseable for another reason: validation reports it
        return True


def _too_deep(exc: ValidationError) -> bool:
    """pydantic-core's JSON parser stops at 200 nesting levels (a 100-deep audience filter
    is ~201): such bodies are re-read with Python's parser rather than refused."""
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    return len(errors) == 1 and errors[0]["type"] == "json_invalid" and "recursion" in errors[0]["msg"]


def _judge(validator: Any, raw: bytes, route: Route, model: type[BaseModel], options: Options,
           body: Any = None) -> tuple[list[Problem], BaseModel | None]:
    """Validate JSON bytes: (problems, instance).  The one place every JSON path ends in."""
    if (b"NaN" in raw or b"Infinity" in raw) and _nonfinite_literal(raw):
        return [_problem(C.invalid_input, route)], None
    data: Any = None
    try:
        return [], validator.validate_json(raw)
    except ValidationError as exc:
        if not _too_deep(exc):
            return _failed(exc, route, model, raw, options, None)
    except RecursionError:  # pragma: no cover - pydantic-core guards its own depth
        return [_problem(C.invalid_input, route)], None
    # deeper than pydantic-core's parser goes: Python's parser (bounded by the interpreter's
    # recursion limit) and Python-mode validation, which the models bound themselves
    data = body if type(body) in (dict, list) else None
    if data is None:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError, UnicodeDecodeError):
            return [_problem(C.invalid_input, route)], None
    try:
        return [], validator.validate_python(data)
    except ValidationError as exc:
        return _failed(exc, route, model, raw, options, data)
    except RecursionError:  # pragma: no cover
        return [_problem(C.invalid_input, route)], None


def _failed(exc: ValidationError, route: Route, model: type[BaseModel], raw: bytes, options: Options,
            data: Any) -> tuple[list[Problem], BaseModel | None]:
    problems = _translate(exc, route, model, raw, options, data)
    if problems:
        return problems, None
    # every problem was a disabled code: build the model from the parsed body
    # without the rules that fired
    try:
        parsed = data if data is not None else from_json(raw)
        return [], model.model_construct(**parsed)
    except Exception:  # pragma: no cover - not an object after all
        return [_problem(C.invalid_input, route)], None


def run(route: Route, body: Any, options: Options) -> tuple[list[Problem], BaseModel | None]:
    """Check ``body`` against ``route``: (problems, model instance or None)."""
    if type(body) is dict:  # the common case, exactly as encode_body() does it
        try:
            raw: Any = to_json(body)
        except Exception:  # unserialisable objects, cycles, pathological depth
            return [_problem(C.invalid_input, route)], None
        if len(raw) > MAX_PAYLOAD_BYTES:
            return [_problem(C.payload_too_large, route)], None
    else:
        raw = encode_body(body, route)
        if isinstance(raw, Problem):
            return [raw], None
    model, validator = _compiled(route, options)
    return _judge(validator, raw, route, model, options, body)


_HOT: dict[str, dict[str, tuple[Any, Route, Options, type[BaseModel], Any]]] = {}
# path -> method -> (options, route, coerced options, model, validator) of the last
# check() there; the options object is kept in the entry and compared by identity


def check(method: str, path: str, body: Any, *, options: Options | None = None) -> list[Problem]:
    """Every problem the API would report for this request, the first one first.

    Empty when the request would be accepted.  Never raises for a modelled endpoint
    (``UnknownEndpointError`` for an unmodelled one); never mutates ``body``.
    """
    if type(body) is dict:
        # run() inlined for the commonest call (same steps, same answers)
        try:
            hot = _HOT[path][method]
        except (KeyError, TypeError):  # first call here, or an unhashable method/path
            hot = None
        if hot is not None and hot[0] is options:
            _, route, opts, model, validator = hot
            try:
                raw = to_json(body)
            except Exception:  # unserialisable objects, cycles, pathological depth
                return [_problem(C.invalid_input, route)]
            if len(raw) > MAX_PAYLOAD_BYTES:
                return [_problem(C.payload_too_large, route)]
            native = True  # _json_native(body), its first level inlined
            for k, x in body.items():
                tx = type(x)
                if type(k) is not str or not (tx is str or tx is int or tx is bool or x is None
                                              or _json_native(x, 2)):
                    native = False
                    break
            if not native:
                return _judge(validator, raw, route, model, opts, body)[0]
            try:
                validator.validate_python(body)
                return []
            except ValidationError as exc:
                return _translate(exc, route, model, raw, opts)
            except RecursionError:  # pragma: no cover - pydantic-core guards its own depth
                return [_problem(C.invalid_input, route)]
        route = _resolve(method, path)
        opts = DEFAULT_OPTIONS if options is None else coerce_options(options)
        if route.path_checks:  # rare (an ID in the path): never on the remembered path
            return path_problems(route, path, opts) + run(route, body, opts)[0]
        if type(method) is str and type(path) is str:
            if len(_HOT) >= _TABLE_MAX:
                _HOT.clear()
            by_method = _HOT.setdefault(path, {})
            if len(by_method) >= 16:  # odd spellings of methods cannot grow it without bound
                by_method.clear()
            by_method[method] = (options, route, opts, *_compiled(route, opts))
        return run(route, body, opts)[0]
    route = _resolve(method, path)
    opts = DEFAULT_OPTIONS if options is None else coerce_options(options)
    problems = run(route, body, opts)[0]
    return path_problems(route, path, opts) + problems if route.path_checks else problems


def path_problems(route: Route, path: str, options: Options) -> list[Problem]:
    """Problems with the route's path parameters (``PUT /v2/audiences/{id}``: the id must
    be an ObjectId, ``invalid_audience_id``, inferred).  ``loc`` is ``("path", name)``;
    they come first: the server reads the path before the body."""
    out: list[Problem] = []
    if not route.path_checks:
        return out
    values = route.params(normalise_path(path))
    for name, code in route.path_checks:
        if code in options.disable:
            continue
        if not _PATH_RULES[code](values.get(name, "")):
            out.append(_problem(catalog.CATALOG[code], route, ("path", name)))
    return out


_PATH_RULES = {"invalid_audience_id": is_object_id}


def validate(method: str, path: str, body: Any, *, options: Options | None = None) -> BaseModel:
    """The validated model instance, or :class:`TracklyValidationError` with every problem."""
    route = _resolve(method, path)
    opts = DEFAULT_OPTIONS if options is None else coerce_options(options)
    problems, instance = run(route, body, opts)
    if route.path_checks:
        problems = path_problems(route, path, opts) + problems
    if problems:
        raise TracklyValidationError(problems)
    assert instance is not None
    return instance


def model_for(method: str, path: str) -> type[BaseModel]:
    """The pydantic model a route's body is checked with."""
    return resolve(method, path).model


# --- pydantic errors raised outside the engine (FastAPI, a model used directly) ---------------------------

def problems_from_errors(errors: Any, model: type[BaseModel], route: Route | None = None, *,
                         data: Any = None, options: Options | None = None) -> list[Problem]:
    """Problems from pydantic error dicts raised by ``model``, in the endpoint's order.

    ``errors`` is ``ValidationError.errors()`` (or FastAPI's ``RequestValidationError.errors()``
    with its ``"body"`` prefix removed from each ``loc``); ``data`` is the parsed body, used to
    drop pydantic's synthetic union tags from ``loc``.  ``route`` gives the per-endpoint
    statuses and the bulk ordering; when ``None`` it is found from the model (or one of its
    bases) in the route table.  Translation is the engine's: catalog codes keep their text,
    ``missing`` becomes ``required``, any other pydantic type becomes ``invalid_input``.
    """
    opts = coerce_options(options)
    route = route if route is not None else route_for_model(model)
    order = getattr(model, "__trackly_order__", ())
    keyed: list[tuple[tuple, Problem]] = []
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
        problem = _problem(info, route, loc, text)
        if route is not None:
            key = _order_key(problem, route, model, seq)
        else:
            rank = order.index(problem.code) if problem.code in order else len(order)
            key = (0, 0, rank, seq)
        keyed.append((key, problem))
    keyed.sort(key=lambda kp: kp[0])
    return [p for _, p in keyed]


_BY_MODEL: dict[str, Route] = {}


def route_for_model(model: type) -> Route | None:
    """The route whose body ``model`` (or one of its bases) checks; ``None`` if none does.

    Matches ``module:qualname`` against the route table without importing other areas.
    """
    if not _BY_MODEL:
        from .routes import ROUTES

        for r in ROUTES:
            _BY_MODEL.setdefault(r.model_ref, r)
    for cls in getattr(model, "__mro__", ()):
        found = _BY_MODEL.get(f"{cls.__module__}:{cls.__qualname__}")
        if found is not None:
            return found
    return None


def run_many(route: Route, bodies: Any, options: Options) -> Any:
    """:func:`run` over many bodies of one route, for streams (the CLI, pipelines).

    Yields each body's problems (``[]`` when accepted), in order, one body at a time;
    the model and its validator are looked up once, not per body.  Same answers as
    ``run(route, body, options)[0]``.
    """
    model = route.model
    validator = validator_for(model, options)
    validate = validator.validate_json
    for body in bodies:
        raw = encode_body(body, route)
        if isinstance(raw, Problem):
            yield [raw]
            continue
        if b"NaN" not in raw and b"Infinity" not in raw:
            try:  # the common case inlined: no Python beyond this call
                validate(raw)
                yield []
                continue
            except (ValidationError, RecursionError):
                pass
        yield _judge(validator, raw, route, model, options, body)[0]
