"""The catalog against the API's own error-code page, and the README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trackly_validate.core import catalog

from trackly_validate.contracts import reference
from trackly_validate.core.catalog import CATALOG, C
from trackly_validate.contracts.routes import resolve

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "trackly-api"
ERROR_PAGE = SPEC / "error-codes.txt"

needs_spec = pytest.mark.skipif(not ERROR_PAGE.exists(), reason="shared/trackly-api not beside the checkout")

_SECTION = re.compile(r"\((\d{3}|5xx)\)\s*$")
_ROW = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


def _page_rows():
    """(section status, line) for every table row of the error-code page."""
    status = None
    rows = []
    for line in ERROR_PAGE.read_text(encoding="utf-8").splitlines():
        m = _SECTION.search(line)
        if m and not line.startswith(" "):
            status = m.group(1)
            continue
        if _ROW.match(line) or line.startswith("requiredField is required"):
            rows.append((status, line))
    return rows


def _row_code(line: str) -> tuple[str, int | None]:
    """The catalog code a row describes (the longest code that prefixes it and is followed
    by its documented message, or by a status and its message on the 5xx table)."""
    best = None
    for info in CATALOG.values():
        if not line.startswith(info.code):
            continue
        rest = line[len(info.code):]
        status = None
        m = re.match(r"(\d{3})", rest)
        if m:
            status, rest = int(m.group(1)), rest[3:]
        texts = (info.message, *info.wordings.values())
        if any(rest.startswith(t) for t in texts) and (best is None or len(info.code) > len(best[0])):
            best = (info.code, status)
    assert best is not None, f"no catalog entry matches the error-code page row: {line[:80]!r}"
    return best


@needs_spec
def test_every_row_of_the_error_code_page_is_in_the_catalog_with_its_exact_text():
    rows = _page_rows()
    assert len(rows) > 100
    seen = {_row_code(line)[0] for _, line in rows}
    documented = {c.code for c in CATALOG.values() if c.source == "error-codes"}
    assert documented <= seen | {"product_not_enabled"}, documented - seen


# Codes the page files under "400" whose status other pages document (and we follow).
STATUS_FROM_OTHER_PAGES = {
    "payload_too_large": 413,  # API Limits page: "413 with code payload_too_large"
}


@needs_spec
def test_statuses_match_the_page_sections():
    by_code: dict[str, set[int]] = {}
    for section, line in _page_rows():
        code, inline = _row_code(line)
        status = inline if inline is not None else int(section)
        by_code.setdefault(code, set()).add(status)
    for code, statuses in by_code.items():
        if code in STATUS_FROM_OTHER_PAGES:
            assert CATALOG[code].status == STATUS_FROM_OTHER_PAGES[code]
            continue
        specific = statuses - {400} or statuses  # a code listed under 400 and a specific section
        assert CATALOG[code].status in specific, (code, statuses)


@pytest.mark.parametrize(
    ("code", "route_key", "version", "status"),
    [
        ("too_many_messages", "POST /v2/send/bulk", "v2", 413),
        ("too_many_messages", "POST /v1/messages/bulk", "v1", 400),
        ("list_not_found", "POST /v2/send", "v2", 400),
        ("list_not_found", "POST /v1/messages", "v1", 404),
        ("list_not_found", "POST /v2/links/shorten", "v2", 404),
        ("offer_not_found", "POST /v2/creatives", "v2", 400),
        ("offer_not_found", "POST /v2/links/shorten", "v2", 404),
        ("offer_not_found", "POST /v2/history/revenue", "v2", 404),
        ("source_list_not_found", "POST /v2/schedules", "v2", 404),
        ("source_list_not_found", "POST /v2/audiences", "v2", 400),
        ("source_list_not_found", "PUT /v2/audiences/{id}", "v2", 400),
        ("message_not_found", "POST /v2/revenue/bulk", "v2", 400),
        ("message_not_found", "POST /v2/history/revenue", "v2", 404),
        ("id_collision", "POST /v2/links/shorten", "v2", 500),
        ("payload_too_large", "POST /v2/send", "v2", 413),
    ],
)
def test_status_depends_on_the_endpoint_where_the_docs_say_so(code, route_key, version, status):
    route = resolve(*route_key.split())
    assert route.version == version
    assert route.status_for(CATALOG[code]) == status


@pytest.mark.parametrize(
    ("code", "local", "retryable", "category"),
    [
        ("missing_to", True, False, "validation"),
        ("list_not_found", False, False, "validation"),
        ("rate_limited", False, True, "rate_limit"),
        ("save_error", False, True, "server"),
        ("provider_error", False, True, "server"),
        ("circuit_open", False, True, "server"),
        ("missing_api_key", True, False, "auth"),
        ("payload_too_large", True, False, "limit"),
        ("geo_restricted", True, False, "forbidden"),
        ("webhook_not_configured", False, False, "validation"),
    ],
)
def test_local_and_retryable_flags(code, local, retryable, category):
    info = CATALOG[code]
    assert (info.local, info.retryable, info.category) == (local, retryable, category)


def test_every_category_is_known_and_retryable_means_429_or_5xx():
    for info in CATALOG.values():
        assert info.category in catalog.CATEGORIES
        assert info.retryable == (info.status == 429 or info.status >= 500)


def test_attribute_namespace_refuses_unknown_codes():
    assert C.missing_to is CATALOG["missing_to"]
    with pytest.raises(AttributeError):
        C.missing_tto  # noqa: B018


@pytest.mark.parametrize(
    ("code", "wording", "detail", "text"),
    [
        ("invalid_status", None, "active, paused", "status must be one of: active, paused"),
        ("missing_offer_links_for_placeholders", None, "link2, link3",
         "Missing offer_links for placeholders: link2, link3"),
        ("missing_to", "v1", None, "Recipient phone number (to_msisdn) is required"),
        ("invalid_phone", "e164", None, "Invalid E.164 phone number format"),
        ("missing_link_placeholder", None, None, "message must contain at least one {{linkN}} placeholder"),
    ],
)
def test_messages_fill_the_ellipsis_and_select_wordings(code, wording, detail, text):
    assert catalog.message_for(code, wording, detail) == text


def test_by_message_falls_back_from_text_to_code():
    assert catalog.by_message("Invalid API key") == "invalid_api_key"
    assert catalog.by_message("  messages array is required ") == "missing_messages"
    assert catalog.by_message("Account is suspended") is None


def test_readme_table_and_endpoint_page_are_generated_from_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- codes:start -->", "<!-- codes:end -->"
    assert start in readme and end in readme, "README lost its generated code table"
    table = readme.split(start, 1)[1].split(end, 1)[0].strip("\n") + "\n"
    stale = "stale: run `python -m trackly_validate.contracts.reference`"
    assert table == reference.code_table(), f"README code table is {stale}"
    assert (ROOT / "docs" / "endpoints.md").read_text(encoding="utf-8") == reference.endpoints_page(), \
        f"docs/endpoints.md is {stale}"
