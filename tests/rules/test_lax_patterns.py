"""The OpenAPI document states pydantic's lax numeric strings as patterns
(rules/schema.py): for floats exactly what pydantic takes, for ints never less.  Compared
with pydantic itself on every string of up to five characters of the grammar's alphabet,
plus random longer ones."""

from __future__ import annotations

import itertools
import random
import re

import pytest
from pydantic import TypeAdapter

from trackly_validate.rules.schema import LAX_FINITE, LAX_INT, LAX_NUMBER

SHORT = ["".join(chars) for n in range(1, 6) for chars in itertools.product("01._e+- ", repeat=n)]
_rng = random.Random(7)
LONG = ["".join(_rng.choice("019._eE+-infatyINFATY \t\x85") for _ in range(_rng.randint(6, 14)))
        for _ in range(20_000)]
WORDS = ["inf", "-iNf", "+INFINITY", "i_n_f", "in__f", "_nan", "nan_", "NaN", "Infinity_", "1e5_0", "1_e5",
         "1e+_5", "1_.5", "._5", "1._", "\t\x851.0\x85 ", "\u00a01", " 1_0", "1.0_0", "+_1", "-_inf"]


def _accepts(adapter: TypeAdapter[object], text: str) -> bool:
    try:
        adapter.validate_python(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("pattern, adapter", [
    (LAX_NUMBER["pattern"], TypeAdapter(float)),
    (LAX_FINITE["pattern"], TypeAdapter(float, config={"allow_inf_nan": False})),
], ids=["number", "finite"])
def test_a_float_pattern_is_exactly_what_pydantic_takes(pattern, adapter):
    regex = re.compile(pattern)
    differ = [text for text in SHORT + LONG + WORDS if bool(regex.match(text)) != _accepts(adapter, text)]
    assert differ == []


def test_the_int_pattern_takes_everything_pydantic_takes():
    regex, adapter = re.compile(LAX_INT["pattern"]), TypeAdapter(int)
    refused = [text for text in SHORT + WORDS if _accepts(adapter, text) and not regex.match(text)]
    assert refused == []
