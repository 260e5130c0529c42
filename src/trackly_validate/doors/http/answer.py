"""The one error answer of every HTTP door (FastAPI ``install()``, the stand-in, the proxy)
and of ``TracklyValidationError.to_response()``.

The Trackly API answers an error as ``{"error": <text>, "code": <code>}`` (``code`` absent
where it sends none: a suspended account, body-parser's 415).  Every door answers exactly
that, plus one extension key, :data:`PROBLEMS_KEY`, listing every problem found - the
server's answer first - each with its JSON path in the body (``loc``)::

    {"error": "body is required", "code": "missing_body",
     "problems": [{"code": "missing_body", "error": "body is required", "loc": ["body"]},
                  {"code": "invalid_phone", "error": "...", "loc": ["to"]}]}

A client that reads the API's two keys reads this answer unchanged.  The shape is built
in ``trackly_validate.core.errors``, below every door, so the exception and the doors share it.
"""

from __future__ import annotations

from trackly_validate.core.errors import PROBLEMS_KEY, codeless_body, error_body

__all__ = ["PROBLEMS_KEY", "error_body", "codeless_body"]
