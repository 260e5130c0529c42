"""The ObjectId format (24 hex characters), without pydantic: the route table's path
rules use it at import, the field rules in ids.py build on it."""

from __future__ import annotations

__all__ = ["OBJECT_ID_PATTERN", "is_object_id"]

OBJECT_ID_PATTERN = r"^[0-9a-fA-F]{24}$"
_HEX = frozenset("0123456789abcdefABCDEF")


def is_object_id(value: object) -> bool:
    """24 ASCII hex characters (MongoDB ObjectId, as in every example id)."""
    return isinstance(value, str) and len(value) == 24 and all(ch in _HEX for ch in value)
