"""History import and clear: POST /v2/history/sends, /clicks, /revenue and
DELETE /v2/history/clear (campaigns reference, audiences-contacts reference).

Every import takes ``records``: 1..1,000 (``missing_records`` for absent/``null``/``[]``
or not an array; 413 ``too_many_records`` above 1,000).  Records are checked one by one
and problems carry the index (``("records", 3, "timestamp")``); unknown record fields
are kept.  Timestamps are ISO 8601 (``invalid_timestamp``).

- sends: ``id`` (``missing_id``), ``to_number`` (``missing_to_number``; E.164 →
  ``invalid_phone``, "Invalid E.164 phone number format"), ``timestamp``
  (``missing_timestamp``) required; ``list_number``/``list_id`` optional (neither is
  documented as required and no code exists for a missing one; an unknown list is a
  404 ``list_not_found`` from the server), ``message``, ``send_type``, ``delivered``,
  ``length``.  The account mirrors (``block_voip``, ``allowed_countries``) do not apply:
  nothing is sent.
- clicks: ``message_id``, ``offer_id``, ``phone_number``, ``timestamp`` required;
  ``send_timestamp`` optional.  The clicks page documents no ``invalid_phone``, so the
  format of ``phone_number`` is not checked (E.164 is described, but the error table is
  the best evidence of what the server refuses).
- revenue: ``message_id``, ``offer_id``, ``revenue`` required.  ``revenue`` must be a
  number (``invalid_revenue``, inferred) but may be negative here (no ">= 0" is
  documented for imports).  ``attribution_type`` is **not** checked against
  ``sale|click|send``: the older example sends ``"migration"`` and another omits it
  (union of doc versions); ``payout`` a number; ``timestamp`` optional.
- clear: ``entities`` one or more of ``sends|clicks|revenue`` (``missing_entities`` for
  absent/``null``/``[]``; a non-array or any other value → ``invalid_entities``, one
  problem per bad item); ``confirm`` must be the JSON value ``true`` — ``"true"``, ``1``,
  ``false``, ``null`` or absent → ``confirm_required``; ``before_date`` optional ISO 8601.
  The clear page's own error table was not stored: ``missing_entities``/
  ``invalid_entities`` come from the error-code page (inferred) and the order is the
  field order of the docs.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import Field, GetPydanticSchema
from pydantic_core import core_schema as cs

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import ABSENT, Coded, ItemsCap, OneOf, Required, TracklyModel
from trackly_validate.rules.phones import Phone
from trackly_validate.rules.placeholders import Shape
from trackly_validate.rules.timestamps import Timestamp
from trackly_validate.rules.types import Bool, Int, Number, Str

__all__ = [
    "SendRecord",
    "ClickRecord",
    "RevenueImportRecord",
    "ImportSends",
    "ImportClicks",
    "ImportRevenue",
    "ClearHistory",
]


_Record = TypeVar("_Record", bound=TracklyModel)
#: An import's ``records``: 1 to 1,000 of one record model (``_Records[SendRecord]``).
_Records = Annotated[list[_Record], ItemsCap(C.too_many_records, 1000, type_info=C.missing_records),
                     Required(C.missing_records)]


WhenRequired = Annotated[Timestamp, Required(C.missing_timestamp)]
MessageId = Annotated[Str, Required(C.missing_message_id)]
OfferId = Annotated[Str, Required(C.missing_offer_id)]


class SendRecord(TracklyModel):
    """One record of POST /v2/history/sends."""

    id: Annotated[Str, Required(C.missing_id)] = ABSENT
    list_number: Str | None = None
    list_id: Int | None = None
    to_number: Annotated[str, Phone(C.invalid_phone, "e164", role="sender"), Required(C.missing_to_number)] = ABSENT
    message: Str | None = None
    send_type: Str | None = None
    delivered: Bool | None = None
    length: Int | None = None
    timestamp: WhenRequired = ABSENT


class ImportSends(TracklyModel):
    """POST /v2/history/sends: 1 to 1,000 past sends (see the module docstring)."""

    records: _Records[SendRecord] = ABSENT


class ClickRecord(TracklyModel):
    """One record of POST /v2/history/clicks."""

    message_id: MessageId = ABSENT
    offer_id: OfferId = ABSENT
    phone_number: Annotated[Str, Required(C.missing_phone_number)] = ABSENT
    send_timestamp: Timestamp | None = None
    timestamp: WhenRequired = ABSENT


class ImportClicks(TracklyModel):
    """POST /v2/history/clicks: 1 to 1,000 past clicks (see the module docstring)."""

    records: _Records[ClickRecord] = ABSENT


class RevenueImportRecord(TracklyModel):
    """One record of POST /v2/history/revenue."""

    message_id: MessageId = ABSENT
    offer_id: OfferId = ABSENT
    revenue: Annotated[float, Field(allow_inf_nan=False), Coded(C.invalid_revenue), Required(C.missing_revenue)] = ABSENT
    payout: Number | None = None
    attribution_type: Str | None = None
    timestamp: Timestamp | None = None


class ImportRevenue(TracklyModel):
    """POST /v2/history/revenue: 1 to 1,000 past revenue events (see the module docstring)."""

    records: _Records[RevenueImportRecord] = ABSENT


_TRUE = GetPydanticSchema(lambda _s, _h: cs.chain_schema([cs.bool_schema(strict=True), cs.literal_schema([True])]))
Entity = Annotated[Any, OneOf(C.invalid_entities, "sends", "clicks", "revenue")]


def _confirm_is_true(schema: dict[str, Any]) -> None:
    """``confirm``: the JSON value ``true``, and nothing else (absent is ``confirm_required``)."""
    schema["properties"]["confirm"] = {"title": "Confirm", "const": True}
    schema["required"] = [*schema.get("required", []), "confirm"]


class ClearHistory(TracklyModel):
    """DELETE /v2/history/clear (see the module docstring)."""

    entities: Annotated[list[Entity], Shape(C.invalid_entities, "array"), Required(C.missing_entities)] = ABSENT
    before_date: Timestamp | None = None
    confirm: Annotated[bool, _TRUE, Coded(C.confirm_required)] = ABSENT
    __trackly_json_schema__ = staticmethod(_confirm_is_true)
