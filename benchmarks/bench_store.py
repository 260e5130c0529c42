"""The stand-in's cost as its state grows, over loopback HTTP (a ``--db`` file, WAL).

At 0, 10,000, 50,000 and 100,000 contacts (grown with ``POST /v2/contacts/bulk`` of 1,000):

- ``contact write``: ``POST /v2/contacts`` of a new number, median ms of 50;
- ``creative create``: ``POST /v2/creatives``, median ms of 20 (its id is a counter);
- ``contacts page``: ``GET /v2/contacts?list_number=...&per_page=50``, first and last page, median ms of 20;
- ``bulk 1,000``: one ``POST /v2/contacts/bulk`` of 1,000 new contacts, seconds;
- ``read during bulk``: the slowest ``GET /v2/lists/42`` another client made while that bulk ran, ms.

Run: ``python benchmarks/bench_store.py [MAX_CONTACTS]`` (default 100,000; ``--quick``: 20,000).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "examples" / "sandbox-fixtures.json"
LIST = "+18005551000"


def _ms(fn, n: int) -> float:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main(argv: list[str] | None = None) -> None:
    import httpx

    from trackly_validate.doors.server import SandboxServer

    args = sys.argv[1:] if argv is None else argv
    numbers = [a for a in args if not a.startswith("-")]
    top = int(numbers[0]) if numbers else 20_000 if "--quick" in args else 100_000
    steps = [s for s in (0, 10_000, 50_000, 100_000) if s <= top]
    key = json.loads(FIXTURES.read_text())["api_keys"][0]
    offer_links = [{"key": "link1", "offer_id": "offer_abc123"}]
    creative = {"name": "c", "message": "Shop {{link1}}", "offer_links": offer_links}
    seq = iter(range(10**9))
    rows = []
    with tempfile.TemporaryDirectory() as tmp, SandboxServer(fixtures=FIXTURES, db=Path(tmp) / "s.db") as server, \
            httpx.Client(base_url=f"{server.url}/api", headers={"X-Api-Key": key}, timeout=120) as api:
        count = 1  # the fixtures' contact

        def bulk(n: int = 1000) -> float:
            nonlocal count
            body = {"contacts": [{"phone_number": f"+1{2000000000 + next(seq)}", "list_number": LIST}
                                 for _ in range(n)]}
            start = time.perf_counter()
            r = api.post("/v2/contacts/bulk", json=body)
            assert r.status_code == 200 and r.json()["success_count"] == n, r.text[:200]
            count += n
            return time.perf_counter() - start

        for step in steps:
            while count < step:
                bulk(min(1000, step - count))
            write = _ms(lambda i: api.post("/v2/contacts", json={"phone_number": f"+1{2000000000 + next(seq)}",
                                                                 "list_number": LIST}), 50)
            count += 50
            create = _ms(lambda i: api.post("/v2/creatives", json=creative), 20)
            first = _ms(lambda i: api.get("/v2/contacts", params={"list_number": LIST, "per_page": 50}), 20)
            last_page = count // 50 + 1
            last = _ms(lambda i: api.get("/v2/contacts", params={"list_number": LIST, "per_page": 50,
                                                                 "page": last_page}), 20)
            slowest = [0.0]
            done = threading.Event()

            def reader() -> None:
                with httpx.Client(base_url=f"{server.url}/api", headers={"X-Api-Key": key}) as other:
                    while not done.is_set():
                        start = time.perf_counter()
                        other.get("/v2/lists/42")
                        slowest[0] = max(slowest[0], time.perf_counter() - start)

            thread = threading.Thread(target=reader)
            thread.start()
            time.sleep(0.05)
            took = bulk()
            done.set()
            thread.join()
            rows.append((step, write, create, first, last, took, slowest[0] * 1e3))
            print(f"store at {step:>7,} contacts: contact write {write:.2f} ms, creative create {create:.2f} ms, "
                  f"contacts page first {first:.2f} ms / last {last:.2f} ms, bulk 1,000 {took:.2f} s, "
                  f"slowest read during the bulk {slowest[0] * 1e3:.1f} ms", flush=True)
    print("\n| contacts | contact write | creative create | page 1 | last page | bulk 1,000 | slowest read during bulk |")
    print("|---|---|---|---|---|---|---|")
    for step, write, create, first, last, took, slow in rows:
        print(f"| {step:,} | {write:.2f} ms | {create:.2f} ms | {first:.2f} ms | {last:.2f} ms | {took:.2f} s "
              f"| {slow:.1f} ms |")


if __name__ == "__main__":
    main()
