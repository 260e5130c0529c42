"""``python -m trackly_validate.server [--host H] [--port P] [--fixtures FILE] [--seed N]``."""

from __future__ import annotations

import argparse
import sys

from .cli import serve_command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trackly_validate.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--fixtures")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    return serve_command(args.host, args.port, args.fixtures, args.seed)


if __name__ == "__main__":
    sys.exit(main())
