"""The column face (issue 22): ``check_frame`` and the CLI against a vectorized
regex-only floor, one thread.

Rows are ``POST /v2/send`` bodies (``to``, ``list_number``, ``body``): 99% valid, numbers
from six countries (US, GB, DE, FR, IN, BR: each region's example mobile number with its
last four digits varied, all valid at every phone level), 1% with a bad ``to``.

- the floor: the same columns checked in polars by what a data engineer would write -
  E.164 shape of ``to`` and ``list_number`` (``^\\+[1-9][0-9]{1,14}$``) and a non-empty
  ``body`` of at most 1,600 characters - and the refused rows filtered out;
- ``tv.check_frame`` on the polars frame (also pandas and Arrow), at the default phone
  level and at ``phone_level="valid"``;
- the CLI: ``trackly-validate check rows.parquet --jobs 1`` against a process that reads
  the Parquet file and runs the floor (both subprocesses, start-up included), and the
  CLI's peak RSS at ROWS and 10x ROWS (``--big``) rows.

Everything runs with ``POLARS_MAX_THREADS=1`` (the measuring process re-runs itself
so); figures are CPU seconds (``process_time``, children's rusage for subprocesses).

Run: ``python benchmarks/bench_columns.py [ROWS] [--big]`` (default 1,000,000; 200,000 with ``--quick``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

ROWS = 200_000 if "--quick" in sys.argv else 1_000_000
SEND = ("POST", "/v2/send")
E164 = r"^\+[1-9][0-9]{1,14}$"
BASES = ["+1201555", "+44740012", "+491512345", "+3361234", "+91812345", "+551196123"]

FLOOR_SCRIPT = r"""
import sys, time, polars as pl
t = time.process_time()
df = pl.read_parquet(sys.argv[1])
E164 = r"^\+[1-9][0-9]{1,14}$"
ok = (pl.col("to").str.contains(E164).fill_null(False) & pl.col("list_number").str.contains(E164).fill_null(False)
      & pl.col("body").str.len_chars().is_between(1, 1600).fill_null(False))
print(df.filter(~ok).height)
"""


def columns(n: int) -> dict[str, list[Any]]:
    import random

    rnd = random.Random(22)
    to, list_number, body = [], [], []
    for i in range(n):
        base = BASES[i % 6]
        to.append("555-nope" if i % 100 == 7 else f"{base}{rnd.randrange(10000):04d}")
        list_number.append("+12015550100")
        body.append(f"Hello {i}, your order is confirmed. Ref: {{{{messageId}}}}")
    return {"to": to, "list_number": list_number, "body": body}


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def timed_child(args: list[str]) -> tuple[float, int, str]:
    """CPU seconds, peak RSS (KiB) and stdout of a subprocess.  The peak RSS is measured
    by ``/usr/bin/time`` when present: a child started by vfork+exec from this process
    (what ``subprocess`` does) inherits this process's high-water mark in ``ru_maxrss``."""
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    timer = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        argv = [timer, "-f", "%M", "-o", rss.name, *args] if timer else args
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        out, err = proc.communicate()
        _, status, usage = os.wait4(proc.pid, 0) if proc.returncode is None else (0, 0, None)
        code = proc.returncode
        if code not in (0, 1):
            raise RuntimeError(f"{' '.join(args)} exited {code}: {err.decode()[-500:]}")
        peak = int(rss.read().strip().splitlines()[-1]) if timer else 0
    return 0.0, peak, out.decode()


def cpu_child(args: list[str]) -> tuple[float, int, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _, peak, out = timed_child(args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), peak, out


def floor(frame: Any) -> Any:
    import polars as pl

    ok = (pl.col("to").str.contains(E164).fill_null(False) & pl.col("list_number").str.contains(E164).fill_null(False)
          & pl.col("body").str.len_chars().is_between(1, 1600).fill_null(False))
    return frame.filter(~ok)


def measure(rows: int, big: bool) -> dict[str, float]:
    import pandas as pd
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    import trackly_validate as tv
    from trackly_validate.doors.columns.batches import Stats

    data = columns(rows)
    polars_frame = pl.DataFrame(data)
    pandas_frame, arrow_frame = polars_frame.to_pandas(), polars_frame.to_arrow()
    del data
    tv.check_frame(polars_frame.head(1000), *SEND)  # warm: validators built, phone patterns loaded
    tv.check_frame(polars_frame.head(1000), *SEND, options=tv.Options(phone_level="valid"))

    out: dict[str, float] = {}
    out["floor (polars regex-only)"], refused = cpu(lambda: floor(polars_frame).height)
    for name, frame, options in (("check_frame, polars", polars_frame, None),
                                 ("check_frame, polars, phone_level=valid", polars_frame,
                                  tv.Options(phone_level="valid")),
                                 ("check_frame, pandas", pandas_frame, None),
                                 ("check_frame, Arrow", arrow_frame, None)):
        Stats.proved = Stats.per_row = 0
        out[name], found = cpu(lambda frame=frame, options=options: tv.check_frame(frame, *SEND, options=options))
        rows_found = len(set(found["row"].to_list() if isinstance(found, pl.DataFrame) else
                             found.column("row").to_pylist() if isinstance(found, pa.Table) else found["row"]))
        if rows_found != refused:
            raise RuntimeError(f"{name}: {rows_found} rows refused, the floor refuses {refused}")
        out[name + " (rows per row)"] = Stats.per_row

    # the worst case for the per-row part: every refused row has its own bad value (no two
    # refused rows share an answer, so each one goes through the pipeline)
    distinct = polars_frame.with_columns(
        pl.when(pl.col("to") == "555-nope").then(pl.format("555-nope-{}", pl.int_range(pl.len())))
        .otherwise(pl.col("to")).alias("to"))
    Stats.proved = Stats.per_row = 0
    out["check_frame, polars, every refused value distinct"], found = cpu(
        lambda: tv.check_frame(distinct, *SEND))
    out["check_frame, polars, every refused value distinct (rows per row)"] = Stats.per_row
    if found["row"].n_unique() != refused:
        raise RuntimeError("the distinct-values frame refuses other rows")

    # /v2/contacts: the same numbers as contacts, a boolean and a custom field
    contacts = pl.DataFrame({"phone_number": polars_frame["to"], "list_number": polars_frame["list_number"],
                             "use_journeys": [True] * rows, "custom_fields.tier": ["gold"] * rows})
    tv.check_frame(contacts.head(1000), "POST", "/v2/contacts")
    out["contacts floor (polars regex-only)"], refused_contacts = cpu(
        lambda: contacts.filter(~(pl.col("phone_number").str.contains(E164).fill_null(False)
                                  & pl.col("list_number").str.contains(E164).fill_null(False))).height)
    Stats.proved = Stats.per_row = 0
    out["contacts check_frame, polars"], found = cpu(lambda: tv.check_frame(contacts, "POST", "/v2/contacts"))
    out["contacts check_frame, polars (rows per row)"] = Stats.per_row
    if found["row"].n_unique() != refused_contacts:
        raise RuntimeError(f"/v2/contacts: {found['row'].n_unique()} rows refused, the floor {refused_contacts}")

    tmp = tempfile.mkdtemp(prefix="bench_columns_")
    exe = os.path.join(os.path.dirname(sys.executable), "trackly-validate")
    try:
        path = os.path.join(tmp, "rows.parquet")
        pq.write_table(arrow_frame, path)
        cli = [exe, "check", path, "--endpoint", " ".join(SEND), "--format", "json", "--max-problems", "0",
               "--jobs", "1"]
        out["CLI, Parquet, --jobs 1"], out["CLI peak RSS KiB"], report = cpu_child(cli)
        if json.loads(report)["invalid"] != refused:
            raise RuntimeError(f"the CLI refuses {json.loads(report)['invalid']} rows, the floor {refused}")
        script = os.path.join(tmp, "floor.py")
        with open(script, "w") as f:
            f.write(FLOOR_SCRIPT)
        out["floor process (read Parquet + floor)"], out["floor peak RSS KiB"], printed = cpu_child(
            [sys.executable, script, path])
        if int(printed) != refused:
            raise RuntimeError(f"the floor process refuses {printed}")
        if big:
            many = os.path.join(tmp, "many.parquet")
            with pq.ParquetWriter(many, arrow_frame.schema) as writer:
                for _ in range(10):
                    writer.write_table(arrow_frame)
            cli[2] = many
            out["CLI, Parquet, --jobs 1, 10x rows"], out["CLI peak RSS KiB, 10x rows"], _ = cpu_child(cli)
            out["floor process, 10x rows"], _, _ = cpu_child([sys.executable, script, many])
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    out["rows"] = rows
    out["refused"] = refused
    return out


def report(out: dict[str, float]) -> None:
    rows, fl = int(out["rows"]), out["floor (polars regex-only)"]
    print(f"Column face on {rows:,} /v2/send rows (1% refused), one thread (POLARS_MAX_THREADS=1), CPU seconds:")
    print("\n| contender | CPU s | rows/s | vs floor | rows judged per row |")
    print("|---|---|---|---|---|")
    for name, s in out.items():
        if name.startswith(("floor (", "check_frame")) and not name.endswith("(rows per row)"):
            per = out.get(name + " (rows per row)")
            print(f"| {name} | {s:.3f} | {rows / s:,.0f} | {s / fl:.2f}x | {'' if per is None else f'{int(per):,}'} |")
    default, valid = out["check_frame, polars"], out["check_frame, polars, phone_level=valid"]
    ratio = default / fl
    print(f"\ncheck_frame (polars) / floor: {ratio:.2f}x ({'MET' if ratio <= 3 else 'MISSED'}: <= 3x)")
    print(f"phone_level=valid / default: {valid / default:.2f}x ({'MET' if valid <= 2 * default else 'MISSED'}: <= 2x)")
    cli, proc = out["CLI, Parquet, --jobs 1"], out["floor process (read Parquet + floor)"]
    print(f"CLI (Parquet, --jobs 1) {cli:.2f} s vs a process reading the file and running the floor {proc:.2f} s: "
          f"{cli / proc:.2f}x ({'MET' if cli <= 3 * proc else 'MISSED'}: <= 3x); peak RSS {out['CLI peak RSS KiB'] / 1024:.0f} MiB")
    if "CLI peak RSS KiB, 10x rows" in out:
        big, big_floor = out["CLI, Parquet, --jobs 1, 10x rows"], out["floor process, 10x rows"]
        print(f"CLI at {10 * rows:,} rows: {big:.2f} s vs the floor process {big_floor:.2f} s: {big / big_floor:.2f}x; "
              f"peak RSS {out['CLI peak RSS KiB, 10x rows'] / 1024:.0f} MiB (vs {out['CLI peak RSS KiB'] / 1024:.0f} "
              f"MiB at {rows:,} rows)")
    cf, cc = out["contacts floor (polars regex-only)"], out["contacts check_frame, polars"]
    print(f"/v2/contacts (phone_number, list_number, use_journeys, custom_fields.tier): check_frame {cc:.3f} s "
          f"vs its floor (E.164 shape of both numbers) {cf:.3f} s: {cc / cf:.2f}x; "
          f"{int(out['contacts check_frame, polars (rows per row)']):,} rows judged per row")


def main(rows: int = ROWS) -> dict[str, float]:
    """Re-runs this file in a subprocess with one polars thread; prints its report."""
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    args = [sys.executable, __file__, str(rows), "--child"] + (["--big"] if "--big" in sys.argv else [])
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    out = json.loads(done.stdout.strip().splitlines()[-1])
    report(out)
    return out


if __name__ == "__main__":
    positional = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(positional[0]) if positional else ROWS
    if "--child" in sys.argv:
        print(json.dumps(measure(n, "--big" in sys.argv)))
    else:
        main(n)
