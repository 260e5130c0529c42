"""The JSON Schema of a request body, as the OpenAPI document and ``tv.json_schema`` show it.

One generator for both, so ``tv.json_schema(method, path)`` is the document's request
schema for that operation (its ``$defs`` are the document's ``components/schemas``).
It is pydantic's generator over the very core schemas the pipeline validates with,
with the differences that keep it from being stricter than the library:

- lax scalars: a boolean, integer or number field the models read in pydantic's lax
  mode (``Bool``, ``Int``, ``Number``, plain ``bool``/``int``/``float``) also admits
  what lax mode converts - ``"true"``/``"yes"``/``1`` for a boolean, numeric strings and
  booleans for numbers (patterns below, each a superset of what pydantic-core takes;
  ``tests/test_openapi_agreement.py`` fuzzes them against it).  Strict ones
  (``StrictFlag``: ``force``, ``confirm``) stay strict;
- ``"default": null`` is dropped: in the models it means "absent" (the missing-field
  rules, an optional field not sent), not a value to send;
- a field required only when the model validates absent fields (``partial_model``'s
  updates validate only what is sent) is not listed in ``required``;
- cross-field rules a JSON Schema can state come from the model's
  ``__trackly_json_schema__`` (an ``allOf`` of ``if``/``then`` pieces, written next to
  the model's cross-field validator).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema as cs

__all__ = ["RequestJsonSchema", "request_schema", "caseless", "LAX_BOOL", "LAX_INT", "LAX_NUMBER"]


#: the non-ASCII letters that Unicode case mapping turns into an ASCII one: KELVIN SIGN
#: lower-cases to k; dotless i and long s upper-case to I and S
#: (written as escapes: the patterns stay ASCII, which tools that echo them in HTTP headers need)
_FOLDS = {"lower": {"k": "\\u212a"}, "upper": {"i": "\\u0131", "s": "\\u017f"}}


def caseless(*words: str, fold: str | None = None) -> str:
    """An ECMA-262 pattern matching any of ``words`` in any ASCII letter case, whole; with
    ``fold`` (``"lower"``/``"upper"``), also the non-ASCII letters that Unicode lower-/upper-
    casing turns into theirs (what a rule that folds the value before comparing accepts)."""
    extra = _FOLDS.get(fold or "", {})

    def one(word: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}{extra.get(c.lower(), '')}]" if c.isalpha()
                       else ("\\" + c if c in "^$\\.*+?()[]{}|/" else c) for c in word)
    return "^(?:" + "|".join(one(w) for w in words) + ")$"


#: strings pydantic's lax bool takes (any letter case), and 0/1
LAX_BOOL: list[dict[str, Any]] = [
    {"type": "string", "pattern": caseless("true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "1", "0")},
    {"enum": [0, 1]},
]
_WS = r"[\s\x85]*"  # what Rust's trim() strips (Unicode White_Space)
#: numeric strings pydantic's lax int takes (surrounding whitespace, a sign, ``_`` between digits, ``.0``;
#: leading zeros before a minus sign, ``0-22``, read as -22)
LAX_INT = {"type": "string", "pattern": rf"^{_WS}[+-]?(?:0[0_]*-?_*)?[0-9](?:_?[0-9])*(?:\.0+)?{_WS}$"}


def _word(word: str) -> str:
    """``word`` in any letter case, a single ``_`` allowed between its letters."""
    return "_?".join(f"[{c.upper()}{c.lower()}]" for c in word)


# pydantic's lax float reads a string as Rust's f64 grammar after one of two preparations:
# without ``_``, surrounding whitespace is trimmed; with ``_``, each one must sit alone
# between two characters (not first, not last, never doubled) and is dropped, and nothing
# is trimmed.  The patterns state exactly that (tests/rules/test_lax_patterns.py compares
# them with pydantic on every short string of the grammar's characters).
_DIGITS = "[0-9](?:_?[0-9])*"
_MANTISSA = rf"(?:{_DIGITS}(?:_?\.(?:_?{_DIGITS})?)?|\._?{_DIGITS})"
_EXPONENT = rf"(?:_?[eE]_?(?:[+-]_?)?{_DIGITS})"
_FINITE = rf"(?:[+-]_?)?{_MANTISSA}{_EXPONENT}?"
_ANY = rf"(?:[+-]_?)?(?:{_MANTISSA}{_EXPONENT}?|{_word('inf')}(?:_?{_word('inity')})?|{_word('nan')})"


def _trimmed_or_underscored(body: str) -> str:
    return rf"^(?:{_WS}{body.replace('_?', '')}{_WS}|{body})$"


#: numeric strings pydantic's lax float takes (exponents, ``inf``, ``nan``, ``Infinity``)
LAX_NUMBER = {"type": "string", "pattern": _trimmed_or_underscored(_ANY)}
#: the same without ``inf``/``nan`` (a field that refuses them: ``revenue``)
LAX_FINITE = {"type": "string", "pattern": _trimmed_or_underscored(_FINITE)}


class RequestJsonSchema(GenerateJsonSchema):
    """pydantic's generator, with lax scalars shown as lax (module docstring)."""

    def bool_schema(self, schema: cs.BoolSchema) -> dict[str, Any]:
        out = super().bool_schema(schema)
        return out if schema.get("strict") else {"anyOf": [out, *LAX_BOOL]}

    def int_schema(self, schema: cs.IntSchema) -> dict[str, Any]:
        out = super().int_schema(schema)
        return out if schema.get("strict") else {"anyOf": [out, LAX_INT, {"type": "boolean"}]}

    def float_schema(self, schema: cs.FloatSchema) -> dict[str, Any]:
        out = super().float_schema(schema)
        if schema.get("strict"):
            return out
        text = LAX_FINITE if schema.get("allow_inf_nan") is False else LAX_NUMBER
        return {"anyOf": [out, text, {"type": "boolean"}]}


def request_schema(model: type[BaseModel], ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
    """The JSON Schema of ``model`` as a request body (``$defs`` for the models it nests)."""
    schema = model.model_json_schema(ref_template=ref_template, schema_generator=RequestJsonSchema)
    dropped: dict[str, Any] = _drop_absent_defaults(schema)
    return dropped


def _drop_absent_defaults(schema: Any) -> Any:
    """Remove every ``"default": null``: in the models it means "absent" (an optional field
    not sent, or a required one's missing-field rule), not a value the server fills in.
    Generators read a default as "always present" (openapi-typescript makes such a field
    required), and where null is not admitted it contradicts the schema."""
    if isinstance(schema, dict):
        return {k: _drop_absent_defaults(v) for k, v in schema.items() if not (k == "default" and v is None)}
    if isinstance(schema, list):
        return [_drop_absent_defaults(v) for v in schema]
    return schema


# --- pieces for the models' __trackly_json_schema__ ---------------------------------------------

#: a value sent empty counts as not given (``rules.crossfield.is_blank``)
BLANK: dict[str, Any] = {"enum": [None, "", [], {}]}


def given(name: str) -> dict[str, Any]:
    """The body has ``name`` with a value that is not blank."""
    return {"required": [name], "properties": {name: {"not": BLANK}}}


def any_given(*names: str) -> dict[str, Any]:
    """At least one of ``names`` is given (the "one of" rules: ``url`` or ``offerId``...)."""
    return {"anyOf": [given(name) for name in names]}


def add_rule(schema: dict[str, Any], rule: dict[str, Any]) -> None:
    """Add a cross-field rule to a model's schema (``allOf``)."""
    schema.setdefault("allOf", []).append(rule)


def lax(value: bool) -> dict[str, Any]:
    """What pydantic's lax bool reads as ``value`` (``true``, ``1``, ``"yes"``...): for ``if``
    conditions on a lax boolean field, so a rule fires exactly when the model's does."""
    words = ("true", "yes", "on", "t", "y", "1") if value else ("false", "no", "off", "f", "n", "0")
    return {"anyOf": [{"const": value}, {"const": int(value)}, {"type": "string", "pattern": caseless(*words)}]}


def when(name: str, value: dict[str, Any]) -> dict[str, Any]:
    """An ``if`` condition: the body has ``name`` and it matches ``value``."""
    return {"required": [name], "properties": {name: value}}


def not_blank_if_sent(*names: str) -> dict[str, Any]:
    """Each of ``names``, when sent, is not blank (an update's rule on a field sent empty)."""
    return {"properties": {name: {"not": BLANK} for name in names}}
