"""Schedules: POST /v2/schedules and PUT /v2/schedules/{id} (campaigns reference).

Create (every schedule): ``name`` (``missing_name``; no cap documented, none enforced),
``send_type`` ``blast|automated`` (``missing_send_type`` / ``invalid_send_type``),
``is_repeating`` (``missing_is_repeating``; ``false`` is a value, not "missing"),
``send_time`` (``missing_send_time``), ``audiences`` with at least one id
(``missing_audiences``; each a 24-hex ObjectId, ``invalid_audience_id``, inferred).
``status`` ``draft|off|on`` (update adds ``complete|archive``) → ``invalid_status``.

Conditional rules (create):

- one-time (``is_repeating: false``) needs ``send_date`` (``missing_send_date``);
- repeating (``true``) needs ``start_date`` and ``end_date`` (``missing_start_date``,
  ``missing_end_date``) and ``days_of_week`` with at least one selected day
  (``no_days_selected``; absent or ``null`` counts as no day selected);
- ``send_type: "blast"`` needs a non-empty ``blasts`` (``missing_blasts``; ``[]`` counts
  as missing, as the spec infers); each blast needs a ``message``
  (``missing_blast_message``).

Blast percents (``invalid_blast_percent``): each ``percent_audience`` must be a JSON
number in 0..100 (problem at ``("blasts", i, "percent_audience")``); the values must sum
to exactly 100 (problem at ``("blasts",)``).  The sum is **exact decimal arithmetic**
on each number's shortest decimal text (``Decimal(str(x))``), so 33.3 + 33.3 + 33.4 is
100 (binary floating point would say 99.99999999999999 or 100.00000000000001 for
similar splits) while 33.33 × 3 = 99.99 is refused.  A blast without
``percent_audience`` (or ``null``) counts 0 (the spec marks the field required,
inferred); the sum is not checked while any percent is itself invalid (that blast's
own problem is reported).  Blasts are not checked when the same request says
``send_type: "automated"`` (the docs: automated schedules do not need blasts).

Each blast's ``{{linkN}}`` placeholders are checked against **its own** ``offer_links``
with the creatives' rule (absent ``offer_links`` covers nothing) — inferred, the
schedule pages document no placeholder codes; a blast message needs no placeholder
(undocumented) and has no length cap (none documented).  ``mms_image_url``, when given,
must be http(s) (``invalid_url_scheme``/``invalid_url``, inferred; ``null``/``""`` =
no image).

Not checked (no documented code): the format of ``send_time`` (a present but malformed
value is not refused: the docs give no code and a false refusal is the worst bug; a
non-string is ``invalid_input``), the format and order of ``send_date``/``start_date``/
``end_date``, the ranges of ``skip_within_hours``/``automated_percent``.

Update (PUT) is partial: an absent field is never a problem.  ``missing_*`` fires when a
field is **sent empty** (``null``, ``""``, ``[]``).  Conditional rules apply to what the
update sends, because the server evaluates them on the merged schedule: with
``is_repeating`` sent, a dependent date sent empty is refused, an absent one is assumed
stored; ``days_of_week``, when sent as an object, needs a selected day ("if provided");
``blasts`` sent empty is ``missing_blasts`` only next to ``send_type: "blast"``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import ABSENT, Coded, OneOf, Required, TracklyModel, fail, partial_model
from trackly_validate.rules.ids import AudienceId
from trackly_validate.rules.crossfield import field_of, is_blank, validate_with
from trackly_validate.rules.placeholders import LinkUrl, coverage_error
from trackly_validate.rules.types import Bool, Int, Number, Str
from trackly_validate.rules.schema import BLANK, add_rule, given, lax, not_blank_if_sent, when
from trackly_validate.models.creatives import OfferLinks

__all__ = ["DaysOfWeek", "Blast", "CreateSchedule", "UpdateSchedule"]


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


#: a JSON number in 0..100 (``"60"`` and ``true`` are not numbers), else ``invalid_blast_percent``
Percent = Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False), Coded(C.invalid_blast_percent)]


def _percent(value: Any) -> Decimal | None:
    """The exact decimal value of a valid percent (``None`` if it is not one)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and value != value:
        return None
    if not 0 <= value <= 100:
        return None
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


_NOT_AN_OBJECT = object()


def percent_sum_error(blasts: Any) -> Any:
    """``invalid_blast_percent`` when valid percents do not sum to exactly 100."""
    if not isinstance(blasts, list) or not blasts:
        return None
    total = Decimal(0)
    for blast in blasts:
        value = field_of(blast, "percent_audience", _NOT_AN_OBJECT)
        if value is _NOT_AN_OBJECT:
            return None
        if value is None:
            continue
        exact = _percent(value)
        if exact is None:
            return None
        total += exact
    return None if total == 100 else fail(C.invalid_blast_percent)


class DaysOfWeek(TracklyModel):
    """``days_of_week``: a boolean per day; a day is selected when its value is true."""

    monday: Bool | None = None
    tuesday: Bool | None = None
    wednesday: Bool | None = None
    thursday: Bool | None = None
    friday: Bool | None = None
    saturday: Bool | None = None
    sunday: Bool | None = None

    def selected(self) -> tuple[str, ...]:
        return tuple(day for day in DAYS if getattr(self, day) is True)


class Blast(TracklyModel):
    """One ``blasts`` variant (see the module docstring)."""

    __trackly_cross_field__ = (C.missing_offer_links_for_placeholders,)

    message: Annotated[Str, Required(C.missing_blast_message)] = ABSENT
    offer_links: OfferLinks | None = None
    percent_audience: Percent | None = None
    variant_name: Str | None = None
    mms_image_url: LinkUrl = None

    @model_validator(mode="wrap")
    @classmethod
    def _coverage(cls, data: Any, handler: Any) -> Any:
        links = field_of(data, "offer_links")
        error = coverage_error(field_of(data, "message"), [] if links is None else links)
        return validate_with(handler, data, [(("offer_links",), error)] if error else (), cls.__name__)


# --- field types ----------------------------------------------------------------------------------------

Name = Annotated[Str, Required(C.missing_name)]
SendType = Annotated[Any, OneOf(C.invalid_send_type, "blast", "automated"), Required(C.missing_send_type)]
Audiences = Annotated[list[AudienceId], Required(C.missing_audiences)]
IsRepeating = Annotated[Bool, Required(C.missing_is_repeating)]
SendTime = Annotated[Str, Required(C.missing_send_time)]
Blasts = list[Blast]


#: date field -> (the is_repeating value that requires it, its missing code)
_DATE_RULES = {"send_date": (False, C.missing_send_date), "start_date": (True, C.missing_start_date),
               "end_date": (True, C.missing_end_date)}


def _schedule_rules(schema: dict[str, Any], *, partial: bool) -> None:
    """The rules of :class:`_ScheduleRules` as JSON Schema ``if``/``then`` (the module docstring).

    ``is_repeating`` is a lax boolean: the conditions match what the model reads as
    true/false.  An update (``partial``) requires nothing absent: its dependent fields are
    refused only when sent empty."""
    properties = schema["properties"]
    if partial:
        schema.pop("required", None)
    # blasts are not checked when the body says send_type "automated"; sent empty, they are
    # refused only next to send_type "blast"
    blasts = properties["blasts"]
    properties["blasts"] = {"title": "Blasts", "description": "checked unless send_type is automated"}
    add_rule(schema, {"if": when("send_type", {"const": "automated"}),
                      "else": {"properties": {"blasts": {"anyOf": [blasts, BLANK]}}}})
    blast = when("send_type", {"const": "blast"})
    add_rule(schema, {"if": blast, "then": not_blank_if_sent("blasts") if partial else given("blasts")})
    one_time, repeating = when("is_repeating", lax(False)), when("is_repeating", lax(True))
    day_selected = {"anyOf": [when(day, lax(True)) for day in DAYS]}
    if partial:
        add_rule(schema, {"if": one_time, "then": not_blank_if_sent("send_date")})
        add_rule(schema, {"if": repeating, "then": not_blank_if_sent("start_date", "end_date")})
        add_rule(schema, {"if": repeating, "then": {"properties": {"days_of_week": {"not": {"const": None}}}}})
        # days_of_week, when sent as an object, needs a selected day
        add_rule(schema, {"properties": {"days_of_week": {"anyOf": [{"not": {"type": "object"}}, day_selected]}}})
    else:
        add_rule(schema, {"if": one_time, "then": given("send_date")})
        add_rule(schema, {"if": repeating, "then": {"allOf": [given("start_date"), given("end_date"), {
            "required": ["days_of_week"], "properties": {"days_of_week": {"type": "object", **day_selected}}}]}})


class _ScheduleRules(TracklyModel):
    """The cross-field rules shared by create and update (no fields of its own).

    They read earlier fields from ``validation.data``, which holds only the fields declared
    (and validated) before the one being checked: ``send_type`` and ``is_repeating``
    must stay declared above ``send_date``, ``start_date``, ``end_date``,
    ``days_of_week`` and ``blasts``."""

    __trackly_cross_field__ = (C.missing_send_date, C.missing_start_date, C.missing_end_date, C.no_days_selected,
                               C.missing_blasts, C.invalid_blast_percent)

    __trackly_json_schema__ = staticmethod(lambda schema: _schedule_rules(schema, partial=False))
    _partial: ClassVar[bool] = False

    @field_validator("send_date", "start_date", "end_date", check_fields=False)
    @classmethod
    def _dates(cls, value: Any, validation: ValidationInfo) -> Any:
        # one-time schedules need send_date; repeating ones start_date and end_date
        assert validation.field_name is not None  # a field validator is always given its field's name
        when, code = _DATE_RULES[validation.field_name]
        if is_blank(value) and validation.data.get("is_repeating") is when:
            raise fail(code)
        return value

    @field_validator("days_of_week", check_fields=False)
    @classmethod
    def _days(cls, value: DaysOfWeek | None, validation: ValidationInfo) -> Any:
        repeating = validation.data.get("is_repeating") is True
        if value is None:
            bad = repeating
        else:
            bad = (repeating or cls._partial) and not value.selected()
        if bad:
            raise fail(C.no_days_selected)
        return value

    @field_validator("blasts", mode="wrap", check_fields=False)
    @classmethod
    def _blasts(cls, value: Any, handler: Any, validation: ValidationInfo) -> Any:
        send_type = validation.data.get("send_type")
        if send_type == "automated":
            return value
        if is_blank(value):
            if send_type == "blast":
                raise fail(C.missing_blasts)
            return value
        error = percent_sum_error(value)
        return validate_with(handler, value, [((), error)] if error else (), cls.__name__)


class CreateSchedule(_ScheduleRules):
    """POST /v2/schedules (see the module docstring)."""

    name: Name = ABSENT
    send_type: SendType = ABSENT
    source_lists: list[Int] | None = None
    audiences: Audiences = ABSENT
    is_repeating: IsRepeating = ABSENT
    send_time: SendTime = ABSENT
    status: Annotated[Any, OneOf(C.invalid_status, "draft", "off", "on")] | None = None
    send_date: Any = None
    start_date: Any = None
    end_date: Any = None
    days_of_week: DaysOfWeek | None = None
    skip_within_hours: Int | None = None
    use_local_time: Bool | None = None
    filter_bots: Bool | None = None
    is_mms: Bool | None = None
    is_cto: Bool | None = None
    automated_percent: Number | None = None
    ir_revenue: Number | None = None
    blasts: Blasts | None = None


class _UpdateRules(_ScheduleRules):
    """The update's own rules on top of the shared ones: partial, so nothing is required
    (``days_of_week``, when sent, still needs a selected day)."""

    _partial: ClassVar[bool] = True
    __trackly_json_schema__ = staticmethod(lambda schema: _schedule_rules(schema, partial=True))


#: PUT /v2/schedules/{id}: CreateSchedule's fields, partial (see the module docstring);
#: ``status`` also accepts ``complete`` and ``archive``.
UpdateSchedule = partial_model(
    CreateSchedule, "UpdateSchedule", base=_UpdateRules,
    doc="PUT /v2/schedules/{id}: partial (see the module docstring).",
    overrides={"status": Annotated[Any, OneOf(C.invalid_status, "draft", "off", "on", "complete", "archive")]
               | None})
