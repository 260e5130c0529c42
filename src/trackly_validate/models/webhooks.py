"""Trackly's outbound webhooks, for apps that receive them: ``tv.webhooks``.

The events (messaging reference; audiences-contacts reference) as pydantic models, and the
signature check::

    from trackly_validate.models import webhooks
    if not webhooks.verify_signature(raw_body, request.headers.get("X-Trackly-Signature"), secret):
        return 401
    event = webhooks.parse_event(raw_body)     # DeliveryEvent | UnsubscribeEvent | ReplyEvent
    if isinstance(event, webhooks.DeliveryEvent) and event.status == "delivered": ...

The docs name the header (``X-Trackly-Signature``) and the algorithm (HMAC-SHA256) but not
the exact scheme.  Inferred, as most APIs do it: the lowercase hex digest of HMAC-SHA256
over the raw request body, keyed with the webhook secret (a ``sha256=`` prefix is
accepted too).  The ``reply`` event's fields are not documented (inferred: the unsubscribe
event's, with ``body`` for the keyword).  Every model keeps fields it does not know.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = ["SIGNATURE_HEADER", "DELIVERY_STATUSES", "OPT_OUT_KEYWORDS", "DeliveryEvent", "UnsubscribeEvent",
           "ReplyEvent", "WebhookEvent", "parse_event", "sign", "verify_signature"]

SIGNATURE_HEADER = "X-Trackly-Signature"

#: A delivery event's ``status`` (messaging reference).
DELIVERY_STATUSES = ("delivered", "undeliverable", "expired", "rejected", "pending")

#: The opt-out keywords of the older compliance page (the ``unsubscribe`` event's ``keyword``).
OPT_OUT_KEYWORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "QUIT", "CANCEL")


class _Event(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class DeliveryEvent(_Event):
    """``{"event": "delivery", "message_id": "AbC12345", "to": "+14155551234", "list_number":
    "+18005551234", "status": "delivered", "status_detail": "DELIVERED_TO_HANDSET",
    "provider": "infobip", "timestamp": "2024-01-15T10:30:00.000Z"}``"""

    event: Literal["delivery"]
    message_id: str
    to: str
    list_number: str | None = None
    status: Literal["delivered", "undeliverable", "expired", "rejected", "pending"]
    status_detail: str | None = None
    provider: str | None = None
    timestamp: str


class UnsubscribeEvent(_Event):
    """``{"event": "unsubscribe", "phone_number", "list_number", "keyword", "timestamp"}``."""

    event: Literal["unsubscribe"]
    phone_number: str
    list_number: str | None = None
    keyword: str
    timestamp: str


class ReplyEvent(_Event):
    """An inbound SMS that is not an opt-out (fields inferred, see the module docstring)."""

    event: Literal["reply"]
    phone_number: str
    list_number: str | None = None
    body: str
    timestamp: str


WebhookEvent = Annotated[Union[DeliveryEvent, UnsubscribeEvent, ReplyEvent], Field(discriminator="event")]
_ADAPTER: TypeAdapter[DeliveryEvent | UnsubscribeEvent | ReplyEvent] = TypeAdapter(WebhookEvent)


def parse_event(body: bytes | str | dict[str, Any]) -> DeliveryEvent | UnsubscribeEvent | ReplyEvent:
    """The event a webhook request carries (``pydantic.ValidationError`` when it is none)."""
    data = json.loads(body) if isinstance(body, (bytes, str)) else body
    return _ADAPTER.validate_python(data)


def sign(body: bytes | str, secret: str) -> str:
    """The ``X-Trackly-Signature`` value of ``body`` (hex HMAC-SHA256 with ``secret``)."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()


def verify_signature(body: bytes | str, header: str | None, secret: str) -> bool:
    """Whether ``header`` (the ``X-Trackly-Signature`` value) signs ``body``, the raw
    request body as received, with ``secret``.  Compared in constant time; a missing or
    malformed header is ``False``."""
    if not header or not secret:
        return False
    given = header.strip()
    if given.lower().startswith("sha256="):
        given = given[7:]
    return hmac.compare_digest(given.lower().encode("ascii", "replace"), sign(body, secret).encode("ascii"))
