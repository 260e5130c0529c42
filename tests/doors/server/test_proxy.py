"""The validating proxy over real HTTP on loopback, in front of an upstream stub started
here that records every request it receives (method, target, headers, body bytes):
valid requests of every endpoint family reach it once and byte for byte, refused ones are
answered locally and never reach it; unmodelled paths pass through; the upstream's
answers come back unchanged; the upstream failing, timing out and coming back; counts;
20 concurrent clients.  Every server runs on 127.0.0.1 and a free port and is stopped after."""

from __future__ import annotations

import contextlib
import gzip
import json
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from typing import Any, Iterator

import brotli
import httpx
import pytest

import trackly_validate as tv
from trackly_validate.doors.http.answer import error_body
from hostile_inputs import VALID, route_paths
from upstream_stub import UpstreamStub
from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES
from trackly_validate.contracts.routes import ROUTES as MODELLED
from trackly_validate.doors.server import ProxyServer
from trackly_validate.doors.server.proxy import MARK_HEADER
from trackly_validate.doors.server.runner import free_port

KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # the docs' example key
ROUTES = route_paths()
HOST = "127.0.0.1"
CLIENT = httpx.Client(timeout=30)  # one client (a new one per request costs an SSL context)


@dataclass
class CliProxy:
    url: str
    process: subprocess.Popen
    output: str = ""  # stdout and stderr, once stopped


@contextlib.contextmanager
def cli_proxy(upstream_url: str, *args: str) -> Iterator[CliProxy]:
    """``trackly-validate serve --upstream URL --port P ARGS...`` as a process of its own
    (its own core), stopped with Ctrl-C (SIGINT) at the end; ``output`` is all it wrote."""
    port = free_port()
    code = "import sys; from trackly_validate.doors.cli import main; sys.exit(main(sys.argv[1:]))"
    process = subprocess.Popen([sys.executable, "-c", code, "serve", "--upstream", upstream_url,
                                "--port", str(port), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    proxy = CliProxy(f"http://{HOST}:{port}", process)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                CLIENT.get(f"{proxy.url}/_proxy/stats")
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, process.communicate()[0]
                time.sleep(0.05)
        yield proxy
    finally:
        process.send_signal(2)
        proxy.output = process.communicate(timeout=20)[0]


@pytest.fixture(scope="module")
def upstream():
    with UpstreamStub() as stub:
        yield stub


@pytest.fixture(scope="module")
def proxy(upstream):
    with ProxyServer(upstream.url) as server:
        yield server


@pytest.fixture
def fresh(upstream):
    """The stub's record emptied before the test."""
    with upstream._lock:
        upstream.received.clear()
    return upstream


def send(base: str, method: str, path: str, body: Any = None, *, key: str | None = KEY, raw: bytes | None = None,
         headers: dict[str, str] | None = None, client: httpx.Client | None = None) -> tuple[bytes, httpx.Response]:
    """One request through ``base``; the body bytes as sent and the answer."""
    content = raw if raw is not None else b"" if body is None else json.dumps(body, indent=1).encode()
    sent = {"Content-Type": "application/json", **({"X-Api-Key": key} if key is not None else {}), **(headers or {})}
    r = (client or CLIENT).request(method, f"{base}{path}", content=content, headers=sent)
    return content, r


def request_level(endpoint: str, body: Any) -> list[tv.Problem]:
    """What the API refuses the whole request for (a bulk request with only item errors is
    accepted: the API reports the items in errors[])."""
    route = next(r for r in MODELLED if r.key == endpoint)
    method, path = ROUTES[endpoint]
    problems = tv.check(method, path, body)
    if route.items:
        problems = [p for p in problems if not (len(p.loc) >= 2 and p.loc[0] == route.items
                                                and isinstance(p.loc[1], int))]
    return problems


def _bad_bodies(endpoint: str) -> list[Any]:
    good = VALID[endpoint]
    bodies: list[Any] = [{}, {"to": 5, "messages": "x", "records": {}, "name": ["x"], "phones": 1}, []]
    if isinstance(good, dict):
        for field, value in good.items():  # each field given a value of the wrong type, one at a time
            bodies.append({**good, field: {"wrong": [value]}})
    return bodies


TABLE = [(endpoint, body) for endpoint in sorted(ROUTES) for body in [VALID[endpoint], *_bad_bodies(endpoint)]]


# --- what reaches the upstream -------------------------------------------------------------------------------------

def test_the_upstream_receives_exactly_the_valid_requests_byte_for_byte(proxy, fresh):
    """Every endpoint family, valid and invalid bodies: the valid ones arrive once, as sent
    (method, path, query, body bytes, the key and other headers); the others are answered
    here with the API's first problem and never arrive."""
    expected_forwarded = []
    refused = 0
    for i, (endpoint, body) in enumerate(TABLE):
        method, path = ROUTES[endpoint]
        target = f"/api{path}?n={i}&q=%20a+b"
        sent, r = send(proxy.url, method, target, body, headers={"X-Custom": f"c{i}"})
        problems = request_level(endpoint, body)
        if problems:
            refused += 1
            every = tv.check(method, path, body)  # the answer lists every problem, items too
            assert (r.status_code, r.json()) == (problems[0].status, error_body(every)), endpoint
            assert r.headers[MARK_HEADER] == "local"
            assert (r.headers.get("Deprecation") == "true") == path.startswith("/v1/")
        else:
            assert r.status_code == 200 and r.json()["received"] > 0, (endpoint, r.text)
            assert MARK_HEADER not in r.headers
            expected_forwarded.append((method, target, sent, f"c{i}"))
    got = [(x.method, x.target, x.body, x.header("x-custom")) for x in fresh.received]
    assert got == expected_forwarded
    assert all(x.header("x-api-key") == KEY and x.header("host") == fresh.url[7:] for x in fresh.received)
    assert refused > len(ROUTES) and len(expected_forwarded) >= len(ROUTES)  # both sides of every endpoint


_SEND = b'{"to": "+14155551234", "list_number": "+18005551000", "body": "x"}'
_GZ_VALID = gzip.compress(_SEND)
_GZ_NO_BODY = gzip.compress(b'{"to": "+14155551234", "list_number": "+18005551000"}')

EDGES = [
    # (what, method, path, body bytes, headers, key) -> refused here with (status, code) or forwarded (None)
    ("path rule", "PUT", "/api/v2/audiences/12", b'{"name": "x"}', {}, KEY, (400, "invalid_audience_id")),
    ("no key", "POST", "/api/v2/send", b'{"to": "+14155551234", "list_number": "+18005551000", "body": "x"}', {},
     None, (401, "missing_api_key")),
    ("malformed key", "POST", "/api/v2/send", b'{"to": "+14155551234", "list_number": "+18005551000", "body": "x"}',
     {}, "trk_short", (401, "invalid_api_key")),
    ("not JSON: read as {}", "POST", "/api/v2/send", b'{"to": "+14155551234", "list_number": "+18005551000", '
     b'"body": "x"}', {"Content-Type": "text/plain"}, KEY, (400, "missing_to")),
    ("bad JSON", "POST", "/api/v2/send", b'{"to": ', {}, KEY, (400, "invalid_input")),
    ("bulk with item errors only", "POST", "/api/v2/send/bulk",
     b'{"messages": [{"to": "+14155551234", "list_number": "+18005551000", "body": "x"}, {"to": "+1"}]}', {}, KEY,
     None),
    ("JSON with escapes and odd spacing", "POST", "/api/v2/send",
     b'{ "to":"+14155551234" ,"list_number":"+18005551000","body":"\\u00e9\xc3\xa9 \\ud83d\\ude00"}', {}, KEY, None),
    ("charset parameter", "POST", "/api/v2/send", b'{"to": "+14155551234", "list_number": "+18005551000", '
     b'"body": "x"}', {"Content-Type": "application/json; charset=utf-8"}, KEY, None),
    ("encoded path parameter", "PUT", "/api/v2/creatives/a%2Fb%7e", b'{"name": "x"}', {}, KEY, None),
    # express.json reads application/json only: a +json body is {} (accepted on this endpoint), sent on as is
    ("+json type: not read", "PUT", "/api/v2/offers/abc", b'{"payout_type": "x"}',
     {"Content-Type": "application/vnd.api+json"}, KEY, None),
    ("application/json: read", "PUT", "/api/v2/offers/abc", b'{"payout_type": "x"}', {}, KEY,
     (400, "invalid_payout_type")),
    # gzip/deflate: judged inflated, forwarded as received
    ("gzip valid", "POST", "/api/v2/send", _GZ_VALID, {"Content-Encoding": "gzip"}, KEY, None),
    ("gzip invalid", "POST", "/api/v2/send", _GZ_NO_BODY, {"Content-Encoding": "gzip"}, KEY, (400, "missing_body")),
    ("deflate invalid", "POST", "/api/v2/send", zlib.compress(b'{"to": "4155551234"}'),
     {"Content-Encoding": "deflate"}, KEY, (400, "missing_list_number")),
    # a charset or encoding body-parser answers 415 for: answered here, as the stand-in answers it
    ("compress: 415", "POST", "/api/v2/send", b'{"to": "x"}', {"Content-Encoding": "compress"}, KEY, (415, None)),
    ("latin1: 415", "POST", "/api/v2/send", b'{"to": "x"}',
     {"Content-Type": "application/json; charset=latin1"}, KEY, (415, None)),
    ("br: inflated (Express 5)", "POST", "/api/v2/send", brotli.compress(_SEND), {"Content-Encoding": "br"}, KEY,
     None),
    ("br invalid", "POST", "/api/v2/send", brotli.compress(b'{"to": "x"}'), {"Content-Encoding": "br"}, KEY,
     (400, "missing_list_number")),
    # utf-* charsets are decoded and judged; the original bytes go on
    ("utf-16", "POST", "/api/v2/send", json.dumps({"to": "+14155551234", "list_number": "+18005551000",
                                                   "body": "Hi 😀"}).encode("utf-16"),
     {"Content-Type": "application/json; charset=utf-16"}, KEY, None),
    ("utf-16 invalid", "POST", "/api/v2/send", b'{"to": "+1"}'.decode().encode("utf-16"),
     {"Content-Type": "application/json; charset=utf-16"}, KEY, (400, "missing_list_number")),
    ("path literals in any case", "POST", "/api/V2/Send",
     b'{"to": "+14155551234", "list_number": "+18005551000", "body": "x"}', {}, KEY, None),
]


@pytest.mark.parametrize(("what", "method", "path", "raw", "headers", "key", "refused"), EDGES, ids=[e[0] for e in EDGES])
def test_edges(proxy, fresh, what, method, path, raw, headers, key, refused):
    _, r = send(proxy.url, method, path, raw=raw, headers=headers, key=key)
    if refused is not None:
        assert (r.status_code, r.json().get("code"), r.headers[MARK_HEADER]) == (*refused, "local")
        assert fresh.received == []
    else:
        assert r.status_code == 200, r.text
        [got] = fresh.received
        assert (got.method, got.target, got.body) == (method, path, raw)


def test_the_5_mib_limit_applies_before_forwarding(proxy, fresh):
    head = b'{"to": "+14155551234", "list_number": "+18005551000", "body": "'
    exactly = head + b"x" * (MAX_PAYLOAD_BYTES - len(head) - 2) + b'"}'
    assert len(exactly) == MAX_PAYLOAD_BYTES
    _, r = send(proxy.url, "POST", "/api/v2/send", raw=exactly)
    assert r.status_code == 200 and fresh.bodies() == [exactly]
    _, r = send(proxy.url, "POST", "/api/v2/send", raw=exactly + b" ")
    assert (r.status_code, r.json()["code"], r.headers[MARK_HEADER]) == (413, "payload_too_large", "local")
    chunks = (b"x" * 65536 for _ in range(200))  # 12.5 MiB, chunked: no Content-Length
    r = CLIENT.post(f"{proxy.url}/api/v2/send", content=chunks,
                    headers={"X-Api-Key": KEY, "Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (413, "payload_too_large")
    # with no Content-Type express.json does not parse (type-is needs a type): no limit,
    # the body is {} -> missing_to, refused here without reading it
    chunks = (b"x" * 65536 for _ in range(200))
    r = CLIENT.post(f"{proxy.url}/api/v2/send", content=chunks, headers={"X-Api-Key": KEY})
    assert (r.status_code, r.json()["code"], r.headers[MARK_HEADER]) == (400, "missing_to", "local")
    assert len(fresh.received) == 1


def test_a_body_express_json_does_not_read_goes_on_whole_past_the_limit(proxy, fresh):
    """text/plain is not read by express.json: no 413; PUT /v2/offers/{id} accepts {},
    so the 5 MiB + 1 bytes reach the upstream unchanged."""
    over = b"y" * (MAX_PAYLOAD_BYTES + 1)
    _, r = send(proxy.url, "PUT", "/api/v2/offers/abc", raw=over, headers={"Content-Type": "text/plain"})
    assert r.status_code == 200 and MARK_HEADER not in r.headers
    assert fresh.bodies() == [over]
    bomb = gzip.compress(b'{"to": "' + b"1" * MAX_PAYLOAD_BYTES + b'"}')  # the limit is on the inflated bytes
    _, r = send(proxy.url, "POST", "/api/v2/send", raw=bomb, headers={"Content-Encoding": "gzip"})
    assert (r.status_code, r.json()["code"], r.headers[MARK_HEADER]) == (413, "payload_too_large", "local")
    assert len(fresh.received) == 1


def test_unmodelled_paths_and_methods_pass_through_untouched(proxy, fresh):
    cases = [("GET", "/api/v2/creatives?limit=5&x=%2F", b""),           # a modelled path, another method
             ("POST", "/api/v3/whatever", b"not json at all \xff"),      # no such endpoint
             ("DELETE", "/health", b""),                                 # outside /api
             ("POST", "/api/v2/sends", b"{}")]                           # not a modelled path
    for method, target, raw in cases:
        r = CLIENT.request(method, proxy.url + target, content=raw, headers={"X-Api-Key": KEY, "X-Custom": "1"})
        assert r.status_code == 200 and MARK_HEADER not in r.headers
    assert [(x.method, x.target, x.body, x.header("x-custom")) for x in fresh.received] == [
        (m, t, b, "1") for m, t, b in cases]
    upload = (b"chunk %d " % i for i in range(50))  # a streamed upload stays streamed
    r = CLIENT.post(f"{proxy.url}/api/v3/upload", content=upload)
    assert r.status_code == 200
    assert fresh.received[-1].body == b"".join(b"chunk %d " % i for i in range(50))
    assert fresh.received[-1].header("transfer-encoding") == "chunked"


def test_the_upstreams_answers_come_back_unchanged(proxy, fresh, upstream):
    for query in ("", "?chunked=1", "?status=400", "?status=418&chunked=1"):
        direct = CLIENT.post(f"{upstream.url}/api/v2/send{query}", json={})  # what the stub answers
        _, r = send(proxy.url, "POST", f"/api/v2/send{query}",
                    {"to": "+14155551234", "list_number": "+18005551000", "body": "x"})
        assert r.status_code == direct.status_code
        assert r.headers.multi_items() == direct.headers.multi_items()  # two Set-Cookie, order, no extra header
        assert r.json().keys() == direct.json().keys()
    head = CLIENT.head(f"{proxy.url}/api/v2/creatives")
    assert (head.status_code, head.headers["content-length"], head.content) == (200, "15", b"")


def test_hop_by_hop_headers_are_not_forwarded(proxy, fresh):
    CLIENT.get(f"{proxy.url}/api/v2/creatives", headers={
        "Connection": "keep-alive, X-Private", "X-Private": "1", "Keep-Alive": "timeout=5", "TE": "trailers",
        "Proxy-Authorization": "Basic eA==", "X-Kept": "yes"})
    names = {k for k, _ in fresh.received[0].headers}
    assert "x-kept" in names
    assert not names & {"x-private", "keep-alive", "te", "proxy-authorization", "connection"}


def test_options_change_what_is_refused_here(upstream, fresh):
    uk = {"to": "+447400123456", "list_number": "+18005551000", "body": "x"}
    options = tv.Options(allowed_countries={"US"}, disable={"invalid_audience_id"})
    with ProxyServer(upstream.url, options=options) as server:
        _, r = send(server.url, "POST", "/api/v2/send", uk)
        assert (r.status_code, r.json()["code"]) == (403, "geo_restricted")
        _, r = send(server.url, "PUT", "/api/v2/audiences/12", {"name": "x"})
        assert r.status_code == 200
    assert [x.target for x in fresh.received] == ["/api/v2/audiences/12"]
