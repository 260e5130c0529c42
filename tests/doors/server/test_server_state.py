"""The stand-in's state over real HTTP (loopback): what a request creates or changes is
what later reads return - create -> read -> update -> read -> delete -> read for every
resource the docs let a client create, the list endpoints' filters and pagination, ids
the server owns, and the read contracts' codes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from hostile_inputs import VALID
from trackly_validate.doors.server import SandboxServer

FIXTURES = Path(__file__).resolve().parents[3] / "examples" / "sandbox-fixtures.json"
KEY = json.loads(FIXTURES.read_text())["api_keys"][0]


@pytest.fixture
def api():
    with SandboxServer(seed=3, fixtures=FIXTURES) as server, \
            httpx.Client(base_url=f"{server.url}/api", headers={"X-Api-Key": KEY}) as client:
        yield client


AUDIENCE = {"name": "Recent", "filter": {"operator": "AND", "conditions": [
    {"condition_type": "time", "field": "signup_date", "operator": "within", "value": 3, "unit": "days"}]}}
SCHEDULE = {"name": "Weekend", "send_type": "automated", "is_repeating": False, "send_time": "14:30",
            "send_date": "2026-06-01", "audiences": ["665fa1b2c3d4e5f6a7b8c901"]}


# (create path, body, wrapper of the created resource, update, archived status)
ROUND_TRIPS = [
    ("/v2/creatives", {**VALID["POST /v2/creatives"], "offer_links": [{"key": "link1", "offer_id": "offer_abc123"}]},
     "creative", {"name": "Renamed", "status": "paused"}, "archived"),
    ("/v2/offers", {**VALID["POST /v2/offers"], "metadata": {"geo": "US", "vertical": "health"}}, "offer",
     {"payout": 3.0, "metadata": {"geo": "US,CA"}}, "archived"),
    ("/v2/schedules", SCHEDULE, "schedule", {"name": "Weekend v2", "status": "on"}, "archive"),
    ("/v2/audiences", AUDIENCE, None, {"name": "Renamed"}, "archived"),
]


@pytest.mark.parametrize(("path", "body", "wrap", "update", "archived"), ROUND_TRIPS, ids=lambda x: str(x)[:14])
def test_create_read_update_read_delete_read(api, path, body, wrap, update, archived):
    r = api.post(path, json=body)
    assert r.status_code == 201, r.text
    created = r.json()[wrap] if wrap else r.json()
    url = f"{path}/{created['id']}"
    assert api.get(url).json() == created
    listed = api.get(path).json()[path.rsplit("/", 1)[1]]
    assert created in listed
    r = api.put(url, json=update)
    assert r.status_code == 200, r.text
    updated = r.json()[wrap] if path == "/v2/schedules" else r.json()
    read = api.get(url).json()
    assert read == updated and read["created_at"] == created["created_at"]
    for name, value in update.items():
        if name != "metadata":
            assert read[name] == value
    if path == "/v2/offers":  # metadata is merged (campaigns.md §5.4)
        assert read["metadata"] == {"geo": "US,CA", "vertical": "health"}
    if path == "/v2/audiences":  # a name change keeps the filter
        assert read["filter"] == AUDIENCE["filter"]
    assert api.delete(url).json() == {"success": True, "archived": True}
    assert api.get(url).json()["status"] == archived  # still readable by id
    collection = path.rsplit("/", 1)[1]
    assert all(row["id"] != created["id"] for row in api.get(path).json()[collection])
    assert any(row["id"] == created["id"] for row in api.get(f"{path}?status={archived}").json()[collection])


@pytest.mark.parametrize("path", ["/v2/creatives/999", "/v2/offers/nope", "/v2/schedules/6651a3f2e4b0a1c2d3e4f000",
                                  "/v2/audiences/665fa1b2c3d4e5f6a7b8c000", "/v2/audiences/x/size",
                                  "/v2/lists/7", "/v2/lists/forty"])
def test_an_unknown_id_is_not_found(api, path):
    r = api.get(path)
    assert (r.status_code, r.json()["code"], r.json()["error"]) == (404, "not_found", "Resource not found")
    if "lists" not in path and "size" not in path:
        assert api.delete(path).status_code == 404


def test_reads_need_a_key(api):
    r = httpx.get(str(api.base_url).rstrip("/") + "/v2/lists")
    assert (r.status_code, r.json()["code"]) == (401, "missing_api_key")
    r = httpx.get(str(api.base_url).rstrip("/") + "/v2/lists", headers={"X-Api-Key": "trk_" + "0" * 32})
    assert (r.status_code, r.json()["code"]) == (401, "invalid_api_key")


def test_a_body_id_never_replaces_the_servers(api):
    body = {**ROUND_TRIPS[0][1], "id": 101}
    ids = [api.post("/v2/creatives", json=body).json()["creative"]["id"] for _ in range(3)]
    assert ids == [102, 103, 104]
    assert api.get("/v2/creatives/101").json()["name"] == "Summer Sale Promo"  # the fixture's, untouched
    offer = api.post("/v2/offers", json={**VALID["POST /v2/offers"], "id": "offer_abc123"}).json()["offer"]
    assert offer["id"] != "offer_abc123"
    assert api.put(f"/v2/offers/{offer['id']}", json={"id": "x", "name": "n"}).json()["id"] == offer["id"]


def test_contacts_read_back(api):
    contact = {"phone_number": "+14155550001", "list_number": "+18005551000", "custom_fields": {"a": "1"}}
    assert api.post("/v2/contacts", json=contact).status_code == 200
    assert api.post("/v2/contacts", json={**contact, "phone_number": "+14155550002"}).status_code == 200
    listed = api.get("/v2/contacts", params={"list_number": "+18005551000"}).json()
    assert [c["phone_number"] for c in listed["contacts"]] == ["+14155550002", "+14155550001", "+14155559876"]
    assert listed["contacts"][1]["custom_fields"] == {"a": "1"} and listed["contacts"][1]["list_id"] == 42
    api.put("/v2/contacts", json={**contact, "custom_fields": {"b": "2"}})
    api.request("DELETE", "/v2/contacts", json={k: contact[k] for k in ("phone_number", "list_number")})
    inactive = api.get("/v2/contacts", params={"active": "false"}).json()["contacts"]
    assert [(c["phone_number"], c["custom_fields"]) for c in inactive] == [("+14155550001", {"a": "1", "b": "2"})]
    assert api.get("/v2/lists/42").json()["contact_count"] == 2
    size = api.get("/v2/audiences/665fa1b2c3d4e5f6a7b8c901/size").json()
    assert size["size"] == 2
    assert api.get("/v2/audiences/665fa1b2c3d4e5f6a7b8c901").json()["cached_size"] == 2


def test_pagination_and_filters(api):
    for i in range(7):
        api.post("/v2/offers", json={**VALID["POST /v2/offers"], "name": f"o{i}",
                                     "status": "paused" if i % 2 else "active"})
    cases = [  # (query, names, pagination)
        ("per_page=3", ["Summer Promo", "o0", "o1"], {"page": 1, "per_page": 3, "total": 8, "total_pages": 3}),
        ("per_page=3&page=3", ["o5", "o6"], {"page": 3, "per_page": 3, "total": 8, "total_pages": 3}),
        ("status=paused&per_page=2&page=2", ["o5"], {"page": 2, "per_page": 2, "total": 3, "total_pages": 2}),
        ("status=nothing", [], {"page": 1, "per_page": 50, "total": 0, "total_pages": 0}),
        ("per_page=500&page=0", None, {"page": 1, "per_page": 100, "total": 8, "total_pages": 1}),
        ("per_page=x&page=9", [], {"page": 9, "per_page": 50, "total": 8, "total_pages": 1}),
    ]
    for query, names, pagination in cases:
        got = api.get(f"/v2/offers?{query}").json()
        assert got["pagination"] == pagination, query
        if names is not None:
            assert [o["name"] for o in got["offers"]] == names, query
    assert api.get("/v2/contacts?per_page=5000").json()["pagination"]["per_page"] == 1000
    assert [c["status"] for c in api.get("/v2/creatives").json()["creatives"]] == ["active"]  # default: active
    assert api.get("/v2/creatives?creative_type=welcome").json()["creatives"] == []
    assert [s["status"] for s in api.get("/v2/schedules").json()["schedules"]] == ["draft", "complete"]
    assert api.get("/v2/schedules").json().keys() == {"schedules"}  # no pagination documented
    assert [x["id"] for x in api.get("/v2/lists?status=active").json()["lists"]] == [42, 43]
    assert api.get("/v2/lists/42").json() == {"id": 42, "phone_number": "+18005551000", "brand_name": "",
                                              "list_name": "", "list_type": "infobip", "status": "active",
                                              "contact_count": 1}


def test_v1_contact_delete_is_a_documented_no_op(api):
    r = api.delete("/v1/contacts/+14155559876")
    assert r.json() == {"success": True, "deprecated": True,
                        "message": "This endpoint is deprecated and performs no operation."}
    assert r.headers["Deprecation"] == "true"
    assert api.get("/v2/contacts?active=true").json()["pagination"]["total"] == 1


def test_reads_are_not_body_contracts():
    import trackly_validate as tv
    from trackly_validate.contracts.routes import READS

    with pytest.raises(tv.UnknownEndpointError):
        tv.check("GET", "/v2/audiences", {})
    assert all(route.reads and route.table or route.version == "v1" for route in READS)


def test_history_clear_before_date(api):
    records = [{"id": f"h{i}", "to_number": "+14155551234", "list_number": "+18005551000",
                "timestamp": f"2024-0{i + 1}-01T00:00:00Z"} for i in range(3)]
    assert api.post("/v2/history/sends", json={"records": records}).json()["success_count"] == 3
    body = {"entities": ["sends"], "confirm": True, "before_date": "2024-02-15T00:00:00Z"}
    assert api.request("DELETE", "/v2/history/clear", json=body).json() == {"success": True, "cleared": {"sends": 2}}
    body.pop("before_date")
    assert api.request("DELETE", "/v2/history/clear", json=body).json()["cleared"] == {"sends": 1}


def test_rejected_destination_removes_the_contact(api):
    api.post("/v2/contacts", json={"phone_number": "+15005550003", "list_number": "+18005551000"})
    api.post("/v2/send", json={"to": "+15005550003", "list_number": "+18005551000", "body": "Hi"})
    [contact] = [c for c in api.get("/v2/contacts").json()["contacts"] if c["phone_number"] == "+15005550003"]
    assert contact["active"] is False


def test_a_seeded_restart_on_the_same_db_draws_new_ids(tmp_path):
    sent = []
    for _ in range(2):
        with SandboxServer(seed=1, db=tmp_path / "s.db") as server:
            for _ in range(3):
                r = httpx.post(f"{server.url}/api/v2/send", headers={"X-Api-Key": "trk_" + "a" * 32},
                               json={"to": "+14155551234", "list_number": "+18005551000", "body": "x"})
                sent.append(r.json()["message_id"])
    assert len(set(sent)) == 6


def test_the_request_log_is_bounded_in_bytes():
    from trackly_validate.doors.server.store import RequestLog

    log = RequestLog(max_bytes=1 << 20, max_body=64 << 10)
    for i in range(60):
        log.add({"method": "POST", "body": "x" * (5 << 20), "seq": i})
    assert log.size <= 1 << 20
    kept = json.loads(log.json())["requests"]
    assert kept[-1]["seq"] == 59 and kept[-1]["body_truncated"] and len(kept[-1]["body"]) == 64 << 10


def test_head_answers_as_get_without_a_body(api):
    r = api.head("/v2/lists/42")
    assert r.status_code == 200 and r.content == b""


def test_a_send_counts_on_the_contact_and_an_open_store_keeps_the_audience_filter():
    with SandboxServer() as server, httpx.Client(base_url=f"{server.url}/api",
                                                 headers={"X-Api-Key": "trk_" + "b" * 32}) as api:
        api.post("/v2/contacts", json={"phone_number": "+14155550123", "list_number": "+18005551000"})
        api.post("/v2/send", json={"to": "+14155550123", "list_number": "+18005551000", "body": "x"})
        [contact] = api.get("/v2/contacts").json()["contacts"]
        assert contact["send_count"] == 1 and contact["last_sent_at"]
        created = api.post("/v2/audiences", json=AUDIENCE).json()
        updated = api.put(f"/v2/audiences/{created['id']}", json={"name": "n"}).json()
        assert (updated["filter"], updated["created_at"]) == (AUDIENCE["filter"], created["created_at"])


def test_an_archived_audience_is_not_found_by_a_schedule(api):
    audience = api.post("/v2/audiences", json=AUDIENCE).json()["id"]
    assert api.post("/v2/schedules", json={**SCHEDULE, "audiences": [audience]}).status_code == 201
    api.delete(f"/v2/audiences/{audience}")
    r = api.post("/v2/schedules", json={**SCHEDULE, "audiences": [audience]})
    assert (r.status_code, r.json()["code"]) == (404, "audience_not_found")
