"""pytest fixtures for testing an app against the sandbox (registered as a ``pytest11``
plugin; or ``pytest_plugins = ["trackly_validate.doors.server.pytest_plugin"]`` in a conftest).

- ``trackly_sandbox``: a sandbox on ``127.0.0.1`` and a free port with fresh state for the
  test (the fixtures' resources only, an empty request log, ids from the seed); yields its
  base URL (``http://127.0.0.1:PORT``; the API is under ``/api``).
- ``trackly_sandbox_server``: the same, as the :class:`~trackly_validate.doors.server.SandboxServer`.
- ``trackly_webhooks``: a :class:`~trackly_validate.doors.server.delivery.WebhookRecorder` the
  test's sandbox sends its delivery, unsubscribe and reply events to (signed with
  ``trackly_webhooks.secret``): ``trackly_webhooks.events(2)`` waits for two.

One server runs per fixtures-and-seed setting for the whole session; each test gets it
reset (a few milliseconds instead of a server start and stop).  Fixtures file and seed
come from the ini options ``trackly_sandbox_fixtures`` (a path relative to the rootdir)
and ``trackly_sandbox_seed``, or per test from the marker
``@pytest.mark.trackly_sandbox(fixtures=..., seed=...)`` (a path or a dict).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

__all__ = ["trackly_sandbox", "trackly_sandbox_server", "trackly_webhooks"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("trackly_sandbox_fixtures", "fixtures file for the trackly_sandbox fixture", default="")
    parser.addini("trackly_sandbox_seed", "seed of the trackly_sandbox fixture's generated ids", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "trackly_sandbox(fixtures=None, seed=None): the sandbox's fixtures and seed")


def _settings(request: pytest.FixtureRequest) -> tuple[Any, int | None]:
    marker = request.node.get_closest_marker("trackly_sandbox")
    fixtures: Any = marker.kwargs.get("fixtures") if marker else None
    seed: Any = marker.kwargs.get("seed") if marker else None
    if fixtures is None and request.config.getini("trackly_sandbox_fixtures"):
        fixtures = Path(request.config.rootpath) / str(request.config.getini("trackly_sandbox_fixtures"))
    if seed is None and request.config.getini("trackly_sandbox_seed"):
        seed = int(str(request.config.getini("trackly_sandbox_seed")))
    return fixtures, seed


@pytest.fixture(scope="session")
def _trackly_sandbox_servers() -> Iterator[dict[str, Any]]:
    servers: dict[str, Any] = {}
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture
def trackly_sandbox_server(request: pytest.FixtureRequest, _trackly_sandbox_servers: dict[str, Any]) -> Any:
    from trackly_validate.doors.server.runner import SandboxServer
    from trackly_validate.doors.server.store import load_fixtures

    fixtures, seed = _settings(request)
    loaded = load_fixtures(fixtures)
    key = json.dumps(loaded, sort_keys=True, default=str)
    server = _trackly_sandbox_servers.get(key)
    if server is None:
        server = _trackly_sandbox_servers[key] = SandboxServer(fixtures=loaded, seed=seed).start()
    else:
        server.app.state.sandbox.reset(seed)
    return server


@pytest.fixture
def trackly_sandbox(trackly_sandbox_server: Any) -> str:
    return str(trackly_sandbox_server.url)


@pytest.fixture(scope="session")
def _trackly_webhook_recorder() -> Iterator[Any]:
    from trackly_validate.doors.server.delivery import WebhookRecorder

    with WebhookRecorder() as recorder:
        yield recorder


@pytest.fixture
def trackly_webhooks(trackly_sandbox_server: Any, _trackly_webhook_recorder: Any) -> Iterator[Any]:
    recorder = _trackly_webhook_recorder
    recorder.clear()
    sandbox = trackly_sandbox_server.app.state.sandbox
    sandbox.send_webhooks_to(recorder.config)
    try:
        yield recorder
    finally:
        sandbox.send_webhooks_to(None)
