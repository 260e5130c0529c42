"""Beyond one machine: everything a worker needs pickles, and the Dask recipe in
examples/ gathers exact by-code counts over a partitioned dataset."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path

import pytest

import trackly_validate as tv
from trackly_validate.batching import BatchItemTooLarge
from trackly_validate.forms import FormMessage
from trackly_validate.routes import resolve

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}


def _round_trip(obj):
    return pickle.loads(pickle.dumps(obj))


# --- pickling ---------------------------------------------------------------------------------------------

def test_problems_and_exceptions_pickle():
    problems = tv.check("POST", "/v2/send/bulk", {"messages": [SEND, {"to": "x"}]})
    assert _round_trip(problems) == problems
    exc = tv.TracklyValidationError(problems)
    again = _round_trip(exc)
    assert (again.problems, again.code, again.status, str(again)) == (exc.problems, exc.code, exc.status, str(exc))
    unknown = _round_trip(tv.UnknownEndpointError("GET", "/v2/x"))
    assert (unknown.method, unknown.path) == ("GET", "/v2/x")
    assert str(unknown) == "no Trackly endpoint is modelled for GET /v2/x"
    api = _round_trip(tv.ApiError.from_response(400, b'{"error": "to is required", "code": "missing_to"}'))
    assert (api.status, api.code, api.error) == (400, "missing_to", "to is required")
    too_large = _round_trip(BatchItemTooLarge(3, 10, 5))
    assert (too_large.index, too_large.size, too_large.limit) == (3, 10, 5)
    message = _round_trip(FormMessage("to is required", "missing_to", 400))
    assert (message, message.code, message.status) == ("to is required", "missing_to", 400)


def test_models_options_routes_and_validating_callables_pickle():
    model = tv.models.SendBulk
    assert _round_trip(model) is model
    options = tv.Options(phone_level="valid", disable={"invalid_input"}, allowed_countries={"us"},
                         widen={"count_operator": {"neq"}})
    assert _round_trip(options) == options
    route = resolve("POST", "/v2/send/bulk")
    assert _round_trip(route) == route and _round_trip(route).model is model
    checker = _round_trip(functools.partial(tv.check, "POST", "/v2/send", options=options))
    assert [p.code for p in checker({"to": "x"})] == ["missing_list_number", "missing_body", "invalid_phone"]
    assert _round_trip(tv.validate) is tv.validate


@pytest.mark.parametrize("options", [None, tv.Options(phone_level="format", disable={"missing_body"})])
def test_validated_instances_pickle_as_the_public_model(options):
    body = {"messages": [{**SEND, "extra": {"kept": [1, 2]}}, {"to": "+14155559876", "list_number": "+18005551000"}]}
    if options is None:
        body["messages"][1]["body"] = "x"
    instance = tv.validate("POST", "/v2/send/bulk", body, options=options)
    again = _round_trip(instance)
    assert type(again) is tv.models.SendBulk
    assert type(again.messages[0]) is tv.models.BulkMessage
    assert again.model_dump() == instance.model_dump()
    assert again.messages[0].extra == {"kept": [1, 2]}


def test_using_a_variant_instance_does_not_weaken_later_checks():
    """Dumping or pickling an instance built with non-default options builds its (shadow)
    class; later variant validators must still apply their own rules to nested items."""
    ok = {"to": "+14155551234", "list_number": "+18005551000", "body": "x"}
    instance = tv.validate("POST", "/v2/send/bulk", {"messages": [ok]}, options=tv.Options(phone_level="format"))
    instance.model_dump()
    _round_trip(instance).model_dump_json()
    us_only = tv.Options(allowed_countries={"US"}, block_voip=True)  # a combination compiled nowhere else
    problems = tv.check("POST", "/v2/send/bulk", {"messages": [ok, {**ok, "to": "+447400123456"}]}, options=us_only)
    assert [(p.code, p.status, p.loc) for p in problems] == [("geo_restricted", 403, ("messages", 1, "to"))]


# --- the recipe -----------------------------------------------------------------------------------------------

@pytest.fixture
def recipe(monkeypatch):
    pytest.importorskip("dask.bag")
    monkeypatch.syspath_prepend(str(EXAMPLES))  # workers started by the processes scheduler inherit it
    import dask_recipe

    return dask_recipe


def _rows():
    """600 rows: 100 with a bad recipient (i % 6 == 0), 80 without body (60 with i % 10 == 1,
    whose i is odd, so never also a bad recipient, and 20 with i % 30 == 0, which are): 160 invalid."""
    rows = []
    for i in range(600):
        row = {"to": f"+1415555{i:04d}", "list_number": "+18005551000", "body": f"Hi {i}"}
        if i % 6 == 0:
            row["to"] = "555-nope"
        if i % 10 == 1 or (i % 6 == 0 and i % 30 == 0):
            del row["body"]
        rows.append(row)
    return rows


EXPECTED = {"total": 600, "valid": 440, "invalid": 160, "by_code": {"invalid_phone": 100, "missing_body": 80}}


def test_expected_counts_are_what_the_rows_hold():
    rows = _rows()
    bad_to = sum(r["to"] == "555-nope" for r in rows)
    no_body = sum("body" not in r for r in rows)
    either = sum(r["to"] == "555-nope" or "body" not in r for r in rows)
    assert (bad_to, no_body, either) == (100, 80, 160)


def test_recipe_in_worker_processes_with_options(recipe):
    import dask.bag as db

    bag = db.from_sequence(_rows(), npartitions=4)
    options = tv.Options(disable={"missing_body"})  # pickled to the workers, variant validators built there
    report = recipe.validate_bag(bag, "POST", "/v2/send", options=options, scheduler="processes", num_workers=2)
    assert report == {"total": 600, "valid": 500, "invalid": 100, "by_code": {"invalid_phone": 100}}


def test_recipe_on_the_threaded_scheduler(recipe):
    import dask.bag as db

    bag = db.from_sequence(_rows(), npartitions=3)
    assert recipe.validate_bag(bag, "POST", "/v2/send", scheduler="threads") == EXPECTED


def test_merge_and_partition_helpers(recipe):
    parts = recipe.check_partition(_rows()[:60], "POST", "/v2/send")
    assert parts == [{"total": 60, "valid": 44, "invalid": 16, "by_code": {"invalid_phone": 10, "missing_body": 8}}]
    assert recipe.merge(parts + parts)["by_code"] == {"invalid_phone": 20, "missing_body": 16}
    assert recipe.merge([]) == {"total": 0, "valid": 0, "invalid": 0, "by_code": {}}
