"""Timestamps: accepted when Node's ``new Date(value)`` reads a date or the value is ISO 8601.

- the corpus (tests/data/timestamps/corpus.json, made by make_corpus.js with Node's own
  ``new Date()``): the field's verdict is exactly "V8 parses it or it is ISO 8601";
- Hypothesis: dates written as toISOString, RFC 2822 or MM/DD/YYYY are accepted, and the
  Rust fast path never disagrees with the rule;
- when ``node`` is on the PATH, a fresh sample of strings and JSON values is judged by Node
  and by the library.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from trackly_validate.rules.jsdate import js_date_valid, js_string, parses
from trackly_validate.rules.timestamps import FAST_PATTERN, JSON_SCHEMA, TimestampOf, is_iso8601, is_timestamp

CORPUS = json.loads((Path(__file__).parents[1] / "data" / "timestamps" / "corpus.json").read_text("utf-8"))
CASES: dict[str, bool] = CORPUS["cases"]
ZONES = CORPUS["zones"]


class M(BaseModel):
    t: Annotated[Any, TimestampOf()]


def verdict(value: object) -> bool:
    try:
        M.model_validate({"t": value})
        return True
    except ValidationError as exc:
        assert [e["type"] for e in exc.errors()] == ["invalid_timestamp"]
        return False


def verdict_json(value: object) -> bool:
    try:
        M.model_validate_json(json.dumps({"t": value}))
        return True
    except ValidationError as exc:
        assert [e["type"] for e in exc.errors()] == ["invalid_timestamp"]
        return False


# --- the corpus ------------------------------------------------------------------------------------

def test_the_corpus_is_large_and_covers_the_issue():
    assert len(CASES) > 5000
    for s in ["06/01/2025", "June 1, 2025", "2025/06/01", "1 Jun 2025", "Sun, 01 Jun 2025 00:00:00 GMT",
              "Mon Jun 02 2025 10:00:00 GMT+0000", " 2025-06-01", "2025-06-01 "]:
        assert CASES[s] is True, s
    for s in ["2025-06-01T10:00:60", "2025-06-01T10:00:00,5", "2025-06-01T10:00+05"]:
        assert CASES[s] is False and is_iso8601(s), s


def test_the_grammar_reads_every_corpus_string_as_node_does():
    wrong = [s for s, ok in CASES.items() if parses(s) is not ok]
    assert not wrong, wrong[:20]


def test_the_field_accepts_exactly_what_v8_or_iso_accepts_on_the_corpus():
    refused_dates = [s for s, ok in CASES.items() if ok and not verdict(s)]
    assert not refused_dates, refused_dates[:20]  # nothing V8 parses is refused
    accepted_neither = [s for s, ok in CASES.items() if not ok and not is_iso8601(s) and verdict(s)]
    assert not accepted_neither, accepted_neither[:20]  # everything accepted is V8 or ISO
    assert all(verdict(s) for s in CASES if is_iso8601(s))


def test_json_input_gets_the_same_verdicts():
    sample = random.Random(7).sample(sorted(CASES), 1500)
    assert [verdict_json(s) for s in sample] == [is_timestamp(s) for s in sample]


# --- tables ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "ok"), [
    # ISO 8601 (both readings)
    ("2025-03-15T14:30:00Z", True), ("2025-06-10T12:00:00", True), ("2025-03-15", True),
    ("2025-03-15 14:30", True), ("2025-03-15T14:30:00.123456789+05:30", True), ("2024-02-29", True),
    ("0999-12-31", True), ("2025-03-15t14:30:00z", True),
    # V8 only: a day past the month's end rolls over, 24:00, year 0, white space, other forms
    ("2025-02-29", True), ("2025-04-31", True), ("2025-03-15T24:00", True), ("0000-01-01", True),
    ("2025-03-15\n", True), (" 2025-03-15 ", True), ("March 15, 2025", True), ("15 Mar 2025", True),
    ("03/15/2025", True), ("3-15-2025", True), ("2025/03/15", True), ("Sat, 15 Mar 2025 14:30:00 GMT", True),
    ("Sat Mar 15 2025 14:30:00 GMT+0000 (Coordinated Universal Time)", True), ("2025", True), ("1", True),
    ("3/15/2025 2:30 PM", True), ("2025-03-15 (imported)", True), ("2025-3-15", True),
    # ISO only: a leap second, a comma fraction, an hour-only offset
    ("2025-03-15T14:30:60", True), ("2025-03-15T14:30:00,5", True), ("2025-03-15T14:30+05", True),
    # neither
    ("2025-13-01", False), ("2025-03-15T24:30", False), ("2025-03-32", False), ("15/03/2025", False),
    ("yesterday", False), ("now", False), ("", False), ("20250315", False), ("2025-03-15T", False),
    ("2025-03-15T14:30:00ZZ", False), ("10:00", False), (" 2025-03-15T14:30:00Z", False),
    ("2025-03-15 xyz", False), ("2025-03-15 junk", True), ("Sep 13 275760 14:01", False),
    # other JSON values, as new Date() reads them
    (1718000000000, True), (0, True), (-1.5, True), (8.64e15, True), (8.64e15 + 1, False), (float("inf"), False),
    (20250315, True), (True, True), (["2025-03-15"], True), ([2025, 3, 15], True), ([], False), ({}, False),
    ({"date": "2025-03-15"}, False), ([["x"]], False),
])
def test_table(value, ok):
    assert verdict(value) is ok
    assert is_timestamp(value) is ok


def test_the_boundaries_of_the_date_range():
    assert parses("+275760-09-13T00:00:00Z") and not parses("+275760-09-13T00:00:00.001Z")
    assert parses("-271821-04-20T00:00:00Z") and not parses("-271821-04-19T23:59:59.999Z")
    # local time: a date in some zone from UTC-12 to UTC+14
    assert parses("Sep 13 275760 14:00") and not parses("Sep 13 275760 14:01")
    assert parses("-271821-04-19T12:00") and not parses("-271821-04-19T11:59")


def test_js_string_is_javascripts():
    assert [js_string(v) for v in (0.1, 1e21, 1e-7, 100.0, -2.5e-10, True, [1, None, [2, "x"]], {}, [[], 3], 10**400,
                                   [[[[]]]])] == [
        "0.1", "1e+21", "1e-7", "100", "-2.5e-10", "true", "1,,2,x", "[object Object]", ",3", "Infinity", ""]
    deep: list[Any] = ["2025-06-01"]
    for _ in range(5000):
        deep = [deep]
    assert js_string(deep) == "2025-06-01" and js_date_valid(deep)
    assert js_date_valid([{}, "2025-06-01"])  # "[object Object],2025-06-01": words before the date


# --- properties ----------------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                       timezones=st.just(timezone.utc))


def to_iso_string(moment: datetime, year: str | None = None) -> str:
    """``Date.prototype.toISOString`` (``year``: the year as written, e.g. expanded)."""
    m = moment
    return (f"{year or format(m.year, '04d')}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
            f".{m.microsecond // 1000:03d}Z")


@settings(max_examples=300, deadline=None)
@given(moment=moments, style=st.sampled_from(["iso", "iso-expanded", "rfc2822", "http", "us", "us-time", "us-dash"]))
def test_common_formats_of_any_date_are_accepted(moment, style):
    if style == "iso":
        text = to_iso_string(moment)
    elif style == "iso-expanded":
        text = to_iso_string(moment, f"+{moment.year:06d}")
    elif style == "rfc2822":
        text = email.utils.format_datetime(moment)
    elif style == "http":
        text = email.utils.format_datetime(moment, usegmt=True)
    elif style == "us":
        text = f"{moment.month:02d}/{moment.day:02d}/{moment.year}"
    elif style == "us-time":
        text = f"{moment.month}/{moment.day}/{moment.year} {moment.hour % 12 or 12}:{moment.minute:02d} " + (
            "PM" if moment.hour >= 12 else "AM")
    else:
        text = f"{moment.month:02d}-{moment.day:02d}-{moment.year}"
    assert verdict(text), text
    assert parses(text), text


@settings(max_examples=200, deadline=None)
@given(millis=st.integers(-8_640_000_000_000_000, 8_640_000_000_000_000))
def test_every_time_value_is_accepted_as_a_number_and_as_its_iso_string(millis):
    assert verdict(millis)
    try:
        moment = datetime(1970, 1, 1) + timedelta(milliseconds=millis)
    except OverflowError:  # beyond Python's years 1-9999
        return
    assert verdict(to_iso_string(moment))


date_like = st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?"
                          r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?\Z")
date_soup = st.lists(st.sampled_from(["2025", "06", "1", "31", "-", "/", ":", ".", " ", "T", "Z", "+05:30", "Jun",
                                      "PM", "GMT", "(x)", ",", "24", "60", "x"]), max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(value=date_like | date_soup | st.text(max_size=30))
def test_fast_path_is_a_subset_and_the_field_equals_the_rule(value):
    if re.fullmatch(FAST_PATTERN[1:-1], value):  # (Python's `$` would accept a trailing newline)
        assert is_iso8601(value) and is_timestamp(value), value
    assert verdict(value) is is_timestamp(value)


@settings(max_examples=1000, deadline=None)
@given(value=st.from_regex(FAST_PATTERN[1:-1], fullmatch=True))
def test_everything_the_fast_path_matches_is_a_timestamp(value):
    assert is_timestamp(value), value
    assert verdict(value)


def test_the_json_schema_is_not_stricter_than_the_rule():
    assert "format" not in JSON_SCHEMA
    assert set(JSON_SCHEMA["type"]) >= {"string", "number", "boolean", "array"}
    assert all(is_timestamp(v) for v in JSON_SCHEMA["examples"])
    assert {k: v for k, v in M.model_json_schema()["properties"]["t"].items() if k != "title"} == JSON_SCHEMA


# --- live: Node judges a fresh sample -------------------------------------------------------------------

NODE = shutil.which("node")
JUDGE = "const xs = JSON.parse(require('fs').readFileSync(0, 'utf8'));" \
        "process.stdout.write(JSON.stringify(xs.map((x) => !Number.isNaN(new Date(x).getTime()))));"


def node_verdicts(values: list[Any]) -> list[bool]:
    """Node's verdict on each JSON value: a date in any of the corpus's time zones."""
    runs = [json.loads(subprocess.run([NODE, "-e", JUDGE], input=json.dumps(values), capture_output=True,  # type: ignore[list-item]
                                      text=True, check=True, env={**os.environ, "TZ": zone}, timeout=60).stdout)
            for zone in ZONES]
    return [any(run[i] for run in runs) for i in range(len(values))]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_node_agrees_on_a_fresh_sample():
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    seeds = sorted(CASES)
    alphabet = list("0123456789-+:./ ,TZtz()APMapmJunGMT\t\u00a0\u2028") + ["24", "60", "+0530", " PM", "999999"]
    strings = set()
    while len(strings) < 3000:
        s = rng.choice(seeds)
        for _ in range(rng.randint(1, 4)):
            at, c = rng.randint(0, len(s)), rng.choice(alphabet)
            s = rng.choice([s[:at] + c + s[at:], s[:at] + s[at + 1:], s[:at] + c + s[at + 1:]])
        strings.add(s)
    values: list[Any] = sorted(strings)
    values += [rng.randint(-10**16, 10**16) for _ in range(50)] + [rng.uniform(-1e16, 1e16) for _ in range(50)]
    values += [True, False, None, [], [None], [2025, 6, 1], ["06/01/2025"], [[2025], [6]], {}, {"a": 1}, 1e21, 0.5,
               [{}, "2025-06-01"], [[], 6, 1], [None, "Jun 1 2025"], 10**30, -(10**30), [1e21, 5]]
    node = node_verdicts(values)
    wrong = [(v, n) for v, n in zip(values, node) if js_date_valid(v) is not n]
    assert not wrong, (seed, wrong[:20])


# --- every door: JSON bodies, frames (Parquet/Arrow/CSV rows), OpenAPI ---------------------------------

import trackly_validate as tv  # noqa: E402

CONTACT = {"phone_number": "+13105558888", "list_number": "+18005551234"}
ROWS = ["06/01/2025", "June 1, 2025", "Sun, 01 Jun 2025 00:00:00 GMT", " 2025-06-01 ", "2025-06-01T10:00:60",
        "yesterday", "15/06/2025", 1718000000000]


def test_every_door_answers_as_the_rule():
    for value in ROWS:
        refused = [p.code for p in tv.check("POST", "/v2/contacts", {**CONTACT, "signup_date": value})]
        assert refused == ([] if is_timestamp(value) else ["invalid_timestamp"]), value
        record = {"id": "s1", "to_number": "+13105558888", "timestamp": value}
        refused = [p.code for p in tv.check("POST", "/v2/history/sends", json.dumps({"records": [record]}))]
        assert refused == ([] if is_timestamp(value) else ["invalid_timestamp"]), value


@pytest.mark.parametrize("library", ["pandas", "pyarrow"])
def test_the_column_face_answers_as_the_rule(library):
    pytest.importorskip(library)
    strings = [v for v in ROWS if isinstance(v, str)]
    columns = {"phone_number": [CONTACT["phone_number"]] * len(strings),
               "list_number": [CONTACT["list_number"]] * len(strings), "signup_date": strings}
    if library == "pandas":
        import pandas as pd

        frame = pd.DataFrame(columns)
    else:
        import pyarrow as pa

        frame = pa.table(columns)
    found = tv.check_frame(frame, "POST", "/v2/contacts")
    rows = list(found["row"].to_pylist() if library == "pyarrow" else found["row"])
    assert rows == [i for i, v in enumerate(strings) if not is_timestamp(v)]


def test_the_fast_pattern_means_the_same_in_arrow_and_polars():
    """A column face may match FAST_PATTERN column-wise (Arrow's RE2, polars' Rust regex) and
    call is_timestamp on the rest: the pattern must select the same strings there."""
    pa, pc, pl = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.compute"), pytest.importorskip("polars")
    strings = sorted(CASES)
    expected = [re.fullmatch(FAST_PATTERN[1:-1], s) is not None for s in strings]
    assert pc.match_substring_regex(pa.array(strings), FAST_PATTERN).to_pylist() == expected
    assert pl.Series(strings).str.contains(FAST_PATTERN).to_list() == expected
    assert sum(expected) > 300


def test_the_openapi_document_is_not_stricter_than_the_rule():
    doc = tv.openapi()
    assert "date-time" not in json.dumps(doc)
    found = 0
    for schema in doc["components"]["schemas"].values():
        for prop in schema.get("properties", {}).values():
            for option in prop.get("anyOf", [prop]):
                if option.get("description") == JSON_SCHEMA["description"]:
                    # a required timestamp also says that "" and [] are missing (Required)
                    assert {k: v for k, v in option.items() if k not in ("title", "minLength", "minItems")} \
                        == JSON_SCHEMA
                    found += 1
    assert found >= 8  # signup_date, history send/click/revenue timestamps, before_date, revenue timestamp


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@settings(max_examples=3, deadline=None)
@given(values=st.lists(st.from_regex(FAST_PATTERN[1:-1], fullmatch=True), min_size=300, max_size=300))
def test_node_reads_what_the_fast_path_matches(values):
    node = node_verdicts(values)
    wrong = [v for v, n in zip(values, node) if not n and not is_iso8601(v)]
    assert not wrong, wrong[:20]
