"""The route table: (method, path template) -> the model its JSON body is checked with.

One row per modelled endpoint.  Models are named ``"area:ClassName"`` and imported on
first use, so the table costs nothing at import time.  A path may be given as
``/v2/send``, ``/api/v2/send`` or a full URL; query strings, fragments and a trailing
slash are ignored; ``{id}`` segments match any non-empty segment.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator

from .catalog import C, CodeInfo
from .errors import UnknownEndpointError
from .rules.objectid import is_object_id

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import BaseModel

__all__ = ["Route", "PathRule", "ROUTES", "resolve", "find", "routes", "normalise_path"]


@dataclass(frozen=True, slots=True)
class PathRule:
    """A path parameter's format rule: ``test(value)`` is False -> ``info``."""

    info: CodeInfo
    test: Callable[[str], bool]

    def __call__(self, value: str) -> bool:
        return self.test(value)


@dataclass(frozen=True, slots=True)
class Route:
    """A modelled endpoint.

    ``items`` names the array of a bulk endpoint (its problems carry the item index in
    ``loc``; :func:`trackly_validate.partition` splits on it); ``echo`` lists the item
    fields the server repeats in its ``errors[]`` entries (``to_msisdn`` on v1,
    ``phone_number`` on contacts).  ``max_items`` is the documented cap.  ``path_checks``
    pairs a path parameter with its format rule.
    """

    method: str
    template: str
    model_ref: str
    items: str | None = None
    echo: tuple[str, ...] = ()
    max_items: int | None = None
    summary: str = ""
    path_checks: tuple[tuple[str, PathRule], ...] = ()
    _parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parts", tuple(self.template.strip("/").split("/")))

    @property
    def key(self) -> str:
        """``"POST /v2/send"``: the key the catalog's per-endpoint statuses use."""
        return f"{self.method} {self.template}"

    @property
    def version(self) -> str:
        return self._parts[0]

    @property
    def model(self) -> "type[BaseModel]":
        return _load(self.model_ref)

    def params(self, parts: tuple[str, ...]) -> dict[str, str]:
        """The path parameters of a matching path: ``{"id": "101"}``."""
        return {t[1:-1]: p for t, p in zip(self._parts, parts) if t.startswith("{")}

    def matches(self, parts: tuple[str, ...]) -> bool:
        if len(parts) != len(self._parts):
            return False
        return all(t == p or (t.startswith("{") and p != "") for t, p in zip(self._parts, parts))


_M = "trackly_validate.models."

ROUTES: tuple[Route, ...] = (
    # --- sending and phones (messaging.md) ---------------------------------------------
    Route("POST", "/v2/send", _M + "sending:SendMessage", summary="Send one SMS"),
    Route("POST", "/v2/send/bulk", _M + "sending:SendBulk", items="messages", max_items=1000,
          summary="Send up to 1,000 SMS"),
    Route("POST", "/v2/send-raw", _M + "sending:SendRaw", summary="Send one SMS with skip flags"),
    Route("POST", "/v2/send-raw/bulk", _M + "sending:SendRawBulk", items="messages", max_items=1000,
          summary="Send up to 1,000 raw SMS"),
    Route("POST", "/v1/messages", _M + "sending:SendMessageV1", summary="Send one SMS (v1, deprecated)"),
    Route("POST", "/v1/messages/bulk", _M + "sending:SendBulkV1", items="messages", echo=("to_msisdn",),
          max_items=1000, summary="Send up to 1,000 SMS (v1, deprecated)"),
    Route("POST", "/v1/phone/validate", _M + "phone_validation:ValidatePhone",
          summary="Validate one phone number"),
    Route("POST", "/v1/phone/validate/batch", _M + "phone_validation:ValidatePhoneBatch", max_items=500,
          summary="Validate up to 500 phone numbers"),
    Route("POST", "/v2/otp/send", _M + "otp:SendOtp", summary="Send a one-time passcode"),
    Route("POST", "/v2/otp/verify", _M + "otp:VerifyOtp", summary="Verify a one-time passcode"),
    # --- campaigns (campaigns.md) ---------------------------------------------------------
    Route("POST", "/v2/creatives", _M + "creatives:CreateCreative", summary="Create a creative"),
    Route("PUT", "/v2/creatives/{id}", _M + "creatives:UpdateCreative", summary="Update a creative"),
    Route("POST", "/v2/schedules", _M + "schedules:CreateSchedule", summary="Create a schedule"),
    Route("PUT", "/v2/schedules/{id}", _M + "schedules:UpdateSchedule", summary="Update a schedule"),
    Route("POST", "/v2/offers", _M + "offers:CreateOffer", summary="Create an offer"),
    Route("PUT", "/v2/offers/{id}", _M + "offers:UpdateOffer", summary="Update an offer"),
    Route("POST", "/v2/links", _M + "links:CreateLink", summary="Create an offer-tracked short link"),
    Route("POST", "/v2/links/shorten", _M + "links:ShortenLink", summary="Shorten a URL or SMS offer"),
    Route("POST", "/v2/revenue", _M + "revenue:RecordRevenue", summary="Record one revenue event"),
    Route("POST", "/v2/revenue/bulk", _M + "revenue:RecordRevenueBulk", items="records", max_items=1000,
          summary="Record up to 1,000 revenue events"),
    Route("POST", "/v2/history/sends", _M + "history:ImportSends", items="records", echo=("id",),
          max_items=1000, summary="Import past sends"),
    Route("POST", "/v2/history/clicks", _M + "history:ImportClicks", items="records", max_items=1000,
          summary="Import past clicks"),
    Route("POST", "/v2/history/revenue", _M + "history:ImportRevenue", items="records", max_items=1000,
          summary="Import past revenue"),
    Route("DELETE", "/v2/history/clear", _M + "history:ClearHistory", summary="Clear imported history"),
    # --- audiences and contacts (audiences-contacts.md) -----------------------------------------
    Route("POST", "/v2/audiences", _M + "audiences:CreateAudience", summary="Create an audience"),
    Route("PUT", "/v2/audiences/{id}", _M + "audiences:UpdateAudience", summary="Update an audience",
          path_checks=(("id", PathRule(C.invalid_audience_id, is_object_id)),)),
    Route("POST", "/v2/contacts", _M + "contacts:UpsertContact", summary="Create or update a contact"),
    Route("PUT", "/v2/contacts", _M + "contacts:UpdateContactFields", summary="Update a contact's custom fields"),
    Route("DELETE", "/v2/contacts", _M + "contacts:UnsubscribeContact", summary="Unsubscribe a contact"),
    Route("POST", "/v2/contacts/bulk", _M + "contacts:BulkCreateContacts", items="contacts",
          echo=("phone_number",), max_items=1000, summary="Create up to 1,000 contacts"),
)

_MODELS: dict[str, type] = {}


def _load(ref: str) -> "type[BaseModel]":
    found = _MODELS.get(ref)
    if found is None:
        module, _, name = ref.partition(":")
        found = getattr(importlib.import_module(module), name)
        _MODELS[ref] = found
    return found  # type: ignore[return-value]


def routes() -> Iterator[Route]:
    return iter(ROUTES)


_SCHEMES = ("https://", "http://")


def normalise_path(path: str) -> tuple[str, ...]:
    """``https://api.tracklysms.com/api/v2/send?x=1`` -> ``("v2", "send")``."""
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
    if parts and parts[0] == "api":
        parts = parts[1:]
    return parts


def _lookup(method: str, path: str) -> Route | None:
    m = method.strip().upper()
    parts = normalise_path(path)
    for route in ROUTES:
        if route.method == m and route.matches(parts):
            return route
    return None


_FOUND: dict[tuple[str, str], Route | None] = {}  # (method, path) as given -> route; bounded
_FOUND_MAX = 4096


def find(method: str, path: str) -> Route | None:
    """The route for ``method`` and ``path``; ``None`` for an unmodelled endpoint
    (pass-through hooks)."""
    try:
        return _FOUND[method, path]
    except KeyError:
        pass
    except TypeError:  # unhashable method/path
        return None
    if type(method) is not str or type(path) is not str:
        return None
    found = _lookup(method, path)
    if len(_FOUND) >= _FOUND_MAX:
        _FOUND.clear()
    _FOUND[method, path] = found
    return found


def resolve(method: str, path: str) -> Route:
    """The route for ``method`` and ``path`` (``UnknownEndpointError`` if none)."""
    found = find(method, path)
    if found is None:
        raise UnknownEndpointError(str(method), str(path))
    return found


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


