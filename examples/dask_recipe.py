"""Validate a partitioned dataset with Dask and gather the by-code counts.

Each partition is checked in a worker with ``tv.check`` per row; only small count
dictionaries travel back and are merged.  ``dask.bag`` (Dask core, no pandas) is enough::

    import dask.bag as db
    from examples.dask_recipe import validate_bag

    bag = db.read_text("sends-*.jsonl").map(json.loads)      # or db.from_sequence(rows, npartitions=8)
    report = validate_bag(bag, "POST", "/v2/send")            # runs on the current Dask scheduler
    # {"total": 100000, "valid": 99120, "invalid": 880, "by_code": {"invalid_phone": 700, ...}}

Everything sent to the workers pickles: the function and its arguments (method, path,
:class:`trackly_validate.Options`); each worker imports trackly-validate and builds the
model validators once.  Run ``python examples/dask_recipe.py`` for a demo on generated rows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import trackly_validate as tv


def check_partition(rows: Iterable[Any], method: str, path: str, options: tv.Options | None = None) -> list[dict]:
    """Counts for one partition (a list with one dict, as ``map_partitions`` expects a sequence)."""
    total = invalid = 0
    by_code: Counter[str] = Counter()
    for row in rows:
        total += 1
        problems = tv.check(method, path, row, options=options)
        if problems:
            invalid += 1
            by_code.update(p.code for p in problems)
    return [{"total": total, "valid": total - invalid, "invalid": invalid, "by_code": dict(by_code)}]


def merge(parts: Iterable[dict]) -> dict:
    """Sum the per-partition counts."""
    out: dict[str, Any] = {"total": 0, "valid": 0, "invalid": 0, "by_code": Counter()}
    for part in parts:
        for key in ("total", "valid", "invalid"):
            out[key] += part[key]
        out["by_code"].update(part["by_code"])
    out["by_code"] = dict(out["by_code"].most_common())
    return out


def validate_bag(bag: Any, method: str, path: str, *, options: tv.Options | None = None, **compute: Any) -> dict:
    """Check every row of a ``dask.bag.Bag`` against ``method path``; ``compute`` goes to
    ``.compute()`` (e.g. ``scheduler="processes"``)."""
    counts = bag.map_partitions(check_partition, method, path, options)
    return merge(counts.compute(**compute))


def _demo_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        row = {"to": f"+1415555{i % 10000:04d}", "list_number": "+18005551000", "body": f"Hello {i}"}
        if i % 7 == 0:
            row["to"] = "not a number"
        if i % 11 == 0:
            del row["body"]
        rows.append(row)
    return rows


if __name__ == "__main__":
    import dask.bag as db

    bag = db.from_sequence(_demo_rows(10_000), npartitions=4)
    print(validate_bag(bag, "POST", "/v2/send", scheduler="processes"))
