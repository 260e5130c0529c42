"""Pre-flight hooks and web-framework glue (optional extras, imported on demand).

- :mod:`trackly_validate.integrations.httpx`: ``ValidatingTransport`` /
  ``AsyncValidatingTransport`` (extra ``[httpx]``);
- :mod:`trackly_validate.integrations.requests`: ``ValidatingAdapter`` (extra ``[requests]``);
- :mod:`trackly_validate.integrations.fastapi`: ``install(app)`` (extra ``[fastapi]``).

The core never imports these modules.  The HTTP-client hooks share :func:`preflight`:
a request to an endpoint the route table models is checked (``X-Api-Key`` format
first, as the server authenticates before it validates, then the body); anything else
passes through untouched.

Judgement calls
---------------
- An empty body is checked as ``{}``: a JSON API server reads a request without a
  body as an empty object and answers with the endpoint's ``missing_*`` codes, which
  is also the more useful answer.  (Invalid JSON is ``invalid_input``.)
- The key check and the body check are reported together, in the server's order
  (``pipeline.request_problems``): the body parser's refusals (413, not JSON), then the
  key (401), then the body's rules - all problems in one pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..errors import Problem
    from ..options import Options
    from ..routes import Route

__all__ = ["preflight", "check_route", "find", "API_KEY_HEADER"]

API_KEY_HEADER = "X-Api-Key"


def preflight(method: str, url: str, api_key: Any, body: Any, *,
              options: "Options | None" = None, check_key: bool = True) -> "list[Problem] | None":
    """The problems the API would answer ``method url`` with; ``None`` when the
    endpoint is not modelled (the caller lets the request through untouched).

    ``body`` is the raw body (bytes/str/None), or a zero-argument callable returning it,
    called only for a modelled endpoint (so a streamed upload elsewhere is never read).
    ``api_key`` is the ``X-Api-Key`` header value (``None`` when absent); it is only
    checked for its format and never stored or echoed.
    """
    route = find(method, url)
    if route is None:
        return None
    return check_route(route, api_key, body() if callable(body) else body, options=options, check_key=check_key,
                       path=url)


def find(method: str, url: str) -> "Route | None":
    from ..routes import find as _find

    return _find(method, url)


def check_route(route: "Route", api_key: Any, body: Any, *, options: "Options | None" = None,
                check_key: bool = True, path: str | None = None) -> "list[Problem]":
    """Problems for a request to a modelled ``route``, in the server's order
    (:func:`trackly_validate.pipeline.request_problems`): the body parser's refusals
    (413, not JSON), then the key format, then the path parameters (when ``path``, the
    request URL, is given) and the body."""
    from ..auth import check_api_key
    from ..options import coerce_options
    from ..pipeline import request_problems

    keys = check_api_key(api_key) if check_key else []
    return request_problems(route, b"" if body is None else body, keys, coerce_options(options), path=path)
