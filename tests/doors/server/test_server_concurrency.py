"""The stand-in under concurrent clients, over real HTTP (loopback), on a ``--db`` file:
20 clients writing (creates, updates, bulk) while others read lose nothing - every 2xx
write is visible afterwards, ids are unique, no 5xx ("database is locked" would be one) -
and a restart on the same file keeps everything."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx

from hostile_inputs import VALID
from trackly_validate.doors.server import SandboxServer

FIXTURES = Path(__file__).resolve().parents[3] / "examples" / "sandbox-fixtures.json"
KEY = json.loads(FIXTURES.read_text())["api_keys"][0]
LIST = "+18005551000"
WRITERS, READERS, BULK = 20, 4, 40


def _writer(base: str, n: int, out: dict, statuses: list[int]) -> None:
    with httpx.Client(base_url=base, headers={"X-Api-Key": KEY}, timeout=60) as api:
        offer = api.post("/v2/offers", json={**VALID["POST /v2/offers"], "name": f"w{n}", "id": "offer_abc123"})
        statuses.append(offer.status_code)
        offer_id = offer.json()["offer"]["id"]
        statuses.append(api.put(f"/v2/offers/{offer_id}", json={"payout": n, "metadata": {"n": str(n)}}).status_code)
        creative = api.post("/v2/creatives", json={**VALID["POST /v2/creatives"], "id": 101,
                                                   "offer_links": [{"key": "link1", "offer_id": offer_id}]})
        statuses.append(creative.status_code)
        phones = [f"+1415555{n:02d}{i:02d}" for i in range(BULK)]
        bulk = api.post("/v2/contacts/bulk", json={"contacts": [{"phone_number": p, "list_number": LIST}
                                                                for p in phones]})
        statuses.append(bulk.status_code)
        one = f"+1415556{n:04d}"
        statuses.append(api.post("/v2/contacts", json={"phone_number": one, "list_number": LIST}).status_code)
        statuses.append(api.put("/v2/contacts", json={"phone_number": one, "list_number": LIST,
                                                      "custom_fields": {"n": str(n)}}).status_code)
        out[n] = (offer_id, creative.json()["creative"]["id"], phones + [one])


def _reader(base: str, stop: threading.Event, statuses: list[int]) -> None:
    with httpx.Client(base_url=base, headers={"X-Api-Key": KEY}, timeout=60) as api:
        while not stop.is_set():
            for path in ("/v2/contacts?per_page=100", "/v2/offers", "/v2/creatives", "/v2/lists/42"):
                statuses.append(api.get(path).status_code)


def _check(api: httpx.Client, out: dict) -> None:
    offers = {o["id"]: o for o in api.get("/v2/offers?per_page=100").json()["offers"]}
    creatives = {c["id"] for c in api.get("/v2/creatives?per_page=100").json()["creatives"]}
    contacts = api.get("/v2/contacts?per_page=1000").json()
    phones = {c["phone_number"] for c in contacts["contacts"]}
    for n, (offer_id, creative_id, numbers) in out.items():
        assert offers[offer_id]["payout"] == n and offers[offer_id]["metadata"]["n"] == str(n)
        assert creative_id in creatives
        assert set(numbers) <= phones
    assert contacts["pagination"]["total"] == 1 + WRITERS * (BULK + 1)
    assert api.get("/v2/offers/offer_abc123").json()["name"] == "Summer Promo"  # the fixture's, untouched
    assert api.get("/v2/creatives/101").json()["name"] == "Summer Sale Promo"


def test_concurrent_writers_lose_nothing_and_a_restart_keeps_it(tmp_path):
    db = tmp_path / "state.db"
    out: dict[int, tuple] = {}
    statuses: list[int] = []
    with SandboxServer(fixtures=FIXTURES, db=db) as server:
        base = f"{server.url}/api"
        stop = threading.Event()
        readers = [threading.Thread(target=_reader, args=(base, stop, statuses)) for _ in range(READERS)]
        writers = [threading.Thread(target=_writer, args=(base, n, out, statuses)) for n in range(WRITERS)]
        for t in readers + writers:
            t.start()
        for t in writers:
            t.join()
        stop.set()
        for t in readers:
            t.join()
        assert len(out) == WRITERS
        assert all(s < 300 for s in statuses), sorted(set(statuses))
        assert len({offer for offer, _c, _p in out.values()}) == WRITERS
        assert sorted(c for _o, c, _p in out.values()) == list(range(102, 102 + WRITERS))
        with httpx.Client(base_url=base, headers={"X-Api-Key": KEY}) as api:
            _check(api, out)
    with SandboxServer(fixtures=FIXTURES, db=db) as again, \
            httpx.Client(base_url=f"{again.url}/api", headers={"X-Api-Key": KEY}) as api:
        _check(api, out)
        created = api.post("/v2/creatives", json={**VALID["POST /v2/creatives"],
                                                  "offer_links": [{"key": "link1", "offer_id": "offer_abc123"}]})
        assert created.json()["creative"]["id"] == 102 + WRITERS  # the counter is kept too
