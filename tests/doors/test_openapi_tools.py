"""The OpenAPI document read by tools nobody here wrote agrees with the library.

- a corpus (``openapi_corpus``: a trigger and a near miss for every rule, and their
  mutations: numbers as strings, lax booleans, dates, URLs, empties, case changes)
  judged by the document's request schemas (jsonschema, formats asserted) and by
  ``tv.check``: the document never refuses what the library accepts, and every request
  it accepts that the library refuses is refused for a reason a JSON Schema cannot
  state (:data:`NOT_STATABLE`, with why);
- Stoplight Prism (a mock server validating requests against the document) on a slice
  of the corpus: no request Prism refuses is one ``tv.check`` accepts;
- Spectral ``spectral:oas``: no errors, no warnings;
- the lax-scalar patterns are supersets of what pydantic's lax mode converts.

Prism and Spectral come from npm into ``.cache/npm`` (installed once, reused); without
npm/node those tests skip.  The whole corpus, with Prism, is ``make bench``
(``benchmarks/bench_openapi.py``).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import Field, TypeAdapter

import trackly_validate as tv
from trackly_validate.rules.schema import LAX_BOOL, LAX_FINITE, LAX_INT, LAX_NUMBER

import openapi_corpus

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import prism_check  # noqa: E402

DOC = tv.openapi()

NOT_STATABLE = openapi_corpus.NOT_STATABLE

CORPUS = openapi_corpus.corpus()


@pytest.fixture(scope="module")
def judged() -> dict[str, list]:
    return openapi_corpus.disagreements(DOC, CORPUS[::10])


def test_the_corpus_covers_every_body_operation():
    from trackly_validate.contracts.routes import ROUTES, find

    assert {find(m, p).key for m, p, _ in CORPUS} == {r.key for r in ROUTES}
    assert len(CORPUS) > 20000


def test_the_document_never_refuses_what_the_library_accepts(judged):
    assert judged["stricter"] == []


def test_every_refusal_a_schema_can_state_is_in_the_document(judged):
    stated = [(m, p, codes) for m, p, _b, codes in judged["looser"] if not set(codes) <= set(NOT_STATABLE)]
    assert stated == []
    assert judged["looser"]  # the corpus does reach rules only the library knows


@pytest.mark.parametrize(("kind", "schemas"), [(bool, LAX_BOOL[:1]), (int, [LAX_INT]), (float, [LAX_NUMBER]),
                                               (Annotated[float, Field(allow_inf_nan=False)], [LAX_FINITE])],
                         ids=["bool", "int", "float", "finite"])
def test_lax_scalar_patterns_admit_every_string_pydantic_converts(kind, schemas):
    adapter, patterns = TypeAdapter(kind), [re.compile(s["pattern"]) for s in schemas]
    rng = random.Random(7)
    alphabet = "0123456789_+-.eE \t\n\xa0\x85infatyINFAYsonNbx"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))
        try:
            adapter.validate_json(json.dumps(text))
        except ValueError:
            continue
        assert any(p.search(text) for p in patterns), text


def test_every_pattern_compiles_as_ecma_262_unicode():
    node = prism_check.shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    patterns = sorted({v for v in _walk(DOC, "pattern") if isinstance(v, str)})
    script = ("const ps = JSON.parse(require('fs').readFileSync(0, 'utf8')); const bad = [];"
              "for (const p of ps) { try { new RegExp(p, 'u'); } catch (e) { bad.push(p); } }"
              "console.log(JSON.stringify(bad));")
    out = subprocess.run([node, "-e", script], input=json.dumps(patterns), capture_output=True, text=True,
                         timeout=60, check=True)
    assert json.loads(out.stdout) == []
    assert len(patterns) > 10


def _walk(value: object, key: str):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)


@pytest.fixture(scope="module")
def npm_tools():
    prism, spectral = prism_check.npm_bin("prism"), prism_check.npm_bin("spectral")
    if prism is None or spectral is None:
        pytest.skip("npm/node unavailable: Prism and Spectral not installed")
    return prism, spectral


def test_prism_never_refuses_what_the_library_accepts(npm_tools):
    found = prism_check.compare(DOC, CORPUS[::40], npm_tools[0])
    assert found["false_refusals"] == []
    missed = [(m, p, codes) for m, p, _b, codes in found["missed"] if not set(codes) <= set(NOT_STATABLE)]
    assert missed == []


def test_spectral_oas_finds_nothing(npm_tools, tmp_path):
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(DOC))
    (tmp_path / ".spectral.json").write_text('{"extends": ["spectral:oas"]}')
    out = subprocess.run([str(npm_tools[1]), "lint", "-r", str(tmp_path / ".spectral.json"), "-f", "json",
                          "-q", str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    start = out.stdout.index("[")
    findings, _ = json.JSONDecoder().raw_decode(out.stdout[start:])
    assert [(f["code"], ".".join(map(str, f["path"]))) for f in findings] == []


def test_every_pattern_is_ascii():
    """Prism echoes a violated pattern in an HTTP header: a non-ASCII character there crashes it
    (non-ASCII letters are written as \\u escapes)."""
    assert [p for p in _walk(DOC, "pattern") if not p.isascii()] == []
