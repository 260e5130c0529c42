"""The one ``{{linkN}}`` rule (rules/placeholders.py), on its own and through the
creative and blast endpoints that use it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import trackly_validate as tv
from trackly_validate import Options
from trackly_validate.core.catalog import C
from trackly_validate.rules.placeholders import (
    HasPlaceholder,
    Shape,
    coverage_error,
    placeholders,
    uncovered,
)
from trackly_validate.rules.crossfield import validate_with

SETTINGS = settings(max_examples=60, deadline=None)
AUDIENCE = "665fa1b2c3d4e5f6a7b8c901"


def entries(*keys):
    return [{"key": k, "offer_id": f"offer_{i}"} for i, k in enumerate(keys)]


def creative(message, links):
    return {"name": "n", "message": message, "offer_links": links}


def schedule(*blasts):
    return {"name": "n", "send_type": "blast", "audiences": [AUDIENCE], "is_repeating": False,
            "send_time": "09:00", "send_date": "2025-07-01", "blasts": list(blasts)}


def found(method, path, body, **kw):
    return [(p.code, p.error, p.status, p.loc) for p in tv.check(method, path, body, **kw)]


# --- finding placeholders ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("message", "keys"), [
    ("Shop now: {{link1}}", ["link1"]),
    ("{{link2}} then {{link1}} then {{link2}}", ["link2", "link1"]),
    ("{{link10}}{{link01}}", ["link10", "link01"]),
    ("no links here", []),
    ("{{link}} {{linkA}} {link1} {{ link1 }} {{Link1}} {{link1}", []),
    ("{{link١}}", []),  # Arabic-Indic digit: not an ASCII digit
    ("{{{link3}}}", ["link3"]),
    ("{{messageId}} {{first_name}} {{link4}}", ["link4"]),
])
def test_placeholders_are_found_in_order_of_first_appearance(message, keys):
    assert placeholders(message) == keys


@pytest.mark.parametrize(("message", "links", "missing"), [
    ("{{link1}}", entries("link1"), []),
    ("{{link1}} {{link2}} {{link3}}", entries("link1"), ["link2", "link3"]),
    ("{{link3}} {{link2}}", entries("link1"), ["link3", "link2"]),
    ("{{link2}}", entries("link2", "link7", "foo"), []),  # extra entries and keys not starting at 1
    ("{{link1}}", entries("link1", "link1"), []),  # duplicate keys
    ("{{link01}}", entries("link1"), []),  # the number or the literal text may match
    ("{{link1}}", entries("link001"), []),
    ("{{link1}}", [{"key": "{{link1}}", "offer_id": "o"}], ["link1"]),  # braces are not part of the key
    ("{{link1}}", [5, None, "link1", {"key": 1}, {"offer_id": "o"}], ["link1"]),  # malformed entries cover nothing
    ("{{link1}}", [], ["link1"]),
    ("plain", [], []),
])
def test_uncovered_lists_the_placeholders_without_an_entry(message, links, missing):
    assert uncovered(message, links) == missing


@pytest.mark.parametrize(("message", "links"), [(None, []), (5, []), ("{{link1}}", None), ("{{link1}}", "link1"),
                                                ("{{link1}}", {"key": "link1"})])
def test_coverage_is_not_decided_without_a_message_string_and_an_array(message, links):
    assert uncovered(message, links) is None
    assert coverage_error(message, links) is None


def test_the_coverage_error_names_the_missing_keys_joined_by_comma_space():
    err = coverage_error("{{link3}} {{link1}} {{link2}} {{link3}}", entries("link1"))
    assert err.type == "missing_offer_links_for_placeholders"
    assert err.message() == "Missing offer_links for placeholders: link3, link2"


def test_long_pathological_messages_are_handled_linearly():
    message = "{{link" + "1" * 200_000 + "{{link" * 50_000 + "}}"
    assert placeholders(message) == []
    assert uncovered(message, []) == []
    huge_key = "{{link" + "9" * 5000 + "}}"  # longer than int()'s default digit limit
    assert uncovered(huge_key, entries("link" + "9" * 5000)) == []


# --- the markers ---------------------------------------------------------------------------------------------

def test_has_placeholder_marker():
    from typing import Annotated

    ta = TypeAdapter(Annotated[str, HasPlaceholder()])
    assert ta.validate_python("a {{link9}} b") == "a {{link9}} b"
    with pytest.raises(ValidationError) as exc:
        ta.validate_python("a {{link}} b")
    assert exc.value.errors()[0]["type"] == "missing_link_placeholder"
    assert exc.value.errors()[0]["msg"] == "message must contain at least one {{linkN}} placeholder"


@pytest.mark.parametrize(("kind", "good", "bad"), [("array", [1], {"a": 1}), ("object", {"a": 1}, [1])])
def test_shape_marker(kind, good, bad):
    from typing import Annotated, Any

    inner = list[Any] if kind == "array" else dict[str, Any]
    ta = TypeAdapter(Annotated[inner, Shape(C.invalid_offer_links, kind)])
    assert ta.validate_python(good) == good
    with pytest.raises(ValidationError) as exc:
        ta.validate_python(bad)
    assert [e["type"] for e in exc.value.errors()] == ["invalid_offer_links"]
    with pytest.raises(ValueError):
        Shape(C.invalid_offer_links, "string")


def test_validate_with_adds_problems_next_to_pydantics_own():
    from trackly_validate.rules.base import fail

    def handler(value):
        return TypeAdapter(list[int]).validate_python(value)

    extra = [((), fail(C.invalid_blast_percent))]
    assert validate_with(handler, [1], ()) == [1]
    with pytest.raises(ValidationError) as exc:
        validate_with(handler, [1], extra)
    assert [(e["type"], e["loc"]) for e in exc.value.errors()] == [("invalid_blast_percent", ())]
    with pytest.raises(ValidationError) as exc:
        validate_with(handler, [1, "x"], extra)
    assert [(e["type"], e["loc"]) for e in exc.value.errors()] == [("int_parsing", (1,)), ("invalid_blast_percent", ())]


# --- the same rule on creatives and on blasts -------------------------------------------------------------------

ENTRY_CASES = [
    # (offer_links, expected problems relative to the offer_links array)
    # (a second, valid entry covers {{link1}}, so only the entry problem remains)
    ([{"offer_id": "o"}, *entries("link1")], [("missing_offer_link_key", "offer_link key is required", (0, "key"))]),
    ([{"key": "", "offer_id": "o"}, *entries("link1")],
     [("missing_offer_link_key", "offer_link key is required", (0, "key"))]),
    ([{"key": None, "offer_id": "o"}, *entries("link1")],
     [("missing_offer_link_key", "offer_link key is required", (0, "key"))]),
    ([{"key": "link1"}], [("missing_offer_link_offer_id", "offer_link offer_id is required", (0, "offer_id"))]),
    ([{"key": "link1", "offer_id": ""}],
     [("missing_offer_link_offer_id", "offer_link offer_id is required", (0, "offer_id"))]),
    ([{"key": 1, "offer_id": "o"}, {"key": "link1", "offer_id": "o"}],
     [("invalid_offer_links", "Invalid offer_links", (0, "key"))]),
    ([{"key": "link1", "offer_id": 7}], [("invalid_offer_links", "Invalid offer_links", (0, "offer_id"))]),
    (["link1", {"key": "link1", "offer_id": "o"}], [("invalid_offer_links", "Invalid offer_links", (0,))]),
    ([{"key": "link1", "offer_id": "o", "url_params": "sub1=sms"}],
     [("invalid_offer_links", "Invalid offer_links", (0, "url_params"))]),
    ([{"key": "link1", "offer_id": "o", "url": "javascript:alert(1)"}],
     [("invalid_url_scheme", "URL scheme must be http or https", (0, "url"))]),
    ([{"key": "link1", "offer_id": "o", "url": "https://"}], [("invalid_url", "Invalid URL", (0, "url"))]),
    ([{"key": "link1", "offer_id": "o", "url": "https://exa mple.com"}], [("invalid_url", "Invalid URL", (0, "url"))]),
    ([{"key": "link1", "offer_id": "o", "url": 5}], [("invalid_url", "Invalid URL", (0, "url"))]),
]


@pytest.mark.parametrize(("links", "expected"), ENTRY_CASES)
def test_entry_rules_on_creatives(links, expected):
    got = found("POST", "/v2/creatives", creative("Go {{link1}}", links))
    assert got == [(c, e, 400, ("offer_links", *loc)) for c, e, loc in expected]


@pytest.mark.parametrize(("links", "expected"), ENTRY_CASES)
def test_entry_rules_on_each_blast(links, expected):
    body = schedule({"message": "Go {{link1}}", "offer_links": links, "percent_audience": 100})
    got = found("POST", "/v2/schedules", body)
    assert got == [(c, e, 400, ("blasts", 0, "offer_links", *loc)) for c, e, loc in expected]


@pytest.mark.parametrize("url", [None, "", "https://example.com/new", "HTTP://EXAMPLE.COM", " https://x.io/a b "])
def test_url_override_accepts_null_empty_and_http_urls(url):
    links = [{"key": "link1", "offer_id": "o", "url": url, "url_params": {"utm_source": "sms", "n": 1}}]
    assert tv.check("POST", "/v2/creatives", creative("{{link1}}", links)) == []


def test_each_blast_is_checked_against_its_own_offer_links():
    body = schedule(
        {"message": "A {{link1}} {{link2}}", "offer_links": entries("link1", "link2"), "percent_audience": 50},
        {"message": "B {{link1}} {{link2}}", "offer_links": entries("link2"), "percent_audience": 30},
        {"message": "C {{link3}}", "percent_audience": 20},
        {"message": "D, no link", "percent_audience": 0},
    )
    assert found("POST", "/v2/schedules", body) == [
        ("missing_offer_links_for_placeholders", "Missing offer_links for placeholders: link1", 400,
         ("blasts", 1, "offer_links")),
        ("missing_offer_links_for_placeholders", "Missing offer_links for placeholders: link3", 400,
         ("blasts", 2, "offer_links")),
    ]


def test_coverage_is_reported_with_entry_problems_in_one_pass():
    links = [{"key": "link1"}, {"offer_id": "o"}]
    assert found("POST", "/v2/creatives", creative("{{link1}} {{link2}}", links)) == [
        ("missing_offer_links_for_placeholders", "Missing offer_links for placeholders: link2", 400, ("offer_links",)),
        ("missing_offer_link_key", "offer_link key is required", 400, ("offer_links", 1, "key")),
        ("missing_offer_link_offer_id", "offer_link offer_id is required", 400, ("offer_links", 0, "offer_id")),
    ]


def test_coverage_can_be_switched_off():
    opts = Options(disable={"missing_offer_links_for_placeholders"})
    assert tv.check("POST", "/v2/creatives", creative("{{link2}}", entries("link1")), options=opts) == []
    body = schedule({"message": "{{link2}}", "percent_audience": 100})
    assert tv.check("POST", "/v2/schedules", body, options=opts) == []


def test_the_inferred_parts_are_registered():
    for code in ("invalid_offer_links", "invalid_url_scheme", "invalid_url"):
        assert code in tv.INFERRED_RULES
    import trackly_validate.models.schedules  # noqa: F401 - registers the blast inference

    assert "blast" in tv.INFERRED_RULES["missing_offer_links_for_placeholders"]


# --- properties ---------------------------------------------------------------------------------------------------

numbers = st.integers(min_value=1, max_value=30)
filler = st.text(alphabet=st.characters(blacklist_characters="{}", blacklist_categories=("Cs",)), max_size=12)


@st.composite
def messages_with(draw):
    ns = draw(st.lists(numbers, min_size=1, max_size=8))
    parts = []
    for n in ns:
        parts.append(draw(filler))
        parts.append("{{link%d}}" % n)
    parts.append(draw(filler))
    return "".join(parts), ns


@SETTINGS
@given(msg=messages_with(), keys=st.lists(numbers, min_size=1, max_size=8),
       where=st.sampled_from(["creative", "blast"]))
def test_a_message_fails_exactly_when_its_placeholders_are_not_covered(msg, keys, where):
    message, ns = msg
    links = entries(*(f"link{k}" for k in keys))
    missing = [f"link{n}" for n in dict.fromkeys(ns) if n not in set(keys)]
    if where == "creative":
        got = found("POST", "/v2/creatives", creative(message, links))
        loc = ("offer_links",)
    else:
        got = found("POST", "/v2/schedules", schedule({"message": message, "offer_links": links,
                                                       "percent_audience": 100}))
        loc = ("blasts", 0, "offer_links")
    if missing:
        text = "Missing offer_links for placeholders: " + ", ".join(missing)
        assert got == [("missing_offer_links_for_placeholders", text, 400, loc)]
    else:
        assert got == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=12,
)


@SETTINGS
@given(links=json_values | st.lists(st.dictionaries(st.sampled_from(["key", "offer_id", "url", "url_params"]),
                                                      json_values, max_size=4), max_size=4))
def test_any_offer_links_value_gets_coded_problems_and_never_crashes(links):
    body = creative("{{link1}}", links)
    snapshot = json.dumps(body, sort_keys=True)
    problems = tv.check("POST", "/v2/creatives", body) + tv.check("PUT", "/v2/creatives/1", body)
    assert json.dumps(body, sort_keys=True) == snapshot
    allowed = {"missing_offer_links", "invalid_offer_links", "missing_offer_links_for_placeholders",
               "missing_offer_link_key", "missing_offer_link_offer_id", "invalid_url_scheme", "invalid_url"}
    assert {p.code for p in problems} <= allowed
    assert all(p.loc[:1] == ("offer_links",) for p in problems)


def test_json_schema_keeps_the_entry_model_and_its_required_fields():
    schema = tv.models.CreateCreative.model_json_schema()
    assert schema["properties"]["offer_links"]["items"] == {"$ref": "#/$defs/OfferLink"}
    assert schema["$defs"]["OfferLink"]["required"] == ["key", "offer_id"]
    assert schema["properties"]["message"]["pattern"] == r"\{\{link[0-9]+\}\}"
    assert schema["properties"]["message"]["maxLength"] == 1600
