"""trackly-validate check: Parquet/Arrow input, refused binaries, empty input, the -e hint,
--jobs, --valid-out/--invalid-out."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys

import pytest

import trackly_validate as tv
from trackly_validate.doors.cli import main
from trackly_validate.doors.cli import workers

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ENDPOINT = "POST /v2/send"
SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "hi"}


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- Parquet and Arrow ----------------------------------------------------------------------------------------

# missing cells (None) are absent fields; a dotted name nests; an int column with a null
TABLE = {
    "to": ["+14155551234", None, "x", "+14155551234"],
    "list_number": ["+18005551000", "+18005551000", "+18005551000", None],
    "body": ["hi", "yo", None, "b"],
    "contact_data.first_name": ["Ann", None, None, "Bo"],
    "metadata.order": [7, None, None, 8],
}
TABLE_REPORT = {
    "total": 4, "valid": 1, "invalid": 3,
    "by_code": {"missing_to": 1, "missing_body": 1, "invalid_phone": 1, "missing_list_number": 1},
    "problems": [
        {"line": 2, "code": "missing_to", "error": "to is required", "loc": ["to"]},
        {"line": 3, "code": "missing_body", "error": "body is required", "loc": ["body"]},
        {"line": 3, "code": "invalid_phone", "error": "Invalid recipient phone number format", "loc": ["to"]},
        {"line": 4, "code": "missing_list_number", "error": "list_number is required", "loc": ["list_number"]},
    ],
}


def write_table(path, table, how: str) -> None:
    if how == "parquet":
        pq.write_table(table, path, row_group_size=1500)
    elif how == "arrow-file":
        with pa.ipc.new_file(path, table.schema) as w:
            w.write_table(table, max_chunksize=1500)
    else:
        with pa.ipc.new_stream(path, table.schema) as w:
            w.write_table(table, max_chunksize=1500)


@pytest.mark.parametrize(("how", "name"), [("parquet", "t.parquet"), ("arrow-file", "t.arrow"),
                                           ("arrow-stream", "t.arrows"), ("parquet", "t.data"),
                                           ("arrow-file", "t.bin"), ("arrow-stream", "t")])
def test_parquet_and_arrow_rows_exact_report(tmp_path, capsys, how, name):
    path = tmp_path / name
    write_table(path, pa.table(TABLE), how)
    code, out, err = cli(capsys, "check", str(path), "-e", ENDPOINT, "-f", "json")
    assert (code, err) == (1, "")
    assert json.loads(out) == TABLE_REPORT


def test_missing_pyarrow_says_which_extra(tmp_path, capsys, monkeypatch):
    path = tmp_path / "t.parquet"
    write_table(path, pa.table(TABLE), "parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, out, err = cli(capsys, "check", str(path), "-e", ENDPOINT)
    assert code == 2
    assert err == (f"trackly-validate: error: {path}: reading Parquet or Arrow needs pyarrow: "
                   "pip install 'trackly-validate[arrow]'\n")


# --- what is not an input -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "looks"), [
    ("sends.bin", gzip.compress(b'{"to": 1}\n', mtime=0), "looks like gzip data, not JSONL/JSON/CSV/Parquet/Arrow"),
    ("sends.jsonl", gzip.compress(b'{"to": 1}\n', mtime=0), "looks like gzip data, not JSONL/JSON/CSV/Parquet/Arrow"),
    ("sends.xlsx", b"PK\x03\x04rest", "looks like a ZIP archive (an .xlsx workbook?), not JSONL/JSON/CSV/Parquet/Arrow"),
    ("sends.csv", "to,body\n".encode("utf-16"), "looks like UTF-16 text, not JSONL/JSON/CSV/Parquet/Arrow"),
    ("img", b"\x89PNG\r\n\x1a\n....", "looks like a PNG image, not JSONL/JSON/CSV/Parquet/Arrow"),
    ("blob", b"\x01\x02\x00\x00abc", "looks like binary data, not JSONL/JSON/CSV/Parquet/Arrow"),
    ("sends.parquet", b'{"to": "x"}\n', "named like Parquet but does not start like it"),
])
def test_unknown_binaries_exit_2_with_one_line(tmp_path, capsys, name, data, looks):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = cli(capsys, "check", str(path), "-e", ENDPOINT)
    assert (code, out) == (2, "")
    assert err == f"trackly-validate: error: {path}: {looks}\n"


@pytest.mark.parametrize(("name", "data"), [("e.jsonl", b""), ("e.jsonl", b"\n  \n"), ("e.json", b" [ ] "),
                                            ("e.csv", b"to,body\n"), ("e.parquet", None)])
def test_empty_input_says_so(tmp_path, capsys, name, data):
    path = tmp_path / name
    if data is None:
        pq.write_table(pa.table({"to": pa.array([], pa.string())}), path)
    else:
        path.write_bytes(data)
    code, out, err = cli(capsys, "check", str(path), "-e", ENDPOINT)
    assert (code, out) == (2, "")
    assert err == f"trackly-validate: error: {path}: empty input (no records)\n"


def test_bodies_without_endpoint_hint_at_e(tmp_path, capsys):
    path = tmp_path / "sends.jsonl"
    path.write_text((json.dumps(SEND) + "\n") * 2)
    code, out, err = cli(capsys, "check", str(path))
    assert code == 1
    assert out.splitlines()[-2:] == ["2 records: 0 valid, 2 invalid, 0 unmodelled", "  invalid_input: 2"]
    assert err == ("hint: no record is a {method, path, body} request; to check bodies of one endpoint, "
                   "pass it with -e, e.g. -e 'POST /v2/send'\n")
    # one real request among them: no hint
    path.write_text(json.dumps(SEND) + "\n" + json.dumps({"method": "POST", "path": "/v2/send", "body": SEND}) + "\n")
    code, out, err = cli(capsys, "check", str(path))
    assert (code, err) == (1, "")


# --- --jobs ----------------------------------------------------------------------------------------------------

def _big_jsonl(path, n: int) -> list[int]:
    """n lines, some refused in different ways; returns the refused line numbers."""
    bad = []
    with open(path, "w") as f:
        for i in range(1, n + 1):
            if i % 997 == 0:
                f.write("not json\n")
                bad.append(i)
            elif i % 401 == 0:
                f.write(json.dumps({"to": "x", "body": "b"}) + "\n")
                bad.append(i)
            else:
                f.write(json.dumps({**SEND, "body": f"hi {i}"}) + "\n")
    return bad


@pytest.fixture
def pool_spy(monkeypatch):
    started = []

    class Spy(workers.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", Spy)
    return started


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_two_jobs_give_the_same_report_as_one(tmp_path, capsys, pool_spy, fmt):
    path = tmp_path / "big.jsonl"
    bad = _big_jsonl(path, workers.SMALL_INPUT + 3000)
    one = cli(capsys, "check", str(path), "-e", ENDPOINT, "-f", fmt, "--jobs", "1")
    assert pool_spy == []
    two = cli(capsys, "check", str(path), "-e", ENDPOINT, "-f", fmt, "--jobs", "2")
    assert pool_spy == [2]  # the workers did run
    assert one == two and one[0] == 1
    if fmt == "json":
        rep = json.loads(one[1])
        assert (rep["total"], rep["invalid"]) == (workers.SMALL_INPUT + 3000, len(bad))
        assert sorted({p["line"] for p in rep["problems"]}) == bad


def test_parquet_with_two_jobs_counts_rows_across_chunks(tmp_path, capsys, pool_spy):
    n = workers.SMALL_INPUT + 1234
    to = [None if i % 1000 == 999 else "+14155551234" for i in range(n)]  # rows 1000, 2000...: missing_to
    path = tmp_path / "many.parquet"
    write_table(path, pa.table({"to": to, "list_number": ["+18005551000"] * n, "body": ["hi"] * n}), "parquet")
    reports = [json.loads(cli(capsys, "check", str(path), "-e", ENDPOINT, "-f", "json", "-j", j)[1]) for j in "12"]
    assert pool_spy == [2]
    assert reports[0] == reports[1]
    assert [p["line"] for p in reports[0]["problems"]] == list(range(1000, n + 1, 1000))
    assert reports[0]["by_code"] == {"missing_to": n // 1000}


def test_small_input_starts_no_worker(tmp_path, capsys, pool_spy):
    path = tmp_path / "small.jsonl"
    _big_jsonl(path, 500)
    assert cli(capsys, "check", str(path), "-e", ENDPOINT, "-j", "2")[0] == 1
    assert pool_spy == []


# --- --valid-out / --invalid-out ----------------------------------------------------------------------------------

RECORDS = [SEND, {"to": "x"}, {**SEND, "contact_data": {"first_name": "Ann"}}, {"body": "hi"}, {}, {**SEND, "body": ""}]


def _strip(record: dict) -> tuple[dict, int, list]:
    record = dict(record)
    return record, record.pop("_line"), record.pop("_problems")


def _assert_round_trip(valid: list[dict], rejects: list[dict], total: int) -> None:
    assert valid and rejects and len(valid) + len(rejects) == total
    for body in valid:
        assert tv.check("POST", "/v2/send", body) == []
    for reject in rejects:
        body, _, problems = _strip(reject)
        assert problems and [p.to_dict() for p in tv.check("POST", "/v2/send", body)] == problems


@pytest.mark.parametrize("layout", ["jsonl", "json"])
def test_outputs_round_trip_json(tmp_path, capsys, layout):
    src = tmp_path / f"in.{layout}"
    lines = [json.dumps(r) for r in RECORDS] + ["[1, 2]"]
    src.write_text("\n".join(lines) + "\n" if layout == "jsonl" else "[" + ",\n".join(lines) + "]")
    ok, bad = tmp_path / f"ok.{layout}", tmp_path / f"bad.{layout}"
    code, out, _ = cli(capsys, "check", str(src), "-e", ENDPOINT, "-f", "json", "--valid-out", str(ok),
                       "--invalid-out", str(bad))
    rep = json.loads(out)
    if layout == "jsonl":
        valid = [json.loads(x) for x in ok.read_text().splitlines()]
        rejects = [json.loads(x) for x in bad.read_text().splitlines()]
    else:
        valid, rejects = json.loads(ok.read_text()), json.loads(bad.read_text())
    not_object = rejects.pop()  # [1, 2] is kept as its text
    assert not_object == {"_record": "[1, 2]", "_line": 7, "_problems": [
        {"code": "invalid_input", "error": "Invalid input", "status": 400, "loc": []}]}
    _assert_round_trip(valid, rejects, len(RECORDS))
    assert valid == [r for r in RECORDS if tv.check("POST", "/v2/send", r) == []]
    assert sorted({p["line"] for p in rep["problems"]}) == [_strip(r)[1] for r in rejects] + [7]


@pytest.mark.parametrize("layout", ["jsonl", "json"])
def test_a_refused_line_with_nan_is_kept_as_its_text(tmp_path, capsys, layout):
    # NaN is not JSON: the record is not spliced into (which would write NaN into the output)
    src, bad = tmp_path / f"in.{layout}", tmp_path / f"bad.{layout}"
    src.write_text('{"n": NaN}\n' if layout == "jsonl" else '[{"n": NaN}]')
    code, _, _ = cli(capsys, "check", str(src), "-e", ENDPOINT, "-f", "json", "--invalid-out", str(bad))
    written = json.loads(bad.read_text()) if layout == "json" else [json.loads(x) for x in bad.read_text().splitlines()]
    assert code == 1
    assert written == [{"_record": '{"n": NaN}', "_line": 1, "_problems": [
        {"code": "invalid_input", "error": "Invalid input", "status": 400, "loc": []}]}]


def test_outputs_round_trip_csv(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("to,list_number,body,wrap_links\n+14155551234,+18005551000,hi,true\nx,,,\n"
                   "+14155551234,+18005551000,,false\n+14155551234,+18005551000,\"a, b\",\n")
    ok, bad = tmp_path / "ok.csv", tmp_path / "bad.csv"
    assert cli(capsys, "check", str(src), "-e", ENDPOINT, "--valid-out", str(ok), "--invalid-out", str(bad))[0] == 1
    valid = list(csv.reader(io.StringIO(ok.read_text())))
    assert valid == [["to", "list_number", "body", "wrap_links"], ["+14155551234", "+18005551000", "hi", "true"],
                     ["+14155551234", "+18005551000", "a, b", ""]]
    rejects = list(csv.DictReader(io.StringIO(bad.read_text())))
    assert [r["_line"] for r in rejects] == ["3", "4"]
    # the rejects, without the two added columns, are refused again with the recorded problems
    again = tmp_path / "again.csv"
    with open(again, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["to", "list_number", "body", "wrap_links"])
        w.writerows([[r["to"], r["list_number"], r["body"], r["wrap_links"]] for r in rejects])
    rep = json.loads(cli(capsys, "check", str(again), "-e", ENDPOINT, "-f", "json")[1])
    recorded = [{k: v for k, v in p.items() if k != "status"} for r in rejects for p in json.loads(r["_problems"])]
    assert [{k: v for k, v in p.items() if k != "line"} for p in rep["problems"]] == recorded
    assert rep["valid"] == 0 and rep["invalid"] == 2


def test_outputs_of_parquet_are_jsonl(tmp_path, capsys):
    src = tmp_path / "t.parquet"
    write_table(src, pa.table(TABLE), "parquet")
    ok, bad = tmp_path / "ok.jsonl", tmp_path / "bad.jsonl"
    assert cli(capsys, "check", str(src), "-e", ENDPOINT, "--valid-out", str(ok), "--invalid-out", str(bad))[0] == 1
    valid = [json.loads(x) for x in ok.read_text().splitlines()]
    rejects = [json.loads(x) for x in bad.read_text().splitlines()]
    assert valid == [{"to": "+14155551234", "list_number": "+18005551000", "body": "hi",
                      "contact_data": {"first_name": "Ann"}, "metadata": {"order": 7}}]
    assert [_strip(r)[1] for r in rejects] == [2, 3, 4]
    _assert_round_trip(valid, rejects, 4)
