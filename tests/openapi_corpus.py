"""A corpus of requests for comparing the OpenAPI document with the library.

Seeds: for every rule of the property registries on every body endpoint, its trigger
(a body the library refuses for that rule) and its near miss (a body it accepts),
one deterministic draw each.  Mutations: every field of each accepted seed (top
level, one object level down, the first item of an array of objects) replaced by
each value of :data:`VALUES` (numbers as strings, lax booleans, dates, URLs, empties,
case changes) or removed.  Each request is ``(method, concrete path, body)``.

:func:`disagreements` judges each request twice, by ``tv.check`` and by the document's
request schema (path parameters included, formats asserted as Prism asserts them):

- ``stricter``: the document refuses what the library accepts (must be empty);
- ``looser``: the document accepts what the library refuses (rules the document
  does not state; many need what only the library knows, e.g. phone validity).
"""

from __future__ import annotations

import copy
import json
from typing import Any, Iterator

from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import trackly_validate as tv
from properties.harness import drawn as _drawn
from trackly_validate.contracts.routes import ROUTES, find

ID = "665fa1b2c3d4e5f6a7b8c901"

#: codes whose refusals a JSON Schema cannot state: what only the library knows (why)
NOT_STATABLE = {
    "missing_offer_links_for_placeholders": "{{linkN}} placeholders in a text against the keys of offer_links",
    "invalid_timestamp": "V8's Date parser (any string new Date() reads; the schema admits every string)",
    "invalid_ip_address": "IPv4/IPv6 as the library reads them (format: ipv4/ipv6 differ on zones, leading zeros)",
    "invalid_blast_percent": "blast percents summing to exactly 100 in decimal",
    "payload_too_large": "byte sizes of the compact JSON (the 4,000-byte contact, 5 MiB)",
    "metadata_too_large": "the byte size of the OTP metadata's JSON",
    "invalid_phone": "phone validity (possible lengths per region; the E.164 / v1 characters are stated)",
    "invalid_list_number": "phone validity (the E.164 pattern is stated)",
    "invalid_url": "the WHATWG URL parser (hosts, ports, IPv4; the http(s) scheme is stated)",
}
VALUES: tuple[Any, ...] = (
    None, "", [], {}, True, False, 0, 1, -1, 2.5, "1", "0", "12", "2.5", "true", "false", "TRUE", "yes",
    "2025-03-10", "2025-03-10T09:00:00Z", "06/01/2025", 1741600800000,
    "https://t.example.com/c?sub={{click_id}}", "http://例え.jp/", " https://example.com", "ftp://x.example",
    "x", "+14155551234", "AND", "and", "active", "ACTIVE", "Marketing",
)


def seeds() -> list[tuple[str, str, Any]]:
    """(method, path, body): a trigger and a near miss per registered rule (default options)."""
    from properties import test_props_audiences, test_props_campaigns, test_props_contacts, test_props_sending

    out: list[tuple[str, str, Any]] = []
    for module in (test_props_sending, test_props_campaigns, test_props_contacts, test_props_audiences):
        for case in module.REG.cases:
            if case.options is not None:
                continue
            method, template = case.route
            path = template.replace("{id}", ID)
            out.append((method, path, _drawn(st.composite(lambda draw, c=case: c.broken(draw)[0])())))
            out.append((method, path, _drawn(st.composite(lambda draw, c=case: c.near_miss(draw))())))
    return out


def _slots(body: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Paths of the fields to mutate: top level, one object down, the first array item."""
    for key, value in body.items():
        yield (key,)
        if isinstance(value, dict):
            for sub in value:
                yield (key, sub)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for sub in value[0]:
                yield (key, 0, sub)


def _case_changes(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str):
        return tuple({value.upper(), value.lower(), value.capitalize()} - {value})
    if isinstance(value, bool):
        return (str(value).lower(), int(value))
    if isinstance(value, (int, float)):
        return (str(value),)
    return ()


def mutations(body: Any, limit: int | None = None) -> Iterator[Any]:
    if not isinstance(body, dict):
        return
    values = VALUES if limit is None else VALUES[:limit]
    for slot in _slots(body):
        parent = body
        for step in slot[:-1]:
            parent = parent[step]
        current = parent[slot[-1]]
        for value in (*values, *_case_changes(current), ...):
            if value is ... and isinstance(parent, list):
                continue
            mutated = copy.deepcopy(body)
            target = mutated
            for step in slot[:-1]:
                target = target[step]
            if value is ...:
                del target[slot[-1]]
            else:
                target[slot[-1]] = value
            yield mutated


def corpus(limit: int | None = None) -> list[tuple[str, str, Any]]:
    """Seeds and their mutations (``limit``: only the first values of :data:`VALUES`), deduplicated."""
    out, seen = [], set()
    for method, path, body in seeds():
        candidates = [body]
        if tv.check(method, path, body) == []:
            candidates += list(mutations(body, limit))
            candidates.append({})
        for candidate in candidates:
            key = (method, path, json.dumps(candidate, sort_keys=True, ensure_ascii=False))
            if key not in seen:
                seen.add(key)
                out.append((method, path, candidate))
    return out


def request_validator(doc: dict[str, Any], method: str, template: str) -> Draft202012Validator:
    """The document's request body schema for an operation, formats asserted (as Prism does)."""
    registry = Registry().with_resource("urn:doc", Resource.from_contents(
        {**doc, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    schema = doc["paths"][template][method.lower()]["requestBody"]["content"]["application/json"]["schema"]
    rewritten = json.loads(json.dumps(schema).replace('"#/components', '"urn:doc#/components'))
    return Draft202012Validator(rewritten, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _path_ok(doc: dict[str, Any], method: str, template: str, path: str) -> bool:
    params = doc["paths"][template][method.lower()].get("parameters", [])
    values = dict(zip(template.strip("/").split("/"), path.strip("/").split("/")))
    for p in params:
        if p["in"] == "path" and not Draft202012Validator(p["schema"]).is_valid(values["{" + p["name"] + "}"]):
            return False
    return True


def disagreements(doc: dict[str, Any], requests: list[tuple[str, str, Any]]) -> dict[str, list[Any]]:
    """``{"stricter": [...], "looser": [...]}``: (method, path, body, library codes) of each."""
    validators: dict[tuple[str, str], Draft202012Validator] = {}
    out: dict[str, list[Any]] = {"stricter": [], "looser": []}
    for method, path, body in requests:
        route = find(method, path)
        assert route is not None and route in ROUTES
        key = (method, route.template)
        if key not in validators:
            validators[key] = request_validator(doc, method, route.template)
        codes = [p.code for p in tv.check(method, path, body)]
        doc_ok = _path_ok(doc, method, route.template, path) and validators[key].is_valid(body)
        if doc_ok and codes:
            out["looser"].append((method, path, body, codes))
        elif not doc_ok and not codes:
            errors = [e.message[:120] for e in validators[key].iter_errors(body)][:2]
            out["stricter"].append((method, path, body, errors))
    return out
