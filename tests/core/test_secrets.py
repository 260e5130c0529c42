"""API keys never leak: not in a Problem, an exception message, a repr, a log record or
CLI output — including when a key is pasted into the wrong field (`body`, `metadata`, a
custom field's name, a URL)."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from pydantic import ValidationError

import trackly_validate as tv
from hostile_inputs import VALID, paths, replaced, route_paths

KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
SHORT = "trk_" + "Z9" * 5  # key-shaped but malformed: hidden too
ROUTES = route_paths()


def _leaks(text: str) -> bool:
    return KEY in text or SHORT in text or KEY[4:] in text


def _rendered(problems) -> str:
    out = repr(problems) + json.dumps([p.to_dict() for p in problems]) + "".join(p.path for p in problems)
    if problems:
        err = tv.TracklyValidationError(problems)
        out += str(err) + repr(err) + json.dumps(err.to_response())
    return out


def _bodies_with_the_key(base):
    """The key in place of every value, inside every string, and as a key of every object."""
    for p in paths(base):
        for secret in (KEY, SHORT, f"Bearer {KEY}", f"https://x.com/?k={KEY}", [KEY], {KEY: KEY}):
            yield replaced(base, p, secret)
    yield {**base, KEY: KEY, "metadata": {KEY: [KEY]}, "custom_fields": {KEY: {"x": KEY}}, "body": KEY}


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_a_key_anywhere_in_a_body_is_never_echoed(key, caplog):
    method, path = ROUTES[key]
    caplog.set_level(logging.DEBUG)
    count = 0
    for body in _bodies_with_the_key(VALID[key]):
        for payload in (body, json.dumps(body)):
            problems = tv.check(method, path, payload)
            assert not _leaks(_rendered(problems)), (key, problems)
            try:
                tv.validate(method, path, payload)
            except tv.TracklyValidationError as exc:
                assert not _leaks(str(exc) + repr(exc) + repr(exc.problems))
            count += 1
    assert not any(_leaks(r.getMessage()) for r in caplog.records)
    assert count > 10


@pytest.mark.parametrize("key", ["POST /v2/send", "POST /v2/contacts", "POST /v2/offers", "POST /v2/creatives"])
def test_models_used_directly_do_not_show_the_key_in_their_errors(key):
    method, path = ROUTES[key]
    model = tv.model_for(method, path)
    for body in _bodies_with_the_key(VALID[key]):
        try:
            model.model_validate(body)
        except ValidationError as exc:
            assert not _leaks(str(exc) + repr(exc))


def test_key_checks_and_exceptions_never_show_the_key():
    for value in (KEY + " ", " " + KEY, KEY[:-1], KEY + "\n", "Bearer " + KEY, SHORT):
        problems = tv.check_api_key(value)
        assert problems and not _leaks(_rendered(problems))
    with pytest.raises(tv.UnknownEndpointError) as caught:
        tv.check("POST", f"/v2/send/{KEY}?api_key={KEY}", {})
    assert not _leaks(str(caught.value) + repr(caught.value))
    err = tv.ApiError.from_response(401, {"error": f"Invalid API key {KEY}", "code": "invalid_api_key"})
    assert not _leaks(str(err) + repr(err))


def test_cli_output_never_shows_a_key(tmp_path, capsys, monkeypatch):
    from trackly_validate.doors.cli import main

    lines = [json.dumps(b) for b in _bodies_with_the_key(VALID["POST /v2/send"])]
    data = tmp_path / f"{KEY}.jsonl"  # even in the file name
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for fmt in ("text", "json"):
        code = main(["check", str(data), "--endpoint", "POST /v2/send", "--format", fmt])
        out, err = capsys.readouterr()
        assert code == 1
        assert not _leaks(out.replace(str(tmp_path), "")) and not _leaks(err.replace(str(tmp_path), ""))
    envelopes = "\n".join(json.dumps({"method": "POST", "path": f"/v2/send?key={KEY}", "body": json.loads(line)})
                          for line in lines)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(envelopes.encode())))
    main(["check", "-", "--format", "json"])
    out, err = capsys.readouterr()
    assert not _leaks(out) and not _leaks(err)
