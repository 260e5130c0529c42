"""Properties for every audience rule (audiences-contacts.md §1, §2, §5): generated filter
trees (nested groups, every condition type, both ``condition_type`` spellings) with one
mutation at a random depth give exactly that rule's problem at its JSON path; near misses
pass.  See harness.py."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from trackly_validate import Options

from . import strategies as S
from .harness import area_tests, Case, get, put, Registry
from .strategies import ABSENT, MISSING

CREATE = ("POST", "/v2/audiences")
UPDATE = ("PUT", "/v2/audiences/664f1a2b3c4d5e6f7a8b9c0d")

VALID = {CREATE: S.audiences(), UPDATE: S.audiences(update=True)}
#: updates that send a filter (the filter rules apply to it as on create)
UPDATE_WITH_FILTER = st.builds(lambda body, group: {**body, "filter": group}, VALID[UPDATE], S.group())
EXAMPLES = [(CREATE, S.AUDIENCE_UPDATE), (CREATE, S.ENGAGED_OR_NEW), (UPDATE, S.AUDIENCE_UPDATE), (UPDATE, {})]

# --- mutations ------------------------------------------------------------------------------------------------

#: words no vocabulary of the grammar holds (operators are matched exactly)
not_words = st.sampled_from([">", "=", "!=", "like", "between", "is", "contains_all"]) | S.word(
    string.ascii_lowercase, 1, 8).map("zz_".__add__) | S.not_strings
bad_group_operators = MISSING | S.not_strings | st.sampled_from(["XOR", "NOT", "&&", "||", "ANDOR", "AN D"])


def _group(body, draw):
    return draw(st.sampled_from(S.group_paths(body["filter"])))


def _append_condition(body, gpath, condition):
    """``body`` with ``condition`` appended to the group at ``gpath``; and its loc."""
    group = get(body, gpath)
    conditions = [*(group.get("conditions") or []), condition]
    return put(body, (*gpath, "conditions"), conditions), (*gpath, "conditions", len(conditions) - 1)


def _condition_with(kind, field, bad, with_value=True):
    """A new ``kind`` condition whose ``field`` is drawn from ``bad``, in a random group."""
    def mutate(body, draw):
        condition = draw(S.condition(kind, with_value))
        value = draw(bad)
        if value is ABSENT:
            condition.pop(field, None)
        else:
            condition[field] = value
        out, loc = _append_condition(body, _group(body, draw), condition)
        return out, (*loc, field)
    return mutate


def _new_condition(strategy):
    """Near miss: a new valid condition from ``strategy``, in a random group."""
    return lambda body, draw: _append_condition(body, _group(body, draw), draw(strategy))[0]


def _no_value(kind, fields=("value",)):
    """Near miss of a missing-value code: exists/not_exists needs no value."""
    def near(body, draw):
        condition = draw(S.condition(kind))
        condition["operator"] = draw(st.sampled_from(S.NO_VALUE))
        for field in fields:
            condition.pop(field, None)
        return _append_condition(body, _group(body, draw), condition)[0]
    return near


def _bad_type(body, draw):
    """A condition whose type is absent, not a string or unknown."""
    condition = draw(S.any_condition)
    condition.pop("conditionType", None)
    tag = draw(st.sampled_from([ABSENT, None]) | S.not_strings | st.sampled_from(
        ["email", "Time", "location", "on_dnc", ""]))
    if tag is ABSENT:
        condition.pop("condition_type", None)
    else:
        condition["condition_type"] = tag
    return _append_condition(body, _group(body, draw), condition)


def _not_an_object(body, draw):
    return _append_condition(body, _group(body, draw), draw(S.not_objects | st.none() | st.just([])))


def _empty(body, draw):
    """A random group emptied (conditions and groups absent, null or [])."""
    gpath = _group(body, draw)
    group = {"operator": draw(S.group_operators)}
    for key in ("conditions", "groups"):
        value = draw(st.sampled_from([ABSENT, None, []]))
        if value is not ABSENT:
            group[key] = value
    return put(body, gpath, group), gpath


def _half_empty(body, draw):
    """Near miss: a group with an empty list next to a non-empty one."""
    gpath = _group(body, draw)
    empty, full = draw(st.sampled_from([("conditions", "groups"), ("groups", "conditions")]))
    inner = draw(S.group(max_depth=1)) if full == "groups" else draw(S.any_condition)
    return put(body, gpath, {"operator": "OR", empty: [], full: [inner]})


MAX_DEPTH = 3
SHALLOW = Options(max_depth=MAX_DEPTH)


def _deeper(extra):
    """A chain of nested groups under a random group, its innermost group at depth
    MAX_DEPTH + ``extra`` (the top-level filter is depth 1); the loc of the first group
    past MAX_DEPTH (never visited below it)."""
    target = MAX_DEPTH + extra

    def mutate(body, draw):
        paths = [p for p in S.group_paths(body["filter"]) if _depth(p) < target]
        gpath = draw(st.sampled_from(paths))
        chain = {"operator": "AND", "conditions": [draw(S.any_condition)]}
        for _ in range(target - _depth(gpath) - 1):
            chain = {"operator": draw(S.group_operators), "groups": [chain]}
        groups = [*(get(body, gpath).get("groups") or []), chain]
        first = (*gpath, "groups", len(groups) - 1)  # at depth(gpath) + 1
        return put(body, (*gpath, "groups"), groups), (*first, *("groups", 0) * (MAX_DEPTH - _depth(gpath)))
    return mutate


def _depth(gpath):
    return (len(gpath) - 1) // 2 + 1


def _source_lists(body, draw):
    lists = draw(st.lists(st.integers(1, 999), max_size=3))
    i = draw(st.integers(0, len(lists)))
    lists.insert(i, draw(st.sampled_from(["abc", "1.5", 2.5, [], {}, "x"])))
    return {**body, "source_lists": lists}, ("source_lists", i)


def _bad_phone(body, draw):
    condition = draw(S.condition("phone_numbers"))
    j = draw(st.integers(0, len(condition["value"])))
    condition["value"] = [*condition["value"][:j], draw(S.bad_phone_values), *condition["value"][j:]]
    out, loc = _append_condition(body, _group(body, draw), condition)
    return out, (*loc, "value", j)


# --- cases ---------------------------------------------------------------------------------------------------------

REG = Registry()
C = VALID[CREATE]
REG.add(
    Case("missing_filter", CREATE, C, at=("filter",), bad=MISSING, good=S.group()),
    Case("name_too_long", CREATE, C, at=("name",), bad=st.text(min_size=256, max_size=300),
         good=st.text(min_size=1, max_size=255) | st.none()),
    Case("name_too_long", UPDATE, VALID[UPDATE], at=("name",), bad=st.text(min_size=256, max_size=300)),
    Case("invalid_group_operator", CREATE, C, mutate=lambda b, d: (lambda g: (
        put(b, (*g, "operator"), d(bad_group_operators)), (*g, "operator")))(_group(b, d)),
         near=lambda b, d: put(b, (*_group(b, d), "operator"), d(S.group_operators))),
    Case("invalid_group_operator", UPDATE, UPDATE_WITH_FILTER, mutate=lambda b, d: (lambda g: (
        put(b, (*g, "operator"), d(bad_group_operators)), (*g, "operator")))(_group(b, d))),
    Case("empty_filter_group", CREATE, C, mutate=_empty, near=_half_empty),
    Case("empty_filter_group", UPDATE, UPDATE_WITH_FILTER, mutate=_empty),
    Case("invalid_condition_type", CREATE, C, mutate=_bad_type, near=_new_condition(S.any_condition)),
    Case("invalid_input", CREATE, C, mutate=_not_an_object, label="condition not an object"),
    Case("invalid_input", CREATE, C, mutate=_deeper(1), near=lambda b, d: _deeper(0)(b, d)[0], options=SHALLOW,
         label="deeper than max_depth"),
    Case("invalid_input", CREATE, C, mutate=_source_lists,
         near=lambda b, d: {**b, "source_lists": d(st.lists(st.integers(1, 99) | st.just("12")))},
         label="source_lists"),
    Case("invalid_input", UPDATE, VALID[UPDATE], at=("description",), bad=S.not_strings,
         good=S.texts | st.none(), label="description"),
    Case("invalid_phone", CREATE, C, mutate=_bad_phone, near=_new_condition(S.condition("phone_numbers")),
         variant="e164"),
)

# (condition type, field, code, bad values, near miss) for every field rule of every type
bad_words = MISSING | not_words
FIELD_RULES = [
    ("time", "field", "invalid_time_field", bad_words, None),
    ("time", "operator", "invalid_time_operator", bad_words, None),
    ("time", "unit", "invalid_time_unit", not_words, None),
    ("time", "value", "missing_time_value", MISSING, _no_value("time", ("value", "unit"))),
    ("time", "unit", "missing_time_value", MISSING, _no_value("time", ("unit",))),
    ("count", "field", "invalid_count_field", bad_words, None),
    ("count", "operator", "invalid_count_operator", bad_words, None),
    ("count", "value", "missing_count_value", MISSING, None),
    ("revenue", "field", "invalid_revenue_field", bad_words, None),
    ("revenue", "operator", "invalid_revenue_operator", bad_words, None),
    ("revenue", "value", "missing_revenue_value", MISSING, _no_value("revenue")),
    ("carrier", "operator", "invalid_carrier_operator", bad_words, None),
    ("carrier", "value", "missing_carrier_value", MISSING, _no_value("carrier")),
    ("timezone", "operator", "invalid_timezone_operator", bad_words, None),
    ("timezone", "value", "missing_timezone_value", MISSING, _no_value("timezone")),
    ("phone_numbers", "operator", "invalid_phone_numbers_operator", bad_words, None),
    ("phone_numbers", "value", "missing_phone_numbers_value", MISSING, None),
    ("custom_field", "field", "missing_custom_field_name", MISSING, None),
    ("custom_field", "operator", "invalid_custom_field_operator", bad_words, None),
    # "" is a value one may compare a custom field with: only absent/null is missing
    ("custom_field", "value", "missing_custom_field_value", st.sampled_from([ABSENT, None]),
     lambda b, d: _append_condition(b, _group(b, d), {**d(S.condition("custom_field")), "value": ""})[0]),
]
for kind, field, code, bad, near in FIELD_RULES:
    REG.add(Case(code, CREATE, C, mutate=_condition_with(kind, field, bad),
                 near=near or _new_condition(S.condition(kind)), label=f"{kind}.{field}"))
REG.add(Case("invalid_time_operator", UPDATE, UPDATE_WITH_FILTER, mutate=_condition_with("time", "operator", not_words),
             label="time.operator"))

# --- tests ----------------------------------------------------------------------------------------------------------


(test_mutation_triggers_only_its_code, test_near_miss_passes,
 test_generated_valid_bodies_pass, test_documented_examples_pass) = area_tests(REG, VALID, EXAMPLES)


COVERED = REG.covered
