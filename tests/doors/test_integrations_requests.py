"""requests pre-flight: ValidatingAdapter hands only acceptable requests to the adapter it
wraps (a recording double stands in for the wire)."""

from __future__ import annotations

import io
import json

import pytest
import requests
from requests.adapters import BaseAdapter, HTTPAdapter

import trackly_validate as tv
from trackly_validate.doors.requests import ValidatingAdapter

KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
BASE = "https://api.tracklysms.com/api"

GOOD = [
    ("POST", "/v2/send", {"to": "+14155551234", "list_number": "+18005551000",
                          "body": "Hello! Your order is confirmed. Ref: {{messageId}}", "wrap_links": True}),
    ("POST", "/v2/send-raw/bulk", {"messages": [
        {"to": "+14155551234", "list_number": "+18005551000", "body": "Verification code: 482901. Ref: {{messageId}}",
         "skip_duplicate_check": True, "skip_rate_limit": True}]}),
    ("POST", "/v1/messages/bulk", {"from_phone_number_id": "pn_abc123def456", "messages": [
        {"to_msisdn": "+14155551234", "body": "Hello John! Check out our latest offer."}]}),
    ("POST", "/v1/phone/validate", {"phone": "+14155551234"}),
]

BAD = [
    ("POST", "/v2/send", {"to": "+14155551234", "body": "hi"},
     [("missing_list_number", 400, ("list_number",), "list_number is required")]),
    ("POST", "/v1/messages", {"body": "x"},
     [("missing_to", 400, ("to_msisdn",), "Recipient phone number (to_msisdn) is required"),
      ("missing_from", 400, ("from_phone_number_id",), "Sending number ID (from_phone_number_id) is required")]),
    ("POST", "/v2/send/bulk", {"messages": "nope"},
     [("missing_messages", 400, ("messages",), "messages array is required")]),
    ("POST", "/v1/phone/validate/batch", {"phones": ["+14155551234"] * 501},
     [("too_many_phones", 413, ("phones",), "Maximum 500 phones per request")]),
]


class Wire(BaseAdapter):
    """Records what would have been sent; answers 200."""

    def __init__(self):
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []
        self.closed = False

    def send(self, request, **kwargs):
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"success": true}'
        response.request = request
        response.url = request.url
        return response

    def close(self):
        self.closed = True


@pytest.fixture
def session():
    wire = Wire()
    s = requests.Session()
    s.mount("https://", ValidatingAdapter(wire))
    s.headers["X-Api-Key"] = KEY
    yield s, wire
    s.close()


def _tuples(problems):
    return [(p.code, p.status, p.loc, p.error) for p in problems]


@pytest.mark.parametrize(("method", "path", "body"), GOOD)
def test_acceptable_requests_reach_the_wire_once(session, method, path, body):
    s, wire = session
    assert s.request(method, BASE + path, json=body).status_code == 200
    assert len(wire.sent) == 1
    assert json.loads(wire.sent[0].body) == body


@pytest.mark.parametrize(("method", "path", "body", "expected"), BAD)
def test_refused_requests_raise_before_the_wire(session, method, path, body, expected):
    s, wire = session
    with pytest.raises(tv.TracklyValidationError) as info:
        s.request(method, BASE + path, json=body)
    assert wire.sent == []
    assert _tuples(info.value.problems) == expected


@pytest.mark.parametrize(("method", "path"), [("GET", "/v2/send"), ("POST", "/v2/lists"), ("PATCH", "/v2/contacts")])
def test_unmodelled_requests_pass_through(session, method, path):
    s, wire = session
    del s.headers["X-Api-Key"]
    assert s.request(method, BASE + path, data=b"{not json").status_code == 200
    assert len(wire.sent) == 1 and wire.sent[0].body == b"{not json"


@pytest.mark.parametrize(("key", "code"), [(None, "missing_api_key"), ("trk_short", "invalid_api_key"),
                                           (KEY + " ", "invalid_api_key")])
def test_key_format_is_checked_and_never_echoed(session, key, code):
    s, wire = session
    if key is None:
        del s.headers["X-Api-Key"]
    else:
        s.headers["X-Api-Key"] = key
    with pytest.raises(tv.TracklyValidationError) as info:
        s.post(BASE + "/v2/send", json=GOOD[0][2])
    assert wire.sent == []
    assert [(p.code, p.status, p.loc) for p in info.value.problems] == [(code, 401, ("X-Api-Key",))]
    if key:
        assert "trk_short" not in str(info.value) and "trk_short" not in repr(info.value)


def test_an_empty_body_is_checked_as_an_empty_object(session):
    s, wire = session
    with pytest.raises(tv.TracklyValidationError) as info:
        s.post(BASE + "/v1/phone/validate")
    assert wire.sent == []
    assert _tuples(info.value.problems) == [("missing_phone", 400, ("phone",), "phone number is required")]


def test_a_string_body_is_checked(session):
    s, wire = session
    with pytest.raises(tv.TracklyValidationError) as info:
        s.post(BASE + "/v2/send", data='{"to": "+14155551234", "list_number": "+18005551000"}',
               headers={"Content-Type": "application/json"})
    assert info.value.code == "missing_body" and wire.sent == []
    with pytest.raises(tv.TracklyValidationError) as info:  # no JSON type: express.json reads {}
        s.post(BASE + "/v2/send", data='{"to": "+14155551234", "list_number": "+18005551000", "body": "x"}')
    assert info.value.code == "missing_to" and wire.sent == []


def test_streamed_bodies_are_read_once_and_sent_as_bytes(session):
    s, wire = session
    payload = json.dumps(GOOD[0][2]).encode()
    json_type = {"Content-Type": "application/json"}
    s.post(BASE + "/v2/send", data=(payload[i:i + 7] for i in range(0, len(payload), 7)), headers=json_type)
    s.post(BASE + "/v2/send", data=io.BytesIO(payload), headers=json_type)
    assert [r.body for r in wire.sent] == [payload, payload]
    assert all(r.headers["Content-Length"] == str(len(payload)) and "Transfer-Encoding" not in r.headers
               for r in wire.sent)
    with pytest.raises(tv.TracklyValidationError):
        s.post(BASE + "/v2/send", data=iter([b'{"to":', b' "x"}']), headers=json_type)
    assert len(wire.sent) == 2


def test_options_and_key_switch():
    wire = Wire()
    adapter = ValidatingAdapter(wire, options=tv.Options(phone_level="format"), check_api_key=False)
    s = requests.Session()
    s.mount("https://", adapter)
    body = {"to": "+99912345678", "list_number": "+18005551000", "body": "x"}
    assert s.post(BASE + "/v2/send", json=body).status_code == 200
    with pytest.raises(tv.TracklyValidationError) as info:
        s.post(BASE + "/v2/send", json={**body, "body": ""})
    assert info.value.code == "missing_body"
    assert len(wire.sent) == 1
    s.close()
    assert wire.closed


def test_the_default_wrapped_adapter_is_httpadapter():
    assert isinstance(ValidatingAdapter().adapter, HTTPAdapter)
