"""Contacts: POST/PUT/DELETE /v2/contacts and POST /v2/contacts/bulk
(audiences-contacts.md §3, §5).  Expected texts are copied from error-codes.txt."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trackly_validate as tv
from trackly_validate import INFERRED_RULES, Options
from trackly_validate.models.contacts import (
    BulkContact,
    BulkCreateContacts,
    UnsubscribeContact,
    UpdateContactFields,
    UpsertContact,
)

POST = ("POST", "/v2/contacts")
PUT = ("PUT", "/v2/contacts")
DELETE = ("DELETE", "/v2/contacts")
BULK = ("POST", "/v2/contacts/bulk")

# --- documented examples --------------------------------------------------------------------------------------

CREATE_EXAMPLE = {"phone_number": "+14155559876", "list_number": "+18005551234", "use_journeys": True,
                  "custom_fields": {"first_name": "Jane", "source": "landing_page_v2"},
                  "ip_address": "203.0.113.42", "url": "https://example.com/signup"}
UPDATE_EXAMPLE = {"phone_number": "+14155559876", "list_number": "+18005551234",
                  "custom_fields": {"vip_status": "gold", "last_purchase": "2026-02-10"}}
DELETE_EXAMPLE = {"phone_number": "+14155559876", "list_number": "+18005551234"}
BULK_EXAMPLE = {"contacts": [
    {"phone_number": "+14155559876", "list_number": "+18005551234", "use_journeys": True,
     "custom_fields": {"first_name": "Jane"}},
    {"phone_number": "+12125551000", "list_number": "+18005551234", "custom_fields": {"first_name": "John"}},
    {"phone_number": "+13105558888", "list_number": "+18005551234", "signup_date": "2025-03-10T08:00:00Z",
     "ip_address": "198.51.100.17"},
]}
# every documented create field at once (newer version)
FULL_CREATE = {**CREATE_EXAMPLE, "skip_journey_if_exists": False, "signup_date": "2025-03-15T14:30:00Z",
               "replace_custom_fields": True, "ad_network_source": "facebook", "ad_network_id": 12345,
               "use_validation": True}


@pytest.mark.parametrize("level", ["format", "possible", "valid"])
@pytest.mark.parametrize(("route", "body"), [
    (POST, CREATE_EXAMPLE), (POST, FULL_CREATE), (PUT, UPDATE_EXAMPLE), (PUT, {**UPDATE_EXAMPLE, "merge_fields": False}),
    (DELETE, DELETE_EXAMPLE), (BULK, BULK_EXAMPLE),
], ids=["create", "create-all-fields", "update", "update-replace", "delete", "bulk"])
def test_documented_examples_pass(route, body, level):
    assert tv.check(*route, body, options=Options(phone_level=level)) == []


@pytest.mark.parametrize("body", [
    {**CREATE_EXAMPLE, "custom_fields": {"n": 3, "f": 2.5, "b": False, "s": ""}},
    {**CREATE_EXAMPLE, "custom_fields": {}},
    {**CREATE_EXAMPLE, "ip_address": "2001:db8::1"},
    {**CREATE_EXAMPLE, "signup_date": "2025-03-15"},
    {**CREATE_EXAMPLE, "url": "http://example.com"},
    {**CREATE_EXAMPLE, "unknown_key": [1, {"x": None}]},
    {**CREATE_EXAMPLE, "use_journeys": None, "signup_date": None, "custom_fields": None},
])
def test_other_valid_contacts_pass(body):
    assert tv.check(*POST, body) == []


def test_put_accepts_an_empty_custom_fields_object():
    # with merge_fields: false, {} clears every field: a legitimate request
    assert tv.check(*PUT, {**UPDATE_EXAMPLE, "custom_fields": {}, "merge_fields": False}) == []


# --- codes, texts, statuses and locs -------------------------------------------------------------------------------

def _without(body: dict, key: str) -> dict:
    return {k: v for k, v in body.items() if k != key}


MISSING_PHONE = ("missing_phone_number", "phone_number is required", 400, ("phone_number",))
MISSING_LIST = ("missing_list_number", "list_number is required", 400, ("list_number",))
INVALID_PHONE = ("invalid_phone", "Invalid E.164 phone number format", 400, ("phone_number",))
INVALID_LIST = ("invalid_list_number", "Invalid list_number E.164 format", 400, ("list_number",))
INVALID_FIELDS = ("invalid_custom_fields", "Invalid custom_fields", 400, ("custom_fields",))

COMMON = [
    ("phone absent", lambda b: _without(b, "phone_number"), MISSING_PHONE),
    ("phone null", lambda b: {**b, "phone_number": None}, MISSING_PHONE),
    ("phone empty", lambda b: {**b, "phone_number": ""}, MISSING_PHONE),
    ("list absent", lambda b: _without(b, "list_number"), MISSING_LIST),
    ("list empty", lambda b: {**b, "list_number": ""}, MISSING_LIST),
    ("phone national", lambda b: {**b, "phone_number": "4155559876"}, INVALID_PHONE),
    ("phone formatted", lambda b: {**b, "phone_number": "+1 (415) 555-9876"}, INVALID_PHONE),
    ("phone integer", lambda b: {**b, "phone_number": 14155559876}, INVALID_PHONE),
    ("phone leading zero", lambda b: {**b, "phone_number": "+04155559876"}, INVALID_PHONE),
    ("phone too long", lambda b: {**b, "phone_number": "+1415555987612345"}, INVALID_PHONE),
    ("phone impossible", lambda b: {**b, "phone_number": "+1415"}, INVALID_PHONE),
    ("list national", lambda b: {**b, "list_number": "8005551234"}, INVALID_LIST),
    ("list object", lambda b: {**b, "list_number": {"n": "+18005551234"}}, INVALID_LIST),
]


@pytest.mark.parametrize("route,base", [(POST, CREATE_EXAMPLE), (PUT, UPDATE_EXAMPLE), (DELETE, DELETE_EXAMPLE)],
                         ids=["create", "update", "delete"])
@pytest.mark.parametrize("make,expected", [c[1:] for c in COMMON], ids=[c[0] for c in COMMON])
def test_phone_codes_on_every_endpoint(route, base, make, expected):
    problems = tv.check(*route, make(base))
    assert [(p.code, p.error, p.status, p.loc) for p in problems] == [expected]


CREATE_CASES = [
    ("custom_fields string", {"custom_fields": "first_name=Jane"}, INVALID_FIELDS),
    ("custom_fields array", {"custom_fields": [{"first_name": "Jane"}]}, INVALID_FIELDS),
    ("custom_fields null value", {"custom_fields": {"a": None}}, INVALID_FIELDS),
    ("custom_fields nested", {"custom_fields": {"a": {"b": 1}}}, INVALID_FIELDS),
    ("custom_fields list value", {"custom_fields": {"a": [1]}}, INVALID_FIELDS),
    ("ip three parts", {"ip_address": "203.0.113"}, ("invalid_ip_address", "Invalid IP address", 400,
                                                     ("ip_address",))),
    ("ip out of range", {"ip_address": "256.1.1.1"}, ("invalid_ip_address", "Invalid IP address", 400,
                                                      ("ip_address",))),
    ("ip cidr", {"ip_address": "203.0.113.0/24"}, ("invalid_ip_address", "Invalid IP address", 400,
                                                   ("ip_address",))),
    ("signup_date words", {"signup_date": "yesterday"}, ("invalid_timestamp", "Invalid timestamp", 400,
                                                         ("signup_date",))),
    ("signup_date month 13", {"signup_date": "2025-13-01T00:00:00Z"}, ("invalid_timestamp", "Invalid timestamp",
                                                                       400, ("signup_date",))),
    ("url relative", {"url": "/signup"}, ("invalid_url", "Invalid URL", 400, ("url",))),
    ("url ftp", {"url": "ftp://example.com/x"}, ("invalid_url_scheme", "URL scheme must be http or https", 400,
                                                 ("url",))),
    ("use_journeys text", {"use_journeys": "often"}, ("invalid_input", "Invalid input", 400, ("use_journeys",))),
    ("consent unknown", {"consent_method": "smoke_signal"}, ("invalid_consent_method", "Invalid consent_method",
                                                             400, ("consent_method",))),
    ("consent number", {"consent_method": 1}, ("invalid_consent_method", "Invalid consent_method", 400,
                                               ("consent_method",))),
    ("verbal for marketing", {"consent_method": "verbal", "marketing": True},
     ("verbal_not_valid_for_marketing", "Verbal consent not valid for marketing", 400, ("consent_method",))),
    ("Verbal consent_type marketing", {"consent_method": "Verbal", "consent_type": "Marketing"},
     ("verbal_not_valid_for_marketing", "Verbal consent not valid for marketing", 400, ("consent_method",))),
]


@pytest.mark.parametrize("extra,expected", [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES])
def test_create_codes(extra, expected):
    problems = tv.check(*POST, {**CREATE_EXAMPLE, **extra})
    assert [(p.code, p.error, p.status, p.loc) for p in problems] == [expected]
    # the same problem on a bulk item carries the item's index
    bulk = {"contacts": [BULK_EXAMPLE["contacts"][0], {**CREATE_EXAMPLE, **extra}]}
    (item,) = tv.check(*BULK, bulk)
    assert (item.code, item.error, item.status, item.loc) == expected[:3] + (("contacts", 1) + expected[3],)


@pytest.mark.parametrize("body,expected", [
    (_without(UPDATE_EXAMPLE, "custom_fields"), ("missing_custom_fields", "custom_fields are required", 400,
                                                 ("custom_fields",))),
    ({**UPDATE_EXAMPLE, "custom_fields": None}, ("missing_custom_fields", "custom_fields are required", 400,
                                                 ("custom_fields",))),
    ({**UPDATE_EXAMPLE, "custom_fields": ""}, INVALID_FIELDS),
    ({**UPDATE_EXAMPLE, "custom_fields": "vip_status=gold"}, INVALID_FIELDS),
    ({**UPDATE_EXAMPLE, "custom_fields": ["gold"]}, INVALID_FIELDS),
    ({**UPDATE_EXAMPLE, "custom_fields": {"vip": {"tier": "gold"}}}, INVALID_FIELDS),
    ({**UPDATE_EXAMPLE, "merge_fields": "sometimes"}, ("invalid_input", "Invalid input", 400, ("merge_fields",))),
], ids=["absent", "null", "empty string", "string", "array", "nested", "merge_fields"])
def test_update_codes(body, expected):
    problems = tv.check(*PUT, body)
    assert [(p.code, p.error, p.status, p.loc) for p in problems] == [expected]


def test_all_problems_in_one_pass_in_the_documented_order():
    got = [p.code for p in tv.check(*PUT, {"phone_number": "415", "custom_fields": 5})]
    assert got == ["missing_list_number", "invalid_custom_fields", "invalid_phone"]
    got = [p.code for p in tv.check(*POST, {"list_number": "18005551234", "ip_address": "x", "url": "x",
                                            "signup_date": "x", "custom_fields": 1, "consent_method": "x"})]
    assert got == ["missing_phone_number", "invalid_list_number", "invalid_consent_method",
                   "invalid_custom_fields", "invalid_timestamp", "invalid_ip_address", "invalid_url"]


# --- the 4,000-byte contact ------------------------------------------------------------------------------------------

def _sized(size: int) -> dict:
    """CREATE_EXAMPLE padded to exactly ``size`` bytes of compact UTF-8 JSON."""
    body = {**CREATE_EXAMPLE, "custom_fields": {**CREATE_EXAMPLE["custom_fields"], "note": ""}}
    base = len(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
    body["custom_fields"]["note"] = "é" * ((size - base) // 2) + "x" * ((size - base) % 2)
    assert len(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()) == size
    return body


def test_a_contact_of_4000_bytes_passes_and_4001_is_413():
    assert tv.check(*POST, _sized(4000)) == []
    assert [(p.code, p.error, p.status, p.loc) for p in tv.check(*POST, _sized(4001))] == [
        ("payload_too_large", "Payload exceeds size limit", 413, ())]


def test_each_bulk_item_is_capped_at_4000_bytes():
    body = {"contacts": [_sized(4000), {**_sized(4001), "phone_number": "+04155559876"}, _without(_sized(5000), "list_number")]}
    got = [(p.code, p.status, p.loc) for p in tv.check(*BULK, body)]
    assert got == [("payload_too_large", 413, ("contacts", 1)), ("payload_too_large", 413, ("contacts", 2))]


def test_the_byte_cap_can_be_switched_off():
    assert tv.check(*POST, _sized(4001), options=Options(disable={"payload_too_large"})) == []


def test_put_and_delete_are_not_capped_at_4000_bytes():
    assert tv.check(*PUT, {**UPDATE_EXAMPLE, "custom_fields": {"note": "x" * 5000}}) == []
    assert tv.check(*DELETE, {**DELETE_EXAMPLE, "note": "x" * 5000}) == []


# --- bulk ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("contacts", [None, [], "contacts", {"0": CREATE_EXAMPLE}], ids=["null", "empty", "string",
                                                                                             "object"])
def test_bulk_without_contacts(contacts):
    body = {} if contacts is None else {"contacts": contacts}
    for b in (body, {"contacts": None}):
        assert [(p.code, p.error, p.status, p.loc) for p in tv.check(*BULK, b)] == [
            ("missing_contacts", "contacts array is required", 400, ("contacts",))]


def test_bulk_holds_1000_contacts_and_refuses_1001_with_413():
    item = BULK_EXAMPLE["contacts"][1]
    assert tv.check(*BULK, {"contacts": [item] * 1000}) == []
    assert [(p.code, p.error, p.status, p.loc) for p in tv.check(*BULK, {"contacts": [item] * 1001})] == [
        ("too_many_contacts", "Maximum 1000 contacts per request", 413, ("contacts",))]


def test_partition_of_the_documented_bulk_example():
    part = tv.partition(*BULK, BULK_EXAMPLE)
    assert part.ok and part.errors == () and part.accepted_indices == (0, 1, 2)
    assert part.body() == BULK_EXAMPLE


def test_partition_echoes_phone_number_in_each_error():
    contacts = copy.deepcopy(BULK_EXAMPLE["contacts"])
    contacts[0]["phone_number"] = "+1415555"
    del contacts[2]["list_number"]
    part = tv.partition(*BULK, {"contacts": contacts})
    assert part.accepted_indices == (1,)
    assert list(part.errors) == [
        {"index": 0, "phone_number": "+1415555", "code": "invalid_phone", "error": "Invalid E.164 phone number format"},
        {"index": 2, "phone_number": "+13105558888", "code": "missing_list_number", "error": "list_number is required"},
    ]
    assert part.body() == {"contacts": [contacts[1]]}


# --- inferred rules: consent and the use_validation cap -----------------------------------------------------------

@pytest.mark.parametrize("extra", [
    {"consent_method": "web_form"},
    {"consent_method": "EXPRESS_WRITTEN"},
    {"consent_method": "verbal"},  # verbal without a marketing opt-in passes
    {"consent_method": "verbal", "consent_type": "transactional", "marketing": False},
    {"consent_method": "sms_keyword", "marketing": True},
    {"consent_method": None},
])
def test_consent_that_passes(extra):
    assert tv.check(*POST, {**CREATE_EXAMPLE, **extra}) == []


def test_consent_method_is_required_only_when_asked():
    options = Options(require_consent_method=True)
    for body in (CREATE_EXAMPLE, {**CREATE_EXAMPLE, "consent_method": None}, {**CREATE_EXAMPLE, "consent_method": ""}):
        assert [(p.code, p.error, p.status, p.loc) for p in tv.check(*POST, body, options=options)] == [
            ("missing_consent_method", "consent_method is required", 400, ("consent_method",))]
    assert tv.check(*POST, {**CREATE_EXAMPLE, "consent_method": "web_form"}, options=options) == []
    got = tv.check(*BULK, BULK_EXAMPLE, options=options)
    assert [(p.code, p.loc) for p in got] == [("missing_consent_method", ("contacts", i, "consent_method"))
                                              for i in range(3)]
    # PUT and DELETE do not add or resubscribe a contact
    assert tv.check(*PUT, UPDATE_EXAMPLE, options=options) == []
    assert tv.check(*DELETE, DELETE_EXAMPLE, options=options) == []


def test_consent_rules_can_be_widened_and_switched_off():
    body = {**CREATE_EXAMPLE, "consent_method": "carrier_pigeon"}
    assert tv.check(*POST, body, options=Options(widen={"consent_method": {"carrier_pigeon"}})) == []
    assert tv.check(*POST, body, options=Options(disable={"invalid_consent_method"})) == []
    verbal = {**CREATE_EXAMPLE, "consent_method": "verbal", "marketing": True}
    assert tv.check(*POST, verbal, options=Options(disable={"verbal_not_valid_for_marketing"})) == []


def test_the_inferred_contact_rules_are_registered():
    for code in ("invalid_consent_method", "missing_consent_method", "verbal_not_valid_for_marketing",
                 "too_many_contacts_with_validation", "invalid_custom_fields"):
        assert code in INFERRED_RULES
        assert tv.CATALOG[code].local


def _validating(n: int, flags=(True,)) -> dict:
    item = BULK_EXAMPLE["contacts"][1]
    return {"contacts": [{**item, "use_validation": flags[i % len(flags)]} for i in range(n)]}


def test_the_use_validation_cap_is_off_by_default():
    assert tv.check(*BULK, _validating(1000)) == []


@pytest.mark.parametrize("n,flags,codes", [
    (3, (True,), ["too_many_contacts_with_validation"]),
    (3, (False, False, True), ["too_many_contacts_with_validation"]),
    (2, (True,), []),
    (3, (False,), []),
    (3, ("true",), []),  # only a JSON true counts
    (1001, (True,), ["too_many_contacts"]),
])
def test_the_use_validation_cap(n, flags, codes):
    problems = tv.check(*BULK, _validating(n, flags), options=Options(validation_cap=2))
    assert [p.code for p in problems] == codes
    if codes:
        (p,) = problems
        assert (p.status, p.loc) == (413, ("contacts",))
        if codes == ["too_many_contacts_with_validation"]:
            assert p.error == "Maximum reduced when use_validation=true"


# --- account mirrors apply only where something is sent ------------------------------------------------------------

def test_allowed_countries_applies_to_new_contacts_only():
    uk = "+447911123456"
    options = Options(allowed_countries={"US"})
    (p,) = tv.check(*POST, {**CREATE_EXAMPLE, "phone_number": uk}, options=options)
    assert (p.code, p.status, p.loc) == ("geo_restricted", 403, ("phone_number",))
    assert tv.check(*PUT, {**UPDATE_EXAMPLE, "phone_number": uk}, options=options) == []
    assert tv.check(*DELETE, {**DELETE_EXAMPLE, "phone_number": uk}, options=options) == []


# --- models and invariants -------------------------------------------------------------------------------------------

def test_models_are_exported_and_returned():
    from trackly_validate import models

    for name in ("UpsertContact", "UpdateContactFields", "UnsubscribeContact", "BulkCreateContacts", "BulkContact"):
        assert getattr(models, name) is not None
    assert isinstance(tv.validate(*POST, CREATE_EXAMPLE), UpsertContact)
    assert isinstance(tv.validate(*PUT, UPDATE_EXAMPLE), UpdateContactFields)
    assert isinstance(tv.validate(*DELETE, DELETE_EXAMPLE), UnsubscribeContact)
    bulk = tv.validate(*BULK, BULK_EXAMPLE)
    assert isinstance(bulk, BulkCreateContacts) and all(isinstance(c, BulkContact) for c in bulk.contacts)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=15,
)
FIELDS = st.sampled_from(["phone_number", "list_number", "custom_fields", "ip_address", "signup_date", "url",
                          "consent_method", "marketing", "use_validation", "use_journeys"])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(FIELDS, JSON, max_size=6))
def test_any_json_contact_gives_problems_never_a_crash(fields):
    body = {**CREATE_EXAMPLE, **fields}
    before = copy.deepcopy(body)
    for route in (POST, PUT, DELETE):
        problems = tv.check(*route, body)
        assert all(p.status in (400, 413) for p in problems)
    items = tv.check(*BULK, {"contacts": [body, CREATE_EXAMPLE]})
    assert all(p.loc[:2] == ("contacts", 0) for p in items)
    assert body == before
