"""DataFrame throughput: ``check_frame`` on pandas, polars and Arrow against the per-row
loop a user would write and against the CLI on the same rows as JSONL.

Rows are ``POST /v2/send`` bodies (``to``, ``list_number``, ``body``, ``wrap_links``):
90% valid, 5% without ``list_number`` (a missing cell), 5% with a bad ``to``.  Figures are
CPU time (``time.process_time()`` in this process, ``getrusage(RUSAGE_CHILDREN)`` for the
CLI subprocess), so other work on a shared machine does not inflate them; each is one
run over every row (the rows are many: a second run changes the figures by ~1-2%).

- ``check_frame`` on the pandas, polars and Arrow frames (result frame included);
- the per-row loop: ``for row in df.to_dict("records"): tv.check(..., cleaned row)``
  (missing cells dropped, as ``body_from_row`` does);
- ``trackly-validate check rows.jsonl --endpoint "POST /v2/send" --format json --jobs 1``
  as a subprocess (interpreter start-up and imports included);
- where ``check_frame`` spends its time: reading the rows into bodies, and the bare
  pydantic-core validator over the same bodies (``validate_python``, no translation);
- ways of reading rows as Python values (µs per row, reading only).

Run: ``python benchmarks/bench_frames.py [ROWS]`` (default 1,000,000; 200,000 with ``--quick``).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

ROWS = 200_000 if "--quick" in sys.argv else 1_000_000
ENDPOINT = ("POST", "/v2/send")


def columns(n: int) -> dict[str, list[Any]]:
    to, list_number, body, wrap = [], [], [], []
    for i in range(n):
        to.append("555-nope" if i % 20 == 7 else f"+1415555{i % 10000:04d}")
        list_number.append(None if i % 20 == 3 else "+18005551000")
        body.append(f"Hello {i}, your order is confirmed. Ref: {{{{messageId}}}}")
        wrap.append(i % 2 == 0)
    return {"to": to, "list_number": list_number, "body": body, "wrap_links": wrap}


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def child_cpu(args: list[str]) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def fmt(seconds_per_row: float) -> str:
    return f"{seconds_per_row * 1e6:.2f} µs"


def main(rows: int = ROWS) -> dict[str, float]:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from pydantic import ValidationError
    from pydantic_core import to_json

    import trackly_validate as tv
    from trackly_validate.doors.columns import frames
    from trackly_validate.rules.validators import compiled
    from trackly_validate.doors.columns.records import is_missing
    from trackly_validate.contracts.routes import resolve

    data = columns(rows)
    pandas_frame, polars_frame, arrow_frame = pd.DataFrame(data), pl.DataFrame(data), pa.table(data)
    del data
    route = resolve(*ENDPOINT)
    tv.check_frame(pandas_frame.head(2000), *ENDPOINT)  # warm: validators built, phone patterns loaded

    per_row: dict[str, float] = {}
    refused: dict[str, int] = {}
    for name, frame in (("check_frame, pandas", pandas_frame), ("check_frame, polars", polars_frame),
                        ("check_frame, Arrow", arrow_frame)):
        seconds, found = cpu(lambda frame=frame: tv.check_frame(frame, *ENDPOINT))
        per_row[name] = seconds / rows
        refused[name] = len(set(found.column("row").to_pylist() if name.endswith("Arrow") else found["row"]))

    def loop() -> int:
        bad = 0
        for record in pandas_frame.to_dict("records"):
            body = {k: v for k, v in record.items() if not is_missing(v)}
            bad += bool(tv.check(*ENDPOINT, body))
        return bad

    seconds, refused["per-row loop, pandas"] = cpu(loop)
    per_row["per-row loop, pandas"] = seconds / rows

    # the CLI on the same rows as JSONL, in a subprocess
    tmp = tempfile.mkdtemp(prefix="bench_frames_")
    try:
        path = os.path.join(tmp, "rows.jsonl")
        with open(path, "w", encoding="utf-8") as out:
            for body in frames.bodies(arrow_frame):
                out.write(json.dumps(body, separators=(",", ":")) + "\n")
        exe = shutil.which("trackly-validate") or os.path.join(os.path.dirname(sys.executable), "trackly-validate")
        args = [exe, "check", path, "--endpoint", " ".join(ENDPOINT), "--format", "json", "--max-problems", "0"]
        jobs = "--jobs" in subprocess.run([exe, "check", "--help"], capture_output=True, text=True).stdout
        cli_name = "trackly-validate check (JSONL" + (", --jobs 1)" if jobs else ")")
        try:
            seconds, report = child_cpu(args + (["--jobs", "1"] if jobs else []))
            with open(os.path.join(tmp, "one.jsonl"), "w", encoding="utf-8") as out:
                out.write('{"to":"+14155551234","list_number":"+18005551000","body":"hi"}\n')
            start_up, _ = child_cpu([exe, "check", os.path.join(tmp, "one.jsonl")] + args[3:]
                                    + (["--jobs", "1"] if jobs else []))
            per_row[cli_name] = seconds / rows
            refused[cli_name] = json.loads(report)["invalid"]
        except RuntimeError as exc:  # the CLI is an optional extra: report, do not stop make bench
            print(f"(the CLI was not measured: {exc})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # where check_frame's time goes (Arrow)
    reading, bodies = cpu(lambda: list(frames.bodies(arrow_frame)))
    validator = compiled(route.model).validator

    def core() -> None:  # what the pipeline asks of pydantic-core for a dict body
        for body in bodies:
            try:
                validator.validate_json(to_json(body))
            except ValidationError:
                pass

    validating, _ = cpu(core)
    del bodies

    # ways of reading rows as Python values (reading only, no body)
    sample = min(rows, 200_000)
    pdf, plf, atf = pandas_frame.head(sample), polars_frame.head(sample), arrow_frame.slice(0, sample)
    readers = {
        "pandas itertuples(index=False, name=None)": lambda: sum(1 for _ in pdf.itertuples(index=False, name=None)),
        "pandas Series.tolist per column, zipped": lambda: sum(1 for _ in zip(*[pdf[c].tolist() for c in pdf])),
        "pandas to_dict('records')": lambda: len(pdf.to_dict("records")),
        "pandas via pyarrow Table.from_pandas + to_pylist": lambda: sum(
            1 for _ in zip(*[c.to_pylist() for c in pa.Table.from_pandas(pdf, preserve_index=False).columns])),
        "polars iter_rows()": lambda: sum(1 for _ in plf.iter_rows()),
        "polars Series.to_list per column, zipped": lambda: sum(1 for _ in zip(*[s.to_list() for s in plf])),
        "Arrow to_batches + Array.to_pylist, zipped": lambda: sum(
            1 for b in atf.to_batches(65_536) for _ in zip(*[c.to_pylist() for c in b.columns])),
        "Arrow Table.to_pylist()": lambda: len(atf.to_pylist()),
    }
    reading_ways = {name: cpu(fn)[0] / sample for name, fn in readers.items()}

    loop_s, frame_best = per_row["per-row loop, pandas"], min(v for k, v in per_row.items() if k.startswith("check"))
    cli_s = per_row.get(cli_name)
    print(f"DataFrame throughput on {rows:,} /v2/send rows (10% refused), CPU time per row, one run each:")
    print("\n| contender | CPU per row | rows/s | vs check_frame (Arrow) | rows refused |")
    print("|---|---|---|---|---|")
    for name, s in per_row.items():
        print(f"| {name} | {fmt(s)} | {1 / s:,.0f} | {s / per_row['check_frame, Arrow']:.2f}x | {refused[name]:,} |")
    print(f"\ncheck_frame (fastest frame) vs per-row loop: {loop_s / frame_best:.2f}x faster")
    if cli_s is not None:
        print(f"the CLI's start-up (a one-line file) costs {start_up:.2f} s CPU; without it the CLI takes "
              f"{fmt(cli_s - start_up / rows)} a row")
        print(f"check_frame vs {cli_name}: the CLI's time is {cli_s / frame_best:.2f}x check_frame's "
              f"({'MET' if frame_best <= cli_s else 'MISSED'}: at least as fast per row as the CLI)")
    print(f"\nwhere check_frame (Arrow) spends {fmt(per_row['check_frame, Arrow'])} a row: reading rows into "
          f"bodies {fmt(reading / rows)} (records.body_from_row), pydantic-core on those bodies (to_json + "
          f"validate_json, as the pipeline calls it) {fmt(validating / rows)}, the rest (the pipeline's Python "
          f"around pydantic-core, the refused rows' error translation, the result frame) "
          f"{fmt(per_row['check_frame, Arrow'] - (reading + validating) / rows)}")
    print(f"\n| reading {sample:,} rows as Python values | CPU per row |")
    print("|---|---|")
    for name, s in reading_ways.items():
        print(f"| {name} | {fmt(s)} |")
    if len(set(refused.values())) != 1:
        raise RuntimeError(f"the contenders disagree on the refused rows: {refused}")
    return {"rows": float(rows), **{name: s for name, s in per_row.items()},
            "reading": reading / rows, "validating": validating / rows}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else ROWS)
