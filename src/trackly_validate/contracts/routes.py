"""The endpoint contracts: every modelled endpoint, declared once.

A contract says everything the library knows about an endpoint's answers: method and
path template, the model its JSON body is checked with, the documented error order (as
catalog entries, ``C.missing_to``), the statuses that differ on this endpoint, the bulk
items field, and the path-parameter rules.  The catalog knows codes; only the contracts
know endpoints.

Checked when this module loads: every code is a catalog entry (``C.<code>`` fails on a
typo), a status override names a code and a status, a version override names a version
that has endpoints.  Checked when a contract's model first loads (``Route.model``): every
locally checkable code in the documented order is one the model can raise (its rules,
cross-field rules and path rules).

Models are named ``"area:ClassName"`` and imported on first use, so the table costs
nothing at import time.

:func:`match` is the one route matcher every door uses: a path as a caller spells it
(``/v2/send``, ``/api/v2/send`` or a full URL; query, fragment and a trailing slash
ignored) or, for the HTTP servers, the raw path as Express routes it.  Literal segments
match in any case (as Express routes do); ``{id}`` segments match any non-empty segment
and are percent-decoded.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import unquote

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.errors import UnknownEndpointError
from trackly_validate.rules.objectid import OBJECT_ID_PATTERN, is_object_id

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import BaseModel

__all__ = ["Route", "PathRule", "Listing", "Query", "ContractError", "ROUTES", "READS", "VERSION_STATUSES",
           "Found", "match", "resolve", "find", "suggest", "unknown_endpoint", "normalise_path",
           "express_parts", "item_caps"]


class ContractError(Exception):
    """An endpoint contract that contradicts the catalog or its model (a bug in this
    library, raised as soon as it can be seen)."""


@dataclass(frozen=True, slots=True)
class PathRule:
    """A path parameter's format rule: ``test(value)`` is False -> ``info``."""

    info: CodeInfo
    test: Callable[[str], bool]
    #: the same rule as a pattern, for the OpenAPI document's path parameter
    pattern: str | None = None

    def __call__(self, value: str) -> bool:
        return self.test(value)


@dataclass(frozen=True, slots=True)
class Query:
    """A documented query parameter of a read endpoint: ``values`` the allowed values
    (``None``: any text), ``default`` the value an absent parameter stands for, ``hidden``
    the values an absent parameter leaves out (archived resources), ``column`` the
    resource field it filters on (its own name unless given)."""

    name: str
    values: tuple[str, ...] | None = None
    default: str | None = None
    hidden: tuple[str, ...] = ()
    column: str | None = None

    @property
    def field(self) -> str:
        return self.column or self.name


@dataclass(frozen=True, slots=True)
class Listing:
    """A list endpoint: the answer's array field, its filters, and its pagination
    (``per_page`` default and maximum; ``None``: the docs give the endpoint no pagination,
    every match is answered)."""

    field: str
    query: tuple[Query, ...] = ()
    per_page: int | None = 50
    max_per_page: int = 100
    newest_first: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Route:
    """A modelled endpoint's contract.

    - ``order``: the endpoint's documented error table, in order (``problems[0]`` is
      the earliest code found; bulk items follow request-level problems, by index);
    - ``statuses``: codes whose HTTP status differs on this endpoint;
    - ``items``: the array of a bulk endpoint (its problems carry the item index in
      ``loc``; :func:`trackly_validate.partition` splits on it); ``echo`` the item fields
      the server repeats in its ``errors[]`` entries; ``max_items`` (derived) the cap the
      model's ``ItemsCap`` rule enforces, the one place a bulk cap is written;
    - ``path_checks``: path parameters and their format rules;
    - ``model_ref`` is ``None`` for a *read* contract (GET, or DELETE without a body): no
      body rules, so it is not in :data:`ROUTES` (``tv.check`` and every body door skip
      it) but in :data:`READS`; ``listing`` describes a list endpoint's query and
      pagination;
    - ``table``: the stand-in's resource a read reads, or the one a body endpoint's
      ``{id}`` names (an unknown id is 404 ``not_found``).

    Facts only the stand-in and the OpenAPI document need (success answers, what a body
    names in the account's state) are in tables keyed by the contract, each with a
    default for an endpoint without an entry: :mod:`trackly_validate.contracts.shapes`,
    :mod:`trackly_validate.contracts.state`.

    Contracts are compared by identity (one per endpoint) and pickle by their key.
    """

    method: str
    template: str
    model_ref: str | None
    order: tuple[CodeInfo, ...] = ()
    statuses: Mapping[CodeInfo, int] = field(default_factory=dict)
    items: str | None = None
    echo: tuple[str, ...] = ()
    summary: str = ""
    path_checks: tuple[tuple[str, PathRule], ...] = ()
    listing: Listing | None = None
    table: str | None = None
    _parts: tuple[str, ...] = field(init=False, repr=False)
    _codes: tuple[str, ...] = field(init=False, repr=False)
    _status: Mapping[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parts", tuple(self.template.strip("/").split("/")))
        for info in (*self.order, *self.statuses, *(rule.info for _n, rule in self.path_checks)):
            if not isinstance(info, CodeInfo):
                raise ContractError(f"{self.key}: {info!r} is not a catalog entry (write C.<code>)")
        for info, status in self.statuses.items():
            if not (isinstance(status, int) and 100 <= status <= 599):
                raise ContractError(f"{self.key}: status {status!r} of {info.code} is not an HTTP status")
        object.__setattr__(self, "_codes", tuple(info.code for info in self.order))
        object.__setattr__(self, "_status", MappingProxyType({i.code: s for i, s in self.statuses.items()}))

    @property
    def key(self) -> str:
        """``"POST /v2/send"``."""
        return f"{self.method} {self.template}"

    @property
    def version(self) -> str:
        return self._parts[0]

    @property
    def codes(self) -> tuple[str, ...]:
        """The documented order as code strings."""
        return self._codes

    def status_for(self, info: CodeInfo) -> int:
        """The HTTP status of ``info`` on this endpoint: its override here, then its
        version's (:data:`VERSION_STATUSES`), then the catalog's."""
        found = self._status.get(info.code)
        if found is not None:
            return found
        return _VERSION_STATUS.get(self.version, {}).get(info.code, info.status)

    @property
    def reads(self) -> bool:
        """A read contract: no body model (GET, DELETE by path)."""
        return self.model_ref is None

    @property
    def max_items(self) -> int | None:
        """The item cap of the body's bulk array (``None``: no capped array), read from
        the model's ``ItemsCap`` rule."""
        found = self.capped_array
        return found[1] if found is not None else None

    @property
    def capped_array(self) -> tuple[str, int] | None:
        """``(field, cap)`` of the body's capped array (``("messages", 1000)``)."""
        if self.model_ref is None:
            return None
        return _capped_array(self.model)

    @property
    def model(self) -> "type[BaseModel]":
        if self.model_ref is None:
            raise ContractError(f"{self.key} is a read contract: it has no body model")
        found = _MODELS.get(self.model_ref)
        return found if found is not None else _load(self)

    def params(self, parts: tuple[str, ...]) -> dict[str, str]:
        """The path parameters of a matching path's segments, percent-decoded as Express
        decodes them: ``{"id": "101"}``."""
        return {t[1:-1]: unquote(p) for t, p in zip(self._parts, parts) if t.startswith("{")}

    def matches(self, parts: tuple[str, ...]) -> bool:
        """Literal segments match case-insensitively (Express routes do by default)."""
        if len(parts) != len(self._parts):
            return False
        return all(t == p or (p != "" if t.startswith("{") else t == p.lower()) for t, p in zip(self._parts, parts))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_route_by_key, (self.method, self.template))


def _route_by_key(method: str, template: str) -> Route:
    for route in (*ROUTES, *READS):
        if route.method == method and route.template == template:
            return route
    raise UnknownEndpointError(method, template, None)


_M = "trackly_validate.models."
_ID = (("id", PathRule(C.invalid_audience_id, is_object_id, OBJECT_ID_PATTERN)),)

# documented error tables shared by several endpoints
_SEND_V2 = (C.missing_to, C.missing_list_number, C.missing_body, C.invalid_phone, C.invalid_list_number,
            C.list_not_found, C.webhook_not_configured)
_BULK_V2 = (C.missing_messages, C.too_many_messages, *_SEND_V2)
_CREATIVE_LINKS = (C.missing_link_placeholder, C.missing_offer_links_for_placeholders, C.invalid_offer_links,
                   C.missing_offer_link_key, C.missing_offer_link_offer_id, C.invalid_url_scheme, C.invalid_url)
_CREATIVE_UPDATE = (C.name_too_long, C.message_too_long, C.invalid_status, C.invalid_creative_type,
                    *_CREATIVE_LINKS)
_SCHEDULE = (C.missing_name, C.missing_send_type, C.invalid_send_type, C.missing_is_repeating, C.missing_send_time,
             C.missing_audiences, C.invalid_status, C.missing_send_date, C.missing_start_date, C.missing_end_date,
             C.no_days_selected, C.missing_blasts, C.invalid_blast_percent, C.missing_blast_message,
             C.missing_offer_links_for_placeholders, C.invalid_offer_links, C.missing_offer_link_key,
             C.missing_offer_link_offer_id, C.invalid_url_scheme, C.invalid_url, C.invalid_audience_id)
_OFFER_TAIL = (C.invalid_url_scheme, C.invalid_url, C.invalid_external_platform, C.invalid_payout_type,
               C.invalid_status, C.invalid_metadata)
_RECORDS = (C.missing_records, C.too_many_records)
_REVENUE = (C.missing_message_id, C.missing_revenue, C.missing_attribution_type, C.invalid_revenue,
            C.invalid_attribution_type, C.invalid_timestamp)
_AUDIENCE = (C.name_too_long, C.missing_filter, C.source_list_not_found, C.invalid_group_operator,
             C.empty_filter_group, C.invalid_condition_type, C.invalid_time_field, C.invalid_time_operator,
             C.invalid_time_unit, C.missing_time_value, C.invalid_count_field, C.invalid_count_operator,
             C.missing_count_value, C.missing_custom_field_name, C.invalid_custom_field_operator,
             C.missing_custom_field_value, C.invalid_carrier_operator, C.missing_carrier_value,
             C.invalid_timezone_operator, C.missing_timezone_value, C.invalid_revenue_field,
             C.invalid_revenue_operator, C.missing_revenue_value, C.invalid_phone_numbers_operator,
             C.missing_phone_numbers_value, C.invalid_phone)
_CONTACT = (C.payload_too_large, C.missing_phone_number, C.missing_list_number, C.invalid_phone,
            C.invalid_list_number, C.list_not_found, C.not_sendable, C.geo_restricted, C.validation_failed,
            C.provider_error, C.missing_consent_method, C.invalid_consent_method, C.verbal_not_valid_for_marketing,
            C.invalid_custom_fields, C.invalid_timestamp, C.invalid_ip_address, C.invalid_url, C.invalid_url_scheme)

ROUTES: tuple[Route, ...] = (
    # --- sending and phones (messaging.md) ---------------------------------------------
    Route("POST", "/v2/send", _M + "sending:SendMessage", _SEND_V2, summary="Send one SMS"),
    Route("POST", "/v2/send/bulk", _M + "sending:SendBulk", _BULK_V2, items="messages",
          summary="Send up to 1,000 SMS"),
    Route("POST", "/v2/send-raw", _M + "sending:SendRaw", _SEND_V2, summary="Send one SMS with skip flags"),
    Route("POST", "/v2/send-raw/bulk", _M + "sending:SendRawBulk", _BULK_V2, items="messages",
          summary="Send up to 1,000 raw SMS"),
    Route("POST", "/v1/messages", _M + "sending:SendMessageV1",
          (C.missing_to, C.missing_body, C.missing_from, C.invalid_phone, C.list_not_found),
          summary="Send one SMS (v1, deprecated)"),
    Route("POST", "/v1/messages/bulk", _M + "sending:SendBulkV1",
          (C.missing_from, C.missing_messages, C.too_many_messages, C.list_not_found, C.missing_to, C.missing_body,
           C.invalid_phone),
          items="messages", echo=("to_msisdn",), summary="Send up to 1,000 SMS (v1, deprecated)"),
    Route("POST", "/v1/phone/validate", _M + "phone_validation:ValidatePhone",
          (C.invalid_force, C.invalid_phone, C.missing_phone), summary="Validate one phone number"),
    Route("POST", "/v1/phone/validate/batch", _M + "phone_validation:ValidatePhoneBatch",
          (C.missing_phones, C.invalid_force, C.too_many_phones),
          summary="Validate up to 500 phone numbers"),
    Route("POST", "/v2/otp/send", _M + "otp:SendOtp",
          (C.invalid_channel, C.invalid_phone, C.invalid_metadata, C.metadata_too_large),
          summary="Send a one-time passcode"),
    Route("POST", "/v2/otp/verify", _M + "otp:VerifyOtp", (C.invalid_phone,), summary="Verify a one-time passcode"),
    # --- campaigns (campaigns.md) ---------------------------------------------------------
    Route("POST", "/v2/creatives", _M + "creatives:CreateCreative",
          (C.missing_name, C.missing_message, C.missing_offer_links, *_CREATIVE_UPDATE), summary="Create a creative"),
    Route("PUT", "/v2/creatives/{id}", _M + "creatives:UpdateCreative", _CREATIVE_UPDATE,
          summary="Update a creative", table="creatives"),
    Route("POST", "/v2/schedules", _M + "schedules:CreateSchedule", _SCHEDULE,
          {C.source_list_not_found: 404}, summary="Create a schedule"),
    Route("PUT", "/v2/schedules/{id}", _M + "schedules:UpdateSchedule", _SCHEDULE,
          {C.source_list_not_found: 404}, summary="Update a schedule", table="schedules"),
    Route("POST", "/v2/offers", _M + "offers:CreateOffer", (C.missing_name, C.missing_tracking_url, C.name_too_long,
                                                              *_OFFER_TAIL), summary="Create an offer"),
    Route("PUT", "/v2/offers/{id}", _M + "offers:UpdateOffer", (C.name_too_long, *_OFFER_TAIL),
          summary="Update an offer", table="offers"),
    Route("POST", "/v2/links", _M + "links:CreateLink", (C.missing_offer_id, C.missing_list_identifier,
                                                           C.invalid_phone),
          summary="Create an offer-tracked short link"),
    Route("POST", "/v2/links/shorten", _M + "links:ShortenLink",
          (C.missing_url_or_offer, C.missing_list_identifier, C.invalid_url, C.invalid_phone),
          {C.list_not_found: 404, C.offer_not_found: 404, C.id_collision: 500},
          summary="Shorten a URL or SMS offer"),
    Route("POST", "/v2/revenue", _M + "revenue:RecordRevenue", _REVENUE, summary="Record one revenue event"),
    Route("POST", "/v2/revenue/bulk", _M + "revenue:RecordRevenueBulk", (*_RECORDS, *_REVENUE), items="records",
          summary="Record up to 1,000 revenue events"),
    Route("POST", "/v2/history/sends", _M + "history:ImportSends",
          (*_RECORDS, C.missing_id, C.missing_to_number, C.missing_timestamp, C.invalid_phone, C.invalid_timestamp),
          {C.list_not_found: 404}, items="records", echo=("id",), summary="Import past sends"),
    Route("POST", "/v2/history/clicks", _M + "history:ImportClicks",
          (*_RECORDS, C.missing_message_id, C.missing_offer_id, C.missing_phone_number, C.missing_timestamp,
           C.invalid_timestamp),
          {C.offer_not_found: 404, C.message_not_found: 404}, items="records",
          summary="Import past clicks"),
    Route("POST", "/v2/history/revenue", _M + "history:ImportRevenue",
          (*_RECORDS, C.missing_message_id, C.missing_offer_id, C.missing_revenue, C.invalid_revenue,
           C.invalid_timestamp),
          {C.offer_not_found: 404, C.contact_not_found: 404, C.message_not_found: 404}, items="records",
          summary="Import past revenue"),
    Route("DELETE", "/v2/history/clear", _M + "history:ClearHistory",
          (C.missing_entities, C.invalid_entities, C.confirm_required, C.invalid_timestamp),
          summary="Clear imported history"),
    # --- audiences and contacts (audiences-contacts.md) -----------------------------------------
    Route("POST", "/v2/audiences", _M + "audiences:CreateAudience", _AUDIENCE, summary="Create an audience"),
    # "all body parameters are optional": the table's missing_filter cannot happen on an update
    Route("PUT", "/v2/audiences/{id}", _M + "audiences:UpdateAudience",
          tuple(info for info in _AUDIENCE if info is not C.missing_filter), summary="Update an audience",
          path_checks=_ID, table="audiences"),
    Route("POST", "/v2/contacts", _M + "contacts:UpsertContact", _CONTACT, summary="Create or update a contact"),
    Route("PUT", "/v2/contacts", _M + "contacts:UpdateContactFields",
          (C.missing_phone_number, C.missing_list_number, C.missing_custom_fields, C.invalid_custom_fields,
           C.invalid_phone, C.invalid_list_number, C.contact_not_found, C.list_not_found, C.list_contact_not_found),
          summary="Update a contact's custom fields"),
    Route("DELETE", "/v2/contacts", _M + "contacts:UnsubscribeContact",
          (C.missing_phone_number, C.missing_list_number, C.invalid_phone, C.invalid_list_number),
          summary="Unsubscribe a contact"),
    Route("POST", "/v2/contacts/bulk", _M + "contacts:BulkCreateContacts",
          (C.missing_contacts, C.too_many_contacts, C.too_many_contacts_with_validation, *_CONTACT),
          items="contacts", echo=("phone_number",), summary="Create up to 1,000 contacts"),
)

_PAGE = (Query("page"), Query("per_page"))
_RESOURCE_STATUS = (C.not_found,)

#: Read contracts: the documented GET endpoints, and the DELETEs that name their resource by
#: path.  Their only state codes are ``not_found`` (an unknown or malformed id) and the
#: key's; invalid query values are not documented (decisions.md: out-of-range paging is
#: clamped, an unknown filter value matches nothing).
READS: tuple[Route, ...] = (
    # messaging reference: no pagination documented for lists; deleted lists hidden by default
    Route("GET", "/v2/lists", None, summary="List sending lists", table="lists",
          listing=Listing("lists", (Query("status", ("active", "paused", "suspended", "deleted"),
                                          hidden=("deleted",)),), per_page=None)),
    Route("GET", "/v2/lists/{list_id}", None, _RESOURCE_STATUS, summary="Get a sending list", table="lists"),
    # audiences-contacts reference
    Route("GET", "/v2/audiences", None, summary="List audiences", table="audiences",
          listing=Listing("audiences", (Query("status", ("active", "archived"), hidden=("archived",)), *_PAGE))),
    Route("GET", "/v2/audiences/{id}", None, _RESOURCE_STATUS, summary="Get an audience", table="audiences"),
    Route("DELETE", "/v2/audiences/{id}", None, _RESOURCE_STATUS, summary="Archive an audience",
          table="audiences"),
    Route("GET", "/v2/audiences/{id}/size", None, _RESOURCE_STATUS, summary="Calculate an audience's size",
          table="audiences"),
    # contacts: newest signup first, per_page up to 1000; v1 contact deletes are no-ops
    Route("GET", "/v2/contacts", None, summary="List contacts", table="list_contacts",
          listing=Listing("contacts", (Query("list_number"), Query("active", ("true", "false")), *_PAGE),
                          max_per_page=1000, newest_first=True)),
    Route("DELETE", "/v1/contacts/{msisdn}", None, summary="Delete a contact (v1, deprecated, a no-op)"),
    # campaigns reference: the default list shows active creatives only
    Route("GET", "/v2/creatives", None, summary="List creatives", table="creatives",
          listing=Listing("creatives", (Query("status", ("active", "paused", "archived"), default="active"),
                                        Query("creative_type", ("automated", "one_time", "welcome")), *_PAGE))),
    Route("GET", "/v2/creatives/{id}", None, _RESOURCE_STATUS, summary="Get a creative", table="creatives"),
    Route("DELETE", "/v2/creatives/{id}", None, _RESOURCE_STATUS, summary="Archive a creative", table="creatives"),
    # schedules have no pagination; archived ones ("archive") hidden by default
    Route("GET", "/v2/schedules", None, summary="List schedules", table="schedules",
          listing=Listing("schedules", (Query("status", ("draft", "off", "on", "complete", "archive"),
                                              hidden=("archive",)),), per_page=None)),
    Route("GET", "/v2/schedules/{id}", None, _RESOURCE_STATUS, summary="Get a schedule", table="schedules"),
    Route("DELETE", "/v2/schedules/{id}", None, _RESOURCE_STATUS, summary="Archive a schedule", table="schedules"),
    Route("GET", "/v2/offers", None, summary="List offers", table="offers",
          listing=Listing("offers", (Query("status", ("active", "paused", "archived"), hidden=("archived",)),
                                     *_PAGE))),
    Route("GET", "/v2/offers/{id}", None, _RESOURCE_STATUS, summary="Get an offer", table="offers"),
    Route("DELETE", "/v2/offers/{id}", None, _RESOURCE_STATUS, summary="Archive an offer", table="offers"),
)

#: Statuses that differ for a whole API version (the v1 errors page).
VERSION_STATUSES: Mapping[str, Mapping[CodeInfo, int]] = MappingProxyType({
    "v1": MappingProxyType({C.list_not_found: 404, C.too_many_messages: 400}),
})
_VERSION_STATUS = {v: {i.code: s for i, s in table.items()} for v, table in VERSION_STATUSES.items()}


def _check_table() -> None:
    keys = [r.key for r in (*ROUTES, *READS)]
    if len(set(keys)) != len(keys):
        raise ContractError("an endpoint is declared twice")
    for route in ROUTES:
        if route.reads:
            raise ContractError(f"{route.key}: a contract without a body model belongs in READS")
        if route.table is not None and "{id}" not in route.template:
            raise ContractError(f"{route.key}: a body endpoint's table is the resource its {{id}} names")
    for route in READS:
        if not route.reads or route.items or route.path_checks:
            raise ContractError(f"{route.key}: a read contract has no body model, items or path rules")
        if route.method not in ("GET", "DELETE"):
            raise ContractError(f"{route.key}: a read contract is a GET or a DELETE")
    versions = {r.version for r in ROUTES}
    for version in VERSION_STATUSES:
        if version not in versions:
            raise ContractError(f"status overrides for version {version!r}, which has no endpoint")


_check_table()


_MODELS: dict[str, type] = {}


def _load(route: Route) -> "type[BaseModel]":
    ref = route.model_ref
    assert ref is not None  # Route.model refuses a read contract first
    module, _, name = ref.partition(":")
    model = getattr(importlib.import_module(module), name)
    _check_model(route, model)
    _MODELS[ref] = model
    return model  # type: ignore[no-any-return]


def _check_model(route: Route, model: Any) -> None:
    """The contract against its model: every locally checkable code of the documented
    order is one the model (or the path rules) can raise; a bulk items field is a field."""
    from trackly_validate.rules.compile import raisable_codes

    raisable = raisable_codes(model) | {rule.info.code for _n, rule in route.path_checks}
    unraisable = [info.code for info in route.order if info.local and info.code not in raisable]
    if unraisable:
        raise ContractError(f"{route.key}: the order lists {', '.join(unraisable)}, which "
                            f"{model.__name__} cannot raise")
    if route.items is not None and route.items not in getattr(model, "model_fields", {}):
        raise ContractError(f"{route.key}: items field {route.items!r} is not a field of {model.__name__}")
    capped = _capped_array(model)
    if route.items is not None and (capped is None or capped[0] != route.items):
        raise ContractError(f"{route.key}: items field {route.items!r} has no ItemsCap rule in {model.__name__}")


_CAPS: dict[type, tuple[str, int] | None] = {}


def _capped_array(model: Any) -> tuple[str, int] | None:
    """``(field, n)`` of the model's field that carries an ``ItemsCap`` (``None``: none)."""
    try:
        return _CAPS[model]
    except KeyError:
        pass
    from trackly_validate.rules.base import ItemsCap

    found = [(name, marker.n) for name, info in getattr(model, "model_fields", {}).items()
             for marker in info.metadata if isinstance(marker, ItemsCap)]
    if len(found) > 1:
        raise ContractError(f"{model.__name__}: more than one capped array ({', '.join(n for n, _ in found)})")
    _CAPS[model] = found[0] if found else None
    return _CAPS[model]


def item_caps() -> Mapping[str, int]:
    """Bulk array name -> its item cap, over every contract (``{"messages": 1000, ...}``);
    read from the models' ``ItemsCap`` rules, which must agree for one name."""
    caps: dict[str, int] = {}
    for route in ROUTES:
        found = route.capped_array
        if found is None:
            continue
        name, n = found
        if caps.setdefault(name, n) != n:
            raise ContractError(f"{route.key}: {name} is capped at {n} here and at {caps[name]} elsewhere")
    return MappingProxyType(caps)


# --- the route matcher: every door finds its contract here ----------------------------------------------

@dataclass(frozen=True, slots=True)
class Found:
    """A request matched to its contract: the route, its path parameters (percent-decoded,
    as Express decodes them) and the path as given, for the path rules."""

    route: Route
    params: Mapping[str, str]
    path: str


_SCHEMES = ("https://", "http://")


def normalise_path(path: str) -> tuple[str, ...]:
    """The segments of a path as a caller spells it (``tv.check``, the client hooks):
    ``https://api.tracklysms.com/api/v2/send?x=1`` -> ``("v2", "send")``.  The host, the
    query, the fragment, empty segments and a leading ``api`` segment are dropped."""
    p = path.strip()
    low = p[:8].lower()
    for scheme in _SCHEMES:
        if low.startswith(scheme):
            slash = p.find("/", len(scheme))
            p = p[slash:] if slash != -1 else "/"
            break
    for sep in "?#":
        i = p.find(sep)
        if i != -1:
            p = p[:i]
    parts = tuple(s for s in p.split("/") if s)
    if parts and parts[0].lower() == "api":
        parts = parts[1:]
    return parts


def express_parts(raw_path: str) -> tuple[str, ...] | None:
    """The segments under ``/api`` of a raw (percent-encoded) request path, as the server's
    Express router reads it: segment by segment, so an empty one (``/api//v2/send``)
    matches no route; one trailing ``/`` is allowed (non-strict routing).  ``None`` for a
    path outside ``/api``."""
    if not raw_path.startswith("/"):
        return None
    segments = raw_path.split("/")[1:]
    if len(segments) > 1 and segments[-1] == "":
        segments.pop()
    if segments[0].lower() != "api":
        return None
    return tuple(segments[1:])


def match(method: str, path: str, *, express: bool = False, reads: bool = False) -> Found | None:
    """The contract of ``method path``, or ``None`` for an endpoint the library does not model.

    ``path`` is read as a caller spells it (:func:`normalise_path`: ``/v2/send``,
    ``/api/v2/send`` or a full URL; the method in any case) unless ``express``: then it is
    the raw path the server received, read as its router reads it (:func:`express_parts`;
    the method exactly as sent).  Literal segments match in any case, on the path as sent
    (``%73end`` is not ``send``); a parameter matches any non-empty segment.  ``reads``:
    the read contracts too, HEAD matching as GET (a door that only judges bodies leaves
    them alone)."""
    if type(method) is not str or type(path) is not str:
        return None
    parts = express_parts(path) if express else normalise_path(path)
    if parts is None:
        return None
    wanted = method if express else method.strip().upper()
    if reads and wanted == "HEAD":
        wanted = "GET"
    for route in (*ROUTES, *READS) if reads else ROUTES:
        if route.method == wanted and route.matches(parts):
            return Found(route, route.params(parts), path)
    return None


_FOUND: dict[tuple[str, str], Route | None] = {}  # (method, path) as given -> route; bounded
_FOUND_MAX = 4096


def find(method: str, path: str) -> Route | None:
    """The body contract for ``method`` and ``path`` as a caller spells them
    (:func:`match`); ``None`` for an unmodelled endpoint.  Answers are kept per
    ``(method, path)``: this runs once per ``tv.check``."""
    try:
        return _FOUND[method, path]
    except KeyError:
        pass
    except TypeError:  # unhashable method/path
        return None
    found = match(method, path)
    if len(_FOUND) >= _FOUND_MAX:
        _FOUND.clear()
    _FOUND[method, path] = route = found.route if found is not None else None
    return route


def resolve(method: str, path: str) -> Route:
    """The route for ``method`` and ``path`` (``UnknownEndpointError`` if none)."""
    found = find(method, path)
    if found is None:
        raise unknown_endpoint(method, path)
    return found


def unknown_endpoint(method: str, path: str) -> UnknownEndpointError:
    """The error for a method and path no contract matches, with the closest modelled
    endpoint as its "did you mean"."""
    return UnknownEndpointError(str(method), str(path), suggest(method, path))


def suggest(method: str, path: str) -> str | None:
    """The modelled endpoint closest to ``method path`` (``"POST /v2/send"``), for a "did
    you mean" after an :class:`UnknownEndpointError`; ``None`` when nothing is close."""
    import difflib

    if not isinstance(method, str) or not isinstance(path, str):
        return None
    m = method.strip().upper()
    parts = normalise_path(path)
    for route in ROUTES:  # the right path with another method
        if route.matches(parts) and route.method != m:
            return route.key
    wanted = f"{m} /{'/'.join(parts)}"
    keys = {f"{r.method} /{'/'.join(p if not p.startswith('{') else (parts[i] if i < len(parts) else p) for i, p in enumerate(r._parts))}": r.key
            for r in ROUTES}
    close = difflib.get_close_matches(wanted, list(keys), n=1, cutoff=0.75)
    return keys[close[0]] if close else None
