"""The stand-in's delivery webhooks (messaging reference): ``serve --webhook-url URL
[--webhook-secret S]``.

Each message an accepted send queues produces one ``delivery`` event; an inbound SMS
simulated with ``POST /_sandbox/inbound`` produces an ``unsubscribe`` event (an opt-out
keyword: the contact is unsubscribed from the list, reason ``message``) or a ``reply``.
Events are POSTed as JSON to the URL, signed with ``X-Trackly-Signature`` (hex
HMAC-SHA256 of the raw body with the secret: :mod:`trackly_validate.models.webhooks`), by one
background thread, in order of their due time.  A failed delivery (no answer, or not
2xx) is retried on the documented schedule - 1 min, 5 min, 15 min, 1 h, 2 h - compressed
by :data:`COMPRESSION` (60 ms ... 7.2 s); after the fifth retry the event is dropped.

The outcome is chosen by the recipient, as Twilio's magic numbers do (:data:`OUTCOMES`);
a recipient unsubscribed from the list is not delivered to (``rejected``, inferred detail
``REJECTED_UNSUBSCRIBED``); ``REJECTED_DESTINATION`` removes the contact from the list, as
documented (unsubscribe reason ``invalid_contact``), with or without webhooks.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from trackly_validate.models.webhooks import OPT_OUT_KEYWORDS, SIGNATURE_HEADER, sign

__all__ = ["Webhooks", "WebhookSender", "WebhookRecorder", "OUTCOMES", "outcome_for", "REMOVES_CONTACT", "RETRY_MINUTES", "COMPRESSION", "event_time"]

log = logging.getLogger("trackly_validate.sandbox")

#: The documented retry schedule, in minutes (messaging reference).
RETRY_MINUTES = (1, 5, 15, 60, 120)
#: How much faster than the documented schedule the stand-in retries (1 min -> 60 ms).
COMPRESSION = 1000

#: Test numbers with a fixed outcome: recipient -> (status, status_detail).  Any other
#: number is delivered (``DELIVERED_TO_HANDSET``).
OUTCOMES: dict[str, tuple[str, str]] = {
    "+15005550001": ("undeliverable", "REJECTED_SPAM"),
    "+15005550002": ("expired", "EXPIRED"),
    "+15005550003": ("rejected", "REJECTED_DESTINATION"),
    "+15005550004": ("undeliverable", "REJECTED_ABSENT_SUBSCRIBER"),
    "+15005550005": ("pending", "PENDING_ENROUTE"),
}
DELIVERED = ("delivered", "DELIVERED_TO_HANDSET")
UNSUBSCRIBED = ("rejected", "REJECTED_UNSUBSCRIBED")


def outcome_for(to: Any, unsubscribed: bool) -> tuple[str, str]:
    """``(status, status_detail)`` of a message to ``to`` (see :data:`OUTCOMES`)."""
    return UNSUBSCRIBED if unsubscribed else OUTCOMES.get(str(to or ""), DELIVERED)


#: The outcome after which the contact is removed from the list (messaging reference).
REMOVES_CONTACT = "REJECTED_DESTINATION"


def event_time() -> str:
    """``2024-01-15T10:30:00.000Z``, the docs' timestamp form."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Webhooks:
    """Where events go: ``url``, signed with ``secret``; ``schedule`` the retry delays in seconds."""

    url: str
    secret: str = ""
    schedule: tuple[float, ...] = tuple(m * 60 / COMPRESSION for m in RETRY_MINUTES)
    timeout: float = 5.0


@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    body: bytes = field(compare=False)
    attempt: int = field(compare=False, default=0)


class WebhookSender:
    """One background thread posting events in order of their due time (see the module)."""

    def __init__(self, config: Webhooks, post: Callable[[str, bytes, dict[str, str], float], int] | None = None):
        self.config = config
        self._post = post or _post
        self._queue: list[_Pending] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self.delivered = 0
        self.failed_attempts = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="trackly-webhooks", daemon=True)
        self._thread.start()

    def emit(self, event: dict[str, Any]) -> None:
        body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        with self._cond:
            heapq.heappush(self._queue, _Pending(time.monotonic(), next(self._seq), body))
            self._cond.notify()

    def delivery(self, message: dict[str, Any], outcome: tuple[str, str]) -> None:
        status, detail = outcome
        self.emit({"event": "delivery", "message_id": message.get("id"), "to": str(message.get("to") or ""),
                   "list_number": message.get("list_number"), "status": status, "status_detail": detail,
                   "provider": "sandbox", "timestamp": event_time()})

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._queue or self._queue[0].due > time.monotonic()):
                    wait = self._queue[0].due - time.monotonic() if self._queue else None
                    self._cond.wait(timeout=wait)
                if self._closed:
                    return
                item = heapq.heappop(self._queue)
            self._send(item)

    def _send(self, item: _Pending) -> None:
        headers = {"Content-Type": "application/json", "User-Agent": "trackly-validate-sandbox"}
        if self.config.secret:
            headers[SIGNATURE_HEADER] = sign(item.body, self.config.secret)
        try:
            status = self._post(self.config.url, item.body, headers, self.config.timeout)
        except Exception:  # noqa: BLE001 - any failure to get an answer is a failed attempt
            status = 0
        if 200 <= status < 300:
            self.delivered += 1
            return
        self.failed_attempts += 1
        if item.attempt >= len(self.config.schedule):
            self.dropped += 1
            log.warning("webhook event dropped after %d retries", item.attempt)
            return
        with self._cond:
            delay = self.config.schedule[item.attempt]
            heapq.heappush(self._queue, _Pending(time.monotonic() + delay, next(self._seq), item.body,
                                                 item.attempt + 1))
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=self.config.timeout + 1)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the user's URL
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def opt_out_keyword(text: str) -> str | None:
    """The opt-out keyword an inbound SMS is (whole message, any case), else ``None``."""
    word = text.strip().upper()
    return word if word in OPT_OUT_KEYWORDS else None


class WebhookRecorder:
    """A webhook receiver for tests, on ``127.0.0.1`` and a free port: records every event
    POSTed to :attr:`url` and answers 204 (or 500 to the first ``fail`` ones, to see the
    retries).  ``events(n)`` waits for ``n`` events and returns them parsed
    (:mod:`trackly_validate.models.webhooks` models); each one's signature was checked with
    ``secret`` (``signed`` counts the good ones).  The pytest fixture ``trackly_webhooks``
    is one, wired to the ``trackly_sandbox``."""

    def __init__(self, secret: str = "whsec_trackly_sandbox", fail: int = 0):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.secret, self.fail = secret, fail
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.signed = 0
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                from trackly_validate.models.webhooks import verify_signature

                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with recorder._lock:
                    recorder.received.append((headers, body))
                    failing = len(recorder.received) <= recorder.fail
                    recorder.signed += verify_signature(body, headers.get("x-trackly-signature"), recorder.secret)
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/trackly-webhooks"
        self.config = Webhooks(self.url, secret)
        threading.Thread(target=self._server.serve_forever, name="trackly-webhook-recorder", daemon=True).start()

    def events(self, n: int = 1, timeout: float = 5.0) -> list[Any]:
        """The first ``n`` events delivered (failed attempts left out), parsed; fewer if
        ``timeout`` seconds pass first."""
        from trackly_validate.models.webhooks import parse_event

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) - min(self.fail, len(self.received)) >= n:
                    break
            time.sleep(0.01)
        with self._lock:
            delivered = self.received[self.fail:]
        return [parse_event(body) for _headers, body in delivered[:n]]

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self.signed = 0

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "WebhookRecorder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
