"""Logs that stay useful under attack: one line per class of event, with counts, at most
once per :data:`INTERVAL` seconds per class, and no traceback for what clients do.

- :class:`EventLog`: the servers' own events (an upstream failure, a client gone
  mid-request, a request timed out, a connection over the limit).  The first event of a
  class is logged at once; later ones are counted and the count is logged with the next
  line of that class once the interval has passed (and at shutdown by :meth:`flush`).
- :class:`QuietFilter`: the same rate for the lines uvicorn and asyncio write (an invalid
  request, an exception in the app, ``accept()`` out of file descriptors); a traceback is
  kept only for what is not the client's doing (a client gone, a connection reset).

Nothing here formats a header, a query or a body: callers pass redacted paths.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import IO, Any

__all__ = ["EventLog", "QuietFilter", "quiet_server_logs", "proxy_logs_to", "INTERVAL"]

#: Seconds between two lines of the same class.
INTERVAL = 10.0

#: Exceptions that are a client's doing (it went away, reset the connection): no traceback.
_CLIENT_CAUSED = ("ClientDisconnect", "ClientGone", "ConnectionResetError", "BrokenPipeError",
                  "ConnectionAbortedError", "CancelledError")


class EventLog:
    """Counted, rate-limited event lines on ``logger``."""

    def __init__(self, logger: logging.Logger, interval: float = INTERVAL):
        self.logger = logger
        self.interval = interval
        self.counts: Counter[str] = Counter()  # every event since start, by class
        self._held: Counter[str] = Counter()  # events not yet logged, by class
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def note(self, kind: str, detail: str = "", level: int = logging.WARNING) -> None:
        """One event of class ``kind``; ``detail`` (already redacted) describes this one."""
        now = time.monotonic()
        with self._lock:
            self.counts[kind] += 1
            last = self._last.get(kind)
            if last is not None and now - last < self.interval:
                self._held[kind] += 1
                return
            held, self._held[kind] = self._held[kind], 0
            self._last[kind] = now
        more = f" (+{held} more in the last {now - last:.0f} s)" if held and last is not None else ""
        self.logger.log(level, "%s%s%s", kind, f": {detail}" if detail else "", more)

    def flush(self) -> None:
        """The counts not yet logged, one line per class."""
        with self._lock:
            held = {k: n for k, n in self._held.items() if n}
            self._held.clear()
        for kind, n in sorted(held.items()):
            self.logger.warning("%s: +%d more since the last line", kind, n)


class QuietFilter(logging.Filter):
    """Rate-limits the lines of uvicorn's and asyncio's loggers by message, and drops the
    traceback of an exception a client caused."""

    def __init__(self, interval: float = INTERVAL):
        super().__init__()
        self.interval = interval
        self._last: dict[tuple[str, str], float] = {}
        self._held: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        client_caused = exc is not None and _caused_by_client(exc)
        kind = (record.name, f"{record.msg}" + (f" ({type(exc).__name__})" if exc is not None else ""))
        now = time.monotonic()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.interval:
                self._held[kind] += 1
                return False
            held, self._held[kind] = self._held[kind], 0
            self._last[kind] = now
        if client_caused:
            record.msg = f"{record.msg} ({type(exc).__name__}: the client's doing)"
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        if held:
            record.msg = f"{record.msg} (+{held} more like it)"
        return True


def _caused_by_client(exc: BaseException) -> bool:
    seen: Any = exc
    for _ in range(5):  # the exception and what it was raised from
        if seen is None:
            return False
        if type(seen).__name__ in _CLIENT_CAUSED:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


_FILTER = QuietFilter()


def quiet_server_logs() -> None:
    """Install the filter on uvicorn's and asyncio's loggers (once)."""
    for name in ("uvicorn.error", "asyncio"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def proxy_logs_to(stream: IO[str]) -> None:
    """The proxy's log lines (upstream failures, clients gone, counts at start and shutdown)
    and its connections' (timeouts, invalid requests, over the limit) on ``stream``."""
    for name in ("trackly_validate.proxy", "trackly_validate.doors.server"):
        logger = logging.getLogger(name)
        if not any(getattr(h, "stream", None) is stream for h in logger.handlers):
            handler = logging.StreamHandler(stream)
            handler.setFormatter(logging.Formatter("trackly-validate proxy: %(message)s"))
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
