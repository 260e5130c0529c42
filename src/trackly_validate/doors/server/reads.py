"""The read contracts' answers (:data:`trackly_validate.contracts.routes.READS`): lists with their
filters and pagination, single resources, archiving deletes, an audience's size.

:data:`READERS`, contract -> builder, derived from the contract when this module loads
(:func:`trackly_validate.contracts.shapes.read_kind`); the status and fields of each answer
are the contract's (:data:`trackly_validate.contracts.shapes.SHAPES`).

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
from trackly_validate.contracts.routes import READS, Listing, Route
from trackly_validate.contracts.shapes import ARCHIVED, V1_NOOP, read_kind
from trackly_validate.contracts.tables import route_table
from trackly_validate.contracts.translate import problem
from trackly_validate.doors.server.store import Store

__all__ = ["Read", "ReadRequest", "READERS", "NotFound"]

#: Fields the stand-in keeps for its own simulation and never answers (fixtures' list facts).
_INTERNAL = {"lists": ("webhook_verified", "link_domain", "from_phone_number_id")}


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


Read = Callable[[ReadRequest], dict[str, Any]]


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
    """A contact on a list (audiences-contacts reference object); what the stand-in does not
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
    """Soft delete (campaigns reference; audiences-contacts reference): the status
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
    return {"success": True, "deprecated": True, "message": V1_NOOP}


_BY_KIND: dict[str, Read] = {"list": _list, "get": _get, "archive": _archive, "size": _size, "noop": _v1_noop}

#: Every read contract's builder, by what it answers (a contract the rules of ``read_kind``
#: cannot answer fails the import).
READERS: Mapping[Route, Read] = route_table("READERS", {}, READS, lambda route: _BY_KIND[read_kind(route)])
