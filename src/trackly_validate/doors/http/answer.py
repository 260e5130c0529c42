"""The one error answer of every HTTP door (FastAPI ``install()``, the stand-in, the proxy)
and of ``TracklyValidationError.to_response()``.

The Trackly API answers an error as ``{"error": <text>, "code": <code>}`` (``code`` absent
where it sends none: a suspended account, body-parser's 415).  Every door answers exactly
that, plus one extension key, :data:`PROBLEMS_KEY`, listing every problem found - the
server's answer first - each with its JSON path in the body (``loc``)::

    {"error": "body is required", "code": "missing_body",
     "problems": [{"code": "missing_body", "error": "body is required", "loc": ["body"]},
                  {"code": "invalid_phone", "error": "...", "loc": ["to"]}]}

A client that reads the API's two keys reads this answer unchanged.
"""

from __future__ import annotations

from typing import Any, Iterable, Protocol

__all__ = ["PROBLEMS_KEY", "error_body", "codeless_body"]

#: The extension key under which an error answer lists every problem.
PROBLEMS_KEY = "problems"


class _ProblemLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def error(self) -> str: ...
    @property
    def loc(self) -> tuple[Any, ...]: ...


def error_body(problems: Iterable[_ProblemLike]) -> dict[str, Any]:
    """The answer to a request refused with ``problems`` (the first is the server's)."""
    found = list(problems)
    first = found[0]
    return {"error": first.error, "code": first.code,
            PROBLEMS_KEY: [{"code": p.code, "error": p.error, "loc": list(p.loc)} for p in found]}


def codeless_body(error: str) -> dict[str, Any]:
    """An answer the server sends without a code (``{"error"}``): its one problem has none either."""
    return {"error": error, PROBLEMS_KEY: [{"error": error, "loc": []}]}
