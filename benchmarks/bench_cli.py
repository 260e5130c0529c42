"""CLI throughput and memory: ``trackly-validate check`` on Parquet and JSONL.

Every figure is a whole command in a fresh process, measured by ``os.wait4``: CPU time
(user + system, the workers' included: other engineers' processes on a shared machine
do not inflate it), wall time, and peak RSS (``ru_maxrss``: the largest VmHWM of the
process and its reaped workers).  Rows: ``/v2/send`` bodies, 90% valid, 10% missing
``list_number``; the Parquet file has row groups of 64k rows.

- ``bare regex loop``: ``for line in f: RegexSend.model_validate_json(line)`` over the
  same rows as JSON lines (a pydantic model of ``to``/``list_number`` as E.164 regexes
  and ``body`` as text: the floor a user would write);
- ``check rows.parquet --jobs 1``: goal <= 1.5x the bare loop (CPU time);
- ``check rows.parquet --jobs 2``: goal >= 1.5x faster than ``--jobs 1`` (wall time, on
  2 cores: only meaningful on an otherwise idle machine);
- ``check rows.jsonl --jobs 1`` against the bare loop of the library's own model
  (``SendMessage.model_validate_json``): goal <= 1.5x;
- peak RSS of ``--jobs 1`` on 100k and 1M rows (10M with ``--10m``): goal flat (< 16 MiB growth).

Run: ``python benchmarks/bench_cli.py [ROWS] [--10m]`` (default 1,000,000 rows).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

ROWS = 1_000_000
ENDPOINT = "POST /v2/send"
GROUP = 65_536

REGEX_LOOP = """
import sys
from typing import Annotated
from pydantic import BaseModel, Field, ValidationError
E164 = r"^\\+[1-9][0-9]{1,14}$"
class RegexSend(BaseModel):
    to: Annotated[str, Field(pattern=E164)]
    list_number: Annotated[str, Field(pattern=E164)]
    body: str
for line in open(sys.argv[1], "rb"):
    try:
        RegexSend.model_validate_json(line)
    except ValidationError:
        pass
"""

MODEL_LOOP = """
import sys, trackly_validate as tv
from pydantic import ValidationError
m = tv.model_for("POST", "/v2/send")
for line in open(sys.argv[1], "rb"):
    try:
        m.model_validate_json(line)
    except ValidationError:
        pass
"""


def write_rows(tmp: str, n: int) -> tuple[str, str]:
    """``rows.parquet`` and ``rows.jsonl`` with the same ``n`` bodies, written in slices."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pydantic_core import to_json

    parquet, jsonl = os.path.join(tmp, f"rows{n}.parquet"), os.path.join(tmp, f"rows{n}.jsonl")
    schema = pa.schema([("to", pa.string()), ("list_number", pa.string()), ("body", pa.string())])
    with pq.ParquetWriter(parquet, schema) as writer, open(jsonl, "wb") as lines:
        for start in range(0, n, GROUP):
            idx = range(start, min(n, start + GROUP))
            to = [f"+1415555{i % 10000:04d}" for i in idx]
            ln = [None if i % 10 == 3 else "+18005551000" for i in idx]
            body = [f"Hello {i}, your order is confirmed. Ref: {{{{messageId}}}}" for i in idx]
            writer.write_table(pa.table({"to": to, "list_number": ln, "body": body}, schema=schema),
                               row_group_size=GROUP)
            for t, n_, b in zip(to, ln, body):
                row = {"to": t, "body": b} if n_ is None else {"to": t, "list_number": n_, "body": b}
                lines.write(to_json(row) + b"\n")
    return parquet, jsonl


# Runs a Python program and writes its VmHWM (kB) to fd 3 at exit: ru_maxrss would count
# the parent's RSS at fork (this process, holding the generated rows).
PEAK = ("import atexit, os, sys\n"
        "fd = int(sys.argv[1])\n"
        "def peak():\n"
        "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "    t = os.times()\n"
        "    os.write(fd, f'{hwm} {t.user + t.system} {t.children_user + t.children_system}'.encode())\n"
        "atexit.register(peak)\n"
        "sys.argv = sys.argv[2:]\n"
        "if sys.argv[0] == '-c':\n"
        "    sys.argv = sys.argv[1:]; exec(compile(sys.argv[0], '<loop>', 'exec'))\n"
        "else:\n"
        "    from trackly_validate.doors.cli import main\n"
        "    sys.exit(main(sys.argv[1:]))\n")


def measure(argv: list[str]) -> dict[str, float]:
    """Run ``python -c LOOP FILE`` or ``trackly-validate ARGS``: wall time, CPU time (user +
    system, its workers included) and the command process's peak RSS (VmHWM) in MiB."""
    read, write = os.pipe()
    cmd = [sys.executable, "-c", PEAK, str(write)] + (argv[1:] if argv[0] == sys.executable
                                                      else ["check-cli"] + argv[1:])
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write,))
    os.close(write)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    with os.fdopen(read, "rb") as f:
        hwm, own, workers = (f.read().decode() or "0 0 0").split()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": int(hwm) / 1024,
            "own": float(own), "workers": float(workers), "rc": float(os.waitstatus_to_exitcode(status))}


def critical_path(run: dict[str, float], jobs: int) -> float:
    """CPU seconds on the longest of the processes: the parent's own, or one worker's share
    (chunks go to the workers in turn).  Wall time on an idle machine with ``jobs`` free
    cores; unlike wall time on a shared machine, other processes do not inflate it."""
    return max(run["own"], run["workers"] / jobs)


def _exe() -> str:
    return shutil.which("trackly-validate") or os.path.join(os.path.dirname(sys.executable), "trackly-validate")


def main(rows: int = ROWS, ten_million: bool = False) -> dict[str, Any]:
    exe = _exe()
    tmp = tempfile.mkdtemp(prefix="bench_cli_")
    try:
        parquet, jsonl = write_rows(tmp, rows)
        check = [exe, "check", "--endpoint", ENDPOINT, "--format", "json"]
        bare = measure([sys.executable, "-c", REGEX_LOOP, jsonl])
        model = measure([sys.executable, "-c", MODEL_LOOP, jsonl])
        one = measure(check + [parquet, "--jobs", "1"])
        two = measure(check + [parquet, "--jobs", "2"])
        lines = measure(check + [jsonl, "--jobs", "1"])
        lines2 = measure(check + [jsonl, "--jobs", "2"])
        assert one["rc"] == two["rc"] == lines["rc"] == 1.0, "check should exit 1 (10% invalid)"
        peaks = {}
        for n in [100_000, rows] + ([10_000_000] if ten_million else []):
            path = parquet if n == rows else write_rows(tmp, n)[0]
            peaks[n] = measure(check + [path, "--jobs", "1"])["rss"]
            for name in os.listdir(tmp):
                if name.startswith(f"rows{n}.") and n != rows:
                    os.remove(os.path.join(tmp, name))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    growth = peaks[max(peaks)] - peaks[min(peaks)]
    r1, r3 = one["cpu"] / bare["cpu"], lines["cpu"] / model["cpu"]
    r2 = one["cpu"] / critical_path(two, 2)
    print(f"trackly-validate check, {rows:,} /v2/send rows (10% invalid); CPU time = user+sys of the whole "
          f"command (workers included), shared machine: wall times are indicative\n")
    print("| run | CPU s | wall s | peak RSS MiB | ratio | goal | |")
    print("|---|---|---|---|---|---|---|")
    print(f"| bare regex-only pydantic loop, JSONL | {bare['cpu']:.2f} | {bare['wall']:.2f} | {bare['rss']:.0f} | | | |")
    print(f"| check Parquet --jobs 1 | {one['cpu']:.2f} | {one['wall']:.2f} | {one['rss']:.0f} | "
          f"{r1:.2f}x the bare loop (CPU) | <= 1.5x | {'met' if r1 <= 1.5 else 'MISSED'} |")
    print(f"| check Parquet --jobs 2 | {two['cpu']:.2f} | {two['wall']:.2f} | {two['rss']:.0f} | "
          f"{r2:.2f}x faster than --jobs 1 (CPU critical path; wall {one['wall'] / two['wall']:.2f}x) | >= 1.5x | {'met' if r2 >= 1.5 else 'MISSED'} |")
    print(f"| bare SendMessage loop, JSONL | {model['cpu']:.2f} | {model['wall']:.2f} | {model['rss']:.0f} | | | |")
    print(f"| check JSONL --jobs 1 | {lines['cpu']:.2f} | {lines['wall']:.2f} | {lines['rss']:.0f} | "
          f"{r3:.2f}x the SendMessage loop (CPU) | <= 1.5x | {'met' if r3 <= 1.5 else 'MISSED'} |")
    print(f"| check JSONL --jobs 2 | {lines2['cpu']:.2f} | {lines2['wall']:.2f} | {lines2['rss']:.0f} | "
          f"{lines['cpu'] / critical_path(lines2, 2):.2f}x faster than --jobs 1 (CPU critical path; wall "
          f"{lines['wall'] / lines2['wall']:.2f}x) | | |")
    marks = ", ".join(f"{n:,} rows {mib:.0f} MiB" for n, mib in peaks.items())
    print(f"| peak RSS, Parquet --jobs 1 | | | {marks} | {growth:+.1f} MiB | flat (< 16 MiB) | "
          f"{'met' if growth < 16 else 'MISSED'} |")
    return {"bare": bare, "jobs1": one, "jobs2": two, "jsonl": lines, "jsonl2": lines2, "model": model,
            "peaks": peaks}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else ROWS, "--10m" in sys.argv)
