"""Stoplight Prism (a mock server that validates requests against an OpenAPI document)
fed a corpus of requests: which ones it refuses (422) although ``tv.check`` accepts them,
and which ones it accepts although the library refuses them.

Prism is installed by npm into ``.cache/npm`` of the repository (:func:`prism_bin`);
``tests/doors/test_openapi_tools.py`` runs a small corpus, ``benchmarks/bench_openapi.py`` the
whole one.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "npm"
PACKAGES = ("@stoplight/prism-cli@5.14", "@stoplight/spectral-cli@6", "openapi-typescript@7", "openapi-fetch@0.17",
            "typescript@5")
KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"


def npm_bin(name: str, timeout: float = 300) -> Path | None:
    """``.cache/npm/node_modules/.bin/<name>``, installing the packages once; None without npm/node."""
    found = CACHE / "node_modules" / ".bin" / name
    if found.exists():
        return found
    if shutil.which("npm") is None or shutil.which("node") is None:
        return None
    import fcntl

    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".install.lock", "w") as lock:  # one install at a time (pytest -n workers)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if found.exists():
            return found
        if not (CACHE / "package.json").exists():
            (CACHE / "package.json").write_text('{"name": "trackly-validate-tools", "private": true}\n')
        try:
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", *PACKAGES], cwd=CACHE,
                           check=True, timeout=timeout, capture_output=True)
        except (subprocess.SubprocessError, OSError):
            return None
    return found if found.exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prism:
    """``prism mock`` of ``doc`` on a free 127.0.0.1 port, for the ``with`` block."""

    def __init__(self, doc: dict[str, Any], binary: Path):
        self.doc, self.binary = doc, binary

    def __enter__(self) -> "Prism":
        self.dir = tempfile.TemporaryDirectory()
        path = Path(self.dir.name) / "openapi.json"
        path.write_text(json.dumps(self.doc))
        self.port = _free_port()
        self.proc = subprocess.Popen([str(self.binary), "mock", "-h", "127.0.0.1", "-p", str(self.port), str(path)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("prism did not start")

    def __exit__(self, *exc: Any) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.dir.cleanup()

    def refuses(self, requests: list[tuple[str, str, Any]], workers: int = 8) -> list[bool]:
        """Whether Prism refuses each request as invalid."""
        import httpx

        client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30,
                              headers={"X-Api-Key": KEY, "Content-Type": "application/json"})

        def one(request: tuple[str, str, Any]) -> bool:
            method, path, body = request
            content = json.dumps(body, ensure_ascii=False).encode()
            for attempt in range(3):  # Prism now and then resets a kept-alive connection
                try:
                    answer = client.request(method, path, content=content)
                    break
                except httpx.TransportError:
                    if attempt == 2:
                        raise
                    time.sleep(0.2)
            return answer.status_code >= 400  # 422, or the documented 400 Prism answers with

        with client, ThreadPoolExecutor(workers) as pool:
            return list(pool.map(one, requests))


def compare(doc: dict[str, Any], requests: list[tuple[str, str, Any]], binary: Path) -> dict[str, list[Any]]:
    """``{"false_refusals": [...], "missed": [...]}``: (method, path, body, codes) of each."""
    import trackly_validate as tv

    with Prism(doc, binary) as prism:
        refused = prism.refuses(requests)
    out: dict[str, list[Any]] = {"false_refusals": [], "missed": []}
    for (method, path, body), no in zip(requests, refused):
        codes = [p.code for p in tv.check(method, path, body)]
        if no and not codes:
            out["false_refusals"].append((method, path, body, codes))
        elif not no and codes:
            out["missed"].append((method, path, body, codes))
    return out


if __name__ == "__main__":  # pragma: no cover - a manual run: python benchmarks/prism_check.py [doc.json]
    import sys

    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
    import openapi_corpus
    import trackly_validate as tv

    doc = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else tv.openapi()
    binary = npm_bin("prism")
    assert binary is not None, "npm/node unavailable"
    requests = openapi_corpus.corpus()
    start = os.times().elapsed
    result = compare(doc, requests, binary)
    print(len(requests), "requests;", {k: len(v) for k, v in result.items()}, f"{os.times().elapsed - start:.0f} s")
