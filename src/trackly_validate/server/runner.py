"""Running the sandbox or the validating proxy with uvicorn: :func:`serve` (blocking, the
CLI), :class:`SandboxServer` and :class:`ProxyServer` (a background thread on a free
loopback port, for tests).

The default port, 4787, is one no common developer tool claims (8787 is Dask's dashboard
and wrangler's; 4010 Prism's; 12111 stripe-mock's; 4566 LocalStack's).  :func:`bind`
takes the port before anything is printed, so a port in use is one line and exit 2."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, TypeVar

import uvicorn

from ..options import Options
from .app import create_app

__all__ = ["serve", "bind", "PortInUse", "SandboxServer", "ProxyServer", "DEFAULT_HOST", "DEFAULT_PORT"]

DEFAULT_HOST = "127.0.0.1"  # loopback: the sandbox is never reachable from elsewhere unless asked
DEFAULT_PORT = 4787
SHUTDOWN_SECONDS = 5  # after SIGINT, open connections get this long (a client mid-body included)


class PortInUse(OSError):
    """The address is taken (or not ours to bind)."""


def _config(app: Any, host: str, port: int, **extra: Any) -> uvicorn.Config:
    # access_log off: uvicorn's access lines show paths and queries, which may carry keys
    settings: dict[str, Any] = {"access_log": False, "log_level": "warning", "lifespan": "off",
                                "timeout_graceful_shutdown": SHUTDOWN_SECONDS, **extra}
    return uvicorn.Config(app, host=host, port=port, **settings)


def _proxy_config(app: Any, host: str, port: int) -> uvicorn.Config:
    # lifespan on: the upstream connection pool opens and closes with the app; no Server or
    # Date header of uvicorn's own, so the upstream's headers come back as they were
    return _config(app, host, port, lifespan="on", server_header=False, date_header=False,
                   timeout_graceful_shutdown=5)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (:class:`PortInUse` when it cannot be had)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise PortInUse(exc.errno, f"port {port} on {host} is in use or not available ({exc.strerror})") from None
    sock.set_inheritable(True)
    return sock


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, fixtures: Any = None, seed: int | None = None,
          options: Options | None = None, upstream: str | None = None, timeouts: Any = None,
          sock: socket.socket | None = None, db: Any = None, reset: bool = False, webhooks: Any = None) -> None:
    """Serve the sandbox, or with ``upstream`` the validating proxy, until interrupted
    (``sock``: a socket from :func:`bind`)."""
    sockets = [sock] if sock is not None else None
    if upstream is not None:
        from .proxy import create_proxy_app

        uvicorn.Server(_proxy_config(create_proxy_app(upstream, options, timeouts), host, port)).run(sockets=sockets)
        return
    app = create_app(options, fixtures, seed, db=db, reset=reset, webhooks=webhooks)
    try:
        uvicorn.Server(_config(app, host, port)).run(sockets=sockets)
    finally:
        app.state.sandbox.close()


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


_S = TypeVar("_S", bound="_ThreadedServer")


class _ThreadedServer:
    """An app served by uvicorn in a background thread."""

    def __init__(self, app: Any, host: str, port: int | None, startup_timeout: float, proxy: bool = False):
        self.app = app
        self.host = host
        self.port = port if port is not None else free_port(host)
        config = (_proxy_config if proxy else _config)(self.app, self.host, self.port)
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign,attr-defined]  # not the main thread
        self._thread: threading.Thread | None = None
        self._timeout = startup_timeout

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self: _S) -> _S:
        self._thread = threading.Thread(target=self._server.run, name="trackly-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self._timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=self._timeout)
            self._thread = None
        sandbox = getattr(self.app.state, "sandbox", None)
        if sandbox is not None:
            sandbox.close()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SandboxServer(_ThreadedServer):
    """The sandbox on ``127.0.0.1`` and a free port, in a background thread.

    ``with SandboxServer(fixtures=..., seed=1) as server: server.url`` (``http://127.0.0.1:PORT``;
    the API is under ``server.url + "/api"``).  ``app`` is the Starlette app
    (``server.app.state.sandbox.store`` is the account's state)."""

    def __init__(self, *, fixtures: Any = None, seed: int | None = None, options: Options | None = None,
                 host: str = DEFAULT_HOST, port: int | None = None, startup_timeout: float = 10.0,
                 db: Any = None, reset: bool = False, webhooks: Any = None):
        super().__init__(create_app(options, fixtures, seed, db=db, reset=reset, webhooks=webhooks), host, port,
                         startup_timeout)


class ProxyServer(_ThreadedServer):
    """The validating proxy for ``upstream`` on ``127.0.0.1`` and a free port, in a
    background thread: ``with ProxyServer("http://127.0.0.1:9000") as proxy: proxy.url``
    (``server.app.state.proxy.stats`` are its counts)."""

    def __init__(self, upstream: str, *, options: Options | None = None, timeouts: Any = None,
                 host: str = DEFAULT_HOST, port: int | None = None, startup_timeout: float = 10.0):
        from .proxy import create_proxy_app

        super().__init__(create_proxy_app(upstream, options, timeouts), host, port, startup_timeout, proxy=True)
