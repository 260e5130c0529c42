"""A local stand-in for the Trackly API (``trackly-validate serve``) and a validating
proxy in front of it (``trackly-validate serve --upstream URL``); extra ``[server]``.

::

    from trackly_validate.doors.server import create_app, SandboxServer, ProxyServer

    app = create_app(fixtures="examples/sandbox-fixtures.json", seed=1)   # an ASGI app
    with SandboxServer(seed=1) as server:                                 # uvicorn, a thread
        httpx.post(f"{server.url}/api/v2/send", json=..., headers={"X-Api-Key": ...})
    with ProxyServer("https://app.tracklysms.com") as proxy:              # the validating proxy
        httpx.post(f"{proxy.url}/api/v2/send", json=..., headers={"X-Api-Key": ...})

Modules: ``app`` (the request path), ``proxy`` (the validating proxy), ``shapes``
(what an accepted body does to the state), ``reads`` (how the read endpoints are read),
``store`` (the account's state in SQLite), ``delivery`` (delivery webhooks), ``runner`` (uvicorn), ``pytest_plugin`` (the ``trackly_sandbox`` and
``trackly_webhooks`` fixtures), ``cli`` (the two CLI commands).  Starlette and
uvicorn are imported on first use.  The answers' shapes and what the state decides per
endpoint are the contracts' (``trackly_validate.contracts.shapes``, ``.state``), which
``tv.openapi()`` reads too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["create_app", "create_proxy_app", "SandboxServer", "ProxyServer", "serve"]

if TYPE_CHECKING:  # pragma: no cover
    from trackly_validate.doors.server.app import create_app
    from trackly_validate.doors.server.proxy import create_proxy_app
    from trackly_validate.doors.server.runner import ProxyServer, SandboxServer, serve

_LAZY = {"create_app": "app", "create_proxy_app": "proxy", "SandboxServer": "runner", "ProxyServer": "runner",
         "serve": "runner"}


def __getattr__(name: str) -> Any:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
