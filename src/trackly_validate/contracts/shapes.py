"""What an endpoint answers when it succeeds: :data:`SHAPES`, contract -> :class:`Shape`.

A shape is the status, the top-level fields every answer has (name -> JSON type;
``number|null`` where a sum can pass the float range, which JSON.stringify writes as
null) and an example: the docs' own where they give one (messaging.md, campaigns.md,
audiences-contacts.md), else a minimal honest one.  The stand-in answers with these
statuses and fields, the OpenAPI document promises them: one table, so they cannot drift.

- A body endpoint without an entry gets :data:`GENERIC`: 200 ``{"success": true}``.
- A read contract's shape is derived from the contract (:func:`read_kind`): a list (its
  ``Listing``: the array, and ``pagination`` where the docs paginate), an audience's size,
  an archiving DELETE, the v1 no-op, else the resource by id; a read whose resource has
  no example here (:data:`OBJECTS`) fails the import, naming the route.

:data:`HEADERS` is the headers every answer of an endpoint carries: its version's
(:data:`VERSION_HEADERS`: v1's deprecation headers, messaging reference), none by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from trackly_validate.core.catalog import C
from trackly_validate.contracts.routes import READS, ROUTES, ContractError, Route
from trackly_validate.contracts.tables import route_table

__all__ = ["Shape", "Header", "SHAPES", "HEADERS", "VERSION_HEADERS", "GENERIC", "OBJECTS", "ARCHIVED",
           "V1_NOOP", "read_kind", "default_shape"]


@dataclass(frozen=True, slots=True)
class Shape:
    """A success answer: ``status``, ``fields`` (name -> JSON type), ``example``."""

    status: int
    fields: Mapping[str, str]
    example: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Header:
    """A header every answer of an endpoint carries: its value and what it says."""

    name: str
    value: str
    description: str


#: The shape of a body endpoint the docs give no answer for.
GENERIC = Shape(200, {"success": "boolean"}, {"success": True})

#: Headers every answer of an API version carries (messaging reference: v1's).
VERSION_HEADERS: Mapping[str, tuple[Header, ...]] = MappingProxyType({
    "v1": (Header("X-API-Deprecated", "v1 is deprecated", "Every v1 response carries it."),
           Header("Deprecation", "true", "RFC 8594: v1 is deprecated.")),
})

# --- the docs' objects --------------------------------------------------------------------------------------

_CREATIVE = {"id": 101, "name": "Summer Sale Promo",
             "message": "Hot deals just for you! Shop now: {{link1}} Reply STOP to opt out.",
             "offer_links": [{"key": "link1", "offer_id": "offer_abc123", "url": None, "url_params": {"sub1": "sms"}}],
             "offers": ["offer_abc123"], "status": "active", "creative_type": "automated", "character_count": 97,
             "segment_count": 1, "created_at": "2025-06-10T12:00:00Z"}
_OFFER = {"id": "664f1a2b3c4d5e6f7a8b9c0d", "name": "Summer Promo",
          "tracking_url": "https://track.example.com/click?offer_id=123", "external_platform": "tune",
          "external_id": "4521", "advertiser_id": "adv_882", "payout": 2.50, "payout_type": "cpa",
          "filter_bots": True, "status": "active", "metadata": {"vertical": "health", "geo": "US"}}
_SCHEDULE = {"id": "6651a3f2e4b0a1c2d3e4f567", "name": "Weekend Promo", "send_type": "blast", "status": "draft",
             "audiences": ["665fa1b2c3d4e5f6a7b8c901"], "is_repeating": True, "send_time": "14:30",
             "start_date": "2025-06-01T00:00:00Z", "end_date": "2025-08-31T00:00:00Z"}
_AUDIENCE: dict[str, Any] = {
    "id": "664f1a2b3c4d5e6f7a8b9c0d", "name": "Recent signups", "description": "", "source_lists": [],
    "filter": {"operator": "AND", "conditions": [
        {"condition_type": "time", "field": "signup_date", "operator": "within", "value": 3, "unit": "days"}]},
    "cached_size": None, "cached_size_updated_at": None, "status": "active", "created_at": "2025-10-01T14:22:00"}
_LIST = {"id": 42, "phone_number": "+12025551234", "brand_name": "Acme Co", "list_name": "Acme Promo List",
         "list_type": "infobip", "status": "active", "contact_count": 15230, "created_at": "2025-03-15T14:30:00Z"}
_CONTACT = {"id": "664f1a2b3c4d5e6f7a8b9c0f", "phone_number": "+14155551234", "list_number": "+18005551234",
            "list_id": 42, "active": True, "signup_date": "2026-02-10T09:15:00Z", "signup_method": "api",
            "custom_fields": {"first_name": "Jane"}, "carrier": "T-Mobile", "line_type": "CELL PHONE",
            "timezone": "America/Los_Angeles", "is_valid": True, "send_count": 12, "click_count": 3,
            "revenue_total": 24.99, "conversion_count": 1, "last_sent_at": "2026-02-12T15:00:00Z",
            "last_clicked_at": "2026-02-12T15:04:00Z", "in_workflow": False}
_PHONE = {"phone": "+14155551234", "valid": True, "line_type": "mobile", "carrier": "Verizon Wireless",
          "carrier_raw": "CELLCO PARTNERSHIP DBA VERIZON", "ported": False, "country": "US",
          "state": "California", "city": "San Francisco", "on_dnc": False, "disposition": "ok",
          "cost": 0.003, "cached": False}
_PHONE_ERROR = {"phone": "not-a-phone", "error": "validation_error", "code": C.invalid_phone.code,
                "message": "invalid phone number format"}

#: Each stand-in resource as the docs' examples show it, and the JSON type of its id.
OBJECTS: Mapping[str, tuple[Mapping[str, Any], str]] = MappingProxyType({
    "lists": (_LIST, "integer"),
    "audiences": (_AUDIENCE, "string"),
    "list_contacts": (_CONTACT, "string"),
    "creatives": (_CREATIVE, "integer"),
    "schedules": (_SCHEDULE, "string"),
    "offers": ({**_OFFER, "created_at": "2025-06-01T00:00:00Z", "updated_at": "2025-06-01T00:00:00Z"}, "string"),
})

#: What "archived" is called per resource (campaigns reference: schedules say ``archive``).
ARCHIVED: Mapping[str, str] = MappingProxyType(
    {"creatives": "archived", "offers": "archived", "audiences": "archived", "schedules": "archive"})

#: The v1 contacts endpoints' answer text (audiences-contacts reference: they do nothing).
V1_NOOP = "This endpoint is deprecated and performs no operation."

# --- body endpoints -------------------------------------------------------------------------------------------

_SEND = {"success": "boolean", "message_id": "string", "status": "string"}
_QUEUE = {"queued_count": "integer", "error_count": "integer", "errors": "array"}
_ID = {"id": "string|integer"}

_BODY_SHAPES: dict[str, Shape] = {
    "POST /v2/send": Shape(200, _SEND, {"success": True, "message_id": "a1b2c3d4", "status": "queued"}),
    "POST /v2/send/bulk": Shape(200, _QUEUE, {"queued_count": 2, "error_count": 0, "errors": []}),
    "POST /v2/send-raw": Shape(200, _SEND, {"success": True, "message_id": "x7y8z9w0", "status": "queued"}),
    "POST /v2/send-raw/bulk": Shape(200, _QUEUE, {"queued_count": 2, "error_count": 0, "errors": []}),
    "POST /v1/messages": Shape(
        201, {"message_id": "string", "id": "string", "status": "string", "segments": "integer",
              "gsm7": "boolean", "deprecated": "boolean"},
        {"message_id": "msg_xyz789abc123", "id": "msg_xyz789abc123", "status": "queued", "segments": 1,
         "gsm7": True, "deprecated": True}),
    "POST /v1/messages/bulk": Shape(201, {**_QUEUE, "deprecated": "boolean"},
                                    {"queued_count": 3, "error_count": 0, "errors": [], "deprecated": True}),
    "POST /v1/phone/validate": Shape(200, {"phone": "string"}, _PHONE),
    "POST /v1/phone/validate/batch": Shape(
        200, {"results": "array", "summary": "object"},
        {"results": [_PHONE, _PHONE_ERROR],
         "summary": {"total": 2, "ok": 1, "unreachable": 0, "invalid": 0, "risky": 0, "unknown": 0, "errors": 1,
                     "cached": 0, "total_cost": 0.003}}),
    # the OTP endpoints: GENERIC
    "POST /v2/creatives": Shape(201, {"success": "boolean", "creative": "object"},
                                {"success": True, "creative": _CREATIVE}),
    "PUT /v2/creatives/{id}": Shape(200, _ID, {**_CREATIVE, "slug": "cre_summer-sale-promo-v2_a1b2c3"}),
    "POST /v2/schedules": Shape(201, {"success": "boolean", "schedule": "object"},
                                {"success": True, "schedule": _SCHEDULE}),
    "PUT /v2/schedules/{id}": Shape(200, {"success": "boolean", "schedule": "object"},
                                    {"success": True, "schedule": {**_SCHEDULE, "status": "on"}}),
    "POST /v2/offers": Shape(201, {"success": "boolean", "offer": "object"}, {"success": True, "offer": _OFFER}),
    "PUT /v2/offers/{id}": Shape(200, _ID, {**_OFFER, "slug": "ofr_summer-promo-v2_a1b2c3", "name": "Summer Promo v2",
                                            "payout": 3.00}),
    "POST /v2/links": Shape(
        200, {"shortUrl": "string", "linkId": "string", "clickTrackerUrl": "string", "destinationUrl": "string",
              "domain": "string"},
        {"shortUrl": "https://yourdomain.com/Ab3kX9", "linkId": "Ab3kX9",
         "clickTrackerUrl": "https://ct.yourdomain.click/c/<uuid>",
         "destinationUrl": "https://example.com/offer?aff_sub={{sendId}}", "domain": "https://yourdomain.com",
         "offerId": "6789abcd1234ef5678901234"}),
    "POST /v2/links/shorten": Shape(
        200, {"shortUrl": "string", "linkId": "string", "destinationUrl": "string", "domain": "string",
              "filterBots": "boolean"},
        {"shortUrl": "https://yourdomain.com/Ab3kX9q", "linkId": "Ab3kX9q",
         "destinationUrl": "https://example.com/offer?aff_sub=12345", "domain": "yourdomain.com",
         "offerId": "6651a3ef1234567890abcdef", "filterBots": False}),
    "POST /v2/revenue": Shape(200, {"success": "boolean", "revenue_id": "string"},
                              {"success": True, "revenue_id": "67a1b2c3d4e5f6a7b8c9d0e1", "message_id": "a1b2c3d4",
                               "revenue": 24.99}),
    "POST /v2/revenue/bulk": Shape(
        200, {"success_count": "integer", "error_count": "integer", "total_revenue": "number|null", "errors": "array"},
        {"success_count": 2, "error_count": 0, "total_revenue": 37.49, "errors": []}),
    "POST /v2/history/sends": Shape(
        200, {"success_count": "integer", "error_count": "integer", "duplicates_skipped": "integer",
              "invalid_phones": "integer", "errors": "array"},
        {"success_count": 1, "error_count": 0, "duplicates_skipped": 0, "invalid_phones": 0, "errors": []}),
    "POST /v2/history/clicks": Shape(
        200, {"success_count": "integer", "error_count": "integer", "duplicates_skipped": "integer", "errors": "array"},
        {"success_count": 1, "error_count": 0, "duplicates_skipped": 0, "errors": []}),
    "POST /v2/history/revenue": Shape(
        200, {"success_count": "integer", "error_count": "integer", "total_revenue": "number|null", "errors": "array"},
        {"success_count": 3, "error_count": 0, "total_revenue": 46.24, "errors": []}),
    "DELETE /v2/history/clear": Shape(200, {"success": "boolean", "cleared": "object"},
                                      {"success": True, "cleared": {"sends": 150, "clicks": 45, "revenue": 32}}),
    "POST /v2/audiences": Shape(201, _ID, _AUDIENCE),
    "PUT /v2/audiences/{id}": Shape(200, _ID, _AUDIENCE),
    "POST /v2/contacts": Shape(
        200, {"success": "boolean", "contact_id": "string", "list_contact_id": "string", "is_new_contact": "boolean",
              "is_new_list_contact": "boolean"},
        {"success": True, "contact_id": "664f1a2b3c4d5e6f7a8b9c0e", "list_contact_id": "664f1a2b3c4d5e6f7a8b9c0f",
         "is_new_contact": True, "is_new_list_contact": True, "journeys_enrolled": 1}),
    "PUT /v2/contacts": Shape(
        200, {"success": "boolean", "list_contact_id": "string", "custom_fields": "object"},
        {"success": True, "list_contact_id": "664f1a2b3c4d5e6f7a8b9c0f",
         "custom_fields": {"first_name": "Jane", "vip_status": "gold", "last_purchase": "2026-02-10"}}),
    "DELETE /v2/contacts": Shape(200, {"success": "boolean", "unsubscribed": "boolean"},
                                 {"success": True, "unsubscribed": True}),
    "POST /v2/contacts/bulk": Shape(
        200, {"success_count": "integer", "error_count": "integer", "errors": "array"},
        {"success_count": 2, "error_count": 1, "errors": [
            {"index": 2, "phone_number": "+13105558888", "code": C.not_sendable.code,
             "error": C.not_sendable.message}],
         "contacts_created": 2, "list_contacts_created": 2, "journeys_enrolled": 1}),
}

# --- read contracts ---------------------------------------------------------------------------------------------

_PAGINATION = {"page": 1, "per_page": 25, "total": 1, "total_pages": 1}
_READ_SHAPES = {
    "archive": Shape(200, {"success": "boolean", "archived": "boolean"}, {"success": True, "archived": True}),
    "size": Shape(200, {"audience_id": "string", "size": "integer", "calculated_at": "string"},
                  {"audience_id": "664f1a2b3c4d5e6f7a8b9c0d", "size": 12480, "calculated_at": "2025-11-20T10:30:45"}),
    "noop": Shape(200, {"success": "boolean", "deprecated": "boolean"},
                  {"success": True, "deprecated": True, "message": V1_NOOP}),
}


def read_kind(route: Route) -> str:
    """What a read contract answers: ``list`` (it has a listing), ``noop`` (a v1 read
    without a resource), ``size`` (``.../size``), ``archive`` (a DELETE), else ``get``."""
    if route.listing is not None:
        return "list"
    if route.table is None:
        if route.version != "v1":
            raise ContractError(f"{route.key}: a v2 read names the table it reads")
        return "noop"
    if route.template.endswith("/size"):
        return "size"
    if route.method == "DELETE":
        if route.table not in ARCHIVED:
            raise ContractError(f"{route.key}: no archived status known for {route.table}")
        return "archive"
    return "get"


def _read_shape(route: Route) -> Shape:
    kind = read_kind(route)
    if kind in _READ_SHAPES:
        return _READ_SHAPES[kind]
    assert route.table is not None  # read_kind: only a v1 no-op has none
    if route.table not in OBJECTS:
        raise ContractError(f"{route.key}: no example object for the {route.table!r} resource")
    example, id_type = OBJECTS[route.table]
    listing = route.listing
    if listing is None:
        return Shape(200, {"id": id_type}, example)
    body: dict[str, Any] = {listing.field: [example]}
    fields = {listing.field: "array"}
    if listing.per_page is not None:
        body["pagination"] = _PAGINATION
        fields["pagination"] = "object"
    return Shape(200, fields, body)


def default_shape(route: Route) -> Shape:
    """The shape of a contract without an entry: derived for a read, else :data:`GENERIC`."""
    return _read_shape(route) if route.reads else GENERIC


#: Every contract's success answer (body endpoints and reads).
SHAPES: Mapping[Route, Shape] = route_table("SHAPES", _BODY_SHAPES, (*ROUTES, *READS), default_shape)

#: The headers every answer of a contract carries (none unless its version has some).
HEADERS: Mapping[Route, tuple[Header, ...]] = route_table(
    "HEADERS", {}, (*ROUTES, *READS), lambda route: VERSION_HEADERS.get(route.version, ()))
