"""The one cache of compiled validators: ``compiled(model, options)``.

Every part of the library that validates with a model's rules for some options asks
here (the request pipeline, FastAPI's body fields, the CLI's workers, the benchmarks), so
each (model, options) pair is compiled once per process (:mod:`trackly_validate.rules.compile`
does the compiling).  Options are recognised by value: two equal ``Options`` share one
entry.  It sits below the contracts, so nothing it needs comes from above.
"""

from __future__ import annotations

from threading import Lock
from typing import Any, Callable, NamedTuple

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from trackly_validate.core.options import DEFAULT_OPTIONS, Options
from trackly_validate.rules.compile import compile_fields_validator, compile_validator

__all__ = ["Compiled", "compiled", "validators_for"]


class Compiled(NamedTuple):
    """A model, its validator for some options, and the verdict-only entry points (the
    fields' validator where the model allows it: same answers and errors, no instance)."""

    model: type[BaseModel]
    validator: SchemaValidator
    accepts_python: Callable[[Any], Any]
    accepts_json: Callable[[Any], Any]


_TABLES: dict[Options, dict[type, Compiled]] = {}  # options -> model -> Compiled
_TABLES_MAX = 64  # option sets; cleared when full (a program uses a handful)
_LOCK = Lock()
# the default options' table, held directly: most requests use it, and reaching it by
# identity skips hashing the options
_DEFAULT_TABLE: dict[type, Compiled] = _TABLES.setdefault(DEFAULT_OPTIONS, {})


def compiled(model: type[BaseModel], options: Options = DEFAULT_OPTIONS) -> Compiled:
    """``model``'s validators for ``options`` (compiled on first use, then shared)."""
    table = _DEFAULT_TABLE if options is DEFAULT_OPTIONS else _table(options)
    found = table.get(model)
    return found if found is not None else _compile(table, model, options)


def validators_for(options: Options) -> dict[type, Compiled]:
    """The cache's table for ``options`` (model -> :class:`Compiled`, filled by
    :func:`compiled`), for a guard that looks a model up without a call per request."""
    return _DEFAULT_TABLE if options is DEFAULT_OPTIONS else _table(options)


def _table(options: Options) -> dict[type, Compiled]:
    found = _TABLES.get(options)
    if found is None:
        with _LOCK:
            if len(_TABLES) >= _TABLES_MAX:
                _TABLES.clear()
                _TABLES[DEFAULT_OPTIONS] = _DEFAULT_TABLE
            found = _TABLES.setdefault(options, {})
    return found


def _compile(table: dict[type, Compiled], model: type[BaseModel], options: Options) -> Compiled:
    validator = compile_validator(model, options)
    verdict = compile_fields_validator(model, options) or validator
    entry = Compiled(model, validator, verdict.validate_python, verdict.validate_json)
    with _LOCK:
        return table.setdefault(model, entry)
