"""JSON read as the server reads it: body-parser decodes UTF-8 (BOM stripped, invalid bytes
as U+FFFD) and JSON.parse accepts lone surrogate escapes, so such a body is judged field by
field; only a body that is still not JSON is ``invalid_input``."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

import trackly_validate as tv
from trackly_validate.core import decoding
SEND = {"to": "+14155551234", "list_number": "+18005551000"}
HEAD = b'{"to": "+14155551234", "list_number": "+18005551000", "body": '


def _codes(body):
    return [(p.code, p.loc) for p in tv.check("POST", "/v2/send", body)]


@pytest.mark.parametrize(("raw", "same_as"), [
    # lone surrogate escapes: what json.dumps sends for a cut emoji
    (HEAD + b'"hi \\ud83d"}', dict(SEND, body="hi \ufffd")),
    (HEAD + b'"\\udc00 then text"}', dict(SEND, body="\ufffd then text")),
    (HEAD + b'"\\ud83d\\ude00"}', dict(SEND, body="\U0001f600")),          # a pair is one character
    (HEAD + b'"\\\\ud83d"}', dict(SEND, body="\\ud83d")),                    # an escaped backslash, not an escape
    # invalid UTF-8 inside strings: each maximal subpart is one U+FFFD
    (HEAD + b'"\xff"}', dict(SEND, body="\ufffd")),
    (HEAD + b'"\xc0\xaf"}', dict(SEND, body="\ufffd\ufffd")),               # overlong '/'
    (HEAD + b'"\xed\xa0\xbd"}', dict(SEND, body="\ufffd\ufffd\ufffd")),     # an encoded surrogate
    (HEAD + b'"caf\xc3"}', dict(SEND, body="caf\ufffd")),                   # truncated sequence
    # a UTF-8 BOM is stripped
    (b"\xef\xbb\xbf" + HEAD + b'"hi"}', dict(SEND, body="hi")),
    # the fields are still judged: the rules see U+FFFD
    (b'{"to": "+1415555\\ud83d", "list_number": "+18005551000", "body": "x"}', dict(SEND, to="+1415555\ufffd", body="x")),
    (b'{"to": "+14155551234", "list_number": "\xff"}', {"to": "+14155551234", "list_number": "\ufffd"}),
])
def test_bytes_the_server_decodes_are_judged_field_by_field(raw, same_as):
    assert tv.check("POST", "/v2/send", raw) == tv.check("POST", "/v2/send", same_as)
    assert ("invalid_input", ()) not in _codes(raw)


@pytest.mark.parametrize("raw", [
    HEAD + b'"\xff", "x": NaN}', b"\xef\xbb\xbf" + HEAD + b'"hi", "x": Infinity}', HEAD + b'"\\ud83d", "x": -Infinity}',
    b'{"to": ', b"\xff{}", b'{"a": NaN}', b'{"a": Infinity}', b"   ", b"\xef\xbb\xbf", b'{"a": "\\ud83d}',
    b'{"a": "\\uzzzz"}', b"\xef\xbb\xbf\xef\xbb\xbf{}",
])
def test_what_is_still_not_json_is_invalid_input(raw):
    assert _codes(raw) == [("invalid_input", ())]


def test_the_empty_body_is_an_empty_object():
    assert tv.check("POST", "/v2/send", b"") == tv.check("POST", "/v2/send", {}) == tv.check("POST", "/v2/send", "")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20))
def test_a_dict_with_lone_surrogates_answers_like_the_bytes_json_dumps_sends(text):
    body = dict(SEND, body=text, contact_data={text: text})
    expected = tv.check("POST", "/v2/send", body)
    assert tv.check("POST", "/v2/send", json.dumps(body).encode("ascii")) == expected
    assert tv.check("POST", "/v2/send", json.dumps(body)) == expected
    assert ("invalid_input", ()) not in [(p.code, p.loc) for p in expected]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=12))
def test_any_bytes_in_a_string_never_make_the_body_invalid_json(junk):
    raw = HEAD + b'"' + junk.replace(b"\\", b"").replace(b'"', b"") + b'"}'
    text = raw.decode("utf-8", "replace")
    if any(ord(c) < 0x20 for c in text):  # control characters: not JSON for JSON.parse either
        assert _codes(raw) == [("invalid_input", ())]
    else:
        assert tv.check("POST", "/v2/send", raw) == tv.check("POST", "/v2/send", json.loads(text))


def test_as_server_reads_leaves_valid_json_alone():
    raw = json.dumps({"a": "\\ud800 is text", "b": "\U0001f600"}, ensure_ascii=True).encode()
    assert json.loads(decoding.as_server_reads(raw)) == json.loads(raw)
