"""``trackly-validate``: the command line (extra ``[cli]``: typer and rich; ``[arrow]`` for
Parquet and Arrow input).

::

    trackly-validate check sends.jsonl -e "POST /v2/send" [--format json] [--jobs N] [--options JSON|@FILE]
                                       [--valid-out ok.jsonl] [--invalid-out rejects.jsonl]
    trackly-validate check requests.jsonl              # request log: each line {"method", "path", "body"}
    trackly-validate split items.jsonl -e "POST /v2/send/bulk" --out-dir batches/
    trackly-validate endpoints [--format json]
    trackly-validate segments "Hello {{first_name}}" [--parts] [--graphemes]
    trackly-validate codes
    trackly-validate schema "POST /v2/send"
    trackly-validate openapi > trackly.json                    # the OpenAPI 3.1 document ([server] not needed)
    trackly-validate serve [--port 4787] [--db F] [--fixtures F]   # the sandbox ([server])
    trackly-validate serve --upstream https://api.tracklysms.com   # the validating proxy ([server])

Every check goes through the one pipeline (``pipeline.run``/``run_many``).  Exit
status: 0 all valid, 1 any refused (or, in a request log, any endpoint not modelled),
2 usage or input error (one line on stderr, no traceback).

Modules: ``readers`` (formats, chunks), ``workers`` (in-process or worker processes,
in order), ``report`` (counts, text/JSON, progress bar), ``outputs`` (``--valid-out``,
``--invalid-out``), ``check``, ``split`` and ``info`` (endpoints, segments, codes).
"""


import os
import sys
from typing import Annotated, Any, List, Optional

from trackly_validate.core.keys import redact
from trackly_validate.doors.cli.readers import FORMATS, InputError, iter_json_array, read_records

__all__ = ["main", "build_app", "iter_json_array", "read_records", "InputError", "run_check", "run_split"]

PROG = "trackly-validate"


def __getattr__(name: str) -> Any:
    """``run_check`` and ``run_split`` on first use: they pull in the pipeline and pydantic,
    which ``--help``, ``codes`` and ``segments`` never need."""
    if name == "run_check":
        from trackly_validate.doors.cli.check import run_check

        return run_check
    if name == "run_split":
        from trackly_validate.doors.cli.split import run_split

        return run_split
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _options(phone_level: str | None, disable: list[str] | None, options_json: str | None = None) -> Any:
    """The Options of ``--options`` (JSON or @FILE, as ``serve`` takes it), ``--phone-level``
    and ``--disable``; an unknown code in ``--disable`` is named with the closest known one."""
    from trackly_validate.core.options import DEFAULT_OPTIONS
    from trackly_validate.doors.server.cli import options_from  # stdlib only: no [server] extra needed

    _known_codes(disable or ())
    try:
        found = options_from(options_json, phone_level, disable)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return DEFAULT_OPTIONS if found is None else found


def _known_codes(codes: Any) -> None:
    """``InputError`` naming each unknown code with a 'did you mean' when one is close."""
    import difflib

    from trackly_validate.core.catalog import CATALOG

    unknown = [c for c in codes if c not in CATALOG]
    if not unknown:
        return
    parts = []
    for code in unknown:
        close = difflib.get_close_matches(code, list(CATALOG), n=1, cutoff=0.6)
        parts.append(f"{code} (did you mean {close[0]}?)" if close else code)
    raise InputError(f"unknown error code(s) in disable: {', '.join(parts)}")


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        raise InputError("--format must be text or json")


def build_app() -> Any:
    """The typer application (typer is imported here, so the module imports without it)."""
    import typer

    from trackly_validate.doors.cli import info

    app = typer.Typer(name=PROG, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                      rich_markup_mode=None,  # plain help: readable metavars, no <list[str]> type labels
                      help="Check Trackly SMS API requests locally, with the API's own codes.")
    fmt_help = "text or json"
    formats = ", ".join(FORMATS)

    @app.command()
    def check(
        files: Annotated[List[str], typer.Argument(metavar="FILE", help="JSONL, JSON array, CSV, Parquet or "
                                                   "Arrow files; - reads stdin")],
        endpoint: Annotated[Optional[str], typer.Option("--endpoint", "-e", metavar="'METHOD /PATH'", help='e.g. "POST /v2/send"; '
                            "without it each JSONL line is {method, path, body}")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json", help=fmt_help)] = "text",
        max_problems: Annotated[int, typer.Option("--max-problems", min=0, metavar="N",
                                help="problems listed at most (counts stay exact)")] = 1000,
        phone_level: Annotated[Optional[str], typer.Option("--phone-level", metavar="LEVEL",
                               help="format, possible (default) or valid")] = None,
        disable: Annotated[Optional[List[str]], typer.Option("--disable", metavar="CODE",
                                    help="switch a rule off by code (repeatable)")] = None,
        input_format: Annotated[str, typer.Option("--input-format", metavar="FORMAT", help=formats)] = "auto",
        jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N",
                        help="worker processes (default: every core)")] = None,
        options_json: Annotated[Optional[str], typer.Option("--options", metavar="JSON|@FILE", help='Options as a '
                                'JSON object, e.g. \'{"phone_level": "valid", "allowed_countries": ["US"]}\', or '
                                '@FILE (as serve takes it)')] = None,
        valid_out: Annotated[Optional[str], typer.Option("--valid-out", metavar="FILE", help="write the sendable records here")]
        = None,
        invalid_out: Annotated[Optional[str], typer.Option("--invalid-out", metavar="FILE",
                               help="write the refused records here, with their problems")] = None,
    ) -> None:
        """Check every request body in FILE...; exit 0 all valid, 1 any invalid, 2 usage/I-O error."""
        from trackly_validate.doors.cli.check import run_check

        _check_format(fmt)
        code = run_check(files, endpoint, fmt, max_problems, _options(phone_level, disable, options_json), input_format,
                         jobs=jobs or os.cpu_count() or 1, valid_out=valid_out, invalid_out=invalid_out)
        raise typer.Exit(code)

    @app.command()
    def split(
        file: Annotated[str, typer.Argument(metavar="FILE", help="items: JSONL, JSON array, CSV, Parquet or Arrow; - reads stdin")],
        endpoint: Annotated[Optional[str], typer.Option("--endpoint", "-e", metavar="'METHOD /PATH'", help='the bulk endpoint, e.g. '
                            '"POST /v2/send/bulk"')] = None,
        kind: Annotated[Optional[str], typer.Option("--kind", "-k", metavar="KIND", help="messages, contacts, records or phones "
                        "(enough without --endpoint for contacts and phones)")] = None,
        out_dir: Annotated[str, typer.Option("--out-dir", "-o", metavar="DIR", help="directory for PREFIX-00001.json...; "
                           "- writes one body per line to stdout")] = ".",
        prefix: Annotated[str, typer.Option("--prefix", metavar="PREFIX", help="file names: PREFIX-00001.json...")] = "batch",
        extra: Annotated[Optional[str], typer.Option("--extra", metavar="JSON", help='top-level fields for every body, '
                         'e.g. \'{"from_phone_number_id": "abc"}\'')] = None,
        keep_invalid: Annotated[bool, typer.Option("--keep-invalid", help="keep the items the server would "
                                "refuse (default: drop them)")] = False,
        phone_level: Annotated[Optional[str], typer.Option("--phone-level", metavar="LEVEL",
                               help="format, possible (default) or valid")] = None,
        disable: Annotated[Optional[List[str]], typer.Option("--disable", metavar="CODE",
                                    help="switch a rule off by code (repeatable)")] = None,
        input_format: Annotated[str, typer.Option("--input-format", metavar="FORMAT", help=formats)] = "auto",
        options_json: Annotated[Optional[str], typer.Option("--options", metavar="JSON|@FILE", help='Options as a '
                                'JSON object, e.g. \'{"phone_level": "valid", "allowed_countries": ["US"]}\', or '
                                '@FILE (as serve takes it)')] = None,
    ) -> None:
        """Split items into bulk request bodies the server accepts (<= the cap and 5 MiB each)."""
        from trackly_validate.doors.cli.split import run_split

        raise typer.Exit(run_split(file, kind, out_dir, prefix, extra, input_format, endpoint=endpoint,
                                   keep_invalid=keep_invalid, options=_options(phone_level, disable, options_json)))

    @app.command()
    def endpoints(fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json", help=fmt_help)] = "text") -> None:
        """The endpoints this version models: method, path, summary, bulk field and cap."""
        _check_format(fmt)
        info.print_endpoints(fmt)

    @app.command()
    def segments(
        text: Annotated[str, typer.Argument(metavar="TEXT", help="the SMS body")],
        fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json", help=fmt_help)] = "text",
        parts: Annotated[bool, typer.Option("--parts", help="print each part as it is sent")] = False,
        graphemes: Annotated[bool, typer.Option("--graphemes", help="never cut a grapheme cluster "
                             "(as Twilio's calculator; needs the regex package)")] = False,
    ) -> None:
        """Encoding, length and segment count of an SMS body."""
        _check_format(fmt)
        info.print_segments(text, fmt, parts, "graphemes" if graphemes else "units")

    @app.command()
    def codes(fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json", help=fmt_help)] = "text") -> None:
        """The error catalog: every code the API documents."""
        _check_format(fmt)
        info.print_codes(fmt)

    @app.command()
    def schema(endpoint: Annotated[str, typer.Argument(metavar="'METHOD /PATH'", help='e.g. "POST /v2/creatives"')]) -> None:
        """The JSON Schema of an endpoint's body (for front-end form validation)."""
        info.print_schema(endpoint)

    # The stand-in server's commands: plain functions of trackly_validate.doors.server.cli
    @app.command()
    def openapi() -> None:
        """Print the OpenAPI 3.1 document of every modelled endpoint (JSON)."""
        from trackly_validate.doors.server.cli import openapi_command

        raise typer.Exit(openapi_command(sys.stdout))

    @app.command()
    def serve(
        host: Annotated[str, typer.Option("--host", metavar="ADDRESS", help="address to bind (loopback by default)")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, metavar="PORT")] = 4787,
        upstream: Annotated[Optional[str], typer.Option("--upstream", metavar="URL", help="the validating proxy: forward the "
                            "requests that pass to this API base, e.g. https://app.tracklysms.com")] = None,
        timeout: Annotated[Optional[float], typer.Option("--timeout", metavar="SECONDS", help="proxy: seconds to wait for the "
                           "upstream's answer (between reads; default 30)")] = None,
        connect_timeout: Annotated[Optional[float], typer.Option("--connect-timeout", metavar="SECONDS", help="proxy: seconds to "
                                   "open a connection to the upstream (default 5)")] = None,
        header_timeout: Annotated[Optional[float], typer.Option("--header-timeout", metavar="SECONDS", help="seconds "
                                  "for a request's headers to arrive, else 408 and closed (default 10)")] = None,
        body_timeout: Annotated[Optional[float], typer.Option("--body-timeout", metavar="SECONDS", help="seconds "
                                "for a request's body to arrive after its headers, else 408 and closed "
                                "(default 60)")] = None,
        keep_alive: Annotated[Optional[float], typer.Option("--keep-alive", metavar="SECONDS", help="seconds an "
                              "idle keep-alive connection is kept open (default 5, as Node)")] = None,
        max_connections: Annotated[Optional[int], typer.Option("--max-connections", metavar="N", help="client "
                                   "connections open at once; past it a new one is answered 503 and closed "
                                   "(default 1000)")] = None,
        workers: Annotated[int, typer.Option("--workers", min=1, metavar="N", help="proxy: processes serving the "
                           "port (default 1; counts at /_proxy/stats are each worker's)")] = 1,
        fixtures: Annotated[Optional[str], typer.Option("--fixtures", metavar="FILE", help="stand-in: the account's "
                            "state (JSON file)")] = None,
        seed: Annotated[Optional[int], typer.Option("--seed", metavar="N", help="stand-in: repeatable generated ids")] = None,
        db: Annotated[Optional[str], typer.Option("--db", metavar="FILE", help="stand-in: keep the state in this "
                      "SQLite file across restarts (default: in a throw-away database, nothing kept)")] = None,
        reset: Annotated[bool, typer.Option("--reset", help="stand-in: empty the --db file first (then the "
                         "fixtures seed it again)")] = False,
        webhook_url: Annotated[Optional[str], typer.Option("--webhook-url", metavar="URL", help="stand-in: POST "
                               "delivery, unsubscribe and reply events here")] = None,
        webhook_secret: Annotated[Optional[str], typer.Option("--webhook-secret", metavar="SECRET",
                                  envvar="TRACKLY_WEBHOOK_SECRET", help="stand-in: sign the events "
                                  "(X-Trackly-Signature, hex HMAC-SHA256 of the body); or the "
                                  "TRACKLY_WEBHOOK_SECRET variable")] = None,
        options_json: Annotated[Optional[str], typer.Option("--options", metavar="JSON|@FILE", help='Options as a JSON object, e.g. '
                                '\'{"phone_level": "valid", "allowed_countries": ["US"]}\', or @FILE')] = None,
        phone_level: Annotated[Optional[str], typer.Option("--phone-level", metavar="LEVEL",
                               help="format, possible (default) or valid")] = None,
        disable: Annotated[Optional[List[str]], typer.Option("--disable", metavar="CODE",
                                    help="switch a rule off by code (repeatable)")] = None,
    ) -> None:
        """Serve a stand-in for the Trackly API, or with --upstream a validating proxy in front of it."""
        from trackly_validate.doors.server.cli import options_from, serve_command

        _known_codes(disable or ())
        try:
            options = options_from(options_json, phone_level, disable)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        try:
            code = serve_command(host, port, fixtures, seed, options, upstream=upstream, timeout=timeout,
                                 connect_timeout=connect_timeout, header_timeout=header_timeout,
                                 body_timeout=body_timeout, keep_alive=keep_alive,
                                 max_connections=max_connections, workers=workers, db=db, reset=reset,
                                 webhook_url=webhook_url, webhook_secret=webhook_secret)
        except KeyboardInterrupt:  # Ctrl-C is how a server is stopped
            code = 0
        raise typer.Exit(code)

    return app


def _readable(app: Any) -> Any:
    """The app's click command with arguments shown by their names alone in ``--help``
    (typer labels them with Python types, ``FILE <list[str]>``)."""
    import typer.main

    command = typer.main.get_command(app)
    for sub in getattr(command, "commands", {}).values():
        for param in sub.params:
            if getattr(param, "param_type_name", "") == "argument":
                param.display_type_rich = lambda ctx: None  # instance attribute: this app only
    return command


def _silence_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the flush at exit stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured in tests)
        pass


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit status."""
    try:
        app = build_app()
    except ImportError:
        sys.stderr.write(f"{PROG}: the command line needs the [cli] extra: "
                         "pip install 'trackly-validate[cli]'\n")
        return 2
    try:
        result = _readable(app).main(args=argv, prog_name=PROG, standalone_mode=False)
    except InputError as exc:
        sys.stderr.write(redact(f"{PROG}: error: {exc}\n"))
        return 2
    except BrokenPipeError:  # the reader went away (e.g. piped into head): stop quietly
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as exc:  # click/typer usage errors and anything unexpected: one line, no traceback
        if type(exc).__name__ == "NoArgsIsHelpError":  # no command: the help, on stdout, exit 2
            sys.stdout.write(exc.format_message() + "\n")  # type: ignore[attr-defined]  # click's error, known by name
            return 2
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
