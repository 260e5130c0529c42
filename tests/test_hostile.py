"""Hostile input never breaks `check`: for every modelled endpoint, any input gets a list of
problems — never an exception, never a hang, never a mutated input — within 1 s of CPU
(CPU time, not wall time: a loaded CI runner must not turn a fast answer into a failure)."""

from __future__ import annotations

import copy
import json
import math
import time

import pytest

import trackly_validate as tv
from hostile_inputs import HOSTILE_BODIES, HOSTILE_VALUES, VALID, deep_groups, paths, replaced, route_paths

ROUTES = route_paths()
LIMIT_S = 1.0  # CPU seconds for one answer (generous: answers take micro- to milliseconds)
# objects whose keys are the caller's own (values have a documented type), not schema objects
FREE_FORM_MAPS = {"metadata", "custom_fields", "url_params"}


@pytest.fixture(scope="module", autouse=True)
def _warm():
    """Build every model and the phone metadata once, so timings measure answers, not set-up."""
    for key, (method, path) in ROUTES.items():
        tv.check(method, path, VALID[key])
        tv.check(method, path, VALID[key], options=tv.Options(phone_level="valid"))


def _answer(method, path, body, **kw):
    before = _snapshot(body)
    t0 = time.thread_time()
    problems = tv.check(method, path, body, **kw)
    elapsed = time.thread_time() - t0
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, tv.Problem)
        assert p.code in tv.CATALOG and isinstance(p.status, int) and isinstance(p.error, str)
        assert all(isinstance(part, (str, int)) for part in p.loc)
    assert _snapshot(body) == before, "check() mutated its input"
    assert elapsed < LIMIT_S, f"{method} {path} took {elapsed:.3f}s"
    return problems


def _snapshot(body):
    if isinstance(body, (bytes, str)) or body is None:
        return body
    try:
        return repr(body)  # repr is exact for NaN/huge ints/surrogates, unlike JSON
    except RecursionError:  # thousands of levels: compare the outer levels only
        return _shallow(body, 50)


def _shallow(body, depth):
    if depth == 0 or not isinstance(body, (dict, list)):
        return repr(body) if not isinstance(body, (dict, list)) else type(body).__name__
    items = body.items() if isinstance(body, dict) else enumerate(body)
    return [(k, _shallow(v, depth - 1)) for k, v in items]


def test_every_route_has_a_valid_body():
    assert set(VALID) == set(ROUTES)


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_the_valid_body_passes(key):
    assert _answer(*ROUTES[key], VALID[key]) == []


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_unknown_extra_keys_are_never_refused(key):
    method, path = ROUTES[key]
    body = copy.deepcopy(VALID[key])
    body.update({"zz_unknown": {"nested": [1, None]}, "another_field": "x" * 100, "": 0})
    # and inside every nested object as well
    for p in list(paths(VALID[key])):
        target = body
        for part in p:
            target = target[part]
        if isinstance(target, dict) and p[-1] not in FREE_FORM_MAPS:
            target["zz_unknown_nested"] = [1, {"a": None}]
    assert _answer(method, path, body) == []


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_hostile_values_in_every_field(key):
    method, path = ROUTES[key]
    base = VALID[key]
    count = 0
    for p in paths(base):
        for _name, value in HOSTILE_VALUES:
            _answer(method, path, replaced(base, p, value))
            count += 1
    assert count >= len(HOSTILE_VALUES)


@pytest.mark.parametrize("key", sorted(ROUTES))
@pytest.mark.parametrize(("name", "body"), HOSTILE_BODIES, ids=[n for n, _ in HOSTILE_BODIES])
def test_hostile_whole_bodies(key, name, body):
    problems = _answer(*ROUTES[key], body)
    if name in READ_AS_SERVER_READS:
        # JSON to the server (express.json decodes with U+FFFD, strips a BOM, reads an
        # empty body as {}; JSON.parse takes lone surrogate escapes): judged field by field
        assert problems == tv.check(*ROUTES[key], READ_AS_SERVER_READS[name])
    elif name not in ("empty object",):
        assert problems, f"{name} accepted"


READ_AS_SERVER_READS = {
    "invalid UTF-8 (raw)": {"to": "\ufffd\ufffd"},
    "lone surrogate escape (raw)": {"body": "\ufffd"},
    "BOM (raw)": {"a": 1},
    "empty (raw)": {},
}


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_raw_hostile_values_as_json_text(key):
    """The same hostile values sent as raw JSON text (NaN/Infinity literals, big numbers)."""
    method, path = ROUTES[key]
    base = VALID[key]
    for p in list(paths(base))[:40]:
        for _name, value in HOSTILE_VALUES:
            if isinstance(value, float) and not math.isfinite(value):
                continue  # json.dumps writes NaN/Infinity literals; covered by HOSTILE_BODIES
            try:
                raw = json.dumps(replaced(base, p, value), ensure_ascii=False)
            except (ValueError, UnicodeEncodeError):
                continue
            _answer(method, path, raw)


@pytest.mark.parametrize("as_raw", [False, True])
@pytest.mark.parametrize("depth", [50, 100, 101, 150, 250, 5000])
@pytest.mark.parametrize("key", ["POST /v2/audiences", "PUT /v2/audiences/{id}"])
def test_deeply_nested_audience_groups(key, depth, as_raw):
    method, path = ROUTES[key]
    body = {"name": "Deep", "filter": deep_groups(depth)}
    if as_raw:
        import sys

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20_000))
        try:
            body = json.dumps(body)
        finally:
            sys.setrecursionlimit(limit)
    problems = _answer(method, path, body)
    if depth <= 100:
        assert problems == []
    else:
        assert problems and problems[0].code == "invalid_input"


def test_duplicate_keys_take_the_last_value_like_the_server():
    raw = b'{"to": "bad", "to": "+14155551234", "list_number": "+18005551000", "body": "x"}'
    assert _answer("POST", "/v2/send", raw) == []
    raw = b'{"to": "+14155551234", "to": "bad", "list_number": "+18005551000", "body": "x"}'
    assert [p.code for p in _answer("POST", "/v2/send", raw)] == ["invalid_phone"]


@pytest.mark.parametrize("phone", ["\u202e+14155551234", "+14155551234\u202c", "+1415\u200b5551234",
                                   "+\u0661\u0664\u0661\u0665\u0665\u0665\u0661\u0662\u0663\u0664",
                                   "+14155551234\n", " +14155551234", "+14155551234\x00"])
def test_invisible_and_foreign_characters_around_phones_are_refused(phone):
    problems = _answer("POST", "/v2/send", {**VALID["POST /v2/send"], "to": phone})
    assert [(p.code, p.loc) for p in problems] == [("invalid_phone", ("to",))]


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_lists_where_objects_are_expected_and_the_reverse(key):
    method, path = ROUTES[key]
    base = VALID[key]
    for p in paths(base):
        target = base
        for part in p:
            target = target[part]
        if isinstance(target, dict):
            _answer(method, path, replaced(base, p, [target]))
        elif isinstance(target, list):
            _answer(method, path, replaced(base, p, {str(i): v for i, v in enumerate(target)}))
