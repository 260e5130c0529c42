"""Compiling the models' schemas: validators for other options, verdict-only validators,
and walks over a schema (the rules it holds, the codes it can raise).

- :func:`compile_validator`: the model's schema with every options-dependent rule
  (a :class:`~trackly_validate.rules.base.Rule` tagged in the schema) rebuilt for the
  options; pydantic-core reuses the prebuilt validator of any *completed* model class it
  finds in a schema, so the rebuilt schema names a never-built subclass of each model
  (``core.internals.unbuilt_subclass``);
- :func:`compile_fields_validator`: the same answers without building model instances
  (both cached once per process by :mod:`trackly_validate.rules.validators`);
- :func:`walk_rules`, :func:`raisable_codes`: what a schema holds.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from trackly_validate.core.internals import unbuilt_subclass as _shadow
from trackly_validate.core.options import DEFAULT_OPTIONS, Options
from trackly_validate.rules.base import TAG, Rule

__all__ = ["compile_validator", "compile_fields_validator", "compiled_schema", "walk_rules", "raisable_codes"]


def _rebuild(node: Any, options: Options, memo: dict[int, Any]) -> Any:
    if isinstance(node, dict):
        key = id(node)
        if key in memo:
            return memo[key][1]
        meta = node.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get(TAG), Rule):
            out = _rebuild(meta[TAG].build(options), options, memo)
        else:
            is_schema = "type" in node  # a schema's own metadata is copied; a field called metadata is not
            out = {k: (v if is_schema and k == "metadata" else _rebuild(v, options, memo)) for k, v in node.items()}
            if out.get("type") == "model" and isinstance(out.get("cls"), type):
                out["cls"] = _shadow(out["cls"])
        memo[key] = (node, out)  # keep ``node`` alive so its id is never reused
        return out
    if isinstance(node, list):
        return [_rebuild(v, options, memo) for v in node]
    if isinstance(node, tuple):
        return tuple(_rebuild(v, options, memo) for v in node)
    return node


def compile_validator(model: type[BaseModel], options: Options = DEFAULT_OPTIONS) -> SchemaValidator:
    """A new validator of ``model`` for ``options``: every options-dependent rule of the
    model's schema rebuilt for them (the model's own schema as it is for the defaults).

    Compiled with ``cache_strings="keys"``: JSON values (phone numbers, texts) are mostly
    unique, so interning them costs more than it saves (~0.2 µs a request).  Not cached
    here: :func:`trackly_validate.rules.validators.compiled` is the one cache.  Instances
    are of the same model classes.
    """
    schema, config = _compiled_schema(model, options)
    return SchemaValidator(schema, config)  # type: ignore[arg-type]


def compile_fields_validator(model: type[BaseModel], options: Options = DEFAULT_OPTIONS) -> SchemaValidator | None:
    """A validator that answers exactly as the model's for a dict or JSON but builds no
    model instances (~0.3 µs a model): every model node whose output no Python validator
    consumes is replaced by its fields.  For the doors that only need a verdict.  ``None``
    when nothing can be replaced."""
    schema, config = _compiled_schema(model, options)
    verdict = _fields_only(schema, consumed=False)
    if verdict is schema:
        return None
    return SchemaValidator(verdict, config)  # type: ignore[arg-type]


_PY_CONSUMERS = frozenset({"function-after", "function-wrap", "function-plain"})
_MODEL_HOOKS = ("post_init", "custom_init", "root_model")


def _fields_only(node: Any, consumed: bool) -> Any:
    """``node`` with its unconsumed model nodes replaced by their fields (``consumed``:
    a Python validator or a later chain step receives this node's output)."""
    if isinstance(node, list):
        out = [_fields_only(v, consumed) for v in node]
        return node if all(a is b for a, b in zip(out, node)) else out
    if not isinstance(node, dict) or "type" not in node:
        if isinstance(node, dict):  # a mapping of fields: each value is a schema
            out_map = {k: _fields_only(v, consumed) for k, v in node.items()}
            return node if all(out_map[k] is node[k] for k in node) else out_map
        return node
    kind = node["type"]
    if kind == "definitions":
        return node  # shared definitions may be consumed anywhere: left whole
    if kind == "model" and not consumed and not any(node.get(flag) for flag in _MODEL_HOOKS):
        inner = _fields_only(node["schema"], consumed)
        extra = (node.get("config") or {}).get("extra_fields_behavior")
        return _with_extra(inner, extra)
    if kind == "chain":
        steps = node["steps"]
        out_steps = [_fields_only(step, True) for step in steps[:-1]] + [_fields_only(steps[-1], consumed)]
        return node if all(a is b for a, b in zip(out_steps, steps)) else {**node, "steps": out_steps}
    below = consumed or kind in _PY_CONSUMERS
    changed = {k: _fields_only(v, below) for k, v in node.items() if k not in ("metadata", "cls", "config", "ref")}
    if all(changed[k] is node[k] for k in changed):
        return node
    return {**node, **changed}


def _with_extra(inner: Any, extra: str | None) -> Any:
    """The model's extra-keys behaviour on its fields' schema (the model's config is gone)."""
    if extra is None or not isinstance(inner, dict):
        return inner
    if inner.get("type") == "model-fields":
        return {**inner, "extra_behavior": extra}
    if inner.get("type") == "function-before" and isinstance(inner.get("schema"), dict):
        return {**inner, "schema": _with_extra(inner["schema"], extra)}
    return inner


def _compiled_schema(model: type[BaseModel], options: Options) -> tuple[Any, dict[str, Any]]:
    model.model_rebuild()
    schema = model.__pydantic_core_schema__
    if options != DEFAULT_OPTIONS:
        schema = _rebuild(schema, options, {})
    return schema, {**(model.model_config or {}), "cache_strings": "keys"}


def compiled_schema(model: type[BaseModel], options: Options = DEFAULT_OPTIONS) -> tuple[Any, dict[str, Any]]:
    """``(core schema, config)`` of ``model`` for ``options``: what :func:`compile_validator`
    compiles (the column face reads it to prove rows accepted)."""
    return _compiled_schema(model, options)


def _children(node: dict[str, Any]) -> Iterable[Any]:
    """The parts of a core-schema node to walk: everything but a schema's own
    ``metadata`` (a *field* called ``metadata`` in a ``fields`` mapping is walked)."""
    is_schema = "type" in node
    return (v for k, v in node.items() if not (is_schema and k == "metadata"))


def raisable_codes(model: type[BaseModel]) -> set[str]:
    """Every code ``model`` can raise: its tagged rules, the custom errors of its schema,
    and the codes its cross-field rules declare (``__trackly_cross_field__``), nested
    models included."""
    model.model_rebuild()
    found: set[str] = set()
    for node in schema_nodes(model.__pydantic_core_schema__):
        meta = node.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get(TAG), Rule):
            found.update(meta[TAG].codes)
        if node.get("type") == "custom-error" and isinstance(node.get("custom_error_type"), str):
            found.add(node["custom_error_type"])
        cls = node.get("cls") if node.get("type") == "model" else None
        if cls is not None:
            found.update(info.code for info in getattr(cls, "__trackly_cross_field__", ()))
    return found


def walk_rules(schema: Any) -> Iterable[Rule]:
    """Every tagged rule in a core schema (used by tests and the docs)."""
    for node in schema_nodes(schema):
        meta = node.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get(TAG), Rule):
            yield meta[TAG]


def schema_nodes(schema: Any, expand: Callable[[dict[str, Any]], Any] | None = None) -> Iterator[dict[str, Any]]:
    """Every dict of a core schema, each once (schemas share nodes).  ``expand(node)`` may
    give one more schema to walk for a node (a tagged rule rebuilt for some options)."""
    seen: set[int] = set()
    kept: list[Any] = []  # expanded schemas stay alive while walked: their ids stay unique
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            extra = expand(node) if expand is not None else None
            if extra is not None:
                kept.append(extra)
                stack.append(extra)
            stack.extend(_children(node))
        elif isinstance(node, (list, tuple)):
            stack.extend(node)


