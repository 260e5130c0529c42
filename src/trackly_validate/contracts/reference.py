"""Reference tables generated from the catalog and the endpoint contracts.

``python -m trackly_validate.contracts.reference`` rewrites the README's code table (between its
``<!-- codes:start -->`` / ``<!-- codes:end -->`` markers) and ``docs/endpoints.md``;
tests fail when either is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from trackly_validate.core.catalog import CATALOG, CodeInfo
from trackly_validate.core.inferred import INFERRED_RULES
from trackly_validate.contracts.routes import READS, ROUTES, VERSION_STATUSES

__all__ = ["code_table", "endpoints_page", "update"]


def _status_text(info: CodeInfo) -> str:
    """``"400 (404 on `v1`, 404 on `POST /v2/links/shorten`)"``: the default and where it differs."""
    others = [f"{table[info]} on `{version}`" for version, table in VERSION_STATUSES.items() if info in table]
    others += [f"{route.statuses[info]} on `{route.key}`" for route in ROUTES if info in route.statuses]
    return f"{info.status} ({', '.join(others)})" if others else str(info.status)


def code_table() -> str:
    """Every code: status (and where it differs), text, category, local, retryable."""
    lines = ["| code | HTTP | error text | category | checked locally | retry |", "|---|---|---|---|---|---|"]
    for info in CATALOG.values():
        text = info.message.replace("|", "\\|")
        lines.append(f"| `{info.code}` | {_status_text(info)} | {text} | {info.category} | "
                     f"{'yes' if info.local else 'no'} | {'yes' if info.retryable else 'no'} |")
    return "\n".join(lines) + "\n"


def endpoints_page() -> str:
    """docs/endpoints.md: each endpoint's contract, as declared in routes.py."""
    out = ["# Endpoints", "",
           "Generated from the endpoint contracts (`src/trackly_validate/contracts/routes.py`) by",
           "`python -m trackly_validate.contracts.reference`; do not edit.  Each table is the endpoint's",
           "documented error order: the first code found is what the server answers.  *inferred*",
           "marks a code whose local rule rests on inference (`tv.INFERRED_RULES`); *server* a code",
           "only the server can decide.", ""]
    for route in ROUTES:
        out += [f"## `{route.key}`", "", route.summary + ".", ""]
        facts = [f"model `{str(route.model_ref).rsplit('.', 1)[-1].replace(':', '.')}`"]
        if route.items:
            facts.append(f"bulk items `{route.items}`" + (f" (at most {route.max_items})" if route.max_items else ""))
        for name, rule in route.path_checks:
            facts.append(f"path `{{{name}}}` -> `{rule.info.code}`")
        out += ["; ".join(facts), "", "| # | code | HTTP | |", "|---|---|---|---|"]
        for n, info in enumerate(route.order, 1):
            notes = [w for w, on in (("server", not info.local), ("inferred", info.code in INFERRED_RULES)) if on]
            out.append(f"| {n} | `{info.code}` | {route.status_for(info)} | {', '.join(notes)} |")
        out.append("")
    out += ["# Read endpoints", "",
            "GETs, and DELETEs that name their resource by path: no body rules (`tv.check` does not",
            "model them); the stand-in answers them from its state.  Filters and pagination as",
            "declared; an unknown id is 404 `not_found`.", ""]
    for route in READS:
        out += [f"## `{route.key}`", "", route.summary + ".", ""]
        listing = route.listing
        if listing is not None:
            facts = [f"answers `{listing.field}`"]
            for q in listing.query:
                if q.name in ("page", "per_page"):
                    continue
                fact = f"`{q.name}`" + (f" ({' / '.join(q.values)})" if q.values else "")
                if q.default is not None:
                    fact += f", default `{q.default}`"
                if q.hidden:
                    fact += f", without it {', '.join(q.hidden)} left out"
                facts.append(fact)
            facts.append(f"`per_page` default {listing.per_page}, at most {listing.max_per_page}"
                         if listing.per_page is not None else "no pagination")
            if listing.newest_first:
                facts.append("newest first")
            out += ["; ".join(facts), ""]
    return "\n".join(out)


def update(root: Path) -> list[str]:
    """Rewrite the generated parts under ``root``; the paths that changed."""
    changed = []
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- codes:start -->", "<!-- codes:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    new = f"{head}{start}\n{code_table()}{end}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
        changed.append(str(readme))
    page = root / "docs" / "endpoints.md"
    if not page.exists() or page.read_text(encoding="utf-8") != endpoints_page():
        page.write_text(endpoints_page(), encoding="utf-8")
        changed.append(str(page))
    return changed


if __name__ == "__main__":  # python -m trackly_validate.contracts.reference [project root]
    print("\n".join(update(Path(sys.argv[1] if len(sys.argv) > 1 else "."))) or "up to date")
