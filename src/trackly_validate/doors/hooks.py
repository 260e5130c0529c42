"""Pre-flight hooks and web-framework glue (optional extras, imported on demand).

- :mod:`trackly_validate.doors.httpx`: ``ValidatingTransport`` /
  ``AsyncValidatingTransport`` (extra ``[httpx]``);
- :mod:`trackly_validate.doors.requests`: ``ValidatingAdapter`` (extra ``[requests]``);
- :mod:`trackly_validate.doors.fastapi`: ``install(app)`` (extra ``[fastapi]``).

The core never imports these modules.  The HTTP-client hooks share :class:`Preflight`: a
request to an endpoint the route table models is judged by the HTTP gate
(``trackly_validate.doors.http.gate``) exactly as the stand-in judges it - the body read as
express.json reads it (Content-Type, charset, Content-Encoding, the 5 MiB limit), then the
``X-Api-Key`` format, then the pipeline, in the server's order; anything else passes
through untouched.

Judgement calls
---------------
- A body express.json does not read (another Content-Type, or none: what
  ``httpx.post(url, content=...)`` sends) is judged as ``{}``, as the server sees it.
- A bulk request whose only problems are in its items is what the API accepts (200 with
  ``errors[]``): it is sent by default, its item problems handed to ``on_item_problems``
  and logged (logger ``trackly_validate.hooks``, codes and paths only).
  ``refuse_partial_bulk=True`` refuses it instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from trackly_validate.core.errors import Problem
    from trackly_validate.doors.http.gate import Admitted, Refused
    from trackly_validate.core.options import Options
    from trackly_validate.contracts.routes import Route

__all__ = ["preflight", "check_route", "API_KEY_HEADER", "Preflight", "ItemProblems"]

API_KEY_HEADER = "X-Api-Key"
_JSON = {"content-type": "application/json", "content-length": "0"}

log = logging.getLogger("trackly_validate.hooks")

ItemProblems = Callable[["tuple[Problem, ...]"], None]


class Preflight:
    """What a client hook does with one outgoing request: judge it (the HTTP gate), refuse
    it with :class:`~trackly_validate.TracklyValidationError`, or let it go, reporting a
    bulk request's item problems."""

    __slots__ = ("options", "check_key", "refuse_partial_bulk", "on_item_problems")

    def __init__(self, options: "Options | None", check_key: bool, refuse_partial_bulk: bool,
                 on_item_problems: ItemProblems | None) -> None:
        from trackly_validate.core.options import coerce_options

        self.options = coerce_options(options)
        self.check_key = check_key
        self.refuse_partial_bulk = refuse_partial_bulk
        self.on_item_problems = on_item_problems

    def __repr__(self) -> str:
        return (f"Preflight(options={self.options!r}, check_key={self.check_key}, "
                f"refuse_partial_bulk={self.refuse_partial_bulk})")

    def verdict(self, route: "Route", headers: Any, body: bytes, path: str) -> "Refused | Admitted":
        from trackly_validate.doors.http.gate import judge_bytes

        return judge_bytes(route, headers, body, self.options, path=path, check_key=self.check_key)

    def check(self, route: "Route", headers: Any, body: bytes, path: str) -> "tuple[Problem, ...]":
        """Raise for a request the API refuses; return the item problems of one it accepts."""
        from trackly_validate.core.errors import TracklyValidationError
        from trackly_validate.doors.http.gate import Refused

        verdict = self.verdict(route, headers, body, path)
        if isinstance(verdict, Refused):
            raise verdict.exception()
        items = verdict.item_problems
        if items:
            if self.refuse_partial_bulk:
                raise TracklyValidationError(items)
            log.info("%s: %d item(s) the API will report in errors[]: %s", route.key, len(items),
                     ", ".join(f"{p.path} {p.code}" for p in items[:10]))
            if self.on_item_problems is not None:
                self.on_item_problems(items)
        return items


def preflight(method: str, url: str, api_key: Any, body: Any, *,
              options: "Options | None" = None, check_key: bool = True,
              headers: Any = None) -> "list[Problem] | None":
    """The problems the API would answer ``method url`` with; ``None`` when the
    endpoint is not modelled (the caller lets the request through untouched).

    ``body`` is the raw body (bytes/str/None), or a zero-argument callable returning it,
    called only for a modelled endpoint (so a streamed upload elsewhere is never read).
    ``headers`` are the request's (Content-Type, Content-Encoding...): the body is read as
    express.json reads it with them; without them it is read as ``application/json``.
    ``api_key`` is the ``X-Api-Key`` header value (``None`` when absent); it is only
    checked for its format and never stored or echoed.
    """
    from trackly_validate.contracts.routes import find

    route = find(method, url)
    if route is None:
        return None
    return check_route(route, api_key, body() if callable(body) else body, options=options, check_key=check_key,
                       path=url, headers=headers)


def check_route(route: "Route", api_key: Any, body: Any, *, options: "Options | None" = None,
                check_key: bool = True, path: str | None = None, headers: Any = None) -> "list[Problem]":
    """Problems for a request to a modelled ``route``, in the server's order (the HTTP
    gate): the body parser's refusals (413, not JSON), then the key format, then the path
    parameters (when ``path``, the request URL, is given) and the body - every problem,
    items of a bulk request included."""
    from trackly_validate.core.keys import check_api_key
    from trackly_validate.doors.http.gate import Refused, judge
    from trackly_validate.doors.http.reader import read_bytes
    from trackly_validate.core.options import coerce_options

    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body or b"")
    sent = dict(_JSON, **{"content-length": str(len(data))}) if headers is None else headers
    keys = check_api_key(api_key) if check_key else []
    verdict = judge(route, read_bytes(sent, data), keys, coerce_options(options), path=path)
    if isinstance(verdict, Refused):
        return list(verdict.problems)
    return list(verdict.item_problems)
