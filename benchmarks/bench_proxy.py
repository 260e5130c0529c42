"""The validating proxy in front of a Node upstream: forwarded requests per second with 20
clients next to the same clients calling the upstream directly, and the latency the
proxy adds for one client (p50, p99).

Processes on loopback, as a user runs them:

- the upstream: ``benchmarks/node_upstream.js``, a Node HTTP server that reads each body
  and answers 200 JSON (what an Express API costs at least);
- the proxy as the CLI starts it (``trackly-validate serve --upstream``), one process, then
  ``--workers 2``;
- the clients: ``benchmarks/node_load.js`` (Node, keep-alive, one request at a time per
  client, for a fixed time), and for comparison with earlier figures 20 Python threads
  with ``http.client`` (a slower client: the upstream alone then serves what they ask).

Latency: rounds of one second that alternate calling the upstream directly and through the
proxy (same machine weather); p50 and p99 of each and the difference.  Throughput:
``POST /api/v2/send`` with a valid body (forwarded) and with a refused one (answered by
the proxy alone).  Everything shares this machine's cores (2 here) with the clients.

Run: ``python benchmarks/bench_proxy.py [--quick]``.  Needs ``node`` on the PATH.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # the docs' example key
GOOD = json.dumps({"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}).encode()
HEADERS = {"Content-Type": "application/json", "X-Api-Key": KEY}
CLIENTS = 20


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


def load(port: int, clients: int, seconds: float, body: str = "good", warmup: float = 1.0) -> dict[str, Any]:
    """``node_load.js``: requests per second and latencies of ``clients`` keep-alive clients."""
    out = subprocess.run(["node", str(HERE / "node_load.js"), str(port), str(clients), str(seconds), str(warmup),
                          body], capture_output=True, text=True, check=True, timeout=seconds + warmup + 60)
    return dict(json.loads(out.stdout))


def python_clients(port: int, n: int) -> float:
    """Requests per second of 20 ``http.client`` threads (the clients of the earlier figures)."""
    local = threading.local()

    def one(_: int) -> int:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port)
        local.conn.request("POST", "/api/v2/send", body=GOOD, headers=HEADERS)
        response = local.conn.getresponse()
        response.read()
        return response.status

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one, range(CLIENTS * 5)))
        start = time.perf_counter()
        list(pool.map(one, range(n)))
        return n / (time.perf_counter() - start)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``), its children excluded."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proxy(upstream_port: int, port: int, *extra: str) -> subprocess.Popen:
    code = "import sys; from trackly_validate.doors.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, "serve", "--upstream", f"http://127.0.0.1:{upstream_port}",
                             "--port", str(port), *extra], stderr=subprocess.DEVNULL)


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(2)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def measure(upstream_port: int, quick: bool, *extra: str) -> dict[str, Any]:
    seconds, rounds = (3, 3) if quick else (8, 6)
    port = _free_port()
    proxy = _proxy(upstream_port, port, *extra)
    try:
        _wait(port, proxy)
        time.sleep(0.5 if not extra else 2.0)  # workers started
        direct = load(upstream_port, CLIENTS, seconds)
        cpu = cpu_seconds(proxy.pid)
        through = load(port, CLIENTS, seconds)
        cpu_through = cpu_seconds(proxy.pid) - cpu
        local = load(port, CLIENTS, seconds, "bad")
        cpu_local = cpu_seconds(proxy.pid) - cpu - cpu_through
        one_direct: list[dict[str, Any]] = []
        one_through: list[dict[str, Any]] = []
        for _ in range(rounds):
            one_direct.append(load(upstream_port, 1, 1, warmup=0.2))
            one_through.append(load(port, 1, 1, warmup=0.2))
    finally:
        _stop(proxy)

    def mid(runs: list[dict[str, Any]], key: str) -> float:
        values = sorted(r[key] for r in runs)
        return float(values[len(values) // 2])

    # the warm-up second of each run is in the CPU time too: counted at the run's rate
    per = {"cpu_forwarded_us": cpu_through / (through["requests"] * (1 + 1.0 / seconds)) * 1e6,
           "cpu_local_us": cpu_local / (local["requests"] * (1 + 1.0 / seconds)) * 1e6} if not extra else {}
    return {"direct": direct, "through": through, "local": local, **per,
            "p50_direct": mid(one_direct, "p50_ms"), "p99_direct": mid(one_direct, "p99_ms"),
            "p50_through": mid(one_through, "p50_ms"), "p99_through": mid(one_through, "p99_ms"),
            "errors": through["errors"] + local["errors"]}


def main() -> dict[str, Any]:
    quick = "--quick" in sys.argv
    if shutil.which("node") is None:
        print("proxy benchmark: skipped (node is not on the PATH)")
        return {}
    upstream_port = _free_port()
    upstream = subprocess.Popen(["node", str(HERE / "node_upstream.js"), str(upstream_port)], stdout=subprocess.PIPE)
    try:
        _wait(upstream_port, upstream)
        one = measure(upstream_port, quick)
        two = measure(upstream_port, quick, "--workers", "2")
        port = _free_port()
        proxy = _proxy(upstream_port, port)
        try:
            _wait(port, proxy)
            n = 3000 if quick else 10_000
            py_direct, py_through = python_clients(upstream_port, n), python_clients(port, n)
        finally:
            _stop(proxy)
    finally:
        upstream.terminate()
        upstream.wait(10)
    print(f"proxy benchmark{' (quick)' if quick else ''}: Node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()} "
          f"upstream, {CLIENTS} clients, nproc {os.cpu_count()}")
    print()
    print("| POST /api/v2/send | direct to the upstream | through the proxy | ratio / added |")
    print("|---|---|---|---|")
    for name, r in (("1 process", one), ("--workers 2", two)):
        print(f"| {name}: throughput, {CLIENTS} Node clients (forwarded) | {r['direct']['rps']:,.0f} req/s | "
              f"{r['through']['rps']:,.0f} req/s | {r['through']['rps'] / r['direct']['rps']:.0%} |")
        print(f"| {name}: throughput, {CLIENTS} Node clients (refused: answered locally) | — | "
              f"{r['local']['rps']:,.0f} req/s | |")
        print(f"| {name}: latency p50, 1 client | {r['p50_direct']:.2f} ms | {r['p50_through']:.2f} ms | "
              f"+{r['p50_through'] - r['p50_direct']:.2f} ms |")
        print(f"| {name}: latency p99, 1 client | {r['p99_direct']:.2f} ms | {r['p99_through']:.2f} ms | "
              f"+{r['p99_through'] - r['p99_direct']:.2f} ms |")
    print(f"| 1 process: the proxy's CPU per request, forwarded / answered locally | — | "
          f"{one['cpu_forwarded_us']:.0f} µs / {one['cpu_local_us']:.0f} µs | |")
    print(f"| 1 process: throughput, {CLIENTS} Python http.client threads | {py_direct:,.0f} req/s | "
          f"{py_through:,.0f} req/s | {py_through / py_direct:.0%} |")
    print(f"\n5xx answers from the proxy during the throughput runs: {one['errors'] + two['errors']}")
    return {"one": one, "two": two, "python": (py_direct, py_through)}


if __name__ == "__main__":
    main()
