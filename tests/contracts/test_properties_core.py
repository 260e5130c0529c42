"""Hypothesis properties of the core contract on the sending and phone endpoints."""

from __future__ import annotations

import json
import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trackly_validate as tv
from trackly_validate import Options
from trackly_validate.contracts.routes import ROUTES

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# a pool of numbers phonenumbers calls valid, from many regions
_POOL = []
for _region in sorted(phonenumbers.SUPPORTED_REGIONS)[::7]:
    for _kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
        _n = phonenumbers.example_number_for_type(_region, _kind)
        if _n is not None:
            _POOL.append(phonenumbers.format_number(_n, phonenumbers.PhoneNumberFormat.E164))
valid_numbers = st.sampled_from(sorted(set(_POOL)))
texts = st.text(min_size=1, max_size=200).filter(lambda s: s != "")
flags = st.booleans()


def send_payloads(raw: bool = False):
    base = {"to": valid_numbers, "list_number": valid_numbers, "body": texts}
    optional = {"metadata": st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3)}
    if raw:
        optional.update({k: flags for k in ("skip_duplicate_check", "skip_rate_limit",
                                            "skip_contact_validation", "skip_journey_check")})
    else:
        optional.update({"wrap_links": flags,
                         "contact_data": st.fixed_dictionaries({}, optional={"first_name": st.text(max_size=20),
                                                                             "custom_fields": st.dictionaries(
                                                                                 st.text(max_size=5),
                                                                                 st.integers())})})
    return st.fixed_dictionaries(base, optional=optional)


@SETTINGS
@given(body=send_payloads(), level=st.sampled_from(["format", "possible", "valid"]))
def test_any_generated_valid_send_passes(body, level):
    assert tv.check("POST", "/v2/send", body, options=Options(phone_level=level)) == []


@SETTINGS
@given(body=send_payloads(raw=True))
def test_any_generated_valid_raw_send_passes(body):
    assert tv.check("POST", "/v2/send-raw", body) == []


@SETTINGS
@given(messages=st.lists(send_payloads(), min_size=1, max_size=20), default=st.none() | valid_numbers)
def test_any_generated_valid_bulk_passes(messages, default):
    body = {"messages": messages} if default is None else {"list_number": default, "messages": messages}
    assert tv.check("POST", "/v2/send/bulk", body) == []
    assert tv.partition("POST", "/v2/send/bulk", body).accepted_indices == tuple(range(len(messages)))


REQUIRED = {
    ("POST", "/v2/send"): {"to": "missing_to", "list_number": "missing_list_number", "body": "missing_body"},
    ("POST", "/v2/send-raw"): {"to": "missing_to", "list_number": "missing_list_number", "body": "missing_body"},
    ("POST", "/v1/messages"): {"to_msisdn": "missing_to", "body": "missing_body",
                               "from_phone_number_id": "missing_from"},
}


@SETTINGS
@given(body=send_payloads(), endpoint=st.sampled_from(sorted(REQUIRED)), data=st.data())
def test_removing_a_required_field_yields_exactly_its_missing_code(body, endpoint, data):
    if endpoint[1] == "/v1/messages":
        body = {"to_msisdn": body["to"], "body": body["body"], "from_phone_number_id": "pn_abc123def456"}
    else:
        body = {k: v for k, v in body.items() if k in ("to", "list_number", "body")}
    field = data.draw(st.sampled_from(sorted(REQUIRED[endpoint])))
    how = data.draw(st.sampled_from(["drop", "null", "empty"]))
    broken = {k: v for k, v in body.items() if k != field}
    if how != "drop":
        broken[field] = None if how == "null" else ""
    problems = tv.check(*endpoint, broken)
    assert [(p.code, p.loc, p.status) for p in problems] == [(REQUIRED[endpoint][field], (field,), 400)]


def _oracle(number: str, level: str) -> bool:
    if re.fullmatch(r"\+[1-9][0-9]{1,14}", number) is None:
        return False
    if level == "format":
        return True
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(parsed) if level == "possible" else phonenumbers.is_valid_number(parsed)


phone_like = st.one_of(
    st.from_regex(r"\+[0-9]{1,16}", fullmatch=True),
    valid_numbers,
    valid_numbers.map(lambda n: n[:-1]),
    valid_numbers.map(lambda n: n + "0"),
    st.text(alphabet="+0123456789 ()-\n١", max_size=18),
)


@settings(max_examples=300, deadline=None)
@given(number=phone_like, level=st.sampled_from(["format", "possible", "valid"]))
def test_phone_verdict_equals_phonenumbers_at_each_level(number, level):
    body = {"to": number, "list_number": "+18005551000", "body": "x"}
    problems = tv.check("POST", "/v2/send", body, options=Options(phone_level=level))
    accepted = not any(p.loc == ("to",) for p in problems)
    if number == "":
        assert [p.code for p in problems] == ["missing_to"]
    else:
        assert accepted == _oracle(number, level), (number, level, problems)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
fields = st.sampled_from(["to", "list_number", "body", "messages", "metadata", "contact_data", "wrap_links",
                          "phones", "phone", "force", "to_msisdn", "from_phone_number_id", "channel", "x"])


@SETTINGS
@given(body=st.dictionaries(fields, json_values, max_size=6))
def test_raw_bytes_str_and_dict_bodies_get_the_same_answer(body):
    raw = json.dumps(body, separators=(",", ":"))
    for path in ("/v2/send", "/v2/send/bulk", "/v1/messages", "/v1/phone/validate/batch"):
        expected = tv.check("POST", path, body)
        assert tv.check("POST", path, raw) == expected
        assert tv.check("POST", path, raw.encode()) == expected


def _modelled_routes():
    out = []
    for route in ROUTES:
        try:
            route.model
        except ModuleNotFoundError:  # an area not written yet
            continue
        out.append(route)
    return out


@settings(max_examples=40, deadline=None)
@given(body=json_values | st.dictionaries(fields, json_values, max_size=8), raw=st.booleans())
@pytest.mark.parametrize("route", _modelled_routes(), ids=lambda r: r.key)
def test_check_never_raises_on_arbitrary_json(route, body, raw):
    payload = json.dumps(body) if raw else body
    problems = tv.check(route.method, route.template.replace("{id}", "1"), payload)
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, tv.Problem) and isinstance(p.status, int) and p.code in tv.CATALOG


@SETTINGS
@given(body=st.dictionaries(fields, json_values, max_size=6))
def test_check_never_mutates_its_input(body):
    snapshot = json.dumps(body, sort_keys=True)
    for path in ("/v2/send", "/v2/send/bulk", "/v1/messages"):
        tv.check("POST", path, body)
    assert json.dumps(body, sort_keys=True) == snapshot


@SETTINGS
@given(messages=st.lists(send_payloads(), min_size=1, max_size=5), data=st.data())
def test_bulk_item_problems_carry_their_index(messages, data):
    i = data.draw(st.integers(0, len(messages) - 1))
    messages = [dict(m) for m in messages]
    messages[i]["to"] = "not a number"
    problems = tv.check("POST", "/v2/send/bulk", {"messages": messages})
    assert [(p.code, p.loc) for p in problems] == [("invalid_phone", ("messages", i, "to"))]
