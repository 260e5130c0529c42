"""`make demo`: every bundled example request gets the answer its file name promises."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

import trackly_validate as tv

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PAYLOADS = sorted((EXAMPLES / "payloads").glob("*.json"))


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: p.name)
def test_example_payloads_are_accepted_exactly_when_named_ok(path):
    request = json.loads(path.read_text(encoding="utf-8"))
    problems = tv.check(request["method"], request["path"], request["body"])
    assert (problems == []) == path.stem.endswith("-ok"), problems


def test_demo_runs_and_reports(capsys):
    module = runpy.run_path(str(EXAMPLES / "demo.py"))
    assert module["main"]() == 0
    out = capsys.readouterr().out
    accepted = sum(p.stem.endswith("-ok") for p in PAYLOADS)
    assert f"{accepted} accepted, {len(PAYLOADS) - accepted} refused" in out
    assert "trk_a1b2" not in out
