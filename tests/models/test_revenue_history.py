"""Revenue recording and history import/clear (campaigns.md §7, audiences-contacts.md §4):
documented examples pass; every code with its exact text, status and loc; bulk caps and
per-record indices; the strict ``confirm``."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trackly_validate as tv
from docs_examples import assert_example_passes
from trackly_validate import Options
from trackly_validate.models import (
    ClearHistory,
    ImportClicks,
    ImportRevenue,
    ImportSends,
    RecordRevenue,
    RecordRevenueBulk,
)

REVENUE = ("POST", "/v2/revenue")
BULK = ("POST", "/v2/revenue/bulk")
SENDS = ("POST", "/v2/history/sends")
CLICKS = ("POST", "/v2/history/clicks")
IMPORT_REVENUE = ("POST", "/v2/history/revenue")
CLEAR = ("DELETE", "/v2/history/clear")

REVENUE_EXAMPLE = {"message_id": "a1b2c3d4", "revenue": 24.99, "offer_id": "offer_123", "attribution_type": "sale",
                   "timestamp": "2026-02-08T12:00:00Z"}
BULK_EXAMPLE = {"records": [
    {"message_id": "a1b2c3d4", "revenue": 24.99, "offer_id": "offer_123", "attribution_type": "sale"},
    {"message_id": "e5f6g7h8", "revenue": 12.50, "offer_id": "offer_456", "attribution_type": "click"},
], "imported": False}
SEND_RECORD = {"id": "hist_0001", "list_number": "+14155551234", "to_number": "+12025559876",
               "message": "Check out this deal!", "send_type": "campaign", "delivered": True, "length": 21,
               "timestamp": "2025-11-15T14:30:00Z"}
CLICK_RECORD = {"message_id": "a1b2c3d4", "offer_id": "offer_123", "phone_number": "+12025559876",
                "send_timestamp": "2025-11-15T14:30:00Z", "timestamp": "2025-11-15T15:02:11Z"}
# the three records of the import-revenue page: "migration", attribution omitted, timestamp omitted
IMPORT_REVENUE_EXAMPLE = {"records": [
    {"message_id": "a1b2c3d4", "offer_id": "offer_123", "revenue": 24.99, "payout": 5.00,
     "attribution_type": "migration", "timestamp": "2025-11-15T16:00:00Z"},
    {"message_id": "e5f6g7h8", "offer_id": "offer_456", "revenue": 12.50, "timestamp": "2025-11-16T09:30:00Z"},
    {"message_id": "i9j0k1l2", "offer_id": "offer_123", "revenue": 8.75, "attribution_type": "sale"},
]}
CLEAR_EXAMPLE = {"entities": ["sends", "clicks", "revenue"], "before_date": "2025-01-01T00:00:00Z", "confirm": True}

DOC_EXAMPLES = [
    (*REVENUE, REVENUE_EXAMPLE),
    (*REVENUE, {"message_id": "a1b2c3d4", "revenue": 0, "attribution_type": "send"}),
    (*REVENUE, {**REVENUE_EXAMPLE, "timestamp": "2026-02-08T12:00:00"}),  # no zone: UTC
    (*BULK, BULK_EXAMPLE),
    (*BULK, {"records": [REVENUE_EXAMPLE] * 1000}),
    (*SENDS, {"records": [SEND_RECORD]}),
    (*SENDS, {"records": [{"id": "hist_0002", "list_id": 42, "to_number": "+12025559876",
                           "timestamp": "2025-11-15T14:30:00Z"}]}),
    (*CLICKS, {"records": [CLICK_RECORD, {k: v for k, v in CLICK_RECORD.items() if k != "send_timestamp"}]}),
    (*IMPORT_REVENUE, IMPORT_REVENUE_EXAMPLE),
    (*IMPORT_REVENUE, {"records": [{"message_id": "m", "offer_id": "o", "revenue": -4.5}]}),  # refunds
    (*CLEAR, CLEAR_EXAMPLE),
    (*CLEAR, {"entities": ["revenue"], "confirm": True}),
]


@pytest.mark.parametrize(("method", "path", "body"), DOC_EXAMPLES)
def test_documented_examples_pass_without_mutation(method, path, body):
    assert_example_passes(method, path, body)


def test_routes_use_these_models():
    assert [tv.model_for(*r) for r in (REVENUE, BULK, SENDS, CLICKS, IMPORT_REVENUE, CLEAR)] == [
        RecordRevenue, RecordRevenueBulk, ImportSends, ImportClicks, ImportRevenue, ClearHistory]


def without(record, *keys, **changes):
    out = {k: v for k, v in record.items() if k not in keys}
    out.update(changes)
    return out


RECORD_CASES = [
    # (record changes relative to REVENUE_EXAMPLE, expected problems relative to the record)
    (without(REVENUE_EXAMPLE, "message_id"), [("missing_message_id", "message_id is required", ("message_id",))]),
    (without(REVENUE_EXAMPLE, message_id=""), [("missing_message_id", "message_id is required", ("message_id",))]),
    (without(REVENUE_EXAMPLE, "revenue"), [("missing_revenue", "revenue is required", ("revenue",))]),
    (without(REVENUE_EXAMPLE, revenue=None), [("missing_revenue", "revenue is required", ("revenue",))]),
    (without(REVENUE_EXAMPLE, revenue=-0.01), [("invalid_revenue", "Invalid revenue", ("revenue",))]),
    (without(REVENUE_EXAMPLE, revenue="lots"), [("invalid_revenue", "Invalid revenue", ("revenue",))]),
    (without(REVENUE_EXAMPLE, revenue=[1]), [("invalid_revenue", "Invalid revenue", ("revenue",))]),
    (without(REVENUE_EXAMPLE, "attribution_type"),
     [("missing_attribution_type", "attribution_type is required", ("attribution_type",))]),
    (without(REVENUE_EXAMPLE, attribution_type="migration"),
     [("invalid_attribution_type", "Invalid attribution_type", ("attribution_type",))]),
    (without(REVENUE_EXAMPLE, attribution_type="SALE"),
     [("invalid_attribution_type", "Invalid attribution_type", ("attribution_type",))]),
    (without(REVENUE_EXAMPLE, timestamp="yesterday"), [("invalid_timestamp", "Invalid timestamp", ("timestamp",))]),
    (without(REVENUE_EXAMPLE, timestamp="2026-02-32T12:00:00Z"),
     [("invalid_timestamp", "Invalid timestamp", ("timestamp",))]),
    (without(REVENUE_EXAMPLE, timestamp="2026-02-30T12:00:00Z"), []),  # new Date() rolls it over to March 2nd
    (without(REVENUE_EXAMPLE, timestamp="02/08/2026 12:00 PM"), []),  # a US date, as new Date() reads it
    (without(REVENUE_EXAMPLE, "offer_id", "timestamp", revenue="24.99", message_id="short"), []),
    ({}, [("missing_message_id", "message_id is required", ("message_id",)),
          ("missing_revenue", "revenue is required", ("revenue",)),
          ("missing_attribution_type", "attribution_type is required", ("attribution_type",))]),
]


@pytest.mark.parametrize(("record", "expected"), RECORD_CASES)
def test_revenue_record_codes(record, expected):
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*REVENUE, record)]
    assert got == [(c, e, 400, loc) for c, e, loc in expected]


@pytest.mark.parametrize(("record", "expected"), RECORD_CASES)
def test_bulk_record_codes_carry_the_index(record, expected):
    body = {"records": [REVENUE_EXAMPLE, REVENUE_EXAMPLE, record]}
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*BULK, body)]
    assert got == [(c, e, 400, ("records", 2, *loc)) for c, e, loc in expected]


MISSING_RECORDS = ("missing_records", "records array is required", 400, ("records",))
TOO_MANY = ("too_many_records", "Maximum 1000 records per request", 413, ("records",))


@pytest.mark.parametrize("route", [BULK, SENDS, CLICKS, IMPORT_REVENUE])
@pytest.mark.parametrize(("records", "expected"), [
    (..., MISSING_RECORDS), (None, MISSING_RECORDS), ([], MISSING_RECORDS), ({"0": {}}, MISSING_RECORDS),
    ("records", MISSING_RECORDS), ([{}] * 1001, TOO_MANY),
])
def test_records_array_codes(route, records, expected):
    body = {} if records is ... else {"records": records}
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*route, body)]
    assert got == [expected]


def test_too_many_records_is_413_and_the_items_are_not_read():
    problems = tv.check(*BULK, {"records": [{"revenue": -1}] * 1001})
    assert [(p.code, p.status) for p in problems] == [("too_many_records", 413)]


def test_bulk_problems_are_ordered_request_first_then_by_index():
    body = {"records": [REVENUE_EXAMPLE, {"revenue": -1, "message_id": "m", "attribution_type": "sale"},
                        without(REVENUE_EXAMPLE, "message_id", attribution_type="x")], "imported": "maybe"}
    assert [(p.code, p.loc) for p in tv.check(*BULK, body)] == [
        ("invalid_input", ("imported",)),
        ("invalid_revenue", ("records", 1, "revenue")),
        ("missing_message_id", ("records", 2, "message_id")),
        ("invalid_attribution_type", ("records", 2, "attribution_type")),
    ]
    assert tv.partition(*BULK, body).accepted_indices == ()  # a request-level problem refuses everything
    parts = tv.partition(*BULK, {**body, "imported": True})
    assert parts.accepted_indices == (0,)
    assert [(e["index"], e["code"]) for e in parts.errors] == [(1, "invalid_revenue"), (2, "missing_message_id")]


E164 = "Invalid E.164 phone number format"
IMPORT_CASES = [
    (SENDS, without(SEND_RECORD, "id"), [("missing_id", "id is required", ("id",))]),
    (SENDS, without(SEND_RECORD, "to_number"), [("missing_to_number", "to_number is required", ("to_number",))]),
    (SENDS, without(SEND_RECORD, to_number="2025559876"), [("invalid_phone", E164, ("to_number",))]),
    (SENDS, without(SEND_RECORD, "timestamp"), [("missing_timestamp", "timestamp is required", ("timestamp",))]),
    (SENDS, without(SEND_RECORD, timestamp="15/11/2025"), [("invalid_timestamp", "Invalid timestamp",
                                                            ("timestamp",))]),
    (SENDS, without(SEND_RECORD, "list_number"), []),  # neither list field is documented as required
    (CLICKS, without(CLICK_RECORD, "message_id"), [("missing_message_id", "message_id is required",
                                                    ("message_id",))]),
    (CLICKS, without(CLICK_RECORD, "offer_id"), [("missing_offer_id", "offer_id is required", ("offer_id",))]),
    (CLICKS, without(CLICK_RECORD, "phone_number"), [("missing_phone_number", "phone_number is required",
                                                      ("phone_number",))]),
    (CLICKS, without(CLICK_RECORD, "timestamp"), [("missing_timestamp", "timestamp is required", ("timestamp",))]),
    (CLICKS, without(CLICK_RECORD, timestamp="soon"), [("invalid_timestamp", "Invalid timestamp", ("timestamp",))]),
    (CLICKS, without(CLICK_RECORD, send_timestamp="x"), [("invalid_timestamp", "Invalid timestamp",
                                                          ("send_timestamp",))]),
    (CLICKS, without(CLICK_RECORD, phone_number="(202) 555-9876"), []),  # no code documented for clicks
    (IMPORT_REVENUE, without(IMPORT_REVENUE_EXAMPLE["records"][0], "message_id"),
     [("missing_message_id", "message_id is required", ("message_id",))]),
    (IMPORT_REVENUE, without(IMPORT_REVENUE_EXAMPLE["records"][0], "offer_id"),
     [("missing_offer_id", "offer_id is required", ("offer_id",))]),
    (IMPORT_REVENUE, without(IMPORT_REVENUE_EXAMPLE["records"][0], "revenue"),
     [("missing_revenue", "revenue is required", ("revenue",))]),
    (IMPORT_REVENUE, without(IMPORT_REVENUE_EXAMPLE["records"][0], revenue="n/a"),
     [("invalid_revenue", "Invalid revenue", ("revenue",))]),
    (IMPORT_REVENUE, without(IMPORT_REVENUE_EXAMPLE["records"][0], timestamp="Nov 15th"),
     [("invalid_timestamp", "Invalid timestamp", ("timestamp",))]),
    (IMPORT_REVENUE, without(IMPORT_REVENUE_EXAMPLE["records"][0], timestamp="Nov 15"), []),  # new Date(): 2001-11-15
    (IMPORT_REVENUE, without(IMPORT_REVENUE_EXAMPLE["records"][0], attribution_type="anything"), []),
]


@pytest.mark.parametrize(("route", "record", "expected"), IMPORT_CASES)
def test_import_record_codes(route, record, expected):
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*route, {"records": [{}, record]})
           if p.loc[:2] == ("records", 1)]
    assert got == [(c, e, 400, ("records", 1, *loc)) for c, e, loc in expected]


def test_a_send_record_with_every_problem():
    assert [(p.code, p.loc) for p in tv.check(*SENDS, {"records": [{"to_number": 5, "timestamp": "x"}]})] == [
        ("missing_id", ("records", 0, "id")),
        ("invalid_phone", ("records", 0, "to_number")),
        ("invalid_timestamp", ("records", 0, "timestamp")),
    ]


def test_history_sends_numbers_ignore_the_account_mirrors():
    opts = Options(allowed_countries={"GB"}, block_voip=True)
    assert tv.check(*SENDS, {"records": [SEND_RECORD]}, options=opts) == []


CLEAR_CASES = [
    ({"confirm": True}, [("missing_entities", "entities is required", ("entities",))]),
    ({"entities": [], "confirm": True}, [("missing_entities", "entities is required", ("entities",))]),
    ({"entities": None, "confirm": True}, [("missing_entities", "entities is required", ("entities",))]),
    ({"entities": "sends", "confirm": True}, [("invalid_entities", "Invalid entities", ("entities",))]),
    ({"entities": ["sends", "contacts", "Clicks"], "confirm": True},
     [("invalid_entities", "Invalid entities", ("entities", 1)),
      ("invalid_entities", "Invalid entities", ("entities", 2))]),
    ({"entities": ["sends"]}, [("confirm_required", "confirm must be true", ("confirm",))]),
    ({"entities": ["sends"], "confirm": False}, [("confirm_required", "confirm must be true", ("confirm",))]),
    ({"entities": ["sends"], "confirm": "true"}, [("confirm_required", "confirm must be true", ("confirm",))]),
    ({"entities": ["sends"], "confirm": 1}, [("confirm_required", "confirm must be true", ("confirm",))]),
    ({"entities": ["sends"], "confirm": None}, [("confirm_required", "confirm must be true", ("confirm",))]),
    ({"entities": ["sends"], "confirm": True, "before_date": "last week"},
     [("invalid_timestamp", "Invalid timestamp", ("before_date",))]),
    ({}, [("missing_entities", "entities is required", ("entities",)),
          ("confirm_required", "confirm must be true", ("confirm",))]),
]


@pytest.mark.parametrize(("body", "expected"), CLEAR_CASES)
def test_clear_codes(body, expected):
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*CLEAR, body)]
    assert got == [(c, e, 400, loc) for c, e, loc in expected]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None)
@given(confirm=json_values, raw=st.booleans())
def test_confirm_passes_exactly_when_it_is_json_true(confirm, raw):
    body = {"entities": ["clicks"], "confirm": confirm}
    problems = tv.check(*CLEAR, json.dumps(body) if raw else body)
    if confirm is True:
        assert problems == []
    else:
        assert [(p.code, p.loc) for p in problems] == [("confirm_required", ("confirm",))]


@settings(max_examples=60, deadline=None)
@given(revenue=st.floats(allow_nan=False, allow_infinity=False) | st.integers(min_value=-10**6, max_value=10**6))
def test_live_revenue_passes_exactly_when_non_negative(revenue):
    body = {"message_id": "a1b2c3d4", "revenue": revenue, "attribution_type": "click"}
    codes = [p.code for p in tv.check(*REVENUE, body)]
    assert codes == ([] if revenue >= 0 else ["invalid_revenue"])


def test_inferred_rules_are_registered_and_can_be_switched_off():
    for code in ("invalid_revenue", "missing_entities", "invalid_entities", "invalid_timestamp"):
        assert code in tv.INFERRED_RULES
    body = {"entities": ["everything"], "confirm": True}
    assert tv.check(*CLEAR, body, options=Options(disable={"invalid_entities"})) == []
    body = {"records": [without(REVENUE_EXAMPLE, timestamp="x")]}
    assert tv.check(*BULK, body, options=Options(disable={"invalid_timestamp"})) == []
