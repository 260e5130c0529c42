"""Form validation helpers for web back ends and front ends (no framework dependency).

``to_form_errors(problems)`` maps problems to ``{field_path: [message, ...]}``, the shape
Django's ``Form.add_error`` / ``ValidationError(dict)`` and most form libraries take.
Each message is a :class:`FormMessage`: a ``str`` (the API's own text) that also
carries the Trackly ``code`` and HTTP ``status``, for ``ValidationError(msg, code=msg.code)``.

``json_schema(method, path)`` is the JSON Schema of an endpoint's body, for front-end
form validation (the same model the library checks with; rules that need code, such as
phone plausibility, are checked on the back end only).

Judgement calls: field paths are :attr:`Problem.path` (``messages[3].to``); a problem
about the whole body goes under ``"__all__"`` (Django's ``NON_FIELD_ERRORS``); a
message repeated for the same field is listed once.
"""

from __future__ import annotations

from typing import Any, Iterable

from trackly_validate.core.errors import Problem

__all__ = ["to_form_errors", "json_schema", "FormMessage", "NON_FIELD_ERRORS"]

#: The key for problems about the whole body (Django's ``NON_FIELD_ERRORS``).
NON_FIELD_ERRORS = "__all__"


class FormMessage(str):
    """The API's error text, with its ``code`` and ``status`` attached."""

    code: str
    status: int

    def __new__(cls, text: str, code: str, status: int) -> "FormMessage":
        self = super().__new__(cls, text)
        self.code = code
        self.status = status
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (FormMessage, (str(self), self.code, self.status))


def to_form_errors(problems: Iterable[Problem]) -> dict[str, list[FormMessage]]:
    """``{field_path: [message, ...]}`` in the order of ``problems`` (the server's first first).

    Accepts a list of :class:`Problem` or a :class:`~trackly_validate.TracklyValidationError`.
    """
    source = getattr(problems, "problems", problems)
    out: dict[str, list[FormMessage]] = {}
    for p in source:
        key = p.path or NON_FIELD_ERRORS
        messages = out.setdefault(key, [])
        if all(m != p.error or m.code != p.code for m in messages):
            messages.append(FormMessage(p.error, p.code, p.status))
    return out


def json_schema(method: str, path: str) -> dict[str, Any]:
    """The JSON Schema of the body of ``method path`` (``UnknownEndpointError`` if unmodelled):
    the OpenAPI document's request schema for that operation, its nested models in ``$defs``."""
    from trackly_validate.contracts.routes import resolve
    from trackly_validate.rules.schema import request_schema

    return request_schema(resolve(method, path).model)
