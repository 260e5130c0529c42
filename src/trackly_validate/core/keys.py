"""The X-Api-Key header: ``trk_`` followed by 32 ASCII letters or digits
(``core.key_format.API_KEY``).

The key itself never appears in a problem, an exception, a ``repr`` or a log line:
:func:`redact` replaces anything that looks like a key in a text.
"""

from __future__ import annotations

from trackly_validate.core.catalog import C
from trackly_validate.core.errors import Problem
from trackly_validate.core.key_format import API_KEY, redact

__all__ = ["check_api_key", "redact"]

_LOC = ("X-Api-Key",)


def check_api_key(key: object) -> list[Problem]:
    """Problems with an ``X-Api-Key`` value (``str`` or ``bytes``; ``None`` = no header).

    Empty list when the format is right (whether the key is active only the server
    knows).  Surrounding whitespace is ``invalid_api_key``: the docs list it as a cause.
    """
    if key is None or key in ("", b""):
        return [Problem(C.missing_api_key.code, C.missing_api_key.message, 401, _LOC)]
    if isinstance(key, (bytes, bytearray)):
        try:
            key = bytes(key).decode("ascii")
        except UnicodeDecodeError:
            key = None
    if not isinstance(key, str) or API_KEY.fullmatch(key) is None:
        return [Problem(C.invalid_api_key.code, C.invalid_api_key.message, 401, _LOC)]
    return []
