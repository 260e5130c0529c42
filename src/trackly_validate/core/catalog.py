"""The error catalog: every code the Trackly API documents, as data.

This module is the single source of truth for error codes.  Each code appears
here exactly once as a string literal; models, the README table, the CLI and the
tests all read it from here (models through the attribute namespace ``C``, so a
misspelt code fails at import time).

Sources, in order of authority for the ``error`` text:

1. ``error-codes.txt`` (the API's own error-code page, newest version): its
   "Message" column is the literal ``error`` string.
2. The endpoint pages (``messaging.md``, ``campaigns.md``,
   ``audiences-contacts.md``) for codes that page does not list, and for the v1
   texts, which differ (the v1 errors page has its own wording).

The catalog knows codes, not endpoints: where a code's HTTP status differs on an
endpoint or an API version (``too_many_messages`` is 400 on v1 and 413 on v2), the
endpoint's contract in ``routes.py`` says so.  A code's other *wordings* (the v1 texts,
the OTP endpoints' E.164 text) are keyed by wording name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping

__all__ = [
    "CATEGORIES",
    "CATALOG",
    "C",
    "CodeInfo",
    "get",
    "message_for",
    "codes",
    "local_codes",
    "by_message",
]

#: Categories, in the order the error-code page presents them.
CATEGORIES = (
    "auth",  # 401
    "validation",  # 400
    "billing",  # 402
    "forbidden",  # 403
    "not_found",  # 404
    "conflict",  # 409
    "limit",  # 413
    "rate_limit",  # 429
    "server",  # 5xx
)


@dataclass(frozen=True, slots=True, eq=False)
class CodeInfo:
    """One error code as the API documents it.

    ``message`` is the documented ``error`` text; a ``…`` in it is filled with the
    specifics when the library raises the code.  ``wordings`` are the other texts some
    endpoints use for it (``"v1"``: the v1 errors page's wording).  ``local`` says whether a client
    can decide it before any network call (``list_not_found`` cannot: it depends
    on the account).  ``retryable`` is true for 429 and 5xx.
    """

    code: str
    status: int
    message: str
    category: str
    local: bool
    description: str = ""
    wordings: Mapping[str, str] = field(default_factory=dict)
    source: str = "error-codes"

    def __reduce__(self) -> tuple[object, ...]:
        """One entry per code (compared by identity): a pickled entry is the catalog's."""
        return (get, (self.code,))

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500

    def message_for(self, wording: str | None = None, detail: str | None = None) -> str:
        """The text, in ``wording`` when the code has one by that name, with ``…`` filled."""
        text = self.wordings.get(wording, self.message) if wording else self.message
        if detail is not None and "…" in text:
            text = text.replace("…", detail)
        return text


_ROWS: list[CodeInfo] = []


def _c(
    code: str,
    status: int,
    message: str,
    category: str,
    local: bool,
    description: str = "",
    *,
    wordings: Mapping[str, str] | None = None,
    source: str = "error-codes",
) -> None:
    _ROWS.append(
        CodeInfo(
            code=code,
            status=status,
            message=message,
            category=category,
            local=local,
            description=description,
            wordings=MappingProxyType(dict(wordings or {})),
            source=source,
        )
    )


LOCAL, SERVER = True, False  # the ``local`` column: checkable before any network call, or not

# --- Authentication (401) -------------------------------------------------------
_c("missing_api_key", 401, "API key required", "auth", LOCAL, "The X-Api-Key header was not included.")
_c("invalid_api_key", 401, "Invalid API key", "auth", LOCAL,
   "Key unknown, revoked or malformed (format trk_ + 32 alphanumerics). Locally: format only.")
_c("unauthorized", 401, "API key is missing or invalid", "auth", SERVER,
   "Endpoint pages' name for the two codes above; parsed from responses, never raised locally.",
   source="endpoint pages")

# --- General validation ------------------------------------------------------------
_c("not_found", 404, "Resource not found", "not_found", SERVER, "The referenced resource does not exist.")
_c("confirm_required", 400, "confirm must be true", "validation", LOCAL,
   "A destructive operation requires confirm: true.")

# --- Send / message validation --------------------------------------------------------
_c("missing_to", 400, "to is required", "validation", LOCAL, "The recipient was not provided.",
   wordings={"v1": "Recipient phone number (to_msisdn) is required"})
_c("missing_list_number", 400, "list_number is required", "validation", LOCAL,
   "The sending list's phone number was not provided.")
_c("missing_body", 400, "body is required", "validation", LOCAL, "The message body was not provided.",
   wordings={"v1": "Message body is required"})
_c("invalid_phone", 400, "Invalid recipient phone number format", "validation", LOCAL,
   "A phone number is not valid E.164.",
   wordings={"e164": "Invalid E.164 phone number format", "v1": "Invalid phone number format"})
_c("invalid_list_number", 400, "Invalid list_number E.164 format", "validation", LOCAL,
   "The list_number is not valid E.164.")
_c("missing_from", 400, "from is required", "validation", LOCAL,
   "The sending number/list (from, from_phone_number_id) was not provided.",
   wordings={"v1": "Sending number ID (from_phone_number_id) is required"})
_c("missing_to_number", 400, "to_number is required", "validation", LOCAL,
   "to_number missing on a history send record.")
_c("missing_phones", 400, "phones array is required and must be non-empty", "validation", LOCAL,
   "Batch phone validation without phones.")
_c("invalid_force", 400, "force must be a boolean", "validation", LOCAL,
   "force is not a strict JSON boolean (\"true\" and 1 are rejected).")
_c("invalid_channel", 400, "channel must be one of: sms, voice, auto", "validation", LOCAL,
   "The OTP channel is not one of the allowed options.")
_c("missing_consent_method", 400, "consent_method is required", "validation", LOCAL,
   "Contacts without consent_method; raised only with Options(require_consent_method=True) (inferred).")
_c("invalid_consent_method", 400, "Invalid consent_method", "validation", LOCAL,
   "consent_method outside the inferred vocabulary 'consent_method' (allowed values undocumented).")
_c("verbal_not_valid_for_marketing", 400, "Verbal consent not valid for marketing", "validation", LOCAL,
   "consent_method verbal on a contact opted into marketing (inferred fields: marketing, consent_type).")
_c("missing_messages", 400, "messages array is required", "validation", LOCAL,
   "A bulk send without messages (absent; empty is treated the same).",
   wordings={"v1": "Messages array is required"})
_c("list_not_found", 400, "Sending list not found for this list_number", "validation", SERVER,
   "No sending list for this list_number on the account.",
   wordings={"v1": "Sending number not found"})
_c("webhook_not_configured", 400, "Webhook verification required before sending", "validation", SERVER,
   "The BYOC list has not completed webhook verification.")

# --- Phone number validation --------------------------------------------------------------
_c("missing_phone_number", 400, "phone_number is required", "validation", LOCAL,
   "The phone_number field was not provided.")
_c("missing_phone", 400, "phone number is required", "validation", LOCAL,
   "The phone field was not provided (single-number validation).")
_c("phone_type_blocked", 403, "Phone type blocked by account settings", "forbidden", SERVER,
   "OTP recipient's line type is blocked by the account's OTP settings.")

# --- Generic input validation --------------------------------------------------------------
_c("invalid_input", 400, "Invalid input", "validation", LOCAL,
   "The payload could not be parsed or has an invalid structure (wrong JSON type).")
_c("missing_fields", 400, "Required fields missing", "validation", SERVER,
   "One or more required fields are absent.")
_c("missing_id", 400, "id is required", "validation", LOCAL, "A resource identifier was not provided.")
_c("missing_url", 400, "url is required", "validation", SERVER, "A url field was not provided.")
_c("missing_url_or_offer", 400, "url or offer_id is required", "validation", LOCAL,
   "Neither a raw URL nor an offer reference was provided.")
_c("invalid_url", 400, "Invalid URL", "validation", LOCAL, "The URL is malformed or cannot be parsed.")
_c("invalid_url_scheme", 400, "URL scheme must be http or https", "validation", LOCAL,
   "The URL uses an unsupported scheme.")
_c("unsafe_url", 400, "Unsafe URL", "validation", SERVER, "The URL's domain is on the carrier-safety blocklist.")
_c("url_too_long", 400, "URL exceeds maximum length", "validation", SERVER,
   "No per-endpoint URL maximum is documented; not raised locally.")
_c("field_too_long", 400, "Field exceeds maximum length", "validation", SERVER,
   "A string exceeds its per-endpoint character cap.")
_c("too_long", 400, "Value too long", "validation", SERVER, "Generic length-cap violation.")
_c("invalid_metadata", 400, "Invalid metadata", "validation", LOCAL, "metadata is not a valid object.")
_c("metadata_too_large", 400, "Metadata exceeds maximum size", "validation", LOCAL,
   "metadata exceeds the per-endpoint byte cap.")
_c("invalid_ip_address", 400, "Invalid IP address", "validation", LOCAL, "Not a valid IPv4 or IPv6 address.")
_c("invalid_timestamp", 400, "Invalid timestamp", "validation", LOCAL, "The timestamp cannot be parsed.")
_c("mutually_exclusive", 400, "Mutually exclusive fields provided", "validation", SERVER,
   "Two fields that may not coexist were both provided.")
_c("payload_too_large", 413, "Payload exceeds size limit", "limit", LOCAL,
   "The request body exceeds 5 MB (or one contact exceeds 4,000 bytes).")
_c("required", 400, "Field is required", "validation", SERVER,
   "Generic required-field violation; the text names the field.")
_c("validation_failed", 400, "Validation failed", "validation", SERVER,
   "Generic compound-rule rejection (contacts: use_validation disposition invalid/unreachable).")

# --- Creative validation -----------------------------------------------------------------------
_c("missing_name", 400, "name is required", "validation", LOCAL, "The name was not provided.")
_c("missing_message", 400, "message is required", "validation", LOCAL, "The message was not provided.")
_c("missing_offer_links", 400, "offer_links is required", "validation", LOCAL,
   "offer_links absent (or empty) for a creative that uses link placeholders.")
_c("name_too_long", 400, "name must be 255 characters or less", "validation", LOCAL,
   "The name exceeds 255 characters.")
_c("message_too_long", 400, "message must be 1600 characters or less", "validation", LOCAL,
   "The message exceeds 1600 characters.")
_c("invalid_status", 400, "status must be one of: …", "validation", LOCAL, "status is not a valid option.")
_c("invalid_creative_type", 400, "creative_type must be one of: …", "validation", LOCAL,
   "creative_type is not a valid option.")
_c("missing_link_placeholder", 400, "message must contain at least one {{linkN}} placeholder",
   "validation", LOCAL, "The message has no {{linkN}} placeholder.")
_c("missing_offer_links_for_placeholders", 400, "Missing offer_links for placeholders: …", "validation", LOCAL,
   "A {{linkN}} placeholder has no offer_links entry with that key.")
_c("missing_offer_link_key", 400, "offer_link key is required", "validation", LOCAL,
   "An offer_links entry lacks key.")
_c("missing_offer_link_offer_id", 400, "offer_link offer_id is required", "validation", LOCAL,
   "An offer_links entry lacks offer_id.")
_c("offer_not_found", 400, "Offer not found: …", "validation", SERVER,
   "The referenced offer does not exist in the account.")

# --- Contact validation ------------------------------------------------------------------------
_c("missing_contacts", 400, "contacts array is required", "validation", LOCAL,
   "A bulk contact request without contacts.")
_c("missing_records", 400, "records array is required", "validation", LOCAL,
   "A bulk import without records.")

# --- Audience validation -----------------------------------------------------------------------
_c("missing_filter", 400, "filter is required", "validation", LOCAL, "The audience filter was not provided.")
_c("missing_audiences", 400, "audiences is required", "validation", LOCAL, "The audiences array was not provided.")
_c("empty_filter_group", 400, "Filter group cannot be empty", "validation", LOCAL,
   "A filter group with neither conditions nor groups.")
_c("invalid_condition_type", 400, "Invalid condition type", "validation", LOCAL,
   "The condition_type is not a recognised value.")
_c("invalid_audience_id", 400, "Invalid audience ID", "validation", LOCAL,
   "An audience ID is not a valid ObjectId (24 hex characters).")
_c("invalid_time_field", 400, "Invalid time field", "validation", LOCAL, "Time condition field is not valid.")
_c("invalid_time_operator", 400, "Invalid time operator", "validation", LOCAL,
   "Time condition operator is not valid.")
_c("invalid_time_unit", 400, "Invalid time unit", "validation", LOCAL,
   "Time condition unit is not valid (the union of documented units is accepted).")
_c("missing_time_value", 400, "Time value is required", "validation", LOCAL,
   "Time condition is missing value or unit.")
_c("invalid_count_field", 400, "Invalid count field", "validation", LOCAL, "Count condition field is not valid.")
_c("invalid_count_operator", 400, "Invalid count operator", "validation", LOCAL,
   "Count condition operator is not valid.")
_c("missing_count_value", 400, "Count value is required", "validation", LOCAL, "Count condition is missing value.")
_c("invalid_revenue_field", 400, "Invalid revenue field", "validation", LOCAL,
   "Revenue condition field is not valid.")
_c("invalid_revenue_operator", 400, "Invalid revenue operator", "validation", LOCAL,
   "Revenue condition operator is not valid.")
_c("missing_revenue_value", 400, "Revenue value is required", "validation", LOCAL,
   "Revenue condition is missing value.")
_c("missing_revenue", 400, "revenue is required", "validation", LOCAL,
   "revenue was not provided on a record-revenue call.")
_c("invalid_revenue", 400, "Invalid revenue", "validation", LOCAL, "revenue is not a non-negative number.")
_c("invalid_carrier_operator", 400, "Invalid carrier operator", "validation", LOCAL,
   "Carrier condition operator is not valid.")
_c("missing_carrier_value", 400, "Carrier value is required", "validation", LOCAL,
   "Carrier condition is missing value.")
_c("invalid_phone_numbers_operator", 400, "Invalid phone_numbers operator", "validation", LOCAL,
   "phone_numbers condition operator is not valid.")
_c("missing_phone_numbers_value", 400, "phone_numbers value is required", "validation", LOCAL,
   "phone_numbers condition is missing its array of values.")
_c("invalid_timezone_operator", 400, "Invalid timezone operator", "validation", LOCAL,
   "Timezone condition operator is not valid.")
_c("missing_timezone_value", 400, "Timezone value is required", "validation", LOCAL,
   "Timezone condition is missing value.")
_c("invalid_custom_field_operator", 400, "Invalid custom field operator", "validation", LOCAL,
   "Custom field condition operator is not valid.")
_c("missing_custom_field_name", 400, "custom field name is required", "validation", LOCAL,
   "Custom field condition is missing field.")
_c("missing_custom_field_value", 400, "custom field value is required", "validation", LOCAL,
   "Custom field condition is missing value.")
_c("missing_custom_fields", 400, "custom_fields are required", "validation", LOCAL,
   "The custom_fields object is required for this operation.")
_c("invalid_custom_fields", 400, "Invalid custom_fields", "validation", LOCAL,
   "custom_fields is not a JSON object of string/number/boolean values.")
_c("invalid_group_operator", 400, "Invalid group operator", "validation", LOCAL,
   "A filter group operator is not AND or OR.")
_c("invalid_entities", 400, "Invalid entities", "validation", LOCAL,
   "entities contains values other than sends, clicks, revenue.")
_c("missing_entities", 400, "entities is required", "validation", LOCAL,
   "entities was not provided to history/clear.")
_c("invalid_events", 400, "Invalid events", "validation", SERVER, "events contains unrecognised event names.")

# --- Schedule validation -------------------------------------------------------------------------
_c("missing_send_type", 400, "send_type is required", "validation", LOCAL, "send_type was not provided.")
_c("invalid_send_type", 400, "Invalid send_type", "validation", LOCAL, "send_type is not blast or automated.")
_c("missing_send_date", 400, "send_date is required", "validation", LOCAL, "One-time schedule without send_date.")
_c("missing_send_time", 400, "send_time is required", "validation", LOCAL, "send_time (HH:MM) was not provided.")
_c("missing_start_date", 400, "start_date is required", "validation", LOCAL,
   "Repeating schedule without start_date.")
_c("missing_end_date", 400, "end_date is required", "validation", LOCAL, "Repeating schedule without end_date.")
_c("missing_is_repeating", 400, "is_repeating is required", "validation", LOCAL, "is_repeating was not provided.")
_c("no_days_selected", 400, "At least one day of week must be selected", "validation", LOCAL,
   "A repeating schedule has no days_of_week enabled.")
_c("missing_blasts", 400, "blasts is required", "validation", LOCAL, "A blast schedule without blasts.")
_c("missing_blast_message", 400, "Each blast must have a message", "validation", LOCAL,
   "A blast variant without a message.")
_c("invalid_blast_percent", 400, "Invalid blast percent", "validation", LOCAL,
   "A percent_audience is invalid or the percents do not sum to 100.")
_c("schedule_complete", 400, "Schedule is already complete", "validation", SERVER,
   "The schedule has finished and cannot be edited.")
_c("source_list_not_found", 400, "Source list not found", "validation", SERVER,
   "A source_lists ID does not match a list on the account.")
_c("audience_not_found", 404, "One or more audience IDs do not exist or are not active.", "not_found", SERVER,
   "An audience ID is unknown or not active.", source="campaigns.md")

# --- Offer / partnership offer validation --------------------------------------------------------
_c("missing_offer_id", 400, "offer_id is required", "validation", LOCAL, "offer_id was not provided.")
_c("invalid_offer_id", 400, "Invalid offer_id", "validation", SERVER, "The offer ID could not be parsed.")
_c("invalid_offer_link_offer_id", 400, "Invalid offer_link offer_id", "validation", SERVER,
   "An offer_links entry references an invalid offer ID (offer ID format undocumented).")
_c("invalid_offer_links", 400, "Invalid offer_links", "validation", LOCAL, "The offer_links array is malformed.")
_c("invalid_payout_type", 400, "payout_type must be one of: cpa, cpc", "validation", LOCAL,
   "payout_type is not cpa or cpc.")
_c("missing_attribution_type", 400, "attribution_type is required", "validation", LOCAL,
   "Revenue attribution_type was not provided.")
_c("invalid_attribution_type", 400, "Invalid attribution_type", "validation", LOCAL,
   "attribution_type is not sale, click or send.")
_c("invalid_external_platform", 400, "Invalid external_platform", "validation", LOCAL,
   "external_platform is not tune, everflow or null.")

# --- List / contact / resource errors ------------------------------------------------------------
_c("contact_not_found", 400, "Contact not found", "validation", SERVER,
   "The contact does not exist for this account.")
_c("list_contact_not_found", 400, "List contact not found", "validation", SERVER,
   "The contact is not subscribed to the list.")
_c("message_not_found", 400, "Message not found", "validation", SERVER,
   "The message ID matches no message on the account.")
_c("missing_message_id", 400, "message_id is required", "validation", LOCAL, "message_id was not provided.")
_c("missing_list_identifier", 400, "list_id or list_number is required", "validation", LOCAL,
   "Neither list identifier was provided.")
_c("missing_tracking_url", 400, "tracking_url is required", "validation", LOCAL,
   "The offer's tracking_url was not provided.")
_c("missing_timestamp", 400, "timestamp is required", "validation", LOCAL, "timestamp was not provided.")
_c("id_collision", 409, "ID collision", "conflict", SERVER,
   "A client-supplied or generated ID collides with an existing record.")
_c("already_active", 409, "Already active", "conflict", SERVER, "The record is already active.")
_c("voice_not_enabled", 400, "Voice channel not enabled", "validation", SERVER,
   "The OTP voice channel is not enabled for this account.")
_c("otp_not_active", 400, "OTP not active", "validation", SERVER, "The OTP session expired or is not active.")
_c("invalid_code", 400, "Invalid code", "validation", SERVER, "The OTP code does not match.")
_c("not_sendable", 400, "Phone number failed carrier validation", "validation", LOCAL,
   "Carrier validation failed or the number is a rejected VOIP number (locally: Options.block_voip).",
   source="audiences-contacts.md")

# --- Resource limits (413) ------------------------------------------------------------------------
_c("too_many_messages", 413, "Maximum 1000 messages per request", "limit", LOCAL,
   "More than 1,000 messages in a bulk send.")
_c("too_many_contacts", 413, "Maximum 1000 contacts per request", "limit", LOCAL,
   "More than 1,000 contacts in a bulk contact request.")
_c("too_many_contacts_with_validation", 413, "Maximum reduced when use_validation=true", "limit", LOCAL,
   "More contacts than Options.validation_cap with use_validation=true (the cap is undocumented; off by default).")
_c("too_many_records", 413, "Maximum 1000 records per request", "limit", LOCAL,
   "More than 1,000 records in a bulk import.")
_c("too_many_phones", 413, "Maximum 500 phones per request", "limit", LOCAL,
   "More than 500 phones in a batch validation.")

# --- Billing (402) ----------------------------------------------------------------------------------
for _code, _text in (
    ("no_billing_config", "No billing configuration"),
    ("no_payment_method", "No payment method on file"),
    ("payment_failed", "Most recent payment failed"),
    ("suspended", "Billing suspended"),
):
    _c(_code, 402, _text, "billing", SERVER,
       "Phone validation needs an active payment method (text not documented; description used).",
       source="messaging.md")

# --- Forbidden (403) --------------------------------------------------------------------------------
_c("product_not_enabled", 403, "{PRODUCT} product not enabled for this account", "forbidden", SERVER,
   "The endpoint's product is not enabled; real code follows {product}_not_enabled.")
_c("billing_blocked", 403, "Billing blocked", "forbidden", SERVER, "Outstanding billing problem.")
_c("fraud_blocked", 403, "Account flagged for fraud review", "forbidden", SERVER, "Fraud-review hold.")
_c("geo_restricted", 403, "Geographic restriction", "forbidden", LOCAL,
   "The recipient country is not enabled (locally: Options.allowed_countries).")

# --- Conflict (409) -----------------------------------------------------------------------------------
_c("no_domain_configured", 409, "No link domain configured for this list", "conflict", SERVER,
   "The list has no link-shortener domain.")

# --- Rate limits (429) --------------------------------------------------------------------------------
_c("rate_limited", 429, "Rate limit exceeded", "rate_limit", SERVER, "Per-account or upstream rate limit.")
_c("daily_cap_exceeded", 429, "Daily send cap exceeded", "rate_limit", SERVER, "24-hour send cap reached.")
_c("cooling_off", 429, "Cooling-off period in effect", "rate_limit", SERVER, "Recipient in a cooling-off window.")
_c("limit_reached", 429, "Limit reached", "rate_limit", SERVER, "A quota has been exhausted.")

# --- Server (5xx) ---------------------------------------------------------------------------------------
_c("send_failed", 500, "Send failed", "server", SERVER, "The send pipeline failed.")
_c("save_error", 500, "Save error", "server", SERVER, "A datastore write failed.")
_c("queue_failed", 500, "Queue failed", "server", SERVER, "Send-queue insertion failed.")
_c("internal_error", 500, "Internal error", "server", SERVER, "Contacts endpoints' generic failure.",
   source="audiences-contacts.md")
_c("server_error", 500, "Server error", "server", SERVER, "Offers endpoints' generic failure.",
   source="campaigns.md")
_c("provider_sync_failed", 502, "Provider sync failed", "server", SERVER, "Upstream provider sync failed.")
_c("provider_error", 503, "Provider unavailable", "server", SERVER, "An upstream provider is unavailable.")
_c("redis_unavailable", 503, "Redis unavailable", "server", SERVER, "Redis is unreachable.")
_c("circuit_open", 503, "Circuit breaker open", "server", SERVER, "A subsystem circuit breaker is open.")

del _code, _text

#: code -> CodeInfo, in documentation order.
CATALOG: Mapping[str, CodeInfo] = MappingProxyType({row.code: row for row in _ROWS})
if len(CATALOG) != len(_ROWS):  # pragma: no cover - guards the table itself
    raise RuntimeError("duplicate code in the catalog")


class _Codes:
    """Attribute access to catalog entries: ``C.missing_to`` (typos fail at import)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> CodeInfo:
        try:
            return CATALOG[name]
        except KeyError:
            raise AttributeError(f"unknown Trackly error code: {name!r}") from None

    def __dir__(self) -> list[str]:
        return list(CATALOG)


C = _Codes()


def get(code: str) -> CodeInfo:
    """The catalog entry for ``code`` (KeyError if the API documents no such code)."""
    return CATALOG[code]


def message_for(code: str, wording: str | None = None, detail: str | None = None) -> str:
    return CATALOG[code].message_for(wording, detail)


def codes() -> Iterator[CodeInfo]:
    return iter(CATALOG.values())


def local_codes() -> frozenset[str]:
    """Codes a client can decide without the server."""
    return frozenset(c.code for c in CATALOG.values() if c.local)


_BY_MESSAGE: dict[str, str] = {}
for _row in _ROWS:
    for _text in (_row.message, *_row.wordings.values()):
        _BY_MESSAGE.setdefault(_text.casefold(), _row.code)
del _row, _text


def by_message(text: str) -> str | None:
    """The code whose documented text is exactly ``text`` (case-insensitive), if any."""
    return _BY_MESSAGE.get(text.strip().casefold())
