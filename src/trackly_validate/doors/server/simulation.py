"""What the sandbox simulates of the account's state, as data.

The request pipeline decides everything a client can know; what only the account knows
(does this sending list exist? is the product enabled?) is simulated from a fixtures
file, kept in :mod:`.store`.  This module says, per endpoint, which body values name
which stored resource and which code the server answers when the resource is missing:

- :data:`REFERENCES`: ``Ref(field, table, column, info)``: the value at ``field`` must
  be a row of ``table`` whose ``column`` equals it, else ``info``.  ``requires`` names
  a row attribute that must be true (a verified list, a list with a link domain), else
  ``unmet``.  On a bulk endpoint, a ref whose field starts with the items array
  (``messages[].list_number``) is checked per item and reported in ``errors[]``; the
  others refuse the whole request.
- :data:`PATH_RESOURCES`: the table a ``{id}`` path parameter names (404 ``not_found``).
- :data:`PRODUCTS`: the product an endpoint needs (403 ``product_not_enabled``).
- :data:`SENDS`: endpoints that queue SMS, counted against the fixtures' daily cap
  (429 ``daily_cap_exceeded``).

:func:`server_text` is the server's wording of a code on an endpoint (the sandbox's
answers and the OpenAPI document's examples).  :func:`state_codes` lists the request-level codes the sandbox can answer beyond the
pipeline's, for the OpenAPI document.  No starlette here: ``tv.openapi()`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.contracts.routes import Route

__all__ = ["Ref", "REFERENCES", "PATH_RESOURCES", "PRODUCTS", "SENDS", "SUSPENDED_ERROR", "state_codes",
           "values_at", "server_text"]

#: The 403 body of a suspended account has no code (authentication page, v2 error-codes page).
SUSPENDED_ERROR = "Account is suspended"


@dataclass(frozen=True, slots=True)
class Ref:
    """A body value that must name a stored resource (see the module docstring)."""

    field: str
    table: str
    column: str
    info: CodeInfo
    requires: str | None = None
    unmet: CodeInfo | None = None
    default: str | None = None  # a top-level field that stands for a missing item field
    inactive: tuple[str, ...] = ()  # a row whose status is one of these counts as missing


_LIST_NUMBER = Ref("list_number", "lists", "phone_number", C.list_not_found)
_VERIFIED_LIST = Ref("list_number", "lists", "phone_number", C.list_not_found,
                     requires="webhook_verified", unmet=C.webhook_not_configured)
_OFFER_LINKS = Ref("offer_links[].offer_id", "offers", "id", C.offer_not_found)
_BLAST_OFFER_LINKS = Ref("blasts[].offer_links[].offer_id", "offers", "id", C.offer_not_found)
# "exist and are active" (campaigns reference): an archived audience is not found
_AUDIENCES = Ref("audiences[]", "audiences", "id", C.audience_not_found, inactive=("archived",))
_SOURCE_LISTS = Ref("source_lists[]", "lists", "id", C.source_list_not_found)

REFERENCES: dict[str, tuple[Ref, ...]] = {
    # messaging reference: the list must be the account's; a BYOC list must be verified
    "POST /v2/send": (_VERIFIED_LIST,),
    "POST /v2/send-raw": (_VERIFIED_LIST,),
    # bulk sends: list_not_found per message (webhook_not_configured is not listed for bulk);
    # a top-level list_number is the default of a message without one
    "POST /v2/send/bulk": (Ref("messages[].list_number", "lists", "phone_number", C.list_not_found,
                               default="list_number"),),
    "POST /v2/send-raw/bulk": (Ref("messages[].list_number", "lists", "phone_number", C.list_not_found,
                                   default="list_number"),),
    # v1 sends: v1 names the list by its internal id (404 "Sending number not found")
    "POST /v1/messages": (Ref("from_phone_number_id", "lists", "from_phone_number_id", C.list_not_found),),
    "POST /v1/messages/bulk": (Ref("from_phone_number_id", "lists", "from_phone_number_id", C.list_not_found),),
    # campaigns reference: every offer_links entry names an offer of the account (400)
    "POST /v2/creatives": (_OFFER_LINKS,),
    "PUT /v2/creatives/{id}": (_OFFER_LINKS,),
    # schedules: audiences must exist and be active; source lists must exist (404)
    "POST /v2/schedules": (_AUDIENCES, _SOURCE_LISTS, _BLAST_OFFER_LINKS),
    "PUT /v2/schedules/{id}": (_AUDIENCES, _SOURCE_LISTS, _BLAST_OFFER_LINKS),
    # messaging reference: offer (404), list by id or number (404), list with a shortener domain (409)
    "POST /v2/links/shorten": (
        Ref("offerId", "offers", "id", C.offer_not_found),
        Ref("listId", "lists", "id", C.list_not_found, requires="link_domain", unmet=C.no_domain_configured),
        Ref("phoneNumber", "lists", "phone_number", C.list_not_found, requires="link_domain",
            unmet=C.no_domain_configured),
    ),
    # campaigns reference: the message must have been sent
    "POST /v2/revenue": (Ref("message_id", "messages", "id", C.message_not_found),),
    "POST /v2/revenue/bulk": (Ref("records[].message_id", "messages", "id", C.message_not_found),),
    # audiences-contacts reference: history imports name lists, messages and offers per record
    "POST /v2/history/sends": (Ref("records[].list_number", "lists", "phone_number", C.list_not_found),
                               Ref("records[].list_id", "lists", "id", C.list_not_found)),
    "POST /v2/history/clicks": (Ref("records[].message_id", "messages", "id", C.message_not_found),
                                Ref("records[].offer_id", "offers", "id", C.offer_not_found)),
    "POST /v2/history/revenue": (Ref("records[].message_id", "messages", "id", C.message_not_found),
                                 Ref("records[].offer_id", "offers", "id", C.offer_not_found)),
    # audiences-contacts reference
    "POST /v2/audiences": (_SOURCE_LISTS,),
    "PUT /v2/audiences/{id}": (_SOURCE_LISTS,),
    # contacts: the list must be the account's (per contact on bulk)
    "POST /v2/contacts": (_LIST_NUMBER,),
    "POST /v2/contacts/bulk": (Ref("contacts[].list_number", "lists", "phone_number", C.list_not_found),),
    # contact fields: contact, then list, then the contact's subscription to the list (all 400)
    "PUT /v2/contacts": (Ref("phone_number", "contacts", "phone_number", C.contact_not_found),
                         _LIST_NUMBER,
                         Ref("phone_number+list_number", "list_contacts", "phone_number+list_number",
                             C.list_contact_not_found)),
}

#: ``{id}`` path parameter -> the table it names (404 not_found when absent).
PATH_RESOURCES: dict[str, str] = {
    "PUT /v2/creatives/{id}": "creatives",
    "PUT /v2/schedules/{id}": "schedules",
    "PUT /v2/offers/{id}": "offers",
    "PUT /v2/audiences/{id}": "audiences",
}

#: Endpoints gated by a product (messaging reference: the literal product_not_enabled).
PRODUCTS: dict[str, str] = {
    "POST /v2/links": "offer_management",
    "POST /v2/links/shorten": "sms",
}

#: Endpoints that queue SMS (counted against the fixtures' ``daily_cap``).
SENDS = frozenset({"POST /v2/send", "POST /v2/send-raw", "POST /v2/send/bulk", "POST /v2/send-raw/bulk",
                   "POST /v1/messages", "POST /v1/messages/bulk"})

#: A schedule in this status cannot be edited (campaigns reference).
COMPLETE_SCHEDULE = "complete"


def state_codes(route: Route) -> tuple[CodeInfo, ...]:
    """The request-level codes the sandbox may answer on ``route`` from the account's state."""
    found: list[CodeInfo] = []
    for ref in REFERENCES.get(route.key, ()):
        if route.items and ref.field.startswith(f"{route.items}[]"):
            continue  # reported per item in errors[]
        found.append(ref.info)
        if ref.unmet is not None:
            found.append(ref.unmet)
    if route.key in PATH_RESOURCES:
        found.append(C.not_found)
    if route.key == "PUT /v2/schedules/{id}":
        found.append(C.schedule_complete)
    if route.key in PRODUCTS:
        found.append(C.product_not_enabled)
    if route.key in SENDS:
        found.append(C.daily_cap_exceeded)
    return tuple({info.code: info for info in found}.values())


def server_text(info: CodeInfo, route: Route, detail: str | None = None) -> str:
    """The server's text for ``info`` on ``route``: the v1 wording on v1, ``…`` filled
    with ``detail``, ``{PRODUCT}`` with the product the endpoint needs, upper case
    (messaging.md §16, §17: ``OFFER_MANAGEMENT product not enabled for this account``)."""
    wording = "v1" if route.version == "v1" and "v1" in info.wordings else None
    text = info.message_for(wording, detail)
    product = PRODUCTS.get(route.key)
    return text.replace("{PRODUCT}", product.upper()) if product is not None else text


def values_at(data: Any, field: str) -> Iterator[Any]:
    """The values at ``field`` in ``data``: ``a.b`` walks objects, ``a[]`` every array
    item; absent values and ``null`` are skipped (the pipeline judged presence)."""
    yield from _walk(data, field.split(".") if field else [])


def _walk(data: Any, parts: list[str]) -> Iterator[Any]:
    if not parts:
        if data is not None:
            yield data
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    name = head[:-2] if many else head
    value = data.get(name) if isinstance(data, dict) and name else (data if not name else None)
    if many:
        if isinstance(value, list):
            for item in value:
                yield from _walk(item, rest)
    else:
        yield from _walk(value, rest)
