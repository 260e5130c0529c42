"""One HTTP table through every HTTP door: the same request bytes and headers get the same
answer - status, code and the whole answer body - from the httpx hooks (sync and async),
the requests hook, FastAPI ``install()``, and over real loopback sockets the stand-in and
the proxy, with a client that sends its whole body at once without waiting for
``100-continue`` (``http.client``).  The proxy forwards exactly the requests the stand-in
accepts, once, byte for byte.

Rows: the cases that used to answer differently by door (gzip, text/plain, no type, a
latin1 charset, 6 MiB, bulk partial success, deep filters, UTF-16 near the limit...) and
a valid and an invalid body of every endpoint (the cross-door body table of test_doors).
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import json
import zlib
from typing import Any

import brotli
import httpx
import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient
from requests.adapters import BaseAdapter

import trackly_validate as tv
from trackly_validate.doors.fastapi import install
from trackly_validate.doors.httpx import AsyncValidatingTransport, ValidatingTransport
from trackly_validate.doors.requests import ValidatingAdapter
from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES
from trackly_validate.contracts.routes import ROUTES, resolve
from trackly_validate.doors.server import ProxyServer, SandboxServer
from trackly_validate.doors.server.proxy import MARK_HEADER

from test_doors import TABLE as BODY_TABLE, _as_bytes
from upstream_stub import UpstreamStub

KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
JSON = {"Content-Type": "application/json"}
SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}
SEND_BYTES = json.dumps(SEND).encode()
GOOD_ITEM = {"to": "+14155551234", "list_number": "+18005551000", "body": "x"}
PARTIAL = {"messages": [GOOD_ITEM] * 7 + [{"to": "+1", "list_number": "+18005551000", "body": "x"}] * 3}


def _chain(depth: int) -> bytes:
    group = json.dumps({"operator": "AND", "conditions": [
        {"condition_type": "count", "field": "click_count", "operator": "gte", "value": 5}]})
    for _ in range(depth - 1):
        group = '{"operator": "OR", "groups": [' + group + "]}"
    return ('{"name": "deep", "filter": ' + group + "}").encode()


def _big_utf16() -> bytes:
    """A valid send of ~3.2 MiB in UTF-16 whose UTF-8 re-encoding is ~4.9 MiB: measured as
    received it is under the limit (and so it would be as UTF-8, just)."""
    text = json.dumps({**SEND, "body": "界" * 1_650_000}, ensure_ascii=False)
    return text.encode("utf-16")


def _utf16_over_as_utf8() -> bytes:
    """Under 5 MiB as UTF-16, over it once re-encoded as UTF-8 (CJK: 2 bytes -> 3)."""
    text = json.dumps({**SEND, "body": "界" * 1_800_000}, ensure_ascii=False)
    return text.encode("utf-16")


SIX_MIB = b'{"to":"+14155551234","list_number":"+18005551000","body":"' + b"x" * (6 * 1024 * 1024) + b'"}'

# (label, method, path, headers, body, expected (status, code) or None for accepted)
CASES: list[tuple[str, str, str, dict[str, str], bytes, tuple[int, str | None] | None]] = [
    ("gzip valid", "POST", "/v2/send", {**JSON, "Content-Encoding": "gzip"}, gzip.compress(SEND_BYTES, mtime=0), None),
    ("gzip two members", "POST", "/v2/send", {**JSON, "Content-Encoding": "gzip"},
     gzip.compress(SEND_BYTES[:20], mtime=0) + gzip.compress(SEND_BYTES[20:], mtime=0), None),
    ("deflate valid", "POST", "/v2/send", {**JSON, "Content-Encoding": "deflate"}, zlib.compress(SEND_BYTES), None),
    ("br valid", "POST", "/v2/send", {**JSON, "Content-Encoding": "br"}, brotli.compress(SEND_BYTES), None),
    ("gzip invalid body", "POST", "/v2/send", {**JSON, "Content-Encoding": "gzip"},
     gzip.compress(b'{"to": "+14155551234"}', mtime=0), (400, "missing_list_number")),
    ("gzip corrupt", "POST", "/v2/send", {**JSON, "Content-Encoding": "gzip"}, b"\x1f\x8b not gzip", (400, "invalid_input")),
    ("gzip bomb", "POST", "/v2/send", {**JSON, "Content-Encoding": "gzip"},
     gzip.compress(b'{"to": "' + b"1" * MAX_PAYLOAD_BYTES + b'"}', mtime=0), (413, "payload_too_large")),
    ("text/plain: read as {}", "POST", "/v2/send", {"Content-Type": "text/plain"}, SEND_BYTES, (400, "missing_to")),
    ("no type: read as {}", "POST", "/v2/send", {}, SEND_BYTES, (400, "missing_to")),
    ("+json: read as {}", "POST", "/v2/send", {"Content-Type": "application/vnd.api+json"}, SEND_BYTES,
     (400, "missing_to")),
    ("charset latin1: 415", "POST", "/v2/send", {"Content-Type": "application/json; charset=latin1"}, SEND_BYTES,
     (415, None)),
    ("encoding compress: 415", "POST", "/v2/send", {**JSON, "Content-Encoding": "compress"}, SEND_BYTES, (415, None)),
    ("charset utf-8 quoted", "POST", "/v2/send", {"Content-Type": 'application/json; charset="UTF-8"'}, SEND_BYTES,
     None),
    ("utf-16, 3.2 MiB", "POST", "/v2/send", {"Content-Type": "application/json; charset=utf-16"}, _big_utf16(), None),
    ("utf-16, over 5 MiB only as UTF-8", "POST", "/v2/send", {"Content-Type": "application/json; charset=utf-16"},
     _utf16_over_as_utf8(), None),
    ("6 MiB", "POST", "/v2/send", JSON, SIX_MIB, (413, "payload_too_large")),
    ("empty JSON body", "POST", "/v2/send", JSON, b"", (400, "missing_to")),
    ("bulk: 3 bad items of 10", "POST", "/v2/send/bulk", JSON, json.dumps(PARTIAL).encode(), None),
    ("bulk over the cap", "POST", "/v2/send/bulk", JSON, json.dumps({"messages": [GOOD_ITEM] * 1001}).encode(),
     (413, "too_many_messages")),
    ("filter 126 groups deep", "POST", "/v2/audiences", JSON, _chain(126), (400, "invalid_input")),
    ("filter 20 groups deep", "POST", "/v2/audiences", JSON, _chain(20), None),
    ("no key", "POST", "/v2/send", {**JSON, "X-Api-Key": ""}, SEND_BYTES, (401, "missing_api_key")),
    ("bad key, bad body", "POST", "/v2/send", {**JSON, "X-Api-Key": "trk_x"}, b"{}", (401, "invalid_api_key")),
    ("6 MiB, bad key: the parser first", "POST", "/v2/send", {**JSON, "X-Api-Key": "trk_x"}, SIX_MIB,
     (413, "payload_too_large")),
]

ROWS = [(label, m, p, h, b) for label, m, p, h, b, _ in CASES] + [
    (label, method, path, JSON, _as_bytes(body)) for label, method, path, body in BODY_TABLE]


def _headers(headers: dict[str, str]) -> dict[str, str]:
    return {"X-Api-Key": KEY, **headers}


def _partial(method: str, path: str) -> bool:
    return resolve(method, path).items is not None


def _refused(status: int, answer: Any) -> tuple[Any, ...]:
    return ("refused", status, answer)


ACCEPTED = ("accepted",)


# --- the doors --------------------------------------------------------------------------------------------------

def _httpx_door() -> Any:
    client = httpx.Client(base_url="https://api.tracklysms.com/api",
                          transport=ValidatingTransport(httpx.MockTransport(lambda r: httpx.Response(200))))

    def call(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[Any, ...]:
        try:
            client.request(method, path, content=body, headers=_headers(headers))
        except tv.TracklyValidationError as exc:
            return _refused(exc.status, exc.to_response())
        return ACCEPTED
    return call


def _async_httpx_door() -> Any:
    async def one(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[Any, ...]:
        transport = AsyncValidatingTransport(httpx.MockTransport(lambda r: httpx.Response(200)))
        async with httpx.AsyncClient(base_url="https://api.tracklysms.com/api", transport=transport) as client:
            try:
                await client.request(method, path, content=body, headers=_headers(headers))
            except tv.TracklyValidationError as exc:
                return _refused(exc.status, exc.to_response())
        return ACCEPTED

    return lambda *args: asyncio.run(one(*args))


def _requests_door() -> Any:
    class Answer(BaseAdapter):
        def send(self, request: Any, **kwargs: Any) -> Any:
            response = requests.Response()
            response.status_code, response._content = 200, b"{}"
            return response

        def close(self) -> None:
            pass

    session = requests.Session()
    session.mount("https://", ValidatingAdapter(Answer()))

    def call(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[Any, ...]:
        try:
            session.request(method, f"https://api.tracklysms.com/api{path}", data=body, headers=_headers(headers))
        except tv.TracklyValidationError as exc:
            return _refused(exc.status, exc.to_response())
        return ACCEPTED
    return call


def _fastapi_door() -> Any:
    app = FastAPI()
    install(app)
    for route in ROUTES:
        def endpoint(body: Any) -> dict[str, bool]:
            return {"accepted": True}
        endpoint.__annotations__ = {"body": route.model, "return": dict}  # this route's body model
        app.add_api_route("/api" + route.template, endpoint, methods=[route.method])
    client = TestClient(app)

    def call(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[Any, ...]:
        r = client.request(method, "/api" + path, content=body, headers=_headers(headers))
        return ACCEPTED if r.status_code == 200 and r.json() == {"accepted": True} else _refused(r.status_code, r.json())
    return call


def _socket_call(port: int, method: str, path: str, headers: dict[str, str], body: bytes) -> http.client.HTTPResponse:
    """One request whose body is sent whole right after its headers (no ``Expect``)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, "/api" + path, body=body, headers={**_headers(headers), "Content-Length": str(len(body))})
    response = conn.getresponse()
    response.read_body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


@pytest.fixture(scope="module")
def servers():
    with UpstreamStub() as upstream, SandboxServer() as stand_in, ProxyServer(upstream.url) as proxy:
        yield upstream, stand_in, proxy


@pytest.fixture(scope="module")
def answers(servers):
    """Every row through every door: {door: [outcome per row]}, and what reached the upstream."""
    upstream, stand_in, proxy = servers
    doors = {"httpx": _httpx_door(), "httpx async": _async_httpx_door(), "requests": _requests_door(),
             "fastapi": _fastapi_door()}
    out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in [*doors, "stand-in", "proxy"]}
    forwarded: list[tuple[int, bytes] | None] = []
    for i, (_label, method, path, headers, body) in enumerate(ROWS):
        for name, door in doors.items():
            out[name].append(door(method, path, headers, body))
        r = _socket_call(stand_in.port, method, path, headers, body)
        out["stand-in"].append(ACCEPTED if r.status < 300 else _refused(r.status, json.loads(r.read_body)))
        before = len(upstream.received)
        r = _socket_call(proxy.port, method, path, headers, body)
        local = r.getheader(MARK_HEADER) == "local"
        out["proxy"].append(_refused(r.status, json.loads(r.read_body)) if local else ACCEPTED)
        arrived = upstream.received[before:]
        forwarded.append((len(arrived), arrived[0].body if arrived else b"") if not local else (len(arrived), b""))
    return out, forwarded


def test_the_cases_answer_as_the_api_does(answers):
    out, _ = answers
    for i, (label, *_rest, expected) in enumerate(CASES):
        got = out["stand-in"][i]
        if expected is None:
            assert got == ACCEPTED, (label, got)
        else:
            status, code = expected
            assert (got[0], got[1], got[2].get("code")) == ("refused", status, code), (label, got)
            assert got[2]["problems"] and ("code" in got[2]) == (code is not None), label


@pytest.mark.parametrize("door", ["httpx", "httpx async", "requests", "fastapi", "proxy"])
def test_every_http_door_answers_as_the_stand_in(answers, door):
    """Status, code and the whole answer body, row by row.  FastAPI builds the endpoint's
    model instance, so it refuses a bulk body with bad items (the API's partial success
    elsewhere); its routes are the app's own, so the API's path rules and key are not its."""
    out, _ = answers
    for i, (label, method, path, headers, _body) in enumerate(ROWS):
        if door == "fastapi" and "X-Api-Key" in headers:
            continue
        expected = out["stand-in"][i]
        got = out[door][i]
        if door == "fastapi" and expected == ACCEPTED and got != ACCEPTED and _partial(method, path):
            assert got[0] == "refused" and got[2]["problems"], label
            continue
        if door == "fastapi" and resolve(method, path).path_checks:
            continue
        assert got == expected, (door, label)


def test_the_proxy_forwards_exactly_what_the_stand_in_accepts_once_byte_for_byte(answers):
    out, forwarded = answers
    assert len(ROWS) > 500 and sum(o == ACCEPTED for o in out["stand-in"]) > 100
    for i, (label, _m, _p, _h, body) in enumerate(ROWS):
        count, arrived = forwarded[i]
        if out["stand-in"][i] == ACCEPTED:
            assert (count, arrived) == (1, body), label
        else:
            assert count == 0, label


def test_no_door_answers_5xx(answers):
    out, _ = answers
    assert not [(door, ROWS[i][0]) for door, got in out.items() for i, o in enumerate(got)
                if o != ACCEPTED and o[1] >= 500]


NODE_FETCH = r"""
const [url, times] = [process.argv[2], Number(process.argv[3])];
const big = '{"to":"+14155551234","list_number":"+18005551000","body":"' + "x".repeat(6 * 1024 * 1024) + '"}';
const seen = [];
for (let i = 0; i < times; i++) {
  try {
    const r = await fetch(url, {method: "POST", body: big,
      headers: {"content-type": "application/json", "x-api-key": process.argv[4]}});
    seen.push(`${r.status} ${(await r.json()).code}`);
  } catch (e) { seen.push(`reset ${e.cause && e.cause.code}`); }
}
console.log(JSON.stringify(seen));
"""


def test_node_fetch_gets_its_413_not_a_reset(servers, tmp_path):
    """Node's fetch sends a 6 MiB body without waiting for 100-continue: the stand-in and
    the proxy read the refused body off first, as Express does, so it gets its answer."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = tmp_path / "fetch.mjs"
    script.write_text(NODE_FETCH)
    upstream, stand_in, proxy = servers
    before = len(upstream.received)
    for base in (stand_in.url, proxy.url):
        done = subprocess.run([node, str(script), f"{base}/api/v2/send", "5", KEY], capture_output=True, text=True,
                              timeout=120)
        assert json.loads(done.stdout) == ["413 payload_too_large"] * 5, done.stderr[-500:]
    assert len(upstream.received) == before


ODD_HEADERS = [
    {"Content-Type": "application/json; charset"},
    {"Content-Type": "application/json; charset=\"\""},
    {"Content-Type": ";;;"},
    {"Content-Type": "application/json", "Content-Encoding": ""},
    {"Content-Type": "application/json", "Content-Encoding": "gzip, gzip"},
    {"Content-Type": "application/json", "Content-Encoding": "identity"},
    {"Content-Type": "application/json; charset=utf-7"},
    {"Content-Type": "application/json; charset=utf-32be"},
    {"Content-Type": "application/json", "X-Big": "a" * 60_000},
    {"Content-Type": "application/json", "X-Api-Key": "trk_" + "é" * 32},
    {"Content-Type": "application/json", "Expect": "100-continue"},
    {"Content-Type": "application/json", "Content-Type-Extra": "\t"},
]


@pytest.mark.parametrize("headers", ODD_HEADERS, ids=[f"h{i}" for i in range(len(ODD_HEADERS))])
def test_odd_headers_never_get_a_5xx(servers, headers):
    _upstream, stand_in, proxy = servers
    for port in (stand_in.port, proxy.port):
        try:
            r = _socket_call(port, "POST", "/v2/send", headers, SEND_BYTES)
        except http.client.HTTPException:  # refused by the HTTP parser itself (not the app)
            continue
        assert r.status < 500, (port, headers, r.read_body[:200])


@pytest.mark.parametrize("method", ["PROPFIND", "TRACE", "PATCH", "OPTIONS"])
def test_any_method_gets_the_apis_json_answer(servers, method):
    """Express answers an unrouted method with its 404 (the API's not_found): never a plain 405."""
    _upstream, stand_in, _proxy = servers
    r = _socket_call(stand_in.port, method, "/v2/send", JSON, b"")
    assert (r.status, json.loads(r.read_body)["code"]) == (404, "not_found")
