"""The one request pipeline: every door (``check``, ``validate``, ``partition``, the CLI,
the HTTP hooks, FastAPI, DataFrames, the stand-in server and the proxy) calls :func:`run`.

::

    run(route, body, options, path=...)
      path     : the route's path-parameter rules (the server reads the path first)
      bytes    : the body as sent -> JSON bytes; str/bytes are size-checked before any
                 parsing, anything else is measured as its compact UTF-8 JSON
                 -> payload_too_large (413) / invalid_input (400)
      model    : the (route, options) validator of pydantic-core judges the bytes
                 (JSON bytes decoded as the server decodes them: see decoding.py)
      problems : pydantic errors -> Problem(code, error, status, loc), in the endpoint's
                 documented order (translate.py)

Fast paths, each measured in benchmarks/: a dict that is plain JSON data is validated as
it is (Python mode) instead of parsing its JSON back - for such a dict both modes answer
alike (tests/contracts/test_engine_fastpath.py) - which saves ~0.2 µs a ``/v2/send`` body and ~10%
of a 1,000-message bulk; the JSON is still produced, as the 5 MiB rule needs its exact
size.  ``check`` (a single request) and ``run_many`` (a stream of JSONL lines) answer
the accepted common case without the steps' function calls.
"""

from __future__ import annotations

from threading import Lock
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator, from_json, to_json

from trackly_validate.core import decoding
from trackly_validate.core.catalog import C
from trackly_validate.core.errors import Problem, UnknownEndpointError
from trackly_validate.core.options import DEFAULT_OPTIONS, Options, coerce_options
from trackly_validate.contracts.routes import _FOUND as _ROUTE_FOUND, Route, find, normalise_path, suggest
from trackly_validate.rules.compile import compile_fields_validator, compile_validator
from trackly_validate.contracts.translate import problem, problems_from_errors

__all__ = ["MAX_PAYLOAD_BYTES", "Outcome", "run", "problems", "request_problems", "in_server_order", "is_parser_refusal", "run_many", "compiled", "body_bytes", "path_problems",
           "too_large"]

#: The docs' "5 MB" read as 5 MiB (express.json's ``limit: "5mb"``), inclusive.
MAX_PAYLOAD_BYTES = 5 * 1024 * 1024


class Outcome(NamedTuple):
    """What the pipeline says of one request: every problem (the first is the server's
    answer) and, when there are none, the validated model instance."""

    problems: list[Problem]
    instance: BaseModel | None

    @property
    def ok(self) -> bool:
        return not self.problems


Result = tuple[list[Problem], "BaseModel | None"]  # the steps' (problems, instance)
_new_tuple = tuple.__new__  # NamedTuple's own __new__ is Python code: wrap the steps' tuple in C


# --- the (route, options) -> validator cache -------------------------------------------------------------

class Compiled(NamedTuple):
    """A model, its validator for some options, and the verdict-only entry points of the
    fast paths (the fields' validator where the model allows it: no instance is built)."""

    model: type[BaseModel]
    validator: SchemaValidator
    accepts_python: Callable[[Any], Any]
    accepts_json: Callable[[Any], Any]


_COMPILED: dict[Options, dict[str, Compiled]] = {}  # options -> model ref -> Compiled
_COMPILED_MAX = 64  # option sets; cleared when full (a program uses a handful)
_COMPILE_LOCK = Lock()
# the default options' table of that one cache, held directly: most requests use it,
# and reaching it by identity skips hashing the options
_DEFAULT_TABLE: dict[str, Compiled] = _COMPILED.setdefault(DEFAULT_OPTIONS, {})


def _table(options: Options) -> dict[str, Compiled]:
    if options is DEFAULT_OPTIONS:
        return _DEFAULT_TABLE
    found = _COMPILED.get(options)  # by value: equal Options share one table
    if found is None:
        with _COMPILE_LOCK:
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
                _COMPILED[DEFAULT_OPTIONS] = _DEFAULT_TABLE
            found = _COMPILED.setdefault(options, {})
    return found


def compiled(route: Route, options: Options = DEFAULT_OPTIONS) -> Compiled:
    """The model of ``route`` and its validator for ``options`` (options recognised by
    value: two equal ``Options`` share one validator)."""
    found = _table(options).get(route.model_ref)
    return found if found is not None else _compile(route.model_ref, route.model, options)


def validator_for_model(model: type[BaseModel], options: Options = DEFAULT_OPTIONS) -> SchemaValidator:
    """The validator of any library model (a route's body, or a part of one) for ``options``."""
    ref = f"{model.__module__}:{model.__qualname__}"
    found = _table(options).get(ref)
    return (found if found is not None else _compile(ref, model, options)).validator


def _compile(ref: str, model: type[BaseModel], options: Options) -> Compiled:
    validator = compile_validator(model, options)
    verdict = compile_fields_validator(model, options) or validator
    found = Compiled(model, validator, verdict.validate_python, verdict.validate_json)
    table = _table(options)
    with _COMPILE_LOCK:
        return table.setdefault(ref, found)


# --- the steps -------------------------------------------------------------------------------------------

def too_large(route: Route | None = None) -> Problem:
    """The server's answer to a body over :data:`MAX_PAYLOAD_BYTES` (for doors that read
    a body in chunks and stop early)."""
    return problem(C.payload_too_large, route)


def body_bytes(body: Any, route: Route | None = None, limit: int = MAX_PAYLOAD_BYTES) -> bytes | Problem:
    """The body as the JSON bytes that would be sent, or the problem that stops it first.

    ``bytes``/``str`` are the body as sent: size-checked before anything else (an empty
    one is read as ``{}``, as express.json reads a request without a body).  Any other
    value is measured as its compact UTF-8 JSON (what an HTTP client sends)."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        raw = bytes(body)
    elif isinstance(body, str):
        if len(body) > limit:  # every character is at least one byte
            return problem(C.payload_too_large, route)
        raw = body.encode("utf-8", "surrogatepass")  # lone surrogates: invalid bytes, decoded as U+FFFD
    else:
        found = decoding.encode(body)
        if found is None:  # unserialisable objects, cycles, pathological depth
            return problem(C.invalid_input, route)
        raw = found
    if len(raw) > limit:
        return problem(C.payload_too_large, route)
    return raw if raw else b"{}"


def path_problems(route: Route, path: str | None, options: Options) -> list[Problem]:
    """Problems with the route's path parameters (``PUT /v2/audiences/{id}``: an ObjectId),
    ``loc`` ``("path", name)``.  Without a ``path`` there is nothing to check."""
    if not route.path_checks or path is None:
        return []
    values = route.params(normalise_path(path))
    out = []
    for name, rule in route.path_checks:
        if rule.info.code not in options.disable and not rule(values.get(name, "")):
            out.append(problem(rule.info, route, ("path", name)))
    return out


def run(route: Route, body: Any, options: Options = DEFAULT_OPTIONS, *, path: str | None = None,
        limit: int | None = MAX_PAYLOAD_BYTES) -> Outcome:
    """Check one request to ``route``: every problem, first the server's answer, and the
    model instance when there is none.  Never raises for any ``body``; never mutates it.
    ``limit=None``: the body's size was already held to the limit as it was received (the
    HTTP reader measures the bytes in their charset, which a re-encoding would change)."""
    return _new_tuple(Outcome, _run(route, body, options, path, limit))


_TABLE_LIBRARIES = frozenset({"pandas", "polars", "pyarrow", "dask"})


def _refuse_table(body: Any) -> None:
    """A table of rows where one request body is expected: ``TypeError`` naming the door
    to use (``tv.check_frame``), rather than one ``invalid_input`` for the whole table."""
    from trackly_validate.doors.columns.frames import table_hint

    hint = table_hint(body)
    if hint is not None:
        raise TypeError(hint)


def request_problems(route: Route, body: Any, key_problems: list[Problem], options: Options = DEFAULT_OPTIONS, *,
                     path: str | None = None, limit: int | None = MAX_PAYLOAD_BYTES) -> list[Problem]:
    """Every problem of an HTTP request, in the order the server's middleware answers:
    the body parser's refusals first (413 ``payload_too_large``, a body that is not JSON:
    ``invalid_input`` at the root - express.json runs before any route handler), then the
    ``X-Api-Key`` problems (``key_problems``, 401), then the path and body rules.  Every
    HTTP door (the client hooks, the sandbox, the proxy) orders its answer with this."""
    return in_server_order(_run(route, body, options, path, limit)[0], key_problems)


def in_server_order(found: list[Problem], key_problems: list[Problem]) -> list[Problem]:
    """A request's body problems and key problems in the server's order (see
    :func:`request_problems`; the sandbox orders a bulk request's with it too)."""
    if found and is_parser_refusal(found[0]):
        return found + key_problems
    return key_problems + found


def is_parser_refusal(found: Problem) -> bool:
    """Whether ``found`` is the body parser's own answer (the body was never judged)."""
    return found.code == C.payload_too_large.code or (found.code == C.invalid_input.code and not found.loc)


def problems(route: Route, body: Any, options: Options = DEFAULT_OPTIONS, *, path: str | None = None) -> list[Problem]:
    """``run(...).problems``, without building the Outcome."""
    return _run(route, body, options, path)[0]


def check(method: str, path: str, body: Any, *, options: Options | None = None) -> list[Problem]:
    """Every problem the API would report for this request, the first one first.

    Empty when the request would be accepted.  Never raises for a modelled endpoint
    (``UnknownEndpointError`` for an unmodelled one, ``TypeError`` for a DataFrame or a
    table, which ``tv.check_frame`` takes); never mutates ``body``.
    (``tv.check`` is this function: the endpoint lookup is inlined, as it runs per request.)
    """
    try:
        route = _ROUTE_FOUND[method, path]
    except (KeyError, TypeError):
        route = find(method, path)
    if route is None:
        raise UnknownEndpointError(str(method), str(path), suggest(method, path))
    if options is None:
        opts = DEFAULT_OPTIONS
        entry = _DEFAULT_TABLE.get(route.model_ref)
    else:
        opts = coerce_options(options)
        entry = _table(opts).get(route.model_ref)
    if type(body) is dict and entry is not None and not route.path_checks:
        # the commonest request - a small plain-JSON dict the API accepts - answered flat:
        # the steps of _run() for it without their calls (benchmarks/README.md)
        try:
            size = len(to_json(body))
        except Exception:  # not JSON data: _run() decides
            size = MAX_PAYLOAD_BYTES + 1
        if size <= MAX_PAYLOAD_BYTES:
            for key, value in body.items():  # _json_native(body), its first level inlined
                if value.__class__ is str and key.__class__ is str:
                    continue
                kind = type(value)
                if type(key) is not str or not (kind is int or kind is bool or value is None
                                                or _json_native(value, 2)):
                    break
            else:
                try:
                    entry.accepts_python(body)
                    return []
                except ValidationError:
                    pass  # judged again, thoroughly, by _run()
    if type(body).__module__.partition(".")[0] in _TABLE_LIBRARIES:
        _refuse_table(body)
    return _run(route, body, opts, path)[0]


_UNLIMITED = 1 << 62  # a body already measured by the HTTP reader


def _run(route: Route, body: Any, options: Options, path: str | None, limit: int | None = MAX_PAYLOAD_BYTES) -> Result:
    if limit is None:
        limit = _UNLIMITED
    if route.path_checks and path is not None:
        found = path_problems(route, path, options)
        if found:
            return found + _run(route, body, options, None, limit)[0], None
    entry = _table(options).get(route.model_ref)
    if entry is None:
        entry = _compile(route.model_ref, route.model, options)
    if type(body) is not dict:
        encoded = body_bytes(body, route, limit)
        return ([encoded], None) if isinstance(encoded, Problem) else _run_bytes(entry, encoded, route, options)
    try:
        raw = to_json(body)
    except Exception:  # lone surrogates, unserialisable objects...: body_bytes decides
        encoded = body_bytes(body, route, limit)
        return ([encoded], None) if isinstance(encoded, Problem) else _run_bytes(entry, encoded, route, options)
    if len(raw) > limit:
        return [problem(C.payload_too_large, route)], None
    if _json_native(body):
        try:
            return [], entry.validator.validate_python(body)
        except ValidationError as exc:
            return _refused(exc, route, entry.model, options, body)
        except RecursionError:  # pragma: no cover - pydantic-core guards its own depth
            return [problem(C.invalid_input, route)], None
    return _run_bytes(entry, raw, route, options)


def _run_bytes(entry: Compiled, raw: bytes, route: Route, options: Options) -> Result:
    """Validate JSON bytes, read as the server reads them (decoding.py)."""
    model, validator = entry.model, entry.validator
    if decoding.has_nonfinite_literal(raw):
        return [problem(C.invalid_input, route)], None
    try:
        return [], validator.validate_json(raw)
    except ValidationError as exc:
        if not decoding.is_json_syntax_error(exc):
            return _refused(exc, route, model, options, None, raw)
    except RecursionError:  # pragma: no cover - pydantic-core guards its own depth
        return [problem(C.invalid_input, route)], None
    # refused as JSON by pydantic-core: read the bytes as the server decodes them
    fixed = decoding.as_server_reads(raw)
    if fixed != raw:
        if decoding.has_nonfinite_literal(fixed):  # NaN/Infinity the undecoded bytes hid
            return [problem(C.invalid_input, route)], None
        try:
            return [], validator.validate_json(fixed)
        except ValidationError as exc:
            if not decoding.is_json_syntax_error(exc):
                return _refused(exc, route, model, options, None, fixed)
    # still refused: deeper than pydantic-core's parser goes (200 levels)?  Python's
    # parser, bounded by the interpreter's recursion limit; the models bound depth themselves
    data = decoding.loads(fixed)
    if data is decoding.NOT_JSON:
        return [problem(C.invalid_input, route)], None
    try:
        return [], validator.validate_python(data)
    except ValidationError as exc:
        return _refused(exc, route, model, options, data)
    except RecursionError:  # pragma: no cover
        return [problem(C.invalid_input, route)], None


def _refused(exc: ValidationError, route: Route, model: type[BaseModel], options: Options, data: Any,
             raw: bytes | None = None) -> Result:
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    if data is None and raw is not None and any(err["loc"] for err in errors):
        try:
            data = from_json(raw)  # the parsed body, to drop pydantic's synthetic loc parts
        except ValueError:
            data = None
    problems = problems_from_errors(errors, model, route, data=data, options=options)
    if problems:
        return problems, None
    # every error was a disabled code: the model from the body, without the rules that fired
    try:
        parsed = data if data is not None else from_json(raw or b"")
        return [], model.model_construct(**parsed)
    except Exception:  # pragma: no cover - not an object after all
        return [problem(C.invalid_input, route)], None


def run_many(route: Route, bodies: Iterable[Any], options: Options = DEFAULT_OPTIONS, *,
             path: str | None = None) -> Iterator[list[Problem]]:
    """:func:`run` over many bodies of one route (streams: the CLI, frames, pipelines):
    each body's problems (``[]`` when accepted), in order, one body at a time.  ``path``,
    the request path, brings the route's path-parameter rules (they come first)."""
    if route.path_checks and path is not None:
        found = path_problems(route, path, options)
        if found:
            yield from (found + _run(route, body, options, None)[0] for body in bodies)
            return
    validate = compiled(route, options).accepts_json
    for body in bodies:
        # a JSONL line the API accepts, flat (benchmarks/bench_cli.py); anything else: _run()
        # (find() is about twice as fast as `in` on bytes)
        if type(body) is bytes and body and len(body) <= MAX_PAYLOAD_BYTES \
                and body.find(b"NaN") == -1 and body.find(b"Infinity") == -1:
            try:
                validate(body)
                yield []
                continue
            except ValidationError:
                pass
        yield _run(route, body, options, None)[0]


# --- plain JSON data ----------------------------------------------------------------------------------------

_NATIVE_DEPTH = 32
_INF = float("inf")



def _json_native(value: Any, depth: int = 1) -> bool:
    """Whether ``value`` is plain JSON data: dicts with str keys, lists, str, int, bool,
    None and finite floats, all of these exact types (no subclasses, tuples or model
    instances), at most :data:`_NATIVE_DEPTH` containers deep.  For such a value
    ``from_json(to_json(value)) == value`` with the same types, so pydantic-core judges
    it in Python mode as it judges its JSON.  Recursion is bounded by that depth."""
    t = type(value)
    if t is not dict and t is not list:
        return _native_scalar(value)
    if depth > _NATIVE_DEPTH:
        return False
    if t is dict:
        for k in value:
            if k.__class__ is not str:
                return False
        value = value.values()
    for x in value:
        tx = x.__class__
        if tx is str or tx is int or tx is bool or x is None:
            continue
        if tx is dict:  # its level inlined: the items of a bulk array are dicts of scalars
            if depth >= _NATIVE_DEPTH:
                return False
            for k, y in x.items():
                ty = y.__class__
                if k.__class__ is not str:
                    return False
                if ty is str or ty is int or ty is bool or y is None:
                    continue
                if not (_json_native(y, depth + 2) if ty is dict or ty is list else _native_scalar(y)):
                    return False
        elif not (_json_native(x, depth + 1) if tx is list else _native_scalar(x)):
            return False
    return True


def _native_scalar(v: Any) -> bool:
    t = type(v)
    if t is float:
        return v == v and v not in (_INF, -_INF)
    return t is str or t is int or t is bool or v is None
