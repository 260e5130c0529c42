"""tv.openapi(): a valid OpenAPI 3.1 document of every modelled endpoint, with the
documented answers (success shape and example, one response per error status with the
codes as an enum, examples that match their own schemas)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource

import trackly_validate as tv
from trackly_validate.core.catalog import CATALOG
from trackly_validate.contracts.routes import READS, ROUTES

DOC = tv.openapi()


def _op(method: str, path: str) -> dict:
    return DOC["paths"][path][method.lower()]


def _validator(schema: dict) -> Draft202012Validator:
    """A validator for a schema of the document (its $refs resolve inside the document)."""
    registry = Registry().with_resource("urn:doc", Resource.from_contents({**DOC, "$schema":
                                        "https://json-schema.org/draft/2020-12/schema"}))
    rewritten = json.loads(json.dumps(schema).replace('"#/components', '"urn:doc#/components'))
    return Draft202012Validator(rewritten, registry=registry)


def test_the_document_is_valid_openapi_3_1():
    validate(DOC)
    assert DOC["openapi"] == "3.1.0"


def test_servers_are_the_api_and_the_sandbox():
    assert [s["url"] for s in DOC["servers"]] == ["https://api.tracklysms.com/api", "http://127.0.0.1:4787/api"]
    assert tv.openapi(sandbox_url="http://localhost:9/api")["servers"][1]["url"] == "http://localhost:9/api"


def test_every_modelled_endpoint_is_documented_once():
    documented = [(m.upper(), p) for p, ops in DOC["paths"].items() for m in ops]
    assert sorted(documented) == sorted((r.method, r.template) for r in (*ROUTES, *READS))
    n = len(ROUTES) + len(READS)
    assert len({op["operationId"] for ops in DOC["paths"].values() for op in ops.values()}) == n


def test_the_key_is_the_security_scheme():
    assert DOC["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "trk_ followed by 32 letters or digits"}
    assert DOC["security"] == [{"ApiKey": []}]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
def test_request_body_is_the_models_schema(route):
    ref = _op(route.method, route.template)["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[1]
    assert name == route.model.__name__
    assert set(DOC["components"]["schemas"][name]["properties"]) == set(route.model.model_json_schema()["properties"])


def _refs(value: object) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"].rsplit("/", 1)[1]} if isinstance(value.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value))
    return set()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
def test_json_schema_is_exactly_the_documents_request_schema(route):
    """tv.json_schema(method, path): the document's schema, its components under $defs."""
    mine = tv.json_schema(route.method, route.template.replace("{id}", "665fa1b2c3d4e5f6a7b8c901"))
    components = DOC["components"]["schemas"]
    body = json.loads(json.dumps(mine.pop("$defs", {})).replace("#/$defs/", "#/components/schemas/"))
    mine = json.loads(json.dumps(mine).replace("#/$defs/", "#/components/schemas/"))
    assert mine == components[route.model.__name__]
    names, todo = set(), _refs(mine)
    while todo:  # every component the body reaches, and no other
        name = todo.pop()
        names.add(name)
        todo |= _refs(components[name]) - names
    assert body == {name: components[name] for name in names}


def _defaults(value: object, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [f"{path}/{k}" for k, v in value.items() if k == "default" and v is None] + \
            [p for k, v in value.items() for p in _defaults(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _defaults(v, f"{path}/{i}")]
    return []


def test_no_null_defaults():
    """"default": null means "absent" in the models: never written (a generator would make
    the field required; where null is not admitted it contradicts the schema)."""
    for name, schema in DOC["components"]["schemas"].items():
        assert _defaults(schema) == [], name
    for route in ROUTES:
        assert _defaults(tv.json_schema(route.method, route.template.replace("{id}", "665fa1b2c3d4e5f6a7b8c901"))) == []


# (endpoint, status, codes that must be in that status's enum): read from the docs' tables
DOCUMENTED = [
    ("POST /v2/send", 400, {"missing_to", "missing_list_number", "missing_body", "invalid_phone",
                            "invalid_list_number", "list_not_found", "webhook_not_configured"}),
    ("POST /v2/send", 401, {"missing_api_key", "invalid_api_key"}),
    ("POST /v2/send", 429, {"daily_cap_exceeded"}),
    ("POST /v2/send/bulk", 413, {"too_many_messages", "payload_too_large"}),
    ("POST /v1/messages", 404, {"list_not_found"}),
    ("POST /v1/messages/bulk", 400, {"missing_from", "missing_messages", "too_many_messages"}),
    ("POST /v1/phone/validate/batch", 413, {"too_many_phones"}),
    ("POST /v2/links/shorten", 404, {"offer_not_found", "list_not_found"}),
    ("POST /v2/links/shorten", 409, {"no_domain_configured"}),
    ("POST /v2/links/shorten", 403, {"product_not_enabled"}),
    ("POST /v2/links", 403, {"product_not_enabled"}),
    ("POST /v2/creatives", 400, {"missing_name", "offer_not_found", "missing_link_placeholder"}),
    ("PUT /v2/creatives/{id}", 404, {"not_found"}),
    ("PUT /v2/schedules/{id}", 400, {"schedule_complete"}),
    ("POST /v2/schedules", 404, {"audience_not_found", "source_list_not_found"}),
    ("PUT /v2/audiences/{id}", 400, {"invalid_audience_id"}),
    ("PUT /v2/contacts", 400, {"contact_not_found", "list_contact_not_found", "missing_custom_fields"}),
    ("POST /v2/contacts/bulk", 413, {"too_many_contacts", "payload_too_large"}),
    ("DELETE /v2/history/clear", 400, {"confirm_required", "missing_entities"}),
    ("POST /v2/revenue", 400, {"message_not_found", "missing_revenue"}),
]


@pytest.mark.parametrize(("endpoint", "status", "codes"), DOCUMENTED,
                         ids=lambda x: ",".join(sorted(x)) if isinstance(x, set) else str(x))
def test_documented_codes_are_in_their_status_enum(endpoint, status, codes):
    method, path = endpoint.split(" ")
    schema = _op(method, path)["responses"][str(status)]["content"]["application/json"]["schema"]
    with_code = next(s for s in schema.get("anyOf", [schema]) if "code" in s.get("properties", {}))
    assert codes <= set(with_code["properties"]["code"]["enum"])


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
def test_each_code_sits_under_its_status_on_that_endpoint(route):
    responses = _op(route.method, route.template)["responses"]
    for status, response in responses.items():
        schema = response["content"]["application/json"]["schema"]
        for shape in schema.get("anyOf", [schema]):
            for code in shape.get("properties", {}).get("code", {}).get("enum", []):
                assert route.status_for(CATALOG[code]) == int(status), (code, status)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
def test_every_example_matches_its_schema(route):
    for status, response in _op(route.method, route.template)["responses"].items():
        content = response["content"]["application/json"]
        validator = _validator(content["schema"])
        examples = [content["example"]] if "example" in content else [e["value"] for e in content["examples"].values()]
        assert examples
        for example in examples:
            assert not list(validator.iter_errors(example)), (status, example)
        if int(status) >= 400:
            codes = {e.get("code") for e in examples} - {None}
            assert codes == set(next(s for s in content["schema"].get("anyOf", [content["schema"]])
                                     if "code" in s["properties"])["properties"]["code"]["enum"]) \
                if codes else True


def test_a_suspended_account_answer_has_no_code_and_is_documented_on_every_endpoint():
    for route in ROUTES:
        content = _op(route.method, route.template)["responses"]["403"]["content"]["application/json"]
        assert content["examples"]["suspended"]["value"] == {"error": "Account is suspended"}
        assert not list(_validator(content["schema"]).iter_errors({"error": "Account is suspended"}))


def test_v1_is_deprecated_with_its_headers_and_texts():
    op = _op("POST", "/v1/messages")
    assert op["deprecated"] is True
    assert set(op["responses"]["201"]["headers"]) == {"X-API-Deprecated", "Deprecation"}
    examples = op["responses"]["400"]["content"]["application/json"]["examples"]
    assert examples["missing_body"]["value"] == {"error": "Message body is required", "code": "missing_body"}
    assert "deprecated" not in _op("POST", "/v2/send")


def test_success_examples_are_the_docs():
    assert _op("POST", "/v2/send")["responses"]["200"]["content"]["application/json"]["example"] == {
        "success": True, "message_id": "a1b2c3d4", "status": "queued"}
    assert _op("POST", "/v1/messages/bulk")["responses"]["201"]["content"]["application/json"]["example"] == {
        "queued_count": 3, "error_count": 0, "errors": [], "deprecated": True}


def test_the_document_is_json_and_repeatable():
    assert json.loads(json.dumps(DOC)) == tv.openapi()


def test_tv_openapi_is_callable_after_importing_the_module():
    # importing the submodule first makes tv.openapi the module (Python sets it on the package)
    code = ("from trackly_validate.doors.openapi import openapi; import trackly_validate as tv; "
            "print(tv.openapi()['openapi'], openapi()['openapi'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3.1.0", "3.1.0"]


def test_examples_carry_the_servers_text_with_the_product_filled_in():
    """product_not_enabled names the endpoint's product, as the sandbox answers it."""
    paths = tv.openapi()["paths"]
    for path, product in (("/v2/links", "OFFER_MANAGEMENT"), ("/v2/links/shorten", "SMS")):
        example = paths[path]["post"]["responses"]["403"]["content"]["application/json"]["examples"]
        assert example["product_not_enabled"]["value"] == {
            "error": f"{product} product not enabled for this account", "code": "product_not_enabled"}
