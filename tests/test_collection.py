"""``make test`` runs on two xdist workers, which must collect the same test ids: an id
that depends on the time (gzip's mtime), the hash seed or a set's order fails the run at
random.  Collected twice, with other hash seeds, a second apart: the same ids."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ids(seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=",
                           "-p", "no:cacheprovider", "-p", "no:randomly", "tests"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_test_ids_do_not_depend_on_time_or_hash_seeds():
    first = _ids("1")
    time.sleep(1.1)
    second = _ids("2")
    assert len(first) > 1000
    assert first == second, sorted(set(first) ^ set(second))[:10]
