"""CLI throughput: ``trackly-validate check`` against a bare pydantic loop.

The contract (issue 5): the CLI stays within 1.5x the time of a bare loop of
``Model.model_validate_json(line)`` over the same JSONL file.  Three figures, best of
``REPEAT`` runs each, on a generated file (90% valid, 10% missing list_number):

- ``bare``: ``for line in f: SendMessage.model_validate_json(line)`` (errors caught);
- ``cli (in-process)``: the ``check`` command's loop (reading, engine, translation,
  counting, JSON report), without interpreter start-up;
- ``bare (process)`` and ``cli (process)``: the same two as whole commands
  (``python -c <bare loop>`` and ``trackly-validate check ... --format json``), interpreter
  start-up and imports included.

Run: ``python benchmarks/bench_cli.py [LINES]`` (default 200,000).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

LINES = 200_000
REPEAT = 3
ENDPOINT = "POST /v2/send"


def write_file(path: str, n: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            to = f"+1415555{i % 10000:04d}"
            if i % 10 == 3:
                out.write(f'{{"to":"{to}","body":"Hi {{{{first_name}}}}"}}\n')
            else:
                out.write(f'{{"to":"{to}","list_number":"+18005551000","body":"Hello {i}, your order is '
                          f'confirmed. Ref: {{{{messageId}}}}","wrap_links":true,"metadata":{{"order":{i}}}}}\n')


def _best(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(lines: int = LINES) -> dict[str, float]:
    from pydantic import ValidationError

    import trackly_validate as tv
    from trackly_validate.cli import run_check

    model = tv.model_for(*ENDPOINT.split())
    tmp = tempfile.mkdtemp(prefix="bench_cli_")
    try:
        path = os.path.join(tmp, "sends.jsonl")
        write_file(path, lines)

        def bare() -> None:
            with open(path, "rb") as f:
                for line in f:
                    try:
                        model.model_validate_json(line)
                    except ValidationError:
                        pass

        def cli() -> None:
            code = run_check([path], ENDPOINT, "json", 1000, tv.Options(), out=io.StringIO())
            assert code == 1

        exe = shutil.which("trackly-validate") or os.path.join(os.path.dirname(sys.executable), "trackly-validate")

        def process() -> None:
            done = subprocess.run([exe, "check", path, "--endpoint", ENDPOINT, "--format", "json"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            assert done.returncode == 1

        bare_script = ("import sys, trackly_validate as tv\n"
                       "from pydantic import ValidationError\n"
                       f"m = tv.model_for({ENDPOINT.split()[0]!r}, {ENDPOINT.split()[1]!r})\n"
                       "for line in open(sys.argv[1], 'rb'):\n"
                       "    try:\n        m.model_validate_json(line)\n"
                       "    except ValidationError:\n        pass\n")

        def bare_process() -> None:
            subprocess.run([sys.executable, "-c", bare_script, path], check=True)

        bare()  # warm caches (phone metadata, validators)
        results = {"lines": float(lines), "bare_s": _best(bare), "cli_inprocess_s": _best(cli),
                   "bare_process_s": _best(bare_process), "cli_process_s": _best(process)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["ratio_inprocess"] = results["cli_inprocess_s"] / results["bare_s"]
    results["ratio_process"] = results["cli_process_s"] / results["bare_process_s"]
    print(f"CLI throughput on {lines:,} JSONL lines ({ENDPOINT}, 10% invalid), best of {REPEAT}:")
    print(f"  bare model_validate_json loop : {results['bare_s']:.3f} s "
          f"({lines / results['bare_s']:,.0f} lines/s)")
    print(f"  check, in-process             : {results['cli_inprocess_s']:.3f} s "
          f"(x{results['ratio_inprocess']:.2f})")
    print(f"  bare loop as a process        : {results['bare_process_s']:.3f} s (start-up included)")
    print(f"  trackly-validate check (exec) : {results['cli_process_s']:.3f} s "
          f"(x{results['ratio_process']:.2f} the bare process)")
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else LINES)
