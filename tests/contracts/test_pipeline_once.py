"""The one request pipeline does each step once, and the value it parsed travels on.

- a body is serialised at most once (a flat object of ASCII strings not at all: its size is
  bounded without it), parsed at most once and validated once, whether it
  is accepted or refused, a dict or bytes, one request or a bulk partition;
- ``Outcome.data`` is the body as JSON data: a str/bytes body as ``JSON.parse`` (here
  ``json.loads``) gives it, any other body as given (the same object);
- one cache of compiled validators, reached by one name;
- the body face imports nothing from a layer above its own.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import trackly_validate as tv
from trackly_validate.contracts import pipeline
from trackly_validate.contracts.routes import resolve
from trackly_validate.core import decoding
from trackly_validate.core.options import DEFAULT_OPTIONS
from trackly_validate.doors.bulk import partition
from trackly_validate.rules.validators import Compiled, compiled

SEND = resolve("POST", "/v2/send")
MAX = pipeline.MAX_PAYLOAD_BYTES
BULK = resolve("POST", "/v2/send/bulk")
GOOD = {"to": "+14155551234", "list_number": "+18005551000", "body": "hi"}
BAD = {"to": "x", "list_number": "+18005551000"}
PACKAGE = Path(tv.__file__).resolve().parent


class _CountedValidator:
    def __init__(self, validator: Any, counts: Counter) -> None:
        self.validator, self.counts = validator, counts

    def validate_python(self, value: Any) -> Any:
        self.counts["validate"] += 1
        return self.validator.validate_python(value)

    def validate_json(self, raw: Any) -> Any:
        self.counts["validate"] += 1
        self.counts["parse"] += 1  # pydantic-core parses the bytes itself
        return self.validator.validate_json(raw)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Every parse of JSON text (decoding's pydantic-core and Python parsers), every
    serialisation of a body and every validation, while the test runs."""
    found: Counter = Counter()

    def counted(name: str, fn: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            found[name] += 1
            return fn(*args, **kwargs)
        return call

    monkeypatch.setattr(decoding, "from_json", counted("parse", decoding.from_json))
    monkeypatch.setattr(decoding, "loads_text", counted("parse", decoding.loads_text))
    monkeypatch.setattr(pipeline, "to_json", counted("serialise", pipeline.to_json))
    monkeypatch.setattr(decoding, "to_json", counted("serialise", decoding.to_json))

    def counted_compiled(model: Any, options: Any = DEFAULT_OPTIONS) -> Compiled:
        entry = compiled(model, options)
        verdict = _CountedValidator(type("Verdict", (), {"validate_python": staticmethod(entry.accepts_python),
                                                         "validate_json": staticmethod(entry.accepts_json)})(), found)
        return Compiled(entry.model, _CountedValidator(entry.validator, found),  # type: ignore[arg-type]
                        verdict.validate_python, verdict.validate_json)

    monkeypatch.setattr(pipeline, "compiled", counted_compiled)

    class CountedTable:  # the guard in front of run() looks validators up in the cache's table
        def get(self, model: Any) -> Compiled:
            return counted_compiled(model)

    monkeypatch.setattr(pipeline, "_DEFAULT_VALIDATORS", CountedTable())
    return found


@pytest.mark.parametrize("body, steps", [
    (GOOD, {"validate": 1}),  # a flat object of ASCII strings: measured by a bound, not serialised
    (BAD, {"validate": 1}),
    (dict(GOOD, body="h\u00e9"), {"serialise": 1, "validate": 1}),  # not ASCII: serialised and measured
    (dict(GOOD, body="x" * (1 << 20)), {"serialise": 1, "validate": 1}),  # near the limit: measured exactly
    (dict(BAD, metadata={"tags": ("a", "b")}), {"serialise": 1, "parse": 1, "validate": 1}),  # not plain JSON data
    (json.dumps(GOOD).encode(), {"parse": 1, "validate": 1}),
    (json.dumps(BAD).encode(), {"parse": 1, "validate": 1}),
    (json.dumps(BAD), {"parse": 1, "validate": 1}),
    (b"\xef\xbb\xbf" + json.dumps(BAD).encode(), {"parse": 2, "validate": 1}),  # pydantic-core refuses the BOM
    (b'{"to": ', {"parse": 2}),  # pydantic-core's parser, then Python's (it reads deeper bodies)
])
@pytest.mark.parametrize("door", ["check", "validate", "run"])
def test_a_body_is_serialised_parsed_and_validated_once(counts, body, steps, door):
    if door == "check":
        tv.check("POST", "/v2/send", body)
    elif door == "validate":
        try:
            tv.validate("POST", "/v2/send", body)
        except tv.TracklyValidationError:
            pass
    else:
        pipeline.run(SEND, body)
    assert dict(counts) == steps


@pytest.mark.parametrize("as_bytes", [False, True])
def test_a_bulk_partition_reads_the_body_once(counts, as_bytes):
    body = {"messages": [GOOD, dict(GOOD, to="x"), GOOD, dict(GOOD, body="")]}
    split = partition("POST", "/v2/send/bulk", json.dumps(body).encode() if as_bytes else body)
    assert [e["index"] for e in split.errors] == [1, 3]
    assert split.accepted_indices == (0, 2)
    assert dict(counts) == ({"parse": 1, "validate": 1} if as_bytes else {"serialise": 1, "validate": 1})


@pytest.mark.parametrize("text, refused", [
    ("a" * (MAX - 100), False),              # bound over the limit: measured exactly, within it
    ("\x01" * (MAX // 6 + 1), True),         # each control character is written as \u0001
    ("a" * (MAX // 6 - 100), False),         # bound under the limit
])
def test_the_size_bound_never_changes_the_answer(text, refused):
    found = [p.code for p in pipeline.run(SEND, dict(GOOD, body=text)).problems]
    assert found == (["payload_too_large"] if refused else [])


def test_a_partition_splits_the_very_value_the_pipeline_read():
    body = {"messages": [GOOD, dict(GOOD, to="x"), GOOD]}
    split = partition("POST", "/v2/send/bulk", body)
    assert split.source is body
    assert all(item is body["messages"][i] for item, i in zip(split.accepted, split.accepted_indices))


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=10), st.sampled_from(["+14155551234", "\ud83d", "\udc00x", "\ufeff"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                          max_size=3), max_leaves=10)


@SETTINGS
@given(value=JSON, fields=st.dictionaries(st.sampled_from(["to", "list_number", "body", "wrap_links"]), JSON),
       ensure_ascii=st.booleans(), as_text=st.booleans())
def test_the_outcome_carries_the_body_as_json_parse_gives_it(value, fields, ensure_ascii, as_text):
    for body in (value, fields):
        text = json.dumps(body, ensure_ascii=ensure_ascii)
        if not ensure_ascii and any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            continue  # a lone surrogate cannot be sent as UTF-8 text; it travels as an escape
        sent: str | bytes = text if as_text else text.encode("utf-8")
        for route in (SEND, BULK):
            outcome = pipeline.run(route, sent)
            assert outcome.data == json.loads(text)
            assert pipeline.run(route, sent, instance=False).data == json.loads(text)


def test_the_outcome_carries_what_the_server_decodes():
    assert pipeline.run(SEND, b"\xef\xbb\xbf" + json.dumps(GOOD).encode()).data == GOOD
    assert pipeline.run(SEND, b'{"body": "a\xffb"}').data == {"body": "a\ufffdb"}
    lone = pipeline.run(SEND, b'{"to": "+1415555\\ud83d", "list_number": "+18005551000"}')
    assert lone.data == {"to": "+1415555\ud83d", "list_number": "+18005551000"}  # as JSON.parse gives it
    judged = pipeline.run(SEND, {"to": "+1415555\ufffd", "list_number": "+18005551000"}).problems
    assert lone.problems == judged and "invalid_phone" in [p.code for p in judged]  # judged as U+FFFD


@pytest.mark.parametrize("body", [GOOD, BAD, [GOOD], dict(BAD, when=("a",)), {"to": object()}])
def test_a_body_that_is_not_text_travels_as_given(body):
    assert pipeline.run(SEND, body).data is body
    assert pipeline.run(SEND, body, instance=False).data is body


def test_an_empty_body_is_read_as_an_empty_object():
    assert pipeline.run(SEND, b"").data == {} == pipeline.run(SEND, "").data


@pytest.mark.parametrize("body", [b'{"to": ', b'{"to": NaN}', b"[1] x", b"\xef\xbb\xbf\xef\xbb\xbf{}",
                                  b"x" * (pipeline.MAX_PAYLOAD_BYTES + 1), "x" * (pipeline.MAX_PAYLOAD_BYTES + 1)])
def test_a_body_the_server_does_not_read_as_json_carries_no_value(body):
    outcome = pipeline.run(SEND, body)
    assert outcome.data is pipeline.NOT_JSON
    assert [p.code for p in outcome.problems] in (["invalid_input"], ["payload_too_large"])


def test_one_cache_of_compiled_validators():
    model = SEND.model
    assert compiled(model) is compiled(model, DEFAULT_OPTIONS)
    assert compiled(model, tv.Options(phone_level="valid")) is compiled(model, tv.Options(phone_level="valid"))
    assert compiled(model, tv.Options(phone_level="valid")) is not compiled(model)
    assert not hasattr(pipeline, "validator_for_model")
    from trackly_validate.rules import compile as compile_module

    assert not hasattr(compile_module, "validator_for")


LAYERS = ("core", "rules", "models", "contracts", "doors")
BODY_FACE = ("core/decoding.py", "rules/compile.py", "rules/validators.py", "contracts/pipeline.py",
             "contracts/translate.py")


@pytest.mark.parametrize("module", BODY_FACE)
def test_the_body_face_imports_nothing_from_a_layer_above(module):
    own = LAYERS.index(module.split("/")[0])
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # imports inside functions too
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "trackly_validate" and len(parts) > 1 and parts[1] in LAYERS:
                assert LAYERS.index(parts[1]) <= own, f"{module} imports {name}"


@pytest.mark.parametrize("door", [tv.check, tv.validate])
def test_a_table_where_one_body_is_expected_names_check_frame(door):
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match="tv.check_frame"):
        door("POST", "/v2/send", pd.DataFrame([GOOD]))
    with pytest.raises(TypeError, match="Series"):
        door("POST", "/v2/send", pd.Series([1]))
