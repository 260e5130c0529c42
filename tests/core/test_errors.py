"""Problem, the exception tree, ApiError.from_response and the X-Api-Key check."""

from __future__ import annotations

import pickle

import pytest

import trackly_validate as tv
from trackly_validate import ApiError, Problem, TracklyValidationError

KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # the documented example key


def test_exception_tree_is_shallow_and_rooted_in_value_error():
    assert issubclass(tv.TracklyError, ValueError)
    for cls in (tv.TracklyValidationError, tv.UnknownEndpointError, tv.ApiError):
        assert issubclass(cls, tv.TracklyError)
    assert issubclass(tv.UnknownEndpointError, LookupError)


def test_validation_error_exposes_the_first_problem_and_every_problem():
    problems = [Problem("missing_body", "body is required", 400, ("body",)),
                Problem("invalid_phone", "Invalid recipient phone number format", 400, ("messages", 3, "to"))]
    err = TracklyValidationError(problems)
    assert err.problems == tuple(problems)
    assert (err.code, err.error, err.status) == ("missing_body", "body is required", 400)
    assert err.to_response() == {"error": "body is required", "code": "missing_body", "problems": [
        {"code": "missing_body", "error": "body is required", "loc": ["body"]},
        {"code": "invalid_phone", "error": "Invalid recipient phone number format", "loc": ["messages", 3, "to"]}]}
    assert str(err) == "400 missing_body: body is required at body (+1 more problem)"
    assert pickle.loads(pickle.dumps(err)).problems == err.problems


def test_a_codeless_refusal_answers_without_a_code():
    """body-parser's 415 carries no code: neither does the exception nor its answer."""
    err = TracklyValidationError((), status=415, error='unsupported charset "LATIN1"')
    assert (err.code, err.status, err.problems) == (None, 415, ())
    assert err.to_response() == {"error": 'unsupported charset "LATIN1"',
                                 "problems": [{"error": 'unsupported charset "LATIN1"', "loc": []}]}
    assert str(err) == '415: unsupported charset "LATIN1"'
    again = pickle.loads(pickle.dumps(err))
    assert (again.code, again.status, again.error) == (None, 415, err.error)
    with pytest.raises(ValueError):
        TracklyValidationError(())
    with pytest.raises(ValueError):
        TracklyValidationError([])


def test_problem_is_frozen_and_renders_its_path():
    p = Problem("invalid_phone", "x", 400, ("messages", 3, "to"))
    assert p.path == "messages[3].to"
    assert Problem("invalid_input", "Invalid input", 400).path == ""
    assert p.to_dict() == {"code": "invalid_phone", "error": "x", "status": 400, "loc": ["messages", 3, "to"]}
    with pytest.raises(AttributeError):
        p.code = "other"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(p)) == p


@pytest.mark.parametrize(
    ("status", "body", "error", "code", "message", "resolved", "category", "retryable"),
    [
        (401, {"error": "API key required", "code": "missing_api_key"}, "API key required", "missing_api_key",
         None, "missing_api_key", "auth", False),
        (400, '{"error": "body is required", "code": "missing_body"}', "body is required", "missing_body",
         None, "missing_body", "validation", False),
        (403, b'{"error": "Account is suspended"}', "Account is suspended", None, None, None, "forbidden", False),
        (403, {"error": "EMAIL product not enabled for this account", "code": "email_not_enabled"},
         "EMAIL product not enabled for this account", "email_not_enabled", None, "email_not_enabled",
         "forbidden", False),
        (400, {"error": "validation_error", "code": "invalid_phone", "message": "invalid phone number format"},
         "validation_error", "invalid_phone", "invalid phone number format", "invalid_phone", "validation", False),
        (401, {"error": "Invalid API key"}, "Invalid API key", None, None, "invalid_api_key", "auth", False),
        (401, {"error": "API key is missing or invalid", "code": "unauthorized"}, "API key is missing or invalid",
         "unauthorized", None, "unauthorized", "auth", False),
        (413, "", "Payload Too Large", None, None, None, "limit", False),
        (429, None, "Too Many Requests", None, None, None, "rate_limit", True),
        (503, {"error": "Circuit breaker open", "code": "circuit_open"}, "Circuit breaker open", "circuit_open",
         None, "circuit_open", "server", True),
        (502, "<html>Bad gateway</html>", "<html>Bad gateway</html>", None, None, None, "server", True),
        (400, ["not", "an", "object"], "Bad Request", None, None, None, "validation", False),
    ],
)
def test_api_error_from_response(status, body, error, code, message, resolved, category, retryable):
    err = ApiError.from_response(status, body)
    assert (err.status, err.error, err.code, err.message) == (status, error, code, message)
    assert err.resolved_code == resolved
    assert err.category == category
    assert err.retryable is retryable
    assert isinstance(err, tv.TracklyError)


def test_suspended_account_is_recognised_without_a_code():
    assert ApiError.from_response(403, {"error": "Account is suspended"}).suspended
    assert not ApiError.from_response(403, {"error": "Billing blocked", "code": "billing_blocked"}).suspended


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "missing_api_key"),
        ("", "missing_api_key"),
        (b"", "missing_api_key"),
        (KEY, None),
        (KEY.encode(), None),
        ("trk_" + "A1" * 16, None),
        (" " + KEY, "invalid_api_key"),
        (KEY + "\n", "invalid_api_key"),
        (KEY[:-1], "invalid_api_key"),
        (KEY + "x", "invalid_api_key"),
        ("Bearer " + KEY, "invalid_api_key"),
        ("your_api_key", "invalid_api_key"),
        ("trk_" + "é" * 32, "invalid_api_key"),
        ("trk_" + "١" * 32, "invalid_api_key"),  # non-ASCII digits
        (12345, "invalid_api_key"),
        (b"\xfftrk", "invalid_api_key"),
    ],
)
def test_check_api_key(value, code):
    problems = tv.check_api_key(value)
    if code is None:
        assert problems == []
    else:
        text = {"missing_api_key": "API key required", "invalid_api_key": "Invalid API key"}[code]
        assert problems == [Problem(code, text, 401, ("X-Api-Key",))]
        rendered = repr(problems) + str(TracklyValidationError(problems))
        if isinstance(value, str) and len(value) > 8:
            assert value.strip() not in rendered


def test_redact_hides_anything_key_shaped():
    from trackly_validate.core.keys import redact

    assert redact(f"key={KEY} and trk_short1234 end") == "key=trk_*** and trk_*** end"
    assert redact("no key here") == "no key here"
