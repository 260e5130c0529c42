"""Flat records (CSV rows, DataFrame rows, Arrow rows) -> request bodies.

One reading for every tabular door (the CLI's CSV/Parquet/Arrow readers, ``check_frame``,
the Dask integration), so a row gets one body whichever door it comes through:

- a missing cell is an absent field: ``None``, float ``NaN``, pandas' ``NaT`` and ``NA``
  (polars and Arrow nulls arrive as ``None``); an empty string stays ``""``, which the
  models read as missing where the API does;
- a dotted column name nests: ``contact_data.first_name`` -> ``{"contact_data":
  {"first_name": ...}}`` (a value already at ``contact_data`` that is not an object is
  replaced by the nested one);
- numpy scalars become the Python values they hold (``numpy.int64(3)`` -> ``3``), and
  timestamps their ISO 8601 text, so the body serialises as the JSON a client would send.

No pandas, numpy or pyarrow import here: values are recognised by type name.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Iterable, Mapping

__all__ = ["is_missing", "plain", "body_from_row", "split_columns"]

_MISSING_TYPES = frozenset({"NaTType", "NAType"})


def is_missing(value: Any) -> bool:
    """Whether a cell is missing (an absent field in the body)."""
    if value is None:
        return True
    if isinstance(value, float):  # numpy.float64 is a float too
        return math.isnan(value)
    return type(value).__name__ in _MISSING_TYPES


def plain(value: Any) -> Any:
    """A cell as JSON data: numpy scalars unwrapped, timestamps as ISO 8601 text,
    numpy arrays and nested containers converted throughout."""
    t = type(value)
    if t is str or t is int or t is bool or t is float or value is None:
        return value
    module = t.__module__
    if module == "numpy":
        if hasattr(value, "tolist"):
            return plain(value.tolist())  # scalars and arrays alike
        return value
    if isinstance(value, (datetime.date, datetime.time)):  # pandas' Timestamp is a datetime
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items() if not is_missing(v)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def split_columns(columns: Iterable[str]) -> list[tuple[str, ...]]:
    """Each column name as its path in the body (``"a.b"`` -> ``("a", "b")``)."""
    return [tuple(str(name).strip().split(".")) for name in columns]


def body_from_row(paths: list[tuple[str, ...]], cells: Iterable[Any]) -> dict[str, Any]:
    """The body of one row: ``paths`` from :func:`split_columns`, ``cells`` in column order.

    Runs once per row of every file and frame, so the common cells (str, int, bool,
    float, None) and one-part paths are handled inline; anything else goes through
    :func:`is_missing` and :func:`plain`."""
    body: dict[str, Any] = {}
    for parts, cell in zip(paths, cells):
        t = type(cell)
        if t is str or t is int or t is bool:
            value = cell
        elif cell is None:
            continue
        elif t is float:
            if cell != cell:  # NaN
                continue
            value = cell
        elif is_missing(cell):
            continue
        else:
            value = plain(cell)
        if len(parts) == 1:
            body[parts[0]] = value
            continue
        target = body
        for part in parts[:-1]:
            nxt = target.get(part)
            if not isinstance(nxt, dict):
                nxt = target[part] = {}
            target = nxt
        target[parts[-1]] = value
    return body
