"""Properties for every sending, phone-validation, OTP, API-key and payload-size rule
(messaging.md): each documented code is triggered alone by a generated mutation of a
valid body, at its exact loc with its documented text and the endpoint's status, and a
near miss of the same rule passes.  See harness.py for the mechanics."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

import trackly_validate as tv
from trackly_validate import Options
from trackly_validate.core.catalog import CATALOG

from . import strategies as S
from .harness import area_tests, Case, get, item, put, Registry
from .strategies import ABSENT, MISSING

SEND = ("POST", "/v2/send")
RAW = ("POST", "/v2/send-raw")
BULK = ("POST", "/v2/send/bulk")
RAW_BULK = ("POST", "/v2/send-raw/bulk")
V1 = ("POST", "/v1/messages")
V1_BULK = ("POST", "/v1/messages/bulk")
VALIDATE = ("POST", "/v1/phone/validate")
BATCH = ("POST", "/v1/phone/validate/batch")
OTP_SEND = ("POST", "/v2/otp/send")
OTP_VERIFY = ("POST", "/v2/otp/verify")

VALID = {
    SEND: S.send(), RAW: S.send_raw(), BULK: S.send_bulk(), RAW_BULK: S.send_bulk(raw=True), V1: S.send_v1(),
    V1_BULK: S.send_bulk_v1(), VALIDATE: S.validate_phone(), BATCH: S.validate_batch(), OTP_SEND: S.otp(),
    OTP_VERIFY: S.otp(verify=True),
}
EXAMPLES = [(SEND, S.SEND), (RAW, S.SEND_RAW), (BULK, S.SEND_BULK), (BULK, S.SEND_BULK_TOP),
            (RAW_BULK, S.SEND_RAW_BULK), (V1, S.V1_SEND), (V1_BULK, S.V1_BULK), (VALIDATE, S.VALIDATE),
            (BATCH, S.VALIDATE_BATCH)]

# values --------------------------------------------------------------------------------------------------
v1_bad = S.not_phones | S.not_strings
bool_words = st.sampled_from(["maybe", "2", "truthy", "-1", "ja"]) | st.integers(2, 10**6) | st.lists(
    S.json_scalars, min_size=1, max_size=2) | st.dictionaries(st.text(max_size=3), S.json_scalars, min_size=1)
strict_bool_bad = st.sampled_from(["true", "false", "True", "1", "0", "yes", "", [], {}]) | st.integers() | st.floats(
    allow_nan=False, allow_infinity=False) | st.lists(st.booleans(), min_size=1, max_size=2)
optional_bool = st.booleans() | st.none() | st.just(ABSENT)
GEO = Options(allowed_countries={"FR", "DE"})
BLOCK_VOIP = Options(block_voip=True)
foreign = st.sampled_from([n for n, r in S.PHONE_POOL if r not in ("FR", "DE")])
domestic = st.sampled_from([n for n, r in S.PHONE_POOL if r in ("FR", "DE")])


def _v1_recipient(bad):
    """v1: put ``bad`` under ``to_msisdn`` or the legacy ``to`` (the other one removed)."""
    def mutate(body, draw, prefix=()):
        key = draw(st.sampled_from(["to_msisdn", "to"]))
        target = dict(get(body, prefix))
        target.pop("to_msisdn", None)
        target.pop("to", None)
        target[key] = draw(bad)
        return put(body, prefix, target), (*prefix, key)
    return mutate


def _v1_no_recipient(body, draw, prefix=()):
    """Neither key has a value; the problem names ``to`` when only the legacy key was sent."""
    target = {k: v for k, v in get(body, prefix).items() if k not in ("to_msisdn", "to")}
    sent = draw(st.sets(st.sampled_from(["to_msisdn", "to"])))
    for key in sent:
        target[key] = draw(st.sampled_from([None, ""]))
    return put(body, prefix, target), (*prefix, "to" if sent == {"to"} else "to_msisdn")


def _v1_legacy_only(body, draw, prefix=()):
    """Near miss of missing_to on v1: no ``to_msisdn`` (or an empty one) but a legacy ``to``."""
    target = {k: v for k, v in get(body, prefix).items() if k not in ("to_msisdn", "to")}
    target["to"] = draw(S.v1_numbers)
    if draw(st.booleans()):
        target["to_msisdn"] = draw(st.sampled_from([None, ""]))
    return put(body, prefix, target)


def _in_item(fn):
    """``fn`` applied to a random item of ``messages`` (its loc prefixed with the index)."""
    def wrapped(body, draw):
        i = draw(st.integers(0, len(body["messages"]) - 1))
        return fn(body, draw, ("messages", i))
    return wrapped


def _repeat(bounds, array="messages"):
    """``array`` made of ``n`` copies of its first item, ``n`` drawn in ``bounds``."""
    def mutate(body, draw):
        n = draw(st.integers(*bounds))
        return {**body, array: [body[array][0]] * n}, (array,)
    return mutate


def _sized_metadata(delta):
    """OTP ``metadata`` of exactly 1,024 + ``delta`` bytes of compact JSON."""
    def mutate(body, draw):
        meta = draw(st.dictionaries(st.text(max_size=6), st.text(max_size=20), max_size=4))
        meta.pop("pad", None)
        base = S.compact_size({**meta, "pad": ""})
        pad = 1024 + draw(delta) - base
        assert pad >= 0, "the generated metadata is already larger than the target size"
        meta["pad"] = "a" * pad
        return {**body, "metadata": meta}, ("metadata",)
    return mutate


def _first_name(body, draw):
    data = dict(body.get("contact_data") or {})
    data["first_name"] = draw(S.not_strings)
    return {**body, "contact_data": data}, ("contact_data", "first_name")


def _voip_near(field):
    """Near miss of not_sendable: a non-VOIP recipient, or a VOIP number as the sending list."""
    def near(body, draw):
        if draw(st.booleans()):
            return put(body, field, draw(S.numbers))
        return put(body, ("list_number",), draw(S.voip_numbers))
    return near


@st.composite
def _sent_to(draw, bodies, recipients):
    """Bulk bodies whose every message goes to one of ``recipients``."""
    body = draw(bodies)
    return {**body, "messages": [{**m, "to": draw(recipients)} for m in body["messages"]]}


def _top_default(body, draw):
    """Near miss of missing_list_number in bulk: the item has none, a top-level one is the default."""
    i = draw(st.integers(0, len(body["messages"]) - 1))
    out = put(body, ("messages", i, "list_number"), draw(st.sampled_from([ABSENT, None, ""])))
    return put(out, ("list_number",), draw(S.numbers))


REG = Registry()
V2_SINGLE = (SEND, RAW)
V2_BULK = (BULK, RAW_BULK)

for route in V2_SINGLE:
    REG.add(
        Case("missing_to", route, VALID[route], at=("to",), bad=MISSING, good=S.numbers),
        Case("missing_list_number", route, VALID[route], at=("list_number",), bad=MISSING, good=S.numbers),
        Case("missing_body", route, VALID[route], at=("body",), bad=MISSING, good=S.texts),
        Case("invalid_phone", route, VALID[route], at=("to",), bad=S.bad_phone_values, good=S.numbers),
        Case("invalid_list_number", route, VALID[route], at=("list_number",), bad=S.bad_phone_values,
             good=S.numbers),
        Case("invalid_input", route, VALID[route], at=("body",), bad=S.not_strings, good=S.texts, label="body"),
        Case("invalid_input", route, VALID[route], at=(), bad=S.not_objects | st.none(), label="not an object"),
        Case("invalid_metadata", route, VALID[route], at=("metadata",), bad=S.not_objects,
             good=S.metadata | st.none()),
        Case("not_sendable", route, VALID[route], at=("to",), bad=S.voip_numbers, near=_voip_near(("to",)),
             options=BLOCK_VOIP),
        Case("geo_restricted", route, VALID[route], at=("to",), bad=foreign, near=lambda b, d: put(
            put(b, ("to",), d(domestic)), ("list_number",), d(foreign)), options=GEO),
    )
REG.add(
    Case("invalid_input", SEND, VALID[SEND], at=("wrap_links",), bad=bool_words, good=optional_bool,
         label="wrap_links"),
    Case("invalid_input", SEND, VALID[SEND], mutate=_first_name, near=lambda b, d: {
        **b, "contact_data": {"first_name": d(S.texts)}}, label="contact_data.first_name"),
    Case("invalid_input", RAW, VALID[RAW], at=("skip_rate_limit",), bad=bool_words, good=optional_bool,
         label="skip_rate_limit"),
)
for route in V2_BULK:
    own = S.send_bulk(raw=route == RAW_BULK, top_default=False)
    REG.add(
        Case("missing_messages", route, VALID[route], at=("messages",), bad=MISSING | S.not_arrays),
        Case("too_many_messages", route, VALID[route], mutate=_repeat((1001, 1100)), near=lambda b, d: _repeat(
            (990, 1000))(b, d)[0], status=413),
        Case("missing_to", route, VALID[route], at=item("messages", "to"), bad=MISSING, good=S.numbers),
        Case("missing_body", route, VALID[route], at=item("messages", "body"), bad=MISSING, good=S.texts),
        Case("missing_list_number", route, own, at=item("messages", "list_number"), bad=MISSING, near=_top_default),
        Case("invalid_phone", route, VALID[route], at=item("messages", "to"), bad=S.bad_phone_values,
             good=S.numbers),
        Case("invalid_list_number", route, own, at=item("messages", "list_number"), bad=S.bad_phone_values,
             good=S.numbers),
        Case("invalid_list_number", route, own, at=("list_number",), bad=S.bad_phone_values, good=S.numbers,
             label="top-level default"),
        Case("invalid_metadata", route, VALID[route], at=item("messages", "metadata"), bad=S.not_objects,
             good=S.metadata),
        Case("not_sendable", route, VALID[route], at=item("messages", "to"), bad=S.voip_numbers, good=S.numbers,
             options=BLOCK_VOIP),
    )
REG.add(
    Case("geo_restricted", BULK, _sent_to(VALID[BULK], domestic), at=item("messages", "to"), bad=foreign,
         good=domestic, options=GEO),
    # v1 (deprecated): its own texts, to_msisdn or the legacy to, US formats normalised
    Case("missing_to", V1, VALID[V1], mutate=_v1_no_recipient, near=_v1_legacy_only, variant="v1"),
    Case("missing_body", V1, VALID[V1], at=("body",), bad=MISSING, good=S.texts, variant="v1"),
    Case("missing_from", V1, VALID[V1], at=("from_phone_number_id",), bad=MISSING, good=S.ids, variant="v1"),
    Case("invalid_phone", V1, VALID[V1], mutate=_v1_recipient(v1_bad), near=lambda b, d: _v1_recipient(
        S.v1_numbers)(b, d)[0], variant="v1"),
    Case("invalid_input", V1, VALID[V1], at=(), bad=S.not_objects | st.none(), label="not an object"),
    Case("not_sendable", V1, VALID[V1], mutate=_v1_recipient(S.voip_numbers), near=lambda b, d: _v1_recipient(
        S.numbers)(b, d)[0], options=BLOCK_VOIP),
    Case("geo_restricted", V1, VALID[V1], mutate=_v1_recipient(foreign), near=lambda b, d: _v1_recipient(
        domestic)(b, d)[0], options=GEO),
    Case("missing_from", V1_BULK, VALID[V1_BULK], at=("from_phone_number_id",), bad=MISSING, good=S.ids,
         variant="v1"),
    Case("missing_messages", V1_BULK, VALID[V1_BULK], at=("messages",), bad=MISSING | S.not_arrays, variant="v1"),
    Case("too_many_messages", V1_BULK, VALID[V1_BULK], mutate=_repeat((1001, 1100)), near=lambda b, d: _repeat(
        (990, 1000))(b, d)[0], status=400),  # 400 on v1, 413 on v2 (messaging.md §22.3)
    Case("missing_to", V1_BULK, VALID[V1_BULK], mutate=_in_item(_v1_no_recipient), near=lambda b, d: _v1_legacy_only(
        b, d, ("messages", 0)), variant="v1"),
    Case("missing_body", V1_BULK, VALID[V1_BULK], at=item("messages", "body"), bad=MISSING, good=S.texts,
         variant="v1"),
    Case("invalid_phone", V1_BULK, VALID[V1_BULK], mutate=_in_item(_v1_recipient(v1_bad)), variant="v1"),
    # phone validation
    Case("missing_phone", VALIDATE, VALID[VALIDATE], at=("phone",), bad=MISSING, good=S.v1_numbers),
    Case("invalid_phone", VALIDATE, VALID[VALIDATE], at=("phone",), bad=v1_bad, good=S.v1_numbers, variant="v1"),
    Case("invalid_force", VALIDATE, VALID[VALIDATE], at=("force",), bad=strict_bool_bad, good=optional_bool),
    Case("invalid_input", VALIDATE, VALID[VALIDATE], at=(), bad=S.not_objects | st.none(), label="not an object"),
    Case("missing_phones", BATCH, VALID[BATCH], at=("phones",), bad=MISSING | S.not_arrays,
         good=st.lists(S.json_scalars | S.not_e164, min_size=1, max_size=5)),
    Case("invalid_force", BATCH, VALID[BATCH], at=("force",), bad=strict_bool_bad, good=optional_bool),
    Case("too_many_phones", BATCH, VALID[BATCH], mutate=_repeat((501, 600), "phones"), near=lambda b, d: _repeat(
        (480, 500), "phones")(b, d)[0], status=413),
    # OTP: every rule inferred (no reference page)
    Case("invalid_channel", OTP_SEND, VALID[OTP_SEND], at=("channel",),
         bad=st.text(max_size=8).filter(lambda s: s not in ("sms", "voice", "auto")),
         good=st.sampled_from(["sms", "voice", "auto", None, ABSENT])),
    Case("invalid_input", OTP_SEND, VALID[OTP_SEND], at=("channel",), bad=S.not_strings, label="channel"),
    Case("invalid_metadata", OTP_SEND, VALID[OTP_SEND], at=("metadata",), bad=S.not_objects,
         good=st.none() | st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)),
    Case("metadata_too_large", OTP_SEND, VALID[OTP_SEND], mutate=_sized_metadata(st.integers(1, 300)),
         near=lambda b, d: _sized_metadata(st.integers(-300, 0))(b, d)[0]),
)
for route in (OTP_SEND, OTP_VERIFY):
    for field in ("to", "phone_number"):
        REG.add(Case("invalid_phone", route, VALID[route], at=(field,), bad=S.bad_phone_values, good=S.numbers,
                     variant="e164", label=field))



(test_mutation_triggers_only_its_code, test_near_miss_passes,
 test_generated_valid_bodies_pass, test_documented_examples_pass) = area_tests(REG, VALID, EXAMPLES)


# --- the 5 MiB body (every route) -----------------------------------------------------------------------------

LIMIT = 5 * 1024 * 1024  # the docs' "5 MB", read as MiB (docs/decisions.md)


def _padded(body, size):
    """``body`` (floats written as strings) plus an unknown ``x_pad`` string making it exactly
    ``size`` bytes of compact JSON."""
    body = S.without_floats(body)
    return {**body, "x_pad": "a" * (size - S.compact_size({**body, "x_pad": ""}))}


def _as(body, form):
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return {"dict": body, "str": text, "bytes": text.encode()}[form]


FORMS = st.sampled_from(["dict", "str", "bytes"])


@REG.covers("payload_too_large", kind="trigger")
@pytest.mark.parametrize("route", list(VALID), ids=" ".join)
@given(data=st.data(), over=st.integers(1, 64), form=FORMS)
def test_a_body_over_5_mib_is_payload_too_large(route, data, over, form):
    body = _as(_padded(data.draw(VALID[route]), LIMIT + over), form)
    info = CATALOG["payload_too_large"]
    assert [(p.code, p.error, p.status, p.loc) for p in tv.check(*route, body)] == [
        ("payload_too_large", info.message, 413, ())]


@REG.covers("payload_too_large", kind="pass")
@pytest.mark.parametrize("route", [SEND, BULK, V1, BATCH], ids=" ".join)
@given(data=st.data(), under=st.integers(0, 64), form=FORMS)
def test_a_body_of_at_most_5_mib_is_not_refused_for_its_size(route, data, under, form):
    body = _as(_padded(data.draw(VALID[route]), LIMIT - under), form)
    assert tv.check(*route, body) == []


# --- the X-Api-Key header ------------------------------------------------------------------------------------

KEY_EXAMPLE = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
alnum = string.ascii_letters + string.digits
keys = st.text(alphabet=alnum, min_size=32, max_size=32).map(lambda s: "trk_" + s) | st.just(KEY_EXAMPLE)


def _problem(code):
    info = CATALOG[code]
    return [(code, info.message, info.status, ("X-Api-Key",))]


def _found(key):
    return [(p.code, p.error, p.status, p.loc) for p in tv.check_api_key(key)]


@REG.covers("missing_api_key", kind="trigger")
@given(key=st.sampled_from([None, "", b""]))
def test_no_key_is_missing_api_key(key):
    assert _found(key) == _problem("missing_api_key")


@REG.covers("missing_api_key", "invalid_api_key", kind="pass")
@given(key=keys, as_bytes=st.booleans())
def test_a_well_formed_key_passes(key, as_bytes):
    assert _found(key.encode() if as_bytes else key) == []


def _spoil(key, draw):
    how = draw(st.sampled_from(["prefix", "short", "long", "char", "space", "type"]))
    if how == "prefix":
        return draw(st.sampled_from(["TRK_", "trk-", "tk_", "", "sk_"])) + key[4:]
    if how == "short":
        return key[:draw(st.integers(1, len(key) - 1))]
    if how == "long":
        return key + draw(st.text(alphabet=alnum, min_size=1, max_size=4))
    if how == "char":
        i = draw(st.integers(4, len(key) - 1))
        return key[:i] + draw(st.sampled_from("-_ .!é\n")) + key[i + 1:]
    if how == "space":  # surrounding whitespace is a documented cause of invalid_api_key
        return draw(st.sampled_from([" ", "\n", "\t"])) + key if draw(st.booleans()) else key + "\n"
    return draw(st.integers() | st.lists(st.just(key), min_size=1, max_size=1) | st.just(True))


@REG.covers("invalid_api_key", kind="trigger")
@given(key=keys, data=st.data())
def test_a_malformed_key_is_invalid_api_key(key, data):
    assert _found(_spoil(key, data.draw)) == _problem("invalid_api_key")


COVERED = REG.covered  # after every @REG.covers above
