"""The Python doors: ``check``, ``validate``, ``validate_as``, ``model_for``.

Each resolves the endpoint and hands the body to the one request pipeline
(:func:`trackly_validate.contracts.pipeline.run`), which every other door calls too.  A
table of rows (a DataFrame...) where one body is expected is refused here with a
``TypeError`` naming the door that takes it (``tv.check_frame``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from trackly_validate.core.errors import Problem, TracklyError, TracklyValidationError
from trackly_validate.core.options import DEFAULT_OPTIONS, Options, coerce_options
from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES, Outcome, run, run_flat
from trackly_validate.contracts.routes import Route, resolve
from trackly_validate.contracts.translate import problems_from_errors, route_for_model

__all__ = ["MAX_PAYLOAD_BYTES", "check", "validate", "validate_as", "model_for", "problems_from_errors",
           "route_for_model"]

ModelT = TypeVar("ModelT", bound=BaseModel)


def check(method: str, path: str, body: Any, *, options: Options | None = None) -> list[Problem]:
    """Every problem the API would report for this request, the first one first.

    Empty when the request would be accepted.  Never raises for a modelled endpoint
    (``UnknownEndpointError`` for an unmodelled one, ``TypeError`` for a DataFrame or a
    table, which ``tv.check_frame`` takes); never mutates ``body``."""
    route = resolve(method, path)
    if type(body) is not dict:
        _refuse_table(body)
    return run(route, body, DEFAULT_OPTIONS if options is None else coerce_options(options), path=path,
               instance=False).problems


def validate(method: str, path: str, body: Any, *, options: Options | None = None) -> BaseModel:
    """The validated model instance, or :class:`TracklyValidationError` with every problem.

    Typed as ``BaseModel``; :func:`validate_as` returns the endpoint's own model type."""
    route = resolve(method, path)
    if options is None and body.__class__ is dict:
        found = run_flat(route, body)
        if found is not None:
            if found.__class__ is Outcome:
                raise TracklyValidationError(found.problems)
            return found  # type: ignore[return-value]
    return _validated(route, body, path, options)


def validate_as(model: type[ModelT], body: Any, *, path: str | None = None,
                options: Options | None = None) -> ModelT:
    """``validate`` for the endpoint whose body ``model`` is (``tv.models.SendMessage``...),
    typed as that model: ``msg = tv.validate_as(tv.models.SendMessage, body); msg.to``.

    ``path`` (the request path) is needed only for path-parameter rules
    (``PUT /v2/audiences/{id}``).  ``TracklyError`` when no endpoint takes ``model``."""
    route = route_for_model(model)
    if route is None or route.model is not model:
        raise TracklyError(f"{getattr(model, '__qualname__', model)!s} is not the body model of a Trackly endpoint")
    return _validated(route, body, path, options)  # type: ignore[return-value]  # route.model is model


def _validated(route: Route, body: Any, path: str | None, options: Options | None) -> BaseModel:
    if type(body) is not dict:
        _refuse_table(body)
    problems, instance, _data = run(route, body, DEFAULT_OPTIONS if options is None else coerce_options(options),
                                    path=path)
    if problems or instance is None:
        raise TracklyValidationError(problems)
    return instance


_TABLE_LIBRARIES = frozenset({"pandas", "polars", "pyarrow", "dask"})


def _refuse_table(body: Any) -> None:
    """A table of rows where one request body is expected: ``TypeError`` naming the door
    to use, rather than one ``invalid_input`` for the whole table.  Only a value from a
    table library is looked at (its frames module is not imported for anything else)."""
    if type(body).__module__.partition(".")[0] not in _TABLE_LIBRARIES:
        return
    from trackly_validate.doors.columns.frames import table_hint

    hint = table_hint(body)
    if hint is not None:
        raise TypeError(hint)


def model_for(method: str, path: str) -> type[BaseModel]:
    """The pydantic model a route's body is checked with."""
    return resolve(method, path).model
