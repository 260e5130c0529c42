"""The two CLI commands, as plain functions the CLI wires up (``trackly-validate openapi``
and ``trackly-validate serve``).  Both return the process exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from ..options import Options

__all__ = ["openapi_command", "serve_command"]


def openapi_command(out: IO[str]) -> int:
    """Write the OpenAPI 3.1 document (JSON, two-space indent, one trailing newline) to ``out``."""
    from ..openapi import openapi

    out.write(json.dumps(openapi(), indent=2, ensure_ascii=False) + "\n")
    return 0


def serve_command(host: str = "127.0.0.1", port: int = 8787, fixtures: str | Path | None = None,
                  seed: int | None = None, options: Options | None = None, *, err: IO[str] | None = None) -> int:
    """Serve the sandbox until interrupted.  2 when the fixtures file cannot be read or the
    ``[server]`` extra is missing (the message goes to ``err``, stderr by default)."""
    err = err if err is not None else sys.stderr
    try:
        from .runner import serve
        from .store import load_fixtures
    except ImportError as exc:  # starlette / uvicorn not installed
        err.write(f"trackly-validate serve needs the [server] extra: pip install 'trackly-validate[server]' ({exc})\n")
        return 2
    loaded: Any = None
    if fixtures is not None:
        try:
            loaded = load_fixtures(fixtures)
        except (OSError, ValueError) as exc:
            err.write(f"cannot read the fixtures file {fixtures}: {type(exc).__name__}\n")
            return 2
    err.write(f"trackly-validate sandbox on http://{host}:{port}/api (OpenAPI: http://{host}:{port}/openapi.json)\n")
    serve(host, port, fixtures=loaded, seed=seed, options=options)
    return 0
