"""What the account's state decides on an endpoint, as data: :data:`ACCOUNT`, contract ->
:class:`Account`.

The request pipeline decides everything a client can know; what only the account knows
(does this sending list exist? is the product enabled?) the stand-in simulates from a
fixtures file.  Per endpoint (an endpoint without an entry: :data:`NOTHING`, nothing the
state decides):

- ``refs``: ``Ref(field, table, column, info)``: the value at ``field`` must be a row of
  ``table`` whose ``column`` equals it, else ``info``.  ``requires`` names a row attribute
  that must be true (a verified list, a list with a link domain), else ``unmet``.  On a
  bulk endpoint, a ref whose field starts with the items array (``messages[].list_number``)
  is checked per item and reported in ``errors[]``; the others refuse the whole request;
- ``product``: the product the endpoint needs (403 ``product_not_enabled``);
- ``queues_sms``: it queues SMS, counted against the fixtures' daily cap (429
  ``daily_cap_exceeded``);
- ``locked``: a stored resource the path names that cannot be changed in some state.

The resource a ``{id}`` path parameter names (404 ``not_found``) is the contract's
``table``.  :func:`server_text` is the server's wording of a code on an endpoint (the
stand-in's answers and the OpenAPI document's examples); :func:`state_codes` the
request-level codes the state can answer beyond the pipeline's (the OpenAPI document).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.contracts.routes import READS, ROUTES, Route
from trackly_validate.contracts.tables import route_table

__all__ = ["Ref", "Lock", "Account", "ACCOUNT", "NOTHING", "SUSPENDED_ERROR", "path_resource", "state_codes",
           "server_text", "values_at"]

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


@dataclass(frozen=True, slots=True)
class Lock:
    """The stored resource the path names refuses a change while its ``field`` is ``value``."""

    field: str
    value: Any
    info: CodeInfo


@dataclass(frozen=True, slots=True)
class Account:
    """What the account's state decides on one endpoint (see the module docstring)."""

    refs: tuple[Ref, ...] = ()
    product: str | None = None
    queues_sms: bool = False
    locked: Lock | None = None


NOTHING = Account()

_LIST_NUMBER = Ref("list_number", "lists", "phone_number", C.list_not_found)
_VERIFIED_LIST = Ref("list_number", "lists", "phone_number", C.list_not_found,
                     requires="webhook_verified", unmet=C.webhook_not_configured)
_OFFER_LINKS = Ref("offer_links[].offer_id", "offers", "id", C.offer_not_found)
_BLAST_OFFER_LINKS = Ref("blasts[].offer_links[].offer_id", "offers", "id", C.offer_not_found)
# "exist and are active" (campaigns reference): an archived audience is not found
_AUDIENCES = Ref("audiences[]", "audiences", "id", C.audience_not_found, inactive=("archived",))
_SOURCE_LISTS = Ref("source_lists[]", "lists", "id", C.source_list_not_found)
# a top-level list_number is the default of a message without one
_MESSAGE_LIST = Ref("messages[].list_number", "lists", "phone_number", C.list_not_found, default="list_number")
# v1 names the list by its internal id (404 "Sending number not found")
_V1_LIST = Ref("from_phone_number_id", "lists", "from_phone_number_id", C.list_not_found)
# campaigns reference: a complete schedule cannot be edited
_COMPLETE = Lock("status", "complete", C.schedule_complete)

_ENTRIES: dict[str, Account] = {
    # messaging reference: the list must be the account's; a BYOC list must be verified
    "POST /v2/send": Account((_VERIFIED_LIST,), queues_sms=True),
    "POST /v2/send-raw": Account((_VERIFIED_LIST,), queues_sms=True),
    # messaging reference: list_not_found per message (webhook_not_configured is not listed for bulk)
    "POST /v2/send/bulk": Account((_MESSAGE_LIST,), queues_sms=True),
    "POST /v2/send-raw/bulk": Account((_MESSAGE_LIST,), queues_sms=True),
    # messaging reference: v1 names the list by its number
    "POST /v1/messages": Account((_V1_LIST,), queues_sms=True),
    "POST /v1/messages/bulk": Account((_V1_LIST,), queues_sms=True),
    # campaigns reference: every offer_links entry names an offer of the account (400)
    "POST /v2/creatives": Account((_OFFER_LINKS,)),
    "PUT /v2/creatives/{id}": Account((_OFFER_LINKS,)),
    # campaigns reference: audiences must exist and be active; source lists must exist (404)
    "POST /v2/schedules": Account((_AUDIENCES, _SOURCE_LISTS, _BLAST_OFFER_LINKS)),
    "PUT /v2/schedules/{id}": Account((_AUDIENCES, _SOURCE_LISTS, _BLAST_OFFER_LINKS), locked=_COMPLETE),
    # messaging reference: the literal product_not_enabled
    "POST /v2/links": Account(product="offer_management"),
    # messaging reference: offer (404), list by id or number (404), list with a shortener domain (409)
    "POST /v2/links/shorten": Account((
        Ref("offerId", "offers", "id", C.offer_not_found),
        Ref("listId", "lists", "id", C.list_not_found, requires="link_domain", unmet=C.no_domain_configured),
        Ref("phoneNumber", "lists", "phone_number", C.list_not_found, requires="link_domain",
            unmet=C.no_domain_configured),
    ), product="sms"),
    # campaigns reference: the message must have been sent
    "POST /v2/revenue": Account((Ref("message_id", "messages", "id", C.message_not_found),)),
    "POST /v2/revenue/bulk": Account((Ref("records[].message_id", "messages", "id", C.message_not_found),)),
    # audiences-contacts reference: history imports name lists, messages and offers per record
    "POST /v2/history/sends": Account((Ref("records[].list_number", "lists", "phone_number", C.list_not_found),
                                       Ref("records[].list_id", "lists", "id", C.list_not_found))),
    "POST /v2/history/clicks": Account((Ref("records[].message_id", "messages", "id", C.message_not_found),
                                        Ref("records[].offer_id", "offers", "id", C.offer_not_found))),
    "POST /v2/history/revenue": Account((Ref("records[].message_id", "messages", "id", C.message_not_found),
                                         Ref("records[].offer_id", "offers", "id", C.offer_not_found))),
    # audiences-contacts reference
    "POST /v2/audiences": Account((_SOURCE_LISTS,)),
    "PUT /v2/audiences/{id}": Account((_SOURCE_LISTS,)),
    # audiences-contacts reference: the list must be the account's (per contact on bulk)
    "POST /v2/contacts": Account((_LIST_NUMBER,)),
    "POST /v2/contacts/bulk": Account((Ref("contacts[].list_number", "lists", "phone_number", C.list_not_found),)),
    # audiences-contacts reference: contact, then list, then the contact's subscription to the list (all 400)
    "PUT /v2/contacts": Account((Ref("phone_number", "contacts", "phone_number", C.contact_not_found),
                                 _LIST_NUMBER,
                                 Ref("phone_number+list_number", "list_contacts", "phone_number+list_number",
                                     C.list_contact_not_found))),
}

#: Every contract's account-state facts (reads too: their gate asks for the product).
ACCOUNT: Mapping[Route, Account] = route_table("ACCOUNT", _ENTRIES, (*ROUTES, *READS), lambda route: NOTHING)


def path_resource(route: Route) -> str | None:
    """The stand-in table a body endpoint's ``{id}`` names (``None``: none)."""
    return None if route.reads else route.table


def state_codes(route: Route) -> tuple[CodeInfo, ...]:
    """The request-level codes the account's state may answer on ``route``."""
    account = ACCOUNT[route]
    found: list[CodeInfo] = []
    for ref in account.refs:
        if route.items and ref.field.startswith(f"{route.items}[]"):
            continue  # reported per item in errors[]
        found.append(ref.info)
        if ref.unmet is not None:
            found.append(ref.unmet)
    if path_resource(route) is not None:
        found.append(C.not_found)
    if account.locked is not None:
        found.append(account.locked.info)
    if account.product is not None:
        found.append(C.product_not_enabled)
    if account.queues_sms:
        found.append(C.daily_cap_exceeded)
    return tuple({info.code: info for info in found}.values())


def server_text(info: CodeInfo, route: Route, detail: str | None = None) -> str:
    """The server's text for ``info`` on ``route``: the v1 wording on v1, ``…`` filled
    with ``detail``, ``{PRODUCT}`` with the product the endpoint needs, upper case
    (messaging reference: ``OFFER_MANAGEMENT product not enabled for this account``)."""
    wording = "v1" if route.version == "v1" and "v1" in info.wordings else None
    text = info.message_for(wording, detail)
    product = ACCOUNT[route].product
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
