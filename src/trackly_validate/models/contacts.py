"""Contacts: POST /v2/contacts (upsert), PUT /v2/contacts (custom fields),
DELETE /v2/contacts (unsubscribe), POST /v2/contacts/bulk (audiences-contacts reference).

Documented rules:

- ``phone_number`` and ``list_number`` required and E.164 (``missing_phone_number``,
  ``missing_list_number``, ``invalid_phone`` "Invalid E.164 phone number format",
  ``invalid_list_number``) on every endpoint.  On POST the contact's number is a
  recipient (``Options.block_voip`` → ``not_sendable``, as the bulk table documents;
  ``Options.allowed_countries`` → ``geo_restricted``); on PUT and DELETE only its
  format is checked (updating or unsubscribing a contact sends nothing).
- ``custom_fields`` a JSON object of string/number/boolean values, else
  ``invalid_custom_fields`` (documented on PUT; used on POST too, inferred: the create
  page's own table is unreadable).  ``null`` values and nested objects are refused, as
  the update page lists the value types.  On PUT it is required
  (``missing_custom_fields``): absent or ``null`` is missing, but ``{}`` is accepted
  (with ``merge_fields: false`` it clears the fields, a legitimate request).
- One contact object over 4,000 bytes of compact JSON → ``payload_too_large`` (413): on
  POST /v2/contacts the whole body, on /bulk each item (loc ``("contacts", i)``; the
  item's other fields are then not read).  Not applied to PUT/DELETE.
- ``ip_address`` IPv4/IPv6 (``invalid_ip_address``), ``signup_date`` ISO 8601
  (``invalid_timestamp``), ``url`` http(s) (``invalid_url``/``invalid_url_scheme``),
  booleans lax (``invalid_input``).
- /bulk: ``contacts`` 1..1000 (``missing_contacts``; 413 ``too_many_contacts``); item
  problems carry the index, and ``tv.partition`` echoes ``phone_number``.

Inferred and switchable (registered, off or lenient by default):

- ``consent_method``, when present, must be in the inferred ``consent_method``
  vocabulary (``rules/vocabularies.py``, case-insensitive) → ``invalid_consent_method``.
- ``consent_method: "verbal"`` on a contact opted into marketing →
  ``verbal_not_valid_for_marketing`` at ``("consent_method",)``.  "Opted into
  marketing" is read from the inferred fields ``marketing: true`` or
  ``consent_type: "marketing"``; without them verbal consent passes (no field says a
  contact is for marketing, and refusing every verbal contact could refuse
  transactional ones the server accepts).
- ``missing_consent_method`` only with ``Options(require_consent_method=True)``: no
  documented example carries the field.
- ``Options(validation_cap=N)`` (off by default: the docs give no number): more than N
  contacts in one /bulk request while any has ``use_validation: true`` (a JSON
  ``true``) → 413 ``too_many_contacts_with_validation`` at ``("contacts",)``.

``ad_network_id`` (named only by the CSV doc), ``consent_type`` and ``marketing`` are
declared but not type-checked; every other unknown key is kept, as everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Callable, TypeAlias

from pydantic import StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic_core import core_schema as cs

from trackly_validate.core.catalog import C
from trackly_validate.core.options import Options
from trackly_validate.rules.base import ABSENT, Coded, ItemsCap, MaxBytes, Required, Rule, TracklyModel, fail, presence_schema, tagged
from trackly_validate.rules.ip import IpAddress
from trackly_validate.rules.phones import Phone
from trackly_validate.rules.timestamps import Timestamp
from trackly_validate.rules.types import Bool, Str
from trackly_validate.rules.urls import HttpUrl
from trackly_validate.rules.vocabularies import VOCABULARIES
from trackly_validate.rules.schema import add_rule, caseless, when

__all__ = [
    "CustomFields",
    "UpsertContact",
    "BulkContact",
    "BulkCreateContacts",
    "UpdateContactFields",
    "UnsubscribeContact",
]


MAX_CONTACT_BYTES = 4000

#: ``custom_fields``: an object of string/number/boolean values (the update page), else
#: ``invalid_custom_fields`` at the field's loc.  Checked in Rust.
CustomFields = Annotated[dict[str, StrictStr | StrictInt | StrictFloat | StrictBool],
                         Coded(C.invalid_custom_fields)]

PhoneNumber = Annotated[str, Phone(C.invalid_phone, "e164"), Required(C.missing_phone_number)]
KnownPhoneNumber = Annotated[str, Phone(C.invalid_phone, "e164", role="sender"), Required(C.missing_phone_number)]
ListNumber = Annotated[str, Phone(C.invalid_list_number, role="sender"), Required(C.missing_list_number)]


# --- consent ---------------------------------------------------------------------------------------------

def _for_marketing(data: dict[str, Any]) -> bool:
    kind = data.get("consent_type")
    return data.get("marketing") is True or (isinstance(kind, str) and kind.lower() == "marketing")


def _verbal_not_for_marketing(schema: dict[str, Any]) -> None:
    """:class:`_VerbalRule` as JSON Schema: not verbal consent on a marketing contact."""
    add_rule(schema, {"not": {"allOf": [
        when("consent_method", {"type": "string", "pattern": caseless("verbal", fold="lower")}),
        {"anyOf": [when("marketing", {"const": True}),
                   when("consent_type", {"type": "string", "pattern": caseless("marketing", fold="lower")})]}]}})


class _VerbalRule(Rule):
    codes = (C.verbal_not_valid_for_marketing.code,)

    def __init__(self, inner: cs.CoreSchema):
        self.inner = inner

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return self.inner
        error = fail(C.verbal_not_valid_for_marketing)

        def check(method: Any, validation: cs.ValidationInfo) -> Any:
            if isinstance(method, str) and method.lower() == "verbal" and _for_marketing(validation.data):
                raise error
            return method

        return cs.with_info_after_validator_function(check, self.inner)


class _ConsentRequiredRule(Rule):
    codes = (C.missing_consent_method.code,)

    def __init__(self, inner: cs.CoreSchema):
        self.inner = inner

    def build(self, options: Options) -> cs.CoreSchema:
        if options.require_consent_method and not self.is_disabled(options):
            return cs.chain_schema([presence_schema(C.missing_consent_method), self.inner])
        return cs.nullable_schema(self.inner)


class _Consent:
    """Marker for ``consent_method``: verbal-for-marketing, then (optionally) required.
    Python runs only when the field is present (``null`` short-circuits in Rust)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_ConsentRequiredRule(tagged(_VerbalRule(handler(source)))))


if TYPE_CHECKING:  # the vocabulary's type is built from its row at import; the field may be absent
    ConsentMethod: TypeAlias = str | None
else:
    ConsentMethod = Annotated[VOCABULARIES["consent_method"].type, _Consent()]


# --- the 4,000-byte contact ---------------------------------------------------------------------------------

class _ContactSized(TracklyModel):
    """Base whose own schema is capped at 4,000 bytes of compact JSON (``payload_too_large``)."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> cs.CoreSchema:
        return MaxBytes(C.payload_too_large, MAX_CONTACT_BYTES).__get_pydantic_core_schema__(source, handler)


class UpsertContact(_ContactSized):
    """POST /v2/contacts: create or update a contact on a sending list (upsert)."""

    phone_number: PhoneNumber = ABSENT
    list_number: ListNumber = ABSENT
    use_journeys: Bool | None = None
    skip_journey_if_exists: Bool | None = None
    signup_date: Timestamp | None = None
    ip_address: IpAddress | None = None
    url: HttpUrl | None = None
    custom_fields: CustomFields | None = None
    replace_custom_fields: Bool | None = None
    ad_network_source: Str | None = None
    ad_network_id: Any = None
    use_validation: Bool | None = None
    consent_type: Any = None
    marketing: Any = None
    consent_method: ConsentMethod = None
    __trackly_json_schema__ = staticmethod(_verbal_not_for_marketing)


class BulkContact(UpsertContact):
    """One item of POST /v2/contacts/bulk ("follows the same schema"), 4,000 bytes at most."""


class _ValidationCapRule(Rule):
    codes = (C.too_many_contacts_with_validation.code,)

    def __init__(self, inner: cs.CoreSchema):
        self.inner = inner

    def build(self, options: Options) -> cs.CoreSchema:
        cap = options.validation_cap
        if cap is None or self.is_disabled(options):
            return self.inner
        error = fail(C.too_many_contacts_with_validation)

        def check(contacts: Any) -> Any:
            if isinstance(contacts, list) and len(contacts) > cap and any(
                    isinstance(c, dict) and c.get("use_validation") is True for c in contacts):
                raise error
            return contacts

        return cs.no_info_before_validator_function(check, self.inner)


class _ValidationCap:
    """Marker for /bulk ``contacts``: ``Options.validation_cap`` (see the module docstring)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_ValidationCapRule(handler(source)))


class BulkCreateContacts(TracklyModel):
    """POST /v2/contacts/bulk: 1 to 1,000 contacts, each checked on its own (the
    server accepts the good ones); an empty array is ``missing_contacts``."""

    contacts: Annotated[
        list[BulkContact],
        _ValidationCap(),
        ItemsCap(C.too_many_contacts, 1000, type_info=C.missing_contacts),
        Required(C.missing_contacts),
    ] = ABSENT


class UpdateContactFields(TracklyModel):
    """PUT /v2/contacts: set a contact's custom fields on one list (``merge_fields``
    defaults to true; false replaces the whole object)."""

    phone_number: KnownPhoneNumber = ABSENT
    list_number: ListNumber = ABSENT
    custom_fields: Annotated[CustomFields, Required(C.missing_custom_fields, empty_is_missing=False)] = ABSENT
    merge_fields: Bool | None = None


class UnsubscribeContact(TracklyModel):
    """DELETE /v2/contacts (JSON body): unsubscribe a contact from one list.  The server
    answers success even for unknown contacts or lists, so only the format is checked."""

    phone_number: KnownPhoneNumber = ABSENT
    list_number: ListNumber = ABSENT
