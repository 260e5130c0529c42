"""``trackly-validate openapi`` and ``trackly-validate serve``: the proxy run as a process
(options from --options @file and --disable take effect; no API key in anything it
writes, wherever the requests carry one; counts logged at shutdown), ``--options``
parsing, and wrong arguments exiting 2."""

from __future__ import annotations

import json

import pytest

import trackly_validate as tv
from test_proxy import CLIENT, KEY, UpstreamStub, cli_proxy
from trackly_validate.doors.cli import main
from trackly_validate.doors.server.cli import options_from

OTHER_KEY = "trk_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4"
SEND = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}


def test_the_proxy_process_never_shows_a_key_and_logs_its_counts(tmp_path):
    options = tmp_path / "options.json"
    options.write_text(json.dumps({"allowed_countries": ["US"]}))
    stub = UpstreamStub().start()
    with cli_proxy(stub.url, "--options", f"@{options}", "--disable", "invalid_audience_id") as proxy:
        def call(method, path, body, key=KEY):
            return CLIENT.request(method, f"{proxy.url}{path}", json=body, headers={"X-Api-Key": key})

        assert call("POST", f"/api/v2/send?api_key={OTHER_KEY}", {**SEND, "metadata": {"k": OTHER_KEY}}
                    ).status_code == 200
        geo = call("POST", "/api/v2/send", {**SEND, "to": "+447400123456", "body": OTHER_KEY})
        assert (geo.status_code, geo.json()["code"], geo.json()["error"]) == (403, "geo_restricted", C_GEO)
        assert call("PUT", "/api/v2/audiences/12", {"name": OTHER_KEY}).status_code == 200  # rule disabled
        bad_key = call("POST", "/api/v2/send", SEND, key=OTHER_KEY[:-1] + "!")
        assert (bad_key.status_code, bad_key.json()["code"]) == (401, "invalid_api_key")
        stub.stop()
        down = call("POST", f"/api/v2/creatives/{OTHER_KEY}?key={KEY}", {"name": KEY})
        assert call("PUT", f"/api/v2/creatives/{OTHER_KEY}?key={KEY}", {"name": KEY}).status_code == 503
        assert down.status_code == 503  # unmodelled (POST with an id) passed through, upstream down
        texts = [r.text for r in (geo, bad_key, down)]
    out = proxy.output
    for secret in (KEY, OTHER_KEY, KEY[4:], OTHER_KEY[4:], OTHER_KEY[4:-1]):
        assert secret not in out and all(secret not in t for t in texts)
    assert [r.target.split("?")[0] for r in stub.received] == ["/api/v2/send", "/api/v2/audiences/12"]
    assert stub.received[0].header("x-api-key") == KEY and OTHER_KEY.encode() in stub.received[0].body
    # one line per class of event, rate-limited: the second failure is counted at shutdown
    assert "upstream connect_failed: POST /api/v2/creatives/trk_*** " in out
    assert "upstream connect_failed: +1 more since the last line" in out
    counts = json.loads(out.split("stats at shutdown: ", 1)[1].splitlines()[0])
    assert counts["answered_locally"] == {"total": 2, "by_code": {"geo_restricted": 1, "invalid_api_key": 1}}
    assert counts["forwarded"]["by_status"] == {"200": 2}
    assert counts["upstream_errors"]["by_kind"] == {"connect_failed": 2}


C_GEO = tv.check("POST", "/v2/send", {**SEND, "to": "+447400123456"},
                 options=tv.Options(allowed_countries={"US"}))[0].error


def test_openapi_prints_the_document(capsys):
    assert main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(tv.openapi()))


WRONG = [
    (["serve", "--options", "{"], "--options is not JSON"),
    (["serve", "--options", "[1]"], "must be a JSON object"),
    (["serve", "--options", '{"phone": "valid"}'], "unknown option(s) phone"),
    (["serve", "--options", '{"disable": ["no_such_code"]}'], "unknown error code(s) in disable: no_such_code"),
    (["serve", "--options", "@/nonexistent/options.json"], "cannot read the options file"),
    (["serve", "--phone-level", "strict"], "phone_level must be one of"),
    (["serve", "--upstream", "ftp://example.com"], "http:// or https:// URL"),
    (["serve", "--upstream", "http://example.com", "--seed", "1"], "--fixtures and --seed"),
    (["serve", "--upstream", "http://example.com", "--timeout", "0"], "positive number of seconds"),
    (["serve", "--timeout", "3"], "apply to the proxy"),
]


@pytest.mark.parametrize(("argv", "message"), WRONG, ids=[" ".join(a[1:]) for a, _ in WRONG])
def test_wrong_arguments_exit_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


OPTIONS = [
    ((None, None, None), None),
    (('{"phone_level": "valid"}', None, None), tv.Options(phone_level="valid")),
    (('{"phone_level": "valid", "disable": "invalid_audience_id"}', "format", ["missing_body"]),
     tv.Options(phone_level="format", disable={"invalid_audience_id", "missing_body"})),
    ((None, None, ["missing_body"]), tv.Options(disable={"missing_body"})),
    (('{"allowed_countries": ["us"], "block_voip": true, "widen": {"count_operator": ["neq"]}, "max_depth": 5}',
      None, None), tv.Options(allowed_countries={"US"}, block_voip=True, widen={"count_operator": {"neq"}},
                              max_depth=5)),
]


@pytest.mark.parametrize(("args", "expected"), OPTIONS)
def test_options_from_the_command_line(args, expected):
    assert options_from(*args) == expected


def test_options_from_a_file(tmp_path):
    path = tmp_path / "o.json"
    path.write_text('{"validation_cap": 10, "require_consent_method": true}')
    assert options_from(f"@{path}") == tv.Options(validation_cap=10, require_consent_method=True)


def test_workers_serve_one_port_with_the_limits_given():
    """--workers 2: two processes behind one port, each with the connection limits of the
    command line (a slow client gets 408 after --header-timeout) and its own log lines."""
    import socket
    import time

    with UpstreamStub() as stub, cli_proxy(stub.url, "--workers", "2", "--header-timeout", "0.5") as proxy:
        for i in range(20):
            r = CLIENT.post(f"{proxy.url}/api/v2/send?i={i}", json=SEND, headers={"X-Api-Key": KEY})
            assert r.status_code == 200
        host, port = proxy.url[7:].split(":")
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(b"POST /api/v2/send HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            assert sock.recv(100).startswith(b"HTTP/1.1 408")
            assert time.monotonic() - started < 2
    assert len(stub.received) == 20
    assert proxy.output.count("proxy for http://127.0.0.1") == 2  # each worker's start line


@pytest.mark.parametrize("args", [["--header-timeout", "0"], ["--max-connections", "0"], ["--workers", "2"]])
def test_wrong_limits_exit_2(args, capsys):
    assert main(["serve", *args]) == 2  # --workers without --upstream, limits not positive


def test_out_of_file_descriptors_the_proxy_stays_quiet_and_recovers():
    """64 file descriptors (hard limit) and 120 connections that never send their headers:
    no traceback loop in the log, and once they time out the proxy serves again."""
    import resource
    import socket
    import subprocess
    import sys
    import time

    from trackly_validate.doors.server.runner import free_port

    port = free_port()
    code = "import sys; from trackly_validate.doors.cli import main; sys.exit(main(sys.argv[1:]))"
    with UpstreamStub() as stub:
        process = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--upstream", stub.url, "--port", str(port), "--header-timeout", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64)))
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
            socks = []
            for _ in range(120):
                try:
                    socks.append(socket.create_connection(("127.0.0.1", port), timeout=2))
                except OSError:
                    break
            time.sleep(2.5)
            for sock in socks:
                sock.close()
            time.sleep(0.3)
            r = CLIENT.post(f"http://127.0.0.1:{port}/api/v2/send", json=SEND, headers={"X-Api-Key": KEY})
            assert r.status_code == 200
        finally:
            process.send_signal(2)
            output = process.communicate(timeout=20)[0]
    assert "Traceback" not in output and len(output) < 3000, output[:3000]
