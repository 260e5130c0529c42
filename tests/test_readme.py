"""Every ```python block of the README runs, each on its own (as a user pastes it).

Nothing leaves the machine: HTTP clients' transports are replaced for the run by ones
that answer 200 locally (a block that shows a refused request never reaches them).  A
block that defines a ``test_*`` function taking the ``trackly_sandbox`` fixture has it
run too, against a real sandbox on 127.0.0.1.  A block that needs an optional library
the environment lacks is skipped, naming it.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks() -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in BLOCK.finditer(text)]


@pytest.fixture
def offline(monkeypatch):
    """httpx and requests answer locally with 200 {"success": true}."""
    sent: list[str] = []
    try:
        import httpx

        def handle(self, request):
            sent.append(f"{request.method} {request.url}")
            return httpx.Response(200, json={"success": True}, request=request)

        async def handle_async(self, request):
            return handle(self, request)

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async)
    except ImportError:  # pragma: no cover
        pass
    try:
        import requests
        from requests.adapters import HTTPAdapter

        def send(self, request, **kwargs):
            sent.append(f"{request.method} {request.url}")
            response = requests.Response()
            response.status_code, response._content, response.url = 200, b'{"success": true}', request.url
            response.request = request
            return response

        monkeypatch.setattr(HTTPAdapter, "send", send)
    except ImportError:  # pragma: no cover
        pass
    return sent


def test_the_readme_has_python_blocks():
    assert len(_blocks()) >= 8


@pytest.mark.parametrize(("line", "code"), _blocks(), ids=[f"README.md:{n}" for n, _ in _blocks()])
def test_readme_block_runs(line, code, offline, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # blocks that write files write them here
    for module in re.findall(r"^\s*(?:import|from)\s+([a-z_]+)", code, re.M):
        pytest.importorskip(module)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    exec(compile(code, f"README.md:{line}", "exec"), namespace)  # noqa: S102 - the README's own code
    tests = [fn for name, fn in namespace.items() if name.startswith("test_") and callable(fn)]
    if tests:
        from trackly_validate.doors.server import SandboxServer

        monkeypatch.undo()  # real HTTP, to the sandbox on loopback
        from trackly_validate.doors.server.delivery import WebhookRecorder

        for test in tests:
            wanted = list(inspect.signature(test).parameters)
            assert wanted in (["trackly_sandbox"], ["trackly_sandbox", "trackly_webhooks"]), test
            with WebhookRecorder() as hooks, SandboxServer(webhooks=hooks.config) as server:
                test(*[server.url, hooks][:len(wanted)])


# Each block also runs as a user runs it: saved to a file and started as a script in a new
# interpreter (``__main__``: worker processes a block starts re-import it, as they would a
# user's script), with the HTTP clients answering locally as above.
OFFLINE_PRELUDE = """
import runpy, sys
try:
    import httpx
    httpx.HTTPTransport.handle_request = lambda self, request: httpx.Response(200, json={"success": True},
                                                                               request=request)
except ImportError:
    pass
try:
    import requests
    from requests.adapters import HTTPAdapter

    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code, response._content, response.url = 200, b'{"success": true}', request.url
        response.request = request
        return response
    HTTPAdapter.send = send
except ImportError:
    pass
runpy.run_path(sys.argv[1], run_name="__main__")
"""


@pytest.mark.parametrize(("line", "code"), _blocks(), ids=[f"README.md:{n}" for n, _ in _blocks()])
def test_readme_block_runs_as_a_script(line, code, tmp_path):
    import subprocess
    import sys

    for module in re.findall(r"^\s*(?:import|from)\s+([a-z_]+)", code, re.M):
        pytest.importorskip(module)
    script = tmp_path / f"readme_{line}.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", OFFLINE_PRELUDE, str(script)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
