"""The read contracts' answers (:data:`trackly_validate.contracts.routes.READS`): lists with their
filters and pagination, single resources, archiving deletes, an audience's size.

One table, :data:`READ_ANSWERS`, keyed by the contract itself and derived from it when this
module loads: status, builder, the answer's top-level fields (name -> JSON type) and an
example (the docs' where they give one).  The OpenAPI document reads it too.

What a list answers follows the contract's :class:`~trackly_validate.contracts.routes.Listing`:
- a filter given is an equality on the stored field; absent, its ``default`` applies, or
  its ``hidden`` values are left out (archived resources);
- ``page`` (default 1) and ``per_page`` (the listing's default, clamped to 1..maximum);
  a value that is not a whole number counts as absent (decisions.md);
- creation order, or newest first where the docs say so (contacts);
- ``pagination: {page, per_page, total, total_pages}`` where the docs paginate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from trackly_validate.core.catalog import C
from trackly_validate.core.errors import Problem
from trackly_validate.contracts.routes import READS, ContractError, Listing, Route
from trackly_validate.contracts.translate import problem
from trackly_validate.doors.server.store import Store

__all__ = ["Read", "ReadRequest", "READ_ANSWERS", "NotFound", "ARCHIVED"]

#: What "archived" is called per table (campaigns reference: schedules say ``archive``).
ARCHIVED = {"creatives": "archived", "offers": "archived", "audiences": "archived", "schedules": "archive"}

#: Fields the stand-in keeps for its own simulation and never answers (fixtures' list facts).
_INTERNAL = {"lists": ("webhook_verified", "link_domain", "from_phone_number_id")}

_V1_NOOP = "This endpoint is deprecated and performs no operation."


class NotFound(Exception):
    """The resource a read names does not exist (404 ``not_found``)."""

    def __init__(self, route: Route, name: str):
        self.problem: Problem = problem(C.not_found, route, ("path", name))


@dataclass
class ReadRequest:
    route: Route
    params: dict[str, str]
    query: Mapping[str, str]
    store: Store


@dataclass(frozen=True, slots=True)
class Read:
    status: int
    build: Callable[[ReadRequest], dict[str, Any]]
    fields: dict[str, str]
    example: dict[str, Any]


def _now(zone: bool = True) -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ" if zone else "%Y-%m-%dT%H:%M:%S")


def _whole(text: str | None) -> int | None:
    if text is None or not text.strip().isdigit():
        return None
    return int(text.strip())


def _filters(listing: Listing, query: Mapping[str, str]) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    equal: list[tuple[str, Any]] = []
    hidden: list[tuple[str, Any]] = []
    for q in listing.query:
        if q.name in ("page", "per_page"):
            continue
        value = query.get(q.name, q.default)
        if value is None:
            hidden += [(q.field, h) for h in q.hidden]
        elif q.values == ("true", "false"):  # a boolean field, sent as text
            equal.append((q.field, True if value == "true" else False if value == "false" else value))
        else:
            equal.append((q.field, value))
    return equal, hidden


def render(table: str, row: dict[str, Any], store: Store) -> dict[str, Any]:
    """A stored row as the API answers it."""
    if table == "list_contacts":
        return _contact(row)
    if table == "lists":
        out = {k: v for k, v in row.items() if k not in _INTERNAL["lists"]}
        _rows, active = store.page("list_contacts", equal=(("list_number", row.get("phone_number")),
                                                         ("active", True)), limit=0)
        out["contact_count"] = active
        return out
    return row


def _contact(row: dict[str, Any]) -> dict[str, Any]:
    """A contact on a list (audiences-contacts.md §3.5's object); what the stand-in does not
    simulate (carrier, counts) has a neutral value."""
    return {"id": row.get("id"), "phone_number": row.get("phone_number"), "list_number": row.get("list_number"),
            "list_id": row.get("list_id"), "active": row.get("active", True),
            "signup_date": row.get("signup_date"), "signup_method": row.get("signup_method", "api"),
            "custom_fields": row.get("custom_fields") or {}, "carrier": row.get("carrier"),
            "line_type": row.get("line_type"), "timezone": row.get("timezone"), "is_valid": row.get("is_valid", True),
            "send_count": row.get("send_count", 0), "click_count": row.get("click_count", 0),
            "revenue_total": row.get("revenue_total", 0), "conversion_count": row.get("conversion_count", 0),
            "last_sent_at": row.get("last_sent_at"), "last_clicked_at": row.get("last_clicked_at"),
            "in_workflow": row.get("in_workflow", False)}


def _list(req: ReadRequest) -> dict[str, Any]:
    route = req.route
    listing, table = route.listing, route.table
    assert listing is not None and table is not None
    equal, hidden = _filters(listing, req.query)
    if listing.per_page is None:  # no pagination documented: every match
        rows, _total = req.store.page(table, equal=equal, hidden=hidden, newest_first=listing.newest_first)
        return {listing.field: [render(table, r, req.store) for r in rows]}
    page = max(_whole(req.query.get("page")) or 1, 1)
    per_page = min(max(_whole(req.query.get("per_page")) or listing.per_page, 1), listing.max_per_page)
    rows, total = req.store.page(table, equal=equal, hidden=hidden, newest_first=listing.newest_first,
                                 limit=per_page, offset=(page - 1) * per_page)
    return {listing.field: [render(table, r, req.store) for r in rows],
            "pagination": {"page": page, "per_page": per_page, "total": total,
                           "total_pages": -(-total // per_page)}}


def _param(route: Route) -> str:
    return "list_id" if "{list_id}" in route.template else "id"


def _existing(req: ReadRequest) -> dict[str, Any]:
    assert req.route.table is not None
    name = _param(req.route)
    found = req.store.get(req.route.table, req.params.get(name, ""))
    if found is None:
        raise NotFound(req.route, name)
    return found


def _get(req: ReadRequest) -> dict[str, Any]:
    assert req.route.table is not None
    return render(req.route.table, _existing(req), req.store)


def _archive(req: ReadRequest) -> dict[str, Any]:
    """Soft delete (campaigns.md §3.5, §4.5, §5.5; audiences-contacts.md §2.5): the status
    becomes archived, the resource stays readable by id and with the archived filter."""
    table = req.route.table
    assert table is not None
    with req.store.transaction():
        row = _existing(req)
        row.update(status=ARCHIVED[table], updated_at=_now())
        req.store.put(table, row)
    return {"success": True, "archived": True}


def _size(req: ReadRequest) -> dict[str, Any]:
    """The audience's size: its source lists' active contacts (every list's when it names
    none).  The filter's conditions are not evaluated (decisions.md)."""
    with req.store.transaction():
        row = _existing(req)
        numbers: list[Any] = []
        for list_id in row.get("source_lists") or ():
            found = req.store.get("lists", list_id)
            if found is not None:
                numbers.append(found.get("phone_number"))
        if row.get("source_lists"):
            size = sum(req.store.page("list_contacts", equal=(("list_number", n), ("active", True)), limit=0)[1]
                       for n in numbers)
        else:
            size = req.store.page("list_contacts", equal=(("active", True),), limit=0)[1]
        calculated = _now(zone=False)
        row.update(cached_size=size, cached_size_updated_at=calculated)
        req.store.put("audiences", row)
    return {"audience_id": row["id"], "size": size, "calculated_at": calculated}


def _v1_noop(req: ReadRequest) -> dict[str, Any]:
    return {"success": True, "deprecated": True, "message": _V1_NOOP}


_PAGINATION = {"page": 1, "per_page": 25, "total": 1, "total_pages": 1}
_LIST_EXAMPLE = {"id": 42, "phone_number": "+12025551234", "brand_name": "Acme Co", "list_name": "Acme Promo List",
                 "list_type": "infobip", "status": "active", "contact_count": 15230,
                 "created_at": "2025-03-15T14:30:00Z"}
_AUDIENCE: dict[str, Any] = {"id": "664f1a2b3c4d5e6f7a8b9c0d", "name": "Recent signups", "description": "", "source_lists": [],
             "filter": {"operator": "AND", "conditions": [
                 {"condition_type": "time", "field": "signup_date", "operator": "within", "value": 3,
                  "unit": "days"}]},
             "cached_size": None, "cached_size_updated_at": None, "status": "active",
             "created_at": "2025-10-01T14:22:00"}
_CONTACT = {"id": "664f1a2b3c4d5e6f7a8b9c0f", "phone_number": "+14155551234", "list_number": "+18005551234",
            "list_id": 42, "active": True, "signup_date": "2026-02-10T09:15:00Z", "signup_method": "api",
            "custom_fields": {"first_name": "Jane"}, "carrier": "T-Mobile", "line_type": "CELL PHONE",
            "timezone": "America/Los_Angeles", "is_valid": True, "send_count": 12, "click_count": 3,
            "revenue_total": 24.99, "conversion_count": 1, "last_sent_at": "2026-02-12T15:00:00Z",
            "last_clicked_at": "2026-02-12T15:04:00Z", "in_workflow": False}
_CREATIVE = {"id": 101, "name": "Summer Sale Promo",
             "message": "Hot deals just for you! Shop now: {{link1}} Reply STOP to opt out.",
             "offer_links": [{"key": "link1", "offer_id": "offer_abc123", "url": None, "url_params": {"sub1": "sms"}}],
             "offers": ["offer_abc123"], "status": "active", "creative_type": "automated", "character_count": 97,
             "segment_count": 1, "created_at": "2025-06-10T12:00:00Z"}
_SCHEDULE = {"id": "6651a3f2e4b0a1c2d3e4f567", "name": "Weekend Promo", "send_type": "blast", "status": "draft",
             "audiences": ["665fa1b2c3d4e5f6a7b8c901"], "is_repeating": True, "send_time": "14:30",
             "start_date": "2025-06-01T00:00:00Z", "end_date": "2025-08-31T00:00:00Z"}
_OFFER = {"id": "664f1a2b3c4d5e6f7a8b9c0d", "name": "Summer Promo",
          "tracking_url": "https://track.example.com/click?offer_id=123", "external_platform": "tune",
          "external_id": "4521", "advertiser_id": "adv_882", "payout": 2.50, "payout_type": "cpa",
          "filter_bots": True, "status": "active", "metadata": {"vertical": "health", "geo": "US"},
          "created_at": "2025-06-01T00:00:00Z", "updated_at": "2025-06-01T00:00:00Z"}
_ARCHIVED = Read(200, _archive, {"success": "boolean", "archived": "boolean"}, {"success": True, "archived": True})
_SIZE = Read(200, _size, {"audience_id": "string", "size": "integer", "calculated_at": "string"},
             {"audience_id": "664f1a2b3c4d5e6f7a8b9c0d", "size": 12480, "calculated_at": "2025-11-20T10:30:45"})
_V1_NOOP_READ = Read(200, _v1_noop, {"success": "boolean", "deprecated": "boolean"},
                     {"success": True, "deprecated": True, "message": _V1_NOOP})

#: Each table's object as the docs' examples show it, and the JSON type of its id.
_OBJECTS: dict[str, tuple[dict[str, Any], str]] = {
    "lists": (_LIST_EXAMPLE, "integer"),
    "audiences": (_AUDIENCE, "string"),
    "list_contacts": (_CONTACT, "string"),
    "creatives": (_CREATIVE, "integer"),
    "schedules": (_SCHEDULE, "string"),
    "offers": (_OFFER, "string"),
}


def _answer(route: Route) -> Read:
    """A read contract's answer, from the contract: a list (its listing), the v1 no-op (no
    table), an audience's size (``.../size``), an archive (DELETE), else the object by id."""
    if route.table is None:
        if route.version != "v1":
            raise ContractError(f"{route.key}: a v2 read names the table it reads")
        return _V1_NOOP_READ
    example, id_type = _OBJECTS[route.table]
    listing = route.listing
    if listing is not None:
        body: dict[str, Any] = {listing.field: [example]}
        fields = {listing.field: "array"}
        if listing.per_page is not None:
            body["pagination"] = _PAGINATION
            fields["pagination"] = "object"
        return Read(200, _list, fields, body)
    if route.template.endswith("/size"):
        return _SIZE
    if route.method == "DELETE":
        if route.table not in ARCHIVED:
            raise ContractError(f"{route.key}: no archived status known for {route.table}")
        return _ARCHIVED
    return Read(200, _get, {"id": id_type}, example)


#: Every read contract's answer (keyed by the contract, derived from it when this module loads:
#: a contract the rules above cannot answer fails the import).
READ_ANSWERS: dict[Route, Read] = {route: _answer(route) for route in READS}
