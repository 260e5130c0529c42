"""``python -m trackly_validate.doors.server [--host H] [--port P] [--fixtures FILE] [--seed N] [--db FILE]
[--reset] [--webhook-url URL] [--webhook-secret S]``
or, the validating proxy, ``[--upstream URL] [--timeout S] [--connect-timeout S]``."""

from __future__ import annotations

import argparse
import sys

from trackly_validate.doors.server.cli import serve_command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trackly_validate.doors.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4787)
    parser.add_argument("--fixtures")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--db", help="keep the state in this SQLite file (default: nothing kept)")
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret")
    parser.add_argument("--upstream")
    parser.add_argument("--timeout", type=float)
    parser.add_argument("--connect-timeout", type=float)
    args = parser.parse_args(argv)
    return serve_command(args.host, args.port, args.fixtures, args.seed, upstream=args.upstream,
                         timeout=args.timeout, connect_timeout=args.connect_timeout, db=args.db, reset=args.reset,
                         webhook_url=args.webhook_url, webhook_secret=args.webhook_secret)


if __name__ == "__main__":
    sys.exit(main())
