"""DataFrames in, problems out: :func:`check_frame` and :func:`split_frame` for pandas and
polars DataFrames and pyarrow Tables (extras ``[pandas]``, ``[polars]``, ``[arrow]``).

Each row is one request body, read as every tabular door reads a flat row
(:func:`trackly_validate.doors.columns.records.body_from_row`: a missing cell — ``None``, ``NaN``,
``NaT``, ``pd.NA``, a polars or Arrow null — is an absent field; ``custom_fields.first_name``
nests), and judged by the one request pipeline, so a row's problems are exactly
``tv.check(method, path, body_from_row(...))``.

::

    problems = tv.check_frame(df, "POST", "/v2/send")
    #    row  index  code                 error                     status  loc
    # 0    3      3  missing_list_number  list_number is required   400     list_number
    valid, rejects = tv.split_frame(df, "POST", "/v2/send")

The result is in the frame's own library (pandas in, pandas out; polars -> polars; a
pyarrow Table or RecordBatch -> a Table).  The library is recognised by the module of
the frame's type (its classes included), so nothing here imports pandas, polars or
pyarrow until a frame of theirs arrives.

Rows are judged a record batch at a time (:mod:`.batches`): a predicate compiled from
the endpoint's contract (:mod:`.compile`) proves most rows accepted column-wise, in
polars; only the rest are turned into bodies and judged by the one pipeline.  Memory
beyond the frame is one batch's predicate and bodies plus the problems found.
"""

from __future__ import annotations

from itertools import repeat
from typing import TYPE_CHECKING, Any, Iterable, Iterator, NamedTuple, overload

from trackly_validate.core.errors import Problem
from trackly_validate.core.options import Options, coerce_options
from trackly_validate.contracts.pipeline import run_many
from trackly_validate.doors.columns.records import body_from_row, split_columns
from trackly_validate.contracts.routes import Route, resolve
from trackly_validate.doors.columns.batches import BATCH_ROWS, columns_of, height_of, refused_rows, row_batches

if TYPE_CHECKING:  # the frame libraries' own types, for the overloads (never imported at run time)
    import pandas
    import polars
    import pyarrow

__all__ = ["check_frame", "split_frame", "frame_library", "table_hint", "bodies", "judge", "PROBLEM_COLUMNS",
           "REJECT_COLUMNS", "BATCH_ROWS"]

#: The columns of :func:`check_frame`'s result; pandas results also carry ``index``
#: (the row's index label) after ``row``.
PROBLEM_COLUMNS = ("row", "code", "error", "status", "loc")

#: The columns :func:`split_frame` adds to the rejected rows: the row's position and its
#: first problem (the one the server answers with).  Prefixed, because ``status`` is a
#: body field of several endpoints (creatives, schedules, offers).
REJECT_COLUMNS = ("row", "problem_code", "problem_error", "problem_status", "problem_loc")

# (top-level module, class name) of the frames taken, found anywhere in the type's MRO
_FRAME_TYPES = {("pandas", "DataFrame"): "pandas", ("polars", "DataFrame"): "polars",
                ("pyarrow", "Table"): "pyarrow", ("pyarrow", "RecordBatch"): "pyarrow"}
# frames of other kinds, with the way to go
_OTHER_TYPES = {
    ("dask", "DataFrame"): "a dask DataFrame: use trackly_validate.doors.dask.check_dataframe / split_dataframe",
    ("dask_expr", "DataFrame"): "a dask DataFrame: use trackly_validate.doors.dask.check_dataframe / split_dataframe",
    ("polars", "LazyFrame"): "a polars LazyFrame: collect() it first",
    ("pandas", "Series"): "a pandas Series: one column is not a table of request bodies",
    ("polars", "Series"): "a polars Series: one column is not a table of request bodies",
}


def _kind(value: Any, table: dict[tuple[str, str], str]) -> str | None:
    for cls in type(value).__mro__:
        found = table.get((cls.__module__.partition(".")[0], cls.__name__))
        if found is not None:
            return found
    return None


def frame_library(value: Any) -> str | None:
    """``"pandas"``, ``"polars"`` or ``"pyarrow"`` for a frame :func:`check_frame` takes,
    else ``None``.  Never imports a frame library (cheap enough for a guard in ``check``)."""
    return _kind(value, _FRAME_TYPES)


def table_hint(value: Any) -> str | None:
    """For a table of rows passed where one request body is expected (``tv.check``), the
    ``TypeError`` message that names the door to use; ``None`` for anything else.  Never
    imports a frame library."""
    library = frame_library(value)
    if library is not None:
        name = "pyarrow Table" if library == "pyarrow" else f"{library} DataFrame"
        return f"tv.check takes one request body, not a {name}: use tv.check_frame(frame, method, path)"
    other = _kind(value, _OTHER_TYPES)
    return None if other is None else f"tv.check takes one request body, not {other}"


def _library(frame: Any, caller: str) -> str:
    library = frame_library(frame)
    if library is not None:
        return library
    other = _kind(frame, _OTHER_TYPES)
    what = other or f"{type(frame).__module__}.{type(frame).__qualname__}"
    hint = "" if other else ("; for one request body use tv.check" if isinstance(frame, (dict, str, bytes)) else "")
    raise TypeError(f"{caller} takes a pandas or polars DataFrame or a pyarrow Table, got {what}{hint}")


# --- reading rows ----------------------------------------------------------------------------------------

def bodies(frame: Any) -> Iterator[dict[str, Any]]:
    """The request body of each row of ``frame``, in order."""
    library = _library(frame, "bodies")
    paths = repeat(split_columns(columns_of(frame, library)))
    for batch in row_batches(frame, library):
        yield from map(body_from_row, paths, batch)  # no Python frame per row here


def judge(route: Route, path: str, items: Iterable[Any], options: Options) -> Iterator[list[Problem]]:
    """Each body's problems through the one pipeline, as ``tv.check(method, path, body)``
    answers them (the request path brings the route's path-parameter rules)."""
    return run_many(route, items, options, path=path)


def _refused(frame: Any, library: str, method: str, path: str, options: Options | None,
             ) -> Iterator[tuple[int, int, list[tuple[int, list[Problem]]]]]:
    route = resolve(method, path)
    return refused_rows(frame, library, route, path, coerce_options(options))


# --- building results ----------------------------------------------------------------------------------------

class _Found(NamedTuple):
    """Column lists of problems found: one entry per problem."""

    row: list[int]
    code: list[str]
    error: list[str]
    status: list[int]
    loc: list[str]


def _new_found() -> _Found:
    return _Found([], [], [], [], [])


def _add(found: _Found, position: int, p: Problem) -> None:
    found.row.append(position)
    found.code.append(p.code)
    found.error.append(p.error)
    found.status.append(p.status)
    found.loc.append(p.path)


def _as_columns(found: _Found, names: tuple[str, ...], library: str) -> dict[str, Any]:
    """``found`` as typed columns of ``library`` (int64 positions and statuses, strings),
    so an empty result has the same schema as any other."""
    out: dict[str, Any] = {}
    lists: tuple[list[Any], ...] = tuple(found)
    for name, values in zip(names, lists):
        numeric = name in ("row", "status", "problem_status")
        if library == "pandas":
            import pandas as pd

            out[name] = pd.Series(values, dtype="int64" if numeric else str)
        elif library == "polars":
            import polars as pl

            out[name] = pl.Series(name, values, dtype=pl.Int64 if numeric else pl.String)
        else:
            import pyarrow as pa

            out[name] = pa.array(values, type=pa.int64() if numeric else pa.string())
    return out


@overload
def check_frame(frame: "polars.DataFrame", method: str, path: str, *,
                options: Options | None = None) -> "polars.DataFrame": ...
@overload  # (pandas and pyarrow ship no types: without their stubs these two take Any)
def check_frame(frame: "pandas.DataFrame", method: str, path: str, *,  # type: ignore[overload-cannot-match, unused-ignore]
                options: Options | None = None) -> "pandas.DataFrame": ...
@overload
def check_frame(frame: "pyarrow.Table | pyarrow.RecordBatch", method: str, path: str, *,  # type: ignore[overload-cannot-match, unused-ignore]
                options: Options | None = None) -> "pyarrow.Table": ...
def check_frame(frame: Any, method: str, path: str, *, options: Options | None = None) -> Any:
    """Every problem of every row of ``frame`` (each row one request body to
    ``method path``): one row per problem, the rows in frame order and each row's
    problems in server order (its first one is the server's answer).

    Columns: ``row`` (int64, 0-based position in ``frame``), for pandas ``index`` (the
    row's index label), ``code``, ``error``, ``status`` (int64) and ``loc`` (the JSON path,
    ``messages[3].to``; ``""`` for the whole body).  Returned in ``frame``'s library.
    ``TypeError`` for anything but a pandas/polars DataFrame or a pyarrow Table;
    ``UnknownEndpointError`` for an unmodelled endpoint."""
    library = _library(frame, "check_frame")
    found = _new_found()
    for offset, _, refused in _refused(frame, library, method, path, options):
        for row, problems in refused:
            for p in problems:
                _add(found, offset + row, p)
    columns = _as_columns(found, PROBLEM_COLUMNS, library)
    if library == "pandas":
        import pandas as pd

        labels = frame.index.take(found.row)
        index = {"index": labels if labels.nlevels == 1 else list(labels)}  # MultiIndex: tuples
        return pd.DataFrame({"row": columns.pop("row"), **index, **columns})
    if library == "polars":
        import polars as pl

        return pl.DataFrame(list(columns.values()))
    import pyarrow as pa

    return pa.table(columns)


@overload
def split_frame(frame: "polars.DataFrame", method: str, path: str, *,
                options: Options | None = None) -> "tuple[polars.DataFrame, polars.DataFrame]": ...
@overload  # (pandas and pyarrow ship no types: without their stubs these two take Any)
def split_frame(frame: "pandas.DataFrame", method: str, path: str, *,  # type: ignore[overload-cannot-match, unused-ignore]
                options: Options | None = None) -> "tuple[pandas.DataFrame, pandas.DataFrame]": ...
@overload
def split_frame(frame: "pyarrow.Table | pyarrow.RecordBatch", method: str, path: str, *,  # type: ignore[overload-cannot-match, unused-ignore]
                options: Options | None = None) -> "tuple[pyarrow.Table, pyarrow.Table]": ...
def split_frame(frame: Any, method: str, path: str, *, options: Options | None = None) -> tuple[Any, Any]:
    """``(valid, rejects)``: the rows the API would accept and the rows it would refuse,
    each in frame order with the frame's own columns (pandas: and index labels).  Every
    row is in exactly one of them.  ``rejects`` also carries :data:`REJECT_COLUMNS`: ``row``
    (0-based position in ``frame``) and the row's first problem, the server's answer
    (``problem_code``, ``problem_error``, ``problem_status``, ``problem_loc``); for all of a
    row's problems use :func:`check_frame`.  ``ValueError`` when ``frame`` already has a
    column of those names."""
    library = _library(frame, "split_frame")
    clash = [name for name in REJECT_COLUMNS if name in columns_of(frame, library)]
    if clash:
        raise ValueError(f"split_frame adds the columns {', '.join(REJECT_COLUMNS)} to the rejected rows; "
                         f"the frame already has {', '.join(clash)}: rename it first")
    import numpy as np

    first = _new_found()
    for offset, _, found in _refused(frame, library, method, path, options):
        for row, problems in found:
            _add(first, offset + row, problems[0])
    accepted = np.ones(height_of(frame, library), dtype=bool)
    accepted[np.asarray(first.row, dtype=np.int64)] = False
    columns = _as_columns(first, REJECT_COLUMNS, library)
    refused = ~accepted
    if library == "pandas":
        mask = accepted
        rejects = frame[~mask]
        for name, values in columns.items():  # positional: keeps the frame's index labels
            rejects = rejects.assign(**{name: values.array})
        return frame[mask], rejects
    if library == "polars":
        import polars as pl

        return (frame.filter(pl.Series(accepted, dtype=pl.Boolean)),
                frame.filter(pl.Series(refused, dtype=pl.Boolean)).with_columns(list(columns.values())))
    import pyarrow as pa

    table = frame if hasattr(frame, "to_batches") else pa.Table.from_batches([frame])
    rejects = table.filter(pa.array(refused, type=pa.bool_()))
    for name, values in columns.items():
        rejects = rejects.append_column(name, values)
    return table.filter(pa.array(accepted, type=pa.bool_())), rejects
