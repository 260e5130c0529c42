"""The one request pipeline: every door (``check``, ``validate``, ``partition``, the CLI,
the HTTP hooks, FastAPI, DataFrames, the stand-in server and the proxy) calls :func:`run`.

::

    run(route, body, options, path=...)
      path     : the route's path-parameter rules (the server reads the path first)
      bytes    : the body as sent -> JSON bytes; str/bytes are size-checked before any
                 parsing, anything else is measured as its compact UTF-8 JSON
                 -> payload_too_large (413) / invalid_input (400)
      decode   : JSON bytes parsed once, as the server reads them (decoding.py); that
                 value is what is judged and what the Outcome carries on as ``data``
      model    : the (model, options) validator of pydantic-core (rules/validators.py)
                 judges the value in Python mode
      problems : pydantic errors -> Problem(code, error, status, loc), in the endpoint's
                 documented order (translate.py), locs walked against that same value

A dict that is plain JSON data skips the decode step: it is judged as it is (for such a
value Python mode answers as JSON mode does: tests/contracts/test_engine_fastpath.py).  Its
size is held to 5 MiB by its JSON, produced once; a flat object of ASCII strings, bools, null
and small ints by a bound instead (6 bytes a character), its JSON produced only when the
bound nears the limit.  ``instance=False`` asks
the model's fields validator instead (same answers and errors, no instance built), for the
doors that only need the problems.  :func:`run_many` has the one guard in front of the
pipeline: a JSONL line the API accepts answered by pydantic-core's own JSON parser.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, NamedTuple

from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from trackly_validate.core import decoding
from trackly_validate.core.catalog import C
from trackly_validate.core.decoding import NOT_JSON
from trackly_validate.core.errors import Problem
from trackly_validate.core.options import DEFAULT_OPTIONS, Options
from trackly_validate.contracts.routes import Route, normalise_path
from trackly_validate.contracts.translate import problem, problems_from_errors
from trackly_validate.rules.validators import Compiled, compiled, validators_for

__all__ = ["MAX_PAYLOAD_BYTES", "NOT_JSON", "Outcome", "run", "run_flat", "run_many", "in_server_order",
           "is_parser_refusal",
           "body_bytes", "path_problems", "too_large"]

#: The docs' "5 MB" read as 5 MiB (express.json's ``limit: "5mb"``), inclusive.
MAX_PAYLOAD_BYTES = 5 * 1024 * 1024


class Outcome(NamedTuple):
    """What the pipeline says of one request: every problem (the first is the server's
    answer), the validated model instance when there are none (and it was asked for),
    and the body as JSON data, for the doors that read it on (bulk items, the stand-in's
    state) without parsing it again: a str/bytes body as the server's ``JSON.parse``
    gives it, any other body as given; :data:`NOT_JSON` when the body is not JSON or was
    refused for its size before it was read."""

    problems: list[Problem]
    instance: BaseModel | None
    data: Any

    @property
    def ok(self) -> bool:
        return not self.problems


_new = tuple.__new__  # NamedTuple's own __new__ is Python code: build the Outcome in C


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


_UNLIMITED = 1 << 62  # a body already measured by the HTTP reader
_BIG_INT = 10 ** 18  # an int below this in size writes at most 20 characters of JSON


def run(route: Route, body: Any, options: Options = DEFAULT_OPTIONS, *, path: str | None = None,
        limit: int | None = MAX_PAYLOAD_BYTES, instance: bool = True) -> Outcome:
    """Check one request to ``route``: every problem, first the server's answer, the model
    instance when there is none, and the body as JSON data (:class:`Outcome`).  Never
    raises for any ``body``; never mutates it.  ``limit=None``: the body's size was already
    held to the limit as it was received (the HTTP reader measures the bytes in their
    charset, which a re-encoding would change).  ``instance=False``: only the verdict is
    needed (``Outcome.instance`` stays ``None``; the problems are the same)."""
    if path is not None and route.path_checks:
        found = path_problems(route, path, options)
        if found:
            rest = run(route, body, options, limit=limit, instance=False)
            return _new(Outcome, (found + rest.problems, None, rest.data))
    entry = compiled(route.model, options)
    if limit is None:
        limit = _UNLIMITED
    # bytes: the body's JSON, measured; a dict that is plain JSON data is judged as it is
    raw: Any = None
    if body.__class__ is dict:
        # a flat object of ASCII strings, bools, null and small ints is plain JSON data whose
        # JSON cannot exceed 6 bytes a character (\u00XX): measured by that bound, not
        # serialised; anything else is serialised once and measured exactly
        bound = 2
        for key, item in body.items():
            kind = item.__class__
            if key.__class__ is not str or not key.isascii():
                bound = -1
                break
            if kind is str and item.isascii():
                bound += 6 * (len(key) + len(item)) + 6
            elif item is None or kind is bool or (kind is int and -_BIG_INT < item < _BIG_INT):
                bound += 6 * len(key) + 32
            else:
                bound = -1
                break
        if bound < 0 or bound > limit:
            try:
                raw = to_json(body)
            except Exception:  # lone surrogates, values that are not JSON data: body_bytes decides
                raw = body_bytes(body, route, limit)
            else:
                if len(raw) > limit:
                    raw = problem(C.payload_too_large, route)
                elif _json_native(body):
                    raw = None
        value = data = body
    else:
        raw = body_bytes(body, route, limit)
        value = data = body
    # decode: JSON bytes parsed once, as the server reads them
    if raw is not None:
        text = isinstance(body, (bytes, bytearray, memoryview, str))
        if raw.__class__ is Problem:
            return _new(Outcome, ([raw], None, NOT_JSON if text else body))
        value, parsed = decoding.read(raw)
        if value is NOT_JSON:
            return _new(Outcome, ([problem(C.invalid_input, route)], None, NOT_JSON))
        if text:
            data = parsed
    # model: the route's validator judges the value
    try:
        if instance:
            return _new(Outcome, ([], entry.validator.validate_python(value), data))
        entry.accepts_python(value)
        return _new(Outcome, ([], None, data))
    except ValidationError as exc:
        return _refused(exc, entry, value, data, route, options, instance)
    except RecursionError:  # pragma: no cover - pydantic-core guards its own depth
        return _new(Outcome, ([problem(C.invalid_input, route)], None, data))


_FLAT_VALUES = frozenset({str, bool, type(None)})
_DEFAULT_VALIDATORS = validators_for(DEFAULT_OPTIONS)
_FLAT_LIMIT = MAX_PAYLOAD_BYTES // 6 - 64  # characters whose JSON surely fits the limit


def run_flat(route: Route, body: dict[str, Any]) -> BaseModel | Outcome | None:
    """The guard in front of :func:`run` for the commonest request (``tv.validate`` of one
    message): a flat object - ASCII keys, values exactly ``str``, ``bool`` or ``None``,
    ASCII text - far below the size limit, on a route without path rules, with the default
    options.  Such a body is plain JSON data whose JSON is at most 6 bytes a character, so
    :func:`run` would judge it as it is, without its JSON.  The model instance when it is
    accepted, :func:`run`'s :class:`Outcome` when it is refused (the validator's errors
    handed on, not recomputed), ``None`` when the guard does not apply: call :func:`run`.
    Measured in benchmarks/ (``../shared/bench/send_ratio.py``: ~0.6 µs less a call)."""
    entry = _DEFAULT_VALIDATORS.get(route.model)
    if entry is None or route.path_checks:
        return None
    try:
        keys = "".join(body)
    except TypeError:  # a key that is not a str
        return None
    values = body.values()
    if not {*map(type, values)} <= _FLAT_VALUES:
        return None
    text = keys + "".join(map(str, values))  # True/False/None: at most as long as their JSON
    if not text.isascii() or len(text) + 4 * len(body) > _FLAT_LIMIT:
        return None
    try:
        return entry.validator.validate_python(body)  # type: ignore[no-any-return]
    except ValidationError as exc:
        return _refused(exc, entry, body, body, route, DEFAULT_OPTIONS, True)


def _refused(exc: ValidationError, entry: Compiled, value: Any, data: Any, route: Route, options: Options,
             instance: bool) -> Outcome:
    """problems: the validator's errors as the endpoint's problems, locs walked against ``value``."""
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    found = problems_from_errors(errors, entry.model, route, data=value, options=options)
    if found or not instance:
        return _new(Outcome, (found, None, data))
    # every error was a disabled code: the model from the body, without the rules that fired
    try:
        return _new(Outcome, ([], entry.model.model_construct(**value), data))
    except Exception:  # pragma: no cover - not an object after all
        return _new(Outcome, ([problem(C.invalid_input, route)], None, data))


def in_server_order(found: list[Problem], key_problems: list[Problem]) -> list[Problem]:
    """A request's body problems and its ``X-Api-Key`` problems in the order the server's
    middleware answers: the body parser's refusals first (413 ``payload_too_large``, a
    body that is not JSON: ``invalid_input`` at the root - express.json runs before any
    route handler), then the key problems (401), then the path and body rules."""
    if found and is_parser_refusal(found[0]):
        return found + key_problems
    return key_problems + found


def is_parser_refusal(found: Problem) -> bool:
    """Whether ``found`` is the body parser's own answer (the body was never judged)."""
    return found.code == C.payload_too_large.code or (found.code == C.invalid_input.code and not found.loc)


def run_many(route: Route, bodies: Iterable[Any], options: Options = DEFAULT_OPTIONS, *,
             path: str | None = None) -> Iterator[list[Problem]]:
    """:func:`run` over many bodies of one route (streams: the CLI, frames, pipelines):
    each body's problems (``[]`` when accepted), in order, one body at a time.  ``path``,
    the request path, brings the route's path-parameter rules (they come first)."""
    found = path_problems(route, path, options)
    accepts_json = compiled(route.model, options).accepts_json
    for body in bodies:
        # the guard: a JSONL line the API accepts, judged by pydantic-core's JSON parser
        # (benchmarks/bench_cli.py); any other line goes through run().  Bytes within the
        # limit, without a NaN/Infinity literal (JSON has none; pydantic-core's parser
        # takes them): find() is about twice as fast as `in` on bytes
        if not found and type(body) is bytes and body and len(body) <= MAX_PAYLOAD_BYTES \
                and body.find(b"NaN") == -1 and body.find(b"Infinity") == -1:
            try:
                accepts_json(body)
                yield []
                continue
            except ValidationError:
                pass
        problems = run(route, body, options, instance=False).problems
        yield found + problems if found else problems


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
