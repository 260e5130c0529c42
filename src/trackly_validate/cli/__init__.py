"""``trackly-validate``: the command line (extra ``[cli]``: typer and rich).

::

    trackly-validate check sends.jsonl --endpoint "POST /v2/send" [--format json] [--max-problems N]
    trackly-validate check requests.jsonl              # each line {"method", "path", "body"}
    trackly-validate segments "Hello {{first_name}}"
    trackly-validate codes
    trackly-validate schema "POST /v2/send"
    trackly-validate split numbers.jsonl --kind phones --out-dir batches/

``check`` streams: each JSONL line's bytes go straight to the engine (pydantic-core parses
them), so memory stays flat and throughput stays close to a bare
``Model.model_validate_json`` loop.  Exit status: 0 all valid, 1 any invalid, 2 usage or
I/O error (one line on stderr, no traceback).

Input formats (``--input-format auto`` picks by the ``.csv``/``.tsv`` extension, else by
the first byte: ``[`` is a JSON array, anything else JSONL):

- JSONL: one body per line; blank lines are skipped (but counted for ``line``).
- JSON array: ``[body, body, ...]``, split into elements by a streaming scanner; ``line``
  is the 1-based element number.
- CSV: a header of field names, dotted for nesting (``contact_data.first_name``); an
  empty cell is an absent field.  Cells are strings, except for fields the endpoint's
  JSON Schema declares as boolean, number, object or array without allowing a string,
  whose cells are read as JSON (``true``, ``12.5``, ``{"a": 1}``), left as text when they
  do not parse.  ``line`` is the CSV line number (the header is line 1).  Needs
  ``--endpoint``.

Judgement calls: ``by_code`` counts every problem (not only each record's first), and is
exact even when ``--max-problems`` caps the listed problems; with several FILEs each
listed problem also carries its ``file``; an envelope line that is not
``{"method": str, "path": str, ...}`` is one ``invalid_input`` problem, while an
envelope naming an endpoint the library does not model stops the run with status 2
(as an unknown ``--endpoint`` does); an envelope without ``body`` is checked as ``{}``.
"""

import csv
import io
import json
import os
import re
import sys
from collections import Counter
from typing import IO, Annotated, Any, Callable, Iterator, List, Optional

from .auth import redact

__all__ = ["main", "build_app", "iter_json_array", "read_records", "InputError"]

PROG = "trackly-validate"


class InputError(Exception):
    """A usage or input problem: reported as one line, exit status 2."""


# --- readers -------------------------------------------------------------------------------------------

def _open(name: str) -> IO[bytes]:
    if name == "-":
        stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else io.BytesIO(sys.stdin.read().encode())
    else:
        try:
            stream = open(name, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise InputError(f"cannot open {name}: {exc.strerror or exc}") from None
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    return stream


def _detect(name: str, stream: IO[bytes], fmt: str) -> str:
    if fmt != "auto":
        return fmt
    if name.lower().endswith((".csv", ".tsv")):
        return "csv"
    head = stream.peek(64)[:64].lstrip(b"\xef\xbb\xbf \t\r\n")  # type: ignore[attr-defined]
    return "json" if head.startswith(b"[") else "jsonl"


def _jsonl(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    lineno = 0
    for lineno, line in enumerate(stream, 1):
        if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if line.isspace() or not line:
            continue
        yield lineno, line


_STRUCT = re.compile(rb'["\[\]{},]')
_STR_END = re.compile(rb'["\\]')


def iter_json_array(stream: IO[bytes], chunk: int = 1 << 16) -> Iterator[bytes]:
    """The raw bytes of each element of a top-level JSON array, read in chunks.

    Only the array's structure is scanned (strings, nesting, commas); each element is
    left for pydantic-core to parse, so a malformed element is an ``invalid_input``
    record, not a crash.  Holds one element plus one chunk in memory.
    ``InputError`` when the text is not an array or ends early.
    """
    buf = bytearray(stream.read(chunk))
    i = 0
    while True:  # skip a BOM and whitespace up to '['
        while i < len(buf) and buf[i] in b" \t\r\n":
            i += 1
        if buf[i:i + 3] == b"\xef\xbb\xbf":
            i += 3
            continue
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
                element = bytes(buf[start:m.start()])
                if element.strip():
                    yield element
                return
            else:  # a comma
                if depth == 0:
                    yield bytes(buf[start:m.start()])
                    start = pos
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
    if not types or "string" in types:
        return str
    from pydantic_core import from_json

    def read(cell: str) -> Any:
        text = cell.strip()
        if "boolean" in types and text.lower() in ("true", "false"):
            return text.lower() == "true"
        try:
            return from_json(text)
        except ValueError:
            return cell
    return read


def _csv(stream: IO[bytes], schema: dict[str, Any], delimiter: str) -> Iterator[tuple[int, dict[str, Any]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    columns = [(name.strip().split("."), _cell_reader(_schema_types(schema, name.strip().split("."))))
               for name in header]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        body: dict[str, Any] = {}
        for (parts, read), cell in zip(columns, row):
            if cell == "":
                continue
            target = body
            for part in parts[:-1]:
                nxt = target.get(part)
                if not isinstance(nxt, dict):
                    nxt = target[part] = {}
                target = nxt
            target[parts[-1]] = read(cell)
        yield reader.line_num, body


def read_records(name: str, stream: IO[bytes], fmt: str = "auto",
                 schema: "dict[str, Any] | Callable[[], dict[str, Any]] | None" = None) -> Iterator[tuple[int, Any]]:
    """``(line, body)`` for every record of a file: JSON bytes for JSONL and JSON
    arrays (parsed later, in pydantic-core), dicts for CSV (``schema``, or a function
    returning it, types the cells)."""
    kind = _detect(name, stream, fmt)
    if kind == "jsonl":
        return _jsonl(stream)
    if kind == "json":
        return enumerate(iter_json_array(stream), 1)
    if kind == "csv":
        if schema is None:
            raise InputError("CSV input needs --endpoint (its columns are one endpoint's fields)")
        return _csv(stream, schema() if callable(schema) else schema,
                    "\t" if name.lower().endswith(".tsv") else ",")
    raise InputError(f"unknown input format {fmt!r}")


# --- check -----------------------------------------------------------------------------------------------

def _endpoint(text: str):
    from .errors import UnknownEndpointError
    from .routes import resolve

    parts = text.split()
    if len(parts) != 2:
        raise InputError(f"endpoint must be 'METHOD /path', got {text!r}")
    try:
        route = resolve(parts[0], parts[1])
        route.model  # noqa: B018 - fail now if the area is not written yet
    except UnknownEndpointError:
        raise InputError(f"no Trackly endpoint is modelled for {parts[0].upper()} {parts[1]}") from None
    except (ImportError, AttributeError):
        raise InputError(f"the model for {route.key} is not available in this version") from None
    return route


class _Report:
    """Exact counts plus the first ``cap`` problems (memory is bounded by ``cap``)."""

    def __init__(self, cap: int, with_file: bool, text_out: IO[str] | None):
        self.total = self.valid = self.invalid = 0
        self.by_code: "Counter[str]" = Counter()
        self.problems: list[dict[str, Any]] = []
        self.cap, self.with_file, self.out = cap, with_file, text_out

    def add(self, name: str, line: int, problems: list) -> None:
        if not problems:
            self.total += 1
            self.valid += 1
            return
        self.total += 1
        self.invalid += 1
        for p in problems:
            self.by_code[p.code] += 1
            if len(self.problems) < self.cap:
                entry: dict[str, Any] = {"line": line, "code": p.code, "error": p.error, "loc": list(p.loc)}
                if self.with_file:
                    entry = {"file": redact(name), **entry}
                self.problems.append(entry)
                if self.out is not None:
                    where = f" at {p.path}" if p.loc else ""
                    self.out.write(f"{redact(name)}:{line}: {p.code} ({p.status}){where}: {p.error}\n")

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "valid": self.valid, "invalid": self.invalid,
                "by_code": dict(self.by_code.most_common()), "problems": self.problems}


def _envelope_problems(raw: Any, options: Any) -> list:
    from pydantic_core import from_json

    from .catalog import C
    from .engine import run
    from .errors import Problem
    from .routes import find

    try:
        env = from_json(raw) if isinstance(raw, (bytes, bytearray, str)) else raw
    except ValueError:
        env = None
    if not (isinstance(env, dict) and isinstance(env.get("method"), str) and isinstance(env.get("path"), str)):
        return [Problem(C.invalid_input.code, C.invalid_input.message, C.invalid_input.status, ())]
    route = find(env["method"], env["path"])
    if route is None:
        raise InputError(f"no Trackly endpoint is modelled for {env['method'].upper()} {env['path']}")
    return run(route, env.get("body", {}), options)[0]


def _progress():
    """A rich progress bar on stderr when it is a terminal, else ``None``."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=True)


def run_check(files: list[str], endpoint: str | None, fmt: str, max_problems: int, options: Any,
              input_format: str = "auto", out: IO[str] | None = None) -> int:
    """The ``check`` command; returns the exit status."""
    from .pipeline import run_many
    from .options import DEFAULT_OPTIONS

    if options == DEFAULT_OPTIONS:
        options = DEFAULT_OPTIONS  # the models' own validators

    out = out or sys.stdout
    route = _endpoint(endpoint) if endpoint else None
    schema = (lambda: route.model.model_json_schema()) if route is not None else None  # CSV only
    report = _Report(max_problems, len(files) > 1, out if fmt == "text" else None)
    progress = _progress()
    if progress is not None:
        progress.start()
    try:
        for name in files:
            stream = _open(name)
            try:
                task = None
                if progress is not None:
                    size = os.fstat(stream.fileno()).st_size if name != "-" else None
                    task = progress.add_task(name, total=size or None)
                records = read_records(name, stream, input_format, schema)
                if route is not None:
                    current = [0]

                    def bodies(records: Iterator[tuple[int, Any]] = records, current: list = current) -> Iterator[Any]:
                        for line, body in records:
                            current[0] = line
                            yield body

                    add = report.add
                    for n, problems in enumerate(run_many(route, bodies(), options), 1):
                        add(name, current[0], problems)
                        if task is not None and not n & 0x3FF:
                            progress.update(task, completed=_tell(stream))
                else:
                    for n, (line, body) in enumerate(records, 1):
                        report.add(name, line, _envelope_problems(body, options))
                        if task is not None and not n & 0x3FF:
                            progress.update(task, completed=_tell(stream))
            except OSError as exc:
                raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
            except UnicodeDecodeError:
                raise InputError(f"cannot read {name}: not UTF-8 text") from None
            except csv.Error as exc:
                raise InputError(f"cannot read {name}: {exc}") from None
            except InputError as exc:
                raise InputError(f"{name}: {exc}") from None
            finally:
                if stream is not getattr(sys.stdin, "buffer", None):
                    stream.close()
    finally:
        if progress is not None:
            progress.stop()
    if fmt == "json":
        out.write(json.dumps(report.as_dict(), ensure_ascii=False) + "\n")
    else:
        out.write(f"{report.total} records: {report.valid} valid, {report.invalid} invalid\n")
        for code, count in report.by_code.most_common():
            out.write(f"  {code}: {count}\n")
        shown = len(report.problems)
        hidden = sum(report.by_code.values()) - shown
        if hidden > 0:
            out.write(f"  ({hidden} more problems not listed; raise --max-problems to see them)\n")
    return 1 if report.invalid else 0


def _tell(stream: IO[bytes]) -> int:
    try:
        return stream.tell()
    except OSError:
        return 0


# --- split -------------------------------------------------------------------------------------------------

def run_split(name: str, kind: str, out_dir: str, prefix: str, extra: str | None, input_format: str,
              out: IO[str] | None = None) -> int:
    from pydantic_core import from_json, to_json

    from .batching import KINDS, BatchItemTooLarge, batches
    from .errors import TracklyError

    if kind not in KINDS:
        raise InputError(f"--kind must be one of: {', '.join(KINDS)}")
    fields: dict[str, Any] = {}
    if extra:
        try:
            fields = json.loads(extra)
        except ValueError:
            fields = None  # type: ignore[assignment]
        if not isinstance(fields, dict):
            raise InputError("--extra must be a JSON object")
    stream = _open(name)
    lines: list[int] = [0]

    def items() -> Iterator[Any]:
        for line, raw in read_records(name, stream, input_format, {}):
            lines[0] = line
            try:
                yield from_json(raw) if isinstance(raw, (bytes, bytearray)) else raw
            except ValueError:
                raise InputError(f"{name}:{line}: not valid JSON") from None

    to_stdout = out_dir == "-"
    if not to_stdout:
        os.makedirs(out_dir, exist_ok=True)
    written = count = 0
    try:
        for written, body in enumerate(batches(items(), kind, extra=fields), 1):
            count += len(body[kind])
            data = to_json(body)
            if to_stdout:
                (out or sys.stdout).write(data.decode("utf-8") + "\n")
            else:
                with open(os.path.join(out_dir, f"{prefix}-{written:05d}.json"), "wb") as fh:
                    fh.write(data)
    except BatchItemTooLarge as exc:
        raise InputError(f"{name}:{lines[0]}: the item alone needs a {exc.size}-byte body, "
                         f"over the {exc.limit}-byte limit") from None
    except TracklyError as exc:
        raise InputError(f"{name}:{lines[0]}: {exc}") from None
    except OSError as exc:
        raise InputError(f"cannot write {out_dir}: {exc.strerror or exc}") from None
    finally:
        if stream is not getattr(sys.stdin, "buffer", None):
            stream.close()
    where = "stdout" if to_stdout else out_dir
    sys.stderr.write(f"{count} {kind} in {written} request bodies -> {where}\n")
    return 0


# --- the app ---------------------------------------------------------------------------------------------------

def _options(phone_level: str | None, disable: list[str] | None):
    from .options import Options

    try:
        level: Any = phone_level or "possible"
        return Options(phone_level=level, disable=frozenset(disable or ()))
    except (ValueError, TypeError) as exc:
        raise InputError(str(exc)) from None


def build_app():
    """The typer application (typer is imported here, so the module imports without it)."""
    import typer

    app = typer.Typer(name=PROG, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                      help="Check Trackly SMS API requests locally, with the API's own codes.")
    fmt_help = "text or json"

    @app.command()
    def check(
        files: Annotated[List[str], typer.Argument(help="JSONL, JSON array or CSV files; - reads stdin")],
        endpoint: Annotated[Optional[str], typer.Option("--endpoint", "-e", help='e.g. "POST /v2/send"; '
                            "without it each JSONL line is {method, path, body}")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help=fmt_help)] = "text",
        max_problems: Annotated[int, typer.Option("--max-problems", min=0,
                                help="problems listed at most (counts stay exact)")] = 1000,
        phone_level: Annotated[Optional[str], typer.Option("--phone-level",
                               help="format, possible (default) or valid")] = None,
        disable: Annotated[Optional[List[str]], typer.Option("--disable", help="switch a rule off by code")] = None,
        input_format: Annotated[str, typer.Option("--input-format", help="auto, jsonl, json or csv")] = "auto",
    ) -> None:
        """Check every request body in FILE...; exit 0 all valid, 1 any invalid, 2 usage/I-O error."""
        if fmt not in ("text", "json"):
            raise InputError("--format must be text or json")
        code = run_check(files, endpoint, fmt, max_problems, _options(phone_level, disable), input_format)
        raise typer.Exit(code)

    @app.command()
    def segments(
        text: Annotated[str, typer.Argument(help="the SMS body")],
        fmt: Annotated[str, typer.Option("--format", "-f", help=fmt_help)] = "text",
    ) -> None:
        """Encoding, length and segment count of an SMS body."""
        from .sms import analyze_sms

        a = analyze_sms(text)
        data = {"encoding": a.encoding, "length": a.length, "segments": a.segments,
                "per_segment": a.per_segment, "remaining": a.remaining, "ucs2_chars": list(a.ucs2_chars)}
        if fmt == "json":
            typer.echo(json.dumps(data, ensure_ascii=False))
            return
        for key, value in data.items():
            if key == "ucs2_chars":
                value = " ".join(value) if value else "-"
            typer.echo(f"{key}: {value}")

    @app.command()
    def codes(fmt: Annotated[str, typer.Option("--format", "-f", help=fmt_help)] = "text") -> None:
        """The error catalog: every code the API documents."""
        from .catalog import CATALOG

        rows = [{"code": c.code, "status": c.status, "category": c.category, "local": c.local,
                 "message": c.message} for c in CATALOG.values()]
        if fmt == "json":
            typer.echo(json.dumps(rows, ensure_ascii=False))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table("code", "status", "category", "local", "message", title="Trackly error codes")
        for r in rows:
            table.add_row(r["code"], str(r["status"]), r["category"], "yes" if r["local"] else "no", r["message"])
        console = Console(width=None if sys.stdout.isatty() else 200)
        console.print(table)

    @app.command()
    def schema(endpoint: Annotated[str, typer.Argument(help='e.g. "POST /v2/creatives"')]) -> None:
        """The JSON Schema of an endpoint's body (for front-end form validation)."""
        route = _endpoint(endpoint)
        typer.echo(json.dumps(route.model.model_json_schema(), indent=2, ensure_ascii=False))

    @app.command()
    def split(
        file: Annotated[str, typer.Argument(help="items: JSONL, JSON array or CSV; - reads stdin")],
        kind: Annotated[str, typer.Option("--kind", "-k", help="messages, contacts, records or phones")]
        = "messages",
        out_dir: Annotated[str, typer.Option("--out-dir", "-o", help="directory for PREFIX-00001.json...; "
                           "- writes one body per line to stdout")] = ".",
        prefix: Annotated[str, typer.Option("--prefix")] = "batch",
        extra: Annotated[Optional[str], typer.Option("--extra", help='top-level fields for every body, '
                         'e.g. \'{"from_phone_number_id": "abc"}\'')] = None,
        input_format: Annotated[str, typer.Option("--input-format", help="auto, jsonl, json or csv")] = "auto",
    ) -> None:
        """Split items into bulk request bodies (<= 1000 items, 500 phones, and <= 5 MiB each)."""
        raise typer.Exit(run_split(file, kind, out_dir, prefix, extra, input_format))

    return app


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit status."""
    try:
        app = build_app()
    except ImportError:
        sys.stderr.write(f"{PROG}: the command line needs the [cli] extra: "
                         "pip install 'trackly-validate[cli]'\n")
        return 2
    try:
        result = app(args=argv, prog_name=PROG, standalone_mode=False)
    except InputError as exc:
        sys.stderr.write(redact(f"{PROG}: error: {exc}\n"))
        return 2
    except BrokenPipeError:  # e.g. piped into head
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:  # pragma: no cover
            pass
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as exc:  # click/typer usage errors and anything unexpected: one line, no traceback
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            message = exc.format_message()
            if message:  # (no command at all: the help was printed)
                sys.stderr.write(redact(f"{PROG}: error: {message}\n"))
            return 2 if exc.exit_code in (None, 1, 2) else int(exc.exit_code)
        sys.stderr.write(redact(f"{PROG}: error: {type(exc).__name__}: {exc}\n"))
        return 2
    if isinstance(result, int):
        return result
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
