"""Offers: POST /v2/offers and PUT /v2/offers/{id} (campaigns reference).

- ``name`` required on create, at most 255 characters (``missing_name`` /
  ``name_too_long``).  The create page's error table was not stored: ``missing_name``
  and ``missing_tracking_url`` on create are inferred (registered).
- ``tracking_url`` required on create and an http(s) URL (``missing_tracking_url``,
  ``invalid_url_scheme``, ``invalid_url``: the shared URL rule; the page says only
  "must be a valid URL", so the codes are inferred).
- ``external_platform`` ``tune|everflow`` or ``null`` (``invalid_external_platform``;
  ``""`` is refused like any other value), ``payout_type`` ``cpa|cpc``
  (``invalid_payout_type``), ``status`` ``active|paused`` (``archived`` too on update)
  → ``invalid_status``.  Any other value of these enums, whatever its JSON type, gets
  the field's code.
- ``metadata``: an object whose values are strings (keys always are in JSON) →
  ``invalid_metadata`` (the rule is documented, the code inferred).  No size cap is
  documented, none is enforced.

Update (PUT) is partial: every field optional, ``null`` = not sent.  The update page
documents no ``missing_*`` code, so an empty ``name`` or ``tracking_url`` is not
refused (``""`` for ``tracking_url`` counts as not sent); a non-empty ``tracking_url``
must still be http(s).  ``payout`` has no documented range.
"""

from __future__ import annotations

from typing import Annotated, Any

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import ABSENT, Coded, MaxLen, OneOf, Required, TracklyModel
from trackly_validate.rules.placeholders import blank_is_none
from trackly_validate.rules.types import Bool, Number, Str
from trackly_validate.rules.urls import HttpUrlOf

__all__ = ["CreateOffer", "UpdateOffer"]


Name = Annotated[Str, MaxLen(C.name_too_long, 255)]
ExternalPlatform = Annotated[Any, OneOf(C.invalid_external_platform, "tune", "everflow")]
PayoutType = Annotated[Any, OneOf(C.invalid_payout_type, "cpa", "cpc")]
StringMap = Annotated[dict[str, str], Coded(C.invalid_metadata)]


class CreateOffer(TracklyModel):
    """POST /v2/offers (see the module docstring)."""

    name: Annotated[Name, Required(C.missing_name)] = ABSENT
    tracking_url: Annotated[str, HttpUrlOf(), Required(C.missing_tracking_url)] = ABSENT
    external_platform: ExternalPlatform | None = None
    external_id: Str | None = None
    advertiser_id: Str | None = None
    payout: Number | None = None
    payout_type: PayoutType | None = None
    filter_bots: Bool | None = None
    status: Annotated[Any, OneOf(C.invalid_status, "active", "paused")] | None = None
    metadata: StringMap | None = None


class UpdateOffer(TracklyModel):
    """PUT /v2/offers/{id}: partial (see the module docstring).  ``metadata`` is merged
    into the stored one by the server; each value sent must still be a string."""

    name: Name | None = None
    tracking_url: Annotated[Annotated[str, HttpUrlOf()] | None, blank_is_none] = None
    external_platform: ExternalPlatform | None = None
    external_id: Str | None = None
    advertiser_id: Str | None = None
    payout: Number | None = None
    payout_type: PayoutType | None = None
    filter_bots: Bool | None = None
    status: Annotated[Any, OneOf(C.invalid_status, "active", "paused", "archived")] | None = None
    metadata: StringMap | None = None
