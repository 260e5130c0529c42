"""``make test`` runs on two xdist workers, which must collect the same test ids: an id
that depends on the time (gzip's mtime), the hash seed or a set's order fails the run at
random.  The ids collected in this process are compared with a fresh collection in
another interpreter, with another hash seed, seconds later: the same ids."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_test_ids_do_not_depend_on_time_or_hash_seeds(request: pytest.FixtureRequest) -> None:
    here = [item.nodeid for item in request.session.items]
    if len(here) < 100 or request.config.option.keyword or request.config.option.markexpr:
        pytest.skip("compares a whole collection: run with the suite")
    time.sleep(1.1)  # past a second since this collection: a time in an id would differ
    env = {**os.environ, "PYTHONHASHSEED": str(int.from_bytes(os.urandom(2), "big"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=",
                           "-p", "no:cacheprovider", *request.config.args],
                          cwd=request.config.invocation_params.dir, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    there = [line for line in done.stdout.splitlines() if "::" in line]
    assert sorted(here) == sorted(there), sorted(set(here) ^ set(there))[:10]
    assert here == there
