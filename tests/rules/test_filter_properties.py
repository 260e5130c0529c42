"""Hypothesis: random well-formed audience filters (any depth up to the bound) pass;
one mutation gives exactly the matching code at exactly the mutated location.

The word lists below are written from the spec (audiences-contacts.md §1), not taken
from the module under test."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trackly_validate as tv
from trackly_validate import Options
from trackly_validate.models.audiences import render_filter

CREATE = ("POST", "/v2/audiences")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WINDOW_OPS = ["within", "not_within", "before", "after"]
TYPE_KEY = st.sampled_from(["condition_type", "conditionType"])

# condition type -> (code for a bad operator, code for a missing value)
CODES = {
    "time": ("invalid_time_operator", "missing_time_value"),
    "count": ("invalid_count_operator", "missing_count_value"),
    "revenue": ("invalid_revenue_operator", "missing_revenue_value"),
    "carrier": ("invalid_carrier_operator", "missing_carrier_value"),
    "timezone": ("invalid_timezone_operator", "missing_timezone_value"),
    "phone_numbers": ("invalid_phone_numbers_operator", "missing_phone_numbers_value"),
    "custom_field": ("invalid_custom_field_operator", "missing_custom_field_value"),
}


@st.composite
def conditions(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(CODES)))
    if kind == "time":
        cond = {"field": draw(st.sampled_from(["last_clicked_at", "last_sent_at", "signup_date"]))}
        if draw(st.booleans()):
            cond |= {"operator": draw(st.sampled_from(WINDOW_OPS)), "value": draw(st.integers(1, 365)),
                     "unit": draw(st.sampled_from(["minutes", "hours", "days", "weeks"]))}
        else:
            cond["operator"] = draw(st.sampled_from(["exists", "not_exists"]))
    elif kind == "count":
        cond = {"field": draw(st.sampled_from(["send_count", "click_count", "conversion_count"])),
                "operator": draw(st.sampled_from(["gte", "gt", "eq"])), "value": draw(st.integers(0, 50))}
    elif kind == "revenue":
        cond = draw(st.sampled_from([
            {"field": "has_revenue", "operator": "eq", "value": True},
            {"field": "revenue_total", "operator": "gt", "value": 100},
            {"field": "avg_revenue", "operator": "gte", "value": 12.5},
            {"field": "revenue_average", "operator": "gte", "value": 12.5},
        ]))
    elif kind == "carrier":
        cond = {"operator": "eq", "value": draw(st.sampled_from(["T-Mobile", "Verizon Wireless", "Frontier"]))}
    elif kind == "timezone":
        cond = {"operator": "eq", "value": draw(st.sampled_from(["America/Los_Angeles", "America/New_York"]))}
    elif kind == "phone_numbers":
        cond = {"operator": "in",
                "value": draw(st.lists(st.sampled_from(["+14155551234", "+12125551000"]), min_size=1, max_size=3))}
    else:
        cond = draw(st.sampled_from([
            {"field": "state", "operator": "eq", "value": "California"},
            {"field": "custom_fields.state", "operator": "in", "value": ["CA", "TX", "FL", "NY"]},
            {"field": "vip", "operator": "eq", "value": True},
        ]))
    return {draw(TYPE_KEY): kind, **cond}


@st.composite
def groups(draw, depth: int, spine: int) -> dict[str, Any]:
    """A non-empty group at ``depth``; it has a child while ``depth < spine`` (so the
    tree reaches exactly ``spine`` levels), and maybe more children within ``spine``."""
    n_conditions = draw(st.integers(0, 2))
    children = []
    if depth < spine:
        children.append(draw(groups(depth + 1, spine)))
        if draw(st.integers(0, 3)) == 0:
            children.append(draw(groups(depth + 1, depth + 1)))
    if not children and n_conditions == 0:
        n_conditions = 1
    group: dict[str, Any] = {"operator": draw(st.sampled_from(["AND", "OR", "and", "or"]))}
    if n_conditions:
        group["conditions"] = [draw(conditions()) for _ in range(n_conditions)]
    if children:
        group["groups"] = children
    return group


@st.composite
def trees(draw) -> tuple[int, dict[str, Any]]:
    bound = draw(st.integers(1, 7))
    spine = draw(st.integers(1, bound))
    return bound, draw(groups(1, spine))


def _nodes(tree: dict) -> tuple[list, list]:
    """(groups, conditions) as (loc, path, depth[, node]) lists; ``path`` indexes into the tree."""
    out_groups, out_conditions = [], []
    stack = [(tree, ("filter",), (), 1)]
    while stack:
        group, loc, path, depth = stack.pop()
        out_groups.append((loc, path, depth))
        for i, cond in enumerate(group.get("conditions", [])):
            out_conditions.append((loc + ("conditions", i), path + ("conditions", i), cond))
        for i, child in enumerate(group.get("groups", [])):
            stack.append((child, loc + ("groups", i), path + ("groups", i), depth + 1))
    return out_groups, out_conditions


def _at(tree: dict, path: tuple) -> Any:
    node = tree
    for part in path:
        node = node[part]
    return node


def _kind(cond: dict) -> str:
    return cond.get("condition_type", cond.get("conditionType"))


def _check(tree: dict, bound: int) -> list[tuple]:
    return [(p.code, p.status, p.loc) for p in tv.check(*CREATE, {"filter": tree}, options=Options(max_depth=bound))]


@SETTINGS
@given(trees())
def test_well_formed_trees_pass_and_never_change(case):
    bound, tree = case
    before = copy.deepcopy(tree)
    assert _check(tree, bound) == []
    assert tree == before
    assert isinstance(render_filter(tree), str)


MUTATIONS = ["group_operator", "condition_operator", "condition_type", "drop_value", "empty_group", "too_deep"]


@SETTINGS
@given(trees(), st.sampled_from(MUTATIONS), st.data())
def test_one_mutation_gives_exactly_its_code_at_its_loc(case, mutation, data):
    bound, tree = case
    tree = copy.deepcopy(tree)
    all_groups, all_conditions = _nodes(tree)
    if mutation == "group_operator":
        loc, path, _ = data.draw(st.sampled_from(all_groups))
        _at(tree, path)["operator"] = data.draw(st.sampled_from(["XOR", "NOT", "", None, 1, "AND OR"]))
        expected = ("invalid_group_operator", loc + ("operator",))
    elif mutation == "empty_group":
        loc, path, _ = data.draw(st.sampled_from(all_groups))
        group = _at(tree, path)
        group.pop("groups", None)
        group["conditions"] = data.draw(st.sampled_from([[], None]))
        expected = ("empty_filter_group", loc)
    elif mutation == "too_deep":
        deepest = [g for g in all_groups if g[2] == bound]
        if not deepest:  # grow the spine down to the bound first
            loc, path, depth = max(all_groups, key=lambda g: g[2])
            node = _at(tree, path)
            for _ in range(bound - depth):
                child = {"operator": "AND", "conditions": [{"condition_type": "count", "field": "send_count",
                                                            "operator": "eq", "value": 0}]}
                node.setdefault("groups", []).append(child)
                loc, node = loc + ("groups", len(node["groups"]) - 1), child
        else:
            loc, path, _ = data.draw(st.sampled_from(deepest))
            node = _at(tree, path)
        node.setdefault("groups", []).append({"operator": "OR", "conditions": []})
        expected = ("invalid_input", loc + ("groups", len(node["groups"]) - 1))
    else:
        loc, path, cond = data.draw(st.sampled_from(all_conditions)) if all_conditions else (None, None, None)
        if cond is None:  # a tree without conditions cannot exist: every leaf group has one
            raise AssertionError("generator produced a tree without conditions")
        kind = _kind(cond)
        target = _at(tree, path)
        if mutation == "condition_type":
            target.pop("condition_type", None)
            target.pop("conditionType", None)
            target[data.draw(TYPE_KEY)] = data.draw(st.sampled_from(["dnc", "Time", "validation_status", ""]))
            expected = ("invalid_condition_type", loc)
        elif mutation == "condition_operator":
            target["operator"] = "bogus_op"
            expected = (CODES[kind][0], loc + ("operator",))
        else:  # drop_value
            if target["operator"] in ("exists", "not_exists"):
                target["operator"] = data.draw(st.sampled_from(WINDOW_OPS))  # now value and unit are missing
                slot = "value"
                target["unit"] = "days"
            else:
                slot = data.draw(st.sampled_from(["value", "unit"])) if kind == "time" else "value"
            if data.draw(st.booleans()):
                target.pop(slot, None)
            else:
                target[slot] = None
            expected = (CODES[kind][1], loc + (slot,))
    code, want_loc = expected
    assert _check(tree, bound) == [(code, 400, want_loc)]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["operator", "conditions", "groups", "condition_type", "conditionType", "field", "value",
                         "unit", "x"]), inner, max_size=4),
    max_leaves=25,
)


@SETTINGS
@given(JSON)
def test_any_json_filter_gives_problems_never_a_crash(filter_):
    before = copy.deepcopy(filter_)
    for route in (CREATE, ("PUT", "/v2/audiences/664f1a2b3c4d5e6f7a8b9c0d")):
        problems = tv.check(*route, {"filter": filter_})
        assert all(p.status == 400 and p.loc[:1] == ("filter",) for p in problems)
    assert isinstance(render_filter(filter_), str)
    assert filter_ == before


@SETTINGS
@given(trees())
def test_both_condition_keys_give_the_same_answer(case):
    bound, tree = case
    snake, camel = copy.deepcopy(tree), copy.deepcopy(tree)
    for _, path, cond in _nodes(camel)[1]:
        node = _at(camel, path)
        node["conditionType"] = node.pop("condition_type", node.get("conditionType"))
        node["unit" if _kind(cond) == "time" else "operator"] = "zz"
    for _, path, cond in _nodes(snake)[1]:
        node = _at(snake, path)
        node["condition_type"] = node.pop("conditionType", node.get("condition_type"))
        node["unit" if _kind(cond) == "time" else "operator"] = "zz"
    assert _check(snake, bound) == _check(camel, bound) != []
