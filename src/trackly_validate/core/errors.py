"""Problems and exceptions.

The tree is shallow (after httpx's ``_exceptions.py``)::

    TracklyError(ValueError)          root of everything this library raises
    ├── TracklyValidationError        a request the API would refuse (.problems)
    ├── UnknownEndpointError          a method + path the library does not model
    └── ApiError                      an error response parsed from the real server

:func:`error_body` is the one error answer of every HTTP door and of
``TracklyValidationError.to_response()``: the API's ``{"error", "code"}`` plus
:data:`PROBLEMS_KEY`, every problem with its JSON path (``trackly_validate.doors.http.answer``
documents it).

No message, ``repr`` or ``str`` here ever contains an input value: problems carry
the API's own documented texts and a JSON path, nothing the caller sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from trackly_validate.core import catalog
from trackly_validate.core.key_format import redact as _redact, redact_loc

__all__ = [
    "Problem",
    "PROBLEMS_KEY",
    "error_body",
    "codeless_body",
    "TracklyError",
    "TracklyValidationError",
    "UnknownEndpointError",
    "ApiError",
    "redact_loc",
]

Loc = tuple[str | int, ...]

@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the API would refuse a request.

    ``code`` and ``error`` are the API's own (``error`` is the documented text with
    its ``…`` filled in), ``status`` the HTTP status the endpoint answers with, and
    ``loc`` the JSON path of the offending value (``("messages", 3, "to")``).
    """

    code: str
    error: str
    status: int
    loc: Loc = ()

    @property
    def path(self) -> str:
        """``loc`` as a dotted path, ``messages[3].to``; empty for the whole body."""
        out = ""
        for part in self.loc:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += f".{part}" if out else str(part)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "error": self.error, "status": self.status, "loc": list(self.loc)}


#: The extension key under which an error answer lists every problem.
PROBLEMS_KEY = "problems"


def error_body(problems: Iterable[Problem]) -> dict[str, Any]:
    """The answer to a request refused with ``problems`` (the first is the server's)."""
    found = list(problems)
    first = found[0]
    return {"error": first.error, "code": first.code,
            PROBLEMS_KEY: [{"code": p.code, "error": p.error, "loc": list(p.loc)} for p in found]}


def codeless_body(error: str) -> dict[str, Any]:
    """An answer the server sends without a code (``{"error"}``): its one problem has none either."""
    return {"error": error, PROBLEMS_KEY: [{"error": error, "loc": []}]}


class TracklyError(ValueError):
    """Root of every exception trackly-validate raises."""


class TracklyValidationError(TracklyError):
    """The API would refuse this request.

    ``problems`` holds every problem found, the one the server would answer with first
    at index 0; ``code``, ``error`` and ``status`` are that first problem's.  A request the
    server's body parser refuses without a code (an unsupported charset or
    ``Content-Encoding``: 415) has no problems: ``code`` is ``None`` and ``status`` /
    ``error`` are the parser's.  ``to_response()`` gives the body every HTTP door answers.
    """

    def __init__(self, problems: Iterable[Problem], *, status: int | None = None, error: str | None = None):
        self.problems: tuple[Problem, ...] = tuple(problems)
        if self.problems:
            first = self.problems[0]
            self.code: str | None = first.code
            self.error: str = first.error
            self.status: int = first.status
        elif status is not None and error is not None:  # the body parser's codeless answer
            self.code, self.error, self.status = None, error, status
        else:
            raise ValueError("TracklyValidationError needs at least one problem, or a status and an error")
        super().__init__(self._summary())

    def _summary(self) -> str:
        if not self.problems:
            return f"{self.status}: {self.error}"
        first = self.problems[0]
        where = f" at {first.path}" if first.loc else ""
        more = len(self.problems) - 1
        tail = f" (+{more} more problem{'s' if more != 1 else ''})" if more else ""
        return f"{first.status} {first.code}: {first.error}{where}{tail}"

    def to_response(self) -> dict[str, Any]:
        """The answer every HTTP door gives: the server's ``{"error", "code"}`` plus
        ``"problems"``, every problem with its ``loc`` (:func:`error_body`)."""
        return error_body(self.problems) if self.problems else codeless_body(self.error)

    def __repr__(self) -> str:
        return f"TracklyValidationError({self._summary()!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # keep picklable (e.g. across multiprocessing / Dask workers)
        if not self.problems:
            return (_codeless, (self.status, self.error))
        return (type(self), (self.problems,))


def _codeless(status: int, error: str) -> TracklyValidationError:
    return TracklyValidationError((), status=status, error=error)


class UnknownEndpointError(TracklyError, LookupError):
    """The library has no model for this method and path.

    ``suggestion`` is the closest modelled endpoint (``"POST /v2/send"``), which the route
    matcher finds (``contracts.routes.unknown_endpoint``).  The message shows the path
    without its query string and with anything key-shaped redacted (a key pasted into a
    URL must not reach a log)."""

    def __init__(self, method: str, path: str, suggestion: str | None = None):
        self.method = method
        self.path = path
        self.suggestion = suggestion
        shown = _redact(str(path).split("?", 1)[0].split("#", 1)[0])
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        super().__init__(f"no Trackly endpoint is modelled for {_redact(str(method))[:20]} {shown[:200]}{hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.method, self.path, self.suggestion))


_REASONS = {400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
            404: "Not Found", 409: "Conflict", 413: "Payload Too Large", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class ApiError(TracklyError):
    """An error response from the real Trackly server, in the library's vocabulary.

    ``error`` is always present; ``code`` and ``message`` only when the server sent
    them (the 403 "Account is suspended" has no code).  ``resolved_code`` is the
    code, or, when the server sent none, the catalog code whose documented text
    matches ``error`` (switch on code when present, fall back to the text).
    """

    def __init__(self, status: int, error: str, code: str | None = None, message: str | None = None,
                 body: Any = None):
        self.status = int(status)
        self.error = error
        self.code = code
        self.message = message
        self.body = body
        super().__init__(_redact(f"{self.status} {code or '-'}: {error}"))

    @classmethod
    def from_response(cls, status: int, body: Any) -> "ApiError":
        """Parse an error response: ``body`` may be a dict, JSON text/bytes or None."""
        parsed: Any = body
        if isinstance(body, (bytes, bytearray, memoryview)):
            body = bytes(body).decode("utf-8", "replace")
        if isinstance(body, str):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = {"error": body.strip()} if body.strip() else {}
        if not isinstance(parsed, Mapping):
            parsed = {}
        error = parsed.get("error")
        if not isinstance(error, str) or not error:
            error = _REASONS.get(int(status), "Error")
        code = parsed.get("code")
        code = code if isinstance(code, str) and code else None
        message = parsed.get("message")
        message = message if isinstance(message, str) else None
        return cls(status, error, code, message, parsed)

    @property
    def resolved_code(self) -> str | None:
        if self.code:
            return self.code
        return catalog.by_message(self.error)

    @property
    def info(self) -> catalog.CodeInfo | None:
        """Catalog entry for the code (``{product}_not_enabled`` maps to ``product_not_enabled``,
        ``unauthorized`` to itself)."""
        code = self.resolved_code
        if code is None:
            return None
        if code in catalog.CATALOG:
            return catalog.CATALOG[code]
        if code.endswith("_not_enabled"):
            return catalog.C.product_not_enabled
        return None

    @property
    def category(self) -> str:
        info = self.info
        if info is not None:
            return info.category
        s = self.status
        return {401: "auth", 402: "billing", 403: "forbidden", 404: "not_found", 409: "conflict",
                413: "limit", 429: "rate_limit"}.get(s, "server" if s >= 500 else "validation")

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500

    @property
    def suspended(self) -> bool:
        """The 403 "Account is suspended" response (which carries no code)."""
        return self.status == 403 and self.code is None and "suspended" in self.error.lower()

    def __repr__(self) -> str:
        return _redact(f"ApiError(status={self.status}, code={self.code!r}, error={self.error!r})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.status, self.error, self.code, self.message, self.body))
