"""Validating chunks of records, in this process or in worker processes.

Every record goes through :func:`pipeline.run_many` (one endpoint) or
:func:`pipeline.run` with the request's path (request-log mode); nothing here sizes,
parses or validates a body itself.  A chunk's result is compact and picklable::

    (count, [(index, result), ...], bodies_json | None)

where only refused records are listed: ``result`` is a tuple of problem tuples
``(code, error, status, loc)``, or a ``str`` (the message for a request to an endpoint
that is not modelled).  ``bodies_json`` is the JSON of each body of an Arrow chunk,
when the caller writes records out.

:class:`Runner` keeps the order of the input and a bounded number of chunks in flight
(flat memory for any file size).  With one job, or an input of fewer than
:data:`SMALL_INPUT` records, no process is started: forking and feeding workers costs
more than it saves on a small file.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Iterator

from pydantic_core import to_json

from trackly_validate.core import decoding
from trackly_validate.core.catalog import C
from trackly_validate.core.errors import Problem
from trackly_validate.core.options import Options
from trackly_validate.contracts.pipeline import run, run_many
from trackly_validate.rules.validators import compiled
from trackly_validate.contracts.routes import Route, find, resolve, unknown_endpoint
from trackly_validate.doors.cli.readers import CHUNK, Chunk, arrow_bodies, cells_bodies, cells_frame, ipc_bytes

__all__ = ["Runner", "validate_chunk", "SMALL_INPUT", "ProblemRow"]

#: Inputs with fewer records than this are validated in this process, whatever --jobs.
SMALL_INPUT = 4 * CHUNK

ProblemRow = tuple[str, str, int, tuple[Any, ...]]  # (code, error, status, loc)
Result = tuple[int, list[tuple[int, Any]], "list[bytes] | None"]


def _rows(problems: list[Problem]) -> tuple[ProblemRow, ...]:
    return tuple((p.code, p.error, p.status, p.loc) for p in problems)


_NOT_AN_ENVELOPE: tuple[ProblemRow, ...] = ((C.invalid_input.code, C.invalid_input.message,
                                             C.invalid_input.status, ()),)


def envelope_result(raw: Any, options: Options) -> Any:
    """One request-log line ``{"method", "path", "body"}``: its problem rows (``()`` when
    accepted), or the message saying its endpoint is not modelled.  A line without
    ``body`` is checked as ``{}``; a ``body`` string is the body as sent."""
    # the line is read as the server reads a body (BOM, invalid UTF-8, lone surrogate escapes)
    env = decoding.parse(raw) if isinstance(raw, (bytes, str)) else raw
    if not (isinstance(env, dict) and isinstance(env.get("method"), str) and isinstance(env.get("path"), str)):
        return _NOT_AN_ENVELOPE
    method, path = env["method"], env["path"]
    route = find(method, path)
    if route is None:
        return str(unknown_endpoint(method, path))
    return _rows(run(route, env.get("body", {}), options, path=path).problems)


def validate_chunk(task: tuple[str, Any, bool], route: Route | None, options: Options,
                   path: str | None = None) -> Result:
    """Validate one chunk's ``(kind, payload, want_bodies)``; see the module docstring."""
    kind, payload, want_bodies = task
    if kind in ("arrow", "cells") and route is not None:
        return _columnar_chunk(kind, payload, want_bodies, route, options, path)
    bodies = arrow_bodies(payload) if kind == "arrow" else cells_bodies(payload) if kind == "cells" else payload
    refused: list[tuple[int, Any]] = []
    if route is None:
        for i, raw in enumerate(bodies):
            result = envelope_result(raw, options)
            if result:
                refused.append((i, result))
    else:
        for i, problems in enumerate(run_many(route, bodies, options, path=path)):
            if problems:
                refused.append((i, _rows(problems)))
    out = [to_json(b) for b in bodies] if want_bodies and kind == "arrow" else None
    return len(bodies), refused, out


def _columnar_chunk(kind: str, payload: Any, want_bodies: bool, route: Route, options: Options,
                    path: str | None) -> Result:
    """A Parquet/Arrow batch or a chunk of CSV cells through the column face
    (:func:`..columns.batches.refused_rows`): the rows it proves accepted are never
    turned into bodies; the others are judged by the pipeline, as every row was."""
    from trackly_validate.doors.columns.batches import Memo, refused_rows

    paths = None
    if kind == "arrow":
        frame, library = (payload if not isinstance(payload, bytes) else _ipc_batch(payload)), "pyarrow"
        count = frame.num_rows
    else:
        count = len(payload[1])
        view = cells_frame(payload)
        if len(view) != 2:  # cells a polars frame cannot hold as read: every row through the pipeline
            return validate_chunk(("dicts", cells_bodies(payload), False), route, options, path)
        (frame, paths), library = view, "polars"
    refused: list[tuple[int, Any]] = []
    hint = "file" if kind == "arrow" and not _WARNED.get(route.key) else None  # once per command
    if hint:
        _WARNED[route.key] = True
    names = tuple(frame.schema.names) if kind == "arrow" else tuple(payload[0])
    key = (route.key, options, path, names)
    memo = _MEMOS.get(key)
    if memo is None:  # the answers shared by refused rows, across the chunks of one layout
        if len(_MEMOS) >= 8:
            _MEMOS.clear()
        memo = _MEMOS[key] = Memo()
    for offset, _, found in refused_rows(frame, library, route, path, options, paths=paths, hint=hint, memo=memo):
        refused.extend((offset + i, _rows(problems)) for i, problems in found)
    out = None
    if want_bodies and kind == "arrow":
        out = [to_json(b) for b in arrow_bodies(frame)]
    return count, refused, out


_WARNED: dict[str, bool] = {}
_MEMOS: dict[Any, Any] = {}


def _ipc_batch(payload: bytes) -> Any:
    import pyarrow as pa

    return pa.ipc.open_stream(payload).read_next_batch()


# --- worker processes ----------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(route_key: str | None, options: Options, path: str | None) -> None:
    _WORKER["route"] = resolve(*route_key.split(" ", 1)) if route_key else None
    _WORKER["options"] = options
    _WORKER["path"] = path


def _work(task: tuple[str, Any, bool]) -> Result:
    return validate_chunk(task, _WORKER["route"], _WORKER["options"], _WORKER["path"])


def _context() -> Any:
    # fork where it is the platform's way: the workers inherit the imported library and
    # the compiled validator (no start-up imports); elsewhere the platform's default.
    # Not once polars is loaded here: its thread pool does not survive a fork (a forked
    # worker using it can hang), so the workers start fresh (spawn) and load their own.
    if sys.platform.startswith("linux") and "polars" not in sys.modules:
        return multiprocessing.get_context("fork")
    if "polars" in sys.modules:
        return multiprocessing.get_context("spawn")
    return multiprocessing.get_context()


class Runner:
    """Validates chunks in order, in ``jobs`` worker processes or in this one.

    ``pause``/``resume`` are called around starting the workers (the progress bar stops
    its refresh thread, so no thread runs while the process forks)."""

    def __init__(self, jobs: int, route: Route | None, options: Options,
                 pause: Callable[[], None] = lambda: None, resume: Callable[[], None] = lambda: None,
                 path: str | None = None):
        self.jobs, self.route, self.options, self.path = max(1, jobs), route, options, path
        self.pause, self.resume = pause, resume
        self.pool: ProcessPoolExecutor | None = None
        self.used_workers = False
        if route is not None:
            compiled(route.model, options)  # built once, here: forked workers inherit it

    def map(self, chunks: Iterator[Chunk], want_bodies: bool = False) -> Iterator[tuple[Chunk, Result]]:
        """``(chunk, result)`` for every chunk, in input order."""
        if self.jobs == 1:
            for chunk in chunks:
                yield chunk, validate_chunk((chunk.kind, chunk.payload, want_bodies), self.route, self.options, self.path)
            return
        first: list[Chunk] = []
        count = 0
        for chunk in chunks:  # a small input is not worth the workers
            first.append(chunk)
            count += len(chunk.lines)
            if count >= SMALL_INPUT:
                break
        if count < SMALL_INPUT and self.pool is None:
            for chunk in first:
                yield chunk, validate_chunk((chunk.kind, chunk.payload, want_bodies), self.route, self.options, self.path)
            return
        yield from self._parallel(first, chunks, want_bodies)

    def _parallel(self, first: list[Chunk], rest: Iterator[Chunk], want_bodies: bool) -> Iterator[tuple[Chunk, Result]]:
        if self.pool is None:
            self.pause()
            try:
                self.pool = ProcessPoolExecutor(self.jobs, mp_context=_context(), initializer=_init_worker,
                                                initargs=(self.route.key if self.route else None, self.options, self.path))
                self.pool.submit(int).result()  # the workers start now, while nothing else runs
            finally:
                self.resume()
            self.used_workers = True
        in_flight: deque[tuple[Chunk, Future[Result]]] = deque()
        limit = 2 * self.jobs  # chunks read ahead at most: memory stays flat

        def chunks() -> Iterator[Chunk]:
            yield from first
            yield from rest

        for chunk in chunks():
            assert self.pool is not None
            payload = ipc_bytes(chunk.payload) if chunk.kind == "arrow" else chunk.payload
            in_flight.append((chunk, self.pool.submit(_work, (chunk.kind, payload, want_bodies))))
            if len(in_flight) >= limit:
                done, future = in_flight.popleft()
                yield done, future.result()
        while in_flight:
            done, future = in_flight.popleft()
            yield done, future.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
