"""A new endpoint, added exactly as docs/architecture.md's worked example says - its three code
blocks (catalog codes, a model module, one Route) read from that page - to a copy of the
package in a temporary directory, then exercised in a fresh interpreter: every door serves it
(tv.check, the httpx and requests hooks, FastAPI install(), the CLI, check_frame, the stand-in
and the proxy over real HTTP on 127.0.0.1, tv.openapi()).  The production tables stay a plain
declaration: nothing is registered at run time, and this process never imports the copy."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "trackly_validate"
TESTS = ROOT / "tests"
DOC = ROOT / "docs" / "architecture.md"


def worked_example() -> tuple[str, str, str]:
    """The worked example's three code blocks: the catalog lines, the model module, the Route."""
    section = DOC.read_text(encoding="utf-8").split("## Adding an endpoint: a worked example", 1)[1]
    section = section.split("\n## ", 1)[0]
    blocks = [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)\n[ ]*```", section, re.S)]
    assert len(blocks) == 3, "the worked example has three code blocks: codes, model, Route"
    return blocks[0], blocks[1], blocks[2]


def _insert(path: Path, anchor: str, text: str, *, after: bool) -> None:
    """Put ``text`` before (or after) the first line starting with ``anchor``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(anchor))
    lines.insert(at + 1 if after else at, text.rstrip("\n") + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def patched_package(root: Path) -> Path:
    """A copy of the package under ``root`` with the worked example applied; ``root``."""
    codes, model, route = worked_example()
    copy = root / "trackly_validate"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    _insert(copy / "core" / "catalog.py", "CATALOG: Mapping", codes, after=False)
    (copy / "models" / "keywords.py").write_text(model, encoding="utf-8")
    _insert(copy / "contracts" / "routes.py", "ROUTES: tuple[Route, ...] = (", textwrap.indent(route, "    "),
            after=True)
    return root


DOORS = r'''
import contextlib, io, json, sys, warnings
from pathlib import Path

import httpx
import requests
import trackly_validate as tv

assert Path(tv.__file__).is_relative_to(sys.argv[1]), tv.__file__  # the patched copy
KEY = "trk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
GOOD = {"keyword": "STOP2", "list_number": "+18005551000"}
BAD = {"keyword": "x" * 161}
out = {}


def codes(problems):
    return [p.code for p in problems]


def refused(call):
    try:
        call()
    except tv.TracklyValidationError as error:
        return codes(error.problems)
    return None


out["check"] = [codes(tv.check("POST", "/v2/keywords", GOOD)), codes(tv.check("POST", "/api/v2/keywords", BAD)),
                codes(tv.check("POST", "https://api.tracklysms.com/api/v2/keywords", {}))]

from trackly_validate.doors.httpx import ValidatingTransport
sent = []
wire = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={"success": True}))
with httpx.Client(base_url="https://api.tracklysms.com/api", transport=ValidatingTransport(wire),
                  headers={"X-Api-Key": KEY}) as client:
    good = client.post("/v2/keywords", json=GOOD).status_code
    out["httpx"] = [good, refused(lambda: client.post("/v2/keywords", json=BAD)), len(sent)]

from requests.adapters import BaseAdapter
from trackly_validate.doors.requests import ValidatingAdapter


class Wire(BaseAdapter):
    def __init__(self):
        super().__init__()
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        response = requests.Response()
        response.status_code, response._content, response.request = 200, b"{}", request
        return response

    def close(self):
        pass


recorder = Wire()
with requests.Session() as session:
    session.mount("https://", ValidatingAdapter(recorder))
    session.headers["X-Api-Key"] = KEY
    good = session.post("https://api.tracklysms.com/api/v2/keywords", json=GOOD).status_code
    out["requests"] = [good, refused(lambda: session.post("https://api.tracklysms.com/api/v2/keywords", json=BAD)),
                       len(recorder.sent)]

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
from trackly_validate.doors.fastapi import install
from trackly_validate.models.keywords import CreateKeyword

app = FastAPI()
install(app)


@app.post("/keywords")
def create(keyword: CreateKeyword):
    return {"success": True, "keyword": keyword.keyword}


with TestClient(app) as client:
    good, bad = client.post("/keywords", json=GOOD), client.post("/keywords", json=BAD)
    out["fastapi"] = [good.status_code, good.json(), bad.status_code, bad.json()["code"]]

from trackly_validate.doors.cli import main
bodies = Path("bodies.jsonl")
bodies.write_text(json.dumps(GOOD) + "\n" + json.dumps(BAD) + "\n", encoding="utf-8")
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    status = main(["check", str(bodies), "--endpoint", "POST /v2/keywords", "--format", "json"])
report = json.loads(printed.getvalue())
out["cli"] = [status, report["valid"], [(p["line"], p["code"]) for p in report["problems"]]]

import polars
frame = polars.DataFrame({"keyword": ["STOP2", "x" * 161, None], "list_number": ["+18005551000", None, None]})
result = tv.check_frame(frame, "POST", "/v2/keywords")
out["check_frame"] = list(zip(result["row"].to_list(), result["code"].to_list()))

from trackly_validate.doors.server import ProxyServer, SandboxServer
with SandboxServer(seed=1) as server:
    good = httpx.post(f"{server.url}/api/v2/keywords", json=GOOD, headers={"X-Api-Key": KEY})
    bad = httpx.post(f"{server.url}/api/v2/keywords", json=BAD, headers={"X-Api-Key": KEY})
    out["stand-in"] = [good.status_code, good.json(), bad.status_code, bad.json()["code"]]

from upstream_stub import UpstreamStub
with UpstreamStub() as upstream, ProxyServer(upstream.url) as proxy:
    good = httpx.post(f"{proxy.url}/api/v2/keywords", json=GOOD, headers={"X-Api-Key": KEY})
    bad = httpx.post(f"{proxy.url}/api/v2/keywords", json=BAD, headers={"X-Api-Key": KEY})
    out["proxy"] = [good.status_code, bad.status_code, bad.json()["code"],
                    [(r.method, r.target, json.loads(r.body)) for r in upstream.received]]

operation = tv.openapi()["paths"]["/v2/keywords"]["post"]
answers = operation["responses"]
out["openapi"] = [operation["summary"], answers["200"]["content"]["application/json"]["example"],
                  answers["400"]["content"]["application/json"]["schema"]["properties"]["code"]["enum"],
                  operation["requestBody"]["content"]["application/json"]["schema"]]
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> dict:
    root = patched_package(tmp_path_factory.mktemp("patched"))
    (root / "doors.py").write_text(DOORS, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(TESTS)])}
    done = subprocess.run([sys.executable, "doors.py", str(root)], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_tv_check_finds_the_new_endpoint(served):
    assert served["check"] == [[], ["keyword_too_long"], ["missing_keyword"]]


@pytest.mark.parametrize("hook", ["httpx", "requests"])
def test_the_client_hooks_send_the_good_body_and_refuse_the_bad_one(served, hook):
    assert served[hook] == [200, ["keyword_too_long"], 1]


def test_fastapi_answers_with_the_apis_codes(served):
    assert served["fastapi"] == [200, {"success": True, "keyword": "STOP2"}, 400, "keyword_too_long"]


def test_the_cli_checks_it_by_endpoint(served):
    assert served["cli"] == [1, 1, [[2, "keyword_too_long"]]]


def test_check_frame_checks_its_rows(served):
    assert served["check_frame"] == [[1, "keyword_too_long"], [2, "missing_keyword"]]


def test_the_stand_in_answers_the_generic_success(served):
    assert served["stand-in"] == [200, {"success": True}, 400, "keyword_too_long"]


def test_the_proxy_forwards_only_the_good_body(served):
    status, refused_status, code, received = served["proxy"]
    assert (status, refused_status, code) == (200, 400, "keyword_too_long")
    assert received == [["POST", "/api/v2/keywords", {"keyword": "STOP2", "list_number": "+18005551000"}]]


def test_the_openapi_document_describes_it(served):
    summary, example, codes_400, body = served["openapi"]
    assert summary == "Create a keyword"
    assert example == {"success": True}
    assert {"missing_keyword", "keyword_too_long", "invalid_list_number"} <= set(codes_400)
    assert body == {"$ref": "#/components/schemas/CreateKeyword"}
