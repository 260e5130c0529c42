"""Tables keyed by the contract: complete at import, an entry for no route refused, a default
for a route without an entry; the facts the stand-in and tv.openapi() share read from them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Annotated

import pytest

from trackly_validate.contracts.routes import READS, ROUTES, ContractError, Listing, Route, item_caps, resolve
from trackly_validate.contracts.shapes import (GENERIC, HEADERS, SHAPES, VERSION_HEADERS, default_shape,
                                               read_kind)
from trackly_validate.contracts.state import ACCOUNT, NOTHING, path_resource, server_text, state_codes
from trackly_validate.contracts.tables import route_table
from trackly_validate.core.catalog import C
from trackly_validate.rules.base import ItemsCap, TracklyModel

EVERY = (*ROUTES, *READS)


# --- route_table --------------------------------------------------------------------------------------------

def test_an_entry_for_no_route_fails_naming_it():
    with pytest.raises(ContractError, match=r"FACTS: an entry for POST /v2/sends, which no route declares"):
        route_table("FACTS", {"POST /v2/send": 1, "POST /v2/sends": 2}, ROUTES, lambda route: 0)


def test_a_missing_entry_without_a_default_fails_naming_the_route():
    entries = {route.key: 1 for route in ROUTES if route.key != "PUT /v2/contacts"}
    with pytest.raises(ContractError, match=r"FACTS: no entry for PUT /v2/contacts$"):
        route_table("FACTS", entries, ROUTES)


def test_a_route_without_an_entry_gets_the_default_and_the_table_is_keyed_by_the_contract():
    send = resolve("POST", "/v2/send")
    table = route_table("FACTS", {"POST /v2/send": "entry"}, ROUTES, lambda route: route.method)
    assert table[send] == "entry"
    assert {route: table[route] for route in ROUTES if route is not send} == {
        route: route.method for route in ROUTES if route is not send}
    assert "POST /v2/send" not in table
    with pytest.raises(TypeError):
        table[send] = "changed"  # type: ignore[index]


@pytest.mark.parametrize("table", [SHAPES, HEADERS, ACCOUNT], ids=["SHAPES", "HEADERS", "ACCOUNT"])
def test_the_contract_tables_cover_every_contract(table):
    assert set(table) == set(EVERY)


def test_the_stand_ins_tables_cover_its_contracts():
    pytest.importorskip("starlette")
    from trackly_validate.doors.server.reads import READERS
    from trackly_validate.doors.server.shapes import BUILDERS

    assert set(BUILDERS) == set(ROUTES)
    assert set(READERS) == set(READS)


# --- defaults -------------------------------------------------------------------------------------------------

def test_a_body_endpoint_without_an_entry_has_the_generic_answer_and_nothing_simulated():
    verify = resolve("POST", "/v2/otp/verify")
    assert SHAPES[verify] is GENERIC == default_shape(verify)
    assert (GENERIC.status, dict(GENERIC.fields), dict(GENERIC.example)) == (200, {"success": "boolean"},
                                                                            {"success": True})
    assert ACCOUNT[verify] is NOTHING and state_codes(verify) == ()
    assert HEADERS[verify] == ()


def test_every_v1_answer_carries_the_version_headers():
    for route in EVERY:
        assert HEADERS[route] == VERSION_HEADERS.get(route.version, ()), route.key
    assert [h.name for h in VERSION_HEADERS["v1"]] == ["X-API-Deprecated", "Deprecation"]


def test_a_reads_shape_is_derived_from_its_contract():
    listing = resolve_read("GET", "/v2/offers")
    assert read_kind(listing) == "list"
    assert dict(SHAPES[listing].fields) == {"offers": "array", "pagination": "object"}
    lists = resolve_read("GET", "/v2/lists")  # no pagination documented
    assert dict(SHAPES[lists].fields) == {"lists": "array"}
    assert read_kind(resolve_read("DELETE", "/v2/creatives/{id}")) == "archive"
    assert read_kind(resolve_read("GET", "/v2/audiences/{id}/size")) == "size"
    assert read_kind(resolve_read("DELETE", "/v1/contacts/{msisdn}")) == "noop"
    assert dict(SHAPES[resolve_read("GET", "/v2/creatives/{id}")].fields) == {"id": "integer"}


def resolve_read(method: str, template: str) -> Route:
    return next(r for r in READS if r.method == method and r.template == template)


@pytest.mark.parametrize(("route", "message"), [
    (Route("GET", "/v2/things", None), "GET /v2/things: a v2 read names the table it reads"),
    (Route("DELETE", "/v2/things/{id}", None, table="lists"), "no archived status known for lists"),
    (Route("GET", "/v2/things/{id}", None, table="things"), "GET /v2/things/{id}: no example object for the 'things'"),
    (Route("GET", "/v2/things", None, table="things", listing=Listing("things")), "no example object"),
])
def test_a_read_the_rules_cannot_answer_fails_naming_it(route, message):
    with pytest.raises(ContractError, match=re.escape(message)):
        route_table("SHAPES", {}, (route,), default_shape)


# --- what the account's state decides -----------------------------------------------------------------------------

def test_the_state_codes_follow_the_table():
    schedule = resolve("PUT", "/v2/schedules/664f1a2b3c4d5e6f7a8b9c0d")
    assert path_resource(schedule) == "schedules"
    assert [i.code for i in state_codes(schedule)] == [
        "audience_not_found", "source_list_not_found", "offer_not_found", "not_found", "schedule_complete"]
    assert [i.code for i in state_codes(resolve("POST", "/v2/send/bulk"))] == ["daily_cap_exceeded"]  # per item
    links = resolve("POST", "/v2/links")
    assert state_codes(links) == (C.product_not_enabled,)
    assert server_text(C.product_not_enabled, links).startswith("OFFER_MANAGEMENT ")
    assert path_resource(resolve_read("GET", "/v2/offers/{id}")) is None  # a read's table is what it reads


def test_a_body_endpoints_table_is_what_its_id_names():
    assert {r.key: r.table for r in ROUTES if r.table} == {
        "PUT /v2/creatives/{id}": "creatives", "PUT /v2/schedules/{id}": "schedules",
        "PUT /v2/offers/{id}": "offers", "PUT /v2/audiences/{id}": "audiences"}


# --- bulk caps: the model's ItemsCap ------------------------------------------------------------------------------

def test_the_item_caps_are_read_from_the_models():
    assert dict(item_caps()) == {"messages": 1000, "phones": 500, "records": 1000, "contacts": 1000}
    for route in ROUTES:
        cap = route.capped_array
        assert route.max_items == (cap[1] if cap else None)
        if route.items is not None:
            assert cap is not None and cap[0] == route.items, route.key
    assert resolve_read("GET", "/v2/contacts").max_items is None


def test_a_models_cap_is_the_contracts():
    from trackly_validate.contracts.routes import _capped_array

    class Capped(TracklyModel):
        things: Annotated[list[int], ItemsCap(C.too_many_records, 7, type_info=C.missing_records)] = []

    class Twice(TracklyModel):
        a: Annotated[list[int], ItemsCap(C.too_many_records, 7, type_info=C.missing_records)] = []
        b: Annotated[list[int], ItemsCap(C.too_many_records, 8, type_info=C.missing_records)] = []

    class Plain(TracklyModel):
        things: list[int] = []

    assert _capped_array(Capped) == ("things", 7)
    assert _capped_array(Plain) is None
    with pytest.raises(ContractError, match="more than one capped array"):
        _capped_array(Twice)


# --- the document derives from the contract -------------------------------------------------------------------------

def test_the_openapi_document_needs_nothing_of_the_stand_in():
    code = ("import sys, json, trackly_validate as tv; tv.openapi(); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('trackly_validate.doors.server', "
            "'starlette')))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
