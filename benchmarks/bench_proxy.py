"""The validating proxy: the latency it adds and its throughput.

Three processes on loopback, as a user runs them: the upstream stub of the tests
(``tests/test_proxy.py``: HTTP/1.1 on asyncio + h11, answers 200 at once), the proxy
as the CLI starts it (``trackly-validate serve --upstream``), and the clients (here,
``http.client`` over keep-alive connections: light, so the client is not what is measured).

- latency: one request at a time, ``POST /api/v2/send`` with a valid body, rounds that
  alternate calling the stub directly and through the proxy (same machine weather);
  median and p99 of each, and the difference (what the proxy adds: receive, check,
  forward, relay).  Also a refused body, answered by the proxy alone.
- throughput: 20 concurrent clients, requests per second directly and through the proxy
  (valid bodies, all forwarded), and refused bodies (answered locally); on this machine's
  cores (2 here), shared by the three processes.

Run: ``python benchmarks/bench_proxy.py [--quick]``.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # the docs' example key
GOOD = json.dumps({"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}).encode()
BAD = json.dumps({"to": "+1415", "list_number": "+18005551000", "body": "Hello"}).encode()
HEADERS = {"Content-Type": "application/json", "X-Api-Key": KEY}
CLIENTS = 20

STUB = """
import sys, time
sys.path.insert(0, {tests!r})
from test_proxy import UpstreamStub
stub = UpstreamStub({port}).start()
print("ready", flush=True)
sys.stdin.read()
stub.stop()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("a server of the benchmark did not start")
            time.sleep(0.05)


def _call(conn: http.client.HTTPConnection, body: bytes) -> int:
    conn.request("POST", "/api/v2/send", body=body, headers=HEADERS)
    response = conn.getresponse()
    response.read()
    return response.status


def latencies(port: int, body: bytes, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(50):  # warm-up: connection open, validators built
        _call(conn, body)
    out = []
    for _ in range(n):
        start = time.perf_counter()
        _call(conn, body)
        out.append(time.perf_counter() - start)
    conn.close()
    return out


def throughput(port: int, body: bytes, n: int) -> tuple[float, int]:
    """Requests per second of ``CLIENTS`` threads, each over its own keep-alive connection;
    and how many answers were 5xx."""
    local = threading.local()

    def one(_: int) -> int:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port)
        return _call(local.conn, body)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one, range(CLIENTS * 5)))  # warm-up: every client connected
        start = time.perf_counter()
        statuses = list(pool.map(one, range(n)))
        took = time.perf_counter() - start
    return n / took, sum(s >= 500 for s in statuses)


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def main() -> dict[str, Any]:
    quick = "--quick" in sys.argv
    rounds, per_round, load = (5, 100, 2000) if quick else (10, 200, 10_000)
    stub_port, proxy_port = _free_port(), _free_port()
    stub = subprocess.Popen([sys.executable, "-c", STUB.format(tests=str(ROOT / "tests"), port=stub_port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    code = "import sys; from trackly_validate.cli import main; sys.exit(main(sys.argv[1:]))"
    proxy = subprocess.Popen([sys.executable, "-c", code, "serve", "--upstream", f"http://127.0.0.1:{stub_port}",
                              "--port", str(proxy_port)], stderr=subprocess.DEVNULL)
    try:
        _wait(stub_port, stub)
        _wait(proxy_port, proxy)
        direct: list[float] = []
        through: list[float] = []
        for _ in range(rounds):
            direct += latencies(stub_port, GOOD, per_round)
            through += latencies(proxy_port, GOOD, per_round)
        local = latencies(proxy_port, BAD, rounds * per_round)
        rate_direct, _ = throughput(stub_port, GOOD, load)
        rate_proxy, errors = throughput(proxy_port, GOOD, load)
        rate_local, local_errors = throughput(proxy_port, BAD, load)
    finally:
        proxy.send_signal(2)
        proxy.wait(20)
        stub.communicate("", timeout=20)
    result = {
        "direct_median": statistics.median(direct), "direct_p99": p99(direct),
        "proxy_median": statistics.median(through), "proxy_p99": p99(through),
        "local_median": statistics.median(local), "local_p99": p99(local),
        "rate_direct": rate_direct, "rate_proxy": rate_proxy, "rate_local": rate_local,
        "errors": errors + local_errors,
    }
    r = result
    print(f"proxy benchmark{' (quick)' if quick else ''}: {len(direct)} sequential requests each way, "
          f"{load:,} requests per throughput run, {CLIENTS} clients, nproc {os.cpu_count()}")
    print()
    print("| POST /api/v2/send | direct to the stub | through the proxy | added by the proxy |")
    print("|---|---|---|---|")
    print(f"| latency, median (valid: forwarded) | {ms(r['direct_median'])} | {ms(r['proxy_median'])} | "
          f"+{ms(r['proxy_median'] - r['direct_median'])} |")
    print(f"| latency, p99 (valid: forwarded) | {ms(r['direct_p99'])} | {ms(r['proxy_p99'])} | "
          f"+{ms(r['proxy_p99'] - r['direct_p99'])} |")
    print(f"| latency, median / p99 (refused: answered locally) | — | {ms(r['local_median'])} / "
          f"{ms(r['local_p99'])} | |")
    print(f"| throughput, {CLIENTS} clients (valid: forwarded) | {r['rate_direct']:,.0f} req/s | "
          f"{r['rate_proxy']:,.0f} req/s | |")
    print(f"| throughput, {CLIENTS} clients (refused: answered locally) | — | {r['rate_local']:,.0f} req/s | |")
    print(f"\n5xx answers from the proxy during the throughput runs: {r['errors']}")
    return result


if __name__ == "__main__":
    main()
