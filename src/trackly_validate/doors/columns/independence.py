"""Which fields of a body read nothing but their own value.

In a plain-model body (no model validator or hook) pydantic-core validates each field by
its own schema; a field whose schema - and every rule in it rebuilt for the options - holds
no with-info Python validator (one that can read the fields validated before it, like
``consent_method``'s verbal rule) and no shared definition is judged on its own value
alone (:func:`body_model` and :func:`plain_fields` find such a body's fields; :mod:`.compile`
reads them too).  :mod:`.batches` uses that to share the answer of a refused row that fails such a
field, and only it, with the rows that hold the same cells there.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from trackly_validate.core.options import DEFAULT_OPTIONS, Options
from trackly_validate.contracts.routes import Route
from trackly_validate.rules.base import TAG, Rule, _MaxBytesRule

__all__ = ["independent_fields", "body_model", "plain_fields"]


@lru_cache(maxsize=128)
def independent_fields(route: Route, options: Options) -> frozenset[str]:
    """The fields of a plain-model body whose validation reads nothing but their own value:
    no with-info Python validator (one that could read the other fields) and no shared
    definition, in the model's schema and in every rule of it rebuilt for ``options``."""
    from trackly_validate.rules.compile import compiled_schema

    schema, _ = compiled_schema(route.model)
    model, _ = body_model(schema, options)
    plain = plain_fields(model) if model is not None else None
    if plain is None:
        return frozenset()
    out = set()
    for name, spec in plain["fields"].items():
        if not any(_reads_others(node) for node in _nodes(spec, options)):
            out.add(name)
    return frozenset(out)


def _reads_others(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    if kind == "definition-ref" or kind == "definitions":
        return True
    if isinstance(kind, str) and kind.startswith("function"):
        function = node.get("function")
        return not (isinstance(function, dict) and function.get("type") == "no-info")
    return kind == "model" and bool(node.get("post_init"))


def _nodes(schema: Any, options: Options) -> list[dict[str, Any]]:
    """Every node of ``schema`` and of its tagged rules rebuilt for ``options``."""
    from trackly_validate.rules.compile import schema_nodes

    def rebuilt(node: dict[str, Any]) -> Any:
        meta = node.get("metadata")
        rule = meta.get(TAG) if isinstance(meta, dict) else None
        return rule.build(options) if isinstance(rule, Rule) and options != DEFAULT_OPTIONS else None

    return list(schema_nodes(schema, rebuilt))


def plain_fields(schema: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The model-fields of a body that is a plain model (no hook, no model validator)."""
    if schema.get("type") != "model" or any(schema.get(f) for f in ("post_init", "custom_init", "root_model")):
        return None
    inner = schema.get("schema") or {}
    if inner.get("type") != "model-fields" or inner.get("model_validators") or inner.get("computed_fields"):
        return None
    return inner


def body_model(schema: Mapping[str, Any], options: Options) -> tuple[Mapping[str, Any] | None, list[Any]]:
    """The body's model node under the whole-body byte caps (``MaxBytes``) that wrap it, and
    those caps still on for ``options``."""
    sizes: list[Any] = []
    node: Mapping[str, Any] = schema
    for _ in range(4):
        meta = node.get("metadata")
        rule = meta.get(TAG) if isinstance(meta, dict) else None
        if not isinstance(rule, _MaxBytesRule):
            break
        if not rule.is_disabled(options):
            sizes.append(rule)
        node = rule.inner
    return (node if node.get("type") == "model" else None), sizes
