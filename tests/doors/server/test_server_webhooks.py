"""The stand-in's delivery webhooks over real HTTP (loopback): a recording receiver gets each
event once (a failed delivery is retried on the compressed schedule), signed so that
``tv.webhooks.verify_signature`` accepts it with the secret and refuses it with another;
outcomes follow the documented test numbers; an inbound STOP unsubscribes the contact."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

import trackly_validate as tv
from trackly_validate.doors.server import SandboxServer
from trackly_validate.doors.server.delivery import Webhooks

KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
SECRET = "whsec_sandbox"
LIST = "+18005551000"


class Receiver:
    """Records every POST; answers 500 to the first ``fail`` of them."""

    def __init__(self, fail: int = 0):
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail = fail
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                failing = len(receiver.received) <= receiver.fail
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, n: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) - self.fail < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return [json.loads(body) for _headers, body in self.received[self.fail:]]


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.server.shutdown()


def test_each_send_makes_one_signed_delivery_event(receiver):
    with SandboxServer(webhooks=Webhooks(receiver.url, SECRET)) as server:
        api = f"{server.url}/api"
        one = httpx.post(f"{api}/v2/send", headers={"X-Api-Key": KEY},
                         json={"to": "+14155551234", "list_number": LIST, "body": "Hi"}).json()["message_id"]
        bulk = {"list_number": LIST, "messages": [{"to": "+15005550001", "body": "a"},
                                                  {"to": "+15005550002", "body": "b"}]}
        assert httpx.post(f"{api}/v2/send/bulk", headers={"X-Api-Key": KEY}, json=bulk).json()["queued_count"] == 2
        events = receiver.events(3)
        time.sleep(0.2)
        assert len(receiver.received) == 3  # once each
    assert [(e["to"], e["status"], e["status_detail"]) for e in events] == [
        ("+14155551234", "delivered", "DELIVERED_TO_HANDSET"), ("+15005550001", "undeliverable", "REJECTED_SPAM"),
        ("+15005550002", "expired", "EXPIRED")]
    assert events[0]["message_id"] == one and events[0]["list_number"] == LIST
    for headers, body in receiver.received:
        assert tv.webhooks.verify_signature(body, headers["x-trackly-signature"], SECRET)
        assert not tv.webhooks.verify_signature(body, headers["x-trackly-signature"], "another secret")
        assert not tv.webhooks.verify_signature(body + b" ", headers["x-trackly-signature"], SECRET)
        assert isinstance(tv.webhooks.parse_event(body), tv.webhooks.DeliveryEvent)


def test_a_failed_delivery_is_retried_until_it_arrives():
    receiver = Receiver(fail=2)
    try:
        with SandboxServer(webhooks=Webhooks(receiver.url, SECRET, schedule=(0.05, 0.05, 0.05))) as server:
            httpx.post(f"{server.url}/api/v2/send", headers={"X-Api-Key": KEY},
                       json={"to": "+14155551234", "list_number": LIST, "body": "Hi"})
            events = receiver.events(1)
            time.sleep(0.2)
        assert len(receiver.received) == 3  # two failures, then delivered: not again
        assert len({body for _h, body in receiver.received}) == 1  # the same event each time
        assert events[0]["event"] == "delivery"
    finally:
        receiver.server.shutdown()


def test_an_inbound_stop_unsubscribes_and_is_an_event(receiver):
    with SandboxServer(webhooks=Webhooks(receiver.url, SECRET)) as server:
        api, h = f"{server.url}/api", {"X-Api-Key": KEY}
        httpx.post(f"{api}/v2/contacts", headers=h, json={"phone_number": "+14155550100", "list_number": LIST})
        inbound = {"phone_number": "+14155550100", "list_number": LIST, "body": " stop "}
        assert httpx.post(f"{server.url}/_sandbox/inbound", json=inbound).status_code == 401
        r = httpx.post(f"{server.url}/_sandbox/inbound", headers=h, json=inbound)
        assert r.json()["event"]["keyword"] == "STOP"
        contact = httpx.get(f"{api}/v2/contacts", headers=h).json()["contacts"][0]
        assert contact["active"] is False
        httpx.post(f"{api}/v2/send", headers=h, json={"to": "+14155550100", "list_number": LIST, "body": "Hi"})
        httpx.post(f"{server.url}/_sandbox/inbound", headers=h, json={**inbound, "body": "what?"})
        unsubscribe, delivery, reply = receiver.events(3)
    assert tv.webhooks.parse_event(json.dumps(unsubscribe)) == tv.webhooks.UnsubscribeEvent(**unsubscribe)
    assert (unsubscribe["event"], unsubscribe["phone_number"], unsubscribe["list_number"]) == (
        "unsubscribe", "+14155550100", LIST)
    assert (delivery["status"], delivery["status_detail"]) == ("rejected", "REJECTED_UNSUBSCRIBED")
    assert (reply["event"], reply["body"]) == ("reply", "what?")


def test_signature_scheme():
    body = b'{"event":"delivery"}'
    digest = tv.webhooks.sign(body, "s")
    assert len(digest) == 64 and tv.webhooks.verify_signature(body, "sha256=" + digest.upper(), "s")
    assert not tv.webhooks.verify_signature(body, None, "s") and not tv.webhooks.verify_signature(body, "x", "s")
