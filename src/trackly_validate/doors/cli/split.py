"""``trackly-validate split``: items -> bulk request bodies, each one the server accepts.

Items are cut into candidate bodies (``batching.batches``: the kind's item cap and
5 MiB), each candidate is judged by the pipeline for the bulk endpoint with the
``--extra`` top-level fields (``bulk.partition``: the server's per-item errors), and the
sendable items are packed again into the bodies written (so bodies stay full).
``--keep-invalid`` writes every item.  A problem of the body itself (a missing or bad
``--extra`` field) would refuse every body: a usage error.  ``phones``
(``/v1/phone/validate/batch``) has no per-item errors: the server answers a bad number
in its ``results[]``, so no phone is dropped.

Exit status: 0 every item sendable, 1 some item refused (dropped or kept), 2 a usage or
input error (the bodies before it are written).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter, deque
from typing import IO, Any, Iterator


from trackly_validate.core import decoding
from trackly_validate.core.keys import redact
from trackly_validate.doors.batching import KINDS, BatchItemTooLarge, batches
from trackly_validate.doors.bulk import partition
from trackly_validate.core.errors import TracklyError
from trackly_validate.core.options import DEFAULT_OPTIONS, Options
from trackly_validate.contracts.pipeline import run
from trackly_validate.contracts.routes import ROUTES, Route
from trackly_validate.doors.cli.check import endpoint_route
from trackly_validate.doors.cli.readers import InputError, open_input, read_records

__all__ = ["run_split", "split_route"]

from trackly_validate.doors.cli.info import PHONE_BATCH
SHOWN = 10  # refused items listed on stderr at most


def _kind_of(route: Route) -> str | None:
    return "phones" if route.key == PHONE_BATCH else route.items


def split_route(kind: str | None, endpoint: str | None) -> tuple[str, Route]:
    """The items' kind and the bulk endpoint they are sent to (``--kind``/``--endpoint``)."""
    if endpoint:
        route = endpoint_route(endpoint)
        found = _kind_of(route)
        if found is None:
            raise InputError(f"{route.key} is not a bulk endpoint; split needs one, e.g. POST /v2/send/bulk")
        if kind is not None and kind != found:
            raise InputError(f"--kind {kind} does not fit {route.key}, whose items are {found}")
        return found, route
    if kind is None:
        raise InputError("split needs --endpoint (e.g. 'POST /v2/send/bulk') or --kind")
    candidates = [r for r in ROUTES if _kind_of(r) == kind]
    if len(candidates) != 1:
        names = ", ".join(r.key for r in candidates)
        raise InputError(f"--kind {kind} fits several endpoints ({names}): choose one with --endpoint")
    return kind, candidates[0]


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null",
               int: "a number", float: "a number"}


def _item_schema(route: Route, kind: str) -> dict[str, Any]:
    """The JSON Schema of one item (types CSV cells), or ``{}``."""
    if kind == "phones":
        return {}
    full = route.model.model_json_schema()
    item = full.get("properties", {}).get(kind, {}).get("items", {})
    return {"$defs": full.get("$defs", {}), **item} if isinstance(item, dict) else {}


def _items(name: str, stream: IO[bytes], kind: str, route: Route, input_format: str,
           lines: deque[int]) -> Iterator[Any]:
    """The items of a file, each line number appended to ``lines``; a usage error for an
    item that is not JSON or does not fit the kind."""
    for line, raw in read_records(name, stream, input_format, lambda: _item_schema(route, kind)):
        # an item is read as the server reads a body: NaN is not JSON, a lone surrogate escape is
        item = decoding.parse(raw) if isinstance(raw, bytes) else raw
        if item is decoding.NOT_JSON:
            raise InputError(f"{name}:{line}: not valid JSON")
        if kind == "phones" and isinstance(item, dict) and len(item) == 1 and not isinstance(raw, bytes):
            item = next(iter(item.values()))  # a one-column CSV/Parquet of numbers
        wanted = str if kind == "phones" else dict
        if not isinstance(item, wanted):
            what = "phone number strings" if kind == "phones" else f"{kind} as JSON objects"
            raise InputError(f"{name}:{line}: --kind {kind} takes {what}, got {_JSON_TYPES.get(type(item), 'a value')}")
        lines.append(line)
        yield item


def _body_problem(p: Any) -> InputError:
    where = f" at {p.path}" if p.path else ""
    return InputError(f"every body would be refused: {p.code} ({p.status}){where}: {p.error} "
                      "(top-level fields come from --extra)")


def run_split(name: str, kind: str | None, out_dir: str, prefix: str, extra: str | None, input_format: str,
              out: IO[str] | None = None, endpoint: str | None = None, keep_invalid: bool = False,
              options: Options = DEFAULT_OPTIONS) -> int:
    """The ``split`` command; returns the exit status."""
    if kind is not None and kind not in KINDS:
        raise InputError(f"--kind must be one of: {', '.join(KINDS)}")
    fields: Any = {}
    if extra:
        try:
            fields = json.loads(extra)
        except ValueError:
            fields = None
        if not isinstance(fields, dict):
            raise InputError("--extra must be a JSON object")
    kind, route = split_route(kind, endpoint)
    stream = open_input(name)
    lines: deque[int] = deque()
    refused: Counter[str] = Counter()
    shown = [0]

    stopped: list[Exception] = []

    def sendable() -> Iterator[Any]:
        """The items of each candidate body that the server would accept (all with
        --keep-invalid).  An item that cannot be sent ends the items (``stopped``), so
        the bodies before it are still written."""
        try:
            yield from _judged()
        except TracklyError as exc:  # BatchItemTooLarge too
            stopped.append(exc)

    def _judged() -> Iterator[Any]:
        for body in batches(_items(name, stream, kind, route, input_format, lines), kind, extra=fields):
            items = body[kind]
            at = [lines.popleft() for _ in items]
            if route.items is None:  # phones: the body alone can be refused
                problems = run(route, body, options).problems
                if problems:
                    raise _body_problem(problems[0])
                yield from items
                continue
            part = partition(route.method, route.template, body, options=options)
            if part.problems:
                raise _body_problem(part.problems[0])
            for error in part.errors:
                refused[error["code"]] += 1
                if shown[0] < SHOWN:
                    shown[0] += 1
                    sys.stderr.write(redact(f"{name}:{at[error['index']]}: {error['code']}: {error['error']}\n"))
            yield from (items if keep_invalid else part.accepted)

    to_stdout = out_dir == "-"
    if not to_stdout:
        try:
            os.makedirs(out_dir, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot write {out_dir}: {exc.strerror or exc}") from None
    written = count = 0
    try:
        for written, body in enumerate(batches(sendable(), kind, extra=fields), 1):
            count += len(body[kind])
            data = decoding.encode(body) or b"{}"  # as the pipeline measured it (lone surrogates as escapes)
            if to_stdout:
                target = out or sys.stdout
                target.write(data.decode("utf-8") + "\n")
                target.flush()
            else:
                with open(os.path.join(out_dir, f"{prefix}-{written:05d}.json"), "wb") as fh:
                    fh.write(data)
        if stopped:
            raise stopped[0]
    except BatchItemTooLarge as exc:
        line = lines[-1] if lines else 0  # the item that stopped the split
        raise InputError(f"{name}:{line}: the item alone needs a {exc.size}-byte body, "
                         f"over the {exc.limit}-byte limit") from None
    except BrokenPipeError:
        raise
    except TracklyError as exc:
        raise InputError(f"{name}:{lines[-1] if lines else 0}: {exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"cannot read {name}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"cannot write {out_dir}: {exc.strerror or exc}") from None
    except InputError as exc:
        message = str(exc)
        raise InputError(message if message.startswith((name, "cannot ", "--")) else f"{name}: {message}") from None
    finally:
        if stream is not getattr(sys.stdin, "buffer", None):
            stream.close()
    bad = sum(refused.values())
    if bad > shown[0]:
        sys.stderr.write(f"... and {bad - shown[0]} more refused {kind} (not listed)\n")
    where = "stdout" if to_stdout else out_dir
    summary = f"{count} {kind} in {written} request bodies -> {where}"
    bad = sum(refused.values())
    if bad:
        codes = ", ".join(f"{code}: {n}" for code, n in refused.most_common())
        summary += f"; {bad} refused {kind} {'kept' if keep_invalid else 'dropped'} ({codes})"
    sys.stderr.write(summary + "\n")
    return 1 if bad else 0
