"""The one route matcher (contracts.routes.match): a path as a caller spells it, or the
raw path as the server's Express router reads it."""

from __future__ import annotations

import pickle

import pytest

import trackly_validate as tv
from trackly_validate.contracts.routes import READS, ROUTES, express_parts, find, match, resolve, suggest

OBJECT_ID = "664f1a2b3c4d5e6f7a8b9c0d"
ENCODED_ID = "".join(f"%{ord(c):02x}" for c in OBJECT_ID)


def _key(found):
    return found.route.key if found is not None else None


@pytest.mark.parametrize(("method", "path", "key"), [
    ("POST", "/v2/send", "POST /v2/send"),
    (" post ", "/api/v2/send/", "POST /v2/send"),
    ("POST", "https://api.tracklysms.com/api/v2/send?trace=1#x", "POST /v2/send"),
    ("POST", "HTTP://localhost:8080/API/V2/SEND", "POST /v2/send"),
    ("POST", "/api//v2/send", "POST /v2/send"),  # a caller's spelling: empty segments dropped
    ("POST", "/v2/%73end", None),  # literals match on the path as spelt
    ("GET", "/v2/send", None),
    ("GET", "/v2/lists", None),  # read contracts only when asked
])
def test_a_caller_s_path(method, path, key):
    assert _key(match(method, path)) == key
    assert (find(method, path).key if find(method, path) else None) == key


@pytest.mark.parametrize(("method", "raw", "key"), [
    ("POST", "/api/v2/send", "POST /v2/send"),
    ("POST", "/API/V2/Send/", "POST /v2/send"),  # any case, one trailing slash
    ("POST", "/api//v2/send", None),  # an empty segment matches no Express route
    ("POST", "/api/v2/send//", None),
    ("POST", "//api/v2/send", None),
    ("POST", "/v2/send", None),  # outside /api
    ("POST", "api/v2/send", None),
    ("POST", "/api/v2/%73end", None),
    ("post", "/api/v2/send", None),  # the method exactly as sent
    ("GET", "/api/v2/lists", "GET /v2/lists"),
    ("HEAD", "/api/v2/lists", "GET /v2/lists"),
])
def test_the_raw_path_as_express_routes_it(method, raw, key):
    assert _key(match(method, raw, express=True, reads=True)) == key


def test_read_routes_and_head_only_when_asked():
    assert match("GET", "/api/v2/audiences/1", express=True) is None
    assert _key(match("GET", "/v2/audiences/1", reads=True)) == "GET /v2/audiences/{id}"
    assert _key(match("HEAD", "/v2/audiences", reads=True)) == "GET /v2/audiences"
    assert match("HEAD", "/v2/audiences") is None


def test_path_parameters_are_decoded_after_matching():
    found = match("PUT", f"/api/v2/audiences/{ENCODED_ID}", express=True)
    assert found.params == {"id": OBJECT_ID} and found.path == f"/api/v2/audiences/{ENCODED_ID}"
    found = match("PUT", "/api/v2/creatives/a%2Fb%7e", express=True)
    assert found.route.key == "PUT /v2/creatives/{id}" and found.params == {"id": "a/b~"}
    assert match("PUT", "/api/v2/audiences/", express=True) is None  # a parameter is never empty


def test_a_caller_s_encoded_object_id_is_read_as_the_server_decodes_it():
    assert tv.check("PUT", f"/v2/audiences/{ENCODED_ID}", {"name": "x"}) == []
    assert [p.code for p in tv.check("PUT", "/v2/audiences/%2042", {"name": "x"})] == ["invalid_audience_id"]


def test_every_contract_matches_its_own_template():
    for route in (*ROUTES, *READS):
        path = route.template.replace("{id}", OBJECT_ID).replace("{list_id}", "1").replace("{msisdn}", "1")
        assert match(route.method, "/api" + path, express=True, reads=True).route is route
        assert match(route.method, path, reads=True).route is route


def test_express_parts():
    assert express_parts("/api/v2/send/") == ("v2", "send")
    assert express_parts("/api") == ()
    assert express_parts("/apix/v2") is None and express_parts("") is None


def test_not_a_string_is_no_match():
    assert match(None, "/v2/send") is None and match("POST", b"/v2/send") is None
    assert find(["POST"], "/v2/send") is None


def test_an_unknown_endpoint_carries_the_closest_one():
    with pytest.raises(tv.UnknownEndpointError) as caught:
        resolve("GET", "/v2/sendd")
    assert caught.value.suggestion == "POST /v2/send" == suggest("GET", "/v2/sendd")
    assert str(caught.value).endswith("; did you mean POST /v2/send?")
    again = pickle.loads(pickle.dumps(caught.value))
    assert (str(again), again.suggestion) == (str(caught.value), "POST /v2/send")
    with pytest.raises(tv.UnknownEndpointError) as far:
        tv.check("PATCH", "/zzz/qqq", {})
    assert far.value.suggestion is None and "did you mean" not in str(far.value)
