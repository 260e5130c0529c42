"""What the stand-in does with an accepted body: :data:`BUILDERS`, contract -> builder.

The status and the fields of each success answer are the contract's
(:data:`trackly_validate.contracts.shapes.SHAPES`, which the OpenAPI document reads too);
a builder makes the body.  It gets the :class:`Accepted` request (parsed body, path
parameters, the store, the id source, and for bulk endpoints the queued items and the
``errors[]`` entries), records what the request created, and returns the body.  An
endpoint without an entry answers its shape's example (``{"success": true}`` for one
the docs give no answer for): it changes nothing in the store.
"""

from __future__ import annotations

import random
import string
import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from trackly_validate.core.catalog import C
from trackly_validate.contracts.routes import ROUTES, Route
from trackly_validate.contracts.shapes import SHAPES
from trackly_validate.contracts.tables import route_table
from trackly_validate.rules.sms import analyze_sms, estimate_creative
from trackly_validate.doors.server.store import Store

__all__ = ["Accepted", "Ids", "Build", "BUILDERS", "DEFAULTS", "SERVER_FIELDS"]

_ALNUM = string.ascii_letters + string.digits
_LOWER = string.ascii_lowercase + string.digits


class Ids:
    """Generated ids: deterministic for a given seed (one ``random.Random`` per app)."""

    def __init__(self, seed: int | None = None):
        self._rng = random.Random(seed) if seed is not None else random.SystemRandom()

    def token(self, n: int, alphabet: str = _ALNUM) -> str:
        return "".join(self._rng.choice(alphabet) for _ in range(n))

    def hex24(self) -> str:  # a MongoDB ObjectId, as the docs' resource ids
        return self.token(24, "0123456789abcdef")

    def message_id(self) -> str:  # v2: 8 letters and digits (messaging reference)
        return self.token(8)

    def v1_message_id(self) -> str:  # v1: msg_ + 12 (messaging reference example)
        return "msg_" + self.token(12, _LOWER)


@dataclass
class Accepted:
    """A request the sandbox accepts."""

    route: Route
    body: dict[str, Any]
    params: dict[str, str]
    store: Store
    ids: Ids
    items: list[tuple[int, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    existing: dict[str, Any] | None = None  # the stored resource a PUT names
    sent: list[dict[str, Any]] = field(default_factory=list)  # the messages it queued (delivery webhooks)


Build = Callable[[Accepted], dict[str, Any]]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- sending ----------------------------------------------------------------------------------------------

def _insert_new(ctx: Accepted, table: str, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Store a new resource under a generated id no stored row has (a seeded id source
    repeats its ids after a restart on the same ``--db``: the next one is drawn)."""
    for _attempt in range(1000):
        row = make()
        if ctx.store.insert(table, row):
            return row
    raise RuntimeError(f"no free {table} id after 1000 draws")  # pragma: no cover


def _store_message(ctx: Accepted, item: dict[str, Any], v1: bool = False) -> str:
    to = item.get("to", item.get("to_msisdn"))
    message = _insert_new(ctx, "messages", lambda: {"id": ctx.ids.v1_message_id() if v1 else ctx.ids.message_id(),
                                                     "to": to, "list_number": item.get("list_number")})
    ctx.sent.append(message)
    sub = ctx.store.get("list_contacts", ctx.store.row_id(message, "to+list_number"))
    if sub is not None:  # the contact's counters (GET /v2/contacts)
        sub.update(send_count=int(sub.get("send_count") or 0) + 1, last_sent_at=_now())
        ctx.store.put("list_contacts", sub, "phone_number+list_number")
    return str(message["id"])


def _send(ctx: Accepted) -> dict[str, Any]:
    message_id = _store_message(ctx, ctx.body)
    ctx.store.add_sent(1)
    return {"success": True, "message_id": message_id, "status": "queued"}


def _send_v1(ctx: Accepted) -> dict[str, Any]:
    message_id = _store_message(ctx, ctx.body, v1=True)
    ctx.store.add_sent(1)
    body = ctx.body.get("body")
    sms = analyze_sms(body if isinstance(body, str) else "")
    return {"message_id": message_id, "id": message_id, "status": "queued", "segments": sms.segments,
            "gsm7": sms.encoding == "GSM-7", "deprecated": True}


def _queue(ctx: Accepted) -> dict[str, Any]:
    v1 = ctx.route.version == "v1"
    default_list = ctx.body.get("list_number")
    for _index, item in ctx.items:
        if isinstance(item, dict):
            merged = {"list_number": default_list, **item} if default_list is not None else item
            _store_message(ctx, merged, v1)
    ctx.store.add_sent(len(ctx.items))
    out: dict[str, Any] = {"queued_count": len(ctx.items), "error_count": len(ctx.errors), "errors": ctx.errors}
    if v1:
        out["deprecated"] = True
    return out


# --- phone validation (messaging reference) -----------------------------------------------------------------

def _lookup(ctx: Accepted, phone: str, force: bool) -> dict[str, Any]:
    from trackly_validate.rules import phones

    # the pipeline's v1 readings (messaging reference: US formats normalised): the first valid one, else the first
    readings = phones.normalise_v1(phone) if isinstance(phone, str) else []
    if not readings:
        return _phone_error(phone)
    e164 = next((r for r in readings if phones.is_valid(r)), readings[0])
    valid = phones.is_valid(e164)
    cached = ctx.store.get("phone_lookups", e164) is not None and not force
    ctx.store.put("phone_lookups", {"id": e164})
    return {"phone": e164, "valid": valid, "line_type": "mobile" if valid else "unknown",
            "carrier": "Sandbox Wireless", "carrier_raw": "TRACKLY SANDBOX", "ported": False,
            "country": phones.region_of(e164) or "", "state": "", "city": "",
            "on_dnc": False, "disposition": "ok" if valid else "invalid",
            "cost": 0 if cached else 0.003, "cached": cached}


def _phone_error(phone: str) -> dict[str, Any]:
    """One bad number inside the results (messaging reference: it never fails the batch)."""
    return {"phone": phone, "error": "validation_error", "code": C.invalid_phone.code,
            "message": "invalid phone number format"}


def _phone(ctx: Accepted) -> dict[str, Any]:
    found = _lookup(ctx, str(ctx.body.get("phone", "")), ctx.body.get("force") is True)
    return found


def _phone_batch(ctx: Accepted) -> dict[str, Any]:
    force = ctx.body.get("force") is True
    results = [_lookup(ctx, str(p), force) for p in ctx.body.get("phones") or ()]
    summary = {"total": len(results), "ok": 0, "unreachable": 0, "invalid": 0, "risky": 0, "unknown": 0,
               "errors": 0, "cached": 0, "total_cost": 0.0}
    for r in results:
        if "error" in r:
            summary["errors"] += 1
            continue
        summary[r["disposition"]] += 1
        summary["cached"] += int(r["cached"])
        summary["total_cost"] = round(summary["total_cost"] + r["cost"], 6)
    return {"results": results, "summary": summary}


# --- campaigns: creatives, schedules, offers, audiences -----------------------------------------------------

def _creative_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A creative's derived fields (campaigns reference: offer_links with url/url_params, offers, counts)."""
    links = [{**link, "url": link.get("url"), "url_params": link.get("url_params") or {}}
             for link in row.get("offer_links") or () if isinstance(link, dict)]
    estimate = estimate_creative(str(row.get("message") or ""))
    return {"offer_links": links, "offers": list(dict.fromkeys(str(link.get("offer_id")) for link in links)),
            "character_count": estimate.character_count, "segment_count": estimate.segment_count}


# table -> (new id, defaults, derived fields)
_RESOURCES: dict[str, tuple[Callable[[Accepted], Any], dict[str, Any], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    # creative ids are integers (campaigns reference: 101): a counter, never one handed out before
    "creatives": (lambda ctx: ctx.store.next_number("creatives.id", 100),
                  {"status": "active", "creative_type": "automated"}, _creative_fields),
    "schedules": (lambda ctx: ctx.ids.hex24(),
                  {"status": "draft", "source_lists": [], "send_date": None, "start_date": None, "end_date": None},
                  lambda row: {}),
    "offers": (lambda ctx: ctx.ids.hex24(),
               {"external_platform": None, "external_id": None, "advertiser_id": None, "payout": 0,
                "payout_type": "cpa", "filter_bots": False, "status": "active", "metadata": {}},
               lambda row: {}),
    "audiences": (lambda ctx: ctx.ids.hex24(),
                  {"description": "", "source_lists": [], "cached_size": None, "cached_size_updated_at": None,
                   "status": "active"},
                  lambda row: {}),
}


#: Fields the server owns: a request body's values for them are ignored (the docs never
#: let a client choose a resource's id or its timestamps).
SERVER_FIELDS = frozenset({"id", "created_at", "updated_at", "slug", "cached_size", "cached_size_updated_at"})

#: The documented defaults of each table's fields (fixtures' rows get them too).
DEFAULTS: dict[str, dict[str, Any]] = {
    **{table: dict(spec[1]) for table, spec in _RESOURCES.items()},
    "lists": {"brand_name": "", "list_name": "", "list_type": "infobip", "status": "active"},
    "list_contacts": {"active": True, "signup_method": "api", "custom_fields": {}},
}


def _client_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in SERVER_FIELDS}


def _create(table: str, wrap: str | None) -> Callable[[Accepted], dict[str, Any]]:
    def build(ctx: Accepted) -> dict[str, Any]:
        new_id, defaults, derived = _RESOURCES[table]
        now = _now()

        def make() -> dict[str, Any]:
            row = {"id": new_id(ctx), **defaults, **_client_fields(ctx.body), "created_at": now, "updated_at": now}
            row.update(derived(row))
            return row

        row = _insert_new(ctx, table, make)
        return {"success": True, wrap: row} if wrap else row
    return build


def _update(table: str, wrap: str | None) -> Callable[[Accepted], dict[str, Any]]:
    def build(ctx: Accepted) -> dict[str, Any]:
        _new_id, defaults, derived = _RESOURCES[table]
        row = dict(ctx.existing) if ctx.existing is not None else {"id": ctx.params.get("id"), **defaults}
        patch = _client_fields(ctx.body)
        if table == "offers" and isinstance(patch.get("metadata"), dict):  # merged (campaigns reference)
            patch["metadata"] = {**(row.get("metadata") or {}), **patch["metadata"]}
        row.update(patch)
        row["updated_at"] = _now()
        row.update(derived(row))
        if table == "audiences" and "filter" in patch:  # a new filter clears the size (audiences-contacts reference)
            row["cached_size"] = row["cached_size_updated_at"] = None
        if ctx.existing is not None:  # an open store answers for an id never created, but keeps nothing
            ctx.store.put(table, row)
        return {"success": True, wrap: row} if wrap else row
    return build


# --- links (messaging reference) ----------------------------------------------------------------------------

def _list_for(ctx: Accepted) -> dict[str, Any] | None:
    if "listId" in ctx.body and ctx.body["listId"] is not None:
        return ctx.store.find("lists", "id", ctx.body["listId"])
    if ctx.body.get("phoneNumber") is not None:
        return ctx.store.find("lists", "phone_number", ctx.body["phoneNumber"])
    return None


def _domain(ctx: Accepted) -> str:
    found = _list_for(ctx)
    domain = found.get("link_domain") if found else None
    return str(domain) if isinstance(domain, str) and domain else "sandbox.trk.link"


def _link(ctx: Accepted) -> dict[str, Any]:
    link_id, domain = ctx.ids.token(6), _domain(ctx)
    offer_id = ctx.body.get("offerId") or ctx.body.get("externalOfferId")
    return {"shortUrl": f"https://{domain}/{link_id}", "linkId": link_id,
            "clickTrackerUrl": f"https://ct.{domain}/c/{ctx.ids.token(32, '0123456789abcdef')}",
            "destinationUrl": "https://example.com/offer?aff_sub={{sendId}}", "domain": f"https://{domain}",
            "offerId": offer_id}


def _shorten(ctx: Accepted) -> dict[str, Any]:
    link_id, domain = ctx.ids.token(7), _domain(ctx)
    offer_id = ctx.body.get("offerId")
    offer = ctx.store.find("offers", "id", offer_id) if offer_id is not None else None
    destination = (offer or {}).get("tracking_url") or ctx.body.get("url") or "https://example.com/"
    return {"shortUrl": f"https://{domain}/{link_id}", "linkId": link_id, "destinationUrl": destination,
            "domain": domain, "offerId": offer_id, "filterBots": bool((offer or {}).get("filter_bots", False))}


# --- revenue and history imports (campaigns reference, audiences-contacts reference) -------------------------------------

def _revenue(ctx: Accepted) -> dict[str, Any]:
    revenue_id = ctx.ids.hex24()
    ctx.store.put("revenue", {"id": revenue_id, **ctx.body, "imported": False})
    return {"success": True, "revenue_id": revenue_id, "message_id": ctx.body.get("message_id"),
            "revenue": ctx.body.get("revenue")}


def _import(table: str, key: str | None, *, total: bool = False, duplicates: bool = False,
            invalid_phones: bool = False, max_errors: int | None = None) -> Callable[[Accepted], dict[str, Any]]:
    """A bulk import: stores each queued record (``key`` dedups: a repeat is skipped)."""
    def build(ctx: Accepted) -> dict[str, Any]:
        stored = skipped = 0
        revenue = 0.0
        for _index, record in ctx.items:
            if not isinstance(record, dict):
                continue
            if key is not None and ctx.store.find(table, key, record.get(key)) is not None:
                skipped += 1
                continue
            row = {"id": ctx.ids.hex24(), **record, "imported": True}
            if key == "id":
                row["id"] = record.get("id")
            ctx.store.put(table, row)
            stored += 1
            value = record.get("revenue")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                revenue += value
        out: dict[str, Any] = {"success_count": stored, "error_count": len(ctx.errors)}
        if duplicates:
            out["duplicates_skipped"] = skipped
        if invalid_phones:
            out["invalid_phones"] = sum(1 for e in ctx.errors if e.get("code") == C.invalid_phone.code)
        if total:
            out["total_revenue"] = round(revenue, 2)
        out["errors"] = ctx.errors[:max_errors] if max_errors is not None else ctx.errors
        return out
    return build


_CLEARED = {"sends": "history_sends", "clicks": "clicks", "revenue": "revenue"}


def _instant(value: Any) -> datetime | None:
    """A record's timestamp as an aware datetime (``None``: absent or not ISO 8601)."""
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=timezone.utc)


def _clear(ctx: Accepted) -> dict[str, Any]:
    """Clear imported history (audiences-contacts reference): only the requested entities;
    with ``before_date``, only records whose ``timestamp`` is older (one without a readable
    timestamp is kept)."""
    cleared = {}
    before = _instant(ctx.body.get("before_date"))
    for entity in ctx.body.get("entities") or ():
        table = _CLEARED.get(entity)
        if table is not None:
            # sends and clicks: only imported ones; revenue: all of the account's
            where = () if entity == "revenue" else (("imported", True),)
            if before is None:
                cleared[entity] = ctx.store.delete(table, where)
            else:
                cleared[entity] = ctx.store.delete_rows(
                    table, lambda row: (_instant(row.get("timestamp")) or before) < before, where)
    return {"success": True, "cleared": cleared}


# --- contacts (audiences-contacts reference) ---------------------------------------------------------------------

def _subscribe(ctx: Accepted, item: dict[str, Any]) -> tuple[bool, bool, str]:
    phone, list_number = item.get("phone_number"), item.get("list_number")
    contact = ctx.store.find("contacts", "phone_number", phone)
    new_contact = contact is None
    if contact is None:
        contact = {"id": ctx.ids.hex24(), "phone_number": phone}
        ctx.store.put("contacts", contact, "phone_number")
    sub = ctx.store.find("list_contacts", "phone_number+list_number", (phone, list_number))
    new_sub = sub is None
    given = item.get("custom_fields")
    fields: dict[str, Any] = given if isinstance(given, dict) else {}
    if sub is None:
        found = ctx.store.find("lists", "phone_number", list_number)
        sub = {"id": ctx.ids.hex24(), "phone_number": phone, "list_number": list_number,
               "list_id": found.get("id") if found else None, "custom_fields": {}, "signup_date": _now(),
               "signup_method": "api"}
    current: dict[str, Any] = sub.get("custom_fields") or {}
    merged = fields if item.get("replace_custom_fields") is True else {**current, **fields}
    sub.update(active=True, custom_fields=merged)
    ctx.store.put("list_contacts", sub, "phone_number+list_number")
    return new_contact, new_sub, str(sub["id"])


def _contact(ctx: Accepted) -> dict[str, Any]:
    new_contact, new_sub, sub_id = _subscribe(ctx, ctx.body)
    contact = ctx.store.find("contacts", "phone_number", ctx.body.get("phone_number")) or {}
    out: dict[str, Any] = {"success": True, "contact_id": contact.get("id"), "list_contact_id": sub_id,
                           "is_new_contact": new_contact, "is_new_list_contact": new_sub, "journeys_enrolled": 0}
    if ctx.body.get("use_validation") is True:
        out["validation"] = _lookup(ctx, str(ctx.body.get("phone_number")), False)
    return out


def _contact_fields(ctx: Accepted) -> dict[str, Any]:
    key = (ctx.body.get("phone_number"), ctx.body.get("list_number"))
    sub = ctx.store.find("list_contacts", "phone_number+list_number", key)
    if sub is None:  # an open store: every contact exists
        sub = {"id": ctx.ids.hex24(), "phone_number": key[0], "list_number": key[1], "custom_fields": {},
               "active": True}
    fields = ctx.body.get("custom_fields") or {}
    merged = {**(sub.get("custom_fields") or {}), **fields} if ctx.body.get("merge_fields", True) is not False \
        else dict(fields)
    sub["custom_fields"] = merged
    ctx.store.put("list_contacts", sub, "phone_number+list_number")
    return {"success": True, "list_contact_id": sub["id"], "custom_fields": merged}


def _unsubscribe(ctx: Accepted) -> dict[str, Any]:
    """Succeeds even when nothing matches; ``unsubscribed`` says whether one was active."""
    key = (ctx.body.get("phone_number"), ctx.body.get("list_number"))
    sub = ctx.store.find("list_contacts", "phone_number+list_number", key)
    if sub is None and ctx.store.open:
        return {"success": True, "unsubscribed": True}
    if sub is None or sub.get("active") is False:
        return {"success": True, "unsubscribed": False}
    sub.update(active=False, unsubscribe_reason="api")
    ctx.store.put("list_contacts", sub, "phone_number+list_number")
    return {"success": True, "unsubscribed": True}


def _contacts_bulk(ctx: Accepted) -> dict[str, Any]:
    created = subscribed = 0
    for _index, item in ctx.items:
        if isinstance(item, dict):
            new_contact, new_sub, _ = _subscribe(ctx, item)
            created += new_contact
            subscribed += new_sub
    return {"success_count": len(ctx.items), "error_count": len(ctx.errors), "errors": ctx.errors,
            "contacts_created": created, "list_contacts_created": subscribed, "journeys_enrolled": 0}


# --- the table ---------------------------------------------------------------------------------------------------

_ENTRIES: dict[str, Build] = {
    "POST /v2/send": _send,
    "POST /v2/send/bulk": _queue,
    "POST /v2/send-raw": _send,
    "POST /v2/send-raw/bulk": _queue,
    "POST /v1/messages": _send_v1,
    "POST /v1/messages/bulk": _queue,
    "POST /v1/phone/validate": _phone,
    "POST /v1/phone/validate/batch": _phone_batch,
    "POST /v2/creatives": _create("creatives", "creative"),
    "PUT /v2/creatives/{id}": _update("creatives", None),
    "POST /v2/schedules": _create("schedules", "schedule"),
    "PUT /v2/schedules/{id}": _update("schedules", "schedule"),
    "POST /v2/offers": _create("offers", "offer"),
    "PUT /v2/offers/{id}": _update("offers", None),
    "POST /v2/links": _link,
    "POST /v2/links/shorten": _shorten,
    "POST /v2/revenue": _revenue,
    "POST /v2/revenue/bulk": _import("revenue", None, total=True),
    "POST /v2/history/sends": _import("history_sends", "id", duplicates=True, invalid_phones=True, max_errors=100),
    "POST /v2/history/clicks": _import("clicks", "message_id", duplicates=True, max_errors=100),
    "POST /v2/history/revenue": _import("revenue", None, total=True, max_errors=100),
    "DELETE /v2/history/clear": _clear,
    "POST /v2/audiences": _create("audiences", None),
    "PUT /v2/audiences/{id}": _update("audiences", None),
    "POST /v2/contacts": _contact,
    "PUT /v2/contacts": _contact_fields,
    "DELETE /v2/contacts": _unsubscribe,
    "POST /v2/contacts/bulk": _contacts_bulk,
}


def _example(route: Route) -> Build:
    """An endpoint the stand-in does not simulate: its shape's example, unchanged state."""
    example = SHAPES[route].example

    def build(ctx: Accepted) -> dict[str, Any]:
        return copy.deepcopy(dict(example))
    return build


#: Every body contract's builder (the OTP endpoints and new ones: their shape's example).
BUILDERS: Mapping[Route, Build] = route_table("BUILDERS", _ENTRIES, ROUTES, _example)
