"""Dask: check a partitioned dataset on a cluster (extra ``[dask]``).

::

    import dask.dataframe as dd
    from trackly_validate.doors.dask import check_dataframe, split_dataframe, check_bag

    ddf = dd.read_parquet("sends/")
    problems = check_dataframe(ddf, "POST", "/v2/send").compute()
    valid, rejects = split_dataframe(ddf, "POST", "/v2/send")
    check_bag(db.read_text("sends-*.jsonl"), "POST", "/v2/send")
    # {"total": 100000, "valid": 99120, "invalid": 880, "by_code": {"invalid_phone": 700, ...}}

Each partition (a pandas DataFrame) is checked in a worker by
:func:`trackly_validate.check_frame` / :func:`trackly_validate.split_frame` (the column
face: a predicate compiled from the endpoint's contract proves most rows accepted in
polars, the rest go through the pipeline), so a row gets exactly the answer ``tv.check``
gives its body.  What travels to the workers
pickles: module-level functions, the method and path as strings and the
:class:`~trackly_validate.Options`; each worker builds its validators once.

A problem's ``row`` is its position within its partition, next to ``partition`` (the
partition number) and ``index`` (the row's index label): a global position would need
every earlier partition's length first, an extra pass over the data.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import dask.bag  # absolute: the dask package, not this module
import dask.dataframe

from trackly_validate.doors.columns.frames import REJECT_COLUMNS, check_frame, judge, split_frame
from trackly_validate.core.options import Options, coerce_options
from trackly_validate.contracts.routes import resolve

__all__ = ["check_dataframe", "split_dataframe", "check_bag", "count_partition", "merge_counts"]


# --- dask DataFrames ------------------------------------------------------------------------------------

def _partition_problems(part: Any, method: str, path: str, options: Options | None,
                        partition_info: dict[str, Any] | None = None) -> Any:
    found = check_frame(part, method, path, options=options)
    number = partition_info["number"] if partition_info else 0
    found.insert(0, "partition", number)
    return found.astype({"partition": "int64"})


def _annotated(part: Any, method: str, path: str, options: Options) -> Any:
    """The partition's rows, in order, with :data:`~trackly_validate.doors.columns.frames.REJECT_COLUMNS`:
    ``row`` for every row, the first problem's columns missing for an accepted row."""
    import pandas as pd

    from trackly_validate.doors.columns.batches import refused_rows

    firsts: list[Any] = [None] * len(part)
    for offset, _, found in refused_rows(part, "pandas", resolve(method, path), path, options, hint=None):
        for row, problems in found:  # the column face: only unproved rows are read one by one
            firsts[offset + row] = problems[0]
    columns = {
        "row": pd.Series(range(len(firsts)), dtype="int64"),
        "problem_code": pd.Series([p and p.code for p in firsts], dtype=str),
        "problem_error": pd.Series([p and p.error for p in firsts], dtype=str),
        "problem_status": pd.Series([p and p.status for p in firsts], dtype="Int64"),
        "problem_loc": pd.Series([p and p.path for p in firsts], dtype=str),
    }
    return part.assign(**{name: values.array for name, values in columns.items()})  # by position


def _accepted_rows(part: Any) -> Any:
    return part[part["problem_status"].isna()].drop(columns=list(REJECT_COLUMNS))


def _refused_rows(part: Any) -> Any:
    return part[part["problem_status"].notna()].astype({"problem_status": "int64"})


def check_dataframe(ddf: Any, method: str, path: str, *, options: Options | None = None) -> Any:
    """A dask DataFrame of every problem of every row of ``ddf``: ``check_frame``'s
    columns for pandas with ``partition`` (int64) first; ``row`` is the position within
    the partition.  Lazy, like any dask collection: ``.compute()`` it."""
    resolve(method, path)  # an unknown endpoint fails here, not in a worker
    options = coerce_options(options)
    meta = _partition_problems(ddf._meta, method, path, options, None)
    return ddf.map_partitions(_partition_problems, method, path, options, meta=meta)


def split_dataframe(ddf: Any, method: str, path: str, *, options: Options | None = None) -> tuple[Any, Any]:
    """``(valid, rejects)`` dask DataFrames: ``split_frame`` per partition (``row`` is the
    position within the partition).  Both come from one check of each partition when
    computed together (``dask.compute(valid, rejects)``); computed apart, each checks
    the rows again."""
    resolve(method, path)
    options = coerce_options(options)
    empty = ddf._meta
    split_frame(empty, method, path, options=options)  # a clashing column fails here, not in a worker
    annotated = ddf.map_partitions(_annotated, method, path, options, meta=_annotated(empty, method, path, options))
    valid = annotated.map_partitions(_accepted_rows, meta=empty)
    rejects = annotated.map_partitions(_refused_rows, meta=split_frame(empty, method, path, options=options)[1])
    return valid, rejects


# --- dask bags --------------------------------------------------------------------------------------------

def count_partition(items: Iterable[Any], method: str, path: str, options: Options | None = None) -> list[dict[str, Any]]:
    """Counts for one partition of request bodies (dicts, or JSON text/bytes as sent), as
    a one-element list (``map_partitions`` expects a sequence).  ``by_code`` counts every
    problem, as the CLI's report does; blank lines are skipped, as the CLI skips them."""
    total = invalid = 0
    by_code: Counter[str] = Counter()
    # a blank line (db.read_text yields "\n") is no record, as in the CLI
    bodies = (item for item in items if not (isinstance(item, (str, bytes, bytearray)) and not item.strip()))
    for problems in judge(resolve(method, path), path, bodies, coerce_options(options)):
        total += 1
        if problems:
            invalid += 1
            by_code.update(p.code for p in problems)
    return [{"total": total, "valid": total - invalid, "invalid": invalid, "by_code": dict(by_code)}]


def merge_counts(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Sum per-partition counts; ``by_code`` most frequent first."""
    out: dict[str, Any] = {"total": 0, "valid": 0, "invalid": 0}
    by_code: Counter[str] = Counter()
    for part in parts:
        for key in ("total", "valid", "invalid"):
            out[key] += part[key]
        by_code.update(part["by_code"])
    out["by_code"] = dict(by_code.most_common())
    return out


def check_bag(bag: Any, method: str, path: str, *, options: Options | None = None, **compute: Any) -> dict[str, Any]:
    """``{"total", "valid", "invalid", "by_code"}`` over every request body in ``bag`` (a
    ``dask.bag.Bag`` of dicts or JSON lines: ``db.read_text("*.jsonl")`` needs no
    ``json.loads``).  Runs now, on the current scheduler (a ``distributed.Client`` if one
    is active); ``compute`` goes to ``.compute()`` (``scheduler="processes"``...).  Only
    the small count dicts travel back."""
    resolve(method, path)
    counts = bag.map_partitions(count_partition, method, path, coerce_options(options))
    return merge_counts(counts.compute(**compute))
