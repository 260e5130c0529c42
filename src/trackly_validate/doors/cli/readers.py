"""Input files -> records, in chunks: JSONL, JSON arrays, CSV, Parquet and Arrow IPC.

A format is recognised by its magic bytes (Parquet ``PAR1``, Arrow file ``ARROW1``,
Arrow stream ``\\xff\\xff\\xff\\xff``), then by extension (``.csv``/``.tsv``,
``.parquet``/``.pq``, ``.arrow``/``.feather``/``.ipc``/``.arrows``), then by the first
byte (``[``: a JSON array, anything else JSONL).  Other binary data (gzip, zip,
UTF-16 text...) is refused with what it looks like.

A :class:`Chunk` carries up to ``size`` records and what the validating side needs:

- ``"raw"``: JSON bytes, one body each (JSONL lines, JSON array elements), parsed later
  by pydantic-core;
- ``"cells"``: CSV rows as read, ``(header, rows, types)`` (``types``: the JSON types the
  endpoint allows each column), turned into bodies only where the column face cannot
  prove a row accepted (:func:`cells_bodies`, :func:`cells_frame`; ``rows`` keeps the
  cells, for ``--valid-out``);
- ``"arrow"``: one Arrow record batch (sent to a worker as IPC stream bytes: only its
  rows); its rows become bodies where they are validated, through
  :func:`records.body_from_row`.

``line`` is the JSONL/CSV line number, the JSON array element number, or the 1-based
row number of a Parquet/Arrow file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterator, Sequence

from trackly_validate.doors.columns.records import body_from_row, split_columns

__all__ = ["InputError", "Chunk", "open_input", "detect", "read_chunks", "read_records", "iter_json_array",
           "arrow_bodies", "cells_bodies", "cells_frame", "ipc_bytes", "FORMATS", "CHUNK", "ARROW_CHUNK"]

#: Records per chunk: the unit of work of a worker process and of the progress bar.
CHUNK = 2000
#: Rows per chunk of a Parquet or Arrow file: they are judged column-wise first
#: (:mod:`..columns`), where a bigger batch costs no more memory per row and less per call.
ARROW_CHUNK = 65_536
FORMATS = ("auto", "jsonl", "json", "csv", "parquet", "arrow")
KNOWN = "JSONL/JSON/CSV/Parquet/Arrow"
ARROW_EXTRA = "reading Parquet or Arrow needs pyarrow: pip install 'trackly-validate[arrow]'"


class InputError(Exception):
    """A usage or input problem: reported as one line, exit status 2."""


@dataclass
class Chunk:
    """Up to :data:`CHUNK` records of one file (see the module docstring)."""

    kind: str                      # "raw", "cells" or "arrow"
    lines: Sequence[int]           # the line (row) number of each record
    payload: Any                   # list of bytes, list of dicts, or an Arrow record batch
    rows: list[list[str]] | None = None  # CSV cells, as read


# --- opening and recognising a file ------------------------------------------------------------------------

def open_input(name: str) -> IO[bytes]:
    """The file (``-``: stdin) as a peekable binary stream."""
    if name == "-":
        stream: Any = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else io.BytesIO(sys.stdin.read().encode())
    else:
        try:
            stream = open(name, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise InputError(f"cannot open {name}: {exc.strerror or exc}") from None
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)
    return stream  # type: ignore[no-any-return]  # stdin's buffer or a file, both binary streams


# Signatures of binary data that is none of the formats read here: (prefix, what it looks like).
_NOT_OURS = (
    (b"\x1f\x8b", "gzip data"), (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook?)"),
    (b"\xfd7zXZ\x00", "xz data"), (b"\x28\xb5\x2f\xfd", "zstd data"), (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"), (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (an .xls workbook?)"), (b"Obj\x01", "Avro data"),
    (b"ORC", "ORC data"), (b"\xff\xfe", "UTF-16 text"), (b"\xfe\xff", "UTF-16 text"),
)
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet", ".arrow": "arrow",
               ".feather": "arrow", ".ipc": "arrow", ".arrows": "arrow"}


def detect(name: str, stream: IO[bytes], fmt: str = "auto") -> str:
    """The format of ``stream``: ``fmt`` itself unless ``"auto"``."""
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}")
    if fmt != "auto":
        return fmt
    head = stream.peek(4096)[:4096]  # type: ignore[attr-defined]  # open_input's streams are buffered readers
    if not head:
        return "jsonl"  # an empty file: no records, whatever its name
    # magic bytes first: a binary format is what its bytes say, whatever the name
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1") or head.startswith(b"\xff\xff\xff\xff"):
        return "arrow"
    for magic, what in _NOT_OURS:
        if head.startswith(magic):
            raise InputError(f"looks like {what}, not {KNOWN}")
    ext = _EXTENSIONS.get(os.path.splitext(name.lower())[1])
    if ext in ("parquet", "arrow"):
        raise InputError(f"named like {ext.capitalize()} but does not start like it")
    if ext is not None:
        return ext
    if b"\x00" in head:  # no text format here holds a NUL byte
        raise InputError(f"looks like binary data, not {KNOWN}")
    from trackly_validate.core.decoding import without_bom  # pydantic only once a text format is read

    text = without_bom(head).lstrip(b" \t\r\n")
    return "json" if text.startswith(b"[") else "jsonl"


# --- JSONL and JSON arrays -----------------------------------------------------------------------------------

def _jsonl(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    from trackly_validate.core.decoding import without_bom

    lineno = 0
    for lineno, line in enumerate(stream, 1):
        if lineno == 1:
            line = without_bom(line)
        if line.isspace() or not line:
            continue
        # the line ending is not part of the body (the 5 MiB limit counts the body's bytes)
        yield lineno, line.rstrip(b"\r\n")


_STRUCT = re.compile(rb'["\[\]{},]')
_STR_END = re.compile(rb'["\\]')
_SPACE = b" \t\r\n"  # JSON whitespace


def iter_json_array(stream: IO[bytes], chunk: int = 1 << 16) -> Iterator[bytes]:
    """The raw bytes of each element of a top-level JSON array, read in chunks.

    Only the array's structure is scanned (strings, nesting, commas); each element is
    left for pydantic-core to parse, so a malformed element is an ``invalid_input``
    record, not a crash.  An element is yielded without the whitespace around it (the
    5 MiB limit counts a body's own bytes); an empty element (``[1,,2]``) is yielded as
    ``b" "``, which is not JSON (an empty body would be read as ``{}``).  Holds one
    element plus one chunk in memory.  ``InputError`` when the text is not an array,
    ends early, closes a bracket it never opened, or has anything but whitespace after
    the array.
    """
    from trackly_validate.core.decoding import without_bom

    buf = bytearray(without_bom(stream.read(chunk)))
    i = 0
    while True:  # skip whitespace up to '['
        while i < len(buf) and buf[i] in b" \t\r\n":
            i += 1
        if i < len(buf):
            break
        more = stream.read(chunk)
        if not more:
            raise InputError("empty input where a JSON array was expected")
        buf += more
    if buf[i] != ord("["):
        raise InputError("not a JSON array")
    start = pos = i + 1
    depth = 0
    in_string = False
    had_comma = False
    while True:
        m = (_STR_END if in_string else _STRUCT).search(buf, pos)
        if m is not None:
            c = buf[m.start()]
            pos = m.end()
            if in_string:
                if c == 0x5C:  # backslash: skip the escaped byte (it may be in the next chunk)
                    if pos < len(buf):
                        pos += 1
                        continue
                    pos = m.start()
                else:
                    in_string = False
                    continue
            elif c == 0x22:
                in_string = True
                continue
            elif c in b"[{":
                depth += 1
                continue
            elif c in b"]}":
                if depth:
                    depth -= 1
                    continue
                if c != 0x5D:  # a '}' that closes nothing
                    raise InputError("unbalanced '}' in a JSON array")
                element = bytes(buf[start:m.start()]).strip(_SPACE)
                if element or had_comma:  # "[]" holds no element, "[1,]" an empty one
                    yield element or b" "
                _rest_is_blank(stream, buf[pos:], chunk)
                return
            else:  # a comma
                if depth == 0:
                    yield bytes(buf[start:m.start()]).strip(_SPACE) or b" "
                    start = pos
                    had_comma = True
                continue
        else:
            pos = len(buf)
        more = stream.read(chunk)
        if not more:
            raise InputError("unexpected end of input inside a JSON array")
        del buf[:start]
        pos -= start
        start = 0
        buf += more


def _rest_is_blank(stream: IO[bytes], rest: bytes | bytearray, chunk: int) -> None:
    """``InputError`` unless only JSON whitespace follows the array's closing ``]``."""
    while True:
        if rest.strip(_SPACE):
            raise InputError("unexpected text after the JSON array")
        rest = stream.read(chunk)
        if not rest:
            return


# --- CSV -----------------------------------------------------------------------------------------------------

def _schema_types(schema: dict[str, Any], parts: list[str]) -> set[str]:
    """JSON types the schema allows at a dotted path (empty: unknown, read as text)."""
    defs = schema.get("$defs", {})
    nodes = [schema]
    for part in parts + [None]:
        flat: list[dict[str, Any]] = []
        while nodes:
            node = nodes.pop()
            if not isinstance(node, dict):
                continue
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                nodes.append(defs.get(ref[8:], {}))
                continue
            alts = [*node.get("anyOf", ()), *node.get("oneOf", ()), *node.get("allOf", ())]
            if alts:
                nodes.extend(alts)
                continue
            flat.append(node)
        if part is None:
            types: set[str] = set()
            for node in flat:
                t = node.get("type")
                if t is None:
                    return set()  # any value
                types.update([t] if isinstance(t, str) else t)
            return types
        nodes = [n.get("properties", {}).get(part) for n in flat if n.get("properties", {}).get(part)]
        if not nodes:
            return set()
    return set()  # pragma: no cover


def _cell_reader(types: set[str]) -> Callable[[str], Any]:
    """How a cell is read: text, or JSON for a field the schema never lets be a string.

    An empty cell of a field that may be a string stays ``""`` (the shared rule of
    :mod:`records`: the models read ``""`` as missing exactly where the API does); an
    empty cell of a field that may not is a missing one (``None``: an absent field).
    ``NaN``/``Infinity`` are not JSON: such a cell stays text, and gets the field's code."""
    if not types or "string" in types:
        return str
    from pydantic_core import from_json

    def read(cell: str) -> Any:
        if cell == "":
            return None
        text = cell.strip()
        if "boolean" in types and text.lower() in ("true", "false"):
            return text.lower() == "true"
        try:
            return from_json(text, allow_inf_nan=False)
        except ValueError:
            return cell
    return read


def _csv(stream: IO[bytes], schema: dict[str, Any], delimiter: str,
         keep_rows: bool) -> Iterator[tuple[list[str], list[int], Any, list[list[str]] | None]]:
    """``(header, lines, cells, rows)`` per chunk of CSV rows (``cells``: see :func:`cells_bodies`)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from _csv_chunks(csv.reader(text, delimiter=delimiter), schema, keep_rows)
    finally:
        text.detach()  # the caller closes the file (and may still ask for its position)


def _is_blank_line(row: list[str], width: int) -> bool:
    """A line with no delimiter and nothing but spaces is no record (a row of empty cells,
    ``,,``, is one: every field missing, as a row of nulls is in Parquet or a DataFrame)."""
    return not row or (len(row) == 1 and width != 1 and not row[0].strip())


def _csv_chunks(reader: Any, schema: dict[str, Any],
                keep_rows: bool) -> Iterator[tuple[list[str], list[int], Any, list[list[str]] | None]]:
    try:
        header = next(reader)
    except StopIteration:
        return
    types = [sorted(_schema_types(schema, list(p))) for p in split_columns(header)]
    lines: list[int] = []
    rows: list[list[str]] = []
    for row in reader:
        if _is_blank_line(row, len(header)):
            continue
        lines.append(reader.line_num)
        rows.append(row)
        if len(lines) >= CHUNK:
            yield header, lines, (header, rows, types), rows if keep_rows else None
            lines, rows = [], []
    if lines:
        yield header, lines, (header, rows, types), rows if keep_rows else None


def cells_bodies(cells: tuple[list[str], list[list[str]], list[list[str]]]) -> list[dict[str, Any]]:
    """The bodies of a chunk of CSV cells ``(header, rows, types)``: each cell read as its
    field's JSON types say (:func:`_cell_reader`), each row by :func:`records.body_from_row`."""
    header, rows, types = cells
    paths = split_columns(header)
    readers = [_cell_reader(set(t)) for t in types]
    return [body_from_row(paths, [read(cell) for read, cell in zip(readers, row)]) for row in rows]


def cells_frame(cells: tuple[list[str], list[list[str]], list[list[str]]]) -> Any:
    """A chunk of CSV cells as a polars frame (columns named by position) whose rows read
    back (``to_list``) as exactly the cells :func:`cells_bodies` reads - text fields as
    text, a short row's missing cells as nulls, other fields as their JSON values - or the
    cells themselves when they cannot be held so (no polars, mixed JSON values)."""
    header, rows, types = cells
    try:
        import polars as pl
    except ImportError:
        return cells
    columns = []
    for j, t in enumerate(types):
        values = [row[j] if j < len(row) else None for row in rows]
        if t and "string" not in t:
            read = _cell_reader(set(t))
            values = [None if v is None else read(v) for v in values]
            try:
                series = pl.Series(f"c{j}", values, strict=True)
            except Exception:  # noqa: BLE001 - mixed JSON values: these rows go one by one
                return cells
            if series.dtype not in (pl.Boolean, pl.Int64, pl.Float64, pl.String, pl.Null):
                return cells
        else:
            series = pl.Series(f"c{j}", values, dtype=pl.String)
        columns.append(series)
    return pl.DataFrame(columns, height=len(rows)), split_columns(header)


# --- Parquet and Arrow IPC ----------------------------------------------------------------------------------

def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.ipc  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise InputError(ARROW_EXTRA) from None
    return pyarrow


def _arrow_batches(name: str, stream: IO[bytes], kind: str) -> tuple[Iterator[Any], int | None]:
    """Record batches of at most :data:`ARROW_CHUNK` rows, and the row count when known."""
    pa = _pyarrow()
    # the system allocator: pyarrow's default pool keeps ~45 MiB more resident for the same reads
    pool = pa.system_memory_pool()
    head = stream.peek(8)[:8]  # type: ignore[attr-defined]  # open_input's streams are buffered readers
    try:
        if kind == "parquet" or head.startswith(b"PAR1"):
            if name == "-":
                raise InputError("Parquet must be read from a file, not stdin")
            pa.set_memory_pool(pool)  # (the Parquet reader takes no pool argument; this is the CLI's process)
            parquet = pa.parquet.ParquetFile(stream, pre_buffer=False)
            return parquet.iter_batches(batch_size=ARROW_CHUNK), parquet.metadata.num_rows
        if head.startswith(b"ARROW1"):
            if name == "-":
                raise InputError("an Arrow IPC file must be read from a file, not stdin (streams can be)")
            reader = pa.ipc.open_file(stream, memory_pool=pool)
            batches: Iterator[Any] = (reader.get_batch(i) for i in range(reader.num_record_batches))
            total = None
        else:
            batches, total = iter(pa.ipc.open_stream(stream, memory_pool=pool)), None
    except pa.ArrowException as exc:
        raise InputError(f"cannot read it as {kind.capitalize()}: {exc}") from None
    return _sliced(batches), total


def _sliced(batches: Iterator[Any]) -> Iterator[Any]:
    for batch in batches:
        for start in range(0, batch.num_rows, ARROW_CHUNK):
            yield batch.slice(start, ARROW_CHUNK)


def ipc_bytes(batch: Any) -> bytes:
    """One batch as Arrow IPC stream bytes: only its rows (pickling a slice would copy
    the whole parent buffers)."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()  # type: ignore[no-any-return]  # pyarrow ships no types


def arrow_bodies(batch: Any) -> list[dict[str, Any]]:
    """The bodies of the rows of one chunk (a record batch, or its IPC stream bytes), read
    by :func:`records.body_from_row`: missing cells are absent fields, dotted names nest."""
    if isinstance(batch, bytes):
        import pyarrow as pa

        batch = pa.ipc.open_stream(batch).read_next_batch()
    paths = split_columns(batch.schema.names)
    columns = [column.to_pylist() for column in batch.columns]
    return [body_from_row(paths, row) for row in zip(*columns)]


# --- every format --------------------------------------------------------------------------------------------

class Source:
    """One input file as chunks; ``kind`` its format, ``header`` its CSV header, ``total``
    its row count when known (Parquet), ``position()`` how far it has been read."""

    def __init__(self, name: str, stream: IO[bytes], fmt: str, schema: "Callable[[], dict[str, Any]] | None",
                 keep_rows: bool = False):
        self.name, self.stream = name, stream
        self.kind = detect(name, stream, fmt)
        self.header: list[str] | None = None
        self.total: int | None = None
        self.rows_read = 0
        self._schema, self._keep_rows = schema, keep_rows

    def position(self) -> int:
        if self.kind in ("parquet", "arrow"):
            return self.rows_read
        try:
            return self.stream.tell()
        except OSError:
            return 0

    def chunks(self) -> Iterator[Chunk]:
        if self.kind in ("jsonl", "json"):
            records = _jsonl(self.stream) if self.kind == "jsonl" else enumerate(iter_json_array(self.stream), 1)
            lines: list[int] = []
            raws: list[bytes] = []
            for line, raw in records:
                lines.append(line)
                raws.append(raw)
                if len(raws) >= CHUNK:
                    yield Chunk("raw", lines, raws)
                    lines, raws = [], []
            if raws:
                yield Chunk("raw", lines, raws)
        elif self.kind == "csv":
            if self._schema is None:
                raise InputError("CSV input needs --endpoint (its columns are one endpoint's fields)")
            delimiter = "\t" if self.name.lower().endswith(".tsv") else ","
            for header, lines, cells, rows in _csv(self.stream, self._schema(), delimiter, self._keep_rows):
                self.header = header
                yield Chunk("cells", lines, cells, rows)
        else:
            batches, self.total = _arrow_batches(self.name, self.stream, self.kind)
            for batch in batches:
                first = self.rows_read + 1
                self.rows_read += batch.num_rows
                if batch.num_rows:
                    yield Chunk("arrow", range(first, first + batch.num_rows), batch)  # (a range: no list of 65,536 ints)


def read_chunks(name: str, stream: IO[bytes], fmt: str = "auto",
                schema: "Callable[[], dict[str, Any]] | None" = None) -> Iterator[Chunk]:
    return Source(name, stream, fmt, schema).chunks()


def read_records(name: str, stream: IO[bytes], fmt: str = "auto",
                 schema: "dict[str, Any] | Callable[[], dict[str, Any]] | None" = None) -> Iterator[tuple[int, Any]]:
    """``(line, body)`` for every record of a file: JSON bytes for JSONL and JSON
    arrays (parsed later, in pydantic-core), dicts for CSV, Parquet and Arrow rows
    (``schema``, or a function returning it, types the CSV cells)."""
    getter = schema if callable(schema) or schema is None else (lambda: schema)
    for chunk in read_chunks(name, stream, fmt, getter):
        bodies = (arrow_bodies(chunk.payload) if chunk.kind == "arrow" else
                  cells_bodies(chunk.payload) if chunk.kind == "cells" else chunk.payload)
        yield from zip(chunk.lines, bodies)
