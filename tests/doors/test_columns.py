"""The column face is exact: random frames for every endpoint give, through
check_frame/split_frame on pandas, polars and Arrow, exactly the rows and problems
``tv.check`` gives each row's body, in the same order, whatever the predicate proved.

The frames are drawn from values that sit on the rules' edges: numbers of many
countries at every phone level (valid, possible-only, impossible, VOIP), the strings
and lengths the endpoint's own schema names (enum values, every ``max_length`` with
ASCII and astral characters at n-1, n, n+1), empty strings, emoji, nulls, NaN, numbers
and booleans where strings are expected, dotted (nested) and unknown columns; and
options (phone levels, account mirrors, disabled codes)."""

from __future__ import annotations

import math

import pytest

hypothesis = pytest.importorskip("hypothesis")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
phonenumbers = pytest.importorskip("phonenumbers")

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import trackly_validate as tv  # noqa: E402
from trackly_validate.doors.columns import batches  # noqa: E402
from trackly_validate.doors.columns.frames import bodies  # noqa: E402
from trackly_validate.contracts.routes import ROUTES  # noqa: E402
from trackly_validate.rules.compile import walk_rules  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::trackly_validate.doors.columns.hints.NumericTextWarning")

SETTINGS = settings(max_examples=12, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _numbers() -> list[str]:
    """Numbers of many countries at every level: valid (mobile, fixed, VOIP, toll-free),
    one digit short or long (possible-only or impossible), and not E.164 at all."""
    out = []
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
             phonenumbers.PhoneNumberType.VOIP, phonenumbers.PhoneNumberType.TOLL_FREE)
    for region in ("US", "GB", "DE", "FR", "IN", "BR", "AU", "JP", "NG", "MX", "RU", "CN", "ZA", "AR", "IT", "SE"):
        for kind in kinds:
            n = phonenumbers.example_number_for_type(region, kind)
            if n is not None:
                e164 = phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
                out += [e164, e164[:-1], e164 + "7", e164[:-2] + "99"]
    return out + ["+1", "+0123456789", "14155551234", "+1415555123456789", "+1 415 555 1234", "+١٤١٥٥٥٥١٢٣٤"]


NUMBERS = _numbers()
TEXTS = ["", " ", "Hi", "Hello {{first_name}}", "😀", "a\u0301", "line\nbreak", "\x00", "https://example.com/x",
         "http://a.b", "ftp://x.y", "2025-03-15T14:30:00Z", "2025-02-30", "127.0.0.1", "::1", "999.1.1.1",
         "65f1a2b3c4d5e6f7a8b9c0d1", "true", "False", "verbal", "marketing", "AND", "sale", "immediate"]
OPTIONS = [None, tv.Options(phone_level="format"), tv.Options(phone_level="valid"), tv.Options(block_voip=True),
           tv.Options(allowed_countries={"US", "GB"}), tv.Options(disable={"invalid_phone", "missing_body"})]


def _schema_values(model) -> tuple[list[str], list[int]]:
    """The strings an endpoint's schema names (enum values) and its length limits."""
    model.model_rebuild()
    strings, lengths = set(), set()
    stack = [model.__pydantic_core_schema__]
    seen = set()
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.get("type") == "literal":
                strings.update(v for v in node["expected"] if isinstance(v, str))
            for key in ("max_length", "min_length"):
                if isinstance(node.get(key), int) and node.get("type") == "str" and node[key] < 5000:
                    lengths.add(node[key])
            stack.extend(v for k, v in node.items() if k != "metadata")
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    for rule in walk_rules(model.__pydantic_core_schema__):
        strings.update(v for v in getattr(rule, "values", ()) if isinstance(v, str))
        if isinstance(getattr(rule, "n", None), int) and rule.n < 5000:
            lengths.add(rule.n)
    return sorted(strings), sorted(lengths)


def _at_limits(lengths: list[int]) -> list[str]:
    out = []
    for n in lengths:
        for k in (n - 1, n, n + 1):
            if k > 0:
                out += ["x" * k, "😀" * k, "x" * (k - 1) + "😀"]
    return out


def _columns(model) -> list[str]:
    """The model's fields (dotted for nested models' fields), a dotted unknown and an unknown."""
    names = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        names.append(key)
        sub = getattr(info.annotation, "model_fields", None)
        for arg in getattr(info.annotation, "__args__", ()) or ():
            sub = sub or getattr(arg, "model_fields", None)
        if sub:
            names += [f"{key}.{s}" for s in list(sub)[:2]]
    return names + ["metadata.ref", "unknown_column"]


def _concrete(path: str) -> str:
    return path.replace("{id}", "65f1a2b3c4d5e6f7a8b9c0d1")


ENDPOINTS = [(r.method, r.template) for r in ROUTES]


def _examples() -> dict[tuple[str, str], dict]:
    """The property suite's documented example bodies, flattened to columns (dotted for
    nested objects; arrays left out): values of rows the API accepts."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("_column_examples", Path(__file__).parents[1] / "properties" / "strategies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = {("POST", "/v2/send"): "SEND", ("POST", "/v2/send-raw"): "SEND_RAW", ("POST", "/v1/messages"): "V1_SEND",
             ("POST", "/v1/phone/validate"): "VALIDATE", ("POST", "/v2/creatives"): "CREATIVE",
             ("PUT", "/v2/creatives/{id}"): "CREATIVE_UPDATE", ("POST", "/v2/schedules"): "SCHEDULE",
             ("PUT", "/v2/schedules/{id}"): "SCHEDULE_UPDATE", ("POST", "/v2/offers"): "OFFER",
             ("PUT", "/v2/offers/{id}"): "OFFER_UPDATE", ("POST", "/v2/revenue"): "REVENUE",
             ("POST", "/v2/contacts"): "CONTACT_FULL", ("PUT", "/v2/contacts"): "CONTACT_FIELDS",
             ("DELETE", "/v2/contacts"): "CONTACT_DELETE", ("DELETE", "/v2/history/clear"): "CLEAR"}
    out = {}
    for key, name in names.items():
        flat: dict = {}

        def walk(prefix, value):
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(f"{prefix}{k}.", v)
            elif not isinstance(value, list):
                flat[prefix[:-1]] = value
        walk("", getattr(module, name, {}))
        out[key] = flat
    return out


EXAMPLES = _examples()


@st.composite
def frames(draw, method: str, path: str):
    route = next(r for r in ROUTES if (r.method, r.template) == (method, path))
    strings, lengths = _schema_values(route.model)
    example = EXAMPLES.get((method, path), {})
    names = sorted(set(_columns(route.model)) | set(example))
    chosen = [n for n in example if draw(st.integers(0, 9)) < 9]
    chosen += draw(st.lists(st.sampled_from(names), max_size=min(4, len(names)), unique=True))
    chosen = list(dict.fromkeys(chosen)) or [names[0]]
    text = st.sampled_from(NUMBERS) | st.sampled_from(TEXTS + strings + _at_limits(lengths)) | st.text(max_size=8)
    height = draw(st.integers(0, 7))
    data = {}
    for name in chosen:
        good = example.get(name)
        kinds = ["str", "str", "str", "int", "float", "bool"]
        kind = {bool: "bool", int: "int", float: "float", str: "str"}.get(type(good)) if good is not None \
            and draw(st.integers(0, 3)) else draw(st.sampled_from(kinds))
        cell = {"str": text, "int": st.integers(-3, 2000), "float": st.sampled_from([0.5, 1.0, -2.0, 1e300, math.nan, math.inf, -math.inf]),
                "bool": st.booleans()}[kind]
        if good is not None and type(good) is {"bool": bool, "int": int, "float": float, "str": str}[kind]:
            cell = st.just(good) | st.just(good) | st.just(good) | cell  # mostly the documented, accepted value
        data[name] = draw(st.lists(st.none() | cell, min_size=height, max_size=height))
    return data


def _problems(result, height):
    out = [[] for _ in range(height)]
    if isinstance(result, pa.Table):
        rows = result.to_pylist()
    elif isinstance(result, pl.DataFrame):
        rows = result.to_dicts()
    else:
        rows = result.to_dict("records")
    for r in rows:
        out[r["row"]].append((r["code"], r["error"], r["status"], r["loc"]))
    return out


def _build(library: str, data: dict):
    if library == "pandas":
        return pd.DataFrame(data) if data else pd.DataFrame()
    if library == "polars":
        return pl.DataFrame(data, strict=False)
    return pa.table({k: pa.array(v, from_pandas=True) for k, v in data.items()})


def _same_as_check(frame, method, path, options):
    concrete = _concrete(path)
    want = [[(p.code, p.error, p.status, p.path) for p in tv.check(method, concrete, body, options=options)]
            for body in bodies(frame)]
    got = _problems(tv.check_frame(frame, method, concrete, options=options), len(want))
    assert got == want
    valid, rejects = tv.split_frame(frame, method, concrete, options=options)
    refused = [i for i, found in enumerate(want) if found]
    n_valid = valid.shape[0] if not isinstance(valid, pa.Table) else valid.num_rows
    assert n_valid == len(want) - len(refused)
    rows = rejects["row"].to_list() if isinstance(rejects, pl.DataFrame) else (
        rejects.column("row").to_pylist() if isinstance(rejects, pa.Table) else rejects["row"].tolist())
    assert rows == refused


@pytest.mark.parametrize("method,path", ENDPOINTS, ids=[f"{m} {p}" for m, p in ENDPOINTS])
@SETTINGS
@given(data=st.data())
def test_frames_match_check_row_for_row(method, path, data):
    columns = data.draw(frames(method, path))
    options = data.draw(st.sampled_from(OPTIONS))
    for library in ("pandas", "polars", "pyarrow"):
        try:
            frame = _build(library, columns)
        except Exception:  # noqa: BLE001 - a mix this library cannot hold: nothing to compare
            continue
        _same_as_check(frame, method, path, options)


def test_the_predicate_proves_the_common_rows():
    """Most rows of a plain /v2/send frame are proved without being read one by one."""
    frame = pl.DataFrame({"to": ["+14155551234", "+447400123456", "nope"] * 100,
                          "list_number": ["+18005551000"] * 300, "body": ["Hi 😀"] * 300})
    batches.Stats.proved = batches.Stats.per_row = 0
    found = tv.check_frame(frame, "POST", "/v2/send")
    assert found["row"].to_list() == list(range(2, 300, 3))
    # the refused rows differ only in the one field that fails: judged once, answered alike
    assert (batches.Stats.proved, batches.Stats.per_row) == (200, 1)
    assert found["code"].unique().to_list() == ["invalid_phone"]


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_rows_refused_for_one_field_share_its_answer_exactly(library):
    """The memo of a failing field's answer: many rows (over several batches) with the same
    bad value and different other fields, some of them unprovable, some refused too."""
    n = 3 * batches.BATCH_ROWS // 1000 + 7
    data = {"phone_number": ["+14155551234", "nope", "nope", "", None, "nope"] * n,
            "list_number": ["+18005551000", "+18005551000", "bad", "+18005551000", "+18005551000", None] * n,
            "consent_method": [None, "verbal", None, "web_form", None, "VERBAL"] * n,
            "marketing": [None, True, None, None, None, True] * n,
            "custom_fields.tier": ["gold", None, "x", "gold", "😀" * 3, None] * n}
    frame = _build(library, data)
    want = [[(p.code, p.error, p.status, p.path) for p in tv.check("POST", "/v2/contacts", b)] for b in bodies(frame)]
    assert _problems(tv.check_frame(frame, "POST", "/v2/contacts"), len(want)) == want
    if library != "polars":
        return  # the batches are the same for every library: once is enough for the counts
    third = (batches.BATCH_ROWS + 3000) // 3  # two batches
    send = _build(library, {"to": ["nope", "+14155551234", "nope"] * third, "list_number": ["+18005551000"] * 3 * third,
                            "body": ["Hi", "Hi", ""] * third})
    batches.Stats.proved = batches.Stats.per_row = 0
    want = [[(p.code, p.error, p.status, p.path) for p in tv.check("POST", "/v2/send", b)] for b in bodies(send)]
    assert _problems(tv.check_frame(send, "POST", "/v2/send"), len(want)) == want
    # one field failing ("nope"): judged once; two failing (and an empty body): each judged
    assert batches.Stats.per_row == third + 1


@pytest.mark.parametrize("options", [tv.Options(block_voip=True), tv.Options(allowed_countries={"US"})])
def test_account_mirrors_send_recipients_per_row(options):
    """Options whose rules run in Python prove nothing about the field they guard."""
    frame = pl.DataFrame({"to": ["+14155551234", "+447400123456"], "list_number": ["+18005551000"] * 2,
                          "body": ["Hi"] * 2})
    batches.Stats.proved = batches.Stats.per_row = 0
    want = [[p.code for p in tv.check("POST", "/v2/send", b, options=options)] for b in bodies(frame)]
    got = _problems(tv.check_frame(frame, "POST", "/v2/send", options=options), 2)
    assert [[p[0] for p in row] for row in got] == want
    assert batches.Stats.per_row == 2


def test_without_polars_every_row_goes_per_row(monkeypatch):
    monkeypatch.setattr(batches, "has_polars", lambda: False)
    frame = pa.table({"to": ["+14155551234", "bad"], "list_number": ["+18005551000"] * 2, "body": ["Hi", "Hi"]})
    batches.Stats.proved = batches.Stats.per_row = 0
    assert tv.check_frame(frame, "POST", "/v2/send").column("row").to_pylist() == [1]
    assert (batches.Stats.proved, batches.Stats.per_row) == (0, 2)


def test_lengths_are_counted_as_the_models_count_them():
    """``MaxLen`` counts code points (as pydantic-core does): an astral character is one."""
    path = ("POST", "/v2/creatives")
    route = next(r for r in ROUTES if (r.method, r.template) == path)
    _, lengths = _schema_values(route.model)
    assert lengths, "creatives name length limits"
    n = max(lengths)
    frame = pl.DataFrame({"name": ["😀" * n, "😀" * (n + 1), "x" * n]})
    want = [[p.code for p in tv.check(*path, b)] for b in bodies(frame)]
    got = _problems(tv.check_frame(frame, *path), 3)
    assert [[p[0] for p in row] for row in got] == want


def test_the_random_frames_reach_the_column_face():
    """The differential test is only worth something if rows get proved: the documented
    examples as frames are proved column-wise for the endpoints whose rules allow it."""
    proved = {}
    for (method, path), example in EXAMPLES.items():
        frame = pl.DataFrame({k: [v] * 4 for k, v in example.items()}, strict=False)
        batches.Stats.proved = batches.Stats.per_row = 0
        tv.check_frame(frame, method, _concrete(path))
        proved[f"{method} {path}"] = batches.Stats.proved
    print(proved)
    assert proved["POST /v2/send"] == proved["POST /v2/send-raw"] == proved["DELETE /v2/contacts"] == 4
