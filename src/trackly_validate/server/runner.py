"""Running the sandbox with uvicorn: :func:`serve` (blocking, the CLI) and
:class:`SandboxServer` (a background thread on a free loopback port, for tests)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from ..options import Options
from .app import create_app

__all__ = ["serve", "SandboxServer", "DEFAULT_HOST", "DEFAULT_PORT"]

DEFAULT_HOST = "127.0.0.1"  # loopback: the sandbox is never reachable from elsewhere unless asked
DEFAULT_PORT = 8787


def _config(app: Any, host: str, port: int, **extra: Any) -> uvicorn.Config:
    # access_log off: uvicorn's access lines show paths and queries, which may carry keys
    return uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning", lifespan="off",
                          **extra)


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, fixtures: Any = None, seed: int | None = None,
          options: Options | None = None) -> None:
    """Serve the sandbox until interrupted."""
    uvicorn.Server(_config(create_app(options, fixtures, seed), host, port)).run()


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class SandboxServer:
    """The sandbox on ``127.0.0.1`` and a free port, in a background thread.

    ``with SandboxServer(fixtures=..., seed=1) as server: server.url`` (``http://127.0.0.1:PORT``;
    the API is under ``server.url + "/api"``).  ``app`` is the Starlette app
    (``server.app.state.sandbox.store`` is the account's state)."""

    def __init__(self, *, fixtures: Any = None, seed: int | None = None, options: Options | None = None,
                 host: str = DEFAULT_HOST, port: int | None = None, startup_timeout: float = 10.0):
        self.app = create_app(options, fixtures, seed)
        self.host = host
        self.port = port if port is not None else free_port(host)
        self._server = uvicorn.Server(_config(self.app, self.host, self.port))
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # not the main thread
        self._thread: threading.Thread | None = None
        self._timeout = startup_timeout

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "SandboxServer":
        self._thread = threading.Thread(target=self._server.run, name="trackly-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self._timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=self._timeout)
            self._thread = None

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
