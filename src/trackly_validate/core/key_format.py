"""What an API key looks like, in one place: the format the server accepts
(:data:`API_KEY`: ``trk_`` and 32 ASCII letters or digits) and the looser shape that is
redacted from every text this library writes (:func:`redact`: ``trk_`` and 4-64 letters,
digits, ``_`` or ``-``, also written with escapes), so that a key that is too short, too
long or pasted into a URL never reaches a message, a ``repr`` or a log line either.

Nothing here imports the rest of the library: the errors (``core.errors``) and the key
check (``core.keys``) both build on it.
"""

from __future__ import annotations

import re

__all__ = ["PREFIX", "API_KEY", "redact", "redact_loc"]

#: Every key starts with this.
PREFIX = "trk_"
_ALNUM = "A-Za-z0-9"

#: The format of an ``X-Api-Key`` value the server reads as a key.
API_KEY = re.compile(rf"{PREFIX}[{_ALNUM}]{{32}}", re.ASCII)

_MASK = PREFIX + "***"
# anything shaped like a key, also too short or too long
_SHAPED = re.compile(rf"{PREFIX}[{_ALNUM}_\-]{{4,64}}", re.ASCII)
# the same, each character possibly written as an escape: percent-encoding (once or more:
# %255F), JSON's \u005f, JavaScript's \x5f; a match is redacted when it decodes to a key shape
_ESCAPED = r"(?:%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2})"
_ENCODED = re.compile("".join(f"(?:{re.escape(c)}|{_ESCAPED})" for c in PREFIX)
                      + rf"(?:[{_ALNUM}_\-]|{_ESCAPED}){{4,200}}", re.ASCII | re.IGNORECASE)
_ESCAPE = re.compile(_ESCAPED, re.ASCII)


def redact(text: str) -> str:
    """``text`` with every key-shaped substring replaced by ``trk_***``."""
    if PREFIX in text:
        text = _SHAPED.sub(_MASK, text)
    if "%" in text or "\\" in text:
        text = _ENCODED.sub(_redact_encoded, text)
    return text


def _redact_encoded(found: re.Match[str]) -> str:
    text = found.group()
    for _ in range(4):  # decoded until nothing is left to decode (%25 inside %25...)
        decoded = _ESCAPE.sub(lambda m: chr(int(m.group()[1:].lstrip("ux"), 16)), text)
        if decoded == text:
            break
        text = decoded
    return _MASK if _SHAPED.match(text) else found.group()


def redact_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """``loc`` with key-shaped parts (a key used as a custom field name…) redacted."""
    if not any(isinstance(p, str) and PREFIX in p for p in loc):
        return loc
    return tuple(redact(p) if isinstance(p, str) else p for p in loc)
