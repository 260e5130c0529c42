"""Sending: POST /v2/send, /v2/send/bulk, /v2/send-raw, /v2/send-raw/bulk,
/v1/messages and /v1/messages/bulk (messaging reference)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, Field, model_validator

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import ABSENT, ItemsCap, Required, TracklyModel
from trackly_validate.rules.phones import Phone
from trackly_validate.rules.types import Bool, JsonObject, Metadata, Str

__all__ = [
    "ContactData",
    "SendMessage",
    "BulkMessage",
    "SendBulk",
    "SendRaw",
    "RawMessage",
    "SendRawBulk",
    "SendMessageV1",
    "BulkMessageV1",
    "SendBulkV1",
]


# Field types written once ------------------------------------------------------------------------
To = Annotated[str, Phone(C.invalid_phone), Required(C.missing_to)]
ListNumber = Annotated[str, Phone(C.invalid_list_number, role="sender"), Required(C.missing_list_number)]
BodyText = Annotated[Str, Required(C.missing_body)]


class ContactData(TracklyModel):
    """``contact_data``: values for macros such as ``{{first_name}}``."""

    first_name: Str | None = None
    last_name: Str | None = None
    custom_fields: JsonObject | None = None
    timezone: Str | None = None


class SendMessage(TracklyModel):
    """POST /v2/send: one SMS.  ``to`` and ``list_number`` are E.164; no maximum body
    length is documented, so none is enforced (the creatives' 1,600 cap is not carried over)."""

    to: To = ABSENT
    list_number: ListNumber = ABSENT
    body: BodyText = ABSENT
    wrap_links: Bool | None = None
    contact_data: ContactData | None = None
    metadata: Metadata | None = None


def _defaulted_list_number(schema: dict[str, Any]) -> None:
    """A bulk item's ``list_number`` may be absent or empty when the request gives one at
    the top level (:func:`_default_list_number`); :func:`_items_need_list_number` says when not."""
    schema["required"] = [n for n in schema.get("required", []) if n != "list_number"]
    schema["properties"]["list_number"] = {"anyOf": [schema["properties"]["list_number"], {"enum": ["", None]}]}


def _items_need_list_number(schema: dict[str, Any]) -> None:
    """Without a top-level ``list_number``, every item needs its own."""
    schema.setdefault("allOf", []).append({
        "if": {"required": ["list_number"], "properties": {"list_number": {"type": "string", "minLength": 1}}},
        "else": {"properties": {"messages": {"items": {
            "required": ["list_number"], "properties": {"list_number": {"type": "string", "minLength": 1}}}}}}})


class BulkMessage(SendMessage):
    """One item of POST /v2/send/bulk (the /v2/send fields)."""

    __trackly_json_schema__ = staticmethod(_defaulted_list_number)


def _default_list_number(data: Any, items: str = "messages") -> Any:
    """A top-level ``list_number`` is the default for messages that carry none.

    Returns a new dict (the caller's body is never mutated); Python touches the items
    only when a top-level default is actually given.
    """
    if not isinstance(data, dict):
        return data
    default = data.get("list_number")
    messages = data.get(items)
    if default in (None, "") or not isinstance(messages, list):
        return data
    filled = [
        {**m, "list_number": default} if isinstance(m, dict) and m.get("list_number") in (None, "") else m
        for m in messages
    ]
    return {**data, items: filled}


_Message = TypeVar("_Message", bound=TracklyModel)
#: A bulk ``messages`` array of one item model (``_Messages[BulkMessage]``): 1 to 1,000
#: (413 ``too_many_messages``).
_Messages = Annotated[list[_Message], ItemsCap(C.too_many_messages, 1000, type_info=C.missing_messages),
                      Required(C.missing_messages)]


class _BulkWithDefaultList(TracklyModel):
    """A v2 bulk send: a top-level ``list_number`` is the default for messages without one."""

    list_number: Annotated[str, Phone(C.invalid_list_number, role="sender")] | None = None
    __trackly_json_schema__ = staticmethod(_items_need_list_number)

    @model_validator(mode="before")
    @classmethod
    def _default_list_number(cls, data: Any) -> Any:
        return _default_list_number(data)


class SendBulk(_BulkWithDefaultList):
    """POST /v2/send/bulk: 1 to 1,000 messages (413 ``too_many_messages`` above).

    Each message is checked on its own (the server queues the good ones): problems carry
    the index, ``("messages", 3, "to")``.  A top-level ``list_number`` (the API Limits
    page's example) is the default for messages without one.  An empty array is
    ``missing_messages`` (inferred: v1 and phone batch document "missing or empty").
    """

    messages: _Messages[BulkMessage] = ABSENT


class SendRaw(TracklyModel):
    """POST /v2/send-raw: one SMS with skip flags.  ``wrap_links`` and ``contact_data``
    are not documented here; like any unknown key they are accepted and kept."""

    to: To = ABSENT
    list_number: ListNumber = ABSENT
    body: BodyText = ABSENT
    skip_duplicate_check: Bool | None = None
    skip_rate_limit: Bool | None = None
    skip_contact_validation: Bool | None = None
    skip_journey_check: Bool | None = None
    metadata: Metadata | None = None


class RawMessage(SendRaw):
    """One item of POST /v2/send-raw/bulk (the /v2/send-raw fields)."""

    __trackly_json_schema__ = staticmethod(_defaulted_list_number)


class SendRawBulk(_BulkWithDefaultList):
    """POST /v2/send-raw/bulk: 1 to 1,000 raw messages.  Its error table was not visible;
    it is read as matching /v2/send/bulk (inferred), top-level ``list_number`` default included."""

    messages: _Messages[RawMessage] = ABSENT


# --- v1 (deprecated) ---------------------------------------------------------------------------------------

V1To = Annotated[str, Phone(C.invalid_phone, "v1", role="v1"), Required(C.missing_to, wording="v1")]
V1Body = Annotated[Str, Required(C.missing_body, wording="v1")]
V1From = Annotated[Str, Required(C.missing_from, wording="v1")]


def _to_or_legacy_to(schema: dict[str, Any]) -> None:
    """``to_msisdn`` or, when it is absent or empty, ``to`` (:func:`_to_fallback`)."""
    props = schema["properties"]
    phone = props["to_msisdn"]
    props["to_msisdn"] = {"anyOf": [phone, {"enum": ["", None]}]}
    props.setdefault("to", {"description": "The legacy name of to_msisdn, read when to_msisdn is absent or empty."})
    schema["required"] = [n for n in schema.get("required", []) if n != "to_msisdn"]
    schema.setdefault("allOf", []).append({"anyOf": [{"required": [name], "properties": {name: phone}}
                                                     for name in ("to_msisdn", "to")]})


def _to_fallback(data: Any) -> Any:
    """v1 reads ``to_msisdn`` and falls back to the legacy ``to``: an empty ``to_msisdn``
    next to a ``to`` is dropped so the alias choice lands on ``to`` (new dict, no mutation)."""
    if isinstance(data, dict) and data.get("to_msisdn") in (None, "") and data.get("to") not in (None, ""):
        return {k: v for k, v in data.items() if k != "to_msisdn"}
    return data


class SendMessageV1(TracklyModel):
    """POST /v1/messages (deprecated): ``to_msisdn`` (or the legacy ``to``), ``body``,
    ``from_phone_number_id``.  The server normalises US formats, so ``4155551234`` and
    ``(415) 555-1234`` are accepted here.  ``metadata`` is accepted and ignored by the server."""

    to_msisdn: V1To = Field(ABSENT, validation_alias=AliasChoices("to_msisdn", "to"))
    body: V1Body = ABSENT
    from_phone_number_id: V1From = ABSENT
    metadata: Any = None
    __trackly_json_schema__ = staticmethod(_to_or_legacy_to)

    @model_validator(mode="before")
    @classmethod
    def _to_fallback(cls, data: Any) -> Any:
        return _to_fallback(data)


class BulkMessageV1(TracklyModel):
    """One item of POST /v1/messages/bulk.  The server reports item problems in
    ``errors[]`` as ``{index, to_msisdn, error}``; the request itself still succeeds."""

    to_msisdn: V1To = Field(ABSENT, validation_alias=AliasChoices("to_msisdn", "to"))
    body: V1Body = ABSENT
    __trackly_json_schema__ = staticmethod(_to_or_legacy_to)

    @model_validator(mode="before")
    @classmethod
    def _to_fallback(cls, data: Any) -> Any:
        return _to_fallback(data)


class SendBulkV1(TracklyModel):
    """POST /v1/messages/bulk (deprecated): one ``from_phone_number_id`` for 1 to 1,000
    messages; more than 1,000 is ``too_many_messages`` with **400** on v1 (413 on v2)."""

    from_phone_number_id: V1From = ABSENT
    messages: Annotated[
        list[BulkMessageV1],
        ItemsCap(C.too_many_messages, 1000, type_info=C.missing_messages, wording="v1"),
        Required(C.missing_messages, wording="v1"),
    ] = ABSENT
