"""Audiences: the filter grammar, POST /v2/audiences and PUT /v2/audiences/{id}
(audiences-contacts reference).

Grammar
-------
``filter`` is a group ``{operator, conditions?, groups?}``:

- ``operator`` ``AND``/``OR`` (any letter case, see ``rules/vocabularies.py``); absent
  or anything else → ``invalid_group_operator`` at ``(…, "operator")``;
- a group with neither conditions nor groups (absent, ``null`` or ``[]``) →
  ``empty_filter_group`` at the group's own loc, at any depth, reported together with
  the group's operator problem;
- each condition is dispatched on ``condition_type`` by a pydantic-core tagged union
  (no Python per condition for the dispatch); unknown, absent or non-string →
  ``invalid_condition_type`` at the condition's loc; a condition that is not an object
  → ``invalid_input``.  ``conditionType`` (the responses' camelCase key) is accepted
  on input too: the docs only say requests "use" ``condition_type``, and echoing a
  fetched filter back must not be refused (union of versions).  ``listId`` and other
  unknown keys are ignored, as everywhere.
- ``field``/``operator``/``unit`` come from the one vocabulary table
  (``rules/vocabularies.py``); an absent ``field`` or ``operator`` gets the type's
  ``invalid_*`` code (no ``missing_*`` code exists for them).
- ``value`` (and ``unit`` for time) is required → the type's ``missing_*_value`` code,
  except for ``exists``/``not_exists`` (documented for time, inferred elsewhere).
  When the operator itself is absent or unknown, whether a value is needed is unknown
  and only the operator is reported.  ``""`` counts as missing, except for custom
  fields, where ``""`` is a value one may compare with.  Values are typed only where the docs say so: time and count values
  are numbers (a numeric string passes, as pydantic's lax mode reads it),
  ``phone_numbers`` values an array of E.164 numbers (inferred, ``invalid_phone``);
  revenue, carrier, timezone and custom-field values accept any JSON value.

Depth
-----
The docs set no nesting limit.  Groups nested deeper than ``Options.max_depth`` (the
top-level filter is depth 1) are answered with ``invalid_input`` ("Invalid input")
at the loc of each too-deep group, ``("filter", "groups", 0, …, "groups", 0)``; the
rest of the filter is still checked and the subtree below is never visited, so any
depth gives a problem list fast and never a ``RecursionError`` (inferred rule,
registered).  ``invalid_input`` is the honest code: the docs have no depth code and
``empty_filter_group`` would be false.  Note that ``check``/``validate`` parse the
body with pydantic-core's JSON parser, which stops at 200 nesting levels (a group at
depth *d* sits at level 2*d*), so through the engine a filter deeper than 99 groups is
``invalid_input`` at ``()`` before this bound is reached; the bound applies as such to
models used directly and to any smaller ``max_depth``.

Create vs update
----------------
The create page is missing from the docs: ``name`` is not required (no
``missing_name`` is raised), ``filter`` is (``missing_filter``; ``{}`` counts as
missing as everywhere in this library).  Both: ``name`` ≤ 255 characters
(``name_too_long``), ``source_lists`` an array of integers (anything else
``invalid_input``; ``source_list_not_found`` needs the account).  Audience ids appear
only in paths here; the 24-hex rule is ``rules.ids.AudienceId``.

``render_filter`` gives a readable one-line form of a filter for messages and logs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Callable, Literal, TypeAlias, Union

from pydantic import AliasChoices, BaseModel, Field, model_validator
from pydantic_core import core_schema as cs

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.options import DEFAULT_OPTIONS, Options
from trackly_validate.rules.crossfield import is_blank, validate_with
from trackly_validate.rules.base import ABSENT, MaxLen, Required, Rule, TracklyModel, fail, tagged
from trackly_validate.rules.phones import Phone
from trackly_validate.rules.types import Int, Number, Str
from trackly_validate.rules.vocabularies import NO_VALUE_OPERATORS, VOCABULARIES
from trackly_validate.rules.schema import add_rule, any_given, given, when

__all__ = [
    "TimeCondition",
    "CountCondition",
    "RevenueCondition",
    "CarrierCondition",
    "PhoneNumbersCondition",
    "TimezoneCondition",
    "CustomFieldCondition",
    "CONDITION_MODELS",
    "Condition",
    "FilterGroup",
    "CreateAudience",
    "UpdateAudience",
    "render_filter",
]


_KEYS: list[list[str | int]] = [["condition_type"], ["conditionType"]]  # request key first, then the responses' camelCase key
_V = VOCABULARIES

PhoneValue = Annotated[str, Phone(C.invalid_phone, "e164", role="sender")]

# The vocabularies' types are built from their rows at import (Annotated[str, Coded, OneOf]);
# a type checker sees the str a validated field holds.  A condition's value (and a time
# condition's unit) is None when its operator takes none (exists/not_exists).
if TYPE_CHECKING:
    _GroupOperator: TypeAlias = str
    _TimeField: TypeAlias = str
    _TimeOperator: TypeAlias = str
    _TimeUnit: TypeAlias = str | None
    _CountField: TypeAlias = str
    _CountOperator: TypeAlias = str
    _RevenueField: TypeAlias = str
    _RevenueOperator: TypeAlias = str
    _CarrierOperator: TypeAlias = str
    _TimezoneOperator: TypeAlias = str
    _PhoneNumbersOperator: TypeAlias = str
    _CustomFieldOperator: TypeAlias = str
    _NumberValue: TypeAlias = float | None
    _PhonesValue: TypeAlias = list[str] | None
else:
    _GroupOperator = _V["group_operator"].type
    _TimeField = _V["time_field"].type
    _TimeOperator = _V["time_operator"].type
    _TimeUnit = _V["time_unit"].type
    _CountField = _V["count_field"].type
    _CountOperator = _V["count_operator"].type
    _RevenueField = _V["revenue_field"].type
    _RevenueOperator = _V["revenue_operator"].type
    _CarrierOperator = _V["carrier_operator"].type
    _TimezoneOperator = _V["timezone_operator"].type
    _PhoneNumbersOperator = _V["phone_numbers_operator"].type
    _CustomFieldOperator = _V["custom_field_operator"].type
    _NumberValue = Number
    _PhonesValue = list[PhoneValue]


# --- the value rule: required unless the operator needs none -----------------------------------------

class _ValueRule(Rule):
    def __init__(self, info: CodeInfo, inner: cs.CoreSchema, empty_is_missing: bool):
        self.info, self.inner, self.empty = info, inner, empty_is_missing
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        inner = cs.nullable_schema(self.inner)
        if self.is_disabled(options):
            return inner
        error, empty = fail(self.info), self.empty

        def needed(value: Any, validation: cs.ValidationInfo) -> Any:
            if value is None or (empty and is_blank(value)):
                if "operator" not in validation.data:  # the operator failed: whether a value is needed is unknown
                    return None
                op = validation.data["operator"]
                if isinstance(op, str) and op in NO_VALUE_OPERATORS:
                    return None
                raise error
            return value

        return cs.with_info_before_validator_function(needed, inner)


class ValueFor:
    """Marker: the condition's ``value`` (or time ``unit``) is required, else ``info``,
    unless the condition's ``operator`` (an earlier field) is ``exists``/``not_exists``.
    An operator that failed its own check is absent from ``validation.data``: whether a value
    is needed is then unknown, so only the operator's problem is reported."""

    __slots__ = ("info", "empty_is_missing")

    def __init__(self, info: CodeInfo, *, empty_is_missing: bool = True):
        self.info, self.empty_is_missing = info, empty_is_missing

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_ValueRule(self.info, handler(source), self.empty_is_missing))


def _needs(*names: str, empty_is_missing: bool = True) -> Any:
    """The :class:`ValueFor` rule as JSON Schema: ``names`` are given unless the operator
    takes no value (``exists``/``not_exists``)."""
    def rule(schema: dict[str, Any]) -> None:
        needed = [given(n) if empty_is_missing else {"required": [n], "properties": {n: {"not": {"const": None}}}}
                  for n in names]
        add_rule(schema, {"if": {"required": ["operator"], "properties": {"operator": {
            "enum": sorted(NO_VALUE_OPERATORS)}}}, "else": {"allOf": needed}})
    return staticmethod(rule)


# --- conditions ----------------------------------------------------------------------------------------

def _tag(name: str) -> Any:
    return Field(name, validation_alias=AliasChoices("condition_type", "conditionType"))


class TimeCondition(TracklyModel):
    """``{"condition_type": "time", "field", "operator", "value", "unit"}`` (documented):
    ``value`` and ``unit`` are required except for ``exists``/``not_exists``, a missing
    one of them → ``missing_time_value``."""

    __trackly_json_schema__ = _needs("value", "unit")

    condition_type: Literal["time"] = _tag("time")
    field: Annotated[_TimeField, Required(C.invalid_time_field)] = ABSENT
    operator: Annotated[_TimeOperator, Required(C.invalid_time_operator)] = ABSENT
    value: Annotated[_NumberValue, ValueFor(C.missing_time_value)] = None
    unit: Annotated[_TimeUnit, ValueFor(C.missing_time_value)] = None


class CountCondition(TracklyModel):
    """``{"condition_type": "count", "field", "operator", "value"}``; ``value`` a number."""

    __trackly_json_schema__ = _needs("value")

    condition_type: Literal["count"] = _tag("count")
    field: Annotated[_CountField, Required(C.invalid_count_field)] = ABSENT
    operator: Annotated[_CountOperator, Required(C.invalid_count_operator)] = ABSENT
    value: Annotated[_NumberValue, ValueFor(C.missing_count_value)] = None


class RevenueCondition(TracklyModel):
    """``{"condition_type": "revenue", "field", "operator", "value"}``; ``value`` any JSON
    value (a number for totals, a boolean for ``has_revenue``: types inferred, not checked)."""

    __trackly_json_schema__ = _needs("value")

    condition_type: Literal["revenue"] = _tag("revenue")
    field: Annotated[_RevenueField, Required(C.invalid_revenue_field)] = ABSENT
    operator: Annotated[_RevenueOperator, Required(C.invalid_revenue_operator)] = ABSENT
    value: Annotated[Any, ValueFor(C.missing_revenue_value)] = None


class CarrierCondition(TracklyModel):
    """``{"condition_type": "carrier", "operator", "value"}`` (no ``field`` is documented)."""

    __trackly_json_schema__ = _needs("value")

    condition_type: Literal["carrier"] = _tag("carrier")
    operator: Annotated[_CarrierOperator, Required(C.invalid_carrier_operator)] = ABSENT
    value: Annotated[Any, ValueFor(C.missing_carrier_value)] = None


class TimezoneCondition(TracklyModel):
    """``{"condition_type": "timezone", "operator", "value"}`` (IANA names in examples; not checked)."""

    __trackly_json_schema__ = _needs("value")

    condition_type: Literal["timezone"] = _tag("timezone")
    operator: Annotated[_TimezoneOperator, Required(C.invalid_timezone_operator)] = ABSENT
    value: Annotated[Any, ValueFor(C.missing_timezone_value)] = None


class PhoneNumbersCondition(TracklyModel):
    """``{"condition_type": "phone_numbers", "operator", "value": ["+1…", …]}`` (inferred
    shape: the error-code page speaks of "its array of values").  Each value is E.164
    at the options' phone level (no account mirrors: nothing is sent to them)."""

    __trackly_json_schema__ = _needs("value")

    condition_type: Literal["phone_numbers"] = _tag("phone_numbers")
    operator: Annotated[_PhoneNumbersOperator, Required(C.invalid_phone_numbers_operator)] = ABSENT
    value: Annotated[_PhonesValue, ValueFor(C.missing_phone_numbers_value)] = None


class CustomFieldCondition(TracklyModel):
    """``{"condition_type": "custom_field", "field": "<key>", "operator", "value"}``.

    ``field`` is any non-empty key (``state`` and ``custom_fields.state`` both pass: the
    docs show both forms) → ``missing_custom_field_name``.  ``value`` may be any JSON
    value, ``""`` included."""

    __trackly_json_schema__ = _needs("value", empty_is_missing=False)

    condition_type: Literal["custom_field"] = _tag("custom_field")
    field: Annotated[Str, Required(C.missing_custom_field_name)] = ABSENT
    operator: Annotated[_CustomFieldOperator, Required(C.invalid_custom_field_operator)] = ABSENT
    value: Annotated[Any, ValueFor(C.missing_custom_field_value, empty_is_missing=False)] = None


#: condition_type -> model, in the vocabulary's order.
CONDITION_MODELS: dict[str, type[TracklyModel]] = {
    "time": TimeCondition,
    "count": CountCondition,
    "revenue": RevenueCondition,
    "custom_field": CustomFieldCondition,
    "carrier": CarrierCondition,
    "timezone": TimezoneCondition,
    "phone_numbers": PhoneNumbersCondition,
}
assert set(CONDITION_MODELS) == set(_V["condition_type"].values)

_OTHER = "other-condition"


class _ConditionUnionRule(Rule):
    """The tagged union over ``condition_type`` (``conditionType`` as a second key).

    Widened type names (``Options(widen={"condition_type": {...}})``) are accepted as
    free-form objects.  With ``invalid_condition_type`` disabled, unknown types are
    accepted the same way (a callable discriminator, so Python runs per condition only
    in that variant)."""

    codes = (C.invalid_condition_type.code,)

    def __init__(self, choices: dict[str, cs.CoreSchema]):
        self.choices = choices

    def build(self, options: Options) -> cs.CoreSchema:
        choices: dict[Any, cs.CoreSchema] = dict(self.choices)
        for name in sorted(options.widened("condition_type")):
            choices.setdefault(name, cs.dict_schema())
        if not self.is_disabled(options):
            return cs.tagged_union_schema(choices, _KEYS, custom_error_type=C.invalid_condition_type.code,
                                          custom_error_message=C.invalid_condition_type.message)
        known = frozenset(choices)
        choices[_OTHER] = cs.dict_schema()

        def pick(value: Any) -> str:
            if not isinstance(value, dict):
                return _OTHER
            tag = value["condition_type"] if "condition_type" in value else value.get("conditionType")
            return tag if isinstance(tag, str) and tag in known else _OTHER

        return cs.tagged_union_schema(choices, pick)


def _variant(handler: Any, tag: str, schema: cs.CoreSchema) -> Any:
    """A condition model's JSON Schema, its required fields and value rule included (the
    union's choices are rendered inline, without the model's own JSON-schema hook)."""
    out = handler(schema)
    target = handler.resolve_ref_schema(out)
    if "required" not in target and "allOf" not in target:
        CONDITION_MODELS[tag].finish_json_schema(target)
    return out


class _ConditionUnion:
    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> cs.CoreSchema:
        return tagged(_ConditionUnionRule({t: handler.generate_schema(m) for t, m in CONDITION_MODELS.items()}))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        # the tag is condition_type, or conditionType when condition_type is absent
        rule = (core_schema.get("metadata") or {})["trackly_rule"]
        return {"anyOf": [{"allOf": [_variant(handler, tag, s), {"anyOf": [
            when("condition_type", {"const": tag}),
            {"not": {"required": ["condition_type"]}, **when("conditionType", {"const": tag})}]}]}
            for tag, s in rule.choices.items()]}


Condition = Annotated[
    Union[TimeCondition, CountCondition, RevenueCondition, CustomFieldCondition, CarrierCondition,
          TimezoneCondition, PhoneNumbersCondition],
    _ConditionUnion(),
]


# --- groups -----------------------------------------------------------------------------------------------

class _TooDeep:
    """Stands in for a group nested deeper than ``Options.max_depth``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<too deep>"


_TOO_DEEP = _TooDeep()


class FilterGroup(TracklyModel):
    """A filter group: ``operator`` joins its ``conditions`` and nested ``groups``."""

    __trackly_cross_field__ = (C.empty_filter_group, C.invalid_input)
    # empty_filter_group: conditions or groups, not both blank
    __trackly_json_schema__ = staticmethod(lambda schema: add_rule(schema, any_given("conditions", "groups")))

    operator: Annotated[_GroupOperator, Required(C.invalid_group_operator)] = ABSENT
    conditions: list[Condition] | None = None
    groups: list[FilterGroup] | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _not_empty(cls, data: Any, handler: Any) -> Any:
        """``empty_filter_group`` at the group's loc, with the group's other problems."""
        if data is _TOO_DEEP:
            raise fail(C.invalid_input)
        empty = isinstance(data, dict) and is_blank(data.get("conditions")) and is_blank(data.get("groups"))
        return validate_with(handler, data, [((), fail(C.empty_filter_group))] if empty else (), cls.__name__)


# --- the depth bound ----------------------------------------------------------------------------------------

def _bound_depth(root: Any, limit: int) -> Any:
    """``root`` itself when no group is deeper than ``limit``, else a copy in which every
    group at depth ``limit + 1`` is replaced by ``_TOO_DEEP`` (copies only along the
    paths to them; the input is never mutated, and nothing below them is visited)."""
    cut: list[tuple[int, ...]] = []
    stack: list[tuple[Any, int, tuple[int, ...]]] = [(root, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        groups = node.get("groups") if isinstance(node, dict) else None
        if not isinstance(groups, list) or not groups:
            continue
        if depth >= limit:
            cut.append(path)
            continue
        stack.extend((g, depth + 1, path + (i,)) for i, g in enumerate(groups))
    if not cut:
        return root

    def copy(node: dict[str, Any]) -> dict[str, Any]:
        return {**node, "groups": list(node["groups"])}

    new_root = copy(root)
    made: dict[tuple[int, ...], dict[str, Any]] = {(): new_root}
    for path in cut:
        cur = new_root
        for k, i in enumerate(path):
            key = path[: k + 1]
            nxt = made.get(key)
            if nxt is None:
                nxt = made[key] = copy(cur["groups"][i])
                cur["groups"][i] = nxt
            cur = nxt
        cur["groups"] = [_TOO_DEEP] * len(cur["groups"])
    return new_root


class _DepthRule(Rule):
    codes = (C.invalid_input.code,)

    def __init__(self, inner: cs.CoreSchema):
        self.inner = inner

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return self.inner
        limit = options.max_depth
        return cs.no_info_before_validator_function(lambda v: _bound_depth(v, limit), self.inner)


class BoundedDepth:
    """Marker for a top-level filter: groups deeper than ``Options.max_depth`` →
    ``invalid_input`` at the first too-deep group (see the module docstring)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_DepthRule(handler(source)))


Filter = Annotated[FilterGroup, BoundedDepth()]


class CreateAudience(TracklyModel):
    """POST /v2/audiences (page missing from the docs; fields from Update Audience + DSL).

    ``filter`` required (``missing_filter``); ``name`` optional (judgement call: the
    docs never say it is required and no ``missing_name`` text exists for audiences)."""

    name: Annotated[Str, MaxLen(C.name_too_long, 255)] | None = None
    description: Str | None = None
    source_lists: list[Int] | None = None
    filter: Annotated[Filter, Required(C.missing_filter)] = ABSENT


class UpdateAudience(TracklyModel):
    """PUT /v2/audiences/{id}: "all body parameters are optional"."""

    name: Annotated[Str, MaxLen(C.name_too_long, 255)] | None = None
    description: Str | None = None
    source_lists: list[Int] | None = None
    filter: Filter | None = None


# --- rendering ------------------------------------------------------------------------------------------------

_PREFIXED = {"count", "revenue", "time", "custom_field"}  # types whose left-hand side is their ``field``


def _render_condition(c: Any) -> str:
    if not isinstance(c, dict):
        return "?"
    kind = c["condition_type"] if "condition_type" in c else c.get("conditionType")
    op = c.get("operator")
    if not isinstance(kind, str):
        kind = None if kind is None else _value(kind)
    if not isinstance(op, str):
        op = None if op is None else _value(op)
    lhs = _name(c.get("field") if kind in _PREFIXED else kind)
    if kind == "custom_field" and not lhs.startswith("custom_fields."):
        lhs = f"custom_fields.{lhs}"
    parts = [lhs, _name(op)]
    if c.get("value") is not None or (op not in NO_VALUE_OPERATORS and "value" in c):
        parts.append(_value(c.get("value")))
    if kind == "time" and c.get("unit") is not None:
        parts.append(_name(c["unit"]))
    return " ".join(parts)


def _name(word: Any) -> str:
    """A field, operator or unit as written (``?`` when absent)."""
    if word is None:
        return "?"
    return word if isinstance(word, str) else _value(word)


def _value(value: Any) -> str:
    """A value as JSON (``7``, ``"CA"``, ``["CA", "TX"]``, ``true``); integral floats as integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):  # cycles and other unrenderable values
        return "?"


_RENDER_CAP = 200  # keeps the (recursive) renderer far from Python's recursion limit


def render_filter(filter: Any, *, max_depth: int = DEFAULT_OPTIONS.max_depth) -> str:  # noqa: A002
    """A filter as one readable line, e.g.
    ``(last_clicked_at within 7 days AND click_count gte 5) OR (signup_date within 3 days)``.

    Accepts a :class:`FilterGroup` or the filter as sent (a dict).  Nested groups are
    parenthesised; an empty group renders as ``()``; strings are JSON-quoted; groups
    deeper than ``max_depth`` render as ``(…)``.  Never raises for any JSON input
    (malformed parts render as ``?``).  For messages and logs only: there is no parser
    for this form.
    """
    if isinstance(filter, BaseModel):
        filter = filter.model_dump(exclude_none=True)
    return _render_group(filter, 1, min(max_depth, _RENDER_CAP))


def _render_group(group: Any, depth: int, max_depth: int) -> str:
    if not isinstance(group, dict):
        return "?"
    if depth > max_depth:
        return "…"
    op = group.get("operator")
    joiner = f" {op.upper()} " if isinstance(op, str) else " ? "
    conditions = group.get("conditions")
    groups = group.get("groups")
    parts = [_render_condition(c) for c in conditions] if isinstance(conditions, list) else []
    if isinstance(groups, list):
        for g in groups:
            inner = _render_group(g, depth + 1, max_depth)
            parts.append(inner if inner == "()" else f"({inner})")
    return joiner.join(parts) if parts else "()"
