"""trackly-validate: request-log mode, the validating split, a closed pipe, endpoints, segments."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import trackly_validate as tv
from trackly_validate.doors.cli import main
from trackly_validate.contracts.routes import ROUTES

SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "hi"}
OBJECT_ID = "507f1f77bcf86cd799439011"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- request-log mode ---------------------------------------------------------------------------------------

LOG = [
    {"method": "POST", "path": "/v2/send", "body": SEND},
    {"method": "PUT", "path": "/v2/audiences/not-an-id", "body": {"name": "VIPs"}},
    {"method": "GET", "path": "/v2/sendd"},
    {"method": "PUT", "path": f"https://api.tracklysms.com/api/v2/audiences/{OBJECT_ID}", "body": {"name": "VIPs"}},
    {"method": "PATCH", "path": "/zzz/qqq"},
    {"method": "PUT", "path": "/v2/audiences/nope", "body": {"name": "x" * 300}},
    {"method": "POST", "path": "/v2/send", "body": SEND},
]
UNMODELLED_SEND = "no Trackly endpoint is modelled for GET /v2/sendd; did you mean POST /v2/send?"
UNMODELLED_FAR = "no Trackly endpoint is modelled for PATCH /zzz/qqq"


def test_request_log_path_rules_and_unmodelled_lines(tmp_path, capsys):
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in LOG))
    code, out, err = cli(capsys, "check", str(path), "-f", "json")
    assert (code, err) == (1, "")
    assert json.loads(out) == {
        "total": 7, "valid": 3, "invalid": 2, "unmodelled": 2,
        "by_code": {"invalid_audience_id": 2, "name_too_long": 1},
        "problems": [
            {"line": 2, "code": "invalid_audience_id", "error": "Invalid audience ID", "loc": ["path", "id"]},
            {"line": 3, "code": None, "error": UNMODELLED_SEND, "loc": []},
            {"line": 5, "code": None, "error": UNMODELLED_FAR, "loc": []},
            {"line": 6, "code": "invalid_audience_id", "error": "Invalid audience ID", "loc": ["path", "id"]},
            {"line": 6, "code": "name_too_long", "error": tv.CATALOG["name_too_long"].message, "loc": ["name"]},
        ]}
    code, out, err = cli(capsys, "check", str(path))
    name = str(path)
    assert code == 1
    assert out.splitlines() == [
        f"{name}:2: invalid_audience_id (400) at path.id: Invalid audience ID",
        f"{name}:3: unmodelled: {UNMODELLED_SEND}",
        f"{name}:5: unmodelled: {UNMODELLED_FAR}",
        f"{name}:6: invalid_audience_id (400) at path.id: Invalid audience ID",
        f"{name}:6: name_too_long (400) at name: {tv.CATALOG['name_too_long'].message}",
        "7 records: 3 valid, 2 invalid, 2 unmodelled",
        "  invalid_audience_id: 2", "  name_too_long: 1",
    ]


def test_request_log_only_unmodelled_exits_1_and_rejects_carry_null_code(tmp_path, capsys):
    path, bad = tmp_path / "log.jsonl", tmp_path / "bad.jsonl"
    path.write_text(json.dumps(LOG[2]) + "\n" + json.dumps(LOG[0]) + "\n")
    code, out, _ = cli(capsys, "check", str(path), "--invalid-out", str(bad))
    assert code == 1 and out.splitlines()[-1] == "2 records: 1 valid, 0 invalid, 1 unmodelled"
    assert [json.loads(x) for x in bad.read_text().splitlines()] == [
        {**LOG[2], "_line": 1, "_problems": [{"code": None, "error": UNMODELLED_SEND, "status": None, "loc": []}]}]


# --- split -------------------------------------------------------------------------------------------------------

# lines as a client's bytes: a lone surrogate escape, invalid UTF-8, a BOM (the server reads all three)
SURROGATE = b'"body": "hi \\ud83d"'
LOG_BODIES = [
    b'{"to": "+14155551234", "list_number": "+18005551000", ' + SURROGATE + b'}',
    b'{"to": "+14155551234", "list_number": "+18005551000", "body": "caf\xe9 \xff"}',
    b'{"to": "+1415555\xff", "list_number": "+18005551000", "body": "hi"}',
    b'{"to": "x", "list_number": "+18005551000", ' + SURROGATE + b'}',
]
LOG_LINES = [b'{"method": "POST", "path": "/v2/send", "body": ' + body + b"}" for body in LOG_BODIES]


def test_request_log_lines_are_read_as_the_server_reads_bodies(tmp_path, capsys):
    path = tmp_path / "requests.jsonl"
    lines = [*LOG_LINES, b"\xef\xbb\xbf" + LOG_LINES[0]]  # a BOM on a line of its own, as on a body
    path.write_bytes(b"\n".join([b"{}", *lines]) + b"\n")
    code, out, _ = cli(capsys, "check", str(path), "-f", "json")
    expected = [(n, p.code, list(p.loc)) for n, body in enumerate([*LOG_BODIES, b"\xef\xbb\xbf" + LOG_BODIES[0]], 2)
                for p in tv.check("POST", "/v2/send", body)]
    assert [code_ for _, code_, _ in expected] == ["invalid_phone", "invalid_phone"]  # the others are accepted
    assert code == 1
    assert [(p["line"], p["code"], p["loc"]) for p in json.loads(out)["problems"]] == [
        (1, "invalid_input", [])] + expected


def test_split_reads_items_as_the_server_reads_them(tmp_path, capsys):
    src = tmp_path / "items.jsonl"
    # a lone surrogate escape: the server reads it (JSON.parse keeps it), so the item is
    # kept and written back as the same escape
    src.write_bytes(LOG_BODIES[0] + b"\n")
    code, out, err = cli(capsys, "split", str(src), "-e", "POST /v2/send/bulk", "-o", "-")
    assert code == 0
    assert json.loads(out) == {"messages": [{**SEND, "body": "hi \ud83d"}]}
    assert "\\ud83d" in out


def _items(n: int) -> tuple[list[dict], list[int]]:
    """n v2 messages, every 7th without list_number; returns them and the bad line numbers."""
    items = [{"to": f"+1415555{i:04d}", "body": f"Hi {i}", **({} if i % 7 == 3 else {"list_number": "+18005551000"})}
             for i in range(n)]
    return items, [i + 1 for i in range(n) if i % 7 == 3]


def test_split_writes_only_sendable_items_in_full_bodies(tmp_path, capsys):
    items, bad = _items(2500)
    src, out_dir = tmp_path / "items.jsonl", tmp_path / "out"
    src.write_text("".join(json.dumps(i) + "\n" for i in items))
    code, _, err = cli(capsys, "split", str(src), "-e", "POST /v2/send/bulk", "-o", str(out_dir))
    assert code == 1
    good = [i for i in items if "list_number" in i]
    bodies = [json.loads((out_dir / n).read_text()) for n in sorted(os.listdir(out_dir))]
    assert [len(b["messages"]) for b in bodies] == [1000, 1000, len(good) - 2000]  # packed again: full bodies
    assert [m for b in bodies for m in b["messages"]] == good
    assert all(tv.check("POST", "/v2/send/bulk", b) == [] for b in bodies)
    lines = err.splitlines()
    assert lines[:10] == [f"{src}:{n}: missing_list_number: list_number is required" for n in bad[:10]]
    assert lines[10:] == [f"... and {len(bad) - 10} more refused messages (not listed)",
                          f"{len(good)} messages in 3 request bodies -> {out_dir}; {len(bad)} refused messages "
                          f"dropped (missing_list_number: {len(bad)})"]


def test_split_keep_invalid_keeps_every_item(tmp_path, capsys):
    items, bad = _items(30)
    src = tmp_path / "items.json"
    src.write_text(json.dumps(items))
    code, out, err = cli(capsys, "split", str(src), "-e", "POST /v2/send/bulk", "-o", "-", "--keep-invalid")
    assert code == 1
    assert [json.loads(line) for line in out.splitlines()] == [{"messages": items}]
    assert err.splitlines()[-1] == (f"30 messages in 1 request bodies -> stdout; {len(bad)} refused messages kept "
                                    f"(missing_list_number: {len(bad)})")


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["-k", "phones"], '{"phone": "+14155551234"}\n', "-:1: --kind phones takes phone number strings, got an object"),
    (["-e", "POST /v2/send/bulk"], '{"to": "+14155551234"}\n"+14155551234"\n',
     "-:2: --kind messages takes messages as JSON objects, got a string"),
    (["-k", "contacts"], "[[1]]", "-:1: --kind contacts takes contacts as JSON objects, got an array"),
    (["-k", "messages"], "{}\n", "--kind messages fits several endpoints (POST /v2/send/bulk, POST /v2/send-raw/bulk, "
                                 "POST /v1/messages/bulk): choose one with --endpoint"),
    (["-e", "POST /v2/send"], "{}\n", "POST /v2/send is not a bulk endpoint; split needs one, e.g. POST /v2/send/bulk"),
    (["-e", "POST /v2/send/bulk", "-k", "phones"], "{}\n",
     "--kind phones does not fit POST /v2/send/bulk, whose items are messages"),
    ([], "{}\n", "split needs --endpoint (e.g. 'POST /v2/send/bulk') or --kind"),
    (["-e", "POST /v2/send/bulk"], '{"to": "+14155551234"}\n{"to": NaN}\n', "-:2: not valid JSON"),
    (["-k", "phones"], '"+14155551234"\nInfinity\n', "-:2: not valid JSON"),
    (["-k", "phones", "--extra", '{"force": "yes"}'], '"+14155551234"\n',
     "-: every body would be refused: invalid_force (400) at force: force must be a boolean "
     "(top-level fields come from --extra)"),
])
def test_split_usage_errors(capsys, monkeypatch, argv, stdin, message):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code, out, err = cli(capsys, "split", "-", "-o", "-", *argv)
    assert (code, out) == (2, "")
    assert err == f"trackly-validate: error: {message}\n"


def test_split_phones_one_column_csv(tmp_path, capsys):
    src = tmp_path / "phones.csv"
    src.write_text("phone\n+14155551234\nnot a number\n")
    code, out, err = cli(capsys, "split", str(src), "-k", "phones", "-o", "-")
    assert (code, json.loads(out)) == (0, {"phones": ["+14155551234", "not a number"]})  # the server judges numbers


def _script() -> str:
    found = shutil.which("trackly-validate", path=os.path.dirname(sys.executable)) or shutil.which("trackly-validate")
    if found is None:
        pytest.skip("the trackly-validate console script is not installed")
    return found


@pytest.mark.parametrize("command", ["split {src} -e 'POST /v2/send/bulk' -o -",
                                     "check {src} {src} {src} -e 'POST /v2/send' --max-problems 100000 -j 1"])
def test_closed_pipe_exits_quietly(tmp_path, command):
    items, _ = _items(20_000)
    src = tmp_path / "items.jsonl"
    src.write_text("".join(json.dumps(i) + "\n" for i in items))
    shell = f"{_script()} {command.format(src=src)} 2>{tmp_path / 'err'} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    status = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, check=True).stdout.strip()
    err = (tmp_path / "err").read_text()
    assert status in ("0", "1")
    assert "Broken pipe" not in err and "Traceback" not in err and "Exception" not in err


# --- endpoints and segments ---------------------------------------------------------------------------------------

def test_endpoints(capsys):
    code, out, _ = cli(capsys, "endpoints", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == len(ROUTES)
    assert {"method": "POST", "path": "/v2/send/bulk", "summary": "Send up to 1,000 SMS", "items": "messages",
            "max_items": 1000} in rows
    assert {"method": "POST", "path": "/v1/phone/validate/batch", "summary": "Validate up to 500 phone numbers",
            "items": "phones", "max_items": 500} in rows
    assert {"method": "PUT", "path": "/v2/audiences/{id}", "summary": "Update an audience", "items": None,
            "max_items": None} in rows
    code, out, _ = cli(capsys, "endpoints")
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(ROUTES)
    assert any(line.split() == ["POST", "/v2/contacts/bulk", "Create", "up", "to", "1,000", "contacts",
                                "[contacts:", "up", "to", "1,000]"] for line in lines)


def test_segments_parts_and_graphemes(capsys):
    code, out, _ = cli(capsys, "segments", "a" * 150 + "{}" * 5, "--parts")
    assert code == 0
    # the ESC pair of '{' at unit 153 moves to the second part
    assert out.splitlines()[-2:] == [f'part 1 (152 units): "{"a" * 150}{{"', 'part 2 (18 units): "}{}{}{}{}"']
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # 8 UTF-16 units, one grapheme cluster
    text = "ж" * 64 + family
    units = json.loads(cli(capsys, "segments", text, "--parts", "-f", "json")[1])
    graphemes = json.loads(cli(capsys, "segments", text, "--parts", "--graphemes", "-f", "json")[1])
    assert [p["units"] for p in units["parts"]] == [67, 5]
    assert [p["units"] for p in graphemes["parts"]] == [64, 8]
    assert graphemes["parts"][1]["text"] == family
    assert "".join(p["text"] for p in units["parts"]) == text
