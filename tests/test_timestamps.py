"""ISO 8601 timestamps: the Rust fast path never accepts what the Python rule refuses,
and the field's verdict is exactly is_iso8601's."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from trackly_validate.rules.timestamps import FAST_PATTERN, TimestampOf, is_iso8601


class M(BaseModel):
    t: Annotated[str, TimestampOf()]


def verdict(value: object) -> bool:
    try:
        M.model_validate({"t": value})
        return True
    except ValidationError as exc:
        assert [e["type"] for e in exc.errors()] == ["invalid_timestamp"]
        return False


@pytest.mark.parametrize(("value", "ok"), [
    ("2025-03-15T14:30:00Z", True), ("2025-06-10T12:00:00", True), ("2025-03-15", True),
    ("2025-03-15 14:30", True), ("2025-03-15T14:30:00.123456789+05:30", True), ("2024-02-29", True),
    ("2025-02-29", False), ("2025-04-31", False), ("0000-01-01", False), ("0999-12-31", True),
    ("2025-13-01", False), ("2025-03-15T24:00", False), ("2025-03-15T14:30:60", True),
    ("March 15, 2025", False), ("", False), ("2025-03-15\n", False), (20250315, False),
])
def test_table(value, ok):
    assert verdict(value) is ok


date_like = st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?"
                          r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?\Z")


@settings(max_examples=300, deadline=None)
@given(value=date_like | st.text(max_size=30))
def test_fast_path_is_a_subset_and_the_field_equals_the_predicate(value):
    if re.fullmatch(FAST_PATTERN[1:-1], value):  # (Python's `$` would accept a trailing newline)
        assert is_iso8601(value), value
    assert verdict(value) is is_iso8601(value)
