"""Creatives: POST /v2/creatives and PUT /v2/creatives/{id} (campaigns reference).

- ``name`` required, at most 255 characters (``missing_name`` / ``name_too_long``);
  ``message`` required, at most 1,600 (``missing_message`` / ``message_too_long``) and
  with at least one ``{{linkN}}`` (``missing_link_placeholder``).
- ``offer_links`` required and non-empty on create (``missing_offer_links``); every
  placeholder needs an entry (``missing_offer_links_for_placeholders``); each entry
  needs ``key`` and ``offer_id``; the ``{{linkN}}`` rule and the entry rules live in
  :mod:`trackly_validate.rules.placeholders` (inferred parts are listed there).
- ``status``: ``active|paused`` on create, plus ``archived`` on update; ``creative_type``
  ``automated|one_time|welcome``.  Any other value, whatever its JSON type, is the
  field's ``invalid_*`` code; ``null`` counts as not sent (the server's default applies).

Update (PUT) is partial:

- Every field is optional and ``null`` means "not sent".  The update page documents no
  ``missing_name``/``missing_message``, so none is raised; an empty ``name`` is not
  refused (undocumented).  A ``message`` that is sent, ``""`` included, must still
  carry a placeholder (``missing_link_placeholder``).
- Placeholder coverage is checked against the merged creative on the server; locally it
  is checked only when the request carries both ``message`` and ``offer_links`` (an
  empty ``offer_links`` then covers nothing).  A lone ``message`` or ``offer_links``
  is never refused for coverage.

On create, coverage is checked when ``offer_links`` is a non-empty array (an absent or
empty one is already ``missing_offer_links``).  Coverage runs on the raw input, so it
is reported in the same pass as entry problems (and even when ``message`` is too long).

:meth:`CreateCreative.estimate` gives the docs' ``character_count``/``segment_count``
estimate (23 per link, 34 of compliance text) next to the real GSM-7/UCS-2 analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import model_validator

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import ABSENT, MaxLen, OneOf, Required, TracklyModel
from trackly_validate.rules.crossfield import field_of, validate_with
from trackly_validate.rules.placeholders import (
    HasPlaceholder,
    LinkKey,
    LinkOfferId,
    LinkUrl,
    Shape,
    UrlParams,
    coverage_error,
)
from trackly_validate.rules.types import Str
from trackly_validate.rules.sms import CreativeEstimate, SmsAnalysis, analyze_sms, estimate_creative

#: models only; ``OfferLinks`` and ``CreativeSize`` are imported from this module
__all__ = ["OfferLink", "CreateCreative", "UpdateCreative"]


class OfferLink(TracklyModel):
    """One ``offer_links`` entry (also used by schedule blasts): ``key`` is the placeholder
    without braces (``"link1"``), ``offer_id`` an offer of the account (its existence,
    ``offer_not_found``, needs the server), ``url`` an optional http(s) override
    (``null``/``""`` = the offer's own URL), ``url_params`` extra query parameters."""

    key: LinkKey = ABSENT
    offer_id: LinkOfferId = ABSENT
    url: LinkUrl = None
    url_params: UrlParams | None = None


#: ``offer_links``: an array (else ``invalid_offer_links``) of objects (else the same code).
OfferLinks = Annotated[
    list[Annotated[OfferLink, Shape(C.invalid_offer_links, "object")]],
    Shape(C.invalid_offer_links, "array"),
]

Name = Annotated[Str, MaxLen(C.name_too_long, 255)]
Message = Annotated[Str, MaxLen(C.message_too_long, 1600), HasPlaceholder()]
CreativeType = Annotated[Any, OneOf(C.invalid_creative_type, "automated", "one_time", "welcome")]


@dataclass(frozen=True, slots=True)
class CreativeSize:
    """:meth:`CreateCreative.estimate`: ``documented`` is the docs' rule (what the API
    reports as ``character_count``/``segment_count``, 23 per link + 34); ``raw`` is the
    real GSM-7/UCS-2 analysis of the template text as written (placeholders included)."""

    documented: CreativeEstimate
    raw: SmsAnalysis


class _Creative(TracklyModel):
    __trackly_cross_field__ = (C.missing_offer_links_for_placeholders,)

    message: Any = None

    def estimate(self) -> CreativeSize | None:
        """The size of this creative's message (``None`` when an update sends no message)."""
        if not isinstance(self.message, str):
            return None
        return CreativeSize(documented=estimate_creative(self.message), raw=analyze_sms(self.message))


class CreateCreative(_Creative):
    """POST /v2/creatives (see the module docstring)."""

    name: Annotated[Name, Required(C.missing_name)] = ABSENT
    message: Annotated[Message, Required(C.missing_message)] = ABSENT
    offer_links: Annotated[OfferLinks, Required(C.missing_offer_links)] = ABSENT
    status: Annotated[Any, OneOf(C.invalid_status, "active", "paused")] | None = None
    creative_type: CreativeType | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _coverage(cls, data: Any, handler: Any) -> Any:
        links = field_of(data, "offer_links")
        error = coverage_error(field_of(data, "message"), links) if links else None
        return validate_with(handler, data, [(("offer_links",), error)] if error else (), cls.__name__)


class UpdateCreative(_Creative):
    """PUT /v2/creatives/{id}: partial (see the module docstring)."""

    name: Name | None = None
    message: Message | None = None
    offer_links: OfferLinks | None = None
    status: Annotated[Any, OneOf(C.invalid_status, "active", "paused", "archived")] | None = None
    creative_type: CreativeType | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _coverage(cls, data: Any, handler: Any) -> Any:
        error = coverage_error(field_of(data, "message"), field_of(data, "offer_links"))
        return validate_with(handler, data, [(("offer_links",), error)] if error else (), cls.__name__)
