"""The sandbox: a larger Schemathesis run and request throughput over loopback.

- ``fuzz``: Schemathesis positive and negative generated requests for every operation of
  the served ``/openapi.json`` (``PER_OPERATION`` each; the suite runs 2), with and without
  the example fixtures; any 5xx or answer the document does not describe is listed
  (operation, Schemathesis' first line).
- ``throughput``: sequential ``POST /api/v2/send`` requests over one keep-alive httpx
  connection (valid and refused bodies alternating), requests per second.

Run: ``python benchmarks/bench_server.py [PER_OPERATION]`` (default 50).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PER_OPERATION = 50
REQUESTS = 2000
KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # the docs' example key


def fuzz_all(per_operation: int) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from schemathesis import GenerationMode
    from test_server_schemathesis import FIXTURES, fuzz

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for fixtures in (None, FIXTURES):
            start = time.perf_counter()
            failures: list[tuple[str, str]] = []
            calls = fuzz(mode, per_operation, fixtures, failures)
            took = time.perf_counter() - start
            print(f"schemathesis {mode.value:8} {'fixtures' if fixtures else 'open':8} "
                  f"{sum(calls.values()):6} calls over {len(calls)} operations, {len(failures)} failing, {took:.1f} s")
            for label, summary in failures:
                print(f"    {label}: {summary}")


def throughput(n: int = REQUESTS) -> None:
    import httpx

    from trackly_validate.doors.server import SandboxServer

    good = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}
    bad = {"to": "+1415", "list_number": "+18005551000", "body": "Hello"}
    with SandboxServer(seed=1) as server, httpx.Client(base_url=f"{server.url}/api",
                                                       headers={"X-Api-Key": KEY}) as client:
        for _ in range(50):  # warm-up
            client.post("/v2/send", json=good)
        start = time.perf_counter()
        for i in range(n):
            client.post("/v2/send", json=good if i % 2 else bad)
        took = time.perf_counter() - start
    print(f"throughput POST /api/v2/send: {n / took:,.0f} requests/s sequential ({took / n * 1e3:.2f} ms each)")


def main(argv: list[str] | None = None) -> None:
    args = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]  # run.py passes --quick
    quick = "--quick" in (sys.argv[1:] if argv is None else argv)
    fuzz_all(int(args[0]) if args else (PER_OPERATION // 3 or 1) if quick else PER_OPERATION)
    throughput()


if __name__ == "__main__":
    main()
