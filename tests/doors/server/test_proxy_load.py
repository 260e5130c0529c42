"""The validating proxy under load and when its upstream fails: 20 concurrent clients and
2,000 mixed requests (each valid one reaches the upstream exactly once, each invalid one
is answered locally, no 5xx); the upstream crashing with requests in flight and coming
back; a read timeout; an answer cut off.  No request is ever sent twice."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from test_proxy import HOST, KEY, UpstreamStub, cli_proxy
from trackly_validate.doors.server import ProxyServer
from trackly_validate.doors.server.proxy import MARK_HEADER, NOT_SENT, UPSTREAM_ERROR_HEADER, Timeouts

SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}
BULK = {"messages": [SEND, {**SEND, "to": "+1"}]}  # one item error: the API takes the request

# kind -> (method, path, body, key, forwarded?)
MIX = {
    "send": ("POST", "/api/v2/send", SEND, KEY, True),
    "bad phone": ("POST", "/api/v2/send", {**SEND, "to": "+1415"}, KEY, False),
    "bulk": ("POST", "/api/v2/send/bulk", BULK, KEY, True),
    "no key": ("POST", "/api/v1/messages", {"to_msisdn": "+14155551234", "body": "x"}, None, False),
    "unmodelled": ("GET", "/api/v2/creatives", None, KEY, True),
    "bad audience id": ("PUT", "/api/v2/audiences/12", {"name": "x"}, KEY, False),
}
KINDS = sorted(MIX)


def _client() -> httpx.Client:
    return httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=1))


def test_twenty_concurrent_clients_two_thousand_mixed_requests():
    """The proxy runs as the CLI runs it, in a process of its own."""
    total, clients = 2000, 20
    local = threading.local()
    with UpstreamStub() as stub, cli_proxy(stub.url) as proxy:
        def one(i: int) -> tuple[int, int, str | None]:
            # http.client: a keep-alive connection per client thread, light enough that the
            # clients do not starve the upstream stub of this process's one interpreter
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection(HOST, int(proxy.url.rsplit(":", 1)[1]), timeout=30)
            method, path, body, key, _ = MIX[KINDS[i % len(KINDS)]]
            headers = {"Content-Type": "application/json", **({"X-Api-Key": key} if key else {})}
            local.conn.request(method, f"{path}?i={i}", body=json.dumps(body) if body is not None else None,
                               headers=headers)
            r = local.conn.getresponse()
            r.read()
            return i, r.status, r.getheader(MARK_HEADER)

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            answers = list(pool.map(one, range(total)))
        took = time.perf_counter() - started
        stats = httpx.get(f"{proxy.url}/_proxy/stats").json()
    forwarded = {i for i in range(total) if MIX[KINDS[i % len(KINDS)]][4]}
    assert all(status < 500 for _, status, _ in answers), Counter(s for _, s, _ in answers)
    assert {i for i, status, mark in answers if mark == "local" and 400 <= status < 500} == set(range(total)) - forwarded
    arrived = Counter(r.target for r in stub.received)
    assert arrived == Counter(f"{MIX[KINDS[i % len(KINDS)]][1]}?i={i}" for i in forwarded)  # each exactly once
    assert stats["answered_locally"]["total"] == total - len(forwarded)
    assert stats["forwarded"]["total"] + stats["passed_through"]["total"] == len(forwarded)
    assert stats["upstream_errors"]["total"] == 0
    print(f"{total} requests from {clients} clients in {took:.2f} s")


def _post(client: httpx.Client, url: str) -> httpx.Response:
    return client.post(url, json=SEND, headers={"X-Api-Key": KEY})


def _wait_for(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_upstream_crashing_with_requests_in_flight_and_coming_back():
    stub = UpstreamStub().start()
    with ProxyServer(stub.url, timeouts=Timeouts(connect=1, read=10)) as proxy, _client() as client:
        assert _post(client, f"{proxy.url}/api/v2/send?i=first").status_code == 200
        with ThreadPoolExecutor(4) as pool:
            in_flight = [pool.submit(_post, _client(), f"{proxy.url}/api/v2/send?delay=5&i=flight{i}")
                         for i in range(4)]
            _wait_for(lambda: len(stub.received) == 5)  # all four are at the upstream, waiting for their answers
            stub.stop()  # a crash: every connection dropped
            cut = [f.result() for f in in_flight]
        for r in cut:
            assert (r.status_code, r.json(), r.headers[MARK_HEADER]) == (
                503, {"error": "Provider unavailable", "code": "provider_error",
                      "problems": [{"code": "provider_error", "error": "Provider unavailable", "loc": []}]},
                "upstream-error")
            assert r.headers[UPSTREAM_ERROR_HEADER] == "disconnected"  # they may have reached it: not retried
        down = [_post(client, f"{proxy.url}/api/v2/send?i=down{i}") for i in range(3)]
        assert [(r.status_code, r.headers[UPSTREAM_ERROR_HEADER]) for r in down] == [(503, "connect_failed")] * 3
        assert "connect_failed" in NOT_SENT
        refused = client.post(f"{proxy.url}/api/v2/send", json={**SEND, "to": "+1"}, headers={"X-Api-Key": KEY})
        assert (refused.status_code, refused.headers[MARK_HEADER]) == (400, "local")  # still serving
        stub.start()  # back, on the same port
        try:
            back = _post(client, f"{proxy.url}/api/v2/send?i=back")
            assert back.status_code == 200
            stats = proxy.app.state.proxy.stats.snapshot()
        finally:
            stub.stop()
    targets = [r.target for r in stub.received]
    assert targets == ["/api/v2/send?i=first", *sorted(targets[1:5]), "/api/v2/send?i=back"]
    assert sorted(targets[1:5]) == [f"/api/v2/send?delay=5&i=flight{i}" for i in range(4)]  # each once
    assert stats["upstream_errors"]["by_kind"] == {"connect_failed": 3, "disconnected": 4}


def test_a_slow_upstream_times_out_once_and_is_not_retried():
    with UpstreamStub() as stub, ProxyServer(stub.url, timeouts=Timeouts(connect=1, read=0.2)) as proxy, \
            _client() as client:
        started = time.perf_counter()
        r = _post(client, f"{proxy.url}/api/v2/send?delay=0.6")
        assert time.perf_counter() - started < 0.5
        assert (r.status_code, r.json()["code"], r.headers[UPSTREAM_ERROR_HEADER]) == (503, "provider_error",
                                                                                       "read_timeout")
        assert _post(client, f"{proxy.url}/api/v2/send?i=next").status_code == 200
        time.sleep(0.5)  # the slow request's answer comes (to a closed connection)
    assert [r.target for r in stub.received] == ["/api/v2/send?delay=0.6", "/api/v2/send?i=next"]


def test_an_answer_cut_off_is_never_passed_off_as_whole():
    with UpstreamStub() as stub, ProxyServer(stub.url) as proxy, _client() as client:
        small = _post(client, f"{proxy.url}/api/v2/send?cut=1000")  # read whole first: a 503 instead
        assert (small.status_code, small.headers[UPSTREAM_ERROR_HEADER]) == (503, "disconnected")
        with pytest.raises(httpx.RemoteProtocolError):  # streamed: the client's connection is dropped
            _post(client, f"{proxy.url}/api/v2/send?cut=200000")
        assert _post(client, f"{proxy.url}/api/v2/send?i=after").status_code == 200
    assert len(stub.received) == 3
