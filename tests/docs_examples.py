"""Helpers shared by the per-area tables: documented examples and edited copies of them."""

from __future__ import annotations

import copy
from typing import Any

import trackly_validate as tv


def assert_example_passes(method: str, path: str, body: Any) -> None:
    """A documented example: accepted by check, validated to its route's model, unchanged."""
    before = copy.deepcopy(body)
    assert tv.check(method, path, body) == []
    assert isinstance(tv.validate(method, path, body), tv.model_for(method, path))
    assert body == before


def edited(base: dict, **changes: Any) -> dict:
    """A deep copy of ``base`` with keys set, or removed where the value is ``...``."""
    body = copy.deepcopy(base)
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body
