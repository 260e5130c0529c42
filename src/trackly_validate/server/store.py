"""The sandbox's account state: an embedded SQLite database (stdlib ``sqlite3``, in memory).

Tables
------
- ``resources(tbl, id, data)``: one JSON row per resource (``lists``, ``offers``,
  ``creatives``, ``schedules``, ``audiences``, ``contacts``, ``list_contacts``,
  ``messages``, ``history_sends``, ``clicks``, ``revenue``...), loaded from the fixtures
  and added to by the requests the sandbox accepts, so a created resource exists after.
- ``requests(seq, entry)``: the request log (API keys redacted before they get here).
- ``counters(name, n)``: the daily send count.

The account itself (suspended, products, daily cap, key digests) is plain attributes.
With no fixtures at all the store is *open*: every referenced resource exists.

API keys are kept only as SHA-256 digests: the fixtures' keys never sit in the store,
the log or a response.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from pydantic_core import to_json

__all__ = ["Store", "load_fixtures", "FIXTURE_TABLES"]

#: Fixture keys that are tables of resources, and the column that identifies a row.
FIXTURE_TABLES: dict[str, str] = {
    "lists": "id",
    "offers": "id",
    "creatives": "id",
    "schedules": "id",
    "audiences": "id",
    "contacts": "phone_number",
    "list_contacts": "phone_number+list_number",
    "messages": "id",
}

_SCHEMA = """
CREATE TABLE resources (tbl TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tbl, id));
CREATE TABLE requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
"""

_LOG_MAX = 1000  # requests kept in the log (the oldest are dropped)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def load_fixtures(source: str | Path | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Fixtures from a JSON file path or a mapping (``None`` stays ``None``)."""
    if source is None:
        return None
    if isinstance(source, Mapping):
        return dict(source)
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("the fixtures file must hold a JSON object")
    return data


class Store:
    """The simulated account (thread-safe: one connection behind a lock)."""

    def __init__(self, fixtures: Mapping[str, Any] | None = None):
        self.open = fixtures is None
        fx = dict(fixtures or {})
        keys = fx.get("api_keys") or ()
        if isinstance(keys, str):
            keys = (keys,)
        self._key_digests = frozenset(_digest(k) for k in keys if isinstance(k, str))
        self.suspended = bool(fx.get("suspended", False))
        self.products: dict[str, bool] = {str(k): bool(v) for k, v in dict(fx.get("products") or {}).items()}
        cap = fx.get("daily_cap")
        self.daily_cap: int | None = int(cap) if isinstance(cap, int) and not isinstance(cap, bool) else None
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)
        for table, key in FIXTURE_TABLES.items():
            for row in fx.get(table) or ():
                if isinstance(row, dict):
                    self.put(table, row, key)
                elif isinstance(row, (str, int)) and "+" not in key:  # a bare id: {"id": ...}
                    self.put(table, {key: row}, key)

    # --- the account -------------------------------------------------------------------------------

    def key_known(self, key: str) -> bool:
        """Whether ``key`` is one of the account's (any well-formed key without a key list)."""
        return not self._key_digests or _digest(key) in self._key_digests

    def product_enabled(self, product: str) -> bool:
        return self.products.get(product, True)

    # --- resources ----------------------------------------------------------------------------------

    @staticmethod
    def row_id(row: Mapping[str, Any], key: str) -> str:
        return "\x1f".join(_text(row.get(part)) for part in key.split("+"))

    def put(self, table: str, row: Mapping[str, Any], key: str = "id") -> None:
        """Insert or replace ``row`` (identified by its ``key`` column(s))."""
        data = _dumps(row)
        row_id = self.row_id(row, key)
        if all(part in ("", "None") for part in row_id.split("\x1f")):  # no id given: a row of its own
            row_id = f"\x00{self.count(table)}"
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO resources (tbl, id, data) VALUES (?, ?, ?)",
                             (table, row_id, data))

    def get(self, table: str, row_id: Any) -> dict[str, Any] | None:
        with self._lock:
            found = self._db.execute("SELECT data FROM resources WHERE tbl = ? AND id = ?",
                                     (table, _text(row_id))).fetchone()
        return json.loads(found[0]) if found else None

    def find(self, table: str, column: str, value: Any) -> dict[str, Any] | None:
        """The first row of ``table`` whose ``column`` (``a+b`` for several, with a tuple
        ``value``) equals ``value``, compared as text (list id ``42`` matches ``"42"``)."""
        columns = column.split("+")
        values = value if isinstance(value, tuple) else (value,)
        if len(values) != len(columns):
            return None
        where = " AND ".join("CAST(json_extract(data, ?) AS TEXT) = ?" for _ in columns)
        args: list[Any] = [table]
        for col, val in zip(columns, values):
            args += [f'$."{col}"', _text(val)]
        with self._lock:
            found = self._db.execute(f"SELECT data FROM resources WHERE tbl = ? AND {where} LIMIT 1",
                                     args).fetchone()
        return json.loads(found[0]) if found else None

    def count(self, table: str) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM resources WHERE tbl = ?", (table,)).fetchone()[0])

    def delete(self, table: str, where: Iterable[tuple[str, Any]] = ()) -> int:
        """Delete the rows of ``table`` matching every ``(column, value)``; how many went."""
        sql = "DELETE FROM resources WHERE tbl = ?"
        args: list[Any] = [table]
        for col, val in where:
            sql += " AND CAST(json_extract(data, ?) AS TEXT) = ?"
            args += [f'$."{col}"', _text(val)]
        with self._lock:
            return int(self._db.execute(sql, args).rowcount)

    def rows(self, table: str) -> list[dict[str, Any]]:
        with self._lock:
            found = self._db.execute("SELECT data FROM resources WHERE tbl = ? ORDER BY rowid", (table,)).fetchall()
        return [json.loads(r[0]) for r in found]

    # --- the daily send count --------------------------------------------------------------------------

    def sent_today(self) -> int:
        with self._lock:
            found = self._db.execute("SELECT n FROM counters WHERE name = ?", (_today(),)).fetchone()
        return int(found[0]) if found else 0

    def add_sent(self, n: int) -> None:
        with self._lock:
            self._db.execute("INSERT INTO counters (name, n) VALUES (?, ?) "
                             "ON CONFLICT(name) DO UPDATE SET n = n + excluded.n", (_today(), n))

    # --- the request log ---------------------------------------------------------------------------------

    def log(self, entry: Mapping[str, Any]) -> None:
        data = _dumps(entry)
        with self._lock:
            self._db.execute("INSERT INTO requests (entry) VALUES (?)", (data,))
            self._db.execute("DELETE FROM requests WHERE seq <= (SELECT MAX(seq) FROM requests) - ?", (_LOG_MAX,))

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            found = self._db.execute("SELECT entry FROM requests ORDER BY seq").fetchall()
        return [json.loads(r[0]) for r in found]

    def clear_requests(self) -> int:
        with self._lock:
            return int(self._db.execute("DELETE FROM requests").rowcount)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _dumps(value: Any) -> str:
    """JSON text as Node's JSON.stringify writes it: a non-finite number is ``null``."""
    return to_json(value, inf_nan_mode="null", fallback=str).decode("utf-8")


def _text(value: Any) -> str:
    """A value as SQLite's ``CAST(json_extract(...) AS TEXT)`` shows it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def _today() -> str:
    return "sent:" + datetime.now(timezone.utc).date().isoformat()
