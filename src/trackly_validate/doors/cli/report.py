"""The ``check`` report: exact counts, the first problems, text or JSON, and the progress bar.

Counts: ``total`` records, ``valid``, ``invalid`` (refused), ``by_code`` (every problem,
not only each record's first; exact even when ``--max-problems`` caps the list).  In
request-log mode (no ``--endpoint``) a line whose endpoint is not modelled is neither
valid nor invalid: it is counted as ``unmodelled`` and listed with ``"code": null`` and
the message that says what is modelled instead; ``unmodelled`` is part of the report in
that mode only (with one endpoint there is nothing to be unmodelled).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import IO, Any, Callable, Sequence

from trackly_validate.core.keys import redact
from trackly_validate.core.catalog import C
from trackly_validate.core.errors import Problem

__all__ = ["Report", "Progress"]


class Report:
    """Exact counts plus the first ``cap`` problems (memory is bounded by ``cap``).
    ``emit`` receives each listed problem's text line as it is found (text format)."""

    def __init__(self, cap: int, with_file: bool, request_log: bool, emit: Callable[[str], None] | None):
        self.total = self.valid = self.invalid = self.unmodelled = 0
        self.all_invalid_input = True  # every record refused as not JSON at its root (for the -e hint)
        self.by_code: Counter[str] = Counter()
        self.problems: list[dict[str, Any]] = []
        self.cap, self.with_file, self.request_log, self.emit = cap, with_file, request_log, emit

    def add_chunk(self, name: str, lines: "Sequence[int]", count: int, refused: list[tuple[int, Any]]) -> None:
        """One validated chunk: ``count`` records, the refused ones as ``(index, result)``."""
        self.total += count
        self.valid += count - len(refused)
        if len(refused) < count:
            self.all_invalid_input = False
        for index, result in refused:
            self.add_refused(name, lines[index], result)

    def add_refused(self, name: str, line: int, result: Any) -> None:
        shown = redact(name)
        if isinstance(result, str):  # an endpoint that is not modelled
            self.unmodelled += 1
            self.all_invalid_input = False
            if len(self.problems) < self.cap:
                self._list(shown, {"line": line, "code": None, "error": result, "loc": []},
                           f"{shown}:{line}: unmodelled: {result}")
            return
        self.invalid += 1
        if self.all_invalid_input and not (len(result) == 1 and result[0][0] == C.invalid_input.code and not result[0][3]):
            self.all_invalid_input = False
        for code, error, status, loc in result:
            self.by_code[code] += 1
            if len(self.problems) < self.cap:
                where = Problem(code, error, status, loc).path
                self._list(shown, {"line": line, "code": code, "error": error, "loc": list(loc)},
                           f"{shown}:{line}: {code} ({status}){' at ' + where if where else ''}: {error}")

    def _list(self, shown: str, entry: dict[str, Any], text: str) -> None:
        self.problems.append({"file": shown, **entry} if self.with_file else entry)
        if self.emit is not None:
            self.emit(text)

    @property
    def failed(self) -> bool:
        return bool(self.invalid or self.unmodelled)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"total": self.total, "valid": self.valid, "invalid": self.invalid}
        if self.request_log:
            out["unmodelled"] = self.unmodelled
        out["by_code"] = dict(self.by_code.most_common())
        out["problems"] = self.problems
        return out

    def write(self, fmt: str, out: IO[str]) -> None:
        if fmt == "json":
            out.write(json.dumps(self.as_dict(), ensure_ascii=False) + "\n")
            return
        summary = f"{self.total} records: {self.valid} valid, {self.invalid} invalid"
        if self.request_log:
            summary += f", {self.unmodelled} unmodelled"
        out.write(summary + "\n")
        for code, count in self.by_code.most_common():
            out.write(f"  {code}: {count}\n")
        hidden = sum(self.by_code.values()) + self.unmodelled - len(self.problems)
        if hidden > 0:
            out.write(f"  ({hidden} more problems not listed; raise --max-problems to see them)\n")


class Progress:
    """A rich progress bar on stderr when it is a terminal (else nothing).  While it is
    shown, text lines for a terminal stdout go through its console, so the bar is
    cleared before each line and redrawn under it (no stale frame glued to a line)."""

    def __init__(self, out: IO[str]):
        self.bar: Any = None
        self.task: Any = None
        self.out = out
        if not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress as Bar, TextColumn, TimeRemainingColumn

        self.bar = Bar(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                       console=Console(stderr=True), transient=True)

    def emit(self, text: str) -> None:
        if self.bar is not None and self.bar.live.is_started and _is_tty(self.out):
            self.bar.console.out(text, highlight=False)
        else:
            self.out.write(text + "\n")

    def start(self) -> None:
        if self.bar is not None:
            self.bar.start()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()

    def new_file(self, name: str, size: int | None, rows: bool) -> None:
        if self.bar is None:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

        if self.task is not None:
            self.bar.remove_task(self.task)
        if rows:  # Parquet/Arrow: rows, not bytes
            self.bar.columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn())
        self.task = self.bar.add_task(redact(name), total=size or None)

    def update(self, completed: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=completed)


def _is_tty(out: IO[str]) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
