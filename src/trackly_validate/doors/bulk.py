"""Bulk endpoints: split a request into what the server would accept and its errors[]."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES, run
from trackly_validate.core.errors import Problem, TracklyError
from trackly_validate.core.options import Options, coerce_options
from trackly_validate.contracts.routes import Route, resolve

__all__ = ["Partition", "partition", "partition_route"]


@dataclass(frozen=True, slots=True)
class Partition:
    """The outcome of a bulk request, as the server would report it.

    - ``accepted``: the items the server would queue, as given (never copied or changed);
      ``accepted_indices`` their positions in the request.
    - ``errors``: one entry per refused item, shaped like the server's ``errors[]``:
      ``{"index", <echoed fields>, "code", "error"}`` (``to_msisdn`` on v1,
      ``phone_number`` on contacts, ``id`` on history sends).
    - ``problems``: request-level problems (``missing_messages``, ``too_many_messages``,
      ``payload_too_large``…).  When there are any the server refuses the whole request,
      so nothing is accepted.
    - ``item_problems``: every problem found in the items, each with its ``loc``
      (``("messages", 3, "to")``), the server's order.
    """

    route: Route
    accepted: tuple[Any, ...]
    accepted_indices: tuple[int, ...]
    errors: tuple[dict[str, Any], ...]
    problems: tuple[Problem, ...]
    source: Any = None
    item_problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the request would be accepted as a whole (some items may still fail)."""
        return not self.problems

    def body(self) -> dict[str, Any] | None:
        """A request body with only the accepted items (other top-level fields kept),
        or ``None`` when nothing would be accepted."""
        if self.problems or not self.accepted or not isinstance(self.source, dict):
            return None
        return {**self.source, self.route.items: list(self.accepted)}


def partition(method: str, path: str, body: Any, *, options: Options | None = None) -> Partition:
    """Split a bulk request into accepted items and server-shaped ``errors``.

    ``TracklyError`` when the route is not a bulk endpoint.
    """
    route = resolve(method, path)
    if route.items is None:
        raise TracklyError(f"{route.key} is not a bulk endpoint")
    return partition_route(route, body, coerce_options(options), path=path)


def partition_route(route: Route, body: Any, options: Options, *, path: str | None = None,
                    limit: int | None = MAX_PAYLOAD_BYTES) -> Partition:
    """:func:`partition` for a resolved bulk ``route`` (the HTTP doors: ``limit=None`` when
    the HTTP reader already held the body to the limit).  The items are split from the
    body as the pipeline read it (``Outcome.data``): the body is parsed once."""
    problems, _instance, data = run(route, body, options, path=path, limit=limit, instance=False)
    request: list[Problem] = []
    first: dict[int, Problem] = {}
    for p in problems:
        loc = p.loc
        if len(loc) >= 2 and loc[0] == route.items and isinstance(loc[1], int):
            first.setdefault(loc[1], p)
        else:
            request.append(p)
    items = data.get(route.items) if isinstance(data, dict) else None
    if not isinstance(items, list):
        items = []
    errors = []
    for index in sorted(first):
        p = first[index]
        entry: dict[str, Any] = {"index": index}
        item = items[index] if index < len(items) else None
        for name in route.echo:
            entry[name] = item.get(name) if isinstance(item, dict) else None
        entry["code"] = p.code
        entry["error"] = p.error
        errors.append(entry)
    if request:
        accepted: tuple[Any, ...] = ()
        indices: tuple[int, ...] = ()
    else:
        indices = tuple(i for i in range(len(items)) if i not in first)
        accepted = tuple(items[i] for i in indices)
    items_found = tuple(p for p in problems if len(p.loc) >= 2 and p.loc[0] == route.items and isinstance(p.loc[1], int))
    return Partition(route, accepted, indices, tuple(errors), tuple(request), data if isinstance(data, dict) else None,
                     items_found)
