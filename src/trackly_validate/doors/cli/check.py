"""``trackly-validate check``: every record of every file through the one pipeline.

Records are read in chunks (readers.py) and validated in order, in worker processes
when ``--jobs`` allows it and the input is large enough (workers.py); the report is the
same, to the byte, whatever the number of jobs.  Exit status: 0 all valid, 1 any record
refused or (request-log mode) any endpoint not modelled, 2 a usage or input error.
"""

from __future__ import annotations

import csv
import os
import sys
from typing import IO, Any

from trackly_validate.core.options import Options
from trackly_validate.contracts.routes import Route
from trackly_validate.doors.cli.outputs import RecordWriter
from trackly_validate.doors.cli.readers import InputError, Source, open_input
from trackly_validate.doors.cli.report import Progress, Report
from trackly_validate.doors.cli.workers import Runner

__all__ = ["run_check", "endpoint_route", "ENVELOPE_HINT"]

ENVELOPE_HINT = ("hint: no record is a {method, path, body} request; to check bodies of one endpoint, "
                 "pass it with -e, e.g. -e 'POST /v2/send'")
NOT_JSON_HINT = "hint: no record could be read as JSON; is this JSONL, a JSON array, CSV, Parquet or Arrow?"


def endpoint_route(text: str) -> Route:
    """The route of ``--endpoint 'METHOD /path'`` (``InputError`` when not modelled)."""
    from trackly_validate.core.errors import UnknownEndpointError
    from trackly_validate.contracts.routes import resolve

    parts = text.split()
    if len(parts) != 2:
        raise InputError(f"endpoint must be 'METHOD /path', got {text!r}")
    try:
        route = resolve(parts[0], parts[1])
        route.model  # noqa: B018 - load the model now, so a problem is a usage error here
    except UnknownEndpointError as exc:
        raise InputError(str(exc)) from None
    except (ImportError, AttributeError):
        raise InputError(f"the model for {parts[0].upper()} {parts[1]} is not available in this version") from None
    return route


class _Outputs:
    """The ``--valid-out`` / ``--invalid-out`` files, opened on the first input's format."""

    def __init__(self, valid: str | None, invalid: str | None):
        self.paths = {"valid": valid, "invalid": invalid}
        self.writers: dict[str, RecordWriter] = {}
        self.kind: str | None = None
        self.header: list[str] | None = None

    @property
    def wanted(self) -> bool:
        return any(self.paths.values())

    def begin(self, source: Source) -> None:
        if not self.wanted:
            return
        fmt = source.kind if source.kind in ("jsonl", "json", "csv") else "jsonl"
        if self.kind is None:
            self.kind = fmt
            for which, path in self.paths.items():
                if path:
                    try:
                        self.writers[which] = RecordWriter(path, fmt)
                    except OSError as exc:
                        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
        elif fmt != self.kind:
            raise InputError(f"--valid-out/--invalid-out: {source.name} is {fmt}, the first input {self.kind}; "
                             "write the outputs of each format separately")

    def chunk(self, source: Source, chunk: Any, refused: list[tuple[int, Any]], bodies: list[bytes] | None) -> None:
        if not self.writers:
            return
        if source.header is not None:
            if self.header is None:
                self.header = source.header
                for which, writer in self.writers.items():
                    writer.set_header(source.header, which == "invalid")
            elif source.header != self.header:
                raise InputError(f"--valid-out/--invalid-out: {source.name} has other columns than the first input")
        records = chunk.rows if chunk.kind == "cells" else bodies if chunk.kind == "arrow" else chunk.payload
        assert records is not None  # rows are kept and bodies returned whenever an output is wanted
        problems = dict(refused)
        valid, invalid = self.writers.get("valid"), self.writers.get("invalid")
        for i, (line, raw) in enumerate(zip(chunk.lines, records)):
            result = problems.get(i)
            if result is None:
                if valid is not None:
                    valid.write(raw, line)
            elif invalid is not None:
                invalid.write(raw, line, result)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def run_check(files: list[str], endpoint: str | None, fmt: str, max_problems: int, options: Options,
              input_format: str = "auto", out: IO[str] | None = None, jobs: int = 1,
              valid_out: str | None = None, invalid_out: str | None = None) -> int:
    """The ``check`` command; returns the exit status."""
    out = out or sys.stdout
    route = endpoint_route(endpoint) if endpoint else None
    # the request path, for the route's path-parameter rules (a template such as
    # "PUT /v2/audiences/{id}" names no id: nothing to check there)
    path = endpoint.split()[1] if route is not None and endpoint and "{" not in endpoint else None
    schema = (lambda: route.model.model_json_schema()) if route is not None else None  # CSV only
    progress = Progress(out)
    report = Report(max_problems, len(files) > 1, route is None, progress.emit if fmt == "text" else None)
    outputs = _Outputs(valid_out, invalid_out)
    runner = Runner(jobs, route, options, pause=progress.stop, resume=progress.start, path=path)
    progress.start()
    try:
        for name in files:
            _check_file(name, route, schema, input_format, runner, report, outputs, progress)
    finally:
        progress.stop()
        runner.close()
        outputs.close()
    report.write(fmt, out)
    if report.total and report.all_invalid_input:
        sys.stderr.write((ENVELOPE_HINT if route is None else NOT_JSON_HINT) + "\n")
    return 1 if report.failed else 0


def _check_file(name: str, route: Route | None, schema: Any, input_format: str, runner: Runner, report: Report,
                outputs: _Outputs, progress: Progress) -> None:
    stream = open_input(name)
    try:
        source = Source(name, stream, input_format, schema, keep_rows=outputs.wanted)
        if route is None and source.kind in ("parquet", "arrow"):
            raise InputError(f"{source.kind.capitalize()} input needs --endpoint (its columns are one endpoint's fields)")
        outputs.begin(source)
        size = os.fstat(stream.fileno()).st_size if name != "-" and source.kind not in ("parquet", "arrow") else None
        progress.new_file(name, size, rows=source.kind in ("parquet", "arrow"))
        before = report.total
        for chunk, (count, refused, bodies) in runner.map(source.chunks(), want_bodies=outputs.wanted):
            report.add_chunk(name, chunk.lines, count, refused)
            outputs.chunk(source, chunk, refused, bodies)
            if source.total is not None and progress.task is not None and progress.bar is not None:
                progress.bar.update(progress.task, total=source.total)
            progress.update(source.position())
        if report.total == before:
            raise InputError("empty input (no records)")
    except BrokenPipeError:  # the reader of stdout went away: main() stops quietly
        raise
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"cannot read {name}: not UTF-8 text") from None
    except csv.Error as exc:
        raise InputError(f"cannot read {name}: {exc}") from None
    except InputError as exc:
        message = str(exc)
        raise InputError(message if message.startswith(("cannot ", "--")) else f"{name}: {message}") from None
    except Exception as exc:  # a damaged Parquet/Arrow file (pyarrow's own errors)
        if not type(exc).__module__.startswith("pyarrow"):
            raise
        message = f"cannot read {name}: {exc}"
        raise InputError(message if message.startswith(("cannot ", "--")) else f"{name}: {message}") from None
    finally:
        if stream is not getattr(sys.stdin, "buffer", None):
            stream.close()
