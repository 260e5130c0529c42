"""The validating proxy's memory over 100,000 requests, hostile ones included: its resident
set size (VmRSS) after each tenth, in front of the Node upstream of ``bench_proxy.py``.

Each block of 10 requests, from 8 client threads: 5 valid sends over keep-alive connections
(forwarded), 1 refused body, 1 client leaving mid-body, 1 client leaving during a streamed
answer of the upstream (a 256 KiB body from ``?stream``: the Node upstream answers with
the request's size, so a large unread body is used instead), 1 gzip body of many
members with padding past 5 MiB declared (413 before reading), 1 Content-Length with
Transfer-Encoding (400, closed).  Plus one slow-header connection per 1,000 (408 after
``--header-timeout 1``).  Flat means: the last tenth within a few MiB of the first.

Run: ``python benchmarks/bench_proxy_soak.py [--quick]`` (10,000 requests with --quick).
"""

from __future__ import annotations

import gzip
import http.client
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench_proxy import GOOD, HEADERS, KEY, _free_port, _proxy, _stop, _wait

HERE = Path(__file__).resolve().parent
BAD = json.dumps({"to": "+1415", "list_number": "+18005551000", "body": "Hello"}).encode()
MEMBERS = gzip.compress(GOOD, mtime=0) + gzip.compress(b"", mtime=0) * 3000


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _raw(port: int, data: bytes, read: bool = True) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        if read:
            try:
                while sock.recv(65536):
                    pass
            except OSError:
                pass


def _head(method: str, path: str, extra: str = "", length: int | None = None) -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else ""
    return (f"{method} {path} HTTP/1.1\r\nHost: x\r\nX-Api-Key: {KEY}\r\nContent-Type: application/json\r\n"
            f"{size}{extra}Connection: close\r\n\r\n").encode()


def one(port: int, i: int, local: threading.local) -> None:
    kind = i % 10
    if kind < 6:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        local.conn.request("POST", "/api/v2/send", body=GOOD if kind < 5 else BAD, headers=HEADERS)
        local.conn.getresponse().read()
    elif kind == 6:  # gone mid-body
        _raw(port, _head("POST", "/api/v2/send", length=1000) + GOOD, read=False)
    elif kind == 7:  # gone while a large unread body streams on
        _raw(port, _head("PUT", "/api/v2/offers/abc", length=262144).replace(b"application/json", b"text/plain")
             + b"x" * 65536, read=False)
    elif kind == 8:  # many gzip members, padding declared past the limit
        _raw(port, _head("POST", "/api/v2/send", "Content-Encoding: gzip\r\n", len(MEMBERS)) + MEMBERS)
    else:  # smuggling attempt
        _raw(port, _head("POST", "/api/v2/send", "Transfer-Encoding: chunked\r\n", 4) + b"0\r\n\r\n")
    if i % 1000 == 0:  # a slow client: headers never finished
        threading.Thread(target=_raw, args=(port, b"POST /api/v2/send HTTP/1.1\r\nHost: x\r\n"), daemon=True).start()


def main() -> dict[str, Any]:
    quick = "--quick" in sys.argv
    if shutil.which("node") is None:
        print("proxy soak: skipped (node is not on the PATH)")
        return {}
    total = 10_000 if quick else 100_000
    upstream_port, port = _free_port(), _free_port()
    upstream = subprocess.Popen(["node", str(HERE / "node_upstream.js"), str(upstream_port)], stdout=subprocess.PIPE)
    proxy = _proxy(upstream_port, port, "--header-timeout", "1")
    marks: list[tuple[int, float]] = []
    try:
        _wait(upstream_port, upstream)
        _wait(port, proxy)
        local = threading.local()
        started = time.perf_counter()
        step = total // 10
        with ThreadPoolExecutor(8) as pool:
            for block in range(10):
                list(pool.map(lambda i: one(port, i, local), range(block * step, (block + 1) * step)))
                marks.append(((block + 1) * step, rss_mib(proxy.pid)))
        took = time.perf_counter() - started
    finally:
        _stop(proxy)
        upstream.terminate()
        upstream.wait(10)
    print(f"proxy soak{' (quick)' if quick else ''}: {total:,} requests (40% hostile) in {took:.0f} s")
    print("| requests | proxy RSS |\n|---|---|")
    for n, mib in marks:
        print(f"| {n:,} | {mib:.1f} MiB |")
    print(f"growth from the first tenth to the last: {marks[-1][1] - marks[0][1]:+.1f} MiB")
    return {"marks": marks}


if __name__ == "__main__":
    main()
