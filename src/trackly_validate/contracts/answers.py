"""What an endpoint can answer: its error codes by HTTP status.

Read from the endpoint's contract and what its model can raise - the documented order
(server-state codes included), the rules in the model's schema and its declared
cross-field rules, the path rules, and the codes every body can get (``invalid_input``,
``payload_too_large``) - with each code's status on that endpoint from the catalog.
``auth=True`` adds the ``X-Api-Key`` answers (the stand-in server and the proxy check
the key; the FastAPI door does not).  Used to document responses (FastAPI's OpenAPI,
``tv.openapi()``).
"""

from __future__ import annotations

from typing import Callable

from trackly_validate.core.catalog import C, CATALOG
from trackly_validate.core.options import Options
from trackly_validate.contracts.routes import Route

__all__ = ["error_codes", "OPTION_GATED"]

#: Codes a local check raises only when an option turns their rule on.
OPTION_GATED: dict[str, Callable[[Options], bool]] = {
    C.geo_restricted.code: lambda o: o.allowed_countries is not None,
    C.not_sendable.code: lambda o: o.block_voip,
    C.missing_consent_method.code: lambda o: o.require_consent_method,
    C.too_many_contacts_with_validation.code: lambda o: o.validation_cap is not None,
}


def error_codes(route: Route, *, auth: bool = False, local_for: Options | None = None) -> dict[int, tuple[str, ...]]:
    """``{status: (code, ...)}`` for ``route``, statuses ascending, codes in the
    endpoint's documented order then alphabetically.

    ``local_for``: only the codes a local check with these options can raise (no
    server-state codes, no disabled rules, option-gated rules only when switched on)."""
    from trackly_validate.rules.compile import raisable_codes

    order = route.codes
    codes = set(order) | (raisable_codes(route.model) if not route.reads else set())  # a read has no body rules
    codes.update(rule.info.code for _name, rule in route.path_checks)
    codes.update((C.invalid_input.code, C.payload_too_large.code))
    if auth:
        codes.update((C.missing_api_key.code, C.invalid_api_key.code))
    by_status: dict[int, list[str]] = {}
    for code in codes:
        info = CATALOG.get(code)
        if info is None:  # pragma: no cover - the catalog test forbids unknown codes
            continue
        if local_for is not None and not (info.local and code not in local_for.disable
                                          and OPTION_GATED.get(code, _always)(local_for)):
            continue
        by_status.setdefault(route.status_for(info), []).append(code)
    rank = {code: i for i, code in enumerate(order)}
    return {status: tuple(sorted(found, key=lambda c: (rank.get(c, len(rank)), c)))
            for status, found in sorted(by_status.items())}


def _always(options: Options) -> bool:
    return True
