"""The ``{{linkN}}`` rule, written once for creatives and for schedule blasts.

A message's link placeholders are ``{{linkN}}`` (N = ASCII digits; regex
``\\{\\{link([0-9]+)\\}\\}``, linear: a literal prefix, one digit run, a literal
suffix).  Each placeholder needs an ``offer_links`` entry whose ``key`` is ``linkN``
(campaigns reference).  The pieces:

- :class:`HasPlaceholder` (marker on ``message``): at least one placeholder, else
  ``missing_link_placeholder`` (a Rust regex search in pydantic-core).
- :func:`uncovered` / :func:`coverage_error`: the placeholders no entry covers →
  ``missing_offer_links_for_placeholders``, whose text names them:
  ``"Missing offer_links for placeholders: link2, link3"`` — keys joined by ``", "``
  in order of **first appearance in the message**, each named once (decision: the
  docs show no example of the filled text).
- Entry field types (used by ``models.creatives.OfferLink``): ``key`` and
  ``offer_id`` required (``missing_offer_link_key`` / ``missing_offer_link_offer_id``),
  a non-string ``key``/``offer_id``, an entry that is not an object, an array that is
  not an array or a ``url_params`` that is not an object → ``invalid_offer_links``
  (inferred: the docs say only "the offer_links array is malformed"); ``url`` an http(s)
  URL via the shared URL rule (``invalid_url_scheme`` / ``invalid_url``; inferred:
  "no format rule documented"), ``null`` and ``""`` meaning "use the offer's URL".
- the coverage problem is added to pydantic's own with :func:`.crossfield.validate_with`,
  so it is reported in the same pass as, say, an entry without ``offer_id``.

Judgement calls (the docs are silent):

- Extra entries without a placeholder, duplicate keys and keys that do not start at
  ``link1`` are **accepted** (the rule only says each placeholder needs an entry).
- ``{{link01}}`` is covered by an entry ``link01`` **or** ``link1``: whether the
  server compares the literal text or the number is not documented, so both are
  accepted (a leading-zero key never causes a false positive).
- Malformed entries (not objects, non-string keys) cover nothing; they get their own
  ``invalid_offer_links`` problem.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable

from pydantic import BaseModel
from pydantic_core import PydanticCustomError, core_schema as cs

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.options import Options
from trackly_validate.rules.base import Coded, Required, Rule, coded, fail, tagged
from trackly_validate.rules.crossfield import field_of
from trackly_validate.rules.urls import HttpUrlOf

__all__ = [
    "PLACEHOLDER",
    "placeholders",
    "uncovered",
    "coverage_error",
    "HasPlaceholder",
    "Shape",
    "blank_is_none",
    "LinkKey",
    "LinkOfferId",
    "LinkUrl",
    "UrlParams",
]


#: The placeholder syntax (ASCII digits only: JavaScript's ``\\d`` is ASCII).
PLACEHOLDER = re.compile(r"\{\{link([0-9]+)\}\}")
_HAS_PLACEHOLDER = r"\{\{link[0-9]+\}\}"  # for pydantic-core's Rust regex (search semantics)


def placeholders(message: str) -> list[str]:
    """The placeholder keys of ``message`` (``"link1"``…), first appearance first, each once."""
    return list(dict.fromkeys("link" + digits for digits in PLACEHOLDER.findall(message)))


def _canonical(key: str) -> str | None:
    """``link007`` -> ``link7``; ``None`` for a key that is not ``link<digits>``."""
    digits = key[4:]
    if not key.startswith("link") or not digits or not (digits.isascii() and digits.isdigit()):
        return None
    return "link" + (digits.lstrip("0") or "0")


def uncovered(message: Any, offer_links: Any) -> list[str] | None:
    """Placeholders of ``message`` that no entry of ``offer_links`` covers, in message order.

    ``None`` when the check cannot be made (``message`` not a string or ``offer_links``
    not a list): the field's own problem is reported instead.
    """
    if not isinstance(message, str) or not isinstance(offer_links, list):
        return None
    found = placeholders(message)
    if not found:
        return []
    keys = {k for k in (field_of(e, "key") for e in offer_links) if isinstance(k, str)}
    canon = {_canonical(k) for k in keys}
    return [p for p in found if p not in keys and _canonical(p) not in canon]


def coverage_error(message: Any, offer_links: Any) -> PydanticCustomError | None:
    """``missing_offer_links_for_placeholders`` naming the uncovered keys, or ``None``."""
    missing = uncovered(message, offer_links)
    if not missing:
        return None
    return fail(C.missing_offer_links_for_placeholders, ", ".join(missing))


# --- markers -------------------------------------------------------------------------------------------

class _HasPlaceholderRule(Rule):
    def __init__(self, inner: cs.CoreSchema):
        self.inner = inner
        self.codes = (C.missing_link_placeholder.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return self.inner
        check = coded(cs.str_schema(pattern=_HAS_PLACEHOLDER), C.missing_link_placeholder)
        return cs.chain_schema([self.inner, check])


class HasPlaceholder:
    """Marker: the string contains at least one ``{{linkN}}``, else ``missing_link_placeholder``."""

    __slots__ = ()

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_HasPlaceholderRule(handler(source)))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        out = handler(core_schema["steps"][0] if core_schema.get("type") == "chain" else core_schema)
        if isinstance(out, dict):
            out["pattern"] = _HAS_PLACEHOLDER
        return out


_SHAPES: dict[str, Callable[[], cs.CoreSchema]] = {
    "array": cs.list_schema,
    # a JSON object, or (for Python callers) an already-built model instance
    "object": lambda: cs.union_schema([cs.dict_schema(), cs.is_instance_schema(BaseModel)], mode="left_to_right"),
}


class _ShapeRule(Rule):
    def __init__(self, info: CodeInfo, kind: str, inner: cs.CoreSchema):
        self.info, self.kind, self.inner = info, kind, inner
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return self.inner
        return cs.chain_schema([coded(_SHAPES[self.kind](), self.info), self.inner])


class Shape:
    """Marker: the value is a JSON ``kind`` (``"array"`` or ``"object"``), else ``info``;
    only then is the inner type (items, model fields, with their own codes) checked."""

    __slots__ = ("info", "kind")

    def __init__(self, info: CodeInfo, kind: str):
        if kind not in _SHAPES:
            raise ValueError(f"kind must be 'array' or 'object', got {kind!r}")
        self.info, self.kind = info, kind

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_ShapeRule(self.info, self.kind, handler(source)))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        inner = core_schema["steps"][-1] if core_schema.get("type") == "chain" else core_schema
        # a one-step chain is rendered through the generator's full path, so an inner
        # model keeps its $ref and its own JSON-schema hook (required fields)
        return handler(cs.chain_schema([inner]))


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


class _BlankIsNone:
    """Marker reading ``""`` as ``null`` (an optional value sent empty); JSON Schema: ``""`` admitted."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> cs.CoreSchema:
        return cs.no_info_before_validator_function(_blank_is_none, handler(source))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        return {"anyOf": [handler(core_schema), {"const": ""}]}


blank_is_none = _BlankIsNone()

# --- offer_links entry field types -----------------------------------------------------------------------

_LinkText = Annotated[str, Coded(C.invalid_offer_links)]
LinkKey = Annotated[_LinkText, Required(C.missing_offer_link_key)]
LinkOfferId = Annotated[_LinkText, Required(C.missing_offer_link_offer_id)]
LinkUrl = Annotated[Annotated[str, HttpUrlOf()] | None, blank_is_none]
UrlParams = Annotated[dict[str, Any], Coded(C.invalid_offer_links)]
