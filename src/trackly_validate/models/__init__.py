"""One pydantic model per request body, one module per API area.

``trackly_validate.models.SendMessage`` and friends are imported on first access
(the package import stays cheap); every model is usable on its own, e.g. as a
FastAPI request body, and raises the API's codes as pydantic error types.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Area modules, in the order the docs present them.
AREAS = (
    "sending",
    "phone_validation",
    "otp",
    "creatives",
    "schedules",
    "offers",
    "links",
    "revenue",
    "history",
    "audiences",
    "contacts",
)


def _modules():
    for area in AREAS:
        try:
            yield importlib.import_module(f"{__name__}.{area}")
        except ModuleNotFoundError as exc:  # an area not written yet
            if exc.name != f"{__name__}.{area}":
                raise


def __getattr__(name: str) -> Any:
    if name.startswith("_"):
        raise AttributeError(name)
    for module in _modules():
        if name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no model {name!r}")


def __dir__() -> list[str]:
    return sorted({n for m in _modules() for n in getattr(m, "__all__", ())} | {"AREAS"})
