"""DataFrames: check_frame / split_frame on pandas, polars and pyarrow input.

Each row is one request body: a missing cell (None, NaN, NaT, pd.NA, a polars or Arrow
null) is an absent field, dotted column names nest, and a row's problems are exactly
``tv.check`` of the equivalent dict.  Results come back in the input's library."""

from __future__ import annotations

import datetime
import math

import pytest

import trackly_validate as tv
from trackly_validate.doors.columns import frames
np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

SEND = ("POST", "/v2/send")
TO, LIST = "+14155551234", "+18005551000"
LIBRARIES = ["pandas", "pandas-typed", "polars", "pyarrow"]
RESULT_TYPES = {"pandas": pd.DataFrame, "pandas-typed": pd.DataFrame, "polars": pl.DataFrame, "pyarrow": pa.Table}


def _missing(cell) -> bool:
    return cell is None or cell is pd.NA or cell is pd.NaT or (isinstance(cell, float) and math.isnan(cell))


def make_frame(library: str, columns: list[str], rows: list[tuple]):
    """``rows`` in ``library``: "pandas" keeps every cell as written (object columns, so
    NaN, None, pd.NA and NaT arrive as themselves), "pandas-typed" lets pandas infer
    the dtypes; polars and Arrow get a null for any missing marker."""
    if library == "pandas":
        return pd.DataFrame([list(r) for r in rows], columns=columns, dtype=object)
    if library == "pandas-typed":
        return pd.DataFrame({c: [r[j] for r in rows] for j, c in enumerate(columns)})
    nulled = [[None if _missing(cell) else cell for cell in r] for r in rows]
    data = {c: [r[j] for r in nulled] for j, c in enumerate(columns)}
    if library == "polars":
        return pl.DataFrame(data, strict=False)
    return pa.table(data)


def as_tuples(result, columns=("row", "code", "error", "status", "loc")) -> list[tuple]:
    """Rows of a result frame (any library) as tuples of the named columns."""
    if isinstance(result, pa.Table):
        data = result.to_pydict()
    elif isinstance(result, pl.DataFrame):
        data = result.to_dict(as_series=False)
    else:
        data = {c: result[c].tolist() for c in columns}
    return list(zip(*[data[c] for c in columns]))


def by_row(result, height: int) -> list[list[tuple]]:
    """check_frame's problems grouped by row: (code, error, status, loc) per problem."""
    out: list[list[tuple]] = [[] for _ in range(height)]
    for row, *rest in as_tuples(result):
        out[row].append(tuple(rest))
    return out


def expected(method: str, path: str, bodies: list[dict]) -> list[list[tuple]]:
    return [[(p.code, p.error, p.status, p.path) for p in tv.check(method, path, b)] for b in bodies]


# --- missing cells are absent fields, not invalid_input ----------------------------------------------------

HALF_MISSING_COLUMNS = ["to", "list_number", "body"]
HALF_MISSING_ROWS = [
    (TO, LIST, "Hello"),
    (TO, LIST, float("nan")),
    (TO, LIST, "Hi"),
    (TO, None, "Hi"),
    (TO, LIST, "Yo"),
    (TO, pd.NaT, pd.NA),
    (TO, np.nan, "Hey"),
    (TO, LIST, None),
]
HALF_MISSING_PROBLEMS = [
    (1, "missing_body", "body is required", 400, "body"),
    (3, "missing_list_number", "list_number is required", 400, "list_number"),
    (5, "missing_list_number", "list_number is required", 400, "list_number"),
    (5, "missing_body", "body is required", 400, "body"),
    (6, "missing_list_number", "list_number is required", 400, "list_number"),
    (7, "missing_body", "body is required", 400, "body"),
]


@pytest.mark.parametrize("library", LIBRARIES)
def test_missing_cells_are_absent_fields(library):
    frame = make_frame(library, HALF_MISSING_COLUMNS, HALF_MISSING_ROWS)
    result = tv.check_frame(frame, *SEND)
    assert type(result) is RESULT_TYPES[library]
    assert as_tuples(result) == HALF_MISSING_PROBLEMS


def test_pandas_result_columns_and_index_labels():
    frame = make_frame("pandas", HALF_MISSING_COLUMNS, HALF_MISSING_ROWS)
    frame.index = ["a", "b", "c", "d", "b", "e", "f", "g"]  # labels need not be unique
    result = tv.check_frame(frame, *SEND)
    assert list(result.columns) == ["row", "index", "code", "error", "status", "loc"]
    assert [str(result[c].dtype) for c in ("row", "status")] == ["int64", "int64"]
    assert list(zip(result["row"], result["index"])) == [(1, "b"), (3, "d"), (5, "e"), (5, "e"), (6, "f"), (7, "g")]
    assert list(result.index) == list(range(6))


def test_pandas_multiindex_labels_are_tuples():
    frame = make_frame("pandas", HALF_MISSING_COLUMNS, HALF_MISSING_ROWS[:4])
    frame.index = pd.MultiIndex.from_tuples([("x", 1), ("x", 2), ("y", 1), ("y", 2)])
    assert tv.check_frame(frame, *SEND)["index"].tolist() == [("x", 2), ("y", 2)]


# --- check_frame equals tv.check of the equivalent dicts --------------------------------------------------

STAMP = datetime.datetime(2025, 3, 15, 14, 30)
EQUIVALENCE = [
    pytest.param(
        "POST", "/v2/send", ["to", "list_number", "body", "metadata.order", "metadata.ref"],
        [(TO, LIST, "Hello", 1, "r1"), ("555-nope", LIST, "Hi", 2, None), (None, None, None, None, None),
         (TO, LIST, "", 4, "r4"), (TO, "+1", "x", np.nan, None)],
        [{"to": TO, "list_number": LIST, "body": "Hello", "metadata": {"order": 1, "ref": "r1"}},
         {"to": "555-nope", "list_number": LIST, "body": "Hi", "metadata": {"order": 2}},
         {},
         {"to": TO, "list_number": LIST, "body": "", "metadata": {"order": 4, "ref": "r4"}},
         {"to": TO, "list_number": "+1", "body": "x"}],
        id="send-nested-metadata"),
    pytest.param(
        "POST", "/v2/contacts", ["phone_number", "list_number", "custom_fields.first_name", "custom_fields.source"],
        [(TO, LIST, "Jane", "landing"), (TO, LIST, None, None), (None, LIST, "Ann", None), (TO, "bad", None, "ad")],
        [{"phone_number": TO, "list_number": LIST, "custom_fields": {"first_name": "Jane", "source": "landing"}},
         {"phone_number": TO, "list_number": LIST},
         {"list_number": LIST, "custom_fields": {"first_name": "Ann"}},
         {"phone_number": TO, "list_number": "bad", "custom_fields": {"source": "ad"}}],
        id="contacts-dotted-custom-fields"),
    pytest.param(
        "PUT", "/v2/contacts", ["phone_number", "list_number", "custom_fields.vip_status"],
        [(TO, LIST, "gold"), (TO, LIST, None)],
        [{"phone_number": TO, "list_number": LIST, "custom_fields": {"vip_status": "gold"}},
         {"phone_number": TO, "list_number": LIST}],
        id="contacts-update-all-nested-cells-missing"),
    pytest.param(
        "PUT", "/v2/audiences/not-an-id", ["name"], [("Buyers",), (None,)],
        [{"name": "Buyers"}, {}],
        id="path-rule-on-every-row"),
    pytest.param(
        "POST", "/v2/creatives", ["name", "message", "status"],
        [("Spring", "Shop now {{link1}}", "active"), (None, "Hi", "bogus")],
        [{"name": "Spring", "message": "Shop now {{link1}}", "status": "active"},
         {"message": "Hi", "status": "bogus"}],
        id="creatives-status-column"),
    pytest.param(
        "POST", "/v2/contacts", ["phone_number", "list_number", "signup_date"],
        [(TO, LIST, STAMP), (TO, LIST, None)],
        [{"phone_number": TO, "list_number": LIST, "signup_date": STAMP.isoformat()},
         {"phone_number": TO, "list_number": LIST}],
        id="timestamps-as-iso-text"),
    pytest.param(
        "POST", "/v2/send/bulk", ["messages"],
        [([{"to": TO, "list_number": LIST, "body": "a"}, {"to": "x", "list_number": LIST, "body": "b"}],),
         ([{"to": TO, "list_number": LIST, "body": "c"}],)],
        [{"messages": [{"to": TO, "list_number": LIST, "body": "a"}, {"to": "x", "list_number": LIST, "body": "b"}]},
         {"messages": [{"to": TO, "list_number": LIST, "body": "c"}]}],
        id="bulk-list-of-objects"),
]


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("method, path, columns, rows, bodies", EQUIVALENCE)
def test_check_frame_equals_check_of_each_row(library, method, path, columns, rows, bodies):
    result = tv.check_frame(make_frame(library, columns, rows), method, path)
    assert by_row(result, len(rows)) == expected(method, path, bodies)


def test_the_equivalence_table_finds_problems():
    """The table above is not a table of accepted rows: most cases have refusals."""
    refused = {p.id: sum(bool(tv.check(p.values[0], p.values[1], b)) for b in p.values[4]) for p in EQUIVALENCE}
    assert refused == {"send-nested-metadata": 4, "contacts-dotted-custom-fields": 2,
                       "contacts-update-all-nested-cells-missing": 1, "path-rule-on-every-row": 2,
                       "creatives-status-column": 2, "timestamps-as-iso-text": 0, "bulk-list-of-objects": 1}


def test_polars_struct_nulls_are_absent_fields():
    """polars fills a struct field missing from some rows with null: absent, as in the dict."""
    messages = [{"to": TO, "list_number": LIST, "body": "a"}, {"to": TO, "list_number": LIST}]
    frame = pl.DataFrame({"messages": [messages]})
    assert as_tuples(tv.check_frame(frame, "POST", "/v2/send/bulk")) == [
        (0, "missing_body", "body is required", 400, "messages[1].body")]


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_rows_are_numbered_across_batches(library, monkeypatch):
    monkeypatch.setattr(frames, "BATCH_ROWS", 3)
    rows = [(TO, LIST, None if i % 4 == 1 else f"m{i}") for i in range(10)]
    result = tv.check_frame(make_frame(library, HALF_MISSING_COLUMNS, rows), *SEND)
    assert [r[0] for r in as_tuples(result)] == [1, 5, 9]


# --- empty frames, frames without columns, options, errors ---------------------------------------------

def test_empty_frames_keep_the_result_schema():
    empty = {lib: make_frame(lib, HALF_MISSING_COLUMNS, []) for lib in ("pandas", "polars", "pyarrow")}
    found = tv.check_frame(empty["pandas"], *SEND)
    assert (len(found), list(found.columns)) == (0, ["row", "index", "code", "error", "status", "loc"])
    assert [str(found[c].dtype) for c in ("row", "status")] == ["int64", "int64"]
    found = tv.check_frame(empty["polars"], *SEND)
    assert found.schema == pl.Schema({"row": pl.Int64, "code": pl.String, "error": pl.String, "status": pl.Int64,
                                      "loc": pl.String})
    found = tv.check_frame(empty["pyarrow"], *SEND)
    assert found.schema == pa.schema([("row", pa.int64()), ("code", pa.string()), ("error", pa.string()),
                                      ("status", pa.int64()), ("loc", pa.string())])
    for lib, frame in empty.items():
        valid, rejects = tv.split_frame(frame, *SEND)
        assert (len(valid), len(rejects)) == (0, 0), lib


def test_rows_without_columns_are_empty_bodies():
    for frame in (pd.DataFrame(index=[7, 8]), pa.table({"x": [1, 2]}).drop_columns(["x"])):
        assert by_row(tv.check_frame(frame, *SEND), 2) == expected(*SEND, [{}, {}])


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_options_reach_the_pipeline(library):
    frame = make_frame(library, HALF_MISSING_COLUMNS, HALF_MISSING_ROWS)
    result = tv.check_frame(frame, *SEND, options=tv.Options(disable={"missing_body"}))
    assert [(r[0], r[1]) for r in as_tuples(result)] == [(3, "missing_list_number"), (5, "missing_list_number"),
                                                        (6, "missing_list_number")]


def test_a_record_batch_answers_as_a_table():
    batch = make_frame("pyarrow", HALF_MISSING_COLUMNS, HALF_MISSING_ROWS).to_batches()[0]
    result = tv.check_frame(batch, *SEND)
    assert type(result) is pa.Table and as_tuples(result) == HALF_MISSING_PROBLEMS
    valid, rejects = tv.split_frame(batch, *SEND)
    assert (type(valid), type(rejects), valid.num_rows, rejects.num_rows) == (pa.Table, pa.Table, 3, 5)


@pytest.mark.parametrize("value, names", [
    ({"to": TO}, "builtins.dict; for one request body use tv.check"),
    ([{"to": TO}], "builtins.list"),
    (None, "builtins.NoneType"),
    ('{"to": "x"}', "builtins.str; for one request body use tv.check"),
    (pd.Series([1]), "a pandas Series"),
    (pl.Series([1]), "a polars Series"),
    (pl.LazyFrame({"to": [TO]}), "a polars LazyFrame: collect() it first"),
])
@pytest.mark.parametrize("fn", [tv.check_frame, tv.split_frame])
def test_anything_but_a_frame_is_a_type_error(fn, value, names):
    message = f"{fn.__name__} takes a pandas or polars DataFrame or a pyarrow Table, got {names}"
    with pytest.raises(TypeError) as info:
        fn(value, *SEND)
    assert str(info.value).startswith(message)


def test_unknown_endpoints_and_bad_options_fail_before_any_row():
    frame = make_frame("pandas", HALF_MISSING_COLUMNS, HALF_MISSING_ROWS)
    with pytest.raises(tv.UnknownEndpointError):
        tv.check_frame(frame, "POST", "/v2/nope")
    with pytest.raises(TypeError, match="options must be a trackly_validate.Options"):
        tv.check_frame(frame, *SEND, options={"disable": ["missing_body"]})


def test_frame_library_recognises_subclasses_without_importing():
    class Mine(pd.DataFrame):
        pass

    assert [frames.frame_library(x) for x in (Mine({"a": [1]}), pl.DataFrame(), pa.table({}), {}, "x")] == [
        "pandas", "polars", "pyarrow", None, None]


# --- split_frame --------------------------------------------------------------------------------------------

SPLIT_ROWS = [(TO, LIST, "a"), ("x", None, "b"), (TO, LIST, "c"), (TO, LIST, None), (TO, LIST, "e"),
              ("+1415555", LIST, "f")]
SPLIT_REJECTS = [(1, "missing_list_number", "list_number is required", 400, "list_number"),
                 (3, "missing_body", "body is required", 400, "body"),
                 (5, "invalid_phone", "Invalid recipient phone number format", 400, "to")]


def _rows_of(frame, columns) -> list[tuple]:
    if isinstance(frame, pd.DataFrame):
        return [tuple(None if _missing(c) else c for c in r) for r in frame[columns].itertuples(index=False)]
    if isinstance(frame, pl.DataFrame):
        return list(frame.select(columns).iter_rows())
    return list(zip(*[frame.column(c).to_pylist() for c in columns]))


@pytest.mark.parametrize("library", LIBRARIES)
def test_split_frame_partitions_rows_in_order(library):
    frame = make_frame(library, HALF_MISSING_COLUMNS, SPLIT_ROWS)
    valid, rejects = tv.split_frame(frame, *SEND)
    assert type(valid) is type(rejects) is RESULT_TYPES[library]
    cols = ["to", "list_number", "body"]
    assert _rows_of(valid, cols) == [SPLIT_ROWS[i] for i in (0, 2, 4)]
    assert _rows_of(rejects, cols) == [SPLIT_ROWS[i] for i in (1, 3, 5)]
    reasons = ["row", "problem_code", "problem_error", "problem_status", "problem_loc"]
    assert as_tuples(rejects, reasons) == SPLIT_REJECTS
    names = list(rejects.schema.names if library == "pyarrow" else rejects.columns)
    assert names == cols + reasons and list(valid.schema.names if library == "pyarrow" else valid.columns) == cols


def test_split_frame_keeps_pandas_index_labels_and_dtypes():
    frame = make_frame("pandas-typed", HALF_MISSING_COLUMNS, SPLIT_ROWS)
    frame.index = [10, 11, 12, 11, 14, 15]
    valid, rejects = tv.split_frame(frame, *SEND)
    assert (list(valid.index), list(rejects.index)) == ([10, 12, 14], [11, 11, 15])
    assert rejects["row"].tolist() == [1, 3, 5] and str(rejects["problem_status"].dtype) == "int64"
    assert all(valid[c].dtype == frame[c].dtype for c in frame.columns)


def test_split_frame_refuses_to_overwrite_a_column():
    frame = pd.DataFrame({"to": [TO], "row": [1]})
    with pytest.raises(ValueError, match="the frame already has row: rename it first"):
        tv.split_frame(frame, *SEND)


def test_split_frame_agrees_with_check_frame():
    frame = make_frame("polars", HALF_MISSING_COLUMNS, HALF_MISSING_ROWS)
    problems = as_tuples(tv.check_frame(frame, *SEND))
    firsts = {}
    for row, *rest in problems:
        firsts.setdefault(row, (row, *rest))
    valid, rejects = tv.split_frame(frame, *SEND)
    assert as_tuples(rejects, ["row", "problem_code", "problem_error", "problem_status", "problem_loc"]) == list(
        firsts.values())
    assert valid.height + rejects.height == frame.height


def test_table_hint_names_the_door_for_tables_only():
    values = (pd.DataFrame(), pl.DataFrame(), pa.table({}), pl.LazyFrame(), {}, [], b"{}")
    assert [frames.table_hint(x) for x in values] == [
        "tv.check takes one request body, not a pandas DataFrame: use tv.check_frame(frame, method, path)",
        "tv.check takes one request body, not a polars DataFrame: use tv.check_frame(frame, method, path)",
        "tv.check takes one request body, not a pyarrow Table: use tv.check_frame(frame, method, path)",
        "tv.check takes one request body, not a polars LazyFrame: collect() it first",
        None, None, None]


def test_one_request_doors_refuse_a_table_and_name_check_frame():
    import pandas as pd

    frame = pd.DataFrame({"to": ["+14155551234"], "list_number": ["+18005551000"], "body": ["hi"]})
    for door in (lambda: tv.check("POST", "/v2/send", frame), lambda: tv.validate("POST", "/v2/send", frame),
                 lambda: tv.validate_as(tv.models.SendMessage, frame)):
        with pytest.raises(TypeError, match="tv.check_frame"):
            door()
