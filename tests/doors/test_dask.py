"""Beyond one machine: everything a worker needs pickles, and trackly_validate.doors.dask
checks dask DataFrames and bags on a real two-process cluster exactly as check_frame
and tv.check do on one machine."""

from __future__ import annotations

import functools
import json
import pickle
import sys

import pytest

import trackly_validate as tv
from trackly_validate.doors.batching import BatchItemTooLarge
from trackly_validate.doors.forms import FormMessage
from trackly_validate.contracts.routes import resolve

SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}
ENDPOINT = ("POST", "/v2/send")


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


# --- the rows ------------------------------------------------------------------------------------------------

def _rows():
    """600 bodies: 100 with a bad recipient (i % 6 == 0), 80 without body (60 with i % 10 == 1,
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


# --- the module ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tvd():
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    import trackly_validate.doors.dask as tvd

    return tvd


def test_the_module_imports_the_real_dask(tvd):
    import dask

    assert tvd.dask is dask is sys.modules["dask"]
    assert "trackly_validate" not in dask.__file__
    assert hasattr(dask, "compute")


def test_count_and_merge_helpers(tvd):
    parts = tvd.count_partition(_rows()[:60], *ENDPOINT)
    assert parts == [{"total": 60, "valid": 44, "invalid": 16, "by_code": {"invalid_phone": 10, "missing_body": 8}}]
    assert tvd.merge_counts(parts + parts)["by_code"] == {"invalid_phone": 20, "missing_body": 16}
    assert tvd.merge_counts([]) == {"total": 0, "valid": 0, "invalid": 0, "by_code": {}}


def _send_frame():
    """The 600 rows as a pandas frame: an absent body is a NaN cell; every 7th row also
    lacks list_number (None)."""
    import pandas as pd

    frame = pd.DataFrame(_rows(), columns=["to", "list_number", "body"])
    frame.loc[frame.index % 7 == 3, "list_number"] = None
    return frame


def test_a_dask_frame_is_refused_by_check_frame_with_the_way_to_go(tvd):
    import dask.dataframe as dd

    with pytest.raises(TypeError, match="a dask DataFrame: use trackly_validate.doors.dask.check_dataframe"):
        tv.check_frame(dd.from_pandas(_send_frame(), npartitions=2), *ENDPOINT)


def test_mistakes_fail_before_any_work(tvd):
    import dask.bag as db
    import dask.dataframe as dd

    ddf = dd.from_pandas(_send_frame(), npartitions=2)
    with pytest.raises(tv.UnknownEndpointError):
        tvd.check_dataframe(ddf, "POST", "/v2/nope")
    with pytest.raises(tv.UnknownEndpointError):
        tvd.check_bag(db.from_sequence([SEND]), "POST", "/v2/nope")
    with pytest.raises(ValueError, match="already has row"):
        tvd.split_dataframe(ddf.assign(row=1), *ENDPOINT)


# --- on a real cluster: two worker processes ------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(tvd):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None)
    with Client(cluster) as c:
        yield c
    cluster.close()


def test_check_dataframe_on_the_cluster_equals_check_frame(tvd, client):
    import dask.dataframe as dd

    frame = _send_frame()
    ddf = dd.from_pandas(frame, npartitions=4)
    found = tvd.check_dataframe(ddf, *ENDPOINT).compute()
    whole = tv.check_frame(frame, *ENDPOINT)
    assert len(whole) == 100 + 80 + 86 and set(found["partition"]) == {0, 1, 2, 3}
    assert list(found.columns) == ["partition"] + list(whole.columns)
    offsets = [0]
    for length in ddf.map_partitions(len).compute()[:-1]:
        offsets.append(offsets[-1] + length)
    global_rows = [row + offsets[part] for part, row in zip(found["partition"], found["row"])]
    assert global_rows == whole["row"].tolist()
    for column in ("index", "code", "error", "status", "loc"):
        assert found[column].tolist() == whole[column].tolist(), column


def _cells(frame, columns) -> list[tuple]:
    """The frame's cells with every missing marker (NaN, pd.NA: dask reads strings as
    Arrow strings) as None."""
    from trackly_validate.doors.columns.records import is_missing

    return [tuple(None if is_missing(c) else c for c in row) for row in frame[columns].itertuples(index=False)]


def test_split_dataframe_on_the_cluster_equals_split_frame(tvd, client):
    import dask
    import dask.dataframe as dd

    frame = _send_frame()
    valid, rejects = dask.compute(*tvd.split_dataframe(dd.from_pandas(frame, npartitions=3), *ENDPOINT))
    whole_valid, whole_rejects = tv.split_frame(frame, *ENDPOINT)
    assert list(valid.index) == list(whole_valid.index) and list(rejects.index) == list(whole_rejects.index)
    assert _cells(valid, list(frame.columns)) == _cells(whole_valid, list(frame.columns))
    same = [c for c in whole_rejects.columns if c != "row"]  # row: the position within the partition
    assert _cells(rejects, same) == _cells(whole_rejects, same)
    assert rejects["row"].tolist() == [i % 200 for i in whole_rejects["row"]]  # three partitions of 200 rows
    assert sorted(set(valid.index) | set(rejects.index)) == list(frame.index)


def test_check_bag_on_the_cluster_with_options(tvd, client):
    import dask.bag as db

    bag = db.from_sequence(_rows(), npartitions=4)
    assert tvd.check_bag(bag, *ENDPOINT) == EXPECTED
    options = tv.Options(disable={"missing_body"})  # pickled to the workers, variant validators built there
    assert tvd.check_bag(bag, *ENDPOINT, options=options) == {
        "total": 600, "valid": 500, "invalid": 100, "by_code": {"invalid_phone": 100}}


@pytest.mark.parametrize("blank", ["\n", "", "  \r\n", b"\n", b" "])
def test_count_partition_skips_blank_lines_as_the_cli_does(tvd, blank):
    lines = [json.dumps(r) + "\n" for r in _rows()[:60]]
    assert tvd.count_partition([blank, *lines[:30], blank, *lines[30:], blank], *ENDPOINT) == tvd.count_partition(
        lines, *ENDPOINT)


def test_check_bag_reads_json_lines_as_sent(tvd, client):
    import dask.bag as db

    lines = [json.dumps(r) + "\n" for r in _rows()] + ['{"to": NaN}\n']
    report = tvd.check_bag(db.from_sequence(lines, npartitions=3), *ENDPOINT)
    assert report == {"total": 601, "valid": 440, "invalid": 161,
                      "by_code": {"invalid_phone": 100, "missing_body": 80, "invalid_input": 1}}
