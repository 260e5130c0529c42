"""The trackly-validate command line: formats, reports, exit statuses, streaming."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings, strategies as st

import trackly_validate as tv
from trackly_validate.core.catalog import CATALOG
from trackly_validate.doors.cli import InputError, iter_json_array, main

ENDPOINT = "POST /v2/send"
SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello! Ref: {{messageId}}"}

JSONL = (json.dumps(SEND) + "\n"
         + "\n"
         + '{"to": "x"}\n'
         + "not json\n"
         + '{"to":"+14155551234","list_number":"+18005551000","body":"hi","metadata":"m"}\n')

X_PROBLEMS = [("missing_list_number", "list_number is required", ["list_number"]),
              ("missing_body", "body is required", ["body"]),
              ("invalid_phone", "Invalid recipient phone number format", ["to"])]
BY_CODE = {"missing_list_number": 1, "missing_body": 1, "invalid_phone": 1, "invalid_input": 1, "invalid_metadata": 1}


def _problems(rows):
    return [{"line": line, "code": c, "error": e, "loc": loc} for line, (c, e, loc) in rows]


JSONL_PROBLEMS = _problems([(3, p) for p in X_PROBLEMS] + [(4, ("invalid_input", "Invalid input", [])),
                                                          (5, ("invalid_metadata", "Invalid metadata", ["metadata"]))])


def cli(capsys, monkeypatch, *argv: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def report(capsys, monkeypatch, *argv: str, stdin: bytes | None = None) -> tuple[int, dict]:
    code, out, err = cli(capsys, monkeypatch, *argv, "--format", "json", stdin=stdin)
    assert err == ""
    return code, json.loads(out)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "sends.jsonl").write_text(JSONL, encoding="utf-8")
    (tmp_path / "sends.json").write_text(
        '[\n  ' + json.dumps(SEND) + ',\n  {"to": "x"},\n  5,\n'
        '  {"to":"+14155551234","list_number":"+18005551000","body":"hi","metadata":"m"}\n]\n', encoding="utf-8")
    (tmp_path / "sends.csv").write_text(textwrap.dedent("""\
        to,list_number,body,contact_data.first_name,wrap_links,metadata
        +14155551234,+18005551000,Hello {{first_name}},Ann,true,"{""order"": 7}"
        x,,,,,
        +14155551234,+18005551000,hi,,,m
        """), encoding="utf-8")
    (tmp_path / "valid.jsonl").write_text((json.dumps(SEND) + "\n") * 3, encoding="utf-8")
    return tmp_path


def test_jsonl_report_is_exact(files, capsys, monkeypatch):
    code, rep = report(capsys, monkeypatch, "check", str(files / "sends.jsonl"), "--endpoint", ENDPOINT)
    assert code == 1
    assert rep == {"total": 4, "valid": 1, "invalid": 3, "by_code": BY_CODE, "problems": JSONL_PROBLEMS}


def test_json_array_report_counts_elements(files, capsys, monkeypatch):
    code, rep = report(capsys, monkeypatch, "check", str(files / "sends.json"), "-e", ENDPOINT)
    assert code == 1
    assert rep == {"total": 4, "valid": 1, "invalid": 3, "by_code": BY_CODE, "problems": _problems(
        [(2, p) for p in X_PROBLEMS] + [(3, ("invalid_input", "Invalid input", [])),
                                        (4, ("invalid_metadata", "Invalid metadata", ["metadata"]))])}


def test_csv_columns_nest_and_typed_cells_are_read_as_json(files, capsys, monkeypatch):
    code, rep = report(capsys, monkeypatch, "check", str(files / "sends.csv"), "-e", ENDPOINT)
    assert code == 1
    # row 2: wrap_links "true" -> true, metadata cell -> object, first_name nested: valid
    assert rep == {"total": 3, "valid": 1, "invalid": 2,
                   "by_code": {"missing_list_number": 1, "missing_body": 1, "invalid_phone": 1,
                               "invalid_metadata": 1},
                   "problems": _problems([(3, p) for p in X_PROBLEMS]
                                         + [(4, ("invalid_metadata", "Invalid metadata", ["metadata"]))])}


def test_csv_strict_booleans(tmp_path, capsys, monkeypatch):
    path = tmp_path / "phones.csv"
    path.write_text("phone,force\n4155551234,true\n(415) 555-1234,FALSE\n+14155551234,yes\n+14155551234,\n")
    code, rep = report(capsys, monkeypatch, "check", str(path), "-e", "POST /v1/phone/validate")
    assert code == 1
    assert rep["problems"] == _problems([(4, ("invalid_force", "force must be a boolean", ["force"]))])
    assert (rep["total"], rep["valid"]) == (4, 3)


def test_text_format(files, capsys, monkeypatch):
    code, out, err = cli(capsys, monkeypatch, "check", str(files / "sends.jsonl"), "-e", ENDPOINT)
    name = str(files / "sends.jsonl")
    assert code == 1 and err == ""
    assert out.splitlines() == [
        f"{name}:3: missing_list_number (400) at list_number: list_number is required",
        f"{name}:3: missing_body (400) at body: body is required",
        f"{name}:3: invalid_phone (400) at to: Invalid recipient phone number format",
        f"{name}:4: invalid_input (400): Invalid input",
        f"{name}:5: invalid_metadata (400) at metadata: Invalid metadata",
        "4 records: 1 valid, 3 invalid",
        "  missing_list_number: 1", "  missing_body: 1", "  invalid_phone: 1", "  invalid_input: 1",
        "  invalid_metadata: 1",
    ]


def test_all_valid_exits_0(files, capsys, monkeypatch):
    code, out, _ = cli(capsys, monkeypatch, "check", str(files / "valid.jsonl"), "-e", ENDPOINT)
    assert (code, out) == (0, "3 records: 3 valid, 0 invalid\n")


def test_max_problems_caps_the_list_not_the_counts(files, capsys, monkeypatch):
    code, rep = report(capsys, monkeypatch, "check", str(files / "sends.jsonl"), "-e", ENDPOINT,
                       "--max-problems", "2")
    assert code == 1
    assert rep == {"total": 4, "valid": 1, "invalid": 3, "by_code": BY_CODE, "problems": JSONL_PROBLEMS[:2]}
    code, out, _ = cli(capsys, monkeypatch, "check", str(files / "sends.jsonl"), "-e", ENDPOINT, "--max-problems", "0")
    assert out.splitlines()[0] == "4 records: 1 valid, 3 invalid"
    assert out.splitlines()[-1] == "  (5 more problems not listed; raise --max-problems to see them)"


def test_several_files_add_up_and_name_the_file(files, capsys, monkeypatch):
    a, b = str(files / "valid.jsonl"), str(files / "sends.jsonl")
    code, rep = report(capsys, monkeypatch, "check", a, b, "-e", ENDPOINT, "--max-problems", "1")
    assert code == 1
    assert (rep["total"], rep["valid"], rep["invalid"]) == (7, 4, 3)
    assert rep["problems"] == [{"file": b, **JSONL_PROBLEMS[0]}]


def test_envelopes_without_endpoint(tmp_path, capsys, monkeypatch):
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join([
        json.dumps({"method": "POST", "path": "/v2/send", "body": SEND}),
        json.dumps({"method": "POST", "path": "https://api.tracklysms.com/api/v1/phone/validate",
                    "body": {"phone": "4155551234"}}),
        json.dumps({"method": "post", "path": "/v2/send/bulk", "body": {"messages": []}}),
        json.dumps({"method": "POST", "path": "/v1/phone/validate"}),  # no body: checked as {}
        json.dumps({"path": "/v2/send"}),
        "[1]",
    ]) + "\n")
    code, rep = report(capsys, monkeypatch, "check", str(path))
    assert code == 1
    assert rep == {"total": 6, "valid": 2, "invalid": 4, "unmodelled": 0,
                   "by_code": {"missing_messages": 1, "missing_phone": 1, "invalid_input": 2},
                   "problems": _problems([(3, ("missing_messages", "messages array is required", ["messages"])),
                                          (4, ("missing_phone", "phone number is required", ["phone"])),
                                          (5, ("invalid_input", "Invalid input", [])),
                                          (6, ("invalid_input", "Invalid input", []))])}


def test_stdin_jsonl_and_json_array(capsys, monkeypatch):
    code, rep = report(capsys, monkeypatch, "check", "-", "-e", ENDPOINT, stdin=JSONL.encode())
    assert (code, rep["problems"]) == (1, JSONL_PROBLEMS)
    code, rep = report(capsys, monkeypatch, "check", "-", "-e", ENDPOINT,
                       stdin=b"\xef\xbb\xbf  [" + json.dumps(SEND).encode() + b", {}]")
    assert (code, rep["total"], rep["valid"]) == (1, 2, 1)
    code, rep = report(capsys, monkeypatch, "check", "-", "-e", ENDPOINT,
                       stdin=b"\xef\xbb\xbf" + json.dumps(SEND).encode() + b"\r\n")
    assert (code, rep["total"], rep["valid"]) == (0, 1, 1)


def test_phone_level_and_disable(tmp_path, capsys, monkeypatch):
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({**SEND, "to": "+99912345678"}) + "\n")  # no such calling code
    assert report(capsys, monkeypatch, "check", str(path), "-e", ENDPOINT)[1]["by_code"] == {"invalid_phone": 1}
    assert report(capsys, monkeypatch, "check", str(path), "-e", ENDPOINT, "--phone-level", "format")[0] == 0
    assert report(capsys, monkeypatch, "check", str(path), "-e", ENDPOINT, "--disable", "invalid_phone")[0] == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["check", "{d}/nope.jsonl", "-e", ENDPOINT], "cannot open {d}/nope.jsonl: No such file or directory"),
    (["check", "{d}/sends.jsonl", "-e", "GET /v2/nothing"], "no Trackly endpoint is modelled for GET /v2/nothing"),
    (["check", "{d}/sends.jsonl", "-e", "POST"], "endpoint must be 'METHOD /path', got 'POST'"),
    (["check", "{d}/sends.jsonl", "-e", ENDPOINT, "--format", "xml"], "--format must be text or json"),
    (["check", "{d}/sends.jsonl", "-e", ENDPOINT, "--phone-level", "strict"],
     "phone_level must be one of format, possible, valid, got 'strict'"),
    (["check", "{d}/sends.jsonl", "-e", ENDPOINT, "--disable", "no_such_code"],
     "unknown error code(s) in disable: no_such_code"),
    (["check", "{d}/sends.csv"], "{d}/sends.csv: CSV input needs --endpoint (its columns are one endpoint's fields)"),
    (["check", "{d}/truncated.json", "-e", ENDPOINT],
     "{d}/truncated.json: unexpected end of input inside a JSON array"),
    (["check", "{d}/latin1.csv", "-e", ENDPOINT], "cannot read {d}/latin1.csv: not UTF-8 text"),
    (["check", "{d}/sends.jsonl", "--input-format", "xml", "-e", ENDPOINT],
     "{d}/sends.jsonl: unknown input format 'xml'"),
    (["check", "{d}/sends.jsonl", "--zzz"], "No such option: --zzz"),
    (["check"], "Missing argument 'FILE'."),
    (["schema", "POST /v2/nope"], "no Trackly endpoint is modelled for POST /v2/nope; did you mean POST /v2/otp/send?"),
    (["split", "{d}/sends.jsonl", "--kind", "people"], "--kind must be one of: messages, phones, records, contacts"),
    (["split", "{d}/sends.jsonl", "--extra", "[1]"], "--extra must be a JSON object"),
])
def test_usage_and_io_errors_exit_2_with_one_line(files, capsys, monkeypatch, argv, message):
    (files / "truncated.json").write_text('[{"to": "x"}, {"to": "[')
    (files / "latin1.csv").write_bytes("to,body\n+14155551234,caf\xe9\n".encode("latin-1"))
    d = str(files)
    code, out, err = cli(capsys, monkeypatch, *[a.format(d=d) for a in argv])
    assert code == 2
    assert err == f"trackly-validate: error: {message.format(d=d)}\n"
    assert "Traceback" not in out + err


def test_no_command_prints_help_and_exits_2(capsys, monkeypatch):
    code, out, err = cli(capsys, monkeypatch)
    assert code == 2 and "check" in out and "Traceback" not in err


# --- the streaming JSON array scanner ---------------------------------------------------------------------

TRICKY = [{"s": 'a "quoted" ] } , [ { \\ \\" end'}, [1, [2, [3]], {"a": []}], "x\\", "", 0, -1.5e3, True, None,
          {"nested": {"deep": [{"k": "v,]"}]}}, "üñí©ødé 😀"]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64, 1 << 16])
def test_json_array_scanner_on_tricky_text_at_any_chunk_size(chunk):
    text = json.dumps(TRICKY, ensure_ascii=False, indent=1).encode()
    assert [json.loads(e) for e in iter_json_array(io.BytesIO(text), chunk)] == TRICKY


@pytest.mark.parametrize(("text", "elements"), [(b"[]", []), (b"  [ ]  \n", []),
                                                (b'[{"a":1} , 2 ]', [b'{"a":1}', b"2"]),
                                                (b'[\r\n\t"x" \r\n]', [b'"x"'])])
def test_json_array_scanner_edges(text, elements):
    assert list(iter_json_array(io.BytesIO(text), 2)) == elements


@pytest.mark.parametrize(("text", "lines"), [(b"[{},,{}]", [2]), (b"[,{}]", [1]), (b"[{}, ]", [2]),
                                             (b"[{}, 5, {}]", [2])])
def test_an_empty_array_element_is_a_record_that_is_not_json(capsys, monkeypatch, text, lines):
    # an empty element is not an empty body (which would be read as {})
    code, rep = report(capsys, monkeypatch, "check", "-", "-e", "POST /v1/phone/validate/batch", stdin=text)
    assert code == 1
    assert [(p["line"], p["code"]) for p in rep["problems"] if p["code"] == "invalid_input"] == [
        (n, "invalid_input") for n in lines]
    assert rep["total"] == text.count(b",") + 1


@pytest.mark.parametrize(("text", "message"), [
    (b"", "empty input where a JSON array was expected"), (b"   ", "empty input where a JSON array was expected"),
    (b"{}", "not a JSON array"), (b"[1, 2", "unexpected end of input inside a JSON array"),
    (b'["abc', "unexpected end of input inside a JSON array"),
    (b"[{}, 1}, {}]", "unbalanced '}' in a JSON array"), (b"[1] , [2]", "unexpected text after the JSON array"),
    (b"[1]]", "unexpected text after the JSON array"), (b"[1]\n\n  x", "unexpected text after the JSON array"),
])
def test_json_array_scanner_refuses_what_is_not_a_whole_array(text, message):
    with pytest.raises(InputError, match=f"^{re.escape(message)}$"):
        list(iter_json_array(io.BytesIO(text), 3))


def test_records_after_a_stray_closer_are_not_dropped_silently(capsys, monkeypatch):
    code, out, err = cli(capsys, monkeypatch, "check", "-", "-e", ENDPOINT,
                         stdin=b"[" + json.dumps(SEND).encode() + b"}, {}]")
    assert (code, err) == (2, "trackly-validate: error: -: unbalanced '}' in a JSON array\n")


# --- a body's size is its own bytes ------------------------------------------------------------------------

LIMIT = 5 * 1024 * 1024


def _body_of(size: int) -> bytes:
    """A valid send body of exactly ``size`` bytes (JSON whitespace inside the object)."""
    head = json.dumps(SEND).encode()[:-1]
    return head + b" " * (size - len(head) - 1) + b"}"


@pytest.mark.parametrize(("size", "codes"), [(LIMIT, []), (LIMIT + 1, ["payload_too_large"])])
@pytest.mark.parametrize("layout", ["jsonl-lf", "jsonl-crlf", "json"])
def test_a_body_at_the_size_limit_is_judged_as_tv_check_judges_it(tmp_path, capsys, monkeypatch, size, codes, layout):
    body = _body_of(size)
    assert len(body) == size and [p.code for p in tv.check("POST", "/v2/send", body)] == codes
    path = tmp_path / ("big.json" if layout == "json" else "big.jsonl")
    path.write_bytes({"jsonl-lf": body + b"\n", "jsonl-crlf": body + b"\r\n",
                      "json": b"[\r\n  " + body + b" \r\n]\n"}[layout])
    code, rep = report(capsys, monkeypatch, "check", str(path), "-e", ENDPOINT)
    assert (code, rep["total"], [p["code"] for p in rep["problems"]]) == (1 if codes else 0, 1, codes)


# --- CSV cells --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("row", "codes"), [
    # an empty cell of a string field stays "": accepted where the API accepts ""
    ("+14155551234,+18005551000,", []),
    ("+14155551234,+18005551000,Bo", []),
    # the model reads "" as missing where the API does
    ("+14155551234,,", ["missing_list_number"]),
])
def test_csv_empty_string_cell_is_the_empty_string(tmp_path, capsys, monkeypatch, row, codes):
    path = tmp_path / "contacts.csv"
    path.write_text("phone_number,list_number,custom_fields.nickname\n" + row + "\n")
    phone, number, nickname = row.split(",")
    assert [p.code for p in tv.check("PUT", "/v2/contacts", {
        "phone_number": phone, "list_number": number, "custom_fields": {"nickname": nickname}})] == codes
    code, rep = report(capsys, monkeypatch, "check", str(path), "-e", "PUT /v2/contacts")
    assert (code, [p["code"] for p in rep["problems"]]) == (1 if codes else 0, codes)


@pytest.mark.parametrize(("cell", "codes"), [("12.5", []), ("abc", ["invalid_revenue"]), ("NaN", ["invalid_revenue"]),
                                             ("Infinity", ["invalid_revenue"]), ("-Infinity", ["invalid_revenue"]),
                                             ("", ["missing_revenue"])])
def test_csv_number_cells_nan_is_text(tmp_path, capsys, monkeypatch, cell, codes):
    # NaN/Infinity are not JSON: such a cell is text, and gets the field's own code
    path = tmp_path / "revenue.csv"
    path.write_text(f"message_id,revenue,attribution_type\n507f1f77bcf86cd799439011,{cell},sale\n")
    code, rep = report(capsys, monkeypatch, "check", str(path), "-e", "POST /v2/revenue")
    assert (code, [p["code"] for p in rep["problems"]]) == (1 if codes else 0, codes)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(json_values, max_size=8), chunk=st.integers(1, 40), indent=st.sampled_from([None, 0, 2]),
       ascii_only=st.booleans())
def test_json_array_scanner_round_trips_any_array(values, chunk, indent, ascii_only):
    text = json.dumps(values, indent=indent, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert [json.loads(e) for e in iter_json_array(io.BytesIO(text), chunk)] == values


# --- the other commands ------------------------------------------------------------------------------------

def test_segments(capsys, monkeypatch):
    code, out, _ = cli(capsys, monkeypatch, "segments", "Hello")
    assert (code, out) == (0, "encoding: GSM-7\nlength: 5\nsegments: 1\nper_segment: 160\nremaining: 155\n"
                              "ucs2_chars: -\n")
    code, out, _ = cli(capsys, monkeypatch, "segments", "Olá 👋", "--format", "json")
    assert json.loads(out) == {"encoding": "UCS-2", "length": 6, "segments": 1, "per_segment": 70, "remaining": 64,
                               "ucs2_chars": ["á", "👋"]}


def test_codes(capsys, monkeypatch):
    code, out, _ = cli(capsys, monkeypatch, "codes", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == len(CATALOG)
    assert {"code": "missing_to", "status": 400, "category": "validation", "local": True,
            "message": "to is required"} in rows
    assert {"code": "too_many_messages", "status": 413, "category": "limit", "local": True,
            "message": "Maximum 1000 messages per request"} in rows
    code, out, _ = cli(capsys, monkeypatch, "codes")
    assert code == 0 and "Trackly error codes" in out
    assert any("missing_api_key" in line and "401" in line and "API key required" in line for line in out.splitlines())


def test_schema(capsys, monkeypatch):
    code, out, _ = cli(capsys, monkeypatch, "schema", "POST /v1/phone/validate/batch")
    assert code == 0 and json.loads(out) == tv.json_schema("POST", "/v1/phone/validate/batch")


def test_split_to_files_and_stdout(tmp_path, capsys, monkeypatch):
    items = [{"to_msisdn": f"+1415555{i:04d}", "body": f"Hi {i}"} for i in range(2100)]
    src = tmp_path / "items.jsonl"
    src.write_text("".join(json.dumps(i) + "\n" for i in items))
    out_dir = tmp_path / "out"
    code, _, err = cli(capsys, monkeypatch, "split", str(src), "-e", "POST /v1/messages/bulk", "--out-dir", str(out_dir),
                       "--extra", '{"from_phone_number_id": "pn_abc123def456"}')
    assert code == 0 and err == f"2100 messages in 3 request bodies -> {out_dir}\n"
    names = sorted(os.listdir(out_dir))
    assert names == ["batch-00001.json", "batch-00002.json", "batch-00003.json"]
    bodies = [json.loads((out_dir / n).read_text()) for n in names]
    assert [len(b["messages"]) for b in bodies] == [1000, 1000, 100]
    assert [m for b in bodies for m in b["messages"]] == items
    assert all(tv.check("POST", "/v1/messages/bulk", b) == [] for b in bodies)
    code, out, _ = cli(capsys, monkeypatch, "split", "-", "--kind", "phones", "--out-dir", "-",
                       stdin=b"[" + b",".join(b'"+1415555%04d"' % i for i in range(1200)) + b"]")
    assert code == 0 and [len(json.loads(line)["phones"]) for line in out.splitlines()] == [500, 500, 200]


def test_split_reports_an_item_too_large_with_its_line(tmp_path, capsys, monkeypatch):
    src = tmp_path / "items.jsonl"
    src.write_text(json.dumps(SEND) + "\n" + json.dumps({"body": "x" * (5 * 1024 * 1024)}) + "\n")
    code, _, err = cli(capsys, monkeypatch, "split", str(src), "-e", "POST /v2/send/bulk", "--out-dir", str(tmp_path / "o"))
    assert code == 2
    assert err.startswith(f"trackly-validate: error: {src}:2: the item alone needs a ")
    assert err.endswith("-byte body, over the 5242880-byte limit\n")
    assert os.listdir(tmp_path / "o") == ["batch-00001.json"]  # the items before it were written


# --- the installed console script, end to end --------------------------------------------------------------

def _script() -> str:
    found = shutil.which("trackly-validate", path=os.path.dirname(sys.executable)) or shutil.which("trackly-validate")
    if found is None:
        pytest.skip("the trackly-validate console script is not installed")
    return found


def _write_lines(path, n: int) -> int:
    """n lines, every 10th missing list_number; returns the number of invalid lines."""
    good = json.dumps(SEND)
    bad = json.dumps({"to": "+14155551234", "body": "x"})
    with open(path, "w") as f:
        for i in range(n):
            f.write((bad if i % 10 == 3 else good) + "\n")
    return sum(1 for i in range(n) if i % 10 == 3)


def test_console_script_50k_lines_exact_counts_exit_1_and_flat_memory(tmp_path):
    script = _script()
    small, large = tmp_path / "5k.jsonl", tmp_path / "50k.jsonl"
    _write_lines(small, 5_000)
    bad = _write_lines(large, 50_000)
    # a fresh parent process, so RUSAGE_CHILDREN sees only these two runs
    probe = textwrap.dedent(f"""
        import json, resource, subprocess, sys
        rss = []
        for path in ({str(small)!r}, {str(large)!r}):
            done = subprocess.run([{script!r}, "check", path, "--endpoint", {ENDPOINT!r}, "--format", "json",
                                   "--max-problems", "5"], capture_output=True, text=True)
            rss.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        print(json.dumps({{"rc": done.returncode, "report": json.loads(done.stdout), "err": done.stderr,
                          "rss": rss}}))
    """)
    result = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                       check=True).stdout)
    assert result["rc"] == 1 and result["err"] == ""
    rep = result["report"]
    assert (rep["total"], rep["valid"], rep["invalid"]) == (50_000, 50_000 - bad, bad)
    assert rep["by_code"] == {"missing_list_number": bad}
    assert rep["problems"] == [{"line": line, "code": "missing_list_number", "error": "list_number is required",
                                "loc": ["list_number"]} for line in (4, 14, 24, 34, 44)]
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    growth = (result["rss"][1] - result["rss"][0]) * unit
    assert growth < 8 * 1024 * 1024, f"RSS grew by {growth} bytes from 5k to 50k lines"


def test_importing_the_cli_leaves_the_pipeline_and_pydantic_for_the_commands_that_need_them():
    # --help, codes and segments start without them
    code = ("import sys, trackly_validate.doors.cli as cli; cli.build_app(); "
            "print(sorted(m for m in ('pydantic', 'trackly_validate.contracts.pipeline', 'trackly_validate.doors.bulk') "
            "if m in sys.modules)); "
            "from trackly_validate.doors.cli import run_check, run_split; print(run_check.__module__, run_split.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "trackly_validate.doors.cli.check trackly_validate.doors.cli.split"]
