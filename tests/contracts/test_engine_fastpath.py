"""The pipeline's fast path answers exactly like the plain path.

The pipeline compiles the default validators with ``cache_strings="keys"`` and
validates a JSON-native dict in Python mode instead of parsing its JSON back.  None of
that may change an answer:

- every route, every body: ``check(dict)`` == ``check(its JSON bytes)`` == ``run()``;
- for JSON-native bodies, each route validator gives the same errors in Python mode
  and in JSON mode (what makes the Python-mode shortcut an equivalent);
- ``_json_native`` only says yes to plain JSON data.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic_core import ValidationError, to_json

import trackly_validate as tv
from trackly_validate.contracts import pipeline
from trackly_validate.contracts.routes import resolve
from trackly_validate.core.options import DEFAULT_OPTIONS
from trackly_validate.contracts.routes import ROUTES
from trackly_validate.rules.validators import compiled

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PAYLOADS = Path(__file__).resolve().parents[2] / "examples" / "payloads"
EXAMPLES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(PAYLOADS.glob("*.json"))]
VALID_OPTS = tv.Options(phone_level="valid")


def _fields(route) -> list[str]:
    model = route.model
    return sorted({(f.alias or name) for name, f in model.model_fields.items()})


def _seed(route) -> dict:
    for ex in EXAMPLES:
        if ex["method"] == route.method and resolve(ex["method"], ex["path"]) is route:
            return ex["body"]
    return {}


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "x", "true", "1", "+14155552671", "+4407400123456", "+1415555", "14155552671",
                     "2025-06-01T00:00:00Z", "https://example.com/a?b=1", "{{first_name}}", "665fa1b2c3d4e5f6a7b8c901",
                     "active", "paused", "fixed", "sms", "eq", "gte", "days", "a" * 300]),
    st.text(max_size=12),
)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                          max_size=3), max_leaves=8)


@st.composite
def bodies(draw, route):
    """A JSON-native body: the route's example (if any) with fields replaced, dropped
    or added, using the model's own field names so validation goes deep."""
    body = json.loads(json.dumps(_seed(route)))
    names = _fields(route)
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(names) | st.text(max_size=5))
        if draw(st.booleans()) and key in body:
            del body[key]
        else:
            body[key] = draw(JSON)
    if route.items and draw(st.booleans()):
        item = body.get(route.items, [{}])
        item = item[0] if isinstance(item, list) and item and isinstance(item[0], dict) else {}
        n = draw(st.integers(0, 60))
        body[route.items] = [dict(item, **({draw(st.sampled_from(names) | st.text(max_size=4)): draw(JSON)}
                                            if draw(st.booleans()) else {})) for _ in range(n)]
    return body


def _outcome(fn, arg):
    """Success, or each error's type and loc, and its text when it is a Trackly code
    (the engine replaces pydantic's own texts, which differ between modes, by
    ``invalid_input``'s)."""
    try:
        fn(arg)
    except ValidationError as exc:
        return [(e["type"], e["loc"], e["msg"] if e["type"] in tv.CATALOG else None)
                for e in exc.errors(include_url=False, include_input=False)]
    return "ok"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
@SETTINGS
@given(data=st.data())
def test_python_mode_equals_json_mode_for_json_native_bodies(route, data):
    body = data.draw(bodies(route))
    assert pipeline._json_native(body)
    raw = to_json(body)
    for opts in (DEFAULT_OPTIONS, VALID_OPTS):
        validator = compiled(route.model, opts).validator
        assert _outcome(validator.validate_python, body) == _outcome(validator.validate_json, raw)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
@SETTINGS
@given(data=st.data())
def test_check_of_a_dict_equals_check_of_its_json(route, data):
    body = data.draw(bodies(route))
    if data.draw(st.booleans()):
        body["zz_padding"] = "p" * 5000
    raw = to_json(body)
    before = json.dumps(body, sort_keys=True)
    for opts in (None, VALID_OPTS):
        want = pipeline.run(route, raw, opts or DEFAULT_OPTIONS)[0]
        assert tv.check(route.method, route.template.replace("{id}", "664f1a2b3c4d5e6f7a8b9c0d"), body, options=opts) == want
        assert tv.check(route.method, route.template.replace("{id}", "664f1a2b3c4d5e6f7a8b9c0d"), raw, options=opts) == want
        assert pipeline.run(route, body, opts or DEFAULT_OPTIONS)[0] == want
    assert json.dumps(body, sort_keys=True) == before  # never mutated


class Colour(str, enum.Enum):
    RED = "red"


class Sub(str):
    pass


@pytest.mark.parametrize("value, native", [
    ({"a": [1, 2.5, True, None, "x", {"b": []}]}, True),
    ([], True),
    ({"a": (1, 2)}, False),
    ({"a": Sub("x")}, False),
    ({"a": Colour.RED}, False),
    ({"a": datetime.date(2025, 1, 1)}, False),
    ({"a": math.nan}, False),
    ({"a": [math.inf]}, False),
    ({1: "a"}, False),
    ({"a": b"x"}, False),
    ({"a": {1, 2}}, False),
    ({"a": tv.Problem("x", "y", 400)}, False),
    ({"a": [[[[{"b": object()}]]]]}, False),
])
def test_json_native(value, native):
    assert pipeline._json_native(value) is native


@pytest.mark.parametrize("filler", ["a", "\x01", "é", "😀", '"'])
def test_bodies_at_the_size_limit_answer_like_their_json(filler):
    limit = pipeline.MAX_PAYLOAD_BYTES
    base = {"to": "+14155552671", "list_number": "+18005551000", "body": "hi", "pad": ""}
    per_char = len(to_json(filler)) - 2
    for delta in (-1, 0, 1):
        n = (limit - len(to_json(base))) // per_char + delta
        body = dict(base, pad=filler * n)
        raw = to_json(body)
        got = tv.check("POST", "/v2/send", body)
        assert [p.code for p in got] == ([] if len(raw) <= limit else ["payload_too_large"]), (filler, delta)
        assert got == tv.check("POST", "/v2/send", raw)


def test_values_that_are_not_plain_json_answer_as_on_the_plain_path():
    route = resolve("POST", "/v2/send")
    base = {"list_number": "+18005551000", "body": "hi"}
    for to in ("\ud800", object(), {1, 2}, ("+14155552671",), 1 << 70, math.inf, datetime.date(2025, 1, 1)):
        body = dict(base, to=to)
        assert tv.check("POST", "/v2/send", body) == pipeline.run(route, body, DEFAULT_OPTIONS)[0], to
    for body in ({"to": object()}, {"to": print}):  # not JSON data at all
        assert [p.code for p in tv.check("POST", "/v2/send", body)] == ["invalid_input"]
    # lone surrogates (to_json refuses them) are sent as \uXXXX escapes, which the
    # server's JSON.parse takes: judged as U+FFFD, field by field, like the raw bytes
    for body, same in (({**base, "to": "\ud800"}, {**base, "to": "\ufffd"}),
                       ({**base, "to": "+14155552671", "\udc00": "x"}, {**base, "to": "+14155552671", "\ufffd": "x"})):
        assert tv.check("POST", "/v2/send", body) == tv.check("POST", "/v2/send", same)
        assert tv.check("POST", "/v2/send", body) == tv.check("POST", "/v2/send", json.dumps(body).encode())


def test_json_native_stops_at_its_depth_limit():
    value: list = []
    for _ in range(pipeline._NATIVE_DEPTH - 1):
        value = [value]
    assert pipeline._json_native(value)
    assert not pipeline._json_native([value])  # one level deeper: left to the JSON path


@pytest.mark.parametrize("depth", [1, 5, 14, 15, 16, 17, 30, 60, 100])
def test_deep_bodies_get_the_same_answer_as_dict_and_as_json(depth):
    group: dict = {"conditions": [{"field": "click_count", "operator": "gte", "value": 5}]}
    for _ in range(depth):
        group = {"groups": [group], "logic": "and"}
    for body in ({"name": "Deep", "filters": group, "pad": "p" * 5000},
                 {"messages": [{"to": "+14155552671", "list_number": "+18005551000", "body": "x",
                                "metadata": group}] * 40}):
        for method, path in (("POST", "/v2/audiences"), ("POST", "/v2/send/bulk")):
            assert tv.check(method, path, body) == tv.check(method, path, to_json(body)), (depth, path)


def test_non_native_bodies_still_take_the_json_path():
    msg = {"to": "+14155552671", "list_number": "+18005551000", "body": "hi",
           "metadata": {"when": datetime.datetime(2025, 1, 1, 12, 0), "tags": ("a", "b")}}
    body = {"messages": [msg] * 200}
    assert not pipeline._json_native(body)
    # as the JSON it becomes (an ISO string, a list), the body is fine
    assert tv.check("POST", "/v2/send/bulk", body) == [] == tv.check("POST", "/v2/send/bulk", to_json(body))


def test_remembered_routes_and_validators_do_not_leak_between_options():
    body = {"to": "+11234567890", "list_number": "+18005551000", "body": "hi"}  # possible, not valid
    for _ in range(3):
        assert tv.check("POST", "/v2/send", body) == []
        assert [p.code for p in tv.check("POST", "/v2/send", body, options=VALID_OPTS)] == ["invalid_phone"]
        assert tv.check("POST", "/v2/send", body, options=tv.Options()) == []
    with pytest.raises(tv.UnknownEndpointError):
        tv.check("POST", "/v2/nope", body)
    with pytest.raises(tv.UnknownEndpointError):
        tv.check(["POST"], "/v2/send", body)  # type: ignore[arg-type]


# --- streams: run_many answers like run, body by body -------------------------------------------------

ODD_RAW = [b"", b"   ", b'{"to": ', b"[1, 2]", b"{}, {}", b'{"a": NaN}', b"\xef\xbb\xbf{}", b'{"b": "\xff"}',
           b'{"b": "\\ud83d"}', b"1", b"null"]


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.path_checks], ids=lambda r: r.key)
@SETTINGS
@given(data=st.data())
def test_run_many_answers_like_run_body_by_body(route, data):
    items = data.draw(st.lists(bodies(route), min_size=1, max_size=12))
    as_raw = data.draw(st.booleans())
    if as_raw:
        items = [json.dumps(b, ensure_ascii=data.draw(st.booleans())).encode() for b in items]
        items += data.draw(st.lists(st.sampled_from(ODD_RAW), max_size=3))
        items = data.draw(st.permutations(items))
    expected = [pipeline.run(route, body, DEFAULT_OPTIONS).problems for body in items]
    assert list(pipeline.run_many(route, items, DEFAULT_OPTIONS)) == expected
    assert list(pipeline.run_many(route, items, VALID_OPTS)) == [
        pipeline.run(route, body, VALID_OPTS).problems for body in items]


def test_run_many_keeps_the_order_of_a_long_stream():
    route = resolve("POST", "/v2/send")
    good = {"to": "+14155551234", "list_number": "+18005551000", "body": "x"}
    items = [good] * 515 + [{"to": "x"}] + [good, dict(good, body=None)]
    got = list(pipeline.run_many(route, items))
    assert got == [pipeline.run(route, b).problems for b in items]
    assert [i for i, p in enumerate(got) if p] == [515, 517]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
@SETTINGS
@given(data=st.data())
def test_the_verdict_only_validator_answers_as_the_models(route, data):
    """The fast paths ask the fields' validator (no instance built) where the model allows
    it: same verdict and same errors as the model's own validator, in both modes."""
    body = data.draw(bodies(route))
    for opts in (DEFAULT_OPTIONS, VALID_OPTS):
        entry = compiled(route.model, opts)
        for verdict, full, value in ((entry.accepts_python, entry.validator.validate_python, body),
                                     (entry.accepts_json, entry.validator.validate_json, to_json(body))):
            assert _outcome(verdict, value) == _outcome(full, value)
