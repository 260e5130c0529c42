"""``make bench``: the OpenAPI document read by tools nobody here wrote, on the whole corpus.

- the corpus (``tests/openapi_corpus.py``: a trigger and a near miss for every rule of the
  property registries, and every field of the accepted ones mutated: ~36,000 requests
  over the 30 body operations) judged by the document's request schemas (jsonschema,
  formats asserted) and by Stoplight Prism as a mock of the document, each against
  ``tv.check``: false refusals (must be 0), and the library's refusals the document
  misses, split into statable ones (must be 0) and those only the library can judge
  (``openapi_corpus.NOT_STATABLE``), by code;
- Spectral ``spectral:oas``: errors and warnings.

``python benchmarks/bench_openapi.py [--quick]`` (``--quick``: every 10th request).
npm packages are installed into ``.cache/npm`` on first use.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE.parent / "tests"), str(HERE)]

import openapi_corpus  # noqa: E402
import prism_check  # noqa: E402

import trackly_validate as tv  # noqa: E402


def _split(missed: list) -> tuple[int, collections.Counter]:
    statable = sum(1 for *_, codes in missed if not set(codes) <= set(openapi_corpus.NOT_STATABLE))
    by_code = collections.Counter(codes[0] for *_, codes in missed)
    return statable, by_code


def spectral(doc: dict) -> collections.Counter:
    binary = prism_check.npm_bin("spectral")
    if binary is None:
        return collections.Counter({"(spectral unavailable)": 1})
    with tempfile.TemporaryDirectory() as work:
        here = Path(work)
        (here / "openapi.json").write_text(json.dumps(doc))
        (here / ".spectral.json").write_text('{"extends": ["spectral:oas"]}')
        out = subprocess.run([str(binary), "lint", "-r", ".spectral.json", "-f", "json", "-q", "openapi.json"],
                             cwd=here, capture_output=True, text=True, timeout=300).stdout
    findings, _ = json.JSONDecoder().raw_decode(out[out.index("["):])
    return collections.Counter(("error", "warning", "info", "hint")[f["severity"]] for f in findings)


def main() -> None:
    doc = tv.openapi()
    requests = openapi_corpus.corpus()
    if "--quick" in sys.argv:
        requests = requests[::10]
    print(f"corpus: {len(requests):,} requests over {len({(m, p.split('/')[2]) for m, p, _ in requests})} areas")
    t0 = time.perf_counter()
    judged = openapi_corpus.disagreements(doc, requests)
    statable, by_code = _split(judged["looser"])
    print(f"jsonschema (2020-12, formats): stricter than tv.check {len(judged['stricter'])}, "
          f"missed {len(judged['looser'])} (statable {statable}) [{time.perf_counter() - t0:.0f} s]")
    print(f"  missed by code: {dict(by_code.most_common())}")
    binary = prism_check.npm_bin("prism")
    if binary is None:
        print("prism: npm/node unavailable")
    else:
        t0 = time.perf_counter()
        found = prism_check.compare(doc, requests, binary)
        statable, by_code = _split(found["missed"])
        print(f"prism mock: refuses what tv.check accepts {len(found['false_refusals'])}, "
              f"accepts what it refuses {len(found['missed'])} (statable {statable}) "
              f"[{time.perf_counter() - t0:.0f} s]")
        print(f"  missed by code: {dict(by_code.most_common())}")
        for method, path, body, _ in found["false_refusals"][:10]:
            print(f"  false refusal: {method} {path} {json.dumps(body)[:200]}")
    print(f"spectral spectral:oas: {dict(spectral(doc)) or 'no findings'}")


if __name__ == "__main__":
    main()
