"""FastAPI: the models as request bodies answer with the Trackly API's shape and status;
other routes keep FastAPI's 422; the OpenAPI schema documents the shape."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("fastapi")

from fastapi import Body, FastAPI, Request  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
with warnings.catch_warnings():  # starlette's notice about its httpx-based test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402
from pydantic import BaseModel  # noqa: E402

import trackly_validate as tv  # noqa: E402
from trackly_validate.doors.fastapi import install  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

SEND = {"to": "+14155551234", "list_number": "+18005551000",
        "body": "Hello! Your order is confirmed. Ref: {{messageId}}", "wrap_links": True}


class Plain(BaseModel):
    name: str


def make_app() -> FastAPI:
    app = FastAPI()
    install(app)

    @app.post("/send")
    def send(message: tv.models.SendMessage):
        return {"success": True, "to": message.to}

    @app.post("/send/bulk")
    def send_bulk(request: tv.models.SendBulk):
        return {"success": True, "queued": len(request.messages)}

    @app.post("/v1/bulk")
    def v1_bulk(request: tv.models.SendBulkV1):
        return {"success": True}

    @app.post("/phone")
    def phone(request: tv.models.ValidatePhone):
        return {"success": True}

    @app.post("/embedded")
    def embedded(message: tv.models.SendMessage = Body(embed=True)):
        return {"success": True}

    @app.post("/with-query")
    def with_query(message: tv.models.SendMessage, page: int = 1):
        return {"success": True}

    @app.post("/plain")
    def plain(item: Plain):
        return {"ok": True}

    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app()) as c:
        yield c


@pytest.mark.parametrize(("url", "body"), [
    ("/send", SEND),
    ("/send/bulk", {"list_number": "+18005551000", "messages": [{"to": "+14155551234", "body": "Hello"},
                                                                 {"to": "+14155559876", "body": "Hello"}]}),
    ("/v1/bulk", {"from_phone_number_id": "pn_abc123def456", "messages": [
        {"to_msisdn": "+14155551234", "body": "Hello John! Check out our latest offer."}]}),
    ("/phone", {"phone": "(415) 555-1234", "force": False}),
    ("/embedded", {"message": SEND}),
])
def test_documented_bodies_reach_the_endpoint(client, url, body):
    response = client.post(url, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True


# url, body -> status, [(code, error, loc)]
CASES = [
    ("/send", {"to": "x", "list_number": "+18005551000", "body": "hi"},
     400, [("invalid_phone", "Invalid recipient phone number format", ["to"])]),
    ("/send", {"to": "+14155551234"},
     400, [("missing_list_number", "list_number is required", ["list_number"]),
           ("missing_body", "body is required", ["body"])]),
    ("/send", {"to": "x", "body": 5},
     400, [("missing_list_number", "list_number is required", ["list_number"]),
           ("invalid_phone", "Invalid recipient phone number format", ["to"]),
           ("invalid_input", "Invalid input", ["body"])]),
    ("/send", [1, 2], 400, [("invalid_input", "Invalid input", [])]),
    ("/send/bulk", {"messages": [SEND, {"to": "+1"}]},
     400, [("missing_list_number", "list_number is required", ["messages", 1, "list_number"]),
           ("missing_body", "body is required", ["messages", 1, "body"]),
           ("invalid_phone", "Invalid recipient phone number format", ["messages", 1, "to"])]),
    ("/send/bulk", {"messages": [SEND] * 1001},
     413, [("too_many_messages", "Maximum 1000 messages per request", ["messages"])]),
    ("/send/bulk", {"messages": []}, 400, [("missing_messages", "messages array is required", ["messages"])]),
    ("/v1/bulk", {"from_phone_number_id": "pn_1", "messages": [{"to_msisdn": "+14155551234", "body": "x"}] * 1001},
     400, [("too_many_messages", "Maximum 1000 messages per request", ["messages"])]),
    ("/v1/bulk", {"messages": [{"body": "x"}]},
     400, [("missing_from", "Sending number ID (from_phone_number_id) is required", ["from_phone_number_id"]),
           ("missing_to", "Recipient phone number (to_msisdn) is required", ["messages", 0, "to_msisdn"])]),
    ("/phone", {"phone": "+14155551234", "force": 1}, 400, [("invalid_force", "force must be a boolean", ["force"])]),
    ("/embedded", {"message": {"to": "+14155551234", "list_number": "+18005551000"}},
     400, [("missing_body", "body is required", ["body"])]),
]


@pytest.mark.parametrize(("url", "body", "status", "problems"), CASES)
def test_failures_render_as_the_api_would_answer(client, url, body, status, problems):
    response = client.post(url, json=body)
    assert response.status_code == status
    code, error, _loc = problems[0]
    assert response.json() == {"error": error, "code": code,
                               "problems": [{"code": c, "error": e, "loc": loc} for c, e, loc in problems]}


ROUTE_OF = {"/send": "/v2/send", "/send/bulk": "/v2/send/bulk", "/v1/bulk": "/v1/messages/bulk",
            "/phone": "/v1/phone/validate"}


@pytest.mark.parametrize(("url", "body", "status", "problems"), [c for c in CASES if c[0] in ROUTE_OF])
def test_the_answer_matches_tv_check_on_the_same_body(client, url, body, status, problems):
    expected = tv.check("POST", ROUTE_OF[url], body)
    got = client.post(url, json=body).json()["problems"]
    assert got == [{"code": p.code, "error": p.error, "loc": list(p.loc)} for p in expected]
    assert expected[0].status == status


def test_a_request_without_a_body_gets_the_missing_codes(client):
    response = client.post("/send")
    assert response.status_code == 400
    assert [p["code"] for p in response.json()["problems"]] == ["missing_to", "missing_list_number", "missing_body"]


def test_malformed_json_is_invalid_input_for_the_whole_body(client):
    response = client.post("/send", content=b'{"to": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid input", "code": "invalid_input",
                               "problems": [{"code": "invalid_input", "error": "Invalid input", "loc": []}]}


def test_other_routes_keep_fastapis_422(client):
    response = client.post("/plain", json={"name": 5})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_the_body_is_judged_before_the_routes_other_parameters(client):
    """express.json and the API's rules run before a handler reads its own parameters: a
    refused body is the API's answer; an accepted one leaves a failing query to FastAPI."""
    response = client.post("/with-query?page=x", json={})
    assert (response.status_code, response.json()["code"]) == (400, "missing_to")
    response = client.post("/with-query?page=x", json=SEND)
    assert response.status_code == 422
    assert {tuple(d["loc"])[0] for d in response.json()["detail"]} == {"query"}
    assert client.post("/with-query?page=2", json={}).json()["code"] == "missing_to"
    big = dict(SEND, body="x" * (5 * 1024 * 1024))  # the size rule and the server's decoding apply too
    assert client.post("/with-query?page=2", json=big).status_code == 413
    raw = b'{"to": "+14155551234", "list_number": "+18005551000", "body": "hi \\ud83d \xff"}'
    assert client.post("/with-query?page=2", content=raw, headers={"Content-Type": "application/json"}
                       ).status_code == 200


def test_a_handler_installed_before_still_serves_other_routes():
    app = FastAPI()

    @app.exception_handler(RequestValidationError)
    async def custom(request: Request, exc: RequestValidationError):
        return JSONResponse({"custom": True}, status_code=418)

    install(app)
    install(app)  # idempotent

    @app.post("/plain")
    def plain(item: Plain):
        return {}

    @app.post("/send")
    def send(message: tv.models.SendMessage):
        return {}

    with TestClient(app) as c:
        assert c.post("/plain", json={}).status_code == 418
        assert c.post("/send", json={}).status_code == 400


def test_openapi_documents_the_api_error_shape(client):
    schema = client.get("/openapi.json").json()
    ref = {"$ref": "#/components/schemas/TracklyErrorResponse"}
    send = schema["paths"]["/send"]["post"]["responses"]
    assert set(send) == {"200", "400", "413"}
    shape = send["400"]["content"]["application/json"]["schema"]
    assert shape["allOf"][0] == ref
    # the codes this door can answer at that status: local ones, none of the server-state
    # codes (list_not_found) or switched-off account mirrors (not_sendable, geo_restricted)
    assert shape["allOf"][1]["properties"]["code"]["enum"] == sorted(
        ["missing_to", "missing_list_number", "missing_body", "invalid_phone", "invalid_list_number",
         "invalid_input", "invalid_metadata"])
    too_large = send["413"]["content"]["application/json"]["schema"]
    assert too_large["allOf"][1]["properties"]["code"]["enum"] == ["payload_too_large"]
    bulk = schema["paths"]["/send/bulk"]["post"]["responses"]
    assert set(bulk) == {"200", "400", "413"}
    assert bulk["413"]["content"]["application/json"]["schema"]["allOf"][1]["properties"]["code"]["enum"] == [
        "payload_too_large", "too_many_messages"]
    v1 = schema["paths"]["/v1/bulk"]["post"]["responses"]  # too_many_messages is 400 on v1
    assert "too_many_messages" in v1["400"]["content"]["application/json"]["schema"]["allOf"][1][
        "properties"]["code"]["enum"]
    assert set(schema["paths"]["/with-query"]["post"]["responses"]) == {"200", "400", "413", "422"}
    assert set(schema["paths"]["/plain"]["post"]["responses"]) == {"200", "422"}
    shape = schema["components"]["schemas"]["TracklyErrorResponse"]
    assert set(shape["required"]) == {"error", "problems"}  # code: absent where the server sends none
    assert set(shape["properties"]) == {"error", "code", "problems"}
    problem = schema["components"]["schemas"]["ProblemOut"]
    assert set(problem["properties"]) == {"code", "error", "loc"}
    # the models themselves are in the schema as request bodies
    body = schema["paths"]["/send"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/SendMessage"}
    assert set(schema["components"]["schemas"]["SendMessage"]["required"]) == {"to", "list_number", "body"}


# --- the raw body goes through the one pipeline -----------------------------------------------------------

def test_a_body_over_5_mib_is_413_in_the_api_shape(client):
    big = dict(SEND, body="x" * (5 * 1024 * 1024))
    expected = tv.check("POST", "/v2/send", big)
    assert [p.code for p in expected] == ["payload_too_large"]
    response = client.post("/send", json=big)
    assert response.status_code == 413
    assert response.json() == {"error": expected[0].error, "code": "payload_too_large",
                               "problems": [{"code": "payload_too_large", "error": expected[0].error, "loc": []}]}
    # the limit is on the bytes as sent: exactly 5 MiB passes the size rule
    edge = b'{"to":"+14155551234","list_number":"+18005551000","body":"' 
    edge += b"x" * (5 * 1024 * 1024 - len(edge) - 2) + b'"}'
    assert len(edge) == 5 * 1024 * 1024
    assert client.post("/send", content=edge, headers={"Content-Type": "application/json"}).status_code == 200


def test_bytes_the_server_decodes_are_judged_field_by_field(client):
    raw = b'{"to": "+14155551234", "list_number": "+18005551000", "body": "hi \\ud83d \xff"}'
    assert tv.check("POST", "/v2/send", raw) == []
    response = client.post("/send", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text


def test_install_applies_the_options():
    app = FastAPI()
    install(app, options=tv.Options(phone_level="valid", disable={"missing_body"}))
    seen = []

    @app.post("/send")
    def send(message: tv.models.SendMessage):
        seen.append(message)
        return {"to": message.to}

    body = {"to": "+15555550100", "list_number": "+18005551000", "body": "hi"}  # possible, not valid
    no_body = {"to": "+14155552671", "list_number": "+18005551000"}
    with TestClient(app) as c:
        refused = c.post("/send", json=body)
        assert refused.status_code == 400 and refused.json()["code"] == "invalid_phone"
        accepted = c.post("/send", json=no_body)
        assert accepted.status_code == 200, accepted.text
        schema = c.get("/openapi.json").json()
    assert isinstance(seen[0], tv.models.SendMessage) and seen[0].to == "+14155552671"
    enum = schema["paths"]["/send"]["post"]["responses"]["400"]["content"]["application/json"]["schema"][
        "allOf"][1]["properties"]["code"]["enum"]
    assert "missing_body" not in enum and "invalid_phone" in enum
