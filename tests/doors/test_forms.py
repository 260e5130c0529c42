"""to_form_errors (Django-friendly field errors) and json_schema (front-end forms)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import pytest

import trackly_validate as tv
from trackly_validate import Problem
from trackly_validate.doors.forms import NON_FIELD_ERRORS, FormMessage


@pytest.mark.parametrize(("path", "body", "expected"), [
    ("/v2/send", {"to": "x", "body": 5},
     {"list_number": ["list_number is required"], "to": ["Invalid recipient phone number format"],
      "body": ["Invalid input"]}),
    ("/v2/send", {},
     {"to": ["to is required"], "list_number": ["list_number is required"], "body": ["body is required"]}),
    ("/v2/send/bulk", {"messages": [{"to": "+14155551234", "list_number": "+18005551000", "body": "x"},
                                    {"to": "+1", "list_number": "+18005551000"}]},
     {"messages[1].body": ["body is required"], "messages[1].to": ["Invalid recipient phone number format"]}),
    ("/v2/send", "[1]", {NON_FIELD_ERRORS: ["Invalid input"]}),
    ("/v1/phone/validate", {"phone": "+14155551234", "force": "yes"}, {"force": ["force must be a boolean"]}),
    ("/v2/send", {"to": "+14155551234", "list_number": "+18005551000", "body": "ok"}, {}),
])
def test_field_paths_and_the_apis_messages(path, body, expected):
    assert tv.to_form_errors(tv.check("POST", path, body)) == expected


def test_keys_follow_the_servers_order():
    errors = tv.to_form_errors(tv.check("POST", "/v2/send", {"to": "x", "body": 5}))
    assert list(errors) == ["list_number", "to", "body"]


def test_messages_carry_code_and_status_for_validationerror_code():
    errors = tv.to_form_errors(tv.check("POST", "/v2/send/bulk", {"messages": [{}] * 1001}))
    [message] = errors["messages"]
    assert message == "Maximum 1000 messages per request"
    assert (message.code, message.status) == ("too_many_messages", 413)
    assert isinstance(message, FormMessage)
    assert json.dumps(errors) == '{"messages": ["Maximum 1000 messages per request"]}'
    again = pickle.loads(pickle.dumps(message))
    assert (again, again.code, again.status) == (message, "too_many_messages", 413)


def test_accepts_the_exception_and_lists_a_repeated_message_once():
    problems = [Problem("invalid_phone", "Invalid recipient phone number format", 400, ("to",)),
                Problem("invalid_phone", "Invalid recipient phone number format", 400, ("to",)),
                Problem("geo_restricted", "Geographic restriction", 403, ("to",)),
                Problem("invalid_input", "Invalid input", 400, ())]
    errors = tv.to_form_errors(tv.TracklyValidationError(problems))
    assert errors == {"to": ["Invalid recipient phone number format", "Geographic restriction"],
                      "__all__": ["Invalid input"]}
    assert [m.code for m in errors["to"]] == ["invalid_phone", "geo_restricted"]


def test_json_schema_is_the_route_models_request_schema():
    from trackly_validate.rules.schema import request_schema

    schema = tv.json_schema("POST", "/v2/send")
    assert schema == request_schema(tv.model_for("POST", "/v2/send"))
    assert "default" not in schema["properties"]["to"]  # absent, not null: never "default": null
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"to", "list_number", "body"}
    assert schema["properties"]["to"]["type"] == "string"
    bulk = tv.json_schema("POST", "https://api.tracklysms.com/api/v2/send/bulk")
    assert bulk["properties"]["messages"]["maxItems"] == 1000
    assert tv.json_schema("POST", "/v1/phone/validate/batch")["properties"]["phones"]["maxItems"] == 500


def test_json_schema_of_an_unmodelled_endpoint():
    with pytest.raises(tv.UnknownEndpointError):
        tv.json_schema("GET", "/v2/send")


def test_the_new_names_are_exported_and_lazy():
    for name in ("to_form_errors", "json_schema", "batches"):
        assert name in tv.__all__
    code = ("import sys, trackly_validate as tv\n"
            "assert 'trackly_validate.doors.forms' not in sys.modules and 'trackly_validate.doors.batching' not in sys.modules\n"
            "tv.to_form_errors([])\n"
            "assert 'pydantic' not in sys.modules, 'to_form_errors must not need pydantic'\n"
            "print(tv.batches.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "trackly_validate.doors.batching"
