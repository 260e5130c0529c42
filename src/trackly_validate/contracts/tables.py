"""Tables keyed by the endpoint contract (:class:`~trackly_validate.contracts.routes.Route`).

A fact about an endpoint that is not a field of its contract lives in a table keyed by
the contract, built with :func:`route_table` when its module loads:

- entries are written under the route's key (``"POST /v2/send"``) and resolved to the
  contract by that exact key: an entry for no route fails the import, naming it;
- every contract of ``routes`` gets a value: its entry, else ``default(route)``; with no
  default, a missing entry fails the import, naming the route.  A default that cannot
  answer a route raises :class:`~trackly_validate.contracts.routes.ContractError` itself.

The result is read-only and keyed by the contract: ``TABLE[route]``, never a string.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Iterable, Mapping, TypeVar

from trackly_validate.contracts.routes import ContractError, Route

__all__ = ["route_table"]

T = TypeVar("T")


def route_table(name: str, entries: Mapping[str, T], routes: Iterable[Route],
                default: Callable[[Route], T] | None = None) -> Mapping[Route, T]:
    """``{route: value}`` for every route of ``routes`` (see the module docstring)."""
    routes = tuple(routes)
    by_key = {route.key: route for route in routes}
    stray = [key for key in entries if key not in by_key]
    if stray:
        raise ContractError(f"{name}: an entry for {', '.join(stray)}, which no route declares")
    table: dict[Route, T] = {}
    for route in routes:
        if route.key in entries:
            table[route] = entries[route.key]
        elif default is not None:
            table[route] = default(route)
        else:
            raise ContractError(f"{name}: no entry for {route.key}")
    return MappingProxyType(table)
