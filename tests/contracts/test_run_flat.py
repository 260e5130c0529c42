"""The guard in front of the pipeline (``run_flat``, what ``tv.validate`` calls first) answers
exactly as :func:`run` does wherever it answers at all, accepted or refused, and steps
aside for anything that is not a small flat object of ASCII text, bools and null."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

import trackly_validate as tv
from trackly_validate.contracts import pipeline
from trackly_validate.contracts.pipeline import Outcome, run, run_flat
from trackly_validate.contracts.routes import ROUTES, resolve
from trackly_validate.rules.validators import compiled

BODY_ROUTES = [route for route in ROUTES if not route.path_checks]
SEND = resolve("POST", "/v2/send")
GOOD = {"to": "+14155551234", "list_number": "+18005551000", "body": "hi", "wrap_links": True}


def _warm(route: Any) -> None:
    compiled(route.model)  # the guard looks validators up; it never compiles one


def _flat(route: Any) -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from(sorted(route.model.model_fields) + ["extra", "to", "body"])
    values = st.one_of(st.none(), st.booleans(), st.text(max_size=12),
                       st.sampled_from(["+14155551234", "+18005551000", "", "x", "Hi {{first_name}}",
                                        "https://example.com", "2025-03-10T09:00:00Z", "active"]))
    return st.dictionaries(names, values, max_size=8)


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: r.key)
@settings(max_examples=60)
@given(data=st.data())
def test_the_guard_answers_as_the_pipeline(route, data):
    _warm(route)
    body = data.draw(_flat(route))
    found = run_flat(route, body)
    outcome = run(route, body)
    if found is None:
        return
    if isinstance(found, Outcome):
        assert found.problems == outcome.problems and found.problems
    else:
        assert outcome.problems == [] and found == outcome.instance


@pytest.mark.parametrize("body", [
    {"to": "+14155551234", "list_number": "+18005551000", "body": "h\u00e9"},        # not ASCII
    dict(GOOD, wrap_links=1),                                                       # an int
    dict(GOOD, metadata={"a": "b"}),                                                 # not flat
    dict(GOOD, body="x" * (pipeline.MAX_PAYLOAD_BYTES // 6)),                        # near the limit
    {1: "x", **GOOD},                                                                # a key not a str
])
def test_the_guard_steps_aside(body):
    _warm(SEND)
    assert run_flat(SEND, body) is None


def test_tv_validate_through_the_guard():
    _warm(SEND)
    assert isinstance(run_flat(SEND, GOOD), tv.models.SendMessage)
    assert tv.validate("POST", "/v2/send", GOOD).to == "+14155551234"
    bad = dict(GOOD, to="x")
    handed_on = run_flat(SEND, bad)
    assert isinstance(handed_on, Outcome) and handed_on.problems == run(SEND, bad).problems
    with pytest.raises(tv.TracklyValidationError) as refused:
        tv.validate("POST", "/v2/send", dict(GOOD, to="x"))
    assert [p.code for p in refused.value.problems] == ["invalid_phone"]
