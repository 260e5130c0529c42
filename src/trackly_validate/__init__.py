"""trackly-validate: check Trackly SMS API requests before they leave.

A bad payload is rejected locally with the same error code, message and HTTP status
the server would have returned::

    import trackly_validate as tv

    tv.check("POST", "/v2/send", {"to": "+14155551234", "list_number": "+18005551000"})
    # [Problem(code='missing_body', error='body is required', status=400, loc=('body',))]

The public API is listed in ``__all__``.  Everything that needs pydantic is imported
on first use, so ``import trackly_validate`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trackly_validate.core.keys import check_api_key
from trackly_validate.core.catalog import CATALOG, CodeInfo
from trackly_validate.core.errors import ApiError, Problem, TracklyError, TracklyValidationError, UnknownEndpointError
from trackly_validate.core.options import INFERRED_RULES, Options
from trackly_validate.core.version import __version__
from trackly_validate.rules.sms import CreativeEstimate, SmsAnalysis, analyze_sms, estimate_creative, split_sms

__all__ = [
    "check",
    "validate",
    "validate_as",
    "model_for",
    "partition",
    "Partition",
    "check_frame",
    "split_frame",
    "Options",
    "Problem",
    "TracklyError",
    "TracklyValidationError",
    "UnknownEndpointError",
    "ApiError",
    "check_api_key",
    "analyze_sms",
    "SmsAnalysis",
    "split_sms",
    "estimate_creative",
    "CreativeEstimate",
    "CATALOG",
    "CodeInfo",
    "INFERRED_RULES",
    "models",
    "to_form_errors",
    "json_schema",
    "batches",
    "render_filter",
    "openapi",
    "webhooks",
    "__version__",
]

_LAZY = {
    "check": ("doors.python", "check"),
    "validate": ("doors.python", "validate"),
    "validate_as": ("doors.python", "validate_as"),
    "model_for": ("doors.python", "model_for"),
    "partition": ("doors.bulk", "partition"),
    "Partition": ("doors.bulk", "Partition"),
    "check_frame": ("doors.columns.frames", "check_frame"),
    "split_frame": ("doors.columns.frames", "split_frame"),
    "to_form_errors": ("doors.forms", "to_form_errors"),
    "json_schema": ("doors.forms", "json_schema"),
    "batches": ("doors.batching", "batches"),
    "render_filter": ("models.audiences", "render_filter"),
    "openapi": ("doors.openapi", "openapi"),
}

if TYPE_CHECKING:  # pragma: no cover
    from trackly_validate import models
    from trackly_validate.models import webhooks
    from trackly_validate.doors.batching import batches
    from trackly_validate.doors.bulk import Partition, partition
    from trackly_validate.doors.forms import json_schema, to_form_errors
    from trackly_validate.doors.columns.frames import check_frame, split_frame
    from trackly_validate.doors.python import check, model_for, validate, validate_as
    from trackly_validate.models.audiences import render_filter
    from trackly_validate.doors.openapi import openapi


def __getattr__(name: str) -> Any:
    import importlib

    if name == "models":
        return importlib.import_module(".models", __name__)
    if name == "webhooks":
        return importlib.import_module(".models.webhooks", __name__)
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{target[0]}", __name__), target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
