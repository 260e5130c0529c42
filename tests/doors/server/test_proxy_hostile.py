"""The proxy (and the stand-in, which shares its connections and gate) attacked as a real
deployment would be, over raw sockets on loopback: clients departing at every stage of a
streamed answer, compressed bodies (padding, many members, ratio bombs), absolute-form
targets and CONNECT, Content-Length with Transfer-Encoding and bad lengths, slow headers
and bodies, too many connections, keys in every encoding and place, doubled headers,
odd paths and methods, half-closed clients, departures mid-body.  After each, the proxy
serves the next request at once; nothing here takes more than a few seconds."""

from __future__ import annotations

import gzip
import logging
import socket
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from trackly_validate.doors.http.reader import BodyReader, reading
from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES
from trackly_validate.doors.server import ProxyServer, SandboxServer
from trackly_validate.doors.server.connections import Limits
from trackly_validate.doors.server.proxy import MARK_HEADER
from upstream_stub import UpstreamStub

KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
SEND = b'{"to": "+14155551234", "list_number": "+18005551000", "body": "x"}'
HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def stub():
    with UpstreamStub() as upstream:
        yield upstream


@pytest.fixture
def fresh(stub):
    with stub._lock:
        stub.received.clear()
    return stub


@pytest.fixture(scope="module")
def proxy(stub):
    limits = Limits(header_timeout=0.5, body_timeout=3.0, keep_alive=2.0, max_connections=200)
    with ProxyServer(stub.url, limits=limits) as server:
        yield server


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def request(path: str, body: bytes = SEND, *, method: str = "POST", headers: dict[str, str] | None = None,
            close: bool = True) -> bytes:
    headers = {"Content-Type": "application/json", **(headers or {})}
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", f"X-Api-Key: {KEY}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if "Transfer-Encoding" not in headers and "Content-Length" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def exchange(url: str, data: bytes, *, timeout: float = 5.0, half_close: bool = False) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    with socket.create_connection((HOST, _port(url)), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (ConnectionResetError, BrokenPipeError):  # the server stopped reading: read its answer
            pass
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        got = bytearray()
        try:
            while chunk := sock.recv(65536):
                got += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return bytes(got)


def status_of(answer: bytes) -> int | None:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


def healthy(url: str, stub: UpstreamStub) -> None:
    """The next ordinary request is forwarded and answered at once."""
    started = time.monotonic()
    r = httpx.post(f"{url}/api/v2/send?healthy=1", content=SEND,
                   headers={"X-Api-Key": KEY, "Content-Type": "application/json"}, timeout=3)
    assert r.status_code == 200 and MARK_HEADER not in r.headers, r.text
    assert time.monotonic() - started < 3
    assert stub.received[-1].target == "/api/v2/send?healthy=1"


# --- 1. departures never hold an upstream connection ---------------------------------------------------------

def _depart(url: str, stage: str, i: int) -> None:
    path = f"/api/v2/send?stream=40&pause=0.01&i={i}"
    with socket.create_connection((HOST, _port(url)), timeout=5) as sock:
        if stage == "pending":  # before the upstream answers
            sock.sendall(request(path.replace("stream=40", "delay=0.2&stream=40")))
        elif stage == "headers":  # after the answer's head
            sock.sendall(request(path))
            sock.recv(100)
        elif stage == "body":  # after part of the body
            sock.sendall(request(path))
            got = 0
            while got < 40000:
                got += len(sock.recv(65536))
        elif stage == "reset":  # an abortive close (RST) mid-body
            sock.sendall(request(path))
            sock.recv(20000)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def test_120_departures_at_every_stage_of_a_streamed_answer_hold_nothing(stub):
    """With a pool of 8 upstream connections, 120 clients leave mid-answer (30 at each
    stage); every slot comes back and the next request is served at once."""
    with ProxyServer(stub.url, pool_size=8) as proxy:
        stages = ["pending", "headers", "body", "reset"]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: _depart(proxy.url, stages[i % 4], i), range(120)))
        state = proxy.app.state.proxy
        deadline = time.monotonic() + 5
        while state._pool._slots._value != 8:  # the slots come back as the relays stop
            assert time.monotonic() < deadline, state._pool._slots._value
            time.sleep(0.05)
        healthy(proxy.url, stub)
        assert state.stats.departed["streamed answer"] >= 100


def test_clients_that_stop_reading_give_their_upstream_connection_back(stub):
    """Streamed answers of 32 MiB to clients that never read: after the read timeout the
    relay stops and the upstream connection is dropped (a pool of 2, 3 such clients)."""
    from trackly_validate.doors.server.proxy import Timeouts

    with ProxyServer(stub.url, pool_size=2, timeouts=Timeouts(connect=1, read=0.5)) as proxy:
        socks = []
        try:
            for i in range(3):
                sock = socket.create_connection((HOST, _port(proxy.url)), timeout=5)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(request(f"/api/v2/send?stream=2000&stalled={i}"))
                socks.append(sock)
                time.sleep(0.1)
            deadline = time.monotonic() + 6
            state = proxy.app.state.proxy
            while state.stats.departed["stalled reading"] < 3:
                assert time.monotonic() < deadline, state.stats.departed
                time.sleep(0.05)
            healthy(proxy.url, stub)
        finally:
            for sock in socks:
                sock.close()


# --- 2. compressed bodies ---------------------------------------------------------------------------------------

def test_gzip_padding_past_the_limit_is_413_and_never_forwarded(proxy, fresh):
    padded = gzip.compress(SEND) + b"\x00" * (MAX_PAYLOAD_BYTES + 1)
    answer = exchange(proxy.url, request("/api/v2/send", padded, headers={"Content-Encoding": "gzip"}))
    assert status_of(answer) == 413 and b'"payload_too_large"' in answer
    padded = gzip.compress(SEND) + b"\x00" * 1000  # within the limit: Node's gunzip ignores what follows
    answer = exchange(proxy.url, request("/api/v2/send", padded, headers={"Content-Encoding": "gzip"}))
    assert status_of(answer) == 200
    assert fresh.bodies() == [padded]  # as received


def test_many_empty_gzip_members_cost_little(proxy, fresh):
    empty = gzip.compress(b"", mtime=0)
    body = gzip.compress(SEND, mtime=0) + empty * ((MAX_PAYLOAD_BYTES - 100) // len(empty))
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    reader = BodyReader(reading({**headers, "content-length": str(len(body))}))
    started = time.thread_time()
    for i in range(0, len(body), 65536):
        reader.feed(body[i:i + 65536])
    assert reader.finish().json == SEND
    assert time.thread_time() - started < 1.0  # ~0.26 s: no copy of the rest of a chunk per member
    answer = exchange(proxy.url, request("/api/v2/send", body, headers={"Content-Encoding": "gzip"}), timeout=10)
    assert status_of(answer) == 200, answer[:300]
    over = body + empty * 10
    answer = exchange(proxy.url, request("/api/v2/send", over, headers={"Content-Encoding": "gzip"}), timeout=10)
    assert status_of(answer) == 413


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_ratio_bomb_stops_at_the_limit(proxy, fresh, encoding):
    inflated = b'{"to": "' + b"1" * (64 * 1024 * 1024) + b'"}'
    bomb = gzip.compress(inflated, compresslevel=9) if encoding == "gzip" else zlib.compress(inflated, 9)
    started = time.monotonic()
    answer = exchange(proxy.url, request("/api/v2/send", bomb, headers={"Content-Encoding": encoding}))
    assert status_of(answer) == 413 and time.monotonic() - started < 5
    assert fresh.received == []


# --- 3. absolute-form and CONNECT ------------------------------------------------------------------------------

def test_an_absolute_form_target_is_judged_on_its_pathname(proxy, fresh):
    answer = exchange(proxy.url, request("http://elsewhere.example/api/v2/send", b"{}"))
    assert status_of(answer) == 400 and b'"missing_to"' in answer
    answer = exchange(proxy.url, request("http://elsewhere.example/api/v2/send?a=1"))
    assert status_of(answer) == 200
    assert [r.target for r in fresh.received] == ["/api/v2/send?a=1"]


def test_connect_closes_the_connection_unanswered(proxy, fresh):
    answer = exchange(proxy.url, b"CONNECT elsewhere.example:443 HTTP/1.1\r\nHost: elsewhere.example:443\r\n\r\n")
    assert answer == b""
    assert fresh.received == []
    healthy(proxy.url, fresh)


# --- 4. smuggling and lengths -------------------------------------------------------------------------------------

SMUGGLED = request("/api/v2/send?second=1", close=False)


@pytest.mark.parametrize("what, head", [
    ("CL and TE", "Content-Length: 4\r\nTransfer-Encoding: chunked"),
    ("TE and CL", "Transfer-Encoding: chunked\r\nContent-Length: 4"),
    ("two lengths", "Content-Length: 4\r\nContent-Length: 5"),
    ("a length that is no number", "Content-Length: 4x"),
    ("a negative length", "Content-Length: -4"),
    ("TE not chunked last", "Transfer-Encoding: chunked, identity"),
])
def test_ambiguous_framing_is_400_and_the_connection_closed(proxy, fresh, what, head):
    first = (f"POST /api/v2/send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nX-Api-Key: {KEY}\r\n"
             f"{head}\r\n\r\n0\r\n\r\n").encode()
    answer = exchange(proxy.url, first + SMUGGLED)
    assert status_of(answer) == 400 and answer.count(b"HTTP/1.1") == 1, answer
    assert fresh.received == []  # neither the first nor the smuggled one


@pytest.mark.parametrize("shape", ["one long header", "many headers", "a long target"])
def test_headers_past_16_kib_are_431_as_node_answers(proxy, fresh, shape):
    if shape == "one long header":
        data = request("/api/v2/send", headers={"X-Long": "a" * 20000})
    elif shape == "many headers":
        data = request("/api/v2/send", headers={f"X-H{i}": "b" * 50 for i in range(400)})
    else:
        data = request("/api/v2/send?q=" + "c" * 20000)
    answer = exchange(proxy.url, data)
    assert status_of(answer) == 431
    endless = b"POST /api/v2/send HTTP/1.1\r\nX-Long: " + b"d" * (10 * 1024 * 1024)  # never ends
    answer = exchange(proxy.url, endless)
    assert status_of(answer) == 431
    just_under = request("/api/v2/send", headers={"X-Long": "e" * 15000})
    assert status_of(exchange(proxy.url, just_under)) == 200
    assert len(fresh.received) == 1


@pytest.mark.parametrize("framing", ["an endless chunk extension", "an endless trailer"])
def test_chunk_framing_past_16_kib_is_431(proxy, fresh, framing):
    head = request("/api/v2/send", b"", headers={"Transfer-Encoding": "chunked"})
    tail = (b"5;ext=" + b"x" * (8 * 1024 * 1024)) if framing == "an endless chunk extension" else \
        (b"2\r\n{}\r\n0\r\nX-Trailer: " + b"y" * (8 * 1024 * 1024))
    answer = exchange(proxy.url, head + tail)
    assert status_of(answer) == 431
    assert fresh.received == []
    healthy(proxy.url, fresh)


def test_an_unread_chunked_body_goes_on_chunked(proxy, fresh):
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    answer = exchange(proxy.url, request("/api/v2/offers/abc", body, method="PUT",
                                         headers={"Transfer-Encoding": "chunked", "Content-Type": "text/plain"}))
    assert status_of(answer) == 200
    [got] = fresh.received
    assert got.body == b"hello world" and got.header("content-length") is None
    assert got.header("transfer-encoding") == "chunked"


# --- 5. slow clients and too many connections --------------------------------------------------------------------

def test_slow_headers_and_slow_bodies_are_408_and_closed(proxy, fresh):
    socks = []
    try:
        for i in range(50):  # 25 never finish their headers, 25 never finish their bodies
            sock = socket.create_connection((HOST, _port(proxy.url)), timeout=5)
            data = request("/api/v2/send") if i % 2 else b"POST /api/v2/send HTTP/1.1\r\nHost: x\r\n"
            sock.sendall(data[:-10] if i % 2 else data)
            socks.append(sock)
        healthy(proxy.url, fresh)  # served meanwhile
        started = time.monotonic()
        answers = []
        for sock in socks:
            got = bytearray()
            while chunk := sock.recv(4096):
                got += chunk
            answers.append(bytes(got))
        assert time.monotonic() - started < 6  # the body timeout is 3 s here
    finally:
        for sock in socks:
            sock.close()
    assert all(status_of(a) == 408 for a in answers), {a[:40] for a in answers}
    assert [r.target for r in fresh.received] == ["/api/v2/send?healthy=1"]


def test_slow_headers_of_a_second_request_on_a_connection_are_408(proxy, fresh):
    with socket.create_connection((HOST, _port(proxy.url)), timeout=5) as sock:
        sock.sendall(request("/api/v2/send", close=False))
        assert status_of(sock.recv(65536)) == 200
        sock.sendall(b"POST /api/v2/send HTTP/1.1\r\nHost: x\r\n")
        got = bytearray()
        while chunk := sock.recv(4096):
            got += chunk
        assert status_of(bytes(got)) == 408


def test_an_idle_keep_alive_connection_is_closed(proxy, fresh):
    with socket.create_connection((HOST, _port(proxy.url)), timeout=5) as sock:
        sock.sendall(request("/api/v2/send", close=False))
        assert status_of(sock.recv(65536)) == 200
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server after keep_alive (2 s here)
        assert 1.5 < time.monotonic() - started < 6


def test_connections_past_the_limit_are_answered_503_at_once(stub):
    with ProxyServer(stub.url, limits=Limits(max_connections=20, header_timeout=5)) as proxy:
        socks = [socket.create_connection((HOST, _port(proxy.url)), timeout=5) for _ in range(30)]
        try:
            refused: set[int] = set()
            deadline = time.monotonic() + 5
            while len(refused) < 10 and time.monotonic() < deadline:  # the server accepts them in its time
                for i, sock in enumerate(socks):
                    sock.settimeout(0.01)
                    try:
                        if sock.recv(100).startswith(b"HTTP/1.1 503"):
                            refused.add(i)
                    except (socket.timeout, BlockingIOError):
                        pass
            time.sleep(0.2)
            for i, sock in enumerate(socks):  # the first 20 are still open, waiting for their request
                if i not in refused:
                    with pytest.raises(socket.timeout):
                        sock.recv(100)
            assert len(refused) == 10
        finally:
            for sock in socks:
                sock.close()
        time.sleep(0.2)
        healthy(proxy.url, stub)


# --- 6. keys in every encoding and place ------------------------------------------------------------------------

ENCODED_KEYS = [KEY.replace("_", "%5F"), KEY.replace("_", "%5f"), KEY.replace("_", "%255F"),
                "%74%72%6B%5F" + KEY[4:], KEY[:10] + "%" + KEY[10:12].encode().hex() + KEY[12:]]


def test_no_key_in_any_encoding_reaches_the_log_or_the_answers(stub, caplog):
    down = UpstreamStub().start()
    url = down.url
    down.stop()
    caplog.set_level(logging.DEBUG)
    texts = []
    with ProxyServer(url, limits=Limits(header_timeout=0.3)) as proxy:
        for encoded in ENCODED_KEYS:
            for path in (f"/api/v2/creatives/{encoded}", f"/api/v3/x?key={encoded}", f"/{encoded}/x"):
                r = httpx.post(proxy.url + path, content=b'{"k": "trk\\u005f' + KEY[4:].encode() + b'"}',
                               headers={"Content-Type": "application/json", "X-Api-Key": KEY})
                assert r.status_code == 503
                texts.append(r.text)
        exchange(proxy.url, f"GET /{ENCODED_KEYS[0]} HTTP/1.1\r\nX-Api-Key: {KEY}\r\n".encode())  # times out
        texts.append(httpx.get(proxy.url + "/_proxy/stats").text)
    logged = [r.getMessage() for r in caplog.records if r.name.startswith(("trackly_validate", "uvicorn", "asyncio"))]
    out = "\n".join(logged) + "".join(texts)
    assert "upstream connect_failed" in out
    for secret in (KEY, KEY[4:], KEY[4:20], *ENCODED_KEYS):
        assert secret not in out


def test_the_stand_ins_request_log_holds_no_key_in_any_encoding():
    with SandboxServer() as sandbox:
        for encoded in ENCODED_KEYS:
            httpx.post(f"{sandbox.url}/api/v2/creatives/{encoded}?key={encoded}",
                       content=b'{"name": "trk\\u005f' + KEY[4:].encode() + b'"}',
                       headers={"Content-Type": "application/json", "X-Api-Key": KEY})
        log = httpx.get(f"{sandbox.url}/_sandbox/requests").text
    for secret in (KEY, KEY[4:], KEY[4:20], *ENCODED_KEYS):
        assert secret not in log


# --- 7. answers as Node's -----------------------------------------------------------------------------------------

def test_a_doubled_key_is_the_two_joined_as_node_joins_them(proxy, fresh):
    data = request("/api/v2/send").replace(b"Connection: close", b"X-Api-Key: junk\r\nConnection: close")
    answer = exchange(proxy.url, data)
    assert status_of(answer) == 401 and b'"invalid_api_key"' in answer and b"x-trackly-validate: local" in answer.lower()
    assert fresh.received == []


def test_other_doubled_headers_as_node_reads_them(proxy, fresh):
    # Content-Type: Node keeps the first (JSON here: read and judged)
    data = request("/api/v2/send", b"{}").replace(b"Connection: close", b"Content-Type: text/plain\r\nConnection: close")
    answer = exchange(proxy.url, data)
    assert status_of(answer) == 400 and b'"missing_to"' in answer
    # Content-Encoding: joined ("gzip, gzip"), an encoding body-parser does not know: 415
    body = gzip.compress(SEND)
    data = request("/api/v2/send", body, headers={"Content-Encoding": "gzip"}).replace(
        b"Connection: close", b"Content-Encoding: gzip\r\nConnection: close")
    answer = exchange(proxy.url, data)
    assert status_of(answer) == 415 and b'gzip, gzip' in answer
    assert fresh.received == []


def test_odd_paths_and_methods(proxy, fresh):
    # an empty segment matches no Express route: not judged here, the API answers it (404)
    answer = exchange(proxy.url, request("/api//v2/send", b"{}"))
    assert status_of(answer) == 200 and fresh.received[-1].target == "/api//v2/send"
    answer = exchange(proxy.url, request("/api/v2/send/", b"{}"))  # one trailing slash: the route
    assert status_of(answer) == 400 and b'"missing_to"' in answer
    answer = exchange(proxy.url, request("/api/v2/send", b"", method="TRACE"))
    assert status_of(answer) == 200 and fresh.received[-1].method == "TRACE"  # passed through, as any method


@pytest.mark.parametrize("upgrade", ["h2c", "websocket"])
def test_an_upgrade_nobody_serves_is_a_plain_request_body_included(proxy, fresh, upgrade):
    """Node without an 'upgrade' listener reads the request as any other (llhttp alone
    would stop at the headers and lose the body); the next request on the connection too."""
    head, body = request("/api/v2/send?up=1", close=False).split(b"\r\n\r\n", 1)
    head += f"\r\nConnection: keep-alive, Upgrade\r\nUpgrade: {upgrade}\r\n\r\n".encode()
    with socket.create_connection((HOST, _port(proxy.url)), timeout=5) as sock:
        sock.sendall(head)
        time.sleep(0.05)
        sock.sendall(body)  # the body in a packet of its own
        assert status_of(sock.recv(65536)) == 200
        sock.sendall(request("/api/v2/send?next=1"))
        assert status_of(sock.recv(65536)) == 200
    assert [(r.target, r.body, r.header("upgrade")) for r in fresh.received] == [
        ("/api/v2/send?up=1", SEND, None), ("/api/v2/send?next=1", SEND, None)]


def test_the_stand_in_answers_odd_paths_and_methods_as_express():
    with SandboxServer() as sandbox:
        for method, path in (("POST", "/api//v2/send"), ("TRACE", "/api/v2/send"), ("POST", "//api/v2/send")):
            r = httpx.request(method, sandbox.url + path, content=SEND,
                              headers={"X-Api-Key": KEY, "Content-Type": "application/json"})
            assert (r.status_code, r.json()["code"]) == (404, "not_found"), (method, path)
        answer = exchange(sandbox.url, b"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n")
        assert answer == b""
        answer = exchange(sandbox.url, request("http://elsewhere.example/api/v2/send", b"{}"))
        assert status_of(answer) == 400 and b'"missing_to"' in answer


# --- 8. half-close, departures mid-body, quiet logs ---------------------------------------------------------------

def test_a_half_closed_client_gets_its_answer(proxy, fresh):
    answer = exchange(proxy.url, request("/api/v2/send?half=1", close=False), half_close=True)
    assert status_of(answer) == 200 and b'"received"' in answer
    answer = exchange(proxy.url, request("/api/v2/send", b'{"to": "+1"}', close=False), half_close=True)
    assert status_of(answer) == 400
    assert [r.target for r in fresh.received] == ["/api/v2/send?half=1"]


def test_departures_mid_body_are_one_quiet_line_and_never_forwarded(proxy, fresh, caplog):
    caplog.set_level(logging.INFO)
    for i in range(60):
        data = request(f"/api/v2/send?i={i}", SEND + b" " * 1000)
        kind = i % 3
        with socket.create_connection((HOST, _port(proxy.url)), timeout=5) as sock:
            if kind == 2:  # an unread type, streamed on: cut off mid-stream
                data = data.replace(b"application/json", b"text/plain")
            sock.sendall(data[:len(data) - 500])
            if kind == 1:
                sock.shutdown(socket.SHUT_WR)  # half-closed mid-body: gone
            time.sleep(0.005)
    time.sleep(0.3)
    healthy(proxy.url, fresh)
    assert [r.target for r in fresh.received] == ["/api/v2/send?healthy=1"]
    records = [r for r in caplog.records if r.name.startswith(("uvicorn", "trackly_validate", "asyncio"))]
    assert not any(r.exc_info for r in records)
    assert len(records) <= 5, [r.getMessage() for r in records]


def test_an_outage_is_logged_once_with_counts(caplog):
    down = UpstreamStub().start()
    url = down.url
    down.stop()
    caplog.set_level(logging.INFO)
    with ProxyServer(url) as proxy, httpx.Client() as client:
        for _ in range(50):
            client.post(f"{proxy.url}/api/v2/send", content=SEND,
                        headers={"X-Api-Key": KEY, "Content-Type": "application/json"})
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("upstream connect_failed")]
    assert lines[0].startswith("upstream connect_failed: POST /api/v2/send")
    assert lines[1:] == ["upstream connect_failed: +49 more since the last line"]


# --- the upstream client ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [10, 200_000])
def test_an_answer_ended_by_closing_comes_back_whole(proxy, fresh, size):
    r = httpx.post(f"{proxy.url}/api/v2/send?eof={size}", content=SEND,
                   headers={"X-Api-Key": KEY, "Content-Type": "application/json"}, timeout=10)
    assert (r.status_code, r.content) == (200, b"e" * size)
    healthy(proxy.url, fresh)  # the closed connection was not reused


def test_a_large_streamed_upload_and_answer_pass_through_many_times(proxy, fresh):
    """Flow control both ways: 4 MiB up (chunked, an unread type) and 1 MiB down, 5 times
    on one client connection, then the pool is whole."""
    with httpx.Client(timeout=20) as client:
        for i in range(5):
            upload = (bytes([65 + i]) * 65536 for _ in range(64))
            r = client.put(f"{proxy.url}/api/v2/offers/abc?stream=64&i={i}", content=upload,
                           headers={"X-Api-Key": KEY, "Content-Type": "text/plain"})
            assert r.status_code == 200 and r.content == b"s" * 16384 * 64
            assert fresh.received[-1].body == bytes([65 + i]) * 65536 * 64
    state = proxy.app.state.proxy
    assert state._pool._slots._value == state.max_connections


def test_an_https_upstream(tmp_path, monkeypatch):
    """The upstream client over TLS (the real API's scheme): a local HTTPS stub with a
    certificate made here, trusted by the proxy for this test; keep-alive reuse and a
    streamed answer too."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    import trackly_validate.doors.server.upstream as upstream_module

    monkeypatch.setattr(upstream_module, "_ssl_context", lambda: ssl.create_default_context(cafile=str(cert)))
    with UpstreamStub(ssl=server_side) as tls, ProxyServer(tls.url) as proxy, httpx.Client(timeout=10) as client:
        for i in range(3):
            r = client.post(f"{proxy.url}/api/v2/send?i={i}", content=SEND,
                            headers={"X-Api-Key": KEY, "Content-Type": "application/json"})
            assert r.status_code == 200 and r.json() == {"received": i + 1}
        r = client.post(f"{proxy.url}/api/v2/send?stream=20", content=SEND,
                        headers={"X-Api-Key": KEY, "Content-Type": "application/json"})
        assert r.content == b"s" * 16384 * 20
        assert tls.received[0].header("host") == tls.url[8:]
