"""One table of bodies through every door: the same problems whichever way a body comes in.

The table: a valid body of every endpoint, one body per rule of the property registries
(every locally checkable code, drawn from its trigger strategy), an oversize body, an
unparseable body, bytes the server decodes (invalid UTF-8, a lone surrogate escape) and a
path-parameter error.  The doors: ``tv.check`` (the reference), ``tv.validate``,
``pipeline.run``, ``tv.partition`` (bulk endpoints), the httpx and requests hooks, FastAPI's
``install``, the CLI per endpoint and in request-log mode, ``tv.check_frame`` (bodies a table
row can hold) and the sandbox over HTTP.
"""

from __future__ import annotations

import json
import warnings
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import strategies as st

import trackly_validate as tv
from trackly_validate.contracts import pipeline
from trackly_validate.contracts.routes import ROUTES, resolve

from properties.harness import drawn as _drawn
from properties import test_props_audiences, test_props_campaigns, test_props_contacts, test_props_sending

KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
ID = "665fa1b2c3d4e5f6a7b8c901"


def _url_path(template: str, good_id: bool = True) -> str:
    return template.replace("{id}", ID if good_id else "not-an-id")


def _table() -> list[tuple[str, str, str, Any]]:
    """(label, method, path, body as sent): dicts, or bytes for raw bodies."""
    rows: list[tuple[str, str, str, Any]] = []
    for module in (test_props_sending, test_props_campaigns, test_props_contacts, test_props_audiences):
        for case in module.REG.cases:
            if case.options is not None:
                continue  # the doors below use the default options
            method, template = case.route
            rows.append((case.id, method, _url_path(template),
                         _drawn(st.composite(lambda draw, case=case: case.broken(draw)[0])())))
            rows.append((f"valid {case.id}", method, _url_path(template),
                         _drawn(st.composite(lambda draw, case=case: case.near_miss(draw))())))
    send = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}
    rows += [
        ("oversize", "POST", "/v2/send", dict(send, body="x" * (5 * 1024 * 1024))),
        ("unparseable", "POST", "/v2/send", b'{"to": '),
        ("not an object", "POST", "/v2/send/bulk", b"[1, 2]"),
        ("invalid UTF-8", "POST", "/v2/send", b'{"to": "+14155551234", "list_number": "+18005551000", "body": "\xff"}'),
        ("lone surrogate", "POST", "/v2/send", b'{"to": "+1415555\\ud83d", "list_number": "+18005551000"}'),
        ("empty body", "POST", "/v2/creatives", b""),
        ("path id", "PUT", "/v2/audiences/not-an-id", {"name": "x" * 300}),
        ("path id ok", "PUT", f"/v2/audiences/{ID}", {"name": "VIP"}),
    ]
    return rows


TABLE = _table()


def _as_bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")


def _shape(problems: list[tv.Problem]) -> list[tuple[str, str, int, tuple[Any, ...]]]:
    return [(p.code, p.error, p.status, tuple(p.loc)) for p in problems]


EXPECTED = [_shape(tv.check(method, path, body)) for _label, method, path, body in TABLE]


def _refused_whole(method: str, path: str, problems: list[tuple[Any, ...]]) -> bool:
    """Whether the API refuses the request (a bulk request with problems only in its items
    is accepted: 200 with errors[])."""
    items = resolve(method, path).items
    return any(not (items and len(loc) >= 2 and loc[0] == items and isinstance(loc[1], int))
               for *_rest, loc in problems)


def test_the_table_covers_every_endpoint_and_both_answers():
    assert {resolve(m, p).key for _l, m, p, _b in TABLE} == {r.key for r in ROUTES}
    assert any(e == [] for e in EXPECTED) and sum(bool(e) for e in EXPECTED) > 100
    assert {code for e in EXPECTED for code, *_ in e} >= {"payload_too_large", "invalid_input", "invalid_audience_id"}


def test_validate_and_the_pipeline():
    for (label, method, path, body), expected in zip(TABLE, EXPECTED):
        outcome = pipeline.run(resolve(method, path), body, path=path)
        assert _shape(outcome.problems) == expected, label
        assert (outcome.instance is None) == bool(expected), label
        try:
            tv.validate(method, path, body)
            got: list[Any] = []
        except tv.TracklyValidationError as exc:
            got = _shape(exc.problems)
        assert got == expected, label
        assert _shape(tv.check(method, path, _as_bytes(body))) == expected, label


def test_partition_splits_the_same_problems():
    for (label, method, path, body), expected in zip(TABLE, EXPECTED):
        route = resolve(method, path)
        if route.items is None:
            continue
        part = tv.partition(method, path, body)
        request = [p for p in expected if not (len(p[3]) >= 2 and p[3][0] == route.items)]
        assert _shape(list(part.problems)) == request, label
        first: dict[int, str] = {}
        for code, _e, _s, loc in expected:
            if len(loc) >= 2 and loc[0] == route.items:
                first.setdefault(loc[1], code)
        assert {e["index"]: e["code"] for e in part.errors} == first, label


def test_the_http_client_hooks():
    httpx = pytest.importorskip("httpx")
    requests = pytest.importorskip("requests")
    from requests.adapters import BaseAdapter

    from trackly_validate.doors.httpx import ValidatingTransport
    from trackly_validate.doors.requests import ValidatingAdapter

    sent: list[str] = []

    class Answer(BaseAdapter):
        def send(self, request: Any, **kwargs: Any) -> Any:
            sent.append(request.url)
            response = requests.Response()
            response.status_code, response._content = 200, b"{}"
            return response

        def close(self) -> None:
            pass

    inner = httpx.MockTransport(lambda request: sent.append(str(request.url)) or httpx.Response(200, json={}))
    client = httpx.Client(base_url="https://api.tracklysms.com/api", transport=ValidatingTransport(inner),
                          headers={"X-Api-Key": KEY, "Content-Type": "application/json"})
    session = requests.Session()
    session.mount("https://", ValidatingAdapter(Answer()))
    for (label, method, path, body), expected in zip(TABLE, EXPECTED):
        for door in ("httpx", "requests"):
            before = len(sent)
            try:
                if door == "httpx":
                    answer = client.request(method, path, content=_as_bytes(body))
                    got: list[Any] = _shape(answer.extensions.get("trackly_item_problems", ()))
                else:
                    answer = session.request(method, f"https://api.tracklysms.com/api{path}", data=_as_bytes(body),
                                             headers={"X-Api-Key": KEY, "Content-Type": "application/json"})
                    got = _shape(getattr(answer, "trackly_item_problems", ()))
                refused = False
            except tv.TracklyValidationError as exc:
                got, refused = _shape(exc.problems), True
            # every problem either way; a bulk request with problems only in items is sent
            assert got == expected, (door, label)
            assert refused == _refused_whole(method, path, expected), (door, label)
            assert len(sent) == before + (0 if refused else 1), (door, label)


def test_fastapi():
    pytest.importorskip("fastapi")
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from trackly_validate.doors.fastapi import install

    app = FastAPI()
    install(app)
    urls = {}
    for n, route in enumerate(r for r in ROUTES if not r.path_checks):
        urls[route.key] = f"/r{n}"

        def endpoint(body: Any) -> dict[str, bool]:
            return {"ok": True}
        endpoint.__annotations__ = {"body": route.model, "return": dict}  # the model itself, not a string
        app.add_api_route(f"/r{n}", endpoint, methods=[route.method])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        http = TestClient(app)
    for (label, method, path, body), expected in zip(TABLE, EXPECTED):
        key = resolve(method, path).key
        if key not in urls:
            continue  # path rules are the API's, not the app's
        response = http.request(method, urls[key], content=_as_bytes(body), headers={"Content-Type": "application/json"})
        if not expected:
            assert response.status_code == 200, (label, response.text[:300])
            continue
        data = response.json()
        assert response.status_code == expected[0][2], label
        assert [(p["code"], p["error"], tuple(p["loc"])) for p in data["problems"]] == [e[:2] + (e[3],) for e in expected], label


def test_the_cli_per_endpoint_and_for_request_logs(tmp_path, capsys):
    pytest.importorskip("typer")
    from trackly_validate.doors.cli import main

    by_route: dict[str, list[int]] = defaultdict(list)
    log = tmp_path / "requests.jsonl"
    with log.open("w", encoding="utf-8") as out:
        for i, (_label, method, path, body) in enumerate(TABLE):
            if isinstance(body, bytes):
                continue  # a request log holds parsed bodies
            out.write(json.dumps({"method": method, "path": path, "body": body}) + "\n")
            by_route[resolve(method, path).key].append(i)
    capsys.readouterr()
    main(["check", str(log), "--format", "json", "--max-problems", "1000000", "--jobs", "1"])
    report = json.loads(capsys.readouterr().out)
    logged = [i for i, row in enumerate(TABLE) if not isinstance(row[3], bytes)]
    _assert_report(report, logged)
    for key, rows in by_route.items():
        if resolve(*key.split()).path_checks:
            continue  # a per-endpoint file carries no path
        lines = tmp_path / "bodies.jsonl"
        lines.write_text("".join(json.dumps(TABLE[i][3]) + "\n" for i in rows), encoding="utf-8")
        main(["check", str(lines), "-e", key, "--format", "json", "--max-problems", "1000000", "--jobs", "1"])
        _assert_report(json.loads(capsys.readouterr().out), rows)


def _assert_report(report: dict[str, Any], rows: list[int]) -> None:
    got: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for p in report["problems"]:
        got[p["line"]].append((p["code"], p["error"], tuple(p["loc"])))
    for line, i in enumerate(rows, 1):
        assert got.get(line, []) == [(c, e, loc) for c, e, _s, loc in EXPECTED[i]], TABLE[i][0]
    assert report["invalid"] == sum(bool(EXPECTED[i]) for i in rows)


def test_check_frame_on_the_bodies_a_row_can_hold():
    pd = pytest.importorskip("pandas")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, (_label, method, path, body) in enumerate(TABLE):
        # a row holds a dict of non-null top-level fields without dots in their names
        if isinstance(body, dict) and len(json.dumps(body)) < 100_000 and all(
                v is not None and v != [] and v != {} and "." not in k for k, v in body.items()):
            groups[f"{method} {path}"].append(i)
    checked = 0
    for key, rows in groups.items():
        method, path = key.split()
        frame = pd.DataFrame([TABLE[i][3] for i in rows], dtype=object)  # cells as given, no dtype inference
        result = tv.check_frame(frame, method, path)
        for n, i in enumerate(rows):
            mine = result[result["row"] == n]
            want = [(c, e, s) for c, e, s, _loc in EXPECTED[i]]
            assert list(zip(mine["code"], mine["error"], mine["status"])) == want, TABLE[i][0]
            checked += 1
    assert checked > 100


def test_the_sandbox_over_http():
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("starlette")
    from trackly_validate.doors.server import SandboxServer

    with SandboxServer() as server, httpx.Client(base_url=server.url + "/api", timeout=30) as http:
        for (label, method, path, body), expected in zip(TABLE, EXPECTED):
            response = http.request(method, path, content=_as_bytes(body),
                                    headers={"X-Api-Key": KEY, "Content-Type": "application/json"})
            route = resolve(method, path)
            request_level = [p for p in expected if not (route.items and len(p[3]) >= 2 and p[3][0] == route.items)]
            if request_level:
                data = response.json()
                assert (response.status_code, data["code"], data["error"]) == (
                    request_level[0][2], request_level[0][0], request_level[0][1]), label
                assert [(p["code"], p["error"], tuple(p["loc"])) for p in data["problems"]] == [
                    (c, e, loc) for c, e, _s, loc in expected], label
            else:
                assert response.status_code < 300, (label, response.text[:300])


ORDER_CASES = [
    # (body, key, the codes in the server's order: body parser, then key, then rules)
    (dict(SEND := {"to": "+14155551234", "list_number": "+18005551000", "body": "Hi"}, body="x" * (5 * 1024 * 1024)),
     None, ["payload_too_large", "missing_api_key"]),
    (b'{"to": ', "trk_bad", ["invalid_input", "invalid_api_key"]),
    (dict(SEND, to="+1415"), None, ["missing_api_key", "invalid_phone"]),
    (SEND, None, ["missing_api_key"]),
]


@pytest.mark.parametrize(("body", "key", "codes"), ORDER_CASES, ids=["oversize", "not-json", "bad-field", "key-only"])
def test_http_doors_answer_in_the_servers_order(body, key, codes):
    httpx = pytest.importorskip("httpx")
    from trackly_validate.doors.httpx import ValidatingTransport

    client = httpx.Client(base_url="https://api.tracklysms.com/api",
                          transport=ValidatingTransport(httpx.MockTransport(lambda r: httpx.Response(200))),
                          headers={"X-Api-Key": key} if key else {})
    with pytest.raises(tv.TracklyValidationError) as caught:
        client.post("/v2/send", content=_as_bytes(body), headers={"Content-Type": "application/json"})
    assert [p.code for p in caught.value.problems] == codes


def test_the_sandbox_answers_in_the_same_order():
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("starlette")
    from trackly_validate.doors.server import SandboxServer

    with SandboxServer() as server, httpx.Client(base_url=server.url + "/api", timeout=30) as http:
        for body, key, codes in ORDER_CASES:
            response = http.post("/v2/send", content=_as_bytes(body),
                                 headers={"Content-Type": "application/json", **({"X-Api-Key": key} if key else {})})
            assert response.json()["code"] == codes[0], codes
            # every problem, as the client hooks list them
            assert [p["code"] for p in response.json()["problems"]] == codes
