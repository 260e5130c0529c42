"""No local rule without a property.

The set of codes a client can decide on its own is read from the catalog
(``local_codes()``).  Each one must have, in one of the area modules, a property that
triggers it alone and one that shows a near miss passing; otherwise this test fails and
names it, so a new rule cannot land untested.  The few local codes that no model raises
are listed below with the reason, and a second test proves they are still not raised, so
the list cannot go stale.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import trackly_validate
from trackly_validate.core.catalog import CATALOG, local_codes
from trackly_validate.contracts.routes import ROUTES
from trackly_validate.rules.compile import walk_rules

from . import test_props_audiences, test_props_campaigns, test_props_contacts, test_props_sending
from .harness import PASS, TRIGGER

AREAS = (test_props_sending, test_props_campaigns, test_props_audiences, test_props_contacts)

#: Codes of the error-code page that no model, rule or engine path raises, so the catalog
#: marks them ``local=False``.  The tests below prove they are still raised nowhere: when one
#: becomes raised, flip it to ``local=True``, write its properties and drop it from here.
NOT_RAISED_BY_ANY_MODEL = frozenset({
    "missing_fields",      # generic "Required fields missing": each model reports the field's own missing_* code
    "required",            # the engine's name for pydantic's "missing" error, which no model can emit (every
                           # field has a default: absence is reported by Required() with the field's own code)
    "field_too_long",      # generic length cap: the capped fields use name_too_long / message_too_long
    "too_long",            # generic "Value too long": same
    "mutually_exclusive",  # no documented pair of exclusive fields ("one of" on links means at least one)
    "missing_url",         # no modelled body requires a bare url (shorten uses missing_url_or_offer)
    "invalid_events",      # webhook event subscriptions are not a modelled endpoint
    "invalid_offer_id",    # the offer ID format is undocumented: offer IDs are accepted as any string
})

SRC = Path(trackly_validate.__file__).parent


def _covered() -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for module in AREAS:
        for code, kinds in module.REG.covered.items():
            entry = out.setdefault(code, {TRIGGER: [], PASS: []})
            for kind, names in kinds.items():
                entry[kind] += [f"{module.__name__.rpartition('.')[2]}::{n}" for n in names]
    return out


def test_every_local_code_has_a_trigger_and_a_pass_property():
    covered = _covered()
    expected = local_codes() - NOT_RAISED_BY_ANY_MODEL
    no_trigger = sorted(c for c in expected if not covered.get(c, {}).get(TRIGGER))
    no_pass = sorted(c for c in expected if not covered.get(c, {}).get(PASS))
    assert (no_trigger, no_pass) == ([], []), (
        f"local codes without a property that triggers them: {no_trigger}; without a near-miss property: {no_pass}")


def test_only_local_codes_are_registered_and_the_exemptions_are_not_local_and_untested():
    covered = set(_covered())
    assert sorted(covered - local_codes()) == [], "a server-side code has a local property"
    assert sorted(NOT_RAISED_BY_ANY_MODEL & local_codes()) == [], (
        "a code no model raises is marked local in the catalog: mark it local=False")
    assert sorted(NOT_RAISED_BY_ANY_MODEL & covered) == [], (
        "an exempted code now has a property: drop it from NOT_RAISED_BY_ANY_MODEL")


@pytest.mark.parametrize("module", AREAS, ids=lambda m: m.__name__.rpartition(".")[2])
def test_every_registered_test_exists(module):
    ids = {case.id for case in module.REG.cases}
    for kinds in module.REG.covered.values():
        for name in kinds[TRIGGER] + kinds[PASS]:
            function, _, param = name.partition("[")
            assert callable(getattr(module, function, None)), name
            if param and function.startswith(("test_mutation_triggers", "test_near_miss")):
                assert param[:-1] in ids, name


# --- the exemptions are real ----------------------------------------------------------------------------------


def _references(code: str, *, quoted: bool = True) -> list[str]:
    """Source files (outside the catalog) naming ``code``: ``C.code`` and, if ``quoted``,
    ``"code"`` or ``'code'``."""
    pattern = re.compile(rf"\bC\.{code}\b" + (rf"|[\"']{code}[\"']" if quoted else ""))
    return sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                  if p.name != "catalog.py" and pattern.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("code", sorted(NOT_RAISED_BY_ANY_MODEL - {"required"}))
def test_an_exempted_code_is_named_nowhere_in_the_library(code):
    assert _references(code) == [], f"{code} is now used: write its property and remove it from the exemptions"


def test_required_is_only_the_translation_fallback():
    # "required" is also a JSON-schema keyword, so only C.required counts here
    assert _references("required", quoted=False) == ["contracts/translate.py"]


def _walk(node: Any):
    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            yield item
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def _schemas():
    for route in ROUTES:
        model = route.model
        model.model_rebuild()
        yield route.key, model.__pydantic_core_schema__


@pytest.mark.parametrize(("key", "schema"), list(_schemas()), ids=lambda v: v if isinstance(v, str) else "")
def test_no_route_schema_can_raise_an_exempted_code(key, schema):
    """The schema-level view: no custom error type or rule of any route names an exempted
    code, and every field has a default (so pydantic never reports ``missing``, the only
    way the engine produces ``required``)."""
    declared = {n["custom_error_type"] for n in _walk(schema) if isinstance(n.get("custom_error_type"), str)}
    declared |= {code for rule in walk_rules(schema) for code in rule.codes}
    assert sorted(declared & NOT_RAISED_BY_ANY_MODEL) == []
    assert declared <= set(CATALOG), sorted(declared - set(CATALOG))
    fields = [n for n in _walk(schema) if n.get("type") == "model-field"]
    assert fields and all(f["schema"]["type"] == "default" for f in fields), key


def test_every_exported_model_field_has_a_default():
    models = [getattr(trackly_validate.models, n) for n in dir(trackly_validate.models) if n != "AREAS"]
    models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
    assert len(models) > 30
    required = [f"{m.__name__}.{name}" for m in models for name, f in m.model_fields.items() if f.is_required()]
    assert required == []
