"""Schedules and blasts (campaigns.md §4): documented examples pass; every documented
code with its exact text, status and loc, in the documented order; conditional rules;
blast percents; the partial update."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trackly_validate as tv
from docs_examples import assert_example_passes, edited
from trackly_validate import Options
from trackly_validate.models import CreateSchedule, UpdateSchedule

CREATE = ("POST", "/v2/schedules")
UPDATE = ("PUT", "/v2/schedules/6651a3f2e4b0a1c2d3e4f567")
AUDIENCE = "665fa1b2c3d4e5f6a7b8c901"
LINKS = [{"key": "link1", "offer_id": "offer_abc123", "url_params": {"utm_source": "sms", "utm_campaign": "weekend"}}]
DAYS = {"monday": False, "tuesday": False, "wednesday": False, "thursday": False,
        "friday": True, "saturday": True, "sunday": True}

# the documented create response, as the request it answers (campaigns.md §4.1)
CREATE_EXAMPLE = {
    "name": "Weekend Promo", "send_type": "blast", "audiences": [AUDIENCE],
    "is_repeating": True, "send_time": "14:30",
    "start_date": "2025-06-01T00:00:00Z", "end_date": "2025-08-31T00:00:00Z",
    "days_of_week": DAYS,
    "skip_within_hours": 24, "use_local_time": True, "filter_bots": True, "is_mms": False,
    "is_cto": False, "automated_percent": 0, "ir_revenue": 0,
    "blasts": [
        {"message": "Flash sale this weekend! Shop now: {{link1}}", "offer_links": LINKS,
         "percent_audience": 60, "variant_name": "Control", "mms_image_url": None},
        {"message": "20% off everything — this weekend only: {{link1}}", "offer_links": LINKS,
         "percent_audience": 40, "variant_name": "Urgency Variant", "mms_image_url": None},
    ],
}
# the documented update response's changed fields, sent as an update
UPDATE_EXAMPLE = {
    "name": "Weekend Promo — Updated", "status": "on", "skip_within_hours": 48, "ir_revenue": 2.50,
    "blasts": [{"message": "Huge weekend sale! Save big: {{link1}}",
                "offer_links": [{"key": "link1", "offer_id": "offer_abc123",
                                 "url_params": {"utm_source": "sms", "utm_campaign": "weekend_v2"}}],
                "percent_audience": 100, "variant_name": "Single Variant", "mms_image_url": None}],
}
ONE_TIME_AUTOMATED = {"name": "Daily ML", "send_type": "automated", "audiences": [AUDIENCE, "6651a3f2e4b0a1c2d3e4f567"],
                      "is_repeating": False, "send_time": "09:05", "send_date": "2025-07-04T00:00:00Z",
                      "status": "draft", "source_lists": [101, 204], "automated_percent": 25}

DOC_EXAMPLES = [
    (*CREATE, CREATE_EXAMPLE),
    (*CREATE, {**CREATE_EXAMPLE, "status": "off", "send_date": None}),
    (*CREATE, ONE_TIME_AUTOMATED),
    (*UPDATE, UPDATE_EXAMPLE),
    (*UPDATE, {}),
    (*UPDATE, {"status": "archive"}),
    (*UPDATE, {"status": "complete"}),
    (*UPDATE, {"status": "draft"}),
    # response fields echoed back are accepted (extra keys are ignored)
    (*UPDATE, {**CREATE_EXAMPLE, "id": "6651a3f2e4b0a1c2d3e4f567", "status": "on",
               "created_at": "2025-06-01T10:00:00Z", "updated_at": "2025-06-05T14:22:10Z"}),
]


@pytest.mark.parametrize(("method", "path", "body"), DOC_EXAMPLES)
def test_documented_examples_pass_without_mutation(method, path, body):
    assert_example_passes(method, path, body)


def test_routes_use_these_models():
    assert tv.model_for(*CREATE) is CreateSchedule
    assert tv.model_for(*UPDATE) is UpdateSchedule


def ok(base=CREATE_EXAMPLE, **changes):
    return edited(base, **changes)


def blast(percent, message="Go {{link1}}", **extra):
    body = {"message": message, "offer_links": LINKS, "percent_audience": percent, **extra}
    return {k: v for k, v in body.items() if v is not ...}


DRAFT_OFF_ON = "status must be one of: draft, off, on"
ALL_STATUSES = "status must be one of: draft, off, on, complete, archive"
PERCENT = "Invalid blast percent"

CREATE_CASES = [
    (ok(name=...), [("missing_name", "name is required", ("name",))]),
    (ok(name=""), [("missing_name", "name is required", ("name",))]),
    (ok(send_type=...), [("missing_send_type", "send_type is required", ("send_type",))]),
    (ok(send_type=None), [("missing_send_type", "send_type is required", ("send_type",))]),
    (ok(send_type="sms"), [("invalid_send_type", "Invalid send_type", ("send_type",))]),
    (ok(send_type="BLAST"), [("invalid_send_type", "Invalid send_type", ("send_type",))]),
    (ok(is_repeating=...), [("missing_is_repeating", "is_repeating is required", ("is_repeating",))]),
    (ok(is_repeating=None), [("missing_is_repeating", "is_repeating is required", ("is_repeating",))]),
    (ok(send_time=...), [("missing_send_time", "send_time is required", ("send_time",))]),
    (ok(send_time=""), [("missing_send_time", "send_time is required", ("send_time",))]),
    (ok(audiences=...), [("missing_audiences", "audiences is required", ("audiences",))]),
    (ok(audiences=[]), [("missing_audiences", "audiences is required", ("audiences",))]),
    (ok(audiences=["665fa1b2c3d4e5f6a7b8c90"]), [("invalid_audience_id", "Invalid audience ID", ("audiences", 0))]),
    (ok(audiences=[AUDIENCE, 42]), [("invalid_audience_id", "Invalid audience ID", ("audiences", 1))]),
    (ok(status="complete"), [("invalid_status", DRAFT_OFF_ON, ("status",))]),
    (ok(status="archive"), [("invalid_status", DRAFT_OFF_ON, ("status",))]),
    (ok(ONE_TIME_AUTOMATED, send_date=...), [("missing_send_date", "send_date is required", ("send_date",))]),
    (ok(ONE_TIME_AUTOMATED, send_date=""), [("missing_send_date", "send_date is required", ("send_date",))]),
    (ok(start_date=...), [("missing_start_date", "start_date is required", ("start_date",))]),
    (ok(end_date=None), [("missing_end_date", "end_date is required", ("end_date",))]),
    (ok(days_of_week=...), [("no_days_selected", "At least one day of week must be selected", ("days_of_week",))]),
    (ok(days_of_week={}), [("no_days_selected", "At least one day of week must be selected", ("days_of_week",))]),
    (ok(days_of_week={**DAYS, "friday": False, "saturday": False, "sunday": False}),
     [("no_days_selected", "At least one day of week must be selected", ("days_of_week",))]),
    (ok(blasts=...), [("missing_blasts", "blasts is required", ("blasts",))]),
    (ok(blasts=[]), [("missing_blasts", "blasts is required", ("blasts",))]),
    (ok(blasts=[blast(60), blast(30)]), [("invalid_blast_percent", PERCENT, ("blasts",))]),
    (ok(blasts=[blast(100.5)]), [("invalid_blast_percent", PERCENT, ("blasts", 0, "percent_audience"))]),
    (ok(blasts=[blast(-10), blast(110)]), [("invalid_blast_percent", PERCENT, ("blasts", 0, "percent_audience")),
                                           ("invalid_blast_percent", PERCENT, ("blasts", 1, "percent_audience"))]),
    (ok(blasts=[blast("100")]), [("invalid_blast_percent", PERCENT, ("blasts", 0, "percent_audience"))]),
    (ok(blasts=[blast(True)]), [("invalid_blast_percent", PERCENT, ("blasts", 0, "percent_audience"))]),
    (ok(blasts=[blast(100, message=...)]), [("missing_blast_message", "Each blast must have a message",
                                            ("blasts", 0, "message"))]),
    (ok(blasts=[blast(50), blast(50, message="")]), [("missing_blast_message", "Each blast must have a message",
                                                      ("blasts", 1, "message"))]),
    (ok(blasts=[blast(100, mms_image_url="ftp://cdn.example.com/a.png")]),
     [("invalid_url_scheme", "URL scheme must be http or https", ("blasts", 0, "mms_image_url"))]),
    (ok(blasts=[blast(100, mms_image_url="https://")]), [("invalid_url", "Invalid URL",
                                                          ("blasts", 0, "mms_image_url"))]),
    (ok(blasts=[blast(100, message="{{link1}} {{link2}}")]),
     [("missing_offer_links_for_placeholders", "Missing offer_links for placeholders: link2",
       ("blasts", 0, "offer_links"))]),
    (ok(send_time=1430), [("invalid_input", "Invalid input", ("send_time",))]),
    (ok(is_repeating="sometimes"), [("invalid_input", "Invalid input", ("is_repeating",))]),
    # accepted: formats the docs give no code for, and what the docs do not require
    (ok(send_time="2:30 PM"), []),
    (ok(send_time="25:99"), []),
    (ok(start_date="06/01/2025", end_date="2025-05-01"), []),
    (ok(ONE_TIME_AUTOMATED, send_date="2025-07-04"), []),
    (ok(ONE_TIME_AUTOMATED, days_of_week={"monday": False}), []),  # one-time: days not needed
    (ok(ONE_TIME_AUTOMATED, blasts=[blast(10)]), []),  # automated: blasts are not checked
    (ok(blasts=[blast(100, message="No link at all")]), []),  # blasts need no placeholder
    (ok(blasts=[blast(100, mms_image_url="https://cdn.example.com/a.png")], is_mms=True), []),
    (ok(blasts=[blast(100, mms_image_url="")]), []),
    (ok(blasts=[blast(100, message="x" * 5000)]), []),  # no blast length cap documented
    (ok(name="n" * 1000), []),  # no schedule name cap documented
    (ok(skip_within_hours=0, automated_percent=150, status=None), []),
]


@pytest.mark.parametrize(("body", "expected"), CREATE_CASES)
def test_create_codes(body, expected):
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*CREATE, body)]
    assert got == [(c, e, 400, loc) for c, e, loc in expected]


def test_every_problem_in_one_pass_in_the_documented_order():
    body = {"send_type": "blast", "is_repeating": True, "audiences": ["bad"], "status": "on!",
            "blasts": [{"percent_audience": 70, "message": "{{link4}}"}, {"percent_audience": 20}]}
    assert [(p.code, p.loc) for p in tv.check(*CREATE, body)] == [
        ("missing_name", ("name",)),
        ("missing_send_time", ("send_time",)),
        ("invalid_status", ("status",)),
        ("missing_start_date", ("start_date",)),
        ("missing_end_date", ("end_date",)),
        ("no_days_selected", ("days_of_week",)),
        ("invalid_blast_percent", ("blasts",)),
        ("missing_blast_message", ("blasts", 1, "message")),
        ("missing_offer_links_for_placeholders", ("blasts", 0, "offer_links")),
        ("invalid_audience_id", ("audiences", 0)),
    ]
    assert [p.code for p in tv.check(*CREATE, {})] == [
        "missing_name", "missing_send_type", "missing_is_repeating", "missing_send_time", "missing_audiences"]


UPDATE_CASES = [
    # "set to an empty value" raises the missing_* code
    ({"name": ""}, [("missing_name", "name is required", ("name",))]),
    ({"name": None}, [("missing_name", "name is required", ("name",))]),
    ({"send_type": ""}, [("missing_send_type", "send_type is required", ("send_type",))]),
    ({"send_type": "weekly"}, [("invalid_send_type", "Invalid send_type", ("send_type",))]),
    ({"is_repeating": None}, [("missing_is_repeating", "is_repeating is required", ("is_repeating",))]),
    ({"send_time": None}, [("missing_send_time", "send_time is required", ("send_time",))]),
    ({"audiences": []}, [("missing_audiences", "audiences is required", ("audiences",))]),
    ({"status": "paused"}, [("invalid_status", ALL_STATUSES, ("status",))]),
    ({"is_repeating": False, "send_date": None}, [("missing_send_date", "send_date is required", ("send_date",))]),
    ({"is_repeating": True, "start_date": ""}, [("missing_start_date", "start_date is required", ("start_date",))]),
    ({"is_repeating": True, "end_date": None}, [("missing_end_date", "end_date is required", ("end_date",))]),
    ({"is_repeating": True, "days_of_week": None},
     [("no_days_selected", "At least one day of week must be selected", ("days_of_week",))]),
    ({"days_of_week": {"monday": False}},
     [("no_days_selected", "At least one day of week must be selected", ("days_of_week",))]),
    ({"send_type": "blast", "blasts": []}, [("missing_blasts", "blasts is required", ("blasts",))]),
    ({"blasts": [blast(50)]}, [("invalid_blast_percent", PERCENT, ("blasts",))]),
    ({"blasts": [{"percent_audience": 100}]}, [("missing_blast_message", "Each blast must have a message",
                                               ("blasts", 0, "message"))]),
    # absent fields are assumed stored: nothing is required
    ({"is_repeating": True}, []),
    ({"is_repeating": False}, []),
    ({"send_type": "blast"}, []),
    ({"blasts": []}, []),
    ({"start_date": None}, []),
    ({"days_of_week": None}, []),
    ({"days_of_week": {"sunday": True}}, []),
    ({"send_type": "automated", "blasts": [blast(1)]}, []),
]


@pytest.mark.parametrize(("body", "expected"), UPDATE_CASES)
def test_update_codes(body, expected):
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*UPDATE, body)]
    assert got == [(c, e, 400, loc) for c, e, loc in expected]


# --- percents ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("percents", "accepted"), [
    ([100], True),
    ([60, 40], True),
    ([33.3, 33.3, 33.4], True),
    ([33.33, 33.33, 33.34], True),
    ([0.1] * 10 + [99.0], True),  # 0.1 summed ten times is 0.9999999999999999 in binary floats
    ([12.5, 12.5, 75], True),
    ([0, 100], True),
    ([100.0], True),
    ([50, None, 50], True),  # a blast without a percent counts 0
    ([33.33, 33.33, 33.33], False),
    ([99.99999], False),
    ([50, 50.000001], False),
    ([None], False),
    ([0], False),
])
def test_percents_must_sum_to_exactly_100(percents, accepted):
    blasts = [blast(p) for p in percents]
    problems = [(p.code, p.loc) for p in tv.check(*CREATE, ok(blasts=blasts))]
    assert problems == ([] if accepted else [("invalid_blast_percent", ("blasts",))])


def percent_lists():
    two_places = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 100)
    exact = st.lists(st.integers(min_value=0, max_value=10_000), min_size=0, max_size=5).map(
        lambda cuts: [Decimal(b - a) / 100 for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), 10_000])])
    return st.one_of(exact, st.lists(two_places, min_size=1, max_size=6))


@settings(max_examples=100, deadline=None)
@given(percents=percent_lists(), as_int=st.booleans())
def test_any_list_of_valid_percents_passes_exactly_when_it_sums_to_100(percents, as_int):
    values = [int(p) if as_int and p == int(p) else float(p) for p in percents]
    expected_ok = sum(Fraction(str(p)) for p in percents) == 100
    problems = tv.check(*CREATE, ok(blasts=[blast(v) for v in values]))
    assert (problems == []) == expected_ok
    if not expected_ok:
        assert [(p.code, p.loc) for p in problems] == [("invalid_blast_percent", ("blasts",))]


@settings(max_examples=60, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False) | st.integers() | st.text(max_size=5) | st.booleans())
def test_a_single_percent_is_valid_exactly_when_it_is_a_number_in_0_to_100(value):
    # (NaN and infinities are not JSON: such bodies are invalid_input, see test_hostile.py)
    problems = [(p.code, p.loc) for p in tv.check(*CREATE, ok(blasts=[blast(value), blast(0)]))]
    number = not isinstance(value, (bool, str)) and value == value and 0 <= value <= 100
    if not number:
        assert problems == [("invalid_blast_percent", ("blasts", 0, "percent_audience"))]
    elif value == 100:
        assert problems == []
    else:
        assert problems == [("invalid_blast_percent", ("blasts",))]


# --- options --------------------------------------------------------------------------------------------------------

def test_inferred_rules_are_registered_and_can_be_switched_off():
    for code in ("invalid_blast_percent", "missing_blasts", "no_days_selected", "invalid_audience_id"):
        assert code in tv.INFERRED_RULES
    body = ok(audiences=["not-an-object-id"], blasts=[blast(100, mms_image_url="data:image/png;base64,AAAA")])
    assert [p.code for p in tv.check(*CREATE, body)] == ["invalid_url_scheme", "invalid_audience_id"]
    opts = Options(disable={"invalid_audience_id", "invalid_url_scheme"})
    assert tv.check(*CREATE, body, options=opts) == []


def test_the_percent_sum_can_be_switched_off():
    body = ok(blasts=[blast(10)])
    assert tv.check(*CREATE, body, options=Options(disable={"invalid_blast_percent"})) == []


def test_json_schemas_say_what_is_required():
    create = CreateSchedule.model_json_schema()
    assert create["required"] == ["name", "send_type", "audiences", "is_repeating", "send_time"]
    assert create["$defs"]["Blast"]["required"] == ["message"]
    assert "required" not in UpdateSchedule.model_json_schema()


def test_python_callers_may_nest_blast_models():
    from pydantic import ValidationError

    from trackly_validate.models import Blast

    base = {"name": "n", "send_type": "blast", "audiences": [AUDIENCE], "is_repeating": False, "send_time": "10:00",
            "send_date": "2025-07-01"}
    built = CreateSchedule(**base, blasts=[Blast(message="a", percent_audience=33.3),
                                           Blast(message="b", percent_audience=33.3), {"message": "c",
                                                                                      "percent_audience": 33.4}])
    assert [b.message for b in built.blasts] == ["a", "b", "c"]
    with pytest.raises(ValidationError) as exc:
        CreateSchedule(**base, blasts=[Blast(message="a", percent_audience=60),
                                       Blast(message="b", percent_audience=30)])
    assert [(e["type"], e["loc"]) for e in exc.value.errors()] == [("invalid_blast_percent", ("blasts",))]


@pytest.mark.parametrize("model", ["CreateSchedule", "UpdateSchedule"])
def test_the_json_schema_says_blasts_are_free_on_automated_schedules(model):
    jsonschema = pytest.importorskip("jsonschema")
    schema = getattr(tv.models, model).model_json_schema()
    check = jsonschema.Draft202012Validator(schema)
    garbage = {"send_type": "automated", "blasts": "not a list"}
    assert tv.check("PUT", "/v2/schedules/665fa1b2c3d4e5f6a7b8c901", garbage) == []
    assert not [e for e in check.iter_errors(garbage) if "blasts" in list(e.absolute_path)]
    refused = {"send_type": "blast", "blasts": "not a list"}
    assert [e for e in check.iter_errors(refused) if list(e.absolute_path)[:1] == ["blasts"]]
