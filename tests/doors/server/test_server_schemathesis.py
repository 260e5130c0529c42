"""Schemathesis (a third-party API fuzzer, 4.x) against the served ``/openapi.json``.

Positive and negative generated requests for every operation, over real HTTP to the
sandbox, with and without the example fixtures: no 5xx, and every answer conforms to
the document (status code, content type, headers, schema); negative data (what the
document's request schemas refuse) is refused.  The budget is small for CI;
``benchmarks/bench_server.py`` runs :func:`fuzz` with a larger one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from trackly_validate.contracts.routes import READS, ROUTES, find  # noqa: E402
from trackly_validate.doors.server import SandboxServer  # noqa: E402

DOC_KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # the docs' example key
FIXTURES = Path(__file__).resolve().parents[3] / "examples" / "sandbox-fixtures.json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def explained(response) -> str | None:
    """Why a schema-valid request may still be refused, when the document itself says so:
    every problem is one only the library can judge (``openapi_corpus.NOT_STATABLE``:
    phone validity, placeholders against offer_links, V8 dates, sizes...)."""
    from openapi_corpus import NOT_STATABLE

    try:
        problems = response.json().get("problems") or []
    except ValueError:
        return None
    from trackly_validate.core.catalog import CATALOG

    # NOT_STATABLE, or a code that depends on the account's state (message_not_found...)
    why = {c: NOT_STATABLE.get(c) or (None if c not in CATALOG or CATALOG[c].local else "the account's state")
           for c in {p.get("code") for p in problems}}
    return "; ".join(sorted(set(why.values()))) if why and all(why.values()) else None


@schemathesis.check
def accepted_unless_explained(ctx, response, case):
    """Schemathesis' positive_data_acceptance (a schema-valid request is accepted), except
    for the refusals :func:`explained` lists."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        if explained(response) is None:
            raise
        return None


def fuzz(mode: GenerationMode, per_operation: int, fixtures: Path | None = None,
         failures: list[tuple[str, str]] | None = None) -> dict[str, int]:
    """``per_operation`` generated requests of ``mode`` for every operation of the served
    document, against a fresh sandbox; the number of calls made per operation.  Raises
    Schemathesis' failure on the first answer that breaks a check, or, with a
    ``failures`` list, adds ``(operation, first line)`` to it and goes on."""
    key = json.loads(fixtures.read_text())["api_keys"][0] if fixtures else DOC_KEY
    calls: dict[str, int] = {}
    with SandboxServer(seed=1, fixtures=fixtures) as server:
        schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
        base = f"{server.url}/api"
        for result in schema.get_all_operations():
            operation = result.ok()
            route = find(operation.method, operation.path)
            # a bulk endpoint queues the good items and reports the bad ones in errors[] (200):
            # a schema-violating item is not a refusal of the request there
            refuses = mode is GenerationMode.NEGATIVE and route is not None and route.items is None
            checks = CHECKS + [negative_data_rejection] if refuses else CHECKS
            if mode is GenerationMode.POSITIVE and route is not None:
                checks = checks + [accepted_unless_explained]
            label = f"{operation.method.upper()} {operation.path}"

            @given(case=operation.as_strategy(mode, headers={"X-Api-Key": key}))
            @settings(max_examples=per_operation, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                case.call_and_validate(base_url=base, checks=checks)
                calls[label] = calls.get(label, 0) + 1

            if mode is GenerationMode.NEGATIVE and route is None:
                continue  # a read (no body): its query values are clamped or match nothing, never refused
            try:
                run()
            except BaseException as exc:  # Schemathesis' FailureGroup is a BaseExceptionGroup
                if failures is None or isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                failures.append((label, _summary(exc)))
    return calls


def _summary(exc: BaseException) -> str:
    found = [str(e).strip().splitlines()[0] for e in getattr(exc, "exceptions", ())] or [str(exc).splitlines()[0]]
    return "; ".join(found)


@pytest.mark.parametrize(("mode", "fixtures"), [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None),
                                               (GenerationMode.POSITIVE, FIXTURES)],
                         ids=["positive-open", "negative-open", "positive-fixtures"])
def test_generated_requests_get_documented_answers(mode, fixtures):
    calls = fuzz(mode, 2, fixtures)
    wanted = len(ROUTES) + len(READS) if mode is GenerationMode.POSITIVE else len(ROUTES)
    assert len(calls) >= wanted  # every modelled endpoint was called (negative: every body endpoint)
    assert all(n >= 1 for n in calls.values())
