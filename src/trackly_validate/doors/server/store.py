"""The stand-in's account state: an embedded SQLite database (stdlib ``sqlite3``).

Tables
------
- ``resources(tbl, id, data)``: one JSON row per resource (``lists``, ``offers``,
  ``creatives``, ``schedules``, ``audiences``, ``contacts``, ``list_contacts``,
  ``messages``, ``history_sends``, ``clicks``, ``revenue``...), loaded from the fixtures
  and added to by the requests the stand-in accepts, so a created resource exists after.
  A row keeps its ``rowid`` when it is updated (an upsert, not a replace), so ``rowid``
  order is creation order.
- ``counters(name, n)``: the daily send count, the next creative id, the next row number.
- ``meta(name, value)``: whether the fixtures were loaded.

Every lookup column (:data:`INDEXED`) has an expression index, and a table's key column
is its primary key: a lookup costs the same at 100 contacts and at 100,000.

Where it lives: ``Store(path=...)`` a file kept across restarts (``trackly-validate serve
--db PATH``); without a path a throw-away database in a temporary directory, removed on
close (state is not kept).  The database runs in WAL mode: one writer at a time (a lock
around :meth:`transaction` and every single write), readers on their own per-thread
connections never wait for it.

The account itself (suspended, products, daily cap, key digests) is plain attributes,
read from the fixtures at every start.  With no fixtures at all the store is *open*:
every referenced resource exists.

API keys are kept only as SHA-256 digests: the fixtures' keys never sit in the store, the
log or a response.  The request log is :class:`RequestLog` (memory, bounded in bytes).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import tempfile
import threading
from collections import deque
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from pydantic_core import to_json

__all__ = ["Store", "RequestLog", "load_fixtures", "FIXTURE_TABLES", "INDEXED"]

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

#: Columns looked up or filtered on (each has an index on ``(tbl, value as text)``).
INDEXED = ("id", "phone_number", "list_number", "from_phone_number_id", "message_id", "status", "active",
           "imported")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (tbl TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
                                      PRIMARY KEY (tbl, id));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _expr(column: str) -> str:
    """The SQL of a column's value as text (literal path: the expression indexes match it)."""
    if not _NAME.match(column):
        raise ValueError(f"not a column name: {column!r}")
    return f"CAST(json_extract(data, '$.\"{column}\"') AS TEXT)"


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
    """The simulated account (thread-safe; see the module docstring)."""

    def __init__(self, fixtures: Mapping[str, Any] | None = None, *, path: str | Path | None = None,
                 reset: bool = False, defaults: Mapping[str, Mapping[str, Any]] | None = None):
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
        self._tmpdir = tempfile.mkdtemp(prefix="trackly-standin-") if path is None else None
        self.path = str(Path(self._tmpdir) / "state.db") if self._tmpdir else str(path)
        self.kept = path is not None
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._defaults = dict(defaults or {})
        self._db = self._connect()
        self._db.execute("PRAGMA journal_mode=WAL")
        with self._lock:
            if reset:
                self._db.executescript("DROP TABLE IF EXISTS resources; DROP TABLE IF EXISTS counters; "
                                       "DROP TABLE IF EXISTS meta;")
            self._db.executescript(_SCHEMA)
            for column in INDEXED:
                self._db.execute(f"CREATE INDEX IF NOT EXISTS ix_{column} ON resources (tbl, {_expr(column)})")
            # a list's active contacts (contact_count, GET /v2/contacts?list_number=&active=) counted in the index
            self._db.execute(f"CREATE INDEX IF NOT EXISTS ix_list_active ON resources "
                             f"(tbl, {_expr('list_number')}, {_expr('active')})")
            self._fixtures = fx
        seeded = self._db.execute("SELECT value FROM meta WHERE name = 'seeded'").fetchone()
        if seeded is None:
            self.reset()

    def reset(self) -> None:
        """Empty the state and load the fixtures again (one transaction: readers see the
        old state or the new one)."""
        with self.transaction():
            for table in ("resources", "counters", "meta"):
                self._db.execute(f"DELETE FROM {table}")
            self._seed(self._fixtures)
            self._db.execute("INSERT INTO meta (name, value) VALUES ('seeded', ?)", (_now(),))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        # a kept file survives a crash of this process (WAL + NORMAL); a throw-away one need not
        db.execute("PRAGMA synchronous=NORMAL" if self.kept else "PRAGMA synchronous=OFF")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    def _seed(self, fx: Mapping[str, Any]) -> None:
        """The fixtures' resources, with the documented defaults of the fields they leave out
        (``defaults``: table -> field -> value), so filters see them."""
        for table, key in FIXTURE_TABLES.items():
            defaults = self._defaults.get(table, {})
            for row in fx.get(table) or ():
                if isinstance(row, dict):
                    ids = {part: row[part] for part in ("id", *key.split("+")) if part in row}
                    if table in ("contacts", "list_contacts") and "id" not in row:  # ObjectId-shaped, stable
                        ids["id"] = hashlib.sha256(self.row_id(row, key).encode()).hexdigest()[:24]
                    if table == "list_contacts" and "list_id" not in row:
                        found = self.find("lists", "phone_number", row.get("list_number"))
                        ids["list_id"] = found.get("id") if found else None
                    self.put(table, {**ids, **defaults, **row}, key)
                elif isinstance(row, (str, int)) and "+" not in key:  # a bare id: {"id": ...}
                    self.put(table, {**defaults, key: row}, key)
            if table == "creatives":  # new creative ids continue after the fixtures' highest
                top = max([int(r["id"]) for r in fx.get(table) or () if isinstance(r, dict)
                           and str(r.get("id", "")).isdigit()] + [100])
                self._db.execute("INSERT OR REPLACE INTO counters (name, n) VALUES ('creatives.id', ?)", (top,))

    # --- connections and transactions ------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """The writer's connection inside a transaction of this thread, else this thread's
        reader (WAL: it sees the last commit and never waits for the writer)."""
        if getattr(self._local, "writing", 0):
            return self._db
        reader = getattr(self._local, "reader", None)
        if reader is None:
            if self._closed:
                raise sqlite3.ProgrammingError("the store is closed")
            reader = self._connect()
            self._local.reader = reader
            with self._readers_lock:
                self._readers.append(reader)
        return reader

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One writer at a time: what runs inside reads its own writes and commits at once
        (or not at all when it raises)."""
        with self._lock:
            if getattr(self._local, "writing", 0):  # nested: part of the outer one
                self._local.writing += 1
                try:
                    yield
                finally:
                    self._local.writing -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._local.writing = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._local.writing = 0

    def _write(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, tuple(args))

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
        """Insert ``row`` (identified by its ``key`` column(s)), or update the row with that
        key in place."""
        data = _dumps(row)
        row_id = self.row_id(row, key)
        if all(part in ("", "None") for part in row_id.split("\x1f")):  # no id given: a row of its own
            row_id = f"\x00{self.next_number('rows')}"
        self._write("INSERT INTO resources (tbl, id, data) VALUES (?, ?, ?) "
                    "ON CONFLICT (tbl, id) DO UPDATE SET data = excluded.data", (table, row_id, data))

    def insert(self, table: str, row: Mapping[str, Any], key: str = "id") -> bool:
        """Insert ``row`` only if no row has its key: ``False`` when one does (nothing written)."""
        found = self._write("INSERT OR IGNORE INTO resources (tbl, id, data) VALUES (?, ?, ?)",
                            (table, self.row_id(row, key), _dumps(row)))
        return bool(found.rowcount)

    def next_number(self, name: str, floor: int = 0) -> int:
        """The next number of a counter (creative ids): never one handed out before."""
        with self.transaction():
            self._db.execute("INSERT INTO counters (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                             "SET n = MAX(n, excluded.n - 1) + 1", (name, floor + 1))
            return int(self._db.execute("SELECT n FROM counters WHERE name = ?", (name,)).fetchone()[0])

    def get(self, table: str, row_id: Any) -> dict[str, Any] | None:
        found = self._conn().execute("SELECT data FROM resources WHERE tbl = ? AND id = ?",
                                     (table, _text(row_id))).fetchone()
        return json.loads(found[0]) if found else None

    def find(self, table: str, column: str, value: Any) -> dict[str, Any] | None:
        """The first row of ``table`` whose ``column`` (``a+b`` for several, with a tuple
        ``value``) equals ``value``, compared as text (list id ``42`` matches ``"42"``)."""
        columns = column.split("+")
        values = value if isinstance(value, tuple) else (value,)
        if len(values) != len(columns):
            return None
        if FIXTURE_TABLES.get(table) == column:  # the table's own key: its primary key
            return self.get(table, "\x1f".join(_text(v) for v in values))
        where = " AND ".join(f"{_expr(col)} = ?" for col in columns)
        found = self._conn().execute(f"SELECT data FROM resources WHERE tbl = ? AND {where} LIMIT 1",
                                     [table, *(_text(v) for v in values)]).fetchone()
        return json.loads(found[0]) if found else None

    def count(self, table: str) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM resources WHERE tbl = ?", (table,)).fetchone()[0])

    def delete(self, table: str, where: Iterable[tuple[str, Any]] = ()) -> int:
        """Delete the rows of ``table`` matching every ``(column, value)``; how many went."""
        sql = "DELETE FROM resources WHERE tbl = ?"
        args: list[Any] = [table]
        for col, val in where:
            sql += f" AND {_expr(col)} = ?"
            args.append(_text(val))
        return int(self._write(sql, args).rowcount)

    def delete_rows(self, table: str, test: Callable[[dict[str, Any]], bool],
                    where: Iterable[tuple[str, Any]] = ()) -> int:
        """Delete the rows of ``table`` matching every ``(column, value)`` for which ``test``
        is true; how many went."""
        sql, args = "SELECT id, data FROM resources WHERE tbl = ?", [table]
        for col, val in where:
            sql += f" AND {_expr(col)} = ?"
            args.append(_text(val))
        with self.transaction():
            gone = [row_id for row_id, data in self._db.execute(sql, args).fetchall() if test(json.loads(data))]
            self._db.executemany("DELETE FROM resources WHERE tbl = ? AND id = ?", [(table, i) for i in gone])
        return len(gone)

    def rows(self, table: str) -> list[dict[str, Any]]:
        found = self._conn().execute("SELECT data FROM resources WHERE tbl = ? ORDER BY rowid", (table,)).fetchall()
        return [json.loads(r[0]) for r in found]

    def page(self, table: str, *, equal: Iterable[tuple[str, Any]] = (), hidden: Iterable[tuple[str, Any]] = (),
             newest_first: bool = False, limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """One page of ``table``: rows whose columns equal the ``equal`` values and differ
        from the ``hidden`` ones, in creation order (or newest first); and how many match."""
        where = "tbl = ?"
        args: list[Any] = [table]
        for col, val in equal:
            where += f" AND {_expr(col)} = ?"
            args.append(_text(val))
        for col, val in hidden:
            where += f" AND {_expr(col)} IS NOT ?"
            args.append(_text(val))
        db = self._conn()
        total = int(db.execute(f"SELECT COUNT(*) FROM resources WHERE {where}", args).fetchone()[0])
        sql = f"SELECT data FROM resources WHERE {where} ORDER BY rowid {'DESC' if newest_first else 'ASC'}"
        if limit is not None:
            if offset >= 2**62:  # past any table's end
                return [], total
            sql += " LIMIT ? OFFSET ?"
            args = [*args, limit, offset]
        return [json.loads(r[0]) for r in db.execute(sql, args).fetchall()], total

    # --- the daily send count --------------------------------------------------------------------------

    def sent_today(self) -> int:
        found = self._conn().execute("SELECT n FROM counters WHERE name = ?", (_today(),)).fetchone()
        return int(found[0]) if found else 0

    def add_sent(self, n: int) -> None:
        self._write("INSERT INTO counters (name, n) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET n = n + excluded.n", (_today(), n))

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with self._readers_lock:
                for reader in self._readers:
                    try:
                        reader.close()
                    except sqlite3.Error:  # pragma: no cover - another thread's connection mid-use
                        pass
                self._readers.clear()
            self._db.close()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


class RequestLog:
    """The request log, bounded in bytes: entries are kept as JSON text, the oldest dropped
    once they hold more than ``max_bytes``; a body longer than ``max_body`` is kept as its
    first ``max_body`` characters (``body_truncated``)."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024, max_body: int = 64 * 1024):
        self.max_bytes, self.max_body = max_bytes, max_body
        self._entries: deque[str] = deque()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._size

    def add(self, entry: dict[str, Any]) -> None:
        body = entry.get("body")
        if body is not None and not isinstance(body, str) and len(_dumps(body)) > self.max_body:
            body = _dumps(body)
        if isinstance(body, str) and len(body) > self.max_body:
            entry = {**entry, "body": body[:self.max_body], "body_truncated": True}
        text = _dumps(entry)
        with self._lock:
            self._entries.append(text)
            self._size += len(text)
            while self._size > self.max_bytes and self._entries:
                self._size -= len(self._entries.popleft())

    def json(self) -> bytes:
        """``{"requests": [...]}`` as JSON bytes (the entries are already JSON text)."""
        with self._lock:
            entries = list(self._entries)
        return b'{"requests":[' + ",".join(entries).encode("utf-8", "surrogatepass") + b"]}"

    def clear(self) -> int:
        with self._lock:
            n = len(self._entries)
            self._entries.clear()
            self._size = 0
        return n


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


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _today() -> str:
    return "sent:" + datetime.now(timezone.utc).date().isoformat()
