"""Identifiers.

``ObjectId``: audience, schedule and offer IDs are 24 hex characters in every
example (MongoDB ObjectId).  The format is **inferred** from examples, never
stated: the rule is registered as inferred and can be switched off with
``Options(disable={"invalid_audience_id"})``.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable

from pydantic_core import core_schema as cs

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.options import Options
from trackly_validate.rules.base import Rule, coded, tagged

__all__ = ["OBJECT_ID_PATTERN", "ObjectIdOf", "AudienceId", "is_object_id"]

from trackly_validate.rules.objectid import OBJECT_ID_PATTERN, is_object_id


class _ObjectIdRule(Rule):
    def __init__(self, info: CodeInfo):
        self.info = info
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return cs.str_schema()
        return coded(cs.str_schema(pattern=OBJECT_ID_PATTERN, strict=True), self.info)


class ObjectIdOf:
    """Marker: a 24-hex ObjectId string, else ``info`` (inferred rule)."""

    __slots__ = ("info",)

    def __init__(self, info: CodeInfo):
        self.info = info

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_ObjectIdRule(self.info))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        return {"type": "string", "pattern": OBJECT_ID_PATTERN}


AudienceId = Annotated[str, ObjectIdOf(C.invalid_audience_id)]
