"""Short links: POST /v2/links and POST /v2/links/shorten (campaigns reference).

``/v2/links/shorten`` (documented table): ``url`` or ``offerId`` →
``missing_url_or_offer``; ``listId`` or ``phoneNumber`` → ``missing_list_identifier``;
``url`` http(s) only → ``invalid_url`` — **for a wrong scheme too**: the endpoint page
documents ``invalid_url`` and no ``invalid_url_scheme``, and the endpoint page is the
reference for its own codes); ``phoneNumber`` E.164 → ``invalid_phone`` ("Invalid E.164 phone number
format").  ``offerId`` wins over ``url``, so ``url`` is not checked when ``offerId`` is
given.  ``contactPhone`` E.164 → ``invalid_phone`` (inferred: no code documented).

``/v2/links`` (error table not stored, every code inferred): ``offerId`` or
``externalOfferId`` → ``missing_offer_id``; ``listId`` or ``phoneNumber`` →
``missing_list_identifier``; ``phoneNumber`` E.164 → ``invalid_phone``.

"One of" means at least one (both may be given; the docs say which wins).  A value
sent as ``null`` or ``""`` counts as not given; the "one of" problems are about the
whole body (``loc`` ``()``) and are reported in the same pass as field problems.
The phone numbers are sending-list / contact numbers, not recipients of a send, so
the account mirrors (``block_voip``, ``allowed_countries``) do not apply.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.rules.base import TracklyModel, fail
from trackly_validate.rules.phones import Phone
from trackly_validate.rules.crossfield import Loc, is_blank, validate_with
from trackly_validate.rules.placeholders import blank_is_none
from trackly_validate.rules.types import Int, Str
from trackly_validate.rules.urls import HttpUrlOf
from trackly_validate.rules.schema import add_rule, any_given, given

__all__ = ["CreateLink", "ShortenLink"]


ListPhone = Annotated[Annotated[str, Phone(C.invalid_phone, "e164", role="sender")] | None, blank_is_none]
ListId = Annotated[Int | None, blank_is_none]
OptionalText = Annotated[Str | None, blank_is_none]


def _one_of(data: Any, pairs: tuple[tuple[tuple[str, str], CodeInfo], ...]) -> list[tuple[Loc, PydanticCustomError]]:
    if not isinstance(data, dict):
        return []
    return [((), fail(info)) for (a, b), info in pairs if is_blank(data.get(a)) and is_blank(data.get(b))]


def _one_of_rules(schema: dict[str, Any], pairs: tuple[tuple[tuple[str, str], CodeInfo], ...]) -> None:
    for names, _info in pairs:
        add_rule(schema, any_given(*names))


def _shorten_rules(schema: dict[str, Any]) -> None:
    _one_of_rules(schema, ShortenLink._pairs)
    # offerId wins over url: url is checked only without an offer
    url = schema["properties"].pop("url")
    schema["properties"]["url"] = {}
    add_rule(schema, {"if": given("offerId"), "else": {"properties": {"url": url}}})


class CreateLink(TracklyModel):
    """POST /v2/links: a short link for a partnership offer (see the module docstring)."""

    _pairs: ClassVar = ((("offerId", "externalOfferId"), C.missing_offer_id),
                        (("listId", "phoneNumber"), C.missing_list_identifier))
    __trackly_cross_field__ = (C.missing_offer_id, C.missing_list_identifier)
    __trackly_json_schema__ = staticmethod(lambda schema: _one_of_rules(schema, CreateLink._pairs))

    offerId: OptionalText = None  # noqa: N815 - the API's own camelCase names
    externalOfferId: OptionalText = None  # noqa: N815
    listId: ListId = None  # noqa: N815
    phoneNumber: ListPhone = None  # noqa: N815

    @model_validator(mode="wrap")
    @classmethod
    def _one_of(cls, data: Any, handler: Any) -> Any:
        return validate_with(handler, data, _one_of(data, cls._pairs), cls.__name__)


class ShortenLink(TracklyModel):
    """POST /v2/links/shorten: a short link for a URL or an SMS offer (see the module docstring)."""

    _pairs: ClassVar = ((("url", "offerId"), C.missing_url_or_offer),
                        (("listId", "phoneNumber"), C.missing_list_identifier))
    __trackly_cross_field__ = (C.missing_url_or_offer, C.missing_list_identifier)
    __trackly_json_schema__ = staticmethod(_shorten_rules)

    offerId: OptionalText = None  # noqa: N815 - declared before url: url's rule reads it (validation.data)
    url: Annotated[Annotated[str, HttpUrlOf(C.invalid_url)] | None, blank_is_none] = None
    listId: ListId = None  # noqa: N815
    phoneNumber: ListPhone = None  # noqa: N815
    contactPhone: ListPhone = None  # noqa: N815

    @field_validator("url", mode="wrap")
    @classmethod
    def _offer_wins(cls, value: Any, handler: Any, validation: ValidationInfo) -> Any:
        if not is_blank(validation.data.get("offerId")):
            return value  # the server uses the offer and ignores url
        return handler(value)

    @model_validator(mode="wrap")
    @classmethod
    def _one_of(cls, data: Any, handler: Any) -> Any:
        return validate_with(handler, data, _one_of(data, cls._pairs), cls.__name__)
