"""Hostile-input sweep: every modelled endpoint x every hostile value in every field,
plus hostile whole bodies and deep filters.  Prints, per endpoint, the inputs tried and the
slowest answer; exits 1 if any answer raised or took 1 s or more.

    .venv/bin/python benchmarks/hostile.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import trackly_validate as tv  # noqa: E402
from hostile_inputs import HOSTILE_BODIES, HOSTILE_VALUES, VALID, deep_groups, paths, replaced, route_paths  # noqa: E402


def main() -> int:
    routes = route_paths()
    for key, (method, path) in routes.items():  # warm-up: builds, phone metadata
        tv.check(method, path, VALID[key])
    worst = (0.0, "", "")
    failures = 0
    total = 0
    print(f"{'endpoint':<30} {'inputs':>7} {'slowest (ms)':>13}  slowest input")
    for key in sorted(routes):
        method, path = routes[key]
        cases = []
        for p in paths(VALID[key]):
            for name, value in HOSTILE_VALUES:
                cases.append((f"{name} at {'.'.join(map(str, p))}", replaced(VALID[key], p, value)))
        cases += [(name, body) for name, body in HOSTILE_BODIES]
        if "audiences" in key:
            for depth in (100, 101, 250, 5000):
                cases.append((f"{depth}-deep filter", {"name": "d", "filter": deep_groups(depth)}))
        slowest = (0.0, "")
        for name, body in cases:
            t0 = time.perf_counter()
            try:
                out = tv.check(method, path, body)
                assert isinstance(out, list)
            except Exception as exc:  # noqa: BLE001 - the point is to find any
                failures += 1
                print(f"  FAILED {key} {name}: {type(exc).__name__}")
            dt = time.perf_counter() - t0
            if dt > slowest[0]:
                slowest = (dt, name)
        total += len(cases)
        print(f"{key:<30} {len(cases):>7} {slowest[0] * 1000:>13.2f}  {slowest[1]}")
        if slowest[0] > worst[0]:
            worst = (slowest[0], key, slowest[1])
    print(f"\n{total} inputs, {failures} exceptions; slowest: {worst[1]} / {worst[2]} in {worst[0] * 1000:.1f} ms")
    return 1 if failures or worst[0] >= 1.0 else 0


if __name__ == "__main__":
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    raise SystemExit(main())
