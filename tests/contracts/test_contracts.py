"""The endpoint contracts and the one-place-per-fact invariants.

- a contract that contradicts the catalog or its model fails loudly;
- no error code is written as a string outside the catalog (models and contracts say
  ``C.<code>``), so a renamed or misspelt code cannot hide;
- ``tv.INFERRED_RULES`` is the same right after import as after every model has loaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import trackly_validate as tv
from trackly_validate.core.catalog import CATALOG, C
from trackly_validate.contracts.routes import ROUTES, ContractError, PathRule, Route, _check_model, resolve

SRC = Path(tv.__file__).resolve().parent

# words that are also error codes but mean something else where they appear: a JSON Schema
# keyword ("required"), an account state and a response category ("suspended", "not_found")
NOT_CODES = {"required", "suspended", "not_found"}


def _string_constants(tree: ast.AST) -> list[tuple[int, str]]:
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_error_code_is_written_outside_the_catalog():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in ("catalog.py", "_phone_patterns.py"):
            continue
        for line, value in _string_constants(ast.parse(path.read_text(encoding="utf-8"))):
            if value in CATALOG and value not in NOT_CODES:
                found.append(f"{path.relative_to(SRC)}:{line}: {value!r}")
    assert not found, "write C.<code> instead of the string:\n" + "\n".join(found)


def test_the_literal_check_bites():
    tree = ast.parse('"""docstring: missing_to"""\nx = "missing_to"\ny = C.missing_to.code\n')
    assert [v for _line, v in _string_constants(tree) if v in CATALOG] == ["missing_to"]


def test_inferred_rules_are_complete_right_after_import():
    script = ("import trackly_validate as tv, json; before = dict(tv.INFERRED_RULES); "
              "[r.model for r in __import__('trackly_validate.contracts.routes', fromlist=['ROUTES']).ROUTES]; "
              "tv.check('POST', '/v2/send', {}); print(json.dumps([before == dict(tv.INFERRED_RULES), len(before)]))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    same, count = __import__("json").loads(out)
    assert same and count == len(tv.INFERRED_RULES) >= 40


def test_every_inferred_vocabulary_row_is_in_the_registry():
    from trackly_validate.rules.vocabularies import VOCABULARIES

    for row in VOCABULARIES.values():
        if row.is_inferred:
            assert row.code.code in tv.INFERRED_RULES, row.name


def test_every_contract_agrees_with_its_model():
    for route in ROUTES:
        _check_model(route, route.model)  # raises ContractError on a disagreement


@pytest.mark.parametrize(("build", "message"), [
    (lambda: Route("POST", "/v2/x", "m:M", ("missing_to",)), "is not a catalog entry"),
    (lambda: Route("POST", "/v2/x", "m:M", (), {C.missing_to: 99}), "is not an HTTP status"),
    (lambda: Route("POST", "/v2/x", "m:M", (), {"missing_to": 400}), "is not a catalog entry"),
    (lambda: Route("PUT", "/v2/x/{id}", "m:M", path_checks=(("id", PathRule("invalid_audience_id", bool)),)),
     "is not a catalog entry"),
])
def test_a_contract_that_contradicts_the_catalog_fails_at_declaration(build, message):
    with pytest.raises(ContractError, match=message):
        build()


def test_an_unknown_code_fails_at_declaration():
    with pytest.raises(AttributeError, match="unknown Trackly error code"):
        Route("POST", "/v2/x", "m:M", (C.missing_tooo,))


def test_an_order_the_model_cannot_raise_fails_when_the_model_loads():
    send = resolve("POST", "/v2/send")
    wrong = Route("POST", "/v2/send", send.model_ref, (*send.order, C.missing_offer_links_for_placeholders))
    with pytest.raises(ContractError, match="missing_offer_links_for_placeholders"):
        _check_model(wrong, send.model)
    with pytest.raises(ContractError, match="items field"):
        _check_model(Route("POST", "/v2/send", send.model_ref, send.order, items="nope"), send.model)


def test_statuses_come_from_the_contract():
    assert resolve("POST", "/v2/links/shorten").status_for(C.id_collision) == 500
    assert resolve("POST", "/v1/messages/bulk").status_for(C.too_many_messages) == 400  # the v1 table
    assert resolve("POST", "/v2/send/bulk").status_for(C.too_many_messages) == 413
    assert resolve("POST", "/v2/send").status_for(C.invalid_phone) == 400


def test_contracts_pickle_as_themselves():
    import pickle

    for route in ROUTES:
        assert pickle.loads(pickle.dumps(route)) is route
    assert pickle.loads(pickle.dumps(C.missing_to)) is C.missing_to
