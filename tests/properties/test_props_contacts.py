"""Properties for every contact rule (audiences-contacts.md §3, §5; messaging.md on
``use_validation``): each code is triggered alone by a generated mutation of a valid body,
at its exact loc with its documented text and the endpoint's status; near misses pass.
Codes that only exist behind an option (``missing_consent_method``,
``too_many_contacts_with_validation``, ``not_sendable``, ``geo_restricted``) are run with
that option.  See harness.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trackly_validate as tv
from trackly_validate import Options

from . import strategies as S
from .harness import area_tests, Case, item, put, Registry
from .strategies import ABSENT, MISSING

POST = ("POST", "/v2/contacts")
PUT = ("PUT", "/v2/contacts")
DELETE = ("DELETE", "/v2/contacts")
BULK = ("POST", "/v2/contacts/bulk")

VALID = {POST: S.contacts_post(), PUT: S.contacts_put(), DELETE: S.contacts_delete(), BULK: S.contacts_bulk()}
EXAMPLES = [(POST, S.CONTACT), (POST, S.CONTACT_FULL), (PUT, S.CONTACT_FIELDS), (DELETE, S.CONTACT_DELETE),
            (BULK, S.CONTACTS_BULK)]

MAX_CONTACT = 4000  # bytes of one contact (audiences-contacts.md §3)
BLOCK_VOIP = Options(block_voip=True)
GEO = Options(allowed_countries={"US", "CA"})
CONSENT = Options(require_consent_method=True)
CAP = 3
VALIDATION_CAP = Options(validation_cap=CAP)

us = st.sampled_from(S.DOC_NUMBERS)
foreign = st.sampled_from([n for n, r in S.PHONE_POOL if r not in ("US", "CA")])
bad_custom_fields = S.not_objects | st.dictionaries(
    st.text(max_size=5), st.none() | st.lists(S.json_scalars, max_size=2)
    | st.dictionaries(st.text(max_size=3), S.json_scalars, max_size=2), min_size=1, max_size=2)
bad_flags = st.sampled_from(["maybe", "2", "sure"]) | st.integers(2, 99) | st.lists(st.booleans(), min_size=1)
consent_words = st.sampled_from(["express", "implied", "written", "EXPRESS", "Web_Form", "verbal"])
not_consent = st.sampled_from(["fax", "telepathy", "opt-in?", "zz_express"]) | S.not_strings


def _sized(delta, at=()):
    """The contact at ``at`` padded with an unknown key to exactly 4,000 + ``delta`` bytes."""
    def mutate(body, draw):
        path = at(body, draw) if callable(at) else at
        contact = S.without_floats(body if not path else body[path[0]][path[1]])
        contact.pop("x_pad", None)
        pad = MAX_CONTACT + draw(delta) - S.compact_size({**contact, "x_pad": ""})
        assert pad >= 0, "the generated contact is already larger than the target size"
        contact["x_pad"] = "a" * pad
        return put(body, path, contact), path
    return mutate


def _verbal(body, draw, prefix=()):
    """consent_method "verbal" (any case) on a contact opted into marketing."""
    marketing = draw(st.sampled_from([{"marketing": True}, {"consent_type": "marketing"},
                                      {"consent_type": "Marketing"}, {"marketing": True, "consent_type": "x"}]))
    out = put(body, (*prefix, "consent_method"), draw(st.sampled_from(["verbal", "VERBAL", "Verbal"])))
    for key, value in marketing.items():
        out = put(out, (*prefix, key), value)
    return out, (*prefix, "consent_method")


def _verbal_not_marketing(body, draw):
    out = {k: v for k, v in body.items() if k not in ("marketing", "consent_type")}
    extra = draw(st.sampled_from([{}, {"marketing": False}, {"consent_type": "transactional"},
                                  {"marketing": "true"}]))
    return {**out, **extra, "consent_method": "verbal"}


def _voip_as_list_number(body, draw):
    return put(body, ("list_number",), draw(S.voip_numbers))


@st.composite
def _validating(draw, n):
    """/bulk bodies of ``n`` (drawn) contacts, at least one with use_validation: true."""
    contacts = [draw(S.contact()) for _ in range(draw(n))]
    contacts[draw(st.integers(0, len(contacts) - 1))]["use_validation"] = True
    return {"contacts": contacts}


def _over_cap(body, draw):
    """More contacts than the cap (copies of valid ones), one still validating."""
    contacts = body["contacts"]
    n = draw(st.integers(CAP + 1, CAP + 5))
    return {"contacts": [contacts[i % len(contacts)] for i in range(n)]}, ("contacts",)


def _not_validating(body, draw):
    """Near miss: the same contacts, none with use_validation: true."""
    out = []
    for contact in body["contacts"]:
        contact = {k: v for k, v in contact.items() if k != "use_validation"}
        value = draw(st.sampled_from([False, None, ABSENT]))
        out.append(contact if value is ABSENT else {**contact, "use_validation": value})
    return {"contacts": out}


REG = Registry()
for route in (POST, PUT, DELETE):
    REG.add(
        Case("missing_phone_number", route, VALID[route], at=("phone_number",), bad=MISSING, good=S.numbers),
        Case("missing_list_number", route, VALID[route], at=("list_number",), bad=MISSING, good=S.numbers),
        Case("invalid_phone", route, VALID[route], at=("phone_number",), bad=S.bad_phone_values, variant="e164"),
        Case("invalid_list_number", route, VALID[route], at=("list_number",), bad=S.bad_phone_values),
        Case("invalid_input", route, VALID[route], at=(), bad=S.not_objects | st.none(), label="not an object"),
    )
REG.add(
    Case("invalid_custom_fields", POST, VALID[POST], at=("custom_fields",), bad=bad_custom_fields,
         good=S.custom_fields | st.none()),
    Case("invalid_timestamp", POST, VALID[POST], at=("signup_date",), bad=S.not_timestamps,
         good=S.timestamps | st.none()),
    Case("invalid_ip_address", POST, VALID[POST], at=("ip_address",), bad=S.not_ip_addresses, good=S.ip_addresses),
    Case("invalid_url", POST, VALID[POST], at=("url",), bad=S.malformed_urls, good=S.urls),
    Case("invalid_url_scheme", POST, VALID[POST], at=("url",), bad=S.wrong_scheme_urls, good=S.urls),
    Case("invalid_input", POST, VALID[POST], at=("use_journeys",), bad=bad_flags,
         good=st.sampled_from([True, False, None, "true", 0]), label="use_journeys"),
    Case("payload_too_large", POST, VALID[POST], mutate=_sized(st.integers(1, 500)),
         near=lambda b, d: _sized(st.integers(-500, 0))(b, d)[0], status=413),
    Case("invalid_consent_method", POST, VALID[POST], at=("consent_method",), bad=not_consent,
         good=consent_words | st.none()),
    Case("verbal_not_valid_for_marketing", POST, VALID[POST], mutate=_verbal, near=_verbal_not_marketing),
    Case("missing_consent_method", POST, S.contact().map(lambda c: {**c, "consent_method": "express"}),
         at=("consent_method",), bad=MISSING, good=consent_words, options=CONSENT),
    Case("not_sendable", POST, VALID[POST], at=("phone_number",), bad=S.voip_numbers, near=_voip_as_list_number,
         options=BLOCK_VOIP),
    Case("geo_restricted", POST, VALID[POST], at=("phone_number",), bad=foreign, good=us, options=GEO),
    # PUT: custom_fields required; {} is a value (with merge_fields: false it clears them)
    Case("missing_custom_fields", PUT, VALID[PUT], at=("custom_fields",), bad=st.sampled_from([ABSENT, None]),
         good=st.just({}) | S.custom_fields),
    Case("invalid_custom_fields", PUT, VALID[PUT], at=("custom_fields",), bad=bad_custom_fields),
    # bulk
    Case("missing_contacts", BULK, VALID[BULK], at=("contacts",), bad=MISSING | S.not_arrays),
    Case("too_many_contacts", BULK, VALID[BULK], mutate=lambda b, d: (
        {"contacts": [b["contacts"][0]] * d(st.integers(1001, 1100))}, ("contacts",)),
         near=lambda b, d: {"contacts": [b["contacts"][0]] * d(st.integers(990, 1000))}, status=413),
    Case("too_many_contacts_with_validation", BULK, _validating(st.integers(1, CAP)), mutate=_over_cap,
         near=lambda b, d: _not_validating(_over_cap(b, d)[0], d), options=VALIDATION_CAP, status=413),
    Case("missing_phone_number", BULK, VALID[BULK], at=item("contacts", "phone_number"), bad=MISSING),
    Case("missing_list_number", BULK, VALID[BULK], at=item("contacts", "list_number"), bad=MISSING),
    Case("invalid_phone", BULK, VALID[BULK], at=item("contacts", "phone_number"), bad=S.bad_phone_values,
         good=S.numbers, variant="e164"),
    Case("invalid_list_number", BULK, VALID[BULK], at=item("contacts", "list_number"), bad=S.bad_phone_values),
    Case("invalid_custom_fields", BULK, VALID[BULK], at=item("contacts", "custom_fields"), bad=bad_custom_fields),
    Case("payload_too_large", BULK, VALID[BULK], mutate=_sized(st.integers(1, 500), item("contacts")),
         near=lambda b, d: _sized(st.integers(-500, 0), item("contacts"))(b, d)[0], status=413),
    Case("not_sendable", BULK, VALID[BULK], at=item("contacts", "phone_number"), bad=S.voip_numbers,
         good=S.numbers, options=BLOCK_VOIP),
    Case("invalid_consent_method", BULK, VALID[BULK], at=item("contacts", "consent_method"), bad=not_consent),
    Case("verbal_not_valid_for_marketing", BULK, VALID[BULK],
         mutate=lambda b, d: _verbal(b, d, ("contacts", d(st.integers(0, len(b["contacts"]) - 1))))),
)


@REG.covers("not_sendable", "geo_restricted", kind="pass")
@pytest.mark.parametrize("route", [PUT, DELETE], ids=" ".join)
@given(data=st.data(), options=st.sampled_from([BLOCK_VOIP, GEO]))
def test_updating_or_unsubscribing_sends_nothing_so_the_account_mirrors_do_not_apply(route, data, options):
    body = put(data.draw(VALID[route]), ("phone_number",), data.draw(S.voip_numbers | foreign))
    assert tv.check(*route, body, options=options) == []


(test_mutation_triggers_only_its_code, test_near_miss_passes,
 test_generated_valid_bodies_pass, test_documented_examples_pass) = area_tests(REG, VALID, EXAMPLES)


COVERED = REG.covered
