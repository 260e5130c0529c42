"""Record batches of a frame -> the problems of its refused rows, column-wise first.

For each batch (:data:`BATCH_ROWS` rows) of a pandas or polars DataFrame or an Arrow
table: the batch is seen as a polars frame (pandas through Arrow; Arrow zero-copy), the
compiled predicate (:func:`.compile.acceptance`) proves the rows it can accepted, and
only the other rows are read as bodies - by the frame's own library, exactly as every
tabular door reads a row (:func:`records.body_from_row`) - and judged by the one
pipeline (:func:`pipeline.run_many`).  A proved row has no problems by construction; an
unproved one gets exactly ``tv.check``'s answer.  Without polars (an optional extra), or
when a batch cannot be seen as polars columns (mixed-type object columns, duplicate
names), every row of it goes through the pipeline: slower, equally exact.

A refused row that fails one field alone, a field whose validation reads only its own
value, shares the answer of the first row with the same cells there (:class:`Memo`).

Memory beyond the frame: one batch's predicate and the bodies of its unproved rows.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

from trackly_validate.core.errors import Problem
from trackly_validate.core.options import Options
from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES, path_problems, run_many
from trackly_validate.doors.columns.records import body_from_row, split_columns
from trackly_validate.contracts.routes import Route
from trackly_validate.doors.columns.compile import Verdicts, layout, verdicts

__all__ = ["BATCH_ROWS", "refused_rows", "row_batches", "columns_of", "height_of", "has_polars", "Stats", "Memo"]

#: Rows of a frame judged at a time.
BATCH_ROWS = 65_536


def has_polars() -> bool:
    try:
        import polars  # noqa: F401
    except ImportError:
        return False
    return True


class Stats:
    """Counts of the last frames judged (rows proved column-wise, rows read one by one),
    for the benchmarks and the tests; not thread-safe, informational only."""

    proved = 0
    per_row = 0


def columns_of(frame: Any, library: str) -> list[str]:
    if library == "pyarrow":
        return list(frame.schema.names)
    return [str(name) for name in frame.columns]


def _slices(frame: Any, library: str, size: int) -> Iterator[Any]:
    if library == "pandas":
        for start in range(0, len(frame), size):
            yield frame.iloc[start:start + size]
    elif library == "polars":
        yield from frame.iter_slices(size)
    else:
        if hasattr(frame, "to_batches"):
            yield from frame.to_batches(max_chunksize=size)
        else:  # a RecordBatch
            for start in range(0, frame.num_rows, size):
                yield frame.slice(start, size)


def height_of(part: Any, library: str) -> int:
    return len(part) if library == "pandas" else part.height if library == "polars" else part.num_rows


def _tuples(part: Any, library: str, rows: list[int] | None, mask: Any = None) -> Any:
    """The rows (all, or those at ``rows``, where the polars boolean ``mask`` is true) of
    one batch as tuples of Python values, read as the frame's library reads them (pandas
    ``tolist``, polars ``to_list``, Arrow ``to_pylist``; an Arrow batch is filtered by the
    mask: ``take`` with a Python list would import pandas)."""
    if library == "pandas":
        if rows is not None:
            part = part.iloc[rows]
        if part.shape[1] == 0:
            return [()] * len(part)
        return zip(*[part.iloc[:, j].tolist() for j in range(part.shape[1])])  # by position: duplicates stay
    if library == "polars":
        if rows is not None:
            part = part[rows] if rows else part.clear()
        if part.width == 0:
            return [()] * part.height
        return zip(*[column.to_list() for column in part.get_columns()])
    if rows is not None:
        part = part.filter(mask.to_arrow()) if mask is not None else part.slice(0, 0)
    if part.num_columns == 0:
        return [()] * part.num_rows
    return zip(*[column.to_pylist() for column in part.columns])


def row_batches(frame: Any, library: str) -> Iterator[Any]:
    """Every row of ``frame`` as a tuple of Python values, a batch at a time."""
    for part in _slices(frame, library, BATCH_ROWS):
        yield _tuples(part, library, None)


def _as_polars(part: Any, library: str, names: list[str]) -> Any | None:
    """The batch as a polars frame with the columns named ``names`` (positional), or
    ``None`` when it cannot be seen so (its rows then go one by one)."""
    try:
        import polars as pl

        if library == "polars":
            out = part
        elif library == "pyarrow":
            out = pl.from_arrow(part)
        else:
            import pyarrow as pa

            out = pl.from_arrow(pa.Table.from_pandas(part, preserve_index=False))
        if not isinstance(out, pl.DataFrame) or out.width != len(names) or out.height != height_of(part, library):
            return None
        if list(out.columns) != names:
            out = out.rename(dict(zip(out.columns, names))) if len(set(out.columns)) == out.width else None
        return out
    except Exception:  # noqa: BLE001 - mixed object columns, lone surrogates, unknown extension types...
        return None


@lru_cache(maxsize=256)
def _predicate(route: Route, options: Options, paths: tuple[tuple[str, ...], ...], names: tuple[str, ...],
               dtypes: tuple[str, ...]) -> Verdicts | None:
    root = layout(list(paths), list(names), list(dtypes))
    if root is None:
        return None
    return verdicts(route, options, root, MAX_PAYLOAD_BYTES)


def _proved(route: Route, options: Options, paths: tuple[tuple[str, ...], ...], frame: Any,
            ) -> tuple[Any, Verdicts | None, list[tuple[bool, ...]]] | None:
    """``(proved, verdicts, flags)``: a polars boolean Series of the rows proved accepted,
    and for each unproved row its fields' verdicts then ``rest`` (when the body is a plain
    model); ``None`` when nothing can be proved."""
    import polars as pl

    names = tuple(frame.columns)
    dtypes = tuple(t.base_type().__name__ for t in frame.dtypes)
    try:
        found = _predicate(route, options, paths, names, dtypes)
        if found is None:
            return None
        if not found.fields:  # with_columns: a literal verdict is broadcast to every row
            return frame.with_columns(found.accepted.fill_null(False).alias("_ok")).get_column("_ok"), None, []
        flags = [f"_f{i}" for i in range(len(found.fields))] + ["_rest"]
        view = frame.with_columns([expr.fill_null(False).alias(name) for name, (_, expr, _) in zip(flags, found.fields)]
                                  + [found.rest.fill_null(False).alias("_rest")]).select(flags)
        proved = view.select(pl.all_horizontal(flags).alias("_ok")).get_column("_ok")
        return proved, found, view.filter(~proved).rows()
    except Exception:  # noqa: BLE001 - a predicate the engine refuses proves nothing
        return None


class Memo:
    """Problems of refused rows by the one field that failed: in a plain-model body whose
    other fields and extra keys are proved, and whose size is proved under the limit, a
    field whose validation reads only its own value (:func:`.compile.verdicts`) is the only
    source of problems, so rows with the same cells in that field's columns get the same
    answer.  Bounded; keyed by the cells' types and values (``True`` is not ``1``)."""

    SIZE = 1 << 16

    def __init__(self) -> None:
        self.found: dict[Any, list[Problem]] = {}

    def key(self, found: Verdicts, flags: tuple[bool, ...], cells: tuple[Any, ...]) -> Any:
        if not flags[-1]:
            return None
        failing = [i for i, ok in enumerate(flags[:-1]) if not ok]
        if len(failing) != 1:
            return None
        name, _, columns = found.fields[failing[0]]
        if columns is None:
            return None
        parts = []
        for column in columns:
            cell = cells[int(column[1:])]
            kind = cell.__class__
            if kind not in (str, int, bool, float, type(None)):
                return None
            parts.append((column, kind, cell.hex() if kind is float else cell))
        return name, tuple(parts)

    def add(self, key: Any, problems: list[Problem]) -> None:
        if len(self.found) >= self.SIZE:
            self.found.clear()
        self.found[key] = problems


def refused_rows(frame: Any, library: str, route: Route, path: str | None, options: Options, *,
                 paths: list[tuple[str, ...]] | None = None, hint: str | None = "", memo: "Memo | None" = None,
                 ) -> Iterator[tuple[int, int, list[tuple[int, list[Problem]]]]]:
    """``(offset, height, [(row, problems), ...])`` for each batch of ``frame``: the
    refused rows of the batch (positions within it) with their problems, as
    ``tv.check(method, path, body)`` answers each row's body; every other row is accepted.
    ``paths``: each column's place in the body, when not its (dotted) name.  ``hint``:
    the reader a numeric column where the endpoint expects text is named for
    (:mod:`.hints`; ``""``: the frame's library, ``None``: no warning).  ``memo``: shared
    answers carried over from earlier calls with the same route, options, path and columns."""
    names = columns_of(frame, library)
    if paths is None:
        paths = split_columns(names)
    if hint is not None:
        _warn_numeric(frame, library, route, paths, names, hint or library)
    positional = [f"c{j}" for j in range(len(names))]
    column_face = has_polars() and not (route.path_checks and path is not None and path_problems(route, path, options))
    memo = Memo() if memo is None else memo
    offset = 0
    for part in _slices(frame, library, BATCH_ROWS):
        height = height_of(part, library)
        proved = None
        if column_face and height:
            view = _as_polars(part, library, positional)
            if view is not None:
                proved = _proved(route, options, tuple(paths), view)
        found: list[tuple[int, list[Problem]]] = []
        if proved is None:
            rows = None
            todo = list(_tuples(part, library, None))
            keys: list[Any] = [None] * len(todo)
        else:
            mask, verdict, flags = proved
            unproved = ~mask
            rows = unproved.arg_true().to_list()
            todo = list(_tuples(part, library, rows, unproved if rows else None))
            keys = [memo.key(verdict, f, cells) for f, cells in zip(flags, todo)] if verdict is not None and flags \
                else [None] * len(todo)
        known = {i: memo.found[key] for i, key in enumerate(keys) if key is not None and key in memo.found}
        first: dict[Any, int] = {}  # a key's first unknown row in this batch: the one judged
        same: dict[int, int] = {}
        judged = []
        for i, key in enumerate(keys):
            if i in known:
                continue
            if key is not None and key in first:
                same[i] = first[key]
                continue
            if key is not None:
                first[key] = i
            judged.append(i)
        bodies = [body_from_row(paths, todo[i]) for i in judged]
        Stats.per_row += len(bodies)
        Stats.proved += height - len(todo)
        answers: dict[int, list[Problem]] = {}
        for i, problems in zip(judged, run_many(route, bodies, options, path=path)):
            answers[i] = problems
            if keys[i] is not None:
                memo.add(keys[i], problems)
        for i in range(len(keys)):
            problems = answers[i] if i in answers else known[i] if i in known else answers[same[i]]
            if problems:
                found.append((i if rows is None else rows[i], problems))
        yield offset, height, found
        offset += height


def _warn_numeric(frame: Any, library: str, route: Route, paths: list[tuple[str, ...]], names: list[str],
                  hint: str) -> None:
    from trackly_validate.doors.columns.hints import numeric_text_columns, warn_numeric_text

    if library == "pandas":
        dtypes = [str(t) for t in frame.dtypes]
        kinds = ["Float" if t.lower().startswith("float") else "Int" if t.lower().startswith(("int", "uint")) else t
                 for t in dtypes]
    elif library == "polars":
        dtypes = [str(t) for t in frame.dtypes]
        kinds = dtypes
    else:
        dtypes = [str(t) for t in frame.schema.types]
        kinds = ["Float" if t.startswith(("double", "float", "halffloat")) else
                 "Int" if t.startswith(("int", "uint")) else "Decimal" if t.startswith("decimal") else t
                 for t in dtypes]
    try:
        found = numeric_text_columns(route, paths, names, kinds)
    except Exception:  # noqa: BLE001 - a hint never stops a check
        return
    warn_numeric_text(route, hint, found, dict(zip(names, dtypes)), stacklevel=5)
