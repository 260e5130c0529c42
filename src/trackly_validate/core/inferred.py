"""The inferred rules: one static registry of every local rule the docs do not state.

Some rules are not written in the API's docs but read from examples or neighbouring pages
(marked **I** in the spec).  Each is listed here once - the code it raises, where it
applies and why it is inferred - so ``tv.INFERRED_RULES`` is complete right after
``import trackly_validate``, whatever has loaded since; ``Options(disable={...})`` switches
any of them off (docs/decisions.md has the reasoning at length).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from trackly_validate.core.catalog import C, CodeInfo

__all__ = ["InferredRule", "INFERRED", "INFERRED_RULES"]


@dataclass(frozen=True, slots=True)
class InferredRule:
    """A local rule the docs do not state: the ``code`` it raises, ``where`` it applies."""

    code: CodeInfo
    where: str
    why: str


#: Every inferred rule, grouped by where it applies.
INFERRED: tuple[InferredRule, ...] = (
    InferredRule(C.missing_messages, 'bulk sends',
                 "an empty messages array is treated as missing (v2 docs only say 'not provided'; v1 and "
                 "phone batch say 'missing or empty')"),
    InferredRule(C.invalid_channel, 'OTP endpoints',
                 "the OTP endpoints have no reference page; only the error-code page names channel's "
                 'values'),
    InferredRule(C.invalid_input, 'every endpoint: wrong JSON types',
                 'type checks (a number where a string is documented, etc.) use the generic code; the docs'
                 ' do not say which code a wrong JSON type gets'),
    InferredRule(C.invalid_phone, 'phone fields',
                 'an empty string counts as missing, a non-string as invalid_phone (docs silent on both); '
                 'on /v1/phone/validate the code for an unparseable number is read from the batch example'),
    InferredRule(C.missing_phone, 'POST /v1/phone/validate',
                 'the /v1/phone/validate error table was not visible; the code comes from the error-code '
                 'page'),
    InferredRule(C.metadata_too_large, 'OTP endpoints',
                 'the OTP metadata cap (1,024 bytes) is mentioned in passing, not on an OTP reference page'),
    InferredRule(C.missing_list_number, 'sending',
                 'a top-level list_number is accepted as the default for messages without one (the API '
                 "Limits page's bulk example); also applied to /v2/send-raw/bulk"),
    InferredRule(C.invalid_channel, 'OTP',
                 'OTP endpoints have no reference page: every OTP rule is inferred'),
    InferredRule(C.invalid_phone, 'OTP',
                 'OTP endpoints have no reference page: every OTP rule is inferred'),
    InferredRule(C.invalid_metadata, 'OTP',
                 'OTP endpoints have no reference page: every OTP rule is inferred'),
    InferredRule(C.metadata_too_large, 'OTP',
                 'OTP endpoints have no reference page: every OTP rule is inferred'),
    InferredRule(C.invalid_offer_links, 'offer_links and blast URLs',
                 "the docs say only 'the offer_links array is malformed': used for a non-array, an entry "
                 'that is not an object, a non-string key/offer_id and a url_params that is not an object'),
    InferredRule(C.invalid_url_scheme, 'offer_links and blast URLs',
                 'offer_links[].url and blasts[].mms_image_url: no format rule is documented'),
    InferredRule(C.invalid_url, 'offer_links and blast URLs',
                 'offer_links[].url and blasts[].mms_image_url: no format rule is documented'),
    InferredRule(C.invalid_audience_id, 'ObjectId fields and the audience path id',
                 'audience IDs are 24 hex characters in every example; the format is never stated; checked'
                 ' on schedule audiences and the audience path id'),
    InferredRule(C.invalid_blast_percent, 'schedules',
                 'a blast without percent_audience counts 0 towards the sum of 100 (the spec marks the '
                 'field required by inference)'),
    InferredRule(C.missing_offer_links_for_placeholders, 'schedules',
                 "schedule blasts: the creatives' rule is applied to each blast against its own "
                 'offer_links (the schedule pages document no placeholder codes)'),
    InferredRule(C.missing_blasts, 'schedules',
                 'an empty blasts array counts as missing'),
    InferredRule(C.no_days_selected, 'schedules',
                 'on create, a repeating schedule without days_of_week has no day selected'),
    InferredRule(C.missing_name, 'offers',
                 "POST /v2/offers: the create page's error table was not stored"),
    InferredRule(C.missing_tracking_url, 'offers',
                 "POST /v2/offers: the create page's error table was not stored; the code comes from the "
                 'error-code page'),
    InferredRule(C.invalid_url_scheme, 'offers',
                 "offers tracking_url: the page says only 'must be a valid URL'"),
    InferredRule(C.invalid_url, 'offers',
                 "offers tracking_url: the page says only 'must be a valid URL'"),
    InferredRule(C.invalid_metadata, 'offers',
                 "offers metadata: 'keys and values must be strings' is documented, the code for a "
                 'violation is not'),
    InferredRule(C.missing_offer_id, 'links',
                 'POST /v2/links: its error table was not stored; offerId or externalOfferId is required'),
    InferredRule(C.missing_list_identifier, 'links',
                 'POST /v2/links: its error table was not stored'),
    InferredRule(C.invalid_phone, 'links',
                 'POST /v2/links phoneNumber and /v2/links/shorten contactPhone: E.164 is documented, the '
                 'code is not'),
    InferredRule(C.missing_message_id, 'revenue',
                 "POST /v2/revenue: its error table was not stored; the bulk page's per-record codes are "
                 'used'),
    InferredRule(C.missing_revenue, 'revenue',
                 "POST /v2/revenue: its error table was not stored; the bulk page's per-record codes are "
                 'used'),
    InferredRule(C.missing_attribution_type, 'revenue',
                 "POST /v2/revenue: its error table was not stored; the bulk page's per-record codes are "
                 'used'),
    InferredRule(C.invalid_revenue, 'revenue',
                 "POST /v2/revenue: its error table was not stored; the bulk page's per-record codes are "
                 'used'),
    InferredRule(C.invalid_attribution_type, 'revenue',
                 "POST /v2/revenue: its error table was not stored; the bulk page's per-record codes are "
                 'used'),
    InferredRule(C.invalid_timestamp, 'revenue',
                 'revenue timestamp: ISO 8601 is documented, the code is not'),
    InferredRule(C.invalid_revenue, 'history imports',
                 'POST /v2/history/revenue: revenue is documented as a number, the code for a non-number '
                 'is not'),
    InferredRule(C.missing_entities, 'history imports',
                 "DELETE /v2/history/clear: the page's error table was not stored; an empty array counts "
                 'as missing'),
    InferredRule(C.invalid_entities, 'history imports',
                 "DELETE /v2/history/clear: the page's error table was not stored"),
    InferredRule(C.invalid_timestamp, 'history imports',
                 'history before_date: ISO 8601 is documented, the code is not'),
    InferredRule(C.invalid_timestamp, 'every timestamp field',
                 "what 'cannot be parsed' accepts: the docs say ISO 8601, the Node server reads new "
                 "Date(value); a value is refused only when neither V8's new Date() nor ISO 8601 reads it "
                 '(rules/timestamps.py, checked against Node on a corpus)'),
    InferredRule(C.invalid_condition_type, 'vocabularies (audience filters, contacts)',
                 'condition_type: newer guides filter on on_dnc and validation_status under condition '
                 "types whose names were never seen; widen 'condition_type' to accept them"),
    InferredRule(C.invalid_count_field, 'vocabularies (audience filters, contacts)',
                 "count_field: the DSL page's count table is cut off; the field list is the DSL intro's "
                 'prose'),
    InferredRule(C.invalid_count_operator, 'vocabularies (audience filters, contacts)',
                 "count_operator: the DSL page is cut off before this type's operator table; lt/lte/neq/ne"
                 ' are inferred by analogy'),
    InferredRule(C.invalid_revenue_field, 'vocabularies (audience filters, contacts)',
                 'revenue_field: the revenue table is unreadable; the names come from the audience guides'),
    InferredRule(C.invalid_revenue_operator, 'vocabularies (audience filters, contacts)',
                 "revenue_operator: the DSL page is cut off before this type's operator table; "
                 'comparisons, time windows (last_revenue_at) and exists are inferred'),
    InferredRule(C.invalid_carrier_operator, 'vocabularies (audience filters, contacts)',
                 "carrier_operator: the DSL page is cut off before this type's operator table; equality, "
                 'membership, contains and exists are inferred'),
    InferredRule(C.invalid_timezone_operator, 'vocabularies (audience filters, contacts)',
                 "timezone_operator: the DSL page is cut off before this type's operator table; equality, "
                 'membership, contains and exists are inferred'),
    InferredRule(C.invalid_phone_numbers_operator, 'vocabularies (audience filters, contacts)',
                 'phone_numbers_operator: no page shows a phone_numbers condition; membership and equality'
                 ' are inferred'),
    InferredRule(C.invalid_custom_field_operator, 'vocabularies (audience filters, contacts)',
                 "custom_field_operator: the DSL page is cut off before this type's operator table; the "
                 'custom-fields guide describes negation, numeric comparison and existence checks; their '
                 'tokens are inferred'),
    InferredRule(C.invalid_consent_method, 'vocabularies (audience filters, contacts)',
                 "consent_method: consent_method's allowed values are not documented anywhere; the list is"
                 ' a generous guess from the compliance page (express/implied/verbal) and signup methods '
                 "(api, import, form, journey); widen 'consent_method' or disable the code"),
    InferredRule(C.invalid_input, 'audiences',
                 'audience filter groups nested deeper than Options.max_depth (default 100) are refused at'
                 ' the first too-deep group (the docs set no limit)'),
    InferredRule(C.invalid_group_operator, 'audiences',
                 'a filter group without operator gets invalid_group_operator (no missing code exists)'),
    InferredRule(C.invalid_phone, 'audiences',
                 'phone_numbers filter values are read as an array of E.164 numbers (no page shows that '
                 'condition)'),
    InferredRule(C.invalid_custom_fields, 'contacts',
                 'POST /v2/contacts and /bulk items use the code PUT documents for a custom_fields value '
                 'that is not an object of string/number/boolean values'),
    InferredRule(C.payload_too_large, 'contacts',
                 'on /v2/contacts/bulk each item over 4,000 bytes is an item problem (the bulk page lists '
                 'no per-item size code)'),
    InferredRule(C.missing_consent_method, 'contacts',
                 'only with Options(require_consent_method=True): no documented contact field carries '
                 'consent_method'),
    InferredRule(C.verbal_not_valid_for_marketing, 'contacts',
                 "consent_method 'verbal' with marketing: true or consent_type: 'marketing' (both fields "
                 'inferred)'),
    InferredRule(C.too_many_contacts_with_validation, 'contacts',
                 'only with Options(validation_cap=N): the reduced cap is not documented'),
)


def _why_by_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for rule in INFERRED:
        text = f"{rule.where}: {rule.why}"
        found[rule.code.code] = f"{found[rule.code.code]}; {text}" if rule.code.code in found else text
    return found


#: code -> why the local rules raising it are inferred (every entry of :data:`INFERRED`).
INFERRED_RULES: Mapping[str, str] = MappingProxyType(_why_by_code())
