"""A request to a modelled endpoint, judged as the Trackly server's middleware judges it -
the one sequence every HTTP door runs (the client hooks, FastAPI, the stand-in, the proxy)::

    body     : express.json (reader.py): 415 / 413 / 400 before anything else
    key      : X-Api-Key (401), unless the door has no key to check
    account  : the stand-in's account state (suspended 403, product off 403)
    rules    : the one request pipeline - a bulk request through its partition: problems
               only in items are the API's partial success (200 with ``errors[]``), not a
               refusal

:func:`judge` takes a body already read; :func:`judge_bytes` reads one held in memory (the
client hooks); :func:`admit` reads an ASGI request's body chunk by chunk and reads a refused
body off before answering, as body-parser does (``dump`` in read.js), so a client that
sends its whole body without waiting for ``100-continue`` still receives its answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable

from trackly_validate.core.keys import check_api_key
from trackly_validate.doors.bulk import Partition, partition_route
from trackly_validate.core.catalog import C
from trackly_validate.core.errors import Problem, TracklyValidationError, codeless_body, error_body
from trackly_validate.core.options import Options
from trackly_validate.contracts.pipeline import in_server_order, is_parser_refusal, run, too_large
from trackly_validate.contracts.routes import Route
from trackly_validate.contracts.translate import problem
from trackly_validate.doors.http.reader import Body, BodyReader, Refusal, header, read_bytes, reading

__all__ = ["Refused", "Admitted", "ClientGone", "judge", "judge_bytes", "admit", "drain", "DRAIN_LIMIT"]

#: How much of a refused body is read off before answering: past this the connection is
#: closed instead (Express reads it all; a cap keeps a hostile client from holding a worker).
DRAIN_LIMIT = 64 * 1024 * 1024


class ClientGone(Exception):
    """Raised by a door's body stream when the client went away before the body's end."""


#: What body-parser answers a body cut off by the client (raw-body's ``request.aborted``):
#: nobody receives it, but the request is never acted on.
ABORTED = Refusal(400, "request aborted")


@dataclass(frozen=True, slots=True)
class Refused:
    """A request the server answers with an error: ``problems`` in the server's order (the
    first is its answer), or none for the body parser's codeless 415 / a suspended account
    (``status`` and ``error`` say it).  ``close``: the rest of the body was not read."""

    route: Route | None
    status: int
    error: str
    problems: tuple[Problem, ...] = ()
    close: bool = False

    @classmethod
    def of(cls, problems: list[Problem] | tuple[Problem, ...], route: Route | None = None) -> "Refused":
        return cls(route, problems[0].status, problems[0].error, tuple(problems))

    @property
    def code(self) -> str | None:
        return self.problems[0].code if self.problems else None

    def answer(self) -> dict[str, Any]:
        """The one error answer (``trackly_validate.doors.http.answer``)."""
        return error_body(self.problems) if self.problems else codeless_body(self.error)

    def exception(self) -> TracklyValidationError:
        return TracklyValidationError(self.problems, status=self.status, error=self.error)


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request the server accepts: the body as read (``body.raw`` the bytes received,
    ``body.json`` what express.json read, ``None`` when it left the body unread), the path
    parameters, for a bulk request its partition (``split.item_problems``: the items
    the server reports in ``errors[]``), and ``data``: the body as JSON data, as the
    pipeline read it (the stand-in answers from it: nothing parses the body again)."""

    route: Route
    params: dict[str, str]
    path: str | None
    body: Body
    split: Partition | None
    data: Any = None

    @property
    def item_problems(self) -> tuple[Problem, ...]:
        return self.split.item_problems if self.split is not None else ()


Account = Callable[[Route], "Refused | None"]


def judge(route: Route, body: Body | Refusal, key_problems: list[Problem], options: Options, *,
          path: str | None = None, params: dict[str, str] | None = None,
          account: Account | None = None) -> Refused | Admitted:
    """The server's verdict on a request whose body was read (or refused) by the reader."""
    if isinstance(body, Refusal):
        if body.status == 415:
            return Refused(route, 415, body.message)
        first = too_large(route) if body.too_large else problem(C.invalid_input, route)
        return Refused.of([first, *key_problems], route)
    split: Partition | None = None
    data: Any = None
    if route.reads:  # a read contract: no body rules, only the key and the account
        if key_problems:
            return Refused.of(key_problems, route)
        stopped = account(route) if account is not None else None
        return stopped if stopped is not None else Admitted(route, params or {}, path, body, None)
    if route.items:  # only request-level problems refuse a bulk request; all are listed
        split = partition_route(route, body.judged, options, path=path, limit=None)
        refusing, found = list(split.problems), [*split.problems, *split.item_problems]
        data = split.source
    else:
        outcome = run(route, body.judged, options, path=path, limit=None, instance=False)
        refusing = found = outcome.problems
        data = outcome.data
    ordered = in_server_order(found, key_problems) if refusing or key_problems else []
    if ordered and (key_problems or is_parser_refusal(ordered[0])):
        return Refused.of(ordered, route)
    if account is not None:
        stopped = account(route)
        if stopped is not None:
            return stopped
    if ordered:
        return Refused.of(ordered, route)
    return Admitted(route, params if params is not None else {}, path, body, split, data)


def judge_bytes(route: Route, headers: Any, data: bytes, options: Options, *, path: str | None = None,
                check_key: bool = True) -> Refused | Admitted:
    """A request held in memory (a client hook's): its headers, its body bytes as they
    will be sent."""
    keys = check_api_key(header(headers, "x-api-key")) if check_key else []
    return judge(route, read_bytes(headers, data), keys, options, path=path)


async def admit(route: Route, headers: Any, stream: AsyncIterator[bytes], options: Options, *,
                path: str | None = None, params: dict[str, str] | None = None, check_key: bool = True,
                key_known: Callable[[str], bool] | None = None, account: Account | None = None,
                keep_raw: bool = True) -> Refused | Admitted:
    """An ASGI request read chunk by chunk and judged.  A body express.json does not read
    (another type) is not consumed: the door drains it or streams it on.  A refused body
    is read off (up to :data:`DRAIN_LIMIT`) before the answer; one refused from its
    declared length with ``Expect: 100-continue`` is not asked for at all."""
    keys = check_api_key(header(headers, "x-api-key")) if check_key else []
    if check_key and not keys and key_known is not None and not key_known(header(headers, "x-api-key") or ""):
        keys = [problem(C.invalid_api_key, route, ("X-Api-Key",))]
    how = reading(headers)
    body: Body | Refusal
    if how.refused is not None:
        body = how.refused
        waits = (header(headers, "expect") or "").strip().lower() == "100-continue"
        closed = waits or not await drain(stream)
    elif how.parsed:
        reader = BodyReader(how, keep_raw=keep_raw)
        try:
            async for chunk in stream:
                if reader.feed(chunk) is not None:
                    break
        except ClientGone:  # cut off: never judged on the part that came
            body, closed = ABORTED, True
        else:
            body = reader.finish()
            closed = isinstance(body, Refusal) and not await drain(stream)
    else:
        body, closed = Body(b"", None), False
    verdict = judge(route, body, keys, options, path=path, params=params, account=account)
    if closed and isinstance(verdict, Refused):
        return Refused(verdict.route, verdict.status, verdict.error, verdict.problems, close=True)
    return verdict


async def drain(stream: AsyncIterator[bytes], limit: int = DRAIN_LIMIT) -> bool:
    """Read a body nobody needs to its end, keeping none of it: ``False`` when it went past
    ``limit`` (the door closes the connection instead) or the client went away."""
    read = 0
    try:
        async for chunk in stream:
            read += len(chunk)
            if read > limit:
                return False
    except Exception:  # the client went away, or the stream was already consumed
        return False
    return True
