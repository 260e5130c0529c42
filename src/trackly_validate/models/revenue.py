"""Revenue: POST /v2/revenue and POST /v2/revenue/bulk (campaigns reference).

A record: ``message_id`` required (``missing_message_id``; the docs call it the
8-character send ID but give no code for another length, so its length is not
checked), ``revenue`` required and a number >= 0 (``missing_revenue`` /
``invalid_revenue``; numeric strings such as ``"24.99"`` are read as numbers, as a
lenient server would), ``attribution_type`` required, ``sale|click|send``
(``missing_attribution_type`` / ``invalid_attribution_type``), ``offer_id`` optional
(resolved from the short link when omitted), ``timestamp`` optional ISO 8601
(``invalid_timestamp``: the format is documented, the code inferred).

The single-record page's error table was not stored: it is read as the bulk page's
per-record codes ("the same schema"), inferred.  Bulk: ``records`` 1..1,000
(``missing_records`` for absent/``null``/``[]`` or not an array, 413
``too_many_records`` above 1,000); each record is checked on its own, problems carry
the index (``("records", 3, "revenue")``); ``imported`` is an optional boolean.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import ABSENT, Coded, ItemsCap, OneOf, Required, TracklyModel
from trackly_validate.rules.timestamps import Timestamp
from trackly_validate.rules.types import Bool, Str

__all__ = ["RevenueRecord", "RecordRevenue", "RecordRevenueBulk"]

MessageId = Annotated[Str, Required(C.missing_message_id)]
Revenue = Annotated[float, Field(ge=0, allow_inf_nan=False), Coded(C.invalid_revenue), Required(C.missing_revenue)]
AttributionType = Annotated[Any, OneOf(C.invalid_attribution_type, "sale", "click", "send"),
                            Required(C.missing_attribution_type)]


class RevenueRecord(TracklyModel):
    """One revenue event: the body of POST /v2/revenue, an item of /v2/revenue/bulk."""

    message_id: MessageId = ABSENT
    revenue: Revenue = ABSENT
    attribution_type: AttributionType = ABSENT
    offer_id: Str | None = None
    timestamp: Timestamp | None = None


class RecordRevenue(RevenueRecord):
    """POST /v2/revenue: one revenue event (see the module docstring)."""


class RecordRevenueBulk(TracklyModel):
    """POST /v2/revenue/bulk: 1 to 1,000 revenue events (see the module docstring)."""

    records: Annotated[
        list[RevenueRecord],
        ItemsCap(C.too_many_records, 1000, type_info=C.missing_records),
        Required(C.missing_records),
    ] = ABSENT
    imported: Bool | None = None
