"""Hostile inputs for every modelled endpoint (shared by the test and `benchmarks/hostile.py`).

A documented valid body per route, and the values real callers send by mistake or malice.
"""

from __future__ import annotations

from typing import Any, Iterator

from trackly_validate.contracts.routes import ROUTES

AUD = "665fa1b2c3d4e5f6a7b8c901"
LINKS = [{"key": "link1", "offer_id": "offer_abc123", "url_params": {"sub1": "sms"}}]
FILTER = {"operator": "AND", "conditions": [
    {"condition_type": "time", "field": "last_clicked_at", "operator": "within", "value": 14, "unit": "days"},
    {"condition_type": "count", "field": "click_count", "operator": "gte", "value": 5}]}

#: route key -> a documented (or documented-shape) body the server accepts
VALID: dict[str, Any] = {
    "POST /v2/send": {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello! Ref: {{messageId}}",
                      "wrap_links": True, "contact_data": {"first_name": "Jane", "custom_fields": {"a": 1}},
                      "metadata": {"order": "42"}},
    "POST /v2/send/bulk": {"messages": [{"to": "+14155551234", "list_number": "+18005551000", "body": "Hi"},
                                        {"to": "+14155559876", "list_number": "+18005551000", "body": "Hi"}]},
    "POST /v2/send-raw": {"to": "+14155551234", "list_number": "+18005551000", "body": "Code 482901",
                          "skip_duplicate_check": True, "skip_rate_limit": True},
    "POST /v2/send-raw/bulk": {"messages": [{"to": "+14155551234", "list_number": "+18005551000", "body": "Code 1",
                                             "skip_rate_limit": True}]},
    "POST /v1/messages": {"to_msisdn": "+14155551234", "body": "Hello from Trackly SMS!",
                          "from_phone_number_id": "pn_abc123def456"},
    "POST /v1/messages/bulk": {"from_phone_number_id": "pn_abc123def456",
                               "messages": [{"to_msisdn": "+14155551234", "body": "Hello John!"}]},
    "POST /v1/phone/validate": {"phone": "+14155551234", "force": False},
    "POST /v1/phone/validate/batch": {"phones": ["+14155551234", "+13103059808"], "force": False},
    "POST /v2/otp/send": {"to": "+14155551234", "channel": "sms"},
    "POST /v2/otp/verify": {"to": "+14155551234", "code": "482901"},
    "POST /v2/creatives": {"name": "Summer Sale Promo",
                           "message": "Hot deals just for you! Shop now: {{link1}} Reply STOP to opt out.",
                           "offer_links": LINKS, "status": "active", "creative_type": "automated"},
    "PUT /v2/creatives/{id}": {"name": "Summer Sale Promo v2", "message": "Deals: {{link1}}", "offer_links": LINKS},
    "POST /v2/schedules": {"name": "Weekend Promo", "send_type": "blast", "audiences": [AUD], "is_repeating": True,
                           "send_time": "14:30", "start_date": "2025-06-01T00:00:00Z",
                           "end_date": "2025-08-31T00:00:00Z",
                           "days_of_week": {"friday": True, "saturday": True, "sunday": True},
                           "blasts": [{"message": "Flash sale: {{link1}}", "offer_links": LINKS,
                                       "percent_audience": 60, "variant_name": "Control", "mms_image_url": None},
                                      {"message": "20% off: {{link1}}", "offer_links": LINKS,
                                       "percent_audience": 40}]},
    "PUT /v2/schedules/{id}": {"name": "Weekend Promo — Updated", "status": "on", "skip_within_hours": 48},
    "POST /v2/offers": {"name": "Summer Promo", "tracking_url": "https://track.example.com/click?offer_id=123",
                        "external_platform": "tune", "external_id": "4521", "payout": 2.5, "payout_type": "cpa",
                        "filter_bots": True, "status": "active", "metadata": {"vertical": "health", "geo": "US"}},
    "PUT /v2/offers/{id}": {"name": "Summer Promo v2", "payout": 3.0, "metadata": {"notes": "Q1"}},
    "POST /v2/links": {"offerId": "6789abcd1234ef5678901234", "listId": 42},
    "POST /v2/links/shorten": {"url": "https://example.com/landing-page", "listId": 42},
    "POST /v2/revenue": {"message_id": "a1b2c3d4", "revenue": 24.99, "offer_id": "offer_123",
                         "attribution_type": "sale", "timestamp": "2026-02-08T12:00:00Z"},
    "POST /v2/revenue/bulk": {"records": [{"message_id": "a1b2c3d4", "revenue": 24.99, "offer_id": "offer_123",
                                           "attribution_type": "sale"}], "imported": False},
    "POST /v2/history/sends": {"records": [{"id": "hist_0001", "list_number": "+14155551234",
                                            "to_number": "+12025559876", "message": "Check out this deal!",
                                            "send_type": "campaign", "delivered": True, "length": 21,
                                            "timestamp": "2025-11-15T14:30:00Z"}]},
    "POST /v2/history/clicks": {"records": [{"message_id": "a1b2c3d4", "offer_id": "offer_123",
                                             "phone_number": "+14155551234", "timestamp": "2025-11-15T15:00:00Z"}]},
    "POST /v2/history/revenue": {"records": [{"message_id": "a1b2c3d4", "offer_id": "offer_123", "revenue": 24.99,
                                              "payout": 5.0, "attribution_type": "sale"}]},
    "DELETE /v2/history/clear": {"entities": ["sends", "clicks"], "confirm": True},
    "POST /v2/audiences": {"name": "High-Value Clickers", "filter": FILTER},
    "PUT /v2/audiences/{id}": {"name": "High-Value Clickers (Updated)", "filter": FILTER},
    "POST /v2/contacts": {"phone_number": "+14155559876", "list_number": "+18005551234", "use_journeys": True,
                          "custom_fields": {"first_name": "Jane", "source": "landing_page_v2"},
                          "ip_address": "203.0.113.42", "url": "https://example.com/signup"},
    "PUT /v2/contacts": {"phone_number": "+14155559876", "list_number": "+18005551234",
                         "custom_fields": {"vip_status": "gold"}},
    "DELETE /v2/contacts": {"phone_number": "+14155559876", "list_number": "+18005551234"},
    "POST /v2/contacts/bulk": {"contacts": [{"phone_number": "+14155559876", "list_number": "+18005551234"},
                                            {"phone_number": "+13105558888", "list_number": "+18005551234",
                                             "signup_date": "2025-03-10T08:00:00Z", "ip_address": "198.51.100.17"}]},
}

BIG = "x" * 70_000
RLO = "\u202e"

#: values put in place of every field, one at a time
HOSTILE_VALUES: list[tuple[str, Any]] = [
    ("null", None),
    ("true", True),
    ("false", False),
    ("nan", float("nan")),
    ("inf", float("inf")),
    ("-inf", float("-inf")),
    ("huge int", 10**400),
    ("negative huge int", -(10**400)),
    ("empty string", ""),
    ("whitespace", " \t\n "),
    ("NUL", "\x00"),
    ("control chars", "".join(chr(i) for i in range(32))),
    ("lone surrogate", "\ud800"),
    ("RTL override around a phone", f"{RLO}+14155551234{RLO}"),
    ("RTL override inside a phone", f"+1415{RLO}5551234"),
    ("70 kB string", BIG),
    ("70 kB digits", "+1" + "4" * 70_000),
    ("empty list", []),
    ("list", ["a", 1, None]),
    ("empty object", {}),
    ("object", {"a": {"b": [1, 2, {"c": None}]}}),
    ("deep list", [[[[[[[[[[1]]]]]]]]]]),
]

#: whole bodies
HOSTILE_BODIES: list[tuple[str, Any]] = [
    ("None", None),
    ("true", True),
    ("number", 42),
    ("string", "hello"),
    ("list of objects", [{"a": 1}]),
    ("empty object", {}),
    ("open brackets x100000 (raw)", b"[" * 100_000),
    ("open braces x100000 (raw)", b'{"a":' * 100_000),
    ("invalid UTF-8 (raw)", b'{"to": "\xff\xfe"}'),
    ("truncated JSON (raw)", b'{"to": "+1415'),
    ("NaN literal (raw)", b'{"to": NaN, "body": Infinity}'),
    ("huge number literal (raw)", b'{"to": 1' + b"0" * 5000 + b"}"),
    ("lone surrogate escape (raw)", b'{"body": "\\ud800"}'),
    ("BOM (raw)", b'\xef\xbb\xbf{"a": 1}'),
    ("empty (raw)", b""),
    ("whitespace (raw)", b"   \n"),
    ("NUL bytes (raw)", b"\x00" * 1000),
]


def deep_groups(depth: int) -> dict:
    """An audience filter nested ``depth`` groups deep."""
    node: dict = {"operator": "AND", "conditions": [{"condition_type": "count", "field": "click_count",
                                                     "operator": "gte", "value": 1}]}
    for _ in range(depth - 1):
        node = {"operator": "OR", "groups": [node]}
    return node


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every JSON path inside ``value`` (objects and arrays, not the root)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + (k,)
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield prefix + (i,)
            yield from paths(v, prefix + (i,))


def replaced(value: Any, path: tuple, new: Any) -> Any:
    """A copy of ``value`` with the element at ``path`` replaced (the original is untouched)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    out = list(value)
    out[head] = replaced(value[head], rest, new)
    return out


def route_paths() -> dict[str, tuple[str, str]]:
    """route key -> (method, concrete path)."""
    return {r.key: (r.method, r.template.replace("{id}", "664f1a2b3c4d5e6f7a8b9c0d")) for r in ROUTES}
