"""``--valid-out`` / ``--invalid-out``: the sendable records and the rejects, as files.

The format is the input's when it is JSONL, a JSON array or CSV, else (Parquet,
Arrow) JSONL.  A sendable record is written as it was read (the JSONL line's or array
element's bytes, the CSV row's cells; a Parquet/Arrow row as the JSON of its body).
A reject carries where it was and why it was refused:

- JSONL / JSON array: the record's object with two more members, ``"_line"`` and
  ``"_problems"`` (a list of ``{"code", "error", "status", "loc"}``), spliced in before
  its closing brace so its own bytes are kept; a record that is not a JSON object is
  written as ``{"_record": <its text>, "_line", "_problems"}``;
- CSV: the row with two more columns, ``_line`` and ``_problems`` (the same list, as JSON).

A request whose endpoint is not modelled is a reject with one problem whose
``code`` and ``status`` are ``null``.
"""

from __future__ import annotations

import csv
import io
from typing import IO, Any

from pydantic_core import from_json, to_json

__all__ = ["RecordWriter", "problem_dicts"]


def problem_dicts(result: Any) -> list[dict[str, Any]]:
    """The problems of a refused record as JSON data."""
    if isinstance(result, str):
        return [{"code": None, "error": result, "status": None, "loc": []}]
    return [{"code": code, "error": error, "status": status, "loc": list(loc)} for code, error, status, loc in result]


def _with_problems(raw: bytes, line: int, problems: list[dict[str, Any]]) -> bytes:
    """A JSON record with ``_line`` and ``_problems`` added (see the module docstring)."""
    extra = b'"_line":' + str(line).encode() + b',"_problems":' + to_json(problems)
    text = raw.strip()
    try:
        value = from_json(text, allow_inf_nan=False)  # NaN/Infinity: not JSON, so not spliced
    except ValueError:
        value = None
    if isinstance(value, dict) and text.endswith(b"}"):
        return text[:-1].rstrip() + (b"," if value else b"") + extra + b"}"
    return b'{"_record":' + to_json(raw.decode("utf-8", "replace").strip()) + b"," + extra + b"}"


class RecordWriter:
    """Writes records to one file in one format (``jsonl``, ``json`` or ``csv``)."""

    def __init__(self, path: str, fmt: str, header: list[str] | None = None):
        self.fmt = fmt if fmt in ("jsonl", "json", "csv") else "jsonl"
        self.file: IO[bytes] = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.count = 0
        self.header = header
        self._csv: Any = None
        self._text: io.TextIOWrapper | None = None
        if self.fmt == "json":
            self.file.write(b"[")

    def _csv_writer(self, rejects: bool) -> Any:
        if self._csv is None:
            self._text = io.TextIOWrapper(self.file, encoding="utf-8", newline="")
            self._csv = csv.writer(self._text)
            if self.header is not None:
                self._csv.writerow(self.header + (["_line", "_problems"] if rejects else []))
        return self._csv

    def write(self, raw: Any, line: int, result: Any = None) -> None:
        """One record (``raw``: JSON bytes, or CSV cells); ``result`` its problems when refused."""
        if self.fmt == "csv":
            row = list(raw)
            if result is not None:
                row += [str(line), to_json(problem_dicts(result)).decode()]
            self._csv_writer(result is not None).writerow(row)
            self.count += 1
            return
        data = raw.strip() if result is None else _with_problems(raw, line, problem_dicts(result))
        if self.fmt == "json":
            self.file.write((b"\n" if not self.count else b",\n") + data)
        else:
            self.file.write(data + b"\n")
        self.count += 1

    def set_header(self, header: list[str] | None, rejects: bool) -> None:
        if self.fmt == "csv" and header is not None and self.header is None:
            self.header = header
            self._csv_writer(rejects)

    def close(self) -> None:
        if self.fmt == "json":
            self.file.write(b"\n]\n" if self.count else b"]\n")
        if self._text is not None:
            self._text.flush()
            self._text.detach()
        self.file.close()
