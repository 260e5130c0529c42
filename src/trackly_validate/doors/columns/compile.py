"""A route's contract -> a vectorized proof of acceptance over polars columns.

:func:`acceptance` walks the pydantic-core schema the pipeline itself validates with
(the route's model, rebuilt for the :class:`~trackly_validate.Options` by
:func:`trackly_validate.rules.compile.compiled_schema`: disabled codes, the phone level
and the account mirrors are already in it) and turns every node it can express into a
polars expression that is true only where pydantic-core would accept the cell:

- ``str``: a String column, with ``min_length``/``max_length`` counted in code points as
  pydantic-core counts them (``str.len_chars``) and ``pattern`` matched as
  pydantic-core matches it: the same Rust ``regex`` crate, ``is_match`` on both sides,
  so the phone level's own fast patterns (:mod:`..rules.phonemeta`) mean the same thing;
- ``bool``, ``int`` (with ``ge``/``gt``/``le``/``lt``), ``float`` (finite, same bounds),
  ``literal`` of strings or ints, ``any``;
- ``nullable``, ``default`` (an absent field is its default, validated as the model
  says), ``custom-error``, ``chain`` (only steps that hand on the value unchanged before
  the last), ``union`` (a proof by any choice; in ``left_to_right`` mode only choices
  before the first one the compiler cannot express), ``definitions``/``definition-ref``;
- ``model`` / ``model-fields`` over dotted columns (``contact_data.first_name``), with
  the model's extra-keys behaviour, unless a model hook or validator wraps it.

Everything else - a Python validator (cross-field rules, the account mirrors, dates,
URLs), a list, a struct or categorical column, an alias - proves nothing: the expression
is ``False`` there and the row goes through the per-row pipeline, which answers exactly.
So the predicate can only ever be too cautious, never too lenient.

Rows whose JSON could approach the 5 MiB payload limit are not proved either: a safe
upper bound of the row's compact JSON is computed column-wise (6 bytes per UTF-8 byte of
text, the worst case of JSON escaping).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from trackly_validate.core.options import DEFAULT_OPTIONS, Options
from trackly_validate.contracts.routes import Route
from trackly_validate.rules.base import TAG, Rule, _MaxBytesRule
from trackly_validate.doors.columns.independence import body_model, independent_fields, plain_fields

__all__ = ["Leaf", "Group", "Verdicts", "layout", "acceptance", "verdicts", "PROVABLE_DTYPES"]

#: polars dtype names whose cells the compiler reads (anything else: unproven).
PROVABLE_DTYPES = frozenset({"String", "Boolean", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32",
                             "UInt64", "Float32", "Float64", "Null"})
_INTS = frozenset({"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"})
_FLOATS = frozenset({"Float32", "Float64"})
_MAX_DEPTH = 24


@dataclass
class Leaf:
    """One column: its polars name and dtype name."""

    name: str
    dtype: str


@dataclass
class Group:
    """Dotted columns sharing a prefix: the value is an object of the members' present
    cells, absent when none is present (as :func:`records.body_from_row` builds it)."""

    members: dict[str, "Leaf | Group"] = field(default_factory=dict)


def layout(paths: list[tuple[str, ...]], names: list[str], dtypes: list[str]) -> Group | None:
    """The body's shape from the columns' paths (``None`` when a path is both a value
    and a prefix, or appears twice: those frames go row by row)."""
    root = Group()
    for parts, name, dtype in zip(paths, names, dtypes):
        node = root
        for part in parts[:-1]:
            nxt = node.members.get(part)
            if nxt is None:
                nxt = node.members[part] = Group()
            if not isinstance(nxt, Group):
                return None
            node = nxt
        if parts[-1] in node.members:
            return None
        node.members[parts[-1]] = Leaf(name, dtype)
    return root


class _Unprovable(Exception):
    """A node the compiler cannot express: nothing is proved there."""


def _pl() -> Any:
    import polars as pl

    return pl


def _present(value: Leaf | Group) -> Any:
    """Where the cell (or any member of the group) is present (not null, not NaN)."""
    pl = _pl()
    if isinstance(value, Leaf):
        if value.dtype == "Null":
            return pl.lit(False)
        col = pl.col(value.name)
        return col.is_not_null() & col.is_not_nan() if value.dtype in _FLOATS else col.is_not_null()
    out = pl.lit(False)
    for member in value.members.values():
        out = out | _present(member)
    return out


class _Compiler:
    """Walks the model's default schema; a rule tagged in it (:class:`~..rules.base.Rule`)
    is rebuilt for the options where it is met, as :func:`..rules.compile.compile_validator`
    rebuilds it for the pipeline, so both read one schema."""

    def __init__(self, definitions: dict[str, Any], config: dict[str, Any], options: Options):
        self.definitions, self.config, self.options, self.depth = definitions, config, options, 0

    def _rule(self, node: Any) -> Any:
        meta = node.get("metadata") if isinstance(node, dict) else None
        return meta.get(TAG) if isinstance(meta, dict) and isinstance(meta.get(TAG), Rule) else None

    def _for_options(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        rule = self._rule(node)
        while rule is not None and self.options != DEFAULT_OPTIONS and not isinstance(rule, _MaxBytesRule):
            node = rule.build(self.options)
            rule = self._rule(node)
        return node

    # --- None (an absent field validated as its default) -------------------------------------------------
    def accepts_none(self, node: Mapping[str, Any]) -> bool:
        node = self._for_options(node)
        rule = self._rule(node)
        if isinstance(rule, _MaxBytesRule):
            return self.accepts_none(rule.inner)
        kind = node.get("type")
        if kind in ("nullable", "any"):
            return True
        if kind == "custom-error":
            return self.accepts_none(node["schema"])
        if kind == "definition-ref":
            return self.accepts_none(self._ref(node))
        if kind == "union":
            for choice in node["choices"]:
                choice = choice[0] if isinstance(choice, tuple) else choice
                if self.accepts_none(choice):
                    return True
                if node.get("mode") == "left_to_right" and not _pure(choice):
                    return False
            return False
        if kind == "chain":
            return all(self.accepts_none(step) and _pure(step) for step in node["steps"])
        return False

    def _ref(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        found: Mapping[str, Any] | None = self.definitions.get(node["schema_ref"])
        if found is None:
            raise _Unprovable
        return found

    # --- a present value ------------------------------------------------------------------------------------
    def value(self, node: Mapping[str, Any], value: Leaf | Group) -> Any:
        """Where ``node`` accepts the (present) value; raises :class:`_Unprovable`."""
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise _Unprovable
            return self._value(node, value)
        finally:
            self.depth -= 1

    def _value(self, node: Mapping[str, Any], value: Leaf | Group) -> Any:
        node = self._for_options(node)
        rule = self._rule(node)
        if isinstance(rule, _MaxBytesRule):  # the value's compact JSON within n bytes: a bound proves it
            if rule.is_disabled(self.options):
                return self.value(rule.inner, value)
            static, dynamic = _json_bound(value)
            if static > rule.n:
                raise _Unprovable
            return (dynamic <= rule.n - static) & self.value(rule.inner, value)
        kind = node.get("type")
        if kind == "any":
            return _true()
        if kind in ("nullable", "custom-error", "default"):
            if kind == "default" and set(node) - {"type", "schema", "default", "validate_default", "metadata", "ref"}:
                raise _Unprovable
            return self.value(node["schema"], value)
        if kind == "definition-ref":
            return self.value(self._ref(node), value)
        if kind == "definitions":
            return self.value(node["schema"], value)
        if kind == "union":
            return self._union(node, value)
        if kind == "chain":
            steps = node["steps"]
            if not all(_pure(step) for step in steps[:-1]):
                raise _Unprovable
            out = None
            for step in steps:
                out = _and(out, self.value(step, value))
            return _true() if out is None else out
        if kind == "model":
            return self._model(node, value)
        if kind == "model-fields":
            if not isinstance(value, Group):
                raise _Unprovable
            return self._fields(node, value)
        if kind == "dict":
            return self._dict(node, value)
        if isinstance(value, Group):
            raise _Unprovable
        return _scalar(node, value, self.config)

    def _union(self, node: Mapping[str, Any], value: Leaf | Group) -> Any:
        pl = _pl()
        if set(node) - {"type", "choices", "mode", "custom_error_type", "custom_error_message",
                        "custom_error_context", "strict", "metadata", "ref", "auto_collapse"}:
            raise _Unprovable
        out = None
        for choice in node["choices"]:
            if isinstance(choice, tuple):  # (schema, label)
                choice = choice[0]
            try:
                found = self.value(choice, value)
            except _Unprovable:
                if node.get("mode") == "left_to_right":
                    break  # a choice tried first could answer otherwise: nothing after it is proof
                continue
            out = found if out is None else out | found
        if out is None:
            raise _Unprovable
        return out if out is not None else pl.lit(False)

    def _model(self, node: Mapping[str, Any], value: Leaf | Group) -> Any:
        if any(node.get(flag) for flag in ("post_init", "custom_init", "root_model")) or not isinstance(value, Group):
            raise _Unprovable
        inner = node["schema"]
        if inner.get("type") != "model-fields":
            raise _Unprovable  # a model validator wraps the fields
        config = {**self.config, **(node.get("config") or {})}
        saved, self.config = self.config, config
        try:
            return self._fields(inner, value)
        finally:
            self.config = saved

    def _fields(self, node: Mapping[str, Any], group: Group) -> Any:
        parts, extras = self.field_parts(node, group)
        out: Any = None
        for expr in [*parts.values(), *extras]:
            out = _and(out, expr)
        return _true() if out is None else out

    def field_parts(self, node: Mapping[str, Any], group: Group) -> tuple[dict[str, Any], list[Any]]:
        """Each field's own verdict (by field name) and the verdicts on the extra keys."""
        pl = _pl()
        if node.get("model_validators") or node.get("computed_fields"):
            raise _Unprovable
        fields: dict[str, Any] = node["fields"]
        parts: dict[str, Any] = {}
        extras: list[Any] = []
        for name, spec in fields.items():
            alias = spec.get("validation_alias")
            if alias is not None and alias != name:
                raise _Unprovable
            schema = spec["schema"]
            member = group.members.get(name)
            if not isinstance(spec, dict) or spec.get("type") != "model-field":
                raise _Unprovable
            if schema.get("type") == "default":
                if schema.get("default") is not None or "default_factory" in schema:
                    raise _Unprovable
                validate = schema.get("validate_default", self.config.get("validate_default", False))
                absent_ok = (not validate) or self.accepts_none(schema["schema"])
                inner = schema["schema"]
            else:
                absent_ok, inner = False, schema  # a required field of pydantic's own
            if member is None:
                parts[name] = _true() if absent_ok else pl.lit(False)
                continue
            present = _present(member)
            try:
                accepted = self.value(inner, member)
            except _Unprovable:  # proved only where the field is absent
                accepted = pl.lit(False)
            # Kleene logic: a null ``accepted`` (a null cell) never decides, ``present`` does
            parts[name] = (~present | accepted) if absent_ok else (present & accepted)
        extra = node.get("extra_behavior") or self.config.get("extra_fields_behavior") or "ignore"
        for key, member in group.members.items():
            if key in fields:
                continue
            if extra == "forbid" or (extra == "allow" and node.get("extras_schema") not in (None, {"type": "any"})):
                extras.append(~_present(member))
            elif extra not in ("allow", "ignore"):
                raise _Unprovable
        return parts, extras

    def _dict(self, node: Mapping[str, Any], value: Leaf | Group) -> Any:
        if not isinstance(value, Group):
            raise _Unprovable
        if set(node) - {"type", "keys_schema", "values_schema", "min_length", "max_length", "strict", "metadata",
                        "ref"}:
            raise _Unprovable
        if node.get("keys_schema", {"type": "str"}) not in ({"type": "str"}, {"type": "any"}):
            raise _Unprovable
        if node.get("max_length") is not None or (node.get("min_length") or 0) > 1:
            raise _Unprovable
        values = node.get("values_schema", {"type": "any"})
        if values == {"type": "any"}:
            return _true()  # a present group is an object of >= 1 string key
        out = None  # each present member is one value of the object
        for member in value.members.values():
            out = _and(out, ~_present(member) | self.value(values, member))
        return _true() if out is None else out


def _and(left: Any, right: Any) -> Any:
    """``left & right``, leaving out a ``None`` left and literal ``True`` operands."""
    if left is None or _is_true(left):
        return right
    return left if _is_true(right) else left & right


_TRUE: list[Any] = []


def _true() -> Any:
    """The one literal ``True`` expression (recognised by identity)."""
    if not _TRUE:
        _TRUE.append(_pl().lit(True))
    return _TRUE[0]


def _is_true(expr: Any) -> bool:
    return bool(_TRUE) and expr is _TRUE[0]


def _pure(node: Any) -> bool:
    """Whether ``node`` hands on a value it accepts unchanged (a chain step before the last)."""
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    if kind in ("str", "bool", "int", "float", "literal", "any", "list", "dict"):
        return not any(node.get(k) for k in ("strip_whitespace", "to_lower", "to_upper", "coerce_numbers_to_str"))
    if kind in ("custom-error", "nullable"):
        return _pure(node["schema"])
    if kind == "union":
        return all(_pure(c[0] if isinstance(c, tuple) else c) for c in node["choices"])
    if kind == "chain":
        return all(_pure(s) for s in node["steps"])
    return False


_STR_KEYS = frozenset({"type", "pattern", "min_length", "max_length", "strict", "metadata", "ref", "regex_engine"})
_NUM_KEYS = frozenset({"type", "ge", "gt", "le", "lt", "strict", "metadata", "ref", "allow_inf_nan"})


def _scalar(node: Mapping[str, Any], leaf: Leaf, config: dict[str, Any]) -> Any:
    pl = _pl()
    kind, dtype, col = node.get("type"), leaf.dtype, pl.col(leaf.name)
    if kind == "str":
        if dtype != "String" or set(node) - _STR_KEYS or config.get("str_strip_whitespace") \
                or config.get("str_to_lower") or config.get("str_to_upper"):
            raise _Unprovable
        if node.get("regex_engine", config.get("regex_engine", "rust-regex")) != "rust-regex":
            raise _Unprovable
        out = None
        low, high = node.get("min_length"), node.get("max_length")
        if low is not None and low <= 1:  # non-empty: one byte or more is one character or more
            out = _and(out, col.str.len_bytes() >= low)
        elif low is not None:
            out = _and(out, col.str.len_chars() >= low)  # code points, as pydantic-core counts
        if high is not None:
            out = _and(out, col.str.len_chars() <= high)
        if node.get("pattern") is not None:
            out = _and(out, col.str.contains(node["pattern"]))  # the Rust regex crate, is_match, as pydantic-core
        return _true() if out is None else out
    if kind == "bool":
        if dtype != "Boolean" or set(node) - {"type", "strict", "metadata", "ref"}:
            raise _Unprovable
        return _true()
    if kind in ("int", "float"):
        if set(node) - _NUM_KEYS or not (dtype in _INTS or (kind == "float" and dtype in _FLOATS)):
            raise _Unprovable
        out = col.is_finite() if dtype in _FLOATS else _true()
        for key, op in (("ge", "__ge__"), ("gt", "__gt__"), ("le", "__le__"), ("lt", "__lt__")):
            bound = node.get(key)
            if bound is not None:
                out = out & getattr(col, op)(bound)
        return out
    if kind == "literal":
        if set(node) - {"type", "expected", "metadata", "ref"}:
            raise _Unprovable
        expected = node["expected"]
        values: list[str] | list[int]
        if dtype == "String":
            values = [v for v in expected if type(v) is str]
        elif dtype in _INTS:
            values = [v for v in expected if type(v) is int]
        else:
            raise _Unprovable
        return col.is_in(values) if values else pl.lit(False)
    raise _Unprovable


def _json_bound(group: Leaf | Group, depth: int = 0) -> tuple[int, Any]:
    """(static bytes, expression of the rest): an upper bound of the compact JSON of a
    row's body (every key and delimiter counted as if present, text at 6 bytes per
    UTF-8 byte)."""
    pl = _pl()
    if isinstance(group, Leaf):
        if group.dtype == "String":
            return 2, pl.col(group.name).str.len_bytes().cast(pl.Int64).fill_null(0) * 6
        return 32, pl.lit(0, dtype=pl.Int64)
    static, dynamic = 2, pl.lit(0, dtype=pl.Int64)
    for key, member in group.members.items():
        static += 6 * len(key.encode("utf-8", "surrogatepass")) + 4
        if isinstance(member, Group):
            s, d = _json_bound(member, depth + 1)
            static, dynamic = static + s, dynamic + d
        elif member.dtype == "String":
            dynamic = dynamic + (pl.col(member.name).str.len_bytes().cast(pl.Int64).fill_null(0) * 6)
            static += 2
        else:
            static += 32  # a number or a boolean
    return static, dynamic


@dataclass
class Verdicts:
    """What the compiler proves for a frame's columns: ``accepted``, the whole row; and,
    when the body is a plain model (no model validator), each field's own verdict
    (``fields``: name, expression, and the columns its value is read from when its
    problems depend on its value alone, else ``None``) and ``rest`` (extra keys, columns
    of unread dtypes, finite numbers, the size bound): a row where ``rest`` and every
    field but one hold is refused, if at all, for that field's value alone."""

    accepted: Any
    fields: list[tuple[str, Any, "tuple[str, ...] | None"]]
    rest: Any


def acceptance(route: Route, options: Options, root: Group, limit: int) -> Any | None:
    """The polars expression that is true for the rows ``route`` provably accepts with
    ``options`` (``None``: nothing can be proved for this frame's columns).  Every
    member of ``root`` must be a column of a provable dtype or a group of them; other
    columns may be in ``root`` too: a cell of theirs that is present proves nothing."""
    found = verdicts(route, options, root, limit)
    return None if found is None else found.accepted


def verdicts(route: Route, options: Options, root: Group, limit: int) -> Verdicts | None:
    """:class:`Verdicts` for ``root`` (see :func:`acceptance`)."""
    from trackly_validate.rules.compile import compiled_schema

    schema, config = compiled_schema(route.model)  # the default schema: rules rebuilt where met
    definitions: dict[str, Any] = {}
    if schema.get("type") == "definitions":
        definitions = {d["ref"]: d for d in schema["definitions"] if isinstance(d, dict) and "ref" in d}
        schema = schema["schema"]
    compiler = _Compiler(definitions, dict(config), options)
    clean, odd = _split_provable(root)
    pl = _pl()
    rest: Any = None
    for leaf in odd:  # columns of dtypes not read here: their rows are unproven where present
        rest = _and(rest, ~_present(Leaf(leaf.name, "Boolean")))
    for leaf in _leaves(clean):  # an infinite number is no JSON (whatever schema the field has)
        if leaf.dtype in _FLOATS:
            rest = _and(rest, ~_present(leaf) | pl.col(leaf.name).is_finite())
    static, dynamic = _json_bound(root)
    if static > limit:
        return None
    rest = _and(rest, dynamic <= (limit - static))
    fields: list[tuple[str, Any, tuple[str, ...] | None]] = []
    try:
        model, sizes = body_model(schema, options)
        plain = plain_fields(model) if model is not None else None
        for rule in sizes:  # a whole-body byte cap (the 4,000-byte contact): proved by the bound
            s_static, s_dynamic = _json_bound(clean)
            if s_static > rule.n:
                raise _Unprovable
            rest = _and(rest, s_dynamic <= rule.n - s_static)
        if plain is not None and model is not None:
            compiler.config = {**compiler.config, **(model.get("config") or {})}
            parts, extras = compiler.field_parts(plain, clean)
            independent = independent_fields(route, options)
            for name, expr in parts.items():
                member = clean.members.get(name)
                columns = tuple(leaf.name for leaf in _leaves(member)) if isinstance(member, Group) else (
                    (member.name,) if member is not None else ())
                fields.append((name, expr, columns if name in independent and not (
                    isinstance(member, Group) and _has_odd(root.members.get(name))) else None))
            for expr in extras:
                rest = _and(rest, expr)
            core: Any = None
            for _, expr, _ in fields:
                core = _and(core, expr)
            core = _true() if core is None else core
        else:
            core = compiler.value(schema, clean)
    except _Unprovable:
        return None
    return Verdicts(_and(core, rest), fields, rest)


def _has_odd(member: Any) -> bool:
    """Whether a group holds a column of a dtype the compiler does not read."""
    if isinstance(member, Group):
        return any(_has_odd(m) for m in member.members.values())
    return isinstance(member, Leaf) and member.dtype not in PROVABLE_DTYPES


def _leaves(group: Group) -> list[Leaf]:
    out: list[Leaf] = []
    for member in group.members.values():
        out.extend(_leaves(member) if isinstance(member, Group) else [member])
    return out


def _split_provable(group: Group) -> tuple[Group, list[Leaf]]:
    """``group`` without the columns of unreadable dtypes, and those columns."""
    clean, odd = Group(), []
    for key, member in group.members.items():
        if isinstance(member, Group):
            sub, sub_odd = _split_provable(member)
            odd.extend(sub_odd)
            if sub.members:
                clean.members[key] = sub
        elif member.dtype == "Null":
            continue  # always absent
        elif member.dtype in PROVABLE_DTYPES:
            clean.members[key] = member
        else:
            odd.append(member)
    return clean, odd
