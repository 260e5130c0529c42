"""Sending and phone-validation endpoints: every documented example passes, every
documented code is raised with its exact text, status and loc (messaging.md §2-§12)."""

from __future__ import annotations

import copy
import json

import pytest

import trackly_validate as tv
from trackly_validate import Options, Problem

# --- documented examples: each must be accepted, at every phone level -----------------------------------

DOC_EXAMPLES = [
    ("POST", "/v2/send", {"to": "+14155551234", "list_number": "+18005551000",
                          "body": "Hello! Your order is confirmed. Ref: {{messageId}}", "wrap_links": True}),
    # the error-code page's curl example
    ("POST", "https://api.tracklysms.com/api/v2/send",
     {"list_number": "+14155551234", "to": "+14155556789", "body": "Hello!"}),
    ("POST", "/v2/send/bulk", {"messages": [
        {"to": "+14155551234", "list_number": "+18005551000", "body": "Your promo code is SAVE20. Ref: {{messageId}}"},
        {"to": "+14155559876", "list_number": "+18005551000", "body": "Your promo code is SAVE20. Ref: {{messageId}}"},
    ]}),
    # the API Limits page: list_number at the top level, messages with only to/body
    ("POST", "/api/v2/send/bulk", {"list_number": "+18005551000", "messages": [
        {"to": "+14155551234", "body": "Hello"}, {"to": "+14155559876", "body": "Hello"}]}),
    ("POST", "/v2/send-raw", {"to": "+14155551234", "list_number": "+18005551000",
                              "body": "URGENT: Your verification code is 482901. Ref: {{messageId}}",
                              "skip_duplicate_check": True, "skip_rate_limit": True}),
    ("POST", "/v2/send-raw/bulk", {"messages": [
        {"to": "+14155551234", "list_number": "+18005551000", "body": "Verification code: 482901. Ref: {{messageId}}",
         "skip_duplicate_check": True, "skip_rate_limit": True},
        {"to": "+14155559876", "list_number": "+18005551000", "body": "Verification code: 739204. Ref: {{messageId}}",
         "skip_duplicate_check": True, "skip_rate_limit": True, "skip_contact_validation": True},
    ]}),
    ("POST", "/v1/messages", {"to": "+14155551234", "body": "Hello from Trackly SMS!",
                              "from_phone_number_id": "pn_abc123def456"}),
    ("POST", "/v1/messages", {"to_msisdn": "+14155551234", "body": "Hello from Trackly SMS!",
                              "from_phone_number_id": "pn_abc123def456"}),
    ("POST", "/v1/messages/bulk", {"from_phone_number_id": "pn_abc123def456", "messages": [
        {"to_msisdn": "+14155551234", "body": "Hello John! Check out our latest offer."},
        {"to_msisdn": "+14155551235", "body": "Hello Jane! Check out our latest offer."},
        {"to_msisdn": "+14155551236", "body": "Hello Bob! Check out our latest offer."},
    ]}),
    ("POST", "/v1/phone/validate", {"phone": "+14155551234"}),
    ("POST", "/v1/phone/validate/batch", {"phones": ["+14155551234", "+13103059808", "not-a-phone", "+15551234567"]}),
]

# US formats the v1 pages and the import guide say the server normalises
V1_FORMATS = ["+14155551234", "14155551234", "4155551234", "(415) 555-1234", "415-555-1234", "+1 415 555 1234"]


@pytest.mark.parametrize("level", ["format", "possible", "valid"])
@pytest.mark.parametrize(("method", "path", "body"), DOC_EXAMPLES)
def test_documented_examples_pass(method, path, body, level):
    assert tv.check(method, path, body, options=Options(phone_level=level)) == []


@pytest.mark.parametrize(("method", "path", "body"), DOC_EXAMPLES)
def test_documented_examples_validate_to_their_model_without_mutating_the_input(method, path, body):
    before = copy.deepcopy(body)
    model = tv.validate(method, path, body)
    assert isinstance(model, tv.model_for(method, path))
    assert body == before


@pytest.mark.parametrize("level", ["format", "possible", "valid"])
@pytest.mark.parametrize("phone", V1_FORMATS)
def test_v1_accepts_the_us_formats_the_server_normalises(phone, level):
    opts = Options(phone_level=level)
    assert tv.check("POST", "/v1/messages", {"to_msisdn": phone, "body": "x", "from_phone_number_id": "pn_1"},
                    options=opts) == []
    assert tv.check("POST", "/v1/phone/validate", {"phone": phone}, options=opts) == []


def test_a_bad_number_inside_a_validation_batch_is_not_a_request_error():
    body = {"phones": ["not-a-phone", "", 12, None, "+1"], "force": False}
    assert tv.check("POST", "/v1/phone/validate/batch", body) == []


# --- every documented code: (method, path, body) -> exact problems ----------------------------------------

OK = {"to": "+14155551234", "list_number": "+18005551000", "body": "hi"}
OK_V1 = {"to_msisdn": "+14155551234", "body": "hi", "from_phone_number_id": "pn_abc123def456"}


def _without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


def P(code, error, status, *loc):
    return Problem(code, error, status, tuple(loc))


CODE_CASES = [
    # /v2/send
    ("POST", "/v2/send", _without(OK, "to"), [P("missing_to", "to is required", 400, "to")]),
    ("POST", "/v2/send", {**OK, "to": None}, [P("missing_to", "to is required", 400, "to")]),
    ("POST", "/v2/send", {**OK, "to": ""}, [P("missing_to", "to is required", 400, "to")]),
    ("POST", "/v2/send", _without(OK, "list_number"),
     [P("missing_list_number", "list_number is required", 400, "list_number")]),
    ("POST", "/v2/send", _without(OK, "body"), [P("missing_body", "body is required", 400, "body")]),
    ("POST", "/v2/send", {**OK, "to": "4155551234"},
     [P("invalid_phone", "Invalid recipient phone number format", 400, "to")]),
    ("POST", "/v2/send", {**OK, "to": 14155551234},
     [P("invalid_phone", "Invalid recipient phone number format", 400, "to")]),
    ("POST", "/v2/send", {**OK, "list_number": "+1 800 555 1000"},
     [P("invalid_list_number", "Invalid list_number E.164 format", 400, "list_number")]),
    ("POST", "/v2/send", {**OK, "body": 5}, [P("invalid_input", "Invalid input", 400, "body")]),
    ("POST", "/v2/send", {**OK, "metadata": ["a"]}, [P("invalid_metadata", "Invalid metadata", 400, "metadata")]),
    ("POST", "/v2/send", {**OK, "contact_data": {"first_name": 7}},
     [P("invalid_input", "Invalid input", 400, "contact_data", "first_name")]),
    # every problem in one pass, the server's first one first (documented table order)
    ("POST", "/v2/send", {"to": "bad", "list_number": "bad"},
     [P("missing_body", "body is required", 400, "body"),
      P("invalid_phone", "Invalid recipient phone number format", 400, "to"),
      P("invalid_list_number", "Invalid list_number E.164 format", 400, "list_number")]),
    ("POST", "/v2/send", {}, [P("missing_to", "to is required", 400, "to"),
                              P("missing_list_number", "list_number is required", 400, "list_number"),
                              P("missing_body", "body is required", 400, "body")]),
    # /v2/send-raw has the same table
    ("POST", "/v2/send-raw", {**OK, "to": "+0123"},
     [P("invalid_phone", "Invalid recipient phone number format", 400, "to")]),
    ("POST", "/v2/send-raw", {**OK, "skip_rate_limit": "perhaps"},
     [P("invalid_input", "Invalid input", 400, "skip_rate_limit")]),
    # /v2/send/bulk
    ("POST", "/v2/send/bulk", {}, [P("missing_messages", "messages array is required", 400, "messages")]),
    ("POST", "/v2/send/bulk", {"messages": []}, [P("missing_messages", "messages array is required", 400, "messages")]),
    ("POST", "/v2/send/bulk", {"messages": {"to": "+14155551234"}},
     [P("missing_messages", "messages array is required", 400, "messages")]),
    ("POST", "/v2/send/bulk", {"messages": [OK] * 1001},
     [P("too_many_messages", "Maximum 1000 messages per request", 413, "messages")]),
    ("POST", "/v2/send/bulk", {"messages": [OK, {**OK, "to": "+1"}, _without(OK, "body")]},
     [P("invalid_phone", "Invalid recipient phone number format", 400, "messages", 1, "to"),
      P("missing_body", "body is required", 400, "messages", 2, "body")]),
    ("POST", "/v2/send/bulk", {"messages": [_without(OK, "list_number")]},
     [P("missing_list_number", "list_number is required", 400, "messages", 0, "list_number")]),
    ("POST", "/v2/send/bulk", {"list_number": "nope", "messages": [_without(OK, "list_number")]},
     [P("invalid_list_number", "Invalid list_number E.164 format", 400, "list_number"),
      P("invalid_list_number", "Invalid list_number E.164 format", 400, "messages", 0, "list_number")]),
    ("POST", "/v2/send-raw/bulk", {"messages": [OK] * 1001},
     [P("too_many_messages", "Maximum 1000 messages per request", 413, "messages")]),
    ("POST", "/v2/send-raw/bulk", {"messages": [{**OK, "to": None}]},
     [P("missing_to", "to is required", 400, "messages", 0, "to")]),
    # /v1/messages: v1 texts
    ("POST", "/v1/messages", _without(OK_V1, "to_msisdn"),
     [P("missing_to", "Recipient phone number (to_msisdn) is required", 400, "to_msisdn")]),
    ("POST", "/v1/messages", _without(OK_V1, "body"), [P("missing_body", "Message body is required", 400, "body")]),
    ("POST", "/v1/messages", _without(OK_V1, "from_phone_number_id"),
     [P("missing_from", "Sending number ID (from_phone_number_id) is required", 400, "from_phone_number_id")]),
    ("POST", "/v1/messages", {**OK_V1, "to_msisdn": "call me"},
     [P("invalid_phone", "Invalid phone number format", 400, "to_msisdn")]),
    ("POST", "/v1/messages", {**_without(OK_V1, "to_msisdn"), "to": "555"},
     [P("invalid_phone", "Invalid phone number format", 400, "to")]),
    # /v1/messages/bulk: too_many_messages is 400 on v1
    ("POST", "/v1/messages/bulk", {"messages": [{"to_msisdn": "+14155551234", "body": "x"}]},
     [P("missing_from", "Sending number ID (from_phone_number_id) is required", 400, "from_phone_number_id")]),
    ("POST", "/v1/messages/bulk", {"from_phone_number_id": "pn_1", "messages": []},
     [P("missing_messages", "Messages array is required", 400, "messages")]),
    ("POST", "/v1/messages/bulk", {"from_phone_number_id": "pn_1", "messages": [{"to_msisdn": "+14155551234",
                                                                                   "body": "x"}] * 1001},
     [P("too_many_messages", "Maximum 1000 messages per request", 400, "messages")]),
    ("POST", "/v1/messages/bulk", {"from_phone_number_id": "pn_1", "messages": [{"body": "x"}]},
     [P("missing_to", "Recipient phone number (to_msisdn) is required", 400, "messages", 0, "to_msisdn")]),
    # /v1/phone/validate
    ("POST", "/v1/phone/validate", {}, [P("missing_phone", "phone number is required", 400, "phone")]),
    ("POST", "/v1/phone/validate", {"phone": "not-a-phone"},
     [P("invalid_phone", "Invalid phone number format", 400, "phone")]),
    ("POST", "/v1/phone/validate", {"phone": "+14155551234", "force": "true"},
     [P("invalid_force", "force must be a boolean", 400, "force")]),
    ("POST", "/v1/phone/validate", {"phone": "+14155551234", "force": 1},
     [P("invalid_force", "force must be a boolean", 400, "force")]),
    # /v1/phone/validate/batch
    ("POST", "/v1/phone/validate/batch", {}, [P("missing_phones", "phones array is required and must be non-empty",
                                                400, "phones")]),
    ("POST", "/v1/phone/validate/batch", {"phones": []},
     [P("missing_phones", "phones array is required and must be non-empty", 400, "phones")]),
    ("POST", "/v1/phone/validate/batch", {"phones": ["+14155551234"] * 501},
     [P("too_many_phones", "Maximum 500 phones per request", 413, "phones")]),
    ("POST", "/v1/phone/validate/batch", {"phones": ["+14155551234"], "force": "true"},
     [P("invalid_force", "force must be a boolean", 400, "force")]),
    # OTP (inferred rules)
    ("POST", "/v2/otp/send", {"to": "+14155551234", "channel": "fax"},
     [P("invalid_channel", "channel must be one of: sms, voice, auto", 400, "channel")]),
    ("POST", "/v2/otp/send", {"to": "4155551234"}, [P("invalid_phone", "Invalid E.164 phone number format", 400, "to")]),
    ("POST", "/v2/otp/send", {"metadata": {"k": "x" * 1100}},
     [P("metadata_too_large", "Metadata exceeds maximum size", 400, "metadata")]),
    ("POST", "/v2/otp/verify", {"phone_number": "+1"},
     [P("invalid_phone", "Invalid E.164 phone number format", 400, "phone_number")]),
    # the body itself
    ("POST", "/v2/send", None, [P("invalid_input", "Invalid input", 400)]),
    ("POST", "/v2/send", [OK], [P("invalid_input", "Invalid input", 400)]),
    ("POST", "/v2/send", "not json", [P("invalid_input", "Invalid input", 400)]),
    ("POST", "/v2/send", b"\xff\xfe", [P("invalid_input", "Invalid input", 400)]),
    ("POST", "/v2/send", "x" * (5 * 1024 * 1024 + 1), [P("payload_too_large", "Payload exceeds size limit", 413)]),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), CODE_CASES)
def test_documented_codes(method, path, body, expected):
    assert tv.check(method, path, body) == expected


@pytest.mark.parametrize(("method", "path", "body", "expected"), CODE_CASES)
def test_validate_raises_the_same_problems(method, path, body, expected):
    with pytest.raises(tv.TracklyValidationError) as caught:
        tv.validate(method, path, body)
    err = caught.value
    assert list(err.problems) == expected
    assert (err.code, err.error, err.status) == (expected[0].code, expected[0].error, expected[0].status)
    assert err.to_response() == {"error": expected[0].error, "code": expected[0].code,
                                 "problems": [{"code": p.code, "error": p.error, "loc": list(p.loc)} for p in expected]}
    assert isinstance(err, ValueError)


def test_payload_limit_is_5_mib_inclusive_for_raw_and_parsed_bodies():
    limit = 5 * 1024 * 1024
    base = {**OK, "body": ""}
    overhead = len(json.dumps(base, separators=(",", ":")))
    at_limit = {**base, "body": "x" * (limit - overhead)}
    over = {**base, "body": "x" * (limit - overhead + 1)}
    raw_at = json.dumps(at_limit, separators=(",", ":")).encode()
    assert len(raw_at) == limit
    assert tv.check("POST", "/v2/send", at_limit) == []
    assert tv.check("POST", "/v2/send", raw_at) == []
    too_large = [P("payload_too_large", "Payload exceeds size limit", 413)]
    assert tv.check("POST", "/v2/send", over) == too_large
    assert tv.check("POST", "/v2/send", json.dumps(over, separators=(",", ":"))) == too_large
    # multi-byte characters count as bytes, not characters
    assert tv.check("POST", "/v2/send", {**base, "body": "é" * (limit // 2)}) == too_large


def test_raw_body_is_size_checked_before_parsing():
    # 5 MiB + 1 of '[' would be unparseable; the size problem must win
    assert tv.check("POST", "/v2/send", b"[" * (5 * 1024 * 1024 + 1)) == [
        P("payload_too_large", "Payload exceeds size limit", 413)]


# --- account-setting mirrors -------------------------------------------------------------------------------

def _example(region, kind):
    import phonenumbers

    num = phonenumbers.example_number_for_type(region, getattr(phonenumbers.PhoneNumberType, kind))
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def test_block_voip_mirror_refuses_voip_recipients_only():
    voip = _example("GB", "VOIP")
    mobile = _example("GB", "MOBILE")
    opts = Options(block_voip=True)
    assert tv.check("POST", "/v2/send", {**OK, "to": voip}) == []
    assert tv.check("POST", "/v2/send", {**OK, "to": voip}, options=opts) == [
        P("not_sendable", "Phone number failed carrier validation", 400, "to")]
    assert tv.check("POST", "/v2/send", {**OK, "to": mobile}, options=opts) == []
    # the sending list is not a recipient
    assert tv.check("POST", "/v2/send", {**OK, "list_number": voip}, options=opts) == []


def test_allowed_countries_mirror_answers_geo_restricted_403():
    opts = Options(allowed_countries={"us", "CA"})
    assert tv.check("POST", "/v2/send", OK, options=opts) == []
    gb = _example("GB", "MOBILE")
    assert tv.check("POST", "/v2/send", {**OK, "to": gb}, options=opts) == [
        P("geo_restricted", "Geographic restriction", 403, "to")]
    assert tv.check("POST", "/v2/send/bulk", {"messages": [OK, {**OK, "to": gb}]}, options=opts) == [
        P("geo_restricted", "Geographic restriction", 403, "messages", 1, "to")]


def test_disable_switches_a_rule_off_and_validate_then_returns_the_model():
    body = {"channel": "fax"}
    assert tv.check("POST", "/v2/otp/send", body, options=Options(disable={"invalid_channel"})) == []
    model = tv.validate("POST", "/v2/otp/send", body, options=Options(disable={"invalid_channel"}))
    assert model.channel == "fax"
    assert isinstance(model, tv.models.SendOtp)
    # the other rules stay on
    assert [p.code for p in tv.check("POST", "/v2/otp/send", {"channel": "fax", "to": "x"},
                                     options=Options(disable={"invalid_channel"}))] == ["invalid_phone"]


def test_disable_missing_code_makes_the_field_optional():
    opts = Options(disable={"missing_body"})
    assert tv.check("POST", "/v2/send", _without(OK, "body"), options=opts) == []
    assert tv.validate("POST", "/v2/send", _without(OK, "body"), options=opts).body is None


# --- routes -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/v2/send", "/api/v2/send", "v2/send", "/v2/send/", "https://api.tracklysms.com/api/v2/send",
    "https://app.tracklysms.com/api/v2/send?debug=1#x", "HTTPS://API.TRACKLYSMS.COM/api/v2/send",
])
def test_path_forms(path):
    assert tv.model_for("post", path) is tv.models.SendMessage


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v2/send"), ("POST", "/v2/sends"), ("POST", "/v3/send"), ("POST", "/v2/send/bulk/x"),
    ("POST", ""), ("PATCH", "/v2/creatives/1"),
])
def test_unknown_endpoints_raise(method, path):
    with pytest.raises(tv.UnknownEndpointError):
        tv.check(method, path, {})


def test_templates_match_path_parameters():
    from trackly_validate.contracts.routes import resolve

    route = resolve("PUT", "/api/v2/creatives/101?x=1")
    assert (route.key, route.model_ref.rsplit(":", 1)[1]) == ("PUT /v2/creatives/{id}", "UpdateCreative")
    with pytest.raises(tv.UnknownEndpointError):
        resolve("PUT", "/v2/creatives/")


def test_extra_keys_are_accepted_and_kept():
    model = tv.validate("POST", "/v2/send", {**OK, "future_field": {"x": 1}})
    assert model.model_extra == {"future_field": {"x": 1}}


# --- partition ------------------------------------------------------------------------------------------------

def test_partition_v2_bulk_keeps_good_items_and_reports_the_rest():
    body = {"list_number": "+18005551000",
            "messages": [{"to": "+14155551234", "body": "a"}, {"to": "oops", "body": "b"},
                         {"to": "+14155559876"}, {"to": "+14155550000", "body": "d"}]}
    part = tv.partition("POST", "/v2/send/bulk", body)
    assert part.ok
    assert part.accepted_indices == (0, 3)
    assert part.accepted == (body["messages"][0], body["messages"][3])
    assert part.errors == (
        {"index": 1, "code": "invalid_phone", "error": "Invalid recipient phone number format"},
        {"index": 2, "code": "missing_body", "error": "body is required"},
    )
    assert part.body() == {"list_number": "+18005551000", "messages": [body["messages"][0], body["messages"][3]]}
    assert tv.check("POST", "/v2/send/bulk", part.body()) == []


def test_partition_v1_echoes_to_msisdn_like_the_server():
    body = {"from_phone_number_id": "pn_1", "messages": [{"to_msisdn": "zzz", "body": "b"},
                                                         {"to_msisdn": "+14155551234", "body": "a"}]}
    part = tv.partition("POST", "/v1/messages/bulk", json.dumps(body))
    assert part.errors == ({"index": 0, "to_msisdn": "zzz", "code": "invalid_phone",
                            "error": "Invalid phone number format"},)
    assert part.accepted == ({"to_msisdn": "+14155551234", "body": "a"},)


def test_partition_request_level_problem_accepts_nothing():
    part = tv.partition("POST", "/v2/send/bulk", {"messages": [OK] * 1001})
    assert not part.ok and part.accepted == () and part.body() is None
    assert [p.code for p in part.problems] == ["too_many_messages"]


def test_partition_refuses_a_single_request_endpoint():
    with pytest.raises(tv.TracklyError):
        tv.partition("POST", "/v2/send", OK)
