"""The two CLI commands, as plain functions the CLI wires up (``trackly-validate openapi``
and ``trackly-validate serve``), and the reading of ``--options``.  The commands return
the process exit code."""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from pathlib import Path
from typing import IO, Any, Iterable

from trackly_validate.core.keys import redact
from trackly_validate.core.options import Options

__all__ = ["openapi_command", "serve_command", "options_from"]

#: The fields ``--options`` may set: Options' own (its private cache fields left out).
_OPTION_FIELDS = tuple(f.name for f in dataclasses.fields(Options) if f.init and not f.name.startswith("_"))


def openapi_command(out: IO[str]) -> int:
    """Write the OpenAPI 3.1 document (JSON, two-space indent, one trailing newline) to ``out``."""
    from trackly_validate.doors.openapi import openapi

    out.write(json.dumps(openapi(), indent=2, ensure_ascii=False) + "\n")
    return 0


def options_from(text: str | None = None, phone_level: str | None = None,
                 disable: Iterable[str] | None = None) -> Options | None:
    """The :class:`Options` of ``--options`` (a JSON object of Options fields, or ``@FILE``
    holding one), with ``--phone-level`` over its level and ``--disable`` codes added to
    its own.  ``None`` when nothing is given.  ``ValueError`` (one line) when the text,
    a field or a value is wrong."""
    fields: dict[str, Any] = {}
    if text is not None:
        source = "--options"
        if text.startswith("@"):
            source = text[1:]
            try:
                text = Path(source).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"cannot read the options file {source}: {type(exc).__name__}") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{source} is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"{source} must be a JSON object of Options fields ({', '.join(_OPTION_FIELDS)})")
        unknown = sorted(k for k in data if k not in _OPTION_FIELDS)
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(unknown)}; the fields are {', '.join(_OPTION_FIELDS)}")
        fields.update(data)
    if phone_level is not None:
        fields["phone_level"] = phone_level
    if disable:
        given = fields.get("disable") or []
        fields["disable"] = [*([given] if isinstance(given, str) else given), *disable]
    if not fields:
        return None
    try:
        return Options(**fields)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None


def serve_command(host: str = "127.0.0.1", port: int = 4787, fixtures: str | Path | None = None,
                  seed: int | None = None, options: Options | None = None, *, upstream: str | None = None,
                  timeout: float | None = None, connect_timeout: float | None = None,
                  header_timeout: float | None = None, body_timeout: float | None = None,
                  keep_alive: float | None = None, max_connections: int | None = None, workers: int = 1,
                  db: str | Path | None = None, reset: bool = False, webhook_url: str | None = None,
                  webhook_secret: str | None = None, err: IO[str] | None = None) -> int:
    """Serve the sandbox, or with ``upstream`` the validating proxy, until interrupted.
    ``timeout``/``connect_timeout``: the proxy's read and connect timeouts in seconds;
    ``header_timeout``, ``body_timeout``, ``keep_alive``, ``max_connections``: the client
    connections' :class:`~.connections.Limits` (both servers); ``workers``: the proxy's
    processes; ``db`` the stand-in's database file (kept across restarts; ``reset``
    empties it); ``webhook_url``/``webhook_secret`` where its delivery events go.
    2 when an argument is wrong (fixtures file unreadable, stand-in options with an
    upstream, a bad upstream URL, timeout or limit), the port is in use, or the
    ``[server]`` extra is missing (the message goes to ``err``, stderr by default);
    nothing is printed as if it had started."""
    err = err if err is not None else sys.stderr
    try:
        from trackly_validate.doors.server.connections import Limits
        from trackly_validate.doors.server.runner import PortInUse, bind, serve
        from trackly_validate.doors.server.store import load_fixtures
    except ImportError as exc:  # starlette / uvicorn / httptools not installed
        err.write(f"trackly-validate serve needs the [server] extra: pip install 'trackly-validate[server]' ({exc})\n")
        return 2
    given: dict[str, Any] = {"header_timeout": header_timeout, "body_timeout": body_timeout,
                             "keep_alive": keep_alive, "max_connections": max_connections}
    try:
        limits = Limits(**{k: v for k, v in given.items() if v is not None})
    except ValueError as exc:
        err.write(f"{exc}\n")
        return 2
    serve = functools.partial(serve, limits=limits)
    if upstream is not None:
        serve = functools.partial(serve, workers=workers)
        if db is not None or reset or webhook_url is not None:
            err.write("--db, --reset and --webhook-url set up the stand-in; with --upstream the account is the "
                      "upstream's\n")
            return 2
        return _serve_proxy(serve, host, port, fixtures, seed, options, upstream, timeout, connect_timeout, err)
    if timeout is not None or connect_timeout is not None or workers != 1:
        err.write("--timeout, --connect-timeout and --workers apply to the proxy (--upstream URL)\n")
        return 2
    if reset and db is None:
        err.write("--reset empties the --db file; without --db nothing is kept anyway\n")
        return 2
    webhooks: Any = None
    if webhook_url is not None:
        from trackly_validate.doors.server.delivery import Webhooks

        if not webhook_url.lower().startswith(("http://", "https://")):
            err.write(f"--webhook-url must be an http:// or https:// URL: {redact(webhook_url)}\n")
            return 2
        webhooks = Webhooks(webhook_url, webhook_secret or "")
    loaded: Any = None
    if fixtures is not None:
        try:
            loaded = load_fixtures(fixtures)
        except (OSError, ValueError) as exc:
            err.write(f"cannot read the fixtures file {fixtures}: {type(exc).__name__}\n")
            return 2
    if db is not None:
        problem = _unusable_database(db)
        if problem is not None:
            err.write(f"cannot use the database {db}: {problem}\n")
            return 2
    try:
        sock = bind(host, port)
    except PortInUse as exc:
        err.write(f"trackly-validate: {exc}\n")
        return 2
    kept = f"state in {db}" if db is not None else "state not kept (--db FILE keeps it)"
    err.write(f"trackly-validate sandbox on http://{host}:{port}/api (OpenAPI: http://{host}:{port}/openapi.json; "
              f"{kept})\n")
    err.flush()
    serve(host, port, fixtures=loaded, seed=seed, options=options, sock=sock, db=db, reset=reset,
          webhooks=webhooks)
    return 0


def _unusable_database(path: str | Path) -> str | None:
    """Why ``path`` cannot hold the stand-in's state (``None``: it can, or will be created)."""
    import sqlite3

    try:
        db = sqlite3.connect(str(path), timeout=5)
        try:
            db.execute("PRAGMA schema_version").fetchone()
        finally:
            db.close()
    except sqlite3.Error as exc:
        return str(exc)
    return None


def _serve_proxy(serve: Any, host: str, port: int, fixtures: Any, seed: int | None, options: Options | None,
                 upstream: str, timeout: float | None, connect_timeout: float | None, err: IO[str]) -> int:
    from trackly_validate.doors.server.proxy import STATS_PATH
    from trackly_validate.doors.server.quiet import proxy_logs_to
    from trackly_validate.doors.server.upstream import Timeouts, Upstream

    if fixtures is not None or seed is not None:
        err.write("--fixtures and --seed set up the stand-in; with --upstream the account is the upstream's\n")
        return 2
    try:
        target = Upstream.parse(upstream)
        defaults = Timeouts()
        timeouts = Timeouts(connect=defaults.connect if connect_timeout is None else connect_timeout,
                            read=defaults.read if timeout is None else timeout)
    except ValueError as exc:
        err.write(redact(f"{exc}\n"))
        return 2
    from trackly_validate.doors.server.runner import bind

    try:
        sock = bind(host, port)
    except OSError as exc:
        err.write(f"trackly-validate: {exc}\n")
        return 2
    proxy_logs_to(err)
    err.write(f"trackly-validate proxy on http://{host}:{port} -> {target.url()} "
              f"(counts: http://{host}:{port}{STATS_PATH})\n")
    err.flush()
    serve(host, port, options=options, upstream=upstream, timeouts=timeouts, sock=sock)
    return 0
