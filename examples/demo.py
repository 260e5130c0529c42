"""`make demo`: check the bundled example requests and print what the API would answer.

Each file in examples/payloads/ is one request: {"method", "path", "body"}.  For every
request the report shows whether the server would accept it and, if not, each problem
with the HTTP status, code, JSON path and the API's own error text, in the order the
server would report them.  Bulk requests also show how `tv.partition` splits them.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import trackly_validate as tv
from trackly_validate.contracts.routes import resolve

HERE = Path(__file__).resolve().parent
GREEN, RED, DIM, BOLD, RESET = ("\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m") \
    if sys.stdout.isatty() else ("", "", "", "", "")


def main() -> int:
    files = sorted((HERE / "payloads").glob("*.json"))
    by_code: Counter[str] = Counter()
    valid = 0
    print(f"{BOLD}trackly-validate {tv.__version__}: checking {len(files)} example requests{RESET}\n")
    for path in files:
        request = json.loads(path.read_text(encoding="utf-8"))
        method, url, body = request["method"], request["path"], request["body"]
        problems = tv.check(method, url, body)
        mark = f"{GREEN}accepted{RESET}" if not problems else f"{RED}refused{RESET}"
        print(f"{path.name:<38} {method:<6} {url:<48} {mark}")
        for p in problems:
            where = p.path or "(body)"
            print(f"    {p.status} {p.code:<38} {where:<28} {DIM}{p.error}{RESET}")
            by_code[p.code] += 1
        if resolve(method, url).items and problems:
            part = tv.partition(method, url, body)
            if part.ok:
                print(f"    {DIM}partition: send items {list(part.accepted_indices)}, "
                      f"report {[e['index'] for e in part.errors]}{RESET}")
        valid += not problems
    print(f"\n{BOLD}{valid} accepted, {len(files) - valid} refused{RESET}")
    if by_code:
        print("problems by code: " + ", ".join(f"{code} x{n}" for code, n in by_code.most_common()))

    text = "Hot deals just for you! Shop now: https://t.co/x Reply STOP — thanks 😀"
    sms = tv.analyze_sms(text)
    print(f"\n{BOLD}SMS analysis{RESET} of {text!r}:\n    {sms.encoding}, {sms.length} units, "
          f"{sms.segments} segment(s); forced UCS-2 by {''.join(sms.ucs2_chars)!r}")
    key = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6 "
    print(f"{BOLD}X-Api-Key check{RESET} of a key with a trailing space: "
          f"{[(p.status, p.code, p.error) for p in tv.check_api_key(key)]} (the key is never echoed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
