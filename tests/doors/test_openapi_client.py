"""A client generated from the document works against the stand-in.

openapi-typescript (a widely used generator) turns ``tv.openapi()`` into TypeScript types;
a small program calls the stand-in through openapi-fetch typed by them, ``tsc --strict``
compiles it (the bodies and answers it uses must type-check against the document), and
Node runs it: a send, an audience created and read back, a contact, and a refused send
answered with the documented error shape.  The npm packages live in ``.cache/npm``
(installed once); without npm/node the test skips.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import trackly_validate as tv

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import prism_check  # noqa: E402

KEY = "trk_" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"

PROGRAM = """
import createClient from "openapi-fetch";
import type { paths } from "./api.mjs";

const client = createClient<paths>({ baseUrl: process.argv[2], headers: { "X-Api-Key": "%(key)s" } });

async function main(): Promise<void> {
  const sent = await client.POST("/v2/send", {
    body: { to: "+14155551234", list_number: "+18005551000", body: "Hello" } });
  const created = await client.POST("/v2/audiences", { body: { name: "Recent", filter: { operator: "AND",
    conditions: [{ condition_type: "time", field: "signup_date", operator: "within", value: 3, unit: "days" }] } } });
  const id: string = String(created.data?.id);
  const read = await client.GET("/v2/audiences/{id}", { params: { path: { id } } });
  const contact = await client.POST("/v2/contacts", {
    body: { phone_number: "+14155551234", list_number: "+18005551000", custom_fields: { first_name: "Jane" } } });
  const refused = await client.POST("/v2/send", { body: { to: "+1415", list_number: "+18005551000", body: "Hi" } });
  const code: string | undefined = refused.error && "code" in refused.error ? String(refused.error.code) : undefined;
  console.log(JSON.stringify({ message_id: sent.data?.message_id, id, read: read.data?.id,
    contact: contact.data?.contact_id, refused: refused.response.status, code }));
}

main().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.fixture(scope="module")
def tools() -> dict[str, Path]:
    found = {name: prism_check.npm_bin(name) for name in ("openapi-typescript", "tsc")}
    if any(v is None for v in found.values()) or shutil.which("node") is None:
        pytest.skip("npm/node unavailable: openapi-typescript and typescript not installed")
    return found  # type: ignore[return-value]


def test_a_generated_typescript_client_builds_and_calls_the_stand_in(tools):
    from trackly_validate.doors.server import SandboxServer

    # inside the npm cache so that node resolves openapi-fetch from its node_modules
    with tempfile.TemporaryDirectory(dir=prism_check.CACHE) as work:
        here = Path(work)
        (here / "openapi.json").write_text(json.dumps(tv.openapi()))
        subprocess.run([str(tools["openapi-typescript"]), "openapi.json", "-o", "api.d.ts"], cwd=here, check=True,
                       capture_output=True, timeout=120)
        (here / "client.mts").write_text(PROGRAM % {"key": KEY})
        (here / "api.d.mts").write_text((here / "api.d.ts").read_text())
        built = subprocess.run([str(tools["tsc"]), "--strict", "--target", "es2022", "--module", "nodenext",
                                "--moduleResolution", "nodenext", "--skipLibCheck", "client.mts"],
                               cwd=here, capture_output=True, text=True, timeout=180)
        assert built.returncode == 0, built.stdout + built.stderr
        with SandboxServer(seed=1) as server:
            out = subprocess.run(["node", "client.mjs", f"{server.url}/api"], cwd=here, capture_output=True,
                                 text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["message_id"] and result["contact"]
    assert result["read"] == result["id"]
    assert (result["refused"], result["code"]) == (400, "invalid_phone")
