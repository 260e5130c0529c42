"""Path parameters with a format rule: the audience id of PUT /v2/audiences/{id}."""

from __future__ import annotations

import httpx
import pytest

import trackly_validate as tv
from trackly_validate import Problem
from trackly_validate.doors.httpx import ValidatingTransport

BAD_ID = Problem("invalid_audience_id", "Invalid audience ID", 400, ("path", "id"))
BODY = {"name": "High-Value Clickers (Updated)"}
KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"


@pytest.mark.parametrize("path", ["/v2/audiences/664f1a2b3c4d5e6f7a8b9c0d", "/api/v2/audiences/664F1A2B3C4D5E6F7A8B9C0D",
                                  "https://api.tracklysms.com/api/v2/audiences/664f1a2b3c4d5e6f7a8b9c0d?x=1"])
def test_an_object_id_passes(path):
    assert tv.check("PUT", path, BODY) == []
    assert tv.check("PUT", path, b'{"name": "x"}') == []


@pytest.mark.parametrize("ident", ["42", "664f1a2b3c4d5e6f7a8b9c0", "664f1a2b3c4d5e6f7a8b9c0dd", "664f1a2b3c4d5e6f7a8b9c0g",
                                   "%20664f1a2b3c4d5e6f7a8b9c0"])
def test_a_malformed_id_comes_first_with_the_body_problems(ident):
    path = f"/v2/audiences/{ident}"
    assert tv.check("PUT", path, BODY) == [BAD_ID]
    assert tv.check("PUT", path, {"name": "x" * 256}) == [
        BAD_ID, Problem("name_too_long", "name must be 255 characters or less", 400, ("name",))]
    with pytest.raises(tv.TracklyValidationError) as caught:
        tv.validate("PUT", path, BODY)
    assert caught.value.problems == (BAD_ID,)


def test_the_inferred_rule_can_be_switched_off():
    opts = tv.Options(disable={"invalid_audience_id"})
    assert tv.check("PUT", "/v2/audiences/42", BODY, options=opts) == []
    assert tv.validate("PUT", "/v2/audiences/42", BODY, options=opts).name == BODY["name"]


def test_the_httpx_transport_checks_the_path_before_any_io():
    sent = []
    transport = ValidatingTransport(httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={})))
    with httpx.Client(base_url="https://api.tracklysms.com/api", transport=transport,
                      headers={"X-Api-Key": KEY}) as client:
        with pytest.raises(tv.TracklyValidationError) as caught:
            client.put("/v2/audiences/42", json=BODY)
        assert caught.value.problems == (BAD_ID,)
        assert client.put("/v2/audiences/664f1a2b3c4d5e6f7a8b9c0d", json=BODY).status_code == 200
    assert len(sent) == 1


@pytest.mark.parametrize("path", ["/API/V2/SEND", "/api/V2/send", "https://api.tracklysms.com/Api/v2/Send?x=1"])
def test_literal_segments_match_in_any_case_as_express_routes_do(path):
    assert tv.check("POST", path, {}) == tv.check("POST", "/v2/send", {})


def test_path_parameters_keep_their_case():
    assert tv.check("PUT", "/V2/AUDIENCES/665FA1B2C3D4E5F6A7B8C901", {}) == []
    assert [p.code for p in tv.check("PUT", "/v2/audiences/665FA1B2C3D4E5F6A7B8C90Z", {})] == ["invalid_audience_id"]
