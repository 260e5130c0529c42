"""The sandbox over real HTTP (loopback, httpx and requests): every endpoint family
answers good and bad requests like the API, the 5 MiB rule, keys, the fixtures'
server-state codes, generated ids, and the request log.  The tests start the servers
themselves on 127.0.0.1 and a free port and stop them after: one per test wherever the
account's state or the log matters, one per module (``shared``) for the stateless
tables (a uvicorn shutdown costs ~0.2 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import requests

import trackly_validate as tv
from hostile_inputs import VALID, route_paths
from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES
from trackly_validate.doors.server import SandboxServer
from trackly_validate.contracts.routes import resolve
from trackly_validate.contracts.shapes import SHAPES

KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # the docs' example key
FIXTURES = Path(__file__).resolve().parents[3] / "examples" / "sandbox-fixtures.json"
FX_KEY = json.loads(FIXTURES.read_text())["api_keys"][0]
ROUTES = route_paths()
SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}


@pytest.fixture(scope="module")
def shared():
    with SandboxServer(seed=7) as s:
        yield s


@pytest.fixture
def server():
    with SandboxServer(seed=7) as s:
        yield s


@pytest.fixture
def fx():
    with SandboxServer(seed=7, fixtures=FIXTURES) as s:
        yield s


def call(server, endpoint, body=None, key=KEY, **kw):
    method, path = ROUTES[endpoint] if endpoint in ROUTES else endpoint.split(" ", 1)
    headers = {"X-Api-Key": key} if key is not None else {}
    return httpx.request(method, f"{server.url}/api{path}", json=body, headers=headers, **kw)


# --- every endpoint, good and bad -------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_good_and_bad_bodies_of_every_endpoint(shared, endpoint):
    """A valid body gets the documented success; bad ones the server's first problem
    (the same as ``tv.check``), with every problem under the extension key."""
    server = shared
    r = call(server, endpoint, VALID[endpoint])
    shape = SHAPES[resolve(*ROUTES[endpoint])]
    assert r.status_code == shape.status, r.text
    assert r.headers["content-type"] == "application/json"
    assert set(shape.fields) <= set(r.json())
    method, path = ROUTES[endpoint]
    for body in ({}, {"to": 5, "messages": "x", "records": {}, "name": ["x"], "phones": 1}, []):
        expected = tv.check(method, path, body)
        r = call(server, endpoint, body)
        if not expected:
            assert r.status_code < 300
            continue
        assert (r.status_code, r.json()["code"], r.json()["error"]) == (
            expected[0].status, expected[0].code, expected[0].error)
        assert [p["code"] for p in r.json()["problems"]] == [p.code for p in expected]


# exact answers, as the docs write them
EXACT = [
    ("POST /v2/send", {"to": "+14155551234", "list_number": "+18005551000"}, 400, "missing_body", "body is required"),
    ("POST /v2/send", {**SEND, "to": "4155551234"}, 400, "invalid_phone", "Invalid recipient phone number format"),
    ("POST /v1/messages", {"to_msisdn": "+14155551234", "from_phone_number_id": "pn_1"}, 400, "missing_body",
     "Message body is required"),
    ("POST /v1/messages/bulk", {"from_phone_number_id": "pn_1", "messages": [{"to_msisdn": "+14155551234",
                                                                              "body": "x"}] * 1001},
     400, "too_many_messages", "Maximum 1000 messages per request"),
    ("POST /v2/send/bulk", {"messages": [SEND] * 1001}, 413, "too_many_messages", "Maximum 1000 messages per request"),
    ("POST /v1/phone/validate/batch", {"phones": ["+14155551234"], "force": "true"}, 400, "invalid_force",
     "force must be a boolean"),
    ("DELETE /v2/history/clear", {"entities": ["sends"], "confirm": False}, 400, "confirm_required",
     "confirm must be true"),
    ("PUT /v2/audiences/12", {"name": "x"}, 400, "invalid_audience_id", "Invalid audience ID"),
    ("GET /v2/send", None, 404, "not_found", "Resource not found"),
    ("POST /v2/nothing", {}, 404, "not_found", "Resource not found"),
]


@pytest.mark.parametrize(("endpoint", "body", "status", "code", "error"), EXACT, ids=lambda x: str(x)[:30])
def test_exact_answers(shared, endpoint, body, status, code, error):
    r = call(shared, endpoint, body)
    assert (r.status_code, r.json()["code"], r.json()["error"]) == (status, code, error)


def test_requests_library_gets_the_same_answers(server):
    base = f"{server.url}/api"
    with requests.Session() as s:
        s.headers["X-Api-Key"] = KEY
        ok = s.post(f"{base}/v2/send", json=SEND)
        assert ok.status_code == 200 and ok.json()["status"] == "queued" and len(ok.json()["message_id"]) == 8
        bad = s.post(f"{base}/v2/send", json={"to": "+14155551234"})
        assert (bad.status_code, bad.json()["code"]) == (400, "missing_list_number")
        v1 = s.post(f"{base}/v1/messages", json={"to_msisdn": "+14155551234", "body": "Hi 😀", "from_phone_number_id": "p"})
        assert v1.status_code == 201 and v1.headers["Deprecation"] == "true"
        assert v1.headers["X-API-Deprecated"] == "v1 is deprecated"
        assert (v1.json()["segments"], v1.json()["gsm7"]) == (1, False)
        none = s.post(f"{base}/v2/send", data=b"")
        assert (none.status_code, none.json()["code"]) == (400, "missing_to")


def test_a_body_not_sent_as_json_is_not_read(server):
    """express.json parses application/json only: another type leaves the body empty."""
    r = httpx.post(f"{server.url}/api/v2/send", content=json.dumps(SEND),
                   headers={"X-Api-Key": KEY, "Content-Type": "text/plain"})
    assert (r.status_code, r.json()["code"]) == (400, "missing_to")
    r = httpx.post(f"{server.url}/api/v2/send", content=json.dumps(SEND),
                   headers={"X-Api-Key": KEY, "Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200


# --- the body as express.json reads it (body-parser) ----------------------------------------------------------------

def _sized(n: int) -> bytes:
    """A valid /v2/send body of exactly ``n`` bytes."""
    head = json.dumps({**SEND, "body": ""})[:-2].encode()  # ends with the body's opening quote
    return head + b"x" * (n - len(head) - 2) + b'"}'


def _post(server, path, raw, headers, method="POST"):
    return httpx.request(method, f"{server.url}/api{path}", content=raw, headers={"X-Api-Key": KEY, **headers})


def test_only_application_json_is_parsed(shared):
    """express.json's default type is application/json exactly: a +json type is not read
    (the body is {}: PUT /v2/offers/{id} accepts {})."""
    raw = json.dumps({"payout_type": "x"}).encode()
    parsed = _post(shared, "/v2/offers/abc", raw, {"Content-Type": "application/json; charset=utf-8"}, "PUT")
    assert (parsed.status_code, parsed.json()["code"]) == (400, "invalid_payout_type")
    for kind in ("application/vnd.api+json", "application/merge-patch+json", "text/json"):
        r = _post(shared, "/v2/offers/abc", raw, {"Content-Type": kind}, "PUT")
        assert r.status_code == 200, (kind, r.text)


def test_a_body_express_json_does_not_read_has_no_size_limit(server):
    """The type is decided before the limit: 5 MiB + 1 of text/plain, or a chunked body
    with no Content-Type at all (type-is needs one), is never read: {} -> missing_to."""
    over = _sized(MAX_PAYLOAD_BYTES + 1)
    r = _post(server, "/v2/send", over, {"Content-Type": "text/plain"})
    assert (r.status_code, r.json()["code"]) == (400, "missing_to")
    chunks = (b"x" * 65536 for _ in range(100))  # 6.25 MiB, chunked, no Content-Type
    r = httpx.post(f"{server.url}/api/v2/send", content=chunks, headers={"X-Api-Key": KEY})
    assert (r.status_code, r.json()["code"]) == (400, "missing_to")
    log = httpx.get(f"{server.url}/_sandbox/requests", headers={"X-Api-Key": KEY}).json()["requests"]
    assert [(e["body"], e.get("body_too_large")) for e in log] == [(None, None), (None, None)]


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


def _deflate(data: bytes) -> bytes:
    import zlib

    return zlib.compress(data)


def _bomb() -> bytes:
    """gzip of a valid /v2/send body of 5 MiB + 1 byte (about 5 KiB compressed)."""
    return _gzip(_sized(MAX_PAYLOAD_BYTES + 1))


ENCODED = [
    # (Content-Encoding, body bytes as sent) -> (status, code or None for a success)
    ("gzip", _gzip(json.dumps(SEND).encode()), (200, None)),
    ("GZIP", _gzip(json.dumps(SEND).encode()), (200, None)),
    ("deflate", _deflate(json.dumps(SEND).encode()), (200, None)),
    ("identity", json.dumps(SEND).encode(), (200, None)),
    ("gzip", _gzip(json.dumps({**SEND, "body": ""}).encode()), (400, "missing_body")),
    ("gzip", _gzip(json.dumps({**SEND, "to": "4155551234"}).encode()), (400, "invalid_phone")),
    ("gzip", _gzip(_sized(MAX_PAYLOAD_BYTES)), (200, None)),       # the limit is on the inflated bytes
    ("gzip", _bomb(), (413, "payload_too_large")),
    ("gzip", _gzip(b'{"to": '), (400, "invalid_input")),
    ("gzip", b"\x1f\x8b not gzip at all", (400, "invalid_input")),   # does not inflate: body-parser's 400
]


@pytest.mark.parametrize(("encoding", "raw", "expected"), ENCODED,
                         ids=[f"{i}-{e[0]}-{e[2][1] or 'ok'}" for i, e in enumerate(ENCODED)])
def test_gzip_and_deflate_bodies_are_judged_inflated(shared, encoding, raw, expected):
    r = _post(shared, "/v2/send", raw, {"Content-Type": "application/json", "Content-Encoding": encoding})
    assert (r.status_code, r.json().get("code")) == expected, r.text


def test_an_encoding_body_parser_cannot_inflate_is_a_415_without_code(shared):
    """body-parser answers 415 for any other Content-Encoding (the catalog has no code
    for it: its message, no code)."""
    r = _post(shared, "/v2/send", json.dumps(SEND).encode(), {"Content-Type": "application/json",
                                                              "Content-Encoding": "compress"})
    message = 'unsupported content encoding "compress"'
    assert (r.status_code, r.json()) == (415, {"error": message, "problems": [{"error": message, "loc": []}]})


def test_brotli_bodies_are_read_as_express_5_reads_them(shared):
    """body-parser 2 (Express 5) inflates br; Express 4 answers 415: the union is read."""
    import brotli

    r = _post(shared, "/v2/send", brotli.compress(json.dumps(SEND).encode()),
              {"Content-Type": "application/json", "Content-Encoding": "br"})
    assert r.status_code == 200, r.text
    r = _post(shared, "/v2/send", brotli.compress(json.dumps({**SEND, "to": "x"}).encode()),
              {"Content-Type": "application/json", "Content-Encoding": "BR"})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_phone")


CHARSETS = [
    ("utf-16", json.dumps(SEND).encode("utf-16"), (200, None)),
    ("UTF-16LE", json.dumps(SEND).encode("utf-16-le"), (200, None)),
    ("utf-16be", json.dumps(SEND).encode("utf-16-be"), (200, None)),
    ("utf-16", json.dumps(SEND).encode("utf-16-be"), (200, None)),    # no BOM, big-endian: guessed as iconv-lite does
    ("utf-32", json.dumps(SEND).encode("utf-32"), (200, None)),
    ("utf-16", json.dumps({**SEND, "body": "Hi 😀"}, ensure_ascii=False).encode("utf-16"), (200, None)),
    ("utf-16", json.dumps({**SEND, "to": "4155551234"}).encode("utf-16"), (400, "invalid_phone")),
    ("utf-8", json.dumps(SEND).encode(), (200, None)),
    ("latin1", json.dumps(SEND).encode(), (415, None)),      # not utf-*: 415 before reading
    ("utf8", json.dumps(SEND).encode(), (415, None)),        # body-parser wants the "utf-" prefix
    ("utf-99", json.dumps(SEND).encode(), (415, None)),      # utf-* iconv-lite does not know
]


@pytest.mark.parametrize(("charset", "raw", "expected"), CHARSETS,
                         ids=[f"{i}-{c[0]}-{c[2][0]}" for i, c in enumerate(CHARSETS)])
def test_utf_charsets_are_decoded_others_refused(shared, charset, raw, expected):
    r = _post(shared, "/v2/send", raw, {"Content-Type": f"application/json; charset={charset}"})
    assert (r.status_code, r.json().get("code")) == expected, r.text
    if r.status_code == 415:
        message = f'unsupported charset "{charset.upper()}"'
        assert r.json() == {"error": message, "problems": [{"error": message, "loc": []}]}


def test_routes_match_literals_case_insensitively_on_the_raw_path(shared):
    """Express routes case-insensitively, on the path as sent: parameters are decoded,
    literal segments are not (``%73end`` is not ``send``)."""
    for path in ("/api/V2/send", "/API/v2/SEND", "/Api/V2/Send"):
        r = httpx.post(shared.url + path, json=SEND, headers={"X-Api-Key": KEY})
        assert (r.status_code, r.json()["status"]) == (200, "queued"), path
    r = httpx.post(shared.url + "/api/v2/%73end", json=SEND, headers={"X-Api-Key": KEY})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = httpx.put(shared.url + "/api/V2/Audiences/12", json={"name": "x"}, headers={"X-Api-Key": KEY})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_audience_id")
    r = httpx.put(shared.url + "/api/v2/audiences/%36%36%35%66%61%31%62%32%63%33%64%34%65%35%66%36%61%37%62%38"
                               "%63%39%64%30", json={"name": "x"}, headers={"X-Api-Key": KEY})
    assert r.status_code == 200, r.text  # the id, decoded, is an ObjectId


def test_phone_lookups_read_numbers_as_the_pipeline_does(shared):
    """The v1 readings of tv.check: 442079460958 is +442079460958 (valid, GB), not +1..."""
    body = {"phone": "442079460958"}
    assert tv.check("POST", "/v1/phone/validate", body) == []
    r = call(shared, "POST /v1/phone/validate", body)
    assert r.status_code < 300, r.text
    found = r.json()
    assert (found["phone"], found["valid"], found["country"]) == ("+442079460958", True, "GB")
    us = call(shared, "POST /v1/phone/validate", {"phone": "(415) 555-1234"}).json()
    assert (us["phone"], us["country"]) == ("+14155551234", "US")


def test_an_echoed_id_is_not_truncated(fx):
    long_id = "offer_" + "z" * 150
    body = {**VALID["POST /v2/creatives"], "offer_links": [{"key": "link1", "offer_id": long_id}]}
    r = call(fx, "POST /v2/creatives", body, key=FX_KEY)
    assert (r.status_code, r.json()["code"], r.json()["error"]) == (400, "offer_not_found",
                                                                    f"Offer not found: {long_id}")


def test_bulk_queues_the_good_items_and_reports_the_rest(server):
    body = {"messages": [SEND, {**SEND, "to": "+1"}, {"to": SEND["to"], "body": "x"}, SEND]}
    r = call(server, "POST /v2/send/bulk", body)
    assert r.status_code == 200
    assert r.json() == {"queued_count": 2, "error_count": 2, "errors": [
        {"index": 1, "code": "invalid_phone", "error": "Invalid recipient phone number format"},
        {"index": 2, "code": "missing_list_number", "error": "list_number is required"}]}
    v1 = call(server, "POST /v1/messages/bulk", {"from_phone_number_id": "pn_1", "messages": [
        {"to_msisdn": "+14155551234", "body": "a"}, {"to_msisdn": "+14155551234"}]})
    assert v1.status_code == 201
    assert v1.json()["errors"] == [{"index": 1, "to_msisdn": "+14155551234", "code": "missing_body",
                                    "error": "Message body is required"}]


# --- size and keys ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("client", ["httpx", "requests"])
def test_the_5_mib_limit_is_inclusive_and_read_in_chunks(server, client):
    url = f"{server.url}/api/v2/send"
    headers = {"X-Api-Key": KEY, "Content-Type": "application/json"}
    post = (lambda data: httpx.post(url, content=data, headers=headers)) if client == "httpx" else \
        (lambda data: requests.post(url, data=data, headers=headers))
    assert len(_sized(MAX_PAYLOAD_BYTES)) == MAX_PAYLOAD_BYTES
    assert post(_sized(MAX_PAYLOAD_BYTES)).status_code == 200
    over = post(_sized(MAX_PAYLOAD_BYTES + 1))
    assert (over.status_code, over.json()["code"], over.json()["error"]) == (
        413, "payload_too_large", "Payload exceeds size limit")
    chunks = (b"x" * 65536 for _ in range(200))  # 12.5 MiB, chunked: no Content-Length
    streamed = post(chunks)
    assert (streamed.status_code, streamed.json()["code"]) == (413, "payload_too_large")
    log = httpx.get(f"{server.url}/_sandbox/requests", headers={"X-Api-Key": KEY}).json()["requests"]
    assert [e.get("body_too_large") for e in log] == [None, True, True]


def test_the_limit_comes_before_the_key(server):
    r = httpx.post(f"{server.url}/api/v2/send", content=_sized(MAX_PAYLOAD_BYTES + 1),
                   headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (413, "payload_too_large")


@pytest.mark.parametrize(("key", "code"), [(None, "missing_api_key"), ("", "missing_api_key"),
                                           ("trk_short", "invalid_api_key"), (KEY[:-1] + "!", "invalid_api_key"),
                                           (KEY.upper().replace("TRK_", "trk_") + "x", "invalid_api_key")])
def test_missing_and_malformed_keys(shared, key, code):
    r = call(shared, "POST /v2/send", SEND, key=key)
    assert (r.status_code, r.json()["code"]) == (401, code)
    assert KEY[4:] not in r.text


def test_with_fixtures_only_the_accounts_keys_open_the_door(fx):
    assert call(fx, "POST /v2/send", SEND, key=FX_KEY).status_code == 200
    r = call(fx, "POST /v2/send", SEND, key=KEY)
    assert (r.status_code, r.json()["code"], r.json()["error"]) == (401, "invalid_api_key", "Invalid API key")


# --- the account's state (fixtures) -------------------------------------------------------------------------------

STATE = [
    ("POST /v2/send", {**SEND, "list_number": "+18005559999"}, 400, "list_not_found",
     "Sending list not found for this list_number"),
    ("POST /v2/send", {**SEND, "list_number": "+18005552000"}, 400, "webhook_not_configured",
     "Webhook verification required before sending"),
    ("POST /v1/messages", {"to_msisdn": "+14155551234", "body": "x", "from_phone_number_id": "pn_zz"}, 404,
     "list_not_found", "Sending number not found"),
    ("POST /v2/creatives", {**VALID["POST /v2/creatives"], "offer_links": [{"key": "link1", "offer_id": "offer_zz"}]},
     400, "offer_not_found", "Offer not found: offer_zz"),
    ("PUT /v2/creatives/999", {"name": "x"}, 404, "not_found", "Resource not found"),
    ("PUT /v2/schedules/6651a3f2e4b0a1c2d3e4f568", {"name": "x"}, 400, "schedule_complete",
     "Schedule is already complete"),
    ("POST /v2/schedules", {**VALID["POST /v2/schedules"], "audiences": ["665fa1b2c3d4e5f6a7b8c999"]}, 404,
     "audience_not_found", "One or more audience IDs do not exist or are not active."),
    ("POST /v2/links", {"offerId": "6789abcd1234ef5678901234", "listId": 42}, 403, "product_not_enabled",
     "OFFER_MANAGEMENT product not enabled for this account"),
    ("POST /v2/links/shorten", {"url": "https://example.com/", "listId": 43}, 409, "no_domain_configured",
     "No link domain configured for this list"),
    ("POST /v2/links/shorten", {"url": "https://example.com/", "listId": 7}, 404, "list_not_found",
     "Sending list not found for this list_number"),
    ("POST /v2/links/shorten", {"offerId": "offer_zz", "listId": 42}, 404, "offer_not_found", "Offer not found: offer_zz"),
    ("PUT /v2/contacts", {"phone_number": "+14155550000", "list_number": "+18005551000", "custom_fields": {"a": 1}},
     400, "contact_not_found", "Contact not found"),
    ("PUT /v2/contacts", {"phone_number": "+14155559876", "list_number": "+18005552000", "custom_fields": {"a": 1}},
     400, "list_contact_not_found", "List contact not found"),
    ("POST /v2/revenue", {"message_id": "zzzzzzzz", "revenue": 1, "attribution_type": "sale"}, 400,
     "message_not_found", "Message not found"),
]


@pytest.mark.parametrize(("endpoint", "body", "status", "code", "error"), STATE, ids=lambda x: str(x)[:40])
def test_server_state_codes_from_the_fixtures(fx, endpoint, body, status, code, error):
    r = call(fx, endpoint, body, key=FX_KEY)
    assert (r.status_code, r.json()["code"], r.json()["error"]) == (status, code, error)


def test_without_fixtures_every_reference_exists(server):
    for endpoint, body, *_ in STATE:
        if not endpoint.startswith("POST /v2/links "):
            assert call(server, endpoint, body).status_code < 300, endpoint


def test_created_resources_exist_afterwards(fx):
    created = call(fx, "POST /v2/creatives", VALID["POST /v2/creatives"], key=FX_KEY).json()["creative"]
    assert created["id"] == 102 and created["offers"] == ["offer_abc123"]
    updated = call(fx, f"PUT /v2/creatives/{created['id']}", {"name": "Renamed"}, key=FX_KEY)
    assert updated.status_code == 200 and updated.json()["name"] == "Renamed"
    offer = call(fx, "POST /v2/offers", VALID["POST /v2/offers"], key=FX_KEY).json()["offer"]
    links = [{"key": "link1", "offer_id": offer["id"]}]
    assert call(fx, "POST /v2/creatives", {**VALID["POST /v2/creatives"], "offer_links": links},
                key=FX_KEY).status_code == 201
    sent = call(fx, "POST /v2/send", SEND, key=FX_KEY).json()["message_id"]
    revenue = call(fx, "POST /v2/revenue", {"message_id": sent, "revenue": 2.5, "attribution_type": "sale"},
                   key=FX_KEY)
    assert revenue.status_code == 200 and revenue.json()["message_id"] == sent
    contact = {"phone_number": "+14155550000", "list_number": "+18005551000"}
    assert call(fx, "PUT /v2/contacts", {**contact, "custom_fields": {"a": 1}}, key=FX_KEY).status_code == 400
    first = call(fx, "POST /v2/contacts", contact, key=FX_KEY).json()
    assert (first["is_new_contact"], first["is_new_list_contact"]) == (True, True)
    assert call(fx, "POST /v2/contacts", contact, key=FX_KEY).json()["is_new_contact"] is False
    fields = call(fx, "PUT /v2/contacts", {**contact, "custom_fields": {"a": 1}}, key=FX_KEY)
    assert fields.json()["custom_fields"] == {"a": 1}
    assert call(fx, "DELETE /v2/contacts", contact, key=FX_KEY).json()["unsubscribed"] is True
    assert call(fx, "DELETE /v2/contacts", contact, key=FX_KEY).json()["unsubscribed"] is False


def test_bulk_reports_unknown_lists_per_item(fx):
    body = {"messages": [SEND, {**SEND, "list_number": "+18005559999"}, {"to": SEND["to"], "body": "x"}],
            "list_number": "+18005557777"}
    r = call(fx, "POST /v2/send/bulk", body, key=FX_KEY)
    assert r.json() == {"queued_count": 1, "error_count": 2, "errors": [
        {"index": 1, "code": "list_not_found", "error": "Sending list not found for this list_number"},
        {"index": 2, "code": "list_not_found", "error": "Sending list not found for this list_number"}]}


def test_history_imports_skip_duplicates(fx):
    body = {"records": [{**r, "list_number": "+18005551000"} for r in VALID["POST /v2/history/sends"]["records"]]}
    first = call(fx, "POST /v2/history/sends", body, key=FX_KEY).json()
    again = call(fx, "POST /v2/history/sends", body, key=FX_KEY).json()
    n = len(body["records"])
    assert (first["success_count"], first["duplicates_skipped"]) == (n, 0)
    assert (again["success_count"], again["duplicates_skipped"]) == (0, n)
    cleared = call(fx, "DELETE /v2/history/clear", {"entities": ["sends"], "confirm": True}, key=FX_KEY).json()
    assert cleared == {"success": True, "cleared": {"sends": n}}


def test_daily_cap_and_suspended_account(tmp_path):
    data = json.loads(FIXTURES.read_text())
    path = tmp_path / "fx.json"
    path.write_text(json.dumps({**data, "daily_cap": 2}))
    with SandboxServer(fixtures=path) as s:
        assert [call(s, "POST /v2/send", SEND, key=FX_KEY).status_code for _ in range(3)] == [200, 200, 429]
        r = call(s, "POST /v2/send/bulk", {"messages": [SEND]}, key=FX_KEY)
        assert (r.status_code, r.json()["code"], r.json()["error"]) == (429, "daily_cap_exceeded",
                                                                          "Daily send cap exceeded")
    with SandboxServer(fixtures={**data, "suspended": True}) as s:
        r = call(s, "POST /v2/send", SEND, key=FX_KEY)
        assert (r.status_code, r.json()) == (403, {"error": "Account is suspended",
                                                   "problems": [{"error": "Account is suspended", "loc": []}]})


# --- ids, the log, the document -----------------------------------------------------------------------------

def test_ids_are_repeatable_with_a_seed():
    def ids(seed):
        with SandboxServer(seed=seed) as s:
            return [call(s, "POST /v2/send", SEND).json()["message_id"] for _ in range(3)]
    assert ids(3) == ids(3) != ids(4)
    assert all(len(i) == 8 and i.isalnum() for i in ids(3))


def test_the_request_log_records_and_resets_without_keys_and_only_for_a_key(server):
    call(server, "POST /v2/send", {**SEND, "metadata": {"note": KEY}})
    httpx.post(f"{server.url}/api/v2/send?api_key={KEY}", json=SEND, headers={"Authorization": f"Bearer {KEY}"})
    assert httpx.get(f"{server.url}/_sandbox/requests").json()["code"] == "missing_api_key"
    log = httpx.get(f"{server.url}/_sandbox/requests", headers={"X-Api-Key": KEY})
    text = log.text
    assert KEY not in text and KEY[4:] not in text
    first, second = log.json()["requests"]
    assert (first["method"], first["path"], first["status"], first["endpoint"]) == (
        "POST", "/api/v2/send", 200, "POST /v2/send")
    assert first["headers"]["x-api-key"] == "[redacted]"
    assert first["body"]["metadata"] == {"note": "trk_***"}
    assert second["code"] == "missing_api_key" and second["headers"]["authorization"] == "[redacted]"
    assert httpx.delete(f"{server.url}/_sandbox/requests").status_code == 401
    assert httpx.delete(f"{server.url}/_sandbox/requests", headers={"X-Api-Key": KEY}).json() == {"deleted": 2}
    assert httpx.get(f"{server.url}/_sandbox/requests", headers={"X-Api-Key": KEY}).json() == {"requests": []}


def test_the_served_document_is_the_librarys_with_this_server(server):
    doc = httpx.get(f"{server.url}/openapi.json").json()
    assert doc["paths"] == json.loads(json.dumps(tv.openapi()["paths"]))
    assert doc["servers"][1]["url"] == f"{server.url}/api"


# --- the CLI functions and the pytest plugin -----------------------------------------------------------------------

def test_openapi_command_writes_the_document():
    import io

    from trackly_validate.doors.server.cli import openapi_command, serve_command

    out = io.StringIO()
    assert openapi_command(out) == 0
    assert json.loads(out.getvalue()) == json.loads(json.dumps(tv.openapi()))
    err = io.StringIO()
    assert serve_command(fixtures="/nonexistent/fx.json", err=err) == 2
    assert "cannot read the fixtures file" in err.getvalue()


def test_the_pytest_plugin_yields_a_running_sandbox(tmp_path):
    (tmp_path / "test_app.py").write_text(
        "import httpx\n"
        "KEY = 'trk_' + 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6'\n"
        "def test_send(trackly_sandbox):\n"
        "    r = httpx.post(trackly_sandbox + '/api/v2/send', headers={'X-Api-Key': KEY},\n"
        "                   json={'to': '+14155551234', 'list_number': '+18005551000'})\n"
        "    assert r.json()['code'] == 'missing_body'\n"
        "    log = httpx.get(trackly_sandbox + '/_sandbox/requests', headers={'X-Api-Key': KEY}).json()\n"
        "    assert log['requests'][0]['status'] == 400\n")
    # the installed package registers the plugin (a pytest11 entry point): nothing to configure
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_a_path_no_route_pattern_matches_still_gets_a_json_answer():
    import httpx

    from trackly_validate.doors.server import SandboxServer

    key = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
    with SandboxServer() as server:
        for path, status, code in (("/api/v2/audiences/%0Aid", 400, "invalid_audience_id"),
                                   ("/api/v2/nothing/%0A", 404, "not_found")):
            response = httpx.put(server.url + path, headers={"X-Api-Key": key}, json={})
            assert response.headers["content-type"].startswith("application/json")
            assert (response.status_code, response.json()["code"]) == (status, code)


def test_options_accepts_exactly_the_fields_of_options():
    import inspect

    from trackly_validate.doors.server.cli import options_from

    fields = [name for name in inspect.signature(tv.Options.__init__).parameters if name != "self"]
    with pytest.raises(ValueError) as refused:
        options_from('{"nope": 1}')
    assert str(refused.value) == f"unknown option(s) nope; the fields are {', '.join(fields)}"
    assert options_from('{"validation_cap": 5, "max_depth": 3}') == tv.Options(validation_cap=5, max_depth=3)
