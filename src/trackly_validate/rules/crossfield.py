"""Helpers for rules that look at more than one field.

- :func:`is_blank`: the one notion of "sent empty" - ``null``, ``""``, ``[]`` or ``{}``
  (what :class:`~trackly_validate.rules.base.Required` treats as missing);
- :func:`field_of`: a field of the raw input (a JSON object, or a model instance a
  Python caller nested);
- :func:`validate_with`: pydantic's own validation plus problems computed on the raw
  input, raised together, so a cross-field problem is reported in the same pass as the
  fields' own (a Python validator alone could raise only one error).

A cross-field rule lives in a ``mode="wrap"`` model validator (it sees the raw input
whatever the field order); one that reads earlier fields from ``info.data`` in a field
validator depends on field declaration order, and the model says so where the fields
are declared.  Every code such rules raise is listed in the model's
``__trackly_cross_field__`` (the endpoint contracts check their order against it).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

__all__ = ["is_blank", "field_of", "validate_with", "Loc"]

Loc = tuple[str | int, ...]
_ABSENT = object()


def is_blank(value: Any) -> bool:
    """``null``, ``""``, ``[]`` or ``{}``: a value sent empty."""
    return value is None or (isinstance(value, (str, list, dict)) and len(value) == 0)


def field_of(obj: Any, name: str, default: Any = None) -> Any:
    """``obj[name]`` for a JSON object, ``obj.name`` for a model instance (Python callers
    may nest models), else ``default``."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    if isinstance(obj, BaseModel):
        value = getattr(obj, name, _ABSENT)
        return default if value is _ABSENT else value
    return default


def _as_custom(errors: Iterable[ErrorDetails]) -> list[InitErrorDetails]:
    """pydantic's error dicts as line errors that keep their type (our code) and text."""
    return [{"type": PydanticCustomError(e["type"], "{text}", {"text": str(e["msg"])}), "loc": tuple(e["loc"]),
             "input": None} for e in errors]


def validate_with(handler: Callable[[Any], Any], value: Any,
                  extra: Sequence[tuple[Loc, PydanticCustomError]], title: str = "Model") -> Any:
    """``handler(value)`` (pydantic's own validation) plus the ``extra`` problems.

    Both sets are raised together as one ``ValidationError``; ``extra`` locs are
    relative to ``value``.  Used from ``mode="wrap"`` validators, whose raw input is
    what ``extra`` was computed on.
    """
    if not extra:
        return handler(value)
    added: list[InitErrorDetails] = [{"type": err, "loc": loc, "input": None} for loc, err in extra]
    try:
        handler(value)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise ValidationError.from_exception_data(exc.title, _as_custom(errors) + added, hide_input=True) from None
    raise ValidationError.from_exception_data(title, added, hide_input=True)
