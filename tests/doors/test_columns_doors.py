"""The column face through every columnar door: the CLI (Parquet, Arrow, CSV, JSONL) and
Dask give each row exactly the problems ``tv.check`` gives its body, in order; the CSV
reader (quoting, embedded newlines, BOM, empty cells, a row of empty cells); and the
frictions of issue 22 (a numeric column where text is expected, check --options,
'did you mean' in --disable)."""

from __future__ import annotations

import csv
import io
import json
import math
import warnings

import pytest

hypothesis = pytest.importorskip("hypothesis")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import trackly_validate as tv  # noqa: E402
from trackly_validate.doors.cli import main  # noqa: E402
from trackly_validate.doors.cli.readers import open_input, read_records  # noqa: E402
from trackly_validate.doors.columns.frames import bodies  # noqa: E402
from trackly_validate.doors.columns.hints import NumericTextWarning  # noqa: E402
from trackly_validate.contracts.routes import resolve  # noqa: E402

SETTINGS = settings(max_examples=10, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

NUMBERS = ["+14155551234", "+447400123456", "+4915123456789", "+33612345678", "+918123456789", "+5511961234567",
           "+1415555", "+999123", "555-nope", "+14155551234\n", " +14155551234", "+1 415 555 1234"]
TEXTS = ["Hi", "", " ", "😀" * 3, "a,b", 'say "hi"', "line\nbreak", "\r\n", "é", "x" * 200]
DOORS = {"POST /v2/send": ["to", "list_number", "body", "wrap_links", "contact_data.first_name", "metadata.ref",
                           "extra"],
         "POST /v2/contacts": ["phone_number", "list_number", "use_journeys", "ad_network_source",
                               "custom_fields.tier", "signup_date"]}


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@st.composite
def tables(draw, endpoint: str):
    names = DOORS[endpoint]
    height = draw(st.integers(1, 9))
    data = {}
    for name in names:
        if name in ("wrap_links", "use_journeys"):
            cell = st.booleans()
        elif name in ("to", "list_number", "phone_number"):
            cell = st.sampled_from(NUMBERS)
        elif name == "signup_date":
            cell = st.sampled_from(["2025-03-15T14:30:00Z", "2025-02-30", "yesterday"])
        else:
            cell = st.sampled_from(TEXTS) | st.text(max_size=6)
        common = cell if name not in ("to", "list_number", "phone_number", "body") else st.sampled_from(NUMBERS[:6] + ["Hi"])
        data[name] = draw(st.lists(st.none() | common | cell, min_size=height, max_size=height))
    return pa.table(data)


def _report(capsys, path, endpoint, *extra) -> dict:
    code, out, err = cli(capsys, "check", str(path), "-e", endpoint, "-f", "json", "--max-problems", "100000",
                         "--jobs", "1", *extra)
    assert code in (0, 1), err
    return json.loads(out)


def _expected(endpoint: str, numbered_bodies) -> list[tuple]:
    method, path = endpoint.split()
    return [(line, p.code, p.error, list(p.loc)) for line, body in numbered_bodies
            for p in tv.check(method, path, body)]


def _got(report: dict) -> list[tuple]:
    return [(p["line"], p["code"], p["error"], p["loc"]) for p in report["problems"]]


@pytest.mark.parametrize("endpoint", list(DOORS))
@SETTINGS
@given(data=st.data())
def test_cli_doors_match_check_row_for_row(endpoint, data, tmp_path_factory, capsys):
    table = data.draw(tables(endpoint))
    tmp = tmp_path_factory.mktemp("doors")
    want = _expected(endpoint, enumerate(bodies(table), 1))
    # Parquet and Arrow: a row's body is records.body_from_row of its cells
    pq.write_table(table, tmp / "t.parquet")
    with pa.ipc.new_file(tmp / "t.arrow", table.schema) as w:
        w.write_table(table)
    for name in ("t.parquet", "t.arrow"):
        assert _got(_report(capsys, tmp / name, endpoint)) == want
    # JSONL: the same bodies as JSON lines
    (tmp / "t.jsonl").write_text("".join(json.dumps(b) + "\n" for b in bodies(table)), encoding="utf-8")
    assert _got(_report(capsys, tmp / "t.jsonl", endpoint)) == want
    # CSV: the cells as text (quoted where needed), read as the CSV reader reads a row
    rows = table.to_pylist()
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(table.schema.names)
    for r in rows:
        writer.writerow(["" if r[c] is None else str(r[c]).lower() if isinstance(r[c], bool) else r[c]
                         for c in table.schema.names])
    (tmp / "t.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    schema = resolve(*endpoint.split()).model.model_json_schema()
    with open_input(str(tmp / "t.csv")) as stream:
        read = list(read_records(str(tmp / "t.csv"), stream, "csv", schema))
    assert _got(_report(capsys, tmp / "t.csv", endpoint)) == _expected(endpoint, read)


# --- the CSV reader -------------------------------------------------------------------------------------------

CSV_CASES = [
    # (file text, the bodies its records are read as)
    ('to,list_number,body\n+14155551234,+18005551000,"Hello, ""you"""\n',
     [{"to": "+14155551234", "list_number": "+18005551000", "body": 'Hello, "you"'}]),
    ('to,list_number,body\n+14155551234,+18005551000,"two\nlines"\n+14155551234,,x\n',
     [{"to": "+14155551234", "list_number": "+18005551000", "body": "two\nlines"},
      {"to": "+14155551234", "list_number": "", "body": "x"}]),
    ("\ufeffto,list_number,body\n+14155551234,+18005551000,Hi\n",
     [{"to": "+14155551234", "list_number": "+18005551000", "body": "Hi"}]),
    ("to,list_number,body\n,,\n+14155551234,+18005551000,Hi\n",
     [{"to": "", "list_number": "", "body": ""}, {"to": "+14155551234", "list_number": "+18005551000", "body": "Hi"}]),
    ("to,list_number,body,wrap_links\n+14155551234,+18005551000,Hi,\n\n+14155551234,+18005551000,Hi,true\n",
     [{"to": "+14155551234", "list_number": "+18005551000", "body": "Hi"},
      {"to": "+14155551234", "list_number": "+18005551000", "body": "Hi", "wrap_links": True}]),
    ("to,list_number,body\n+14155551234,+18005551000\n",
     [{"to": "+14155551234", "list_number": "+18005551000"}]),
]


@pytest.mark.parametrize(("text", "expected"), CSV_CASES)
def test_the_csv_reader(tmp_path, capsys, text, expected):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    schema = resolve("POST", "/v2/send").model.model_json_schema()
    with open_input(str(path)) as stream:
        read = list(read_records(str(path), stream, "csv", schema))
    assert [body for _, body in read] == expected
    report = _report(capsys, path, "POST /v2/send")
    assert report["total"] == len(expected)
    assert _got(report) == _expected("POST /v2/send", read)


def test_a_row_of_empty_cells_is_counted_as_in_parquet(tmp_path, capsys):
    """The issue's example: three missing_* problems, as Parquet and DataFrames give."""
    path = tmp_path / "t.csv"
    path.write_text("to,list_number,body\n,,\n+14155551234,+18005551000,Hi\n", encoding="utf-8")
    report = _report(capsys, path, "POST /v2/send")
    assert (report["total"], report["valid"], report["invalid"]) == (2, 1, 1)
    assert [p["code"] for p in report["problems"]] == ["missing_to", "missing_list_number", "missing_body"]
    frame = pl.DataFrame({"to": [None], "list_number": [None], "body": [None]}, schema={c: pl.String for c in
                                                                                         ("to", "list_number", "body")})
    assert tv.check_frame(frame, "POST", "/v2/send")["code"].to_list() == [p["code"] for p in report["problems"]]
    valid, invalid = tmp_path / "ok.csv", tmp_path / "bad.csv"
    cli(capsys, "check", str(path), "-e", "POST /v2/send", "--valid-out", str(valid), "--invalid-out", str(invalid))
    assert len(valid.read_text().splitlines()) == 2 and len(invalid.read_text().splitlines()) == 2


# --- frictions ------------------------------------------------------------------------------------------------

def test_one_warning_names_a_numeric_column_where_text_is_expected():
    frame = pd.read_csv(io.StringIO("to,list_number,body\n+14155551234,+18005551000,Hi\n+14155551234,,Hi\n"))
    assert str(frame["list_number"].dtype) == "float64"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = tv.check_frame(frame, "POST", "/v2/send")
    numeric = [w for w in caught if issubclass(w.category, NumericTextWarning)]
    assert len(numeric) == 1
    text = str(numeric[0].message)
    assert "'list_number' (float64)" in text and "'list_number': str" in text and "'to'" in text
    assert set(found["code"]) == {"invalid_phone", "invalid_list_number", "missing_list_number"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tv.check_frame(pl.DataFrame({"to": ["+14155551234"], "list_number": ["+18005551000"], "body": ["x"]}),
                       "POST", "/v2/send")
    assert not [w for w in caught if issubclass(w.category, NumericTextWarning)]


def test_check_takes_options_as_serve_does(tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"to": "+447400123456", "list_number": "+18005551000", "body": "Hi"}) + "\n")
    assert _report(capsys, path, "POST /v2/send")["invalid"] == 0
    restricted = _report(capsys, path, "POST /v2/send", "--options", '{"allowed_countries": ["US"]}')
    assert [p["code"] for p in restricted["problems"]] == ["geo_restricted"]
    (tmp_path / "o.json").write_text('{"allowed_countries": ["US"]}')
    assert _report(capsys, path, "POST /v2/send", "--options", f"@{tmp_path / 'o.json'}") == restricted
    code, _, err = cli(capsys, "check", str(path), "-e", "POST /v2/send", "--options", '{"nope": 1}')
    assert code == 2 and "unknown option(s) nope" in err


def test_unknown_disable_code_says_did_you_mean(tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text("{}\n")
    code, _, err = cli(capsys, "check", str(path), "-e", "POST /v2/send", "--disable", "invalid_phon")
    assert code == 2 and "invalid_phon (did you mean invalid_phone?)" in err


def test_help_shows_no_python_type_labels(capsys):
    for command in ("check", "split"):
        code, out, _ = cli(capsys, command, "--help")
        assert code == 0 and "<list[str]>" not in out and "<str>" not in out and "--options JSON|@FILE" in out


def test_nan_and_inf_cells_stay_exact():
    """NaN is a missing cell; an infinite float is never proved (the pipeline decides)."""
    frame = pl.DataFrame({"to": ["+14155551234"] * 3, "list_number": ["+18005551000"] * 3, "body": ["Hi"] * 3,
                          "metadata.score": [math.nan, math.inf, 1.5]})
    want = [[p.code for p in tv.check("POST", "/v2/send", b)] for b in bodies(frame)]
    found = tv.check_frame(frame, "POST", "/v2/send")
    got = [[c for r, c in zip(found["row"], found["code"]) if r == i] for i in range(3)]
    assert got == want


@SETTINGS
@given(data=st.data())
def test_dask_partitions_match_check_row_for_row(data):
    dd = pytest.importorskip("dask.dataframe")
    import dask

    from trackly_validate.doors.dask import check_dataframe, split_dataframe

    table = data.draw(tables("POST /v2/send"))
    frame = table.to_pandas()
    ddf = dd.from_pandas(frame, npartitions=2)
    problems, valid, rejects = dask.compute(check_dataframe(ddf, "POST", "/v2/send"),
                                            *split_dataframe(ddf, "POST", "/v2/send"), scheduler="sync")
    want, refused, offset = [], [], 0
    for number, part in enumerate(ddf.partitions):
        part = part.compute(scheduler="sync")
        for row, body in enumerate(bodies(part)):
            found = tv.check("POST", "/v2/send", body)
            want += [(number, row, p.code, p.error, p.status, p.path) for p in found]
            refused += [(number, row)] if found else []
        offset += len(part)
    got = list(zip(problems["partition"], problems["row"], problems["code"], problems["error"],
                   problems["status"], problems["loc"]))
    assert got == want
    assert len(valid) + len(rejects) == len(frame) and len(rejects) == len(refused)
