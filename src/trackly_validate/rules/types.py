"""Scalar JSON types carrying the generic ``invalid_input`` code.

The docs give each field a JSON type but never say which code a wrong type gets;
``invalid_input`` ("Invalid input": "contains invalid structure") is the API's
generic code for it.  These aliases wrap pydantic's own lax scalar types, so a
model used directly reports ``invalid_input`` rather than ``string_type``.
Booleans are lax (``true``/``false``, ``0``/``1``, ``"true"``/``"false"``): the docs
only demand a strict boolean for ``force`` (see ``StrictFlag``).
"""

from __future__ import annotations

from typing import Annotated, Any

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.rules.base import Coded

__all__ = ["Str", "Bool", "Int", "Number", "StrictFlag", "JsonObject", "Metadata"]

Str = Annotated[str, Coded(C.invalid_input)]
Bool = Annotated[bool, Coded(C.invalid_input)]
Int = Annotated[int, Coded(C.invalid_input)]
Number = Annotated[float, Coded(C.invalid_input)]


def StrictFlag(info: CodeInfo = C.invalid_force) -> Any:  # noqa: N802 - reads like a type
    """A strict JSON boolean (``"true"`` and ``1`` rejected) raising ``info``."""
    from pydantic import StrictBool

    return Annotated[StrictBool, Coded(info)]


#: Any JSON object (keys are strings by construction of JSON).
JsonObject = Annotated[dict[str, Any], Coded(C.invalid_input)]
#: ``metadata``: a free key/value object; anything else is ``invalid_metadata``.
Metadata = Annotated[dict[str, Any], Coded(C.invalid_metadata)]
