"""httpx pre-flight: a request the API would refuse never reaches the wire; everything
else passes through untouched (counted with httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import json
import pickle

import httpx
import pytest

import trackly_validate as tv
from trackly_validate.doors.httpx import AsyncValidatingTransport, ValidatingTransport

KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # the authentication page's example key
BASE = "https://api.tracklysms.com/api"

GOOD = [
    ("POST", "/v2/send", {"to": "+14155551234", "list_number": "+18005551000",
                          "body": "Hello! Your order is confirmed. Ref: {{messageId}}", "wrap_links": True}),
    ("POST", "/v2/send/bulk", {"list_number": "+18005551000", "messages": [
        {"to": "+14155551234", "body": "Hello"}, {"to": "+14155559876", "body": "Hello"}]}),
    ("POST", "/v2/send-raw", {"to": "+14155551234", "list_number": "+18005551000",
                              "body": "URGENT: Your verification code is 482901. Ref: {{messageId}}",
                              "skip_duplicate_check": True, "skip_rate_limit": True}),
    ("POST", "/v1/messages", {"to_msisdn": "+14155551234", "body": "Hello from Trackly SMS!",
                              "from_phone_number_id": "pn_abc123def456"}),
    ("POST", "/v1/phone/validate", {"phone": "(415) 555-1234"}),
    ("POST", "/v1/phone/validate/batch", {"phones": ["+14155551234", "+13103059808", "not-a-phone"]}),
]

# (method, path, body) -> every problem as (code, status, loc, error), the server's first first
BAD = [
    ("POST", "/v2/send", {"to": "x", "list_number": "+18005551000", "body": "hi"},
     [("invalid_phone", 400, ("to",), "Invalid recipient phone number format")]),
    ("POST", "/v2/send", {},
     [("missing_to", 400, ("to",), "to is required"),
      ("missing_list_number", 400, ("list_number",), "list_number is required"),
      ("missing_body", 400, ("body",), "body is required")]),
    ("POST", "/v2/send/bulk", {"messages": [{"to": "+14155551234", "list_number": "+18005551000", "body": "x"}] * 1001},
     [("too_many_messages", 413, ("messages",), "Maximum 1000 messages per request")]),
    ("POST", "/v1/messages/bulk", {"from_phone_number_id": "pn_1", "messages": [{"to_msisdn": "+14155551234",
                                                                                 "body": "x"}] * 1001},
     [("too_many_messages", 400, ("messages",), "Maximum 1000 messages per request")]),
    ("POST", "/v1/phone/validate", {"phone": "+14155551234", "force": "true"},
     [("invalid_force", 400, ("force",), "force must be a boolean")]),
    ("POST", "/v1/phone/validate/batch", {"phones": []},
     [("missing_phones", 400, ("phones",), "phones array is required and must be non-empty")]),
]


def _as_tuples(problems):
    return [(p.code, p.status, p.loc, p.error) for p in problems]


@pytest.fixture
def wire():
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"success": True})

    return sent, httpx.MockTransport(handler)


def _client(transport, **kw):
    return httpx.Client(base_url=BASE, transport=transport, headers={"X-Api-Key": KEY}, **kw)


@pytest.mark.parametrize(("method", "path", "body"), GOOD)
def test_a_request_the_api_accepts_goes_out_once_unchanged(wire, method, path, body):
    sent, mock = wire
    with _client(ValidatingTransport(mock)) as client:
        response = client.request(method, path, json=body)
    assert response.status_code == 200
    assert len(sent) == 1
    assert json.loads(sent[0].content) == body
    assert sent[0].headers["X-Api-Key"] == KEY


@pytest.mark.parametrize(("method", "path", "body", "expected"), BAD)
def test_a_refused_request_raises_before_any_io_with_every_problem(wire, method, path, body, expected):
    sent, mock = wire
    with _client(ValidatingTransport(mock)) as client, pytest.raises(tv.TracklyValidationError) as info:
        client.request(method, path, json=body)
    assert sent == []
    assert _as_tuples(info.value.problems) == expected
    code, status, _loc, error = expected[0]
    assert (info.value.code, info.value.status, info.value.error) == (code, status, error)
    assert info.value.to_response() == {"error": error, "code": code, "problems": [
        {"code": c, "error": e, "loc": list(loc)} for c, _s, loc, e in expected]}


PARTIAL = {"messages": [{"to": "+14155551234", "list_number": "+18005551000", "body": "x"},
                        {"to": "+1", "list_number": "+18005551000", "body": "x"}]}


def test_a_bulk_request_with_problems_only_in_items_is_sent_as_the_api_accepts_it(wire):
    """The API answers it 200 with the bad items in errors[]: sent, item problems reported."""
    sent, mock = wire
    seen = []
    with _client(ValidatingTransport(mock, on_item_problems=seen.append)) as client:
        response = client.post("/v2/send/bulk", json=PARTIAL)
    assert response.status_code == 200 and len(sent) == 1
    expected = [("invalid_phone", 400, ("messages", 1, "to"), "Invalid recipient phone number format")]
    assert _as_tuples(response.extensions["trackly_item_problems"]) == expected
    assert [_as_tuples(found) for found in seen] == [expected]


def test_refuse_partial_bulk_refuses_it_before_any_io(wire):
    sent, mock = wire
    with _client(ValidatingTransport(mock, refuse_partial_bulk=True)) as client, \
            pytest.raises(tv.TracklyValidationError) as info:
        client.post("/v2/send/bulk", json=PARTIAL)
    assert sent == [] and [(p.code, p.loc) for p in info.value.problems] == [("invalid_phone", ("messages", 1, "to"))]


def test_an_empty_body_is_checked_as_an_empty_object(wire):
    sent, mock = wire
    with _client(ValidatingTransport(mock)) as client, pytest.raises(tv.TracklyValidationError) as info:
        client.post("/v2/send")
    assert sent == []
    assert [p.code for p in info.value.problems] == ["missing_to", "missing_list_number", "missing_body"]


def test_a_body_that_is_not_json_is_invalid_input(wire):
    sent, mock = wire
    with _client(ValidatingTransport(mock)) as client, pytest.raises(tv.TracklyValidationError) as info:
        client.post("/v2/send", content=b'{"to": ', headers={"Content-Type": "application/json"})
    assert sent == []
    assert _as_tuples(info.value.problems) == [("invalid_input", 400, (), "Invalid input")]


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/v2/send"),                      # a method the library does not model
    ("POST", "/v2/unknown"),                  # a path it does not model
    ("GET", "/v2/contacts"),
    ("POST", "https://example.com/somewhere"),
])
def test_unmodelled_requests_pass_through_untouched_even_without_a_key(wire, method, url):
    sent, mock = wire
    with httpx.Client(base_url=BASE, transport=ValidatingTransport(mock)) as client:
        response = client.request(method, url, content=b"not json at all")
    assert response.status_code == 200
    assert len(sent) == 1
    assert sent[0].content == b"not json at all"


@pytest.mark.parametrize(("headers", "code", "error"), [
    ({}, "missing_api_key", "API key required"),
    ({"X-Api-Key": ""}, "missing_api_key", "API key required"),
    ({"X-Api-Key": "your_api_key"}, "invalid_api_key", "Invalid API key"),
    ({"X-Api-Key": KEY + " "}, "invalid_api_key", "Invalid API key"),
    ({"X-Api-Key": KEY[:-1]}, "invalid_api_key", "Invalid API key"),
    ({"Authorization": f"Bearer {KEY}"}, "missing_api_key", "API key required"),
])
def test_the_key_is_checked_first_with_status_401(wire, headers, code, error):
    sent, mock = wire
    good = GOOD[0][2]
    with httpx.Client(base_url=BASE, transport=ValidatingTransport(mock), headers=headers) as client, \
            pytest.raises(tv.TracklyValidationError) as info:
        client.post("/v2/send", json=good)
    assert sent == []
    assert _as_tuples(info.value.problems) == [(code, 401, ("X-Api-Key",), error)]


def test_key_problems_come_first_and_body_problems_follow(wire):
    sent, mock = wire
    with httpx.Client(base_url=BASE, transport=ValidatingTransport(mock)) as client, \
            pytest.raises(tv.TracklyValidationError) as info:
        client.post("/v2/send", json={"to": "+14155551234", "list_number": "+18005551000"})
    assert [(p.code, p.status) for p in info.value.problems] == [("missing_api_key", 401), ("missing_body", 400)]
    assert info.value.status == 401


def test_the_key_never_appears_in_the_exception():
    secret = "trk_SECRETsecretSECRETsecretSECRETs"  # 31 characters after trk_: malformed
    sent: list = []
    mock = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    with httpx.Client(base_url=BASE, transport=ValidatingTransport(mock), headers={"X-Api-Key": secret}) as c, \
            pytest.raises(tv.TracklyValidationError) as info:
        c.post("/v2/send", json={"to": "x"})
    exc = info.value
    texts = [str(exc), repr(exc), repr(exc.problems), str(exc.args), str(pickle.loads(pickle.dumps(exc)))]
    assert all("SECRET" not in t and "secret" not in t for t in texts)
    assert exc.code == "invalid_api_key" and sent == []


def test_check_api_key_false_skips_the_key_but_not_the_body(wire):
    sent, mock = wire
    transport = ValidatingTransport(mock, check_api_key=False)
    with httpx.Client(base_url=BASE, transport=transport) as client:
        assert client.post("/v2/send", json=GOOD[0][2]).status_code == 200
        with pytest.raises(tv.TracklyValidationError) as info:
            client.post("/v2/send", json={})
    assert len(sent) == 1
    assert info.value.code == "missing_to"


def test_options_are_applied(wire):
    sent, mock = wire
    body = {"to": "+99912345678", "list_number": "+18005551000", "body": "x"}  # no such calling code
    with _client(ValidatingTransport(mock)) as client, pytest.raises(tv.TracklyValidationError) as info:
        client.post("/v2/send", json=body)
    assert info.value.code == "invalid_phone"
    with _client(ValidatingTransport(mock, options=tv.Options(phone_level="format"))) as client:
        assert client.post("/v2/send", json=body).status_code == 200
    assert len(sent) == 1


@pytest.mark.parametrize("url", [f"{BASE}/v2/send?trace=1", "https://api.tracklysms.com/v2/send/",
                                 "http://localhost:8080/api/v2/send"])
def test_any_host_and_path_spelling_of_a_modelled_endpoint_is_checked(wire, url):
    sent, mock = wire
    with httpx.Client(transport=ValidatingTransport(mock), headers={"X-Api-Key": KEY}) as client, \
            pytest.raises(tv.TracklyValidationError):
        client.post(url, json={"to": "x"})
    assert sent == []


def test_a_streamed_body_is_checked_and_still_sent_whole(wire):
    sent, mock = wire
    payload = json.dumps(GOOD[0][2]).encode()

    def chunks():
        yield payload[:10]
        yield payload[10:]

    json_type = {"Content-Type": "application/json"}
    with _client(ValidatingTransport(mock)) as client:
        assert client.post("/v2/send", content=chunks(), headers=json_type).status_code == 200
        with pytest.raises(tv.TracklyValidationError) as info:
            client.post("/v2/send", content=iter([b'{"to":', b'"x"}']), headers=json_type)
        assert info.value.code == "missing_list_number"
        # without a JSON Content-Type express.json leaves the body unread: the API sees {}
        with pytest.raises(tv.TracklyValidationError) as info:
            client.post("/v2/send", content=iter([payload]))
        assert info.value.code == "missing_to"
    assert len(sent) == 1
    assert sent[0].content == payload


def test_close_reaches_the_wrapped_transport():
    closed = []

    class Inner(httpx.BaseTransport):
        def handle_request(self, request):  # pragma: no cover - never called here
            raise AssertionError

        def close(self):
            closed.append(True)

    with httpx.Client(transport=ValidatingTransport(Inner())):
        pass
    assert closed == [True]


def test_the_default_inner_transport_is_a_real_http_transport():
    assert isinstance(ValidatingTransport().transport, httpx.HTTPTransport)
    assert isinstance(AsyncValidatingTransport().transport, httpx.AsyncHTTPTransport)


# --- async ------------------------------------------------------------------------------------------------

def test_async_transport_blocks_before_io_and_passes_the_rest():
    sent: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"success": True})

    async def scenario():
        transport = AsyncValidatingTransport(httpx.MockTransport(handler))
        async with httpx.AsyncClient(base_url=BASE, transport=transport, headers={"X-Api-Key": KEY}) as client:
            ok = await client.post("/v2/send", json=GOOD[0][2])
            passthrough = await client.get("/v2/messages/a1b2c3d4")
            with pytest.raises(tv.TracklyValidationError) as info:
                await client.post("/v2/send/bulk", json={"messages": []})

            async def chunks():
                yield b'{"to":"x"}'

            with pytest.raises(tv.TracklyValidationError) as streamed:
                await client.post("/v2/send", content=chunks(), headers={"Content-Type": "application/json"})
        return ok, passthrough, info.value, streamed.value

    ok, passthrough, refused, streamed = asyncio.run(scenario())
    assert (ok.status_code, passthrough.status_code) == (200, 200)
    assert len(sent) == 2
    assert _as_tuples(refused.problems) == [("missing_messages", 400, ("messages",), "messages array is required")]
    assert streamed.code == "missing_list_number"
