"""``trackly-validate serve`` as a process: a port in use is one line and exit 2 with
nothing printed as if it had started; SIGINT with a client holding a request mid-body
exits within the shutdown deadline; ``--db`` keeps the state across the restart."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from trackly_validate.doors.server.cli import serve_command
from trackly_validate.doors.server.runner import DEFAULT_PORT, SHUTDOWN_SECONDS

KEY = {"X-Api-Key": "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"}


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = io.StringIO()
        assert serve_command(port=port, err=err) == 2
    assert err.getvalue().count("\n") == 1 and f"port {port} on 127.0.0.1 is in use" in err.getvalue()
    assert "sandbox on" not in err.getvalue()
    assert DEFAULT_PORT == 4787


def _start(port: int, *args: str) -> subprocess.Popen[str]:
    code = "import sys; from trackly_validate.doors.cli import main; sys.exit(main())"
    process = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", str(port), *args],
                               stderr=subprocess.PIPE, text=True, env={**os.environ})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json")
            return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(process.communicate()[1])


def test_sigint_with_a_client_mid_body_exits_and_db_keeps_the_state(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = str(tmp_path / "state.db")
    process = _start(port, "--db", db)
    offer = httpx.post(f"http://127.0.0.1:{port}/api/v2/offers", headers=KEY,
                       json={"name": "kept", "tracking_url": "https://example.com/"}).json()["offer"]
    held = socket.create_connection(("127.0.0.1", port))
    held.sendall(b"POST /api/v2/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100\r\n\r\n{")
    time.sleep(0.2)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=SHUTDOWN_SECONDS + 10) == 0
    assert time.monotonic() - started < SHUTDOWN_SECONDS + 3
    held.close()
    process = _start(port, "--db", db)
    try:
        again = httpx.get(f"http://127.0.0.1:{port}/api/v2/offers/{offer['id']}", headers=KEY)
        assert again.json() == offer
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=SHUTDOWN_SECONDS + 10)


def test_a_database_that_cannot_be_used_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "not-a-db"
    bad.write_bytes(b"this is not SQLite" * 100)
    err = io.StringIO()
    assert serve_command(port=0, db=str(bad), err=err) == 2
    assert err.getvalue().startswith(f"cannot use the database {bad}:") and err.getvalue().count("\n") == 1
    err = io.StringIO()
    assert serve_command(port=0, reset=True, err=err) == 2 and "--reset" in err.getvalue()
