"""Audiences: the filter grammar, POST /v2/audiences and PUT /v2/audiences/{id}
(audiences-contacts.md §1, §2, §5).  Expected texts are copied from error-codes.txt."""

from __future__ import annotations

import copy
import json

import pytest
from pydantic import ValidationError

import trackly_validate as tv
from trackly_validate import INFERRED_RULES, Options
from trackly_validate.models.audiences import (
    CreateAudience,
    FilterGroup,
    UpdateAudience,
    render_filter,
)
from trackly_validate.rules.vocabularies import VOCABULARIES

CREATE = ("POST", "/v2/audiences")
UPDATE = ("PUT", "/v2/audiences/664f1a2b3c4d5e6f7a8b9c0d")

TIME = {"condition_type": "time", "field": "last_clicked_at", "operator": "within", "value": 7, "unit": "days"}
COUNT = {"condition_type": "count", "field": "click_count", "operator": "gte", "value": 5}

# --- documented examples (§1.11) and the guides' examples written as JSON ---------------------------------

E4_UPDATE = {
    "name": "High-Value Clickers (Updated)",
    "filter": {
        "operator": "AND",
        "conditions": [
            {"condition_type": "time", "field": "last_clicked_at", "operator": "within", "value": 14, "unit": "days"},
            {"condition_type": "count", "field": "click_count", "operator": "gte", "value": 5},
        ],
    },
}
# E5/E6: filters as the API returns them (camelCase keys, groups: []); echoing them back must pass
E5_RESPONSE = {
    "operator": "AND",
    "conditions": [
        {"conditionType": "time", "field": "last_clicked_at", "operator": "within", "value": 14, "unit": "days"},
        {"conditionType": "count", "field": "click_count", "operator": "gte", "value": 5},
    ],
    "groups": [],
}
E6_RESPONSE = {
    "operator": "AND",
    "conditions": [
        {"conditionType": "time", "field": "last_clicked_at", "operator": "within", "value": 30, "unit": "days"},
        {"conditionType": "count", "field": "click_count", "operator": "gte", "value": 3, "listId": 42},
    ],
    "groups": [],
}
E7_RESPONSE = {k: v for k, v in E6_RESPONSE.items() if k != "groups"}
ENGAGED_OR_NEW = {
    "operator": "OR",
    "groups": [
        {"operator": "AND", "conditions": [
            {"condition_type": "time", "field": "last_clicked_at", "operator": "within", "value": 7, "unit": "days"},
            {"condition_type": "count", "field": "click_count", "operator": "gt", "value": 2}]},
        {"operator": "AND", "conditions": [
            {"condition_type": "time", "field": "signup_date", "operator": "within", "value": 3, "unit": "days"},
            {"condition_type": "count", "field": "send_count", "operator": "eq", "value": 0}]},
    ],
}
AND_BASICS = {"operator": "AND", "conditions": [
    TIME,
    {"condition_type": "count", "field": "send_count", "operator": "gt", "value": 3},
    {"condition_type": "custom_field", "field": "custom_fields.state", "operator": "eq", "value": "California"}]}
OR_BASICS = {"operator": "OR", "conditions": [
    {"condition_type": "custom_field", "field": "state", "operator": "eq", "value": v}
    for v in ("California", "Texas", "Florida")]}
GEOGRAPHIC = {"operator": "AND", "conditions": [
    {"condition_type": "custom_field", "field": "custom_fields.state", "operator": "in",
     "value": ["CA", "TX", "FL", "NY"]}]}
REVENUE = {"operator": "AND", "conditions": [
    {"condition_type": "revenue", "field": "revenue_total", "operator": "gt", "value": 100}]}
RE_ENGAGEMENT = {"operator": "AND", "groups": [
    {"operator": "AND", "conditions": [
        {"condition_type": "time", "field": "last_sent_at", "operator": "within", "value": 60, "unit": "days"},
        {"condition_type": "time", "field": "last_clicked_at", "operator": "not_within", "value": 30,
         "unit": "days"}]},
    {"operator": "OR", "conditions": [
        {"condition_type": "count", "field": "click_count", "operator": "gt", "value": 5},
        {"condition_type": "revenue", "field": "has_revenue", "operator": "eq", "value": True}]},
]}
EXISTS = {"operator": "AND", "conditions": [
    {"condition_type": "time", "field": "signup_date", "operator": "exists"},
    {"condition_type": "time", "field": "last_clicked_at", "operator": "not_exists"}]}
DOC_FILTERS = {
    "E2 time condition": {"operator": "AND", "conditions": [TIME]},
    "E4 update example": E4_UPDATE["filter"],
    "E5 update response": E5_RESPONSE,
    "E6 get response": E6_RESPONSE,
    "E7 list response": E7_RESPONSE,
    "engaged or new": ENGAGED_OR_NEW,
    "AND basics": AND_BASICS,
    "OR basics": OR_BASICS,
    "geographic": GEOGRAPHIC,
    "revenue": REVENUE,
    "re-engagement": RE_ENGAGEMENT,
    "exists needs no value": EXISTS,
}


@pytest.mark.parametrize("route", [CREATE, UPDATE], ids=["create", "update"])
@pytest.mark.parametrize("name", list(DOC_FILTERS))
def test_documented_filters_pass(route, name):
    body = {"name": "Engaged", "filter": DOC_FILTERS[name]}
    assert tv.check(*route, body) == []


@pytest.mark.parametrize("route", [CREATE, UPDATE], ids=["create", "update"])
def test_the_update_example_passes_verbatim(route):
    assert tv.check(*route, E4_UPDATE) == []


@pytest.mark.parametrize("body", [
    {},  # "All body parameters are optional"
    {"name": "Renamed"},
    {"source_lists": []},  # [] means all lists
    {"source_lists": [42, 43], "description": "d"},
    {"filter": None},
])
def test_update_fields_are_all_optional(body):
    assert tv.check(*UPDATE, body) == []


@pytest.mark.parametrize("condition", [
    # the union of doc versions: weeks (error-code page) and minutes/hours/days (DSL page)
    {**TIME, "unit": "minutes"}, {**TIME, "unit": "hours"}, {**TIME, "unit": "weeks"},
    # conversion_count: a count field in the DSL intro, a revenue field in the newer guide
    {**COUNT, "field": "conversion_count"},
    {"condition_type": "revenue", "field": "conversion_count", "operator": "gte", "value": 1},
    # avg_revenue (newer guide) and revenue_average (older guide)
    {"condition_type": "revenue", "field": "avg_revenue", "operator": "gte", "value": 20.5},
    {"condition_type": "revenue", "field": "revenue_average", "operator": "gte", "value": 20.5},
    {"condition_type": "revenue", "field": "last_revenue_at", "operator": "within", "value": 30, "unit": "days"},
    {"condition_type": "carrier", "operator": "eq", "value": "T-Mobile"},
    {"condition_type": "carrier", "operator": "in", "value": ["Verizon Wireless", "Frontier"]},
    {"condition_type": "timezone", "operator": "eq", "value": "America/Los_Angeles"},
    {"condition_type": "phone_numbers", "operator": "in", "value": ["+14155551234", "+12125551000"]},
    {"condition_type": "custom_field", "field": "vip", "operator": "eq", "value": True},
    {"condition_type": "custom_field", "field": "note", "operator": "eq", "value": ""},  # "" is a value here
    {"condition_type": "custom_field", "field": "tier", "operator": "exists"},
    {"condition_type": "time", "field": "signup_date", "operator": "exists", "value": None, "unit": ""},
    {**COUNT, "value": "5"},  # a numeric string, read as pydantic's lax mode reads it
    {**COUNT, "value": -1.5},  # sign and zero rules are not documented
    {**COUNT, "operator": "lte"},  # inferred operator
])
def test_union_of_versions_and_inferred_values_pass(condition):
    assert tv.check(*CREATE, {"filter": {"operator": "AND", "conditions": [condition]}}) == []


@pytest.mark.parametrize("op", ["and", "And", "or", "oR"])
def test_group_operator_is_case_insensitive(op):
    assert tv.check(*CREATE, {"filter": {"operator": op, "conditions": [TIME]}}) == []


def test_unknown_keys_are_ignored():
    body = {"filter": {"operator": "AND", "conditions": [{**TIME, "listId": 7, "note": "x"}], "x": 1}, "y": 2}
    assert tv.check(*CREATE, body) == []


# --- every code, with its text, status and loc -----------------------------------------------------------------

def _filter_at(path: tuple, condition: dict | None = None, group: dict | None = None) -> dict:
    """A valid two-level filter whose group at ``path`` (ints) holds ``condition`` as its
    second condition, or is replaced by ``group``."""
    root = {"operator": "AND", "conditions": [TIME], "groups": [{"operator": "OR", "conditions": [TIME, COUNT]}]}
    node = root
    for i in path:
        node = node["groups"][i]
    if condition is not None:
        node["conditions"] = [TIME, condition]
    if group is not None:
        node.clear()
        node.update(group)
    return root


G0 = ("filter", "groups", 0)
C1 = G0 + ("conditions", 1)

CASES = [
    # (id, body, code, error, loc)
    ("filter absent", {"name": "x"}, "missing_filter", "filter is required", ("filter",)),
    ("filter null", {"filter": None}, "missing_filter", "filter is required", ("filter",)),
    ("filter {}", {"filter": {}}, "missing_filter", "filter is required", ("filter",)),
    ("name 256", {"name": "n" * 256, "filter": _filter_at(())}, "name_too_long",
     "name must be 255 characters or less", ("name",)),
    ("source_lists item", {"source_lists": [1, "x"], "filter": _filter_at(())}, "invalid_input", "Invalid input",
     ("source_lists", 1)),
    ("source_lists object", {"source_lists": {"a": 1}, "filter": _filter_at(())}, "invalid_input",
     "Invalid input", ("source_lists",)),
    ("group operator XOR", {"filter": _filter_at((0,), group={"operator": "XOR", "conditions": [TIME]})},
     "invalid_group_operator", "Invalid group operator", G0 + ("operator",)),
    ("group operator absent", {"filter": {"conditions": [TIME]}}, "invalid_group_operator",
     "Invalid group operator", ("filter", "operator")),
    ("group operator number", {"filter": {"operator": 1, "conditions": [TIME]}}, "invalid_group_operator",
     "Invalid group operator", ("filter", "operator")),
    ("top group empty", {"filter": {"operator": "AND"}}, "empty_filter_group", "Filter group cannot be empty",
     ("filter",)),
    ("top group empty lists", {"filter": {"operator": "OR", "conditions": [], "groups": []}},
     "empty_filter_group", "Filter group cannot be empty", ("filter",)),
    ("nested group empty", {"filter": _filter_at((0,), group={"operator": "AND", "conditions": None})},
     "empty_filter_group", "Filter group cannot be empty", G0),
    ("deep group empty", {"filter": {"operator": "AND", "groups": [{"operator": "OR", "groups": [
        {"operator": "AND", "conditions": [TIME]}, {"operator": "AND", "groups": []}]}]}},
     "empty_filter_group", "Filter group cannot be empty", ("filter", "groups", 0, "groups", 1)),
    ("unknown condition type", {"filter": _filter_at((0,), {"condition_type": "dnc", "value": True})},
     "invalid_condition_type", "Invalid condition type", C1),
    ("condition type absent", {"filter": _filter_at((0,), {"field": "click_count", "operator": "gte"})},
     "invalid_condition_type", "Invalid condition type", C1),
    ("condition type case", {"filter": _filter_at((0,), {**TIME, "condition_type": "Time"})},
     "invalid_condition_type", "Invalid condition type", C1),
    ("condition type number", {"filter": _filter_at((0,), {**TIME, "condition_type": 1})},
     "invalid_condition_type", "Invalid condition type", C1),
    ("condition not an object", {"filter": {"operator": "AND", "conditions": [TIME, "time"]}}, "invalid_input",
     "Invalid input", ("filter", "conditions", 1)),
    ("conditions not a list", {"filter": {"operator": "AND", "conditions": TIME}}, "invalid_input",
     "Invalid input", ("filter", "conditions")),
    ("group not an object", {"filter": {"operator": "AND", "conditions": [TIME], "groups": ["AND"]}},
     "invalid_input", "Invalid input", ("filter", "groups", 0)),
    # time
    ("time field", {"filter": _filter_at((0,), {**TIME, "field": "last_opened_at"})}, "invalid_time_field",
     "Invalid time field", C1 + ("field",)),
    ("time field absent", {"filter": _filter_at((0,), {k: v for k, v in TIME.items() if k != "field"})},
     "invalid_time_field", "Invalid time field", C1 + ("field",)),
    ("time operator", {"filter": _filter_at((0,), {**TIME, "operator": "since"})}, "invalid_time_operator",
     "Invalid time operator", C1 + ("operator",)),
    ("time unit", {"filter": _filter_at((0,), {**TIME, "unit": "fortnights"})}, "invalid_time_unit",
     "Invalid time unit", C1 + ("unit",)),
    ("time unit case", {"filter": _filter_at((0,), {**TIME, "unit": "Days"})}, "invalid_time_unit",
     "Invalid time unit", C1 + ("unit",)),
    ("time value absent", {"filter": _filter_at((0,), {k: v for k, v in TIME.items() if k != "value"})},
     "missing_time_value", "Time value is required", C1 + ("value",)),
    ("time value empty", {"filter": _filter_at((0,), {**TIME, "value": ""})}, "missing_time_value",
     "Time value is required", C1 + ("value",)),
    ("time unit absent", {"filter": _filter_at((0,), {k: v for k, v in TIME.items() if k != "unit"})},
     "missing_time_value", "Time value is required", C1 + ("unit",)),
    ("time unit null", {"filter": _filter_at((0,), {**TIME, "unit": None})}, "missing_time_value",
     "Time value is required", C1 + ("unit",)),
    ("time value text", {"filter": _filter_at((0,), {**TIME, "value": "seven"})}, "invalid_input",
     "Invalid input", C1 + ("value",)),
    ("camelCase key", {"filter": _filter_at((0,), {**{k: v for k, v in TIME.items() if k != "condition_type"},
                                                   "conditionType": "time", "unit": "eons"})},
     "invalid_time_unit", "Invalid time unit", C1 + ("unit",)),
    # count
    ("count field", {"filter": _filter_at((0,), {**COUNT, "field": "reply_count"})}, "invalid_count_field",
     "Invalid count field", C1 + ("field",)),
    ("count operator", {"filter": _filter_at((0,), {**COUNT, "operator": ">="})}, "invalid_count_operator",
     "Invalid count operator", C1 + ("operator",)),
    ("count operator absent", {"filter": _filter_at((0,), {k: v for k, v in COUNT.items() if k != "operator"})},
     "invalid_count_operator", "Invalid count operator", C1 + ("operator",)),
    ("count value absent", {"filter": _filter_at((0,), {k: v for k, v in COUNT.items() if k != "value"})},
     "missing_count_value", "Count value is required", C1 + ("value",)),
    # revenue
    ("revenue field", {"filter": _filter_at((0,), {"condition_type": "revenue", "field": "ltv", "operator": "gt",
                                                   "value": 1})},
     "invalid_revenue_field", "Invalid revenue field", C1 + ("field",)),
    ("revenue operator", {"filter": _filter_at((0,), {"condition_type": "revenue", "field": "revenue_total",
                                                      "operator": ">", "value": 1})},
     "invalid_revenue_operator", "Invalid revenue operator", C1 + ("operator",)),
    ("revenue value", {"filter": _filter_at((0,), {"condition_type": "revenue", "field": "revenue_total",
                                                   "operator": "gt"})},
     "missing_revenue_value", "Revenue value is required", C1 + ("value",)),
    # carrier
    ("carrier operator", {"filter": _filter_at((0,), {"condition_type": "carrier", "operator": "like",
                                                      "value": "T-Mobile"})},
     "invalid_carrier_operator", "Invalid carrier operator", C1 + ("operator",)),
    ("carrier value", {"filter": _filter_at((0,), {"condition_type": "carrier", "operator": "eq", "value": ""})},
     "missing_carrier_value", "Carrier value is required", C1 + ("value",)),
    # timezone
    ("timezone operator", {"filter": _filter_at((0,), {"condition_type": "timezone", "operator": "near",
                                                       "value": "America/New_York"})},
     "invalid_timezone_operator", "Invalid timezone operator", C1 + ("operator",)),
    ("timezone value", {"filter": _filter_at((0,), {"condition_type": "timezone", "operator": "eq"})},
     "missing_timezone_value", "Timezone value is required", C1 + ("value",)),
    # phone_numbers
    ("phone_numbers operator", {"filter": _filter_at((0,), {"condition_type": "phone_numbers", "operator": "has",
                                                            "value": ["+14155551234"]})},
     "invalid_phone_numbers_operator", "Invalid phone_numbers operator", C1 + ("operator",)),
    ("phone_numbers value absent", {"filter": _filter_at((0,), {"condition_type": "phone_numbers",
                                                                "operator": "in"})},
     "missing_phone_numbers_value", "phone_numbers value is required", C1 + ("value",)),
    ("phone_numbers value []", {"filter": _filter_at((0,), {"condition_type": "phone_numbers", "operator": "in",
                                                            "value": []})},
     "missing_phone_numbers_value", "phone_numbers value is required", C1 + ("value",)),
    ("phone_numbers bad number", {"filter": _filter_at((0,), {"condition_type": "phone_numbers", "operator": "in",
                                                              "value": ["+14155551234", "4155551234"]})},
     "invalid_phone", "Invalid E.164 phone number format", C1 + ("value", 1)),
    ("phone_numbers not an array", {"filter": _filter_at((0,), {"condition_type": "phone_numbers",
                                                                "operator": "in", "value": "+14155551234"})},
     "invalid_input", "Invalid input", C1 + ("value",)),
    # custom_field
    ("custom field name", {"filter": _filter_at((0,), {"condition_type": "custom_field", "operator": "eq",
                                                       "value": "CA"})},
     "missing_custom_field_name", "custom field name is required", C1 + ("field",)),
    ("custom field name empty", {"filter": _filter_at((0,), {"condition_type": "custom_field", "field": "",
                                                             "operator": "eq", "value": "CA"})},
     "missing_custom_field_name", "custom field name is required", C1 + ("field",)),
    ("custom field operator", {"filter": _filter_at((0,), {"condition_type": "custom_field", "field": "state",
                                                           "operator": "=", "value": "CA"})},
     "invalid_custom_field_operator", "Invalid custom field operator", C1 + ("operator",)),
    ("custom field value", {"filter": _filter_at((0,), {"condition_type": "custom_field", "field": "state",
                                                        "operator": "eq", "value": None})},
     "missing_custom_field_value", "custom field value is required", C1 + ("value",)),
]


@pytest.mark.parametrize("route", [CREATE, UPDATE], ids=["create", "update"])
@pytest.mark.parametrize(("body", "code", "error", "loc"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_code_with_text_status_and_loc(route, body, code, error, loc):
    if route == UPDATE and code == "missing_filter":
        if body.get("filter") == {}:  # on update {} is a group: it has no operator and is empty
            assert [(p.code, p.loc) for p in tv.check(*route, body)] == [
                ("invalid_group_operator", ("filter", "operator")), ("empty_filter_group", ("filter",))]
        else:  # the filter is optional on update
            assert tv.check(*route, body) == []
        return
    problems = tv.check(*route, body)
    assert [(p.code, p.error, p.status, p.loc) for p in problems] == [(code, error, 400, loc)]


def test_the_issue_loc_for_a_bad_unit():
    body = {"filter": {"operator": "OR", "groups": [{"operator": "AND", "conditions": [
        COUNT, {"condition_type": "time", "field": "last_sent_at", "operator": "before", "value": 2, "unit": "y"}]}]}}
    (problem,) = tv.check(*CREATE, body)
    assert problem.loc == ("filter", "groups", 0, "conditions", 1, "unit")
    assert problem.path == "filter.groups[0].conditions[1].unit"


def test_name_of_255_characters_passes():
    assert tv.check(*CREATE, {"name": "n" * 255, "filter": _filter_at(())}) == []


def test_name_is_not_required_on_create():
    assert tv.check(*CREATE, {"filter": _filter_at(())}) == []


# --- all problems in one pass, in the documented order ---------------------------------------------------------

def test_all_problems_in_one_pass_first_is_the_servers_first():
    body = {
        "name": "n" * 300,
        "source_lists": ["a"],
        "filter": {"operator": "NOT", "conditions": [
            {"condition_type": "revenue", "field": "x", "operator": "gt"},
            {"condition_type": "count", "field": "click_count", "operator": "gte"},
            {"condition_type": "time", "field": "last_sent_at", "operator": "within", "value": 1, "unit": "y"},
        ], "groups": [{"operator": "AND"}]},
    }
    got = [(p.code, p.loc) for p in tv.check(*CREATE, body)]
    assert got == [
        ("name_too_long", ("name",)),
        ("invalid_group_operator", ("filter", "operator")),
        ("empty_filter_group", ("filter", "groups", 0)),
        ("invalid_time_unit", ("filter", "conditions", 2, "unit")),
        ("missing_count_value", ("filter", "conditions", 1, "value")),
        ("invalid_revenue_field", ("filter", "conditions", 0, "field")),
        ("missing_revenue_value", ("filter", "conditions", 0, "value")),
        ("invalid_input", ("source_lists", 0)),
    ]


def test_an_empty_group_with_a_bad_operator_reports_both():
    got = [(p.code, p.loc) for p in tv.check(*CREATE, {"filter": {"operator": "XOR", "groups": []}})]
    assert got == [("invalid_group_operator", ("filter", "operator")), ("empty_filter_group", ("filter",))]


def test_a_bad_operator_leaves_the_value_question_open():
    # with an unknown operator nobody knows whether a value is needed: only the operator is reported
    for cond in ({**TIME, "operator": "since", "unit": None}, {"condition_type": "time", "field": "signup_date"},
                 {"condition_type": "count", "field": "click_count", "operator": "between"}):
        got = [(p.code, p.loc) for p in tv.check(*CREATE, _one_condition(cond))]
        assert len(got) == 1 and got[0][0].endswith("_operator") and got[0][1][-1] == "operator"
    # a known operator with a bad value type still reports both
    got = [(p.code, p.loc) for p in tv.check(*CREATE, _one_condition({**TIME, "operator": "since", "value": "x"}))]
    assert got == [("invalid_time_operator", ("filter", "conditions", 0, "operator")),
                   ("invalid_input", ("filter", "conditions", 0, "value"))]


# --- vocabularies: one table, union of versions, widen and disable ---------------------------------------------

# Written from the spec (independent of the module's table): row -> values the docs show.
DOCUMENTED = {
    "group_operator": {"AND", "OR"},
    "condition_type": {"time", "count", "revenue", "custom_field", "carrier", "timezone", "phone_numbers"},
    "time_field": {"last_clicked_at", "last_sent_at", "signup_date"},
    "time_operator": {"within", "not_within", "before", "after", "exists", "not_exists"},
    "time_unit": {"minutes", "hours", "days", "weeks"},
    "count_field": {"send_count", "click_count", "conversion_count"},
    "count_operator": {"gte", "gt", "eq"},
    "revenue_field": {"has_revenue", "revenue_total", "avg_revenue", "revenue_average", "conversion_count",
                      "last_revenue_at"},
    "custom_field_operator": {"eq", "in"},
}
INFERRED_CODES = {"invalid_condition_type", "invalid_count_field", "invalid_count_operator", "invalid_revenue_field",
                  "invalid_revenue_operator", "invalid_carrier_operator", "invalid_timezone_operator",
                  "invalid_custom_field_operator", "invalid_phone_numbers_operator", "invalid_consent_method"}


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_every_documented_value_is_in_its_row(name):
    assert DOCUMENTED[name] <= set(VOCABULARIES[name].documented)


def test_inferred_rows_are_registered_and_documented_rows_are_not():
    inferred = {v.code.code for v in VOCABULARIES.values() if v.is_inferred}
    assert inferred == INFERRED_CODES
    assert INFERRED_CODES <= set(INFERRED_RULES)
    for name in ("time_field", "time_operator", "time_unit", "group_operator"):
        assert not VOCABULARIES[name].is_inferred
    assert set(VOCABULARIES["count_operator"].inferred) >= {"lt", "lte", "neq"}


def _one_condition(cond):
    return {"filter": {"operator": "AND", "conditions": [cond]}}


def _cond_for(row: str, value: str) -> tuple[dict, str]:
    """A condition with ``value`` in the slot ``row`` governs, and that slot's key."""
    kind, _, slot = row.rpartition("_")
    base = {
        "time": TIME, "count": COUNT,
        "revenue": {"condition_type": "revenue", "field": "revenue_total", "operator": "gt", "value": 1},
        "carrier": {"condition_type": "carrier", "operator": "eq", "value": "T-Mobile"},
        "timezone": {"condition_type": "timezone", "operator": "eq", "value": "UTC"},
        "phone_numbers": {"condition_type": "phone_numbers", "operator": "in", "value": ["+14155551234"]},
        "custom_field": {"condition_type": "custom_field", "field": "state", "operator": "eq", "value": "CA"},
    }[kind]
    return {**base, slot: value}, slot


FILTER_ROWS = [n for n in VOCABULARIES if n not in ("group_operator", "condition_type", "consent_method")]


@pytest.mark.parametrize("row", FILTER_ROWS)
def test_each_row_can_be_widened_and_switched_off(row):
    cond, slot = _cond_for(row, "zz_new_word")
    code = VOCABULARIES[row].code.code
    body = _one_condition(cond)
    (problem,) = tv.check(*CREATE, body)
    assert (problem.code, problem.loc) == (code, ("filter", "conditions", 0, slot))
    assert tv.check(*CREATE, body, options=Options(widen={row: {"zz_new_word"}})) == []
    assert tv.check(*CREATE, body, options=Options(disable={code})) == []


@pytest.mark.parametrize("row", FILTER_ROWS)
def test_every_value_of_every_row_passes(row):
    for value in VOCABULARIES[row].values:
        cond, _ = _cond_for(row, value)
        assert tv.check(*CREATE, _one_condition(cond)) == [], (row, value)


def test_group_operator_widen_and_disable():
    body = {"filter": {"operator": "XOR", "conditions": [TIME]}}
    assert tv.check(*CREATE, body, options=Options(widen={"group_operator": {"XOR"}})) == []
    assert tv.check(*CREATE, body, options=Options(disable={"invalid_group_operator"})) == []


def test_an_unknown_condition_type_can_be_widened_or_switched_off():
    dnc = {"condition_type": "dnc", "field": "on_dnc", "operator": "eq", "value": False}
    bad_count = {**COUNT, "operator": "between"}
    body = {"filter": {"operator": "AND", "conditions": [dnc, bad_count]}}
    assert [p.code for p in tv.check(*CREATE, body)] == ["invalid_condition_type", "invalid_count_operator"]
    widened = tv.check(*CREATE, body, options=Options(widen={"condition_type": {"dnc"}}))
    assert [(p.code, p.loc) for p in widened] == [("invalid_count_operator", ("filter", "conditions", 1, "operator"))]
    off = tv.check(*CREATE, body, options=Options(disable={"invalid_condition_type"}))
    assert [(p.code, p.loc) for p in off] == [("invalid_count_operator", ("filter", "conditions", 1, "operator"))]
    # a condition that is not an object is still refused when the type check is off
    assert [p.code for p in tv.check(*CREATE, {"filter": {"operator": "AND", "conditions": [7]}},
                                     options=Options(disable={"invalid_condition_type"}))] == ["invalid_input"]


def test_disabling_a_missing_value_code_lets_the_condition_through():
    body = _one_condition({k: v for k, v in COUNT.items() if k != "value"})
    assert tv.check(*CREATE, body, options=Options(disable={"missing_count_value"})) == []


# --- depth --------------------------------------------------------------------------------------------------------

def _chain(depth: int) -> dict:
    """A filter ``depth`` groups deep (the top-level filter is depth 1)."""
    group = {"operator": "AND", "conditions": [COUNT]}
    for _ in range(depth - 1):
        group = {"operator": "OR", "groups": [group]}
    return group


def _deep_loc(depth: int) -> tuple:
    return ("filter",) + ("groups", 0) * (depth - 1)


@pytest.mark.parametrize("bound", [1, 2, 5])
def test_depth_up_to_the_bound_passes_and_one_more_is_invalid_input_at_its_loc(bound):
    options = Options(max_depth=bound)
    assert tv.check(*CREATE, {"filter": _chain(bound)}, options=options) == []
    problems = tv.check(*CREATE, {"filter": _chain(bound + 1)}, options=options)
    assert [(p.code, p.error, p.status, p.loc) for p in problems] == [
        ("invalid_input", "Invalid input", 400, _deep_loc(bound + 1))]


def test_too_deep_groups_do_not_hide_other_problems():
    body = {"filter": {"operator": "AND", "conditions": [{**COUNT, "field": "x"}], "groups": [
        {"operator": "AND", "conditions": [COUNT], "groups": [_chain(2), _chain(1)]}]}}
    got = [(p.code, p.loc) for p in tv.check(*CREATE, body, options=Options(max_depth=2))]
    assert got == [("invalid_count_field", ("filter", "conditions", 0, "field")),
                   ("invalid_input", ("filter", "groups", 0, "groups", 0)),
                   ("invalid_input", ("filter", "groups", 0, "groups", 1))]


@pytest.mark.parametrize("as_text", [False, True])
def test_the_default_bound_through_the_engine(as_text):
    # a group at depth d sits at JSON level 2d; past pydantic-core's parser limit (200 levels)
    # the engine re-reads the body with Python's parser, so the model's own bound applies
    def body(depth):
        b = {"filter": _chain(depth)}
        return json.dumps(b) if as_text else b

    assert tv.check(*CREATE, body(100)) == []
    assert [(p.code, p.loc) for p in tv.check(*CREATE, body(101))] == [("invalid_input", _deep_loc(101))]


def test_the_default_bound_on_the_model_used_directly():
    CreateAudience.model_validate({"filter": _chain(100)})
    with pytest.raises(ValidationError) as info:
        CreateAudience.model_validate({"filter": _chain(5000)})
    assert [(e["type"], e["loc"]) for e in info.value.errors()] == [("invalid_input", _deep_loc(101))]


@pytest.mark.parametrize("as_text", [False, True])
def test_a_5000_level_filter_gives_a_problem_not_a_crash(as_text):
    body = {"filter": _chain(5000)}
    if as_text:
        body = '{"filter":' + '{"operator":"AND","groups":[' * 5000 + "]}" * 5000 + "}"
    problems = tv.check(*CREATE, body)
    assert [(p.code, p.status) for p in problems] == [("invalid_input", 400)]


def test_checking_never_mutates_the_body():
    body = {"name": "x", "filter": {"operator": "AND", "conditions": [COUNT, {**TIME, "unit": "y"}],
                                    "groups": [_chain(6), {"operator": "OR"}]}}
    before = copy.deepcopy(body)
    assert tv.check(*CREATE, body, options=Options(max_depth=3))
    tv.check(*UPDATE, body)
    assert body == before


def test_validate_returns_models():
    model = tv.validate(*CREATE, {"name": "x", "filter": ENGAGED_OR_NEW})
    assert isinstance(model, CreateAudience)
    assert isinstance(model.filter, FilterGroup)
    assert model.filter.groups[1].conditions[1].field == "send_count"
    assert isinstance(tv.validate(*UPDATE, {"filter": E5_RESPONSE}), UpdateAudience)


def test_models_are_exported():
    from trackly_validate import models

    for name in ("CreateAudience", "UpdateAudience", "FilterGroup", "TimeCondition", "CountCondition",
                 "RevenueCondition", "CarrierCondition", "PhoneNumbersCondition", "TimezoneCondition",
                 "CustomFieldCondition", "render_filter"):
        assert getattr(models, name) is not None
    assert tv.model_for(*CREATE) is CreateAudience
    assert json.dumps(CreateAudience.model_json_schema())  # the schema can be generated


# --- render_filter ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("filter_", "text"), [
    (E4_UPDATE["filter"], "last_clicked_at within 14 days AND click_count gte 5"),
    (E5_RESPONSE, "last_clicked_at within 14 days AND click_count gte 5"),
    (ENGAGED_OR_NEW, "(last_clicked_at within 7 days AND click_count gt 2) OR "
                     "(signup_date within 3 days AND send_count eq 0)"),
    (AND_BASICS, 'last_clicked_at within 7 days AND send_count gt 3 AND custom_fields.state eq "California"'),
    (GEOGRAPHIC, 'custom_fields.state in ["CA", "TX", "FL", "NY"]'),
    (RE_ENGAGEMENT, "(last_sent_at within 60 days AND last_clicked_at not_within 30 days) AND "
                    "(click_count gt 5 OR has_revenue eq true)"),
    (EXISTS, "signup_date exists AND last_clicked_at not_exists"),
    ({"operator": "or", "conditions": [{"condition_type": "carrier", "operator": "eq", "value": "T-Mobile"},
                                       {"condition_type": "phone_numbers", "operator": "in",
                                        "value": ["+14155551234"]}],
      "groups": [{"operator": "AND"}]},
     'carrier eq "T-Mobile" OR phone_numbers in ["+14155551234"] OR ()'),
    ({"operator": "AND"}, "()"),
    ({"operator": 5, "conditions": ["x", {"condition_type": "time"}]}, "? ? ? ?"),
    (None, "?"),
])
def test_render_filter(filter_, text):
    assert render_filter(filter_) == text


def test_render_filter_of_a_model_matches_the_dict():
    model = tv.validate(*CREATE, {"filter": RE_ENGAGEMENT})
    assert render_filter(model.filter) == render_filter(RE_ENGAGEMENT)


def test_render_filter_caps_depth():
    assert render_filter(_chain(3), max_depth=2) == "((…))"
    assert render_filter(_chain(5000)) == "(" * 100 + "…" + ")" * 100


@pytest.mark.parametrize("empty", [None, "", [], {}])
def test_a_group_whose_conditions_and_groups_are_sent_empty_is_an_empty_group(empty):
    body = {"filter": {"operator": "AND", "conditions": empty, "groups": empty}}
    codes = [p.code for p in tv.check("POST", "/v2/audiences", body)]
    assert codes[0] == "empty_filter_group"
    assert ("invalid_input" in codes) == (empty in ("", {}))  # the wrong type is reported too
