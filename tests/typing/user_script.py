"""A user's script: the README's calls, checked with ``mypy --strict`` (tests/test_typing.py)."""

from __future__ import annotations

import trackly_validate as tv

body = {"to": "+14155551234", "list_number": "+18005551000", "body": "Hello"}

problems: list[tv.Problem] = tv.check("POST", "/v2/send", body)
for problem in problems:
    print(problem.code, problem.error, problem.status, problem.loc, problem.path)

message = tv.validate_as(tv.models.SendMessage, body)
recipient: str = message.to

model = tv.validate("POST", "/v2/send", body)
assert isinstance(model, tv.models.SendMessage)
print(model.to)

options = tv.Options(phone_level="valid", disable={"invalid_audience_id"}, allowed_countries={"US", "CA"})
options2 = tv.Options(disable=["missing_body"], allowed_countries=("US",))
tv.check("POST", "/v2/send", body, options=options)

try:
    tv.validate("POST", "/v2/send", {"to": "+1415"})
except tv.TracklyValidationError as exc:
    status: int = exc.status
    code: str | None = exc.code  # None only for the body parser's codeless 415
    answer: dict[str, object] = exc.to_response()
    print(status, code, answer, [p.path for p in exc.problems])

part = tv.partition("POST", "/v2/send/bulk", {"messages": [body, {"to": "x"}]})
bulk_body = part.body()
if bulk_body is None:
    print("nothing to send")
else:
    messages: object = bulk_body["messages"]
    print(messages)
for error in part.errors:
    print(error["index"], error["code"])

for batch in tv.batches([body] * 3, "messages", extra={"list_number": "+18005551000"}):
    print(len(batch["messages"]))

analysis: tv.SmsAnalysis = tv.analyze_sms("Hello 😀")
segments: int = analysis.segments
parts: tuple[str, ...] = tv.split_sms("a" * 200)

key_problems: list[tv.Problem] = tv.check_api_key("trk_" + "a" * 32)
schema: dict[str, object] = tv.json_schema("POST", "/v2/creatives")
form = tv.to_form_errors(problems)
api = tv.ApiError.from_response(400, b'{"error": "to is required", "code": "missing_to"}')
resolved: str | None = api.resolved_code

# DataFrames: the result is in the frame's own library (typed overloads)
import polars as pl  # noqa: E402

frame = pl.DataFrame({"to": ["+14155551234"], "list_number": ["+18005551000"], "body": ["Hello"]})
found: pl.DataFrame = tv.check_frame(frame, "POST", "/v2/send")
valid, rejects = tv.split_frame(frame, "POST", "/v2/send")
rows: int = valid.height + rejects.height + found.height
