"""Offers and short links (campaigns.md §5-§6): documented examples pass; every code
with its exact text, status and loc; the shared URL rule on every URL field."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trackly_validate as tv
from docs_examples import assert_example_passes, edited
from trackly_validate import Options
from trackly_validate.models import CreateLink, CreateOffer, ShortenLink, UpdateOffer

OFFER = ("POST", "/v2/offers")
OFFER_PUT = ("PUT", "/v2/offers/664f1a2b3c4d5e6f7a8b9c0d")
LINK = ("POST", "/v2/links")
SHORTEN = ("POST", "/v2/links/shorten")

OFFER_EXAMPLE = {
    "name": "Summer Promo", "tracking_url": "https://track.example.com/click?offer_id=123",
    "external_platform": "tune", "external_id": "4521", "advertiser_id": "adv_882", "payout": 2.50,
    "payout_type": "cpa", "filter_bots": True, "status": "active", "metadata": {"vertical": "health", "geo": "US"},
}
OFFER_UPDATE_EXAMPLE = {"name": "Summer Promo v2", "payout": 3.00,
                        "metadata": {"vertical": "health", "geo": "US,CA", "notes": "Updated payout for Q1"}}

DOC_EXAMPLES = [
    (*OFFER, OFFER_EXAMPLE),
    (*OFFER, {"name": "Minimal", "tracking_url": "http://t.example.com/c"}),
    (*OFFER, {**OFFER_EXAMPLE, "external_platform": "everflow", "payout_type": "cpc", "status": "paused"}),
    (*OFFER, {**OFFER_EXAMPLE, "external_platform": None, "metadata": {}}),
    (*OFFER_PUT, OFFER_UPDATE_EXAMPLE),
    (*OFFER_PUT, {"status": "archived"}),
    (*OFFER_PUT, {"status": "active"}),
    (*OFFER_PUT, {}),
    (*LINK, {"offerId": "6789abcd1234ef5678901234", "listId": 42}),
    (*LINK, {"externalOfferId": "4521", "phoneNumber": "+18005551234"}),
    (*LINK, {"offerId": "6789abcd1234ef5678901234", "externalOfferId": "4521", "listId": 42,
             "phoneNumber": "+18005551234"}),
    (*SHORTEN, {"url": "https://example.com/landing-page", "listId": 42}),
    (*SHORTEN, {"offerId": "664f1a2b3c4d5e6f7a8b9c0d", "phoneNumber": "+18005551234",
                "contactPhone": "+14155551234", "attribution": {"source": "ai_agent", "conversation_id": "abc123"}}),
]


@pytest.mark.parametrize(("method", "path", "body"), DOC_EXAMPLES)
def test_documented_examples_pass_without_mutation(method, path, body):
    assert_example_passes(method, path, body)


def test_routes_use_these_models():
    assert [tv.model_for(*r) for r in (OFFER, OFFER_PUT, LINK, SHORTEN)] == [CreateOffer, UpdateOffer, CreateLink,
                                                                            ShortenLink]


def offer(**changes):
    return edited(OFFER_EXAMPLE, **changes)


SCHEME = "URL scheme must be http or https"
OFFER_CASES = [
    (OFFER, offer(name=...), [("missing_name", "name is required", ("name",))]),
    (OFFER, offer(name=""), [("missing_name", "name is required", ("name",))]),
    (OFFER, offer(name="x" * 256), [("name_too_long", "name must be 255 characters or less", ("name",))]),
    (OFFER, offer(tracking_url=...), [("missing_tracking_url", "tracking_url is required", ("tracking_url",))]),
    (OFFER, offer(tracking_url=None), [("missing_tracking_url", "tracking_url is required", ("tracking_url",))]),
    (OFFER, offer(tracking_url="ftp://track.example.com"), [("invalid_url_scheme", SCHEME, ("tracking_url",))]),
    (OFFER, offer(tracking_url="javascript:alert(1)"), [("invalid_url_scheme", SCHEME, ("tracking_url",))]),
    (OFFER, offer(tracking_url="track.example.com/click"), [("invalid_url", "Invalid URL", ("tracking_url",))]),
    (OFFER, offer(tracking_url="https://bad host/x"), [("invalid_url", "Invalid URL", ("tracking_url",))]),
    (OFFER, offer(external_platform="cake"),
     [("invalid_external_platform", "Invalid external_platform", ("external_platform",))]),
    (OFFER, offer(external_platform=""),
     [("invalid_external_platform", "Invalid external_platform", ("external_platform",))]),
    (OFFER, offer(payout_type="cpm"),
     [("invalid_payout_type", "payout_type must be one of: cpa, cpc", ("payout_type",))]),
    (OFFER, offer(status="archived"), [("invalid_status", "status must be one of: active, paused", ("status",))]),
    (OFFER, offer(metadata={"geo": ["US"]}), [("invalid_metadata", "Invalid metadata", ("metadata",))]),
    (OFFER, offer(metadata={"n": 1}), [("invalid_metadata", "Invalid metadata", ("metadata",))]),
    (OFFER, offer(metadata="vertical=health"), [("invalid_metadata", "Invalid metadata", ("metadata",))]),
    (OFFER, offer(payout="lots"), [("invalid_input", "Invalid input", ("payout",))]),
    (OFFER, offer(payout=-1, filter_bots=None, metadata=None), []),  # no payout range documented
    (OFFER_PUT, {"name": "x" * 256}, [("name_too_long", "name must be 255 characters or less", ("name",))]),
    (OFFER_PUT, {"tracking_url": "mailto:a@b.c"}, [("invalid_url_scheme", SCHEME, ("tracking_url",))]),
    (OFFER_PUT, {"external_platform": "impact"},
     [("invalid_external_platform", "Invalid external_platform", ("external_platform",))]),
    (OFFER_PUT, {"payout_type": 1}, [("invalid_payout_type", "payout_type must be one of: cpa, cpc",
                                      ("payout_type",))]),
    (OFFER_PUT, {"status": "deleted"},
     [("invalid_status", "status must be one of: active, paused, archived", ("status",))]),
    (OFFER_PUT, {"metadata": {"notes": None}}, [("invalid_metadata", "Invalid metadata", ("metadata",))]),
    # partial update: nothing required, no documented missing_* code
    (OFFER_PUT, {"name": "", "tracking_url": "", "external_platform": None, "status": None}, []),
    (OFFER_PUT, {"tracking_url": None}, []),
]


@pytest.mark.parametrize(("route", "body", "expected"), OFFER_CASES)
def test_offer_codes(route, body, expected):
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*route, body)]
    assert got == [(c, e, 400, loc) for c, e, loc in expected]


def test_offer_problems_in_one_pass_in_order():
    body = {"tracking_url": "gopher://x", "payout_type": "x", "status": "x", "external_platform": "x",
            "metadata": {"a": 1}}
    assert [p.code for p in tv.check(*OFFER, body)] == [
        "missing_name", "invalid_url_scheme", "invalid_external_platform", "invalid_payout_type", "invalid_status",
        "invalid_metadata"]


E164 = "Invalid E.164 phone number format"
LINK_CASES = [
    (LINK, {"listId": 42}, [("missing_offer_id", "offer_id is required", ())]),
    (LINK, {"offerId": "", "externalOfferId": None, "listId": 42}, [("missing_offer_id", "offer_id is required", ())]),
    (LINK, {"offerId": "o1"}, [("missing_list_identifier", "list_id or list_number is required", ())]),
    (LINK, {}, [("missing_offer_id", "offer_id is required", ()),
                ("missing_list_identifier", "list_id or list_number is required", ())]),
    (LINK, {"offerId": "o1", "phoneNumber": "8005551234"}, [("invalid_phone", E164, ("phoneNumber",))]),
    (LINK, {"offerId": "o1", "listId": "forty-two"}, [("invalid_input", "Invalid input", ("listId",))]),
    (SHORTEN, {"listId": 42}, [("missing_url_or_offer", "url or offer_id is required", ())]),
    (SHORTEN, {"url": "", "listId": 42}, [("missing_url_or_offer", "url or offer_id is required", ())]),
    (SHORTEN, {"url": "https://example.com"}, [("missing_list_identifier", "list_id or list_number is required", ())]),
    (SHORTEN, {"url": "https://example.com", "phoneNumber": ""},
     [("missing_list_identifier", "list_id or list_number is required", ())]),
    # the endpoint page documents invalid_url, not invalid_url_scheme, for a wrong scheme
    (SHORTEN, {"url": "ftp://example.com/file", "listId": 42}, [("invalid_url", "Invalid URL", ("url",))]),
    (SHORTEN, {"url": "javascript:alert(1)", "listId": 42}, [("invalid_url", "Invalid URL", ("url",))]),
    (SHORTEN, {"url": "example.com/landing", "listId": 42}, [("invalid_url", "Invalid URL", ("url",))]),
    (SHORTEN, {"url": "https://example.com", "phoneNumber": "+1800"}, [("invalid_phone", E164, ("phoneNumber",))]),
    (SHORTEN, {"url": "https://example.com", "listId": 42, "contactPhone": "415-555-1234"},
     [("invalid_phone", E164, ("contactPhone",))]),
    (SHORTEN, {}, [("missing_url_or_offer", "url or offer_id is required", ()),
                   ("missing_list_identifier", "list_id or list_number is required", ())]),
    # offerId wins over url: the url is then not checked
    (SHORTEN, {"offerId": "o1", "url": "ftp://ignored", "listId": 42}, []),
]


@pytest.mark.parametrize(("route", "body", "expected"), LINK_CASES)
def test_link_codes(route, body, expected):
    got = [(p.code, p.error, p.status, p.loc) for p in tv.check(*route, body)]
    assert got == [(c, e, 400, loc) for c, e, loc in expected]


def test_shorten_reports_the_one_of_rule_and_field_problems_in_one_pass():
    body = {"url": "ftp://x", "contactPhone": "nope"}
    assert [(p.code, p.loc) for p in tv.check(*SHORTEN, body)] == [
        ("missing_list_identifier", ()), ("invalid_url", ("url",)), ("invalid_phone", ("contactPhone",))]


def test_account_mirrors_do_not_apply_to_list_and_contact_numbers():
    opts = Options(allowed_countries={"GB"}, block_voip=True)
    body = {"url": "https://example.com", "phoneNumber": "+18005551234", "contactPhone": "+14155551234"}
    assert tv.check(*SHORTEN, body, options=opts) == []


def test_inferred_link_rules_are_registered_and_can_be_switched_off():
    for code in ("missing_offer_id", "missing_list_identifier", "invalid_phone"):
        assert code in tv.INFERRED_RULES
    body = {"offerId": "o1", "listId": 1, "phoneNumber": "123"}
    assert tv.check(*LINK, body, options=Options(disable={"invalid_phone"})) == []


# --- the URL rule on every URL field -----------------------------------------------------------------------------

URL_FIELDS = [
    # (route, body with the URL at the placeholder, loc, code for a wrong scheme)
    (OFFER, lambda u: offer(tracking_url=u), ("tracking_url",), "invalid_url_scheme"),
    (OFFER_PUT, lambda u: {"tracking_url": u}, ("tracking_url",), "invalid_url_scheme"),
    (SHORTEN, lambda u: {"url": u, "listId": 1}, ("url",), "invalid_url"),
    (("POST", "/v2/creatives"),
     lambda u: {"name": "n", "message": "{{link1}}", "offer_links": [{"key": "link1", "offer_id": "o", "url": u}]},
     ("offer_links", 0, "url"), "invalid_url_scheme"),
    (("POST", "/v2/schedules"),
     lambda u: {"name": "n", "send_type": "blast", "audiences": ["665fa1b2c3d4e5f6a7b8c901"], "is_repeating": False,
                "send_time": "10:00", "send_date": "2025-07-01",
                "blasts": [{"message": "hi", "percent_audience": 100, "mms_image_url": u}]},
     ("blasts", 0, "mms_image_url"), "invalid_url_scheme"),
]

schemes = st.from_regex(r"[A-Za-z][A-Za-z0-9+.\-]{0,12}", fullmatch=True).filter(
    lambda s: s.lower() not in ("http", "https"))
rests = st.sampled_from(["//example.com/x", "alert(1)", "text/html;base64,AAAA", "//", "", "user@host",
                         "/etc/passwd", "//example.com:8080/a?b=c#d"])


@settings(max_examples=60, deadline=None)
@given(scheme=schemes, rest=rests, field=st.sampled_from(URL_FIELDS))
def test_any_url_with_a_scheme_other_than_http_s_is_refused(scheme, rest, field):
    route, make, loc, code = field
    got = [(p.code, p.loc) for p in tv.check(*route, make(f"{scheme}:{rest}"))]
    assert got == [(code, loc)]


@settings(max_examples=60, deadline=None)
@given(scheme=st.sampled_from(["http", "https", "HTTP", "Https", "hTtPs"]),
       host=st.from_regex(r"[a-z0-9]([a-z0-9\-]{0,20}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True),
       path=st.from_regex(r"(/[A-Za-z0-9._~\-]{0,10}){0,3}(\?[a-z]{1,5}=[A-Za-z0-9]{0,5})?", fullmatch=True),
       field=st.sampled_from(URL_FIELDS))
def test_http_and_https_urls_with_a_host_are_accepted(scheme, host, path, field):
    route, make, _loc, _code = field
    assert tv.check(*route, make(f"{scheme}://{host}{path}")) == []


@pytest.mark.parametrize(("path", "body", "codes"), [
    # a value sent empty - null, "", [] or {} - is missing, as for every required field
    # (crossfield.is_blank, the one notion of blank); its wrong type is reported too
    ("/v2/links", {"offerId": [], "listId": 5}, [("missing_offer_id", ()), ("invalid_input", ("offerId",))]),
    ("/v2/links", {"offerId": {}, "listId": 5}, [("missing_offer_id", ()), ("invalid_input", ("offerId",))]),
    ("/v2/links", {"offerId": "o1", "phoneNumber": []},
     [("missing_list_identifier", ()), ("invalid_phone", ("phoneNumber",))]),
    ("/v2/links/shorten", {"url": "https://x.io", "listId": 5, "offerId": ""}, []),
    ("/v2/links/shorten", {"offerId": [], "listId": 5}, [("missing_url_or_offer", ()), ("invalid_input", ("offerId",))]),
])
def test_values_sent_empty_are_missing_in_the_one_of_rules(path, body, codes):
    assert [(p.code, p.loc) for p in tv.check("POST", path, body)] == codes
