"""Running the sandbox or the validating proxy with uvicorn: :func:`serve` (blocking, the
CLI), :class:`SandboxServer` and :class:`ProxyServer` (a background thread on a free
loopback port, for tests).  Both serve their connections with
:class:`~.connections.GuardedProtocol` (llhttp as Node parses, Node's timeouts, a cap on
open connections) on uvloop when it is installed, with rate-limited logs
(:mod:`.quiet`).  ``workers`` > 1 runs the proxy in that many processes on one socket.

The default port, 4787, is one no common developer tool claims (8787 is Dask's dashboard
and wrangler's; 4010 Prism's; 12111 stripe-mock's; 4566 LocalStack's).  :func:`bind`
takes the port before anything is printed, so a port in use is one line and exit 2."""

from __future__ import annotations

import base64
import importlib.util
import os
import pickle
import socket
import threading
import time
from typing import Any, TypeVar

import uvicorn

from trackly_validate.core.options import Options
from trackly_validate.doors.server.app import create_app
from trackly_validate.doors.server.connections import EVENTS, GuardedProtocol, Limits
from trackly_validate.doors.server.quiet import proxy_logs_to, quiet_server_logs

__all__ = ["serve", "bind", "PortInUse", "SandboxServer", "ProxyServer", "DEFAULT_HOST", "DEFAULT_PORT"]

DEFAULT_HOST = "127.0.0.1"  # loopback: the sandbox is never reachable from elsewhere unless asked
DEFAULT_PORT = 4787
SHUTDOWN_SECONDS = 5  # after SIGINT, open connections get this long (a client mid-body included)


class PortInUse(OSError):
    """The address is taken (or not ours to bind)."""


#: The environment variable that carries the proxy's settings to its worker processes.
PROXY_SETTINGS_ENV = "TRACKLY_VALIDATE_PROXY_SETTINGS"


def _config(app: Any, host: str, port: int, limits: Limits | None = None, **extra: Any) -> uvicorn.Config:
    # access_log off: uvicorn's access lines show paths and queries, which may carry keys
    limits = limits or Limits()
    # proxy_headers off: X-Forwarded-* are the upstream's business, never rewritten here
    settings: dict[str, Any] = {"access_log": False, "log_level": "warning", "lifespan": "off", "proxy_headers": False,
                                "http": GuardedProtocol, "timeout_keep_alive": limits.keep_alive,
                                "timeout_graceful_shutdown": SHUTDOWN_SECONDS,
                                "ws": "none",  # an Upgrade is read as a plain request, as Node without a listener
                                "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio", **extra}
    config = uvicorn.Config(app, host=host, port=port, **settings)
    config.trackly_limits = limits  # type: ignore[attr-defined]  # read by GuardedProtocol
    quiet_server_logs()
    return config


def _proxy_config(app: Any, host: str, port: int, limits: Limits | None = None, **extra: Any) -> uvicorn.Config:
    # lifespan on: the upstream connection pool opens and closes with the app; no Server or
    # Date header of uvicorn's own, so the upstream's headers come back as they were
    return _config(app, host, port, limits, lifespan="on", server_header=False, date_header=False,
                   timeout_graceful_shutdown=5, **extra)


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
          limits: Limits | None = None, workers: int = 1, sock: socket.socket | None = None, db: Any = None,
          reset: bool = False, webhooks: Any = None) -> None:
    """Serve the sandbox, or with ``upstream`` the validating proxy, until interrupted
    (``sock``: a socket from :func:`bind`)."""
    _more_file_descriptors()
    sockets = [sock] if sock is not None else None
    if upstream is not None:
        from trackly_validate.doors.server.proxy import create_proxy_app

        if workers > 1:  # uvicorn's workers import the app: the settings go by the environment
            from uvicorn.supervisors import Multiprocess

            os.environ[PROXY_SETTINGS_ENV] = base64.b64encode(pickle.dumps((upstream, options, timeouts))).decode()
            config = _proxy_config("trackly_validate.doors.server.runner:proxy_from_environment", host, port, limits,
                                   factory=True, workers=workers)
            Multiprocess(config, sockets=sockets or [config.bind_socket()]).run()
            return
        uvicorn.Server(_proxy_config(create_proxy_app(upstream, options, timeouts), host, port, limits)
                       ).run(sockets=sockets)
        return
    app = create_app(options, fixtures, seed, db=db, reset=reset, webhooks=webhooks)
    try:
        uvicorn.Server(_config(app, host, port, limits)).run(sockets=sockets)
    finally:
        app.state.sandbox.close()
        EVENTS.flush()  # the connection events not yet logged


def proxy_from_environment() -> Any:
    """The proxy app of a worker process (``serve(..., workers=N)``)."""
    import sys

    from trackly_validate.doors.server.proxy import create_proxy_app

    upstream, options, timeouts = pickle.loads(base64.b64decode(os.environ[PROXY_SETTINGS_ENV]))
    proxy_logs_to(sys.stderr)  # a new interpreter: the parent's log set-up again
    return create_proxy_app(upstream, options, timeouts)


def _more_file_descriptors() -> None:
    """The soft limit on open files raised to the hard one: connections, not files, are
    what a server holds open (the cap is ``Limits.max_connections``)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


_S = TypeVar("_S", bound="_ThreadedServer")


class _ThreadedServer:
    """An app served by uvicorn in a background thread."""

    def __init__(self, app: Any, host: str, port: int | None, startup_timeout: float, proxy: bool = False,
                 limits: Limits | None = None):
        self.app = app
        self.host = host
        self.port = port if port is not None else free_port(host)
        config = (_proxy_config if proxy else _config)(self.app, self.host, self.port, limits)
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]  # older uvicorn's hook; not the main thread
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
                 limits: Limits | None = None, host: str = DEFAULT_HOST, port: int | None = None,
                 startup_timeout: float = 10.0, db: Any = None, reset: bool = False, webhooks: Any = None):
        super().__init__(create_app(options, fixtures, seed, db=db, reset=reset, webhooks=webhooks), host, port,
                         startup_timeout, limits=limits)


class ProxyServer(_ThreadedServer):
    """The validating proxy for ``upstream`` on ``127.0.0.1`` and a free port, in a
    background thread: ``with ProxyServer("http://127.0.0.1:9000") as proxy: proxy.url``
    (``server.app.state.proxy.stats`` are its counts)."""

    def __init__(self, upstream: str, *, options: Options | None = None, timeouts: Any = None,
                 limits: Limits | None = None, pool_size: int = 100, host: str = DEFAULT_HOST,
                 port: int | None = None, startup_timeout: float = 10.0):
        from trackly_validate.doors.server.proxy import create_proxy_app

        super().__init__(create_proxy_app(upstream, options, timeouts, pool_size), host, port, startup_timeout,
                         proxy=True, limits=limits)
