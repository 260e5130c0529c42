"""The building blocks every model uses: coded errors, markers, the model base.

How a field rule is written
---------------------------
A rule is an ``Annotated`` marker whose ``__get_pydantic_core_schema__`` returns a
pydantic-core schema, so the check runs in Rust wherever possible and raises the
Trackly code as the pydantic error *type* (``PydanticCustomError`` semantics via
``custom_error_schema``).  A model used directly (or by FastAPI) therefore
already carries the API's codes.

Required fields are written ``name: Annotated[str, ..., Required(C.missing_name)] = ABSENT``:
the model config validates defaults, so an absent field, ``null`` and ``""`` all
reach the presence check and raise the field's documented ``missing_*`` code (the
docs do not say whether ``""`` is "missing"; we treat it so, see docs/decisions.md).

Rules that depend on :class:`~trackly_validate.Options` (phone level, disabled
codes, widened vocabularies) are :class:`Rule` objects: ``rule.build(options)``
returns the schema for those options and :func:`tagged` stores the rule in the
schema's metadata.  :mod:`.compile` builds a validator for other options by walking
the model's core schema and rebuilding every tagged node.  No Python runs per
request to consult the options.

Cross-field rules: see :mod:`.crossfield`.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError, core_schema as cs

from trackly_validate.core.catalog import CodeInfo
from trackly_validate.core.options import DEFAULT_OPTIONS, Options

__all__ = [
    "TAG",
    "Rule",
    "tagged",
    "fail",
    "coded",
    "Required",
    "ABSENT",
    "Coded",
    "MaxLen",
    "OneOf",
    "TracklyModel",
    "JsonSchemaHook",
    "partial_model",
    "presence_schema",
    "ItemsCap",
    "MaxBytes",
    "StrCheck",
    "json_size",
]

TAG = "trackly_rule"


def fail(info: CodeInfo, detail: str | None = None, *, wording: str | None = None) -> PydanticCustomError:
    """A ``PydanticCustomError`` carrying a Trackly code and its documented text.

    ``detail`` fills the ``…`` of texts such as ``"status must be one of: …"``.
    The text is passed as a context value, so braces in it (``{{linkN}}``) are
    never treated as template fields.
    """
    return PydanticCustomError(info.code, "{text}", {"text": info.message_for(wording, detail)})


def coded(schema: cs.CoreSchema, info: CodeInfo, detail: str | None = None, *,
          wording: str | None = None) -> cs.CoreSchema:
    """Wrap ``schema`` so that any failure inside it is reported as ``info``'s code."""
    return cs.custom_error_schema(schema, custom_error_type=info.code,
                                  custom_error_message=info.message_for(wording, detail))


class Rule:
    """A piece of schema whose shape depends on :class:`Options`.

    Subclasses set ``codes`` (what the rule can raise) and implement ``build``.
    The default ``build`` returns ``disabled()`` when every code is switched off.
    """

    codes: tuple[str, ...] = ()

    def build(self, options: Options) -> cs.CoreSchema:  # pragma: no cover - abstract
        raise NotImplementedError

    def is_disabled(self, options: Options) -> bool:
        return bool(self.codes) and all(c in options.disable for c in self.codes)


def tagged(rule: Rule) -> cs.CoreSchema:
    """The default-options schema of ``rule``, tagged so a validator for other options can rebuild it."""
    schema = dict(rule.build(DEFAULT_OPTIONS))
    meta = dict(schema.get("metadata") or {})
    meta[TAG] = rule
    schema["metadata"] = meta
    return schema


# --- presence --------------------------------------------------------------------------------------

def presence_schema(info: CodeInfo, *, empty_is_missing: bool = True, wording: str | None = None) -> cs.CoreSchema:
    """Accept any JSON value except ``null`` (and, by default, ``""``, ``[]``, ``{}``)."""
    n = 1 if empty_is_missing else 0
    return cs.union_schema(
        [
            cs.str_schema(min_length=n, strict=True),
            cs.bool_schema(strict=True),
            cs.int_schema(strict=True),
            cs.float_schema(strict=True),
            cs.list_schema(min_length=n),
            cs.dict_schema(min_length=n),
        ],
        mode="left_to_right",
        custom_error_type=info.code,
        custom_error_message=info.message_for(wording),
    )


class _RequiredRule(Rule):
    def __init__(self, info: CodeInfo, inner: cs.CoreSchema, empty_is_missing: bool, wording: str | None):
        self.info, self.inner, self.empty, self.wording = info, inner, empty_is_missing, wording
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return cs.nullable_schema(self.inner)
        return cs.chain_schema([presence_schema(self.info, empty_is_missing=self.empty, wording=self.wording),
                                self.inner])


#: The default of a field whose rules refuse its absence (``to: To = ABSENT``): ``None``,
#: which the model validates, so an absent field raises the rule's code and a validated
#: model holds the field's declared type.  Typed ``Any`` (as pydantic types a default it
#: validates) so the declaration can state that type.
ABSENT: Any = None


class Required:
    """Marker: the field is required; absent, ``null`` or empty raises ``info``'s code.

    Put it last in the ``Annotated`` list and give the field ``= ABSENT``.
    ``empty_is_missing=False`` lets ``""``/``[]``/``{}`` through to the inner checks.
    """

    __slots__ = ("info", "empty_is_missing", "wording")

    def __init__(self, info: CodeInfo, *, empty_is_missing: bool = True, wording: str | None = None):
        self.info, self.empty_is_missing, self.wording = info, empty_is_missing, wording

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_RequiredRule(self.info, handler(source), self.empty_is_missing, self.wording))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        rule = (core_schema.get("metadata") or {}).get(TAG)
        out = handler(rule.inner if isinstance(rule, _RequiredRule) else core_schema)
        if self.empty_is_missing and isinstance(out, dict) and "enum" not in out:
            # "", [] and {} are missing: the presence check refuses them before the inner rules
            kinds = {k for part in (out, *out.get("anyOf", ())) if isinstance(part, dict)
                     for k in ([part["type"]] if isinstance(part.get("type"), str) else part.get("type", []))}
            for name, keyword in (("string", "minLength"), ("array", "minItems"), ("object", "minProperties")):
                if not kinds or name in kinds:
                    out.setdefault(keyword, 1)
        return out

    def __repr__(self) -> str:
        return f"Required({self.info.code})"


class _CodedRule(Rule):
    def __init__(self, info: CodeInfo, inner: cs.CoreSchema, detail: str | None, wording: str | None):
        self.info, self.inner, self.detail, self.wording = info, inner, detail, wording
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return cs.any_schema()
        return coded(self.inner, self.info, self.detail, wording=self.wording)


class Coded:
    """Marker: any failure of the annotated type is reported as ``info``'s code.

    ``Annotated[bool, Coded(C.invalid_force)]``, ``Annotated[str, Coded(C.invalid_input)]``.
    Use it on scalars only: wrapping a list or a model would hide its items' codes.
    """

    __slots__ = ("info", "detail", "wording")

    def __init__(self, info: CodeInfo, detail: str | None = None, *, wording: str | None = None):
        self.info, self.detail, self.wording = info, detail, wording

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_CodedRule(self.info, handler(source), self.detail, self.wording))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        rule = (core_schema.get("metadata") or {}).get(TAG)
        if isinstance(rule, _CodedRule):
            return handler(rule.inner)
        return handler(core_schema)


class _CheckRule(Rule):
    """``inner`` first (its own codes), then ``check`` wrapped in ``info``'s code."""

    def __init__(self, info: CodeInfo, inner: cs.CoreSchema, check: cs.CoreSchema, detail: str | None):
        self.info, self.inner, self.check, self.detail = info, inner, check, detail
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return self.inner
        return cs.chain_schema([self.inner, coded(self.check, self.info, self.detail)])


class MaxLen:
    """Marker: a string of at most ``n`` characters, else ``info`` (e.g. ``name_too_long``).

    Counts code points.  The server (JavaScript) counts UTF-16 units, which are never
    fewer, so this can miss an over-long astral string but never refuse a valid one.
    """

    __slots__ = ("info", "n")

    def __init__(self, info: CodeInfo, n: int):
        self.info, self.n = info, n

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_CheckRule(self.info, handler(source), cs.str_schema(max_length=self.n), None))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        out = handler(core_schema["steps"][0] if core_schema.get("type") == "chain" else core_schema)
        if isinstance(out, dict) and out.get("type") == "string":
            out["maxLength"] = self.n
        return out


class _OneOfRule(Rule):
    def __init__(self, info: CodeInfo, values: tuple[Any, ...], vocabulary: str | None, inner: cs.CoreSchema):
        self.info, self.values, self.vocabulary, self.inner = info, values, vocabulary, inner
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return self.inner
        values = list(self.values)
        if self.vocabulary:
            values += sorted(v for v in options.widened(self.vocabulary) if v not in self.values)
        detail = ", ".join(str(v) for v in self.values)
        return cs.chain_schema([self.inner, coded(cs.literal_schema(values), self.info, detail)])


class OneOf:
    """Marker: the value must be one of ``values`` (an enum), else ``info``.

    ``detail`` for texts with ``…`` is the documented values joined by ", ".
    ``vocabulary`` names an inferred vocabulary that ``Options(widen={name: {...}})``
    can extend.
    """

    __slots__ = ("info", "values", "vocabulary")

    def __init__(self, info: CodeInfo, *values: Any, vocabulary: str | None = None):
        self.info, self.values, self.vocabulary = info, tuple(values), vocabulary

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_OneOfRule(self.info, self.values, self.vocabulary, handler(source)))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        # pydantic hands this hook the outermost schema of the annotation: walk in to the
        # str schema the rule folds (a case-insensitive vocabulary), noting a null admitted
        # on the way (``Annotated[..., OneOf(...)] | None``, a rule that lets null through)
        node: Any = core_schema
        nullable, folded = False, None
        while isinstance(node, dict):
            nullable = nullable or node.get("type") == "nullable"
            if node.get("type") == "str" and (node.get("to_upper") or node.get("to_lower")):
                folded = "upper" if node.get("to_upper") else "lower"
            node = node["steps"][0] if node.get("type") == "chain" else node.get("schema")
        if folded:
            from trackly_validate.rules.schema import caseless

            out: dict[str, Any] = {"type": "string", "pattern": caseless(*self.values, fold=folded)}
        else:
            out = {"enum": list(self.values)}
        return {"anyOf": [out, {"type": "null"}]} if nullable else out


class _PredicateRule(Rule):
    def __init__(self, info: CodeInfo, predicate: Callable[[str], bool], fast: str | None):
        self.info, self.predicate, self.fast = info, predicate, fast
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return cs.any_schema()
        error, predicate = fail(self.info), self.predicate

        def check(value: str) -> str:
            if not predicate(value):
                raise error
            return value

        slow = cs.no_info_after_validator_function(check, coded(cs.str_schema(strict=True), self.info))
        if self.fast is None:
            return slow
        # the common case in Rust; the predicate decides the rest (same verdicts)
        return cs.union_schema([cs.str_schema(pattern=self.fast, strict=True), slow], mode="left_to_right",
                               custom_error_type=self.info.code, custom_error_message=self.info.message)


class StrCheck:
    """Marker: a string for which ``predicate`` holds, else ``info`` (a non-string too).

    For rules a pattern cannot express (a date that must exist, an IP address);
    ``json_schema`` is what the field shows in JSON Schema.  ``fast``, when given, is a
    pattern that accepts only strings the predicate accepts: they are answered in Rust
    without calling Python (keep it out of per-item hot paths otherwise)."""

    __slots__ = ("info", "predicate", "json_schema", "fast")

    def __init__(self, info: CodeInfo, predicate: Callable[[str], bool], json_schema: dict[str, Any],
                 fast: str | None = None):
        self.info, self.predicate, self.json_schema, self.fast = info, predicate, json_schema, fast

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_PredicateRule(self.info, self.predicate, self.fast))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        return dict(self.json_schema)


# --- the model base -------------------------------------------------------------------------------------

class JsonSchemaHook(Protocol):
    """A model's ``__trackly_json_schema__``: a plain function (a ``staticmethod``) that adds
    to the model's JSON Schema in place."""

    def __call__(self, schema: dict[str, Any], /) -> None: ...


class TracklyModel(BaseModel):
    """Base of every request model.

    - Unknown keys are kept (``extra="allow"``): the API ignores them, so must we.
    - Defaults are validated, so required fields (``= ABSENT`` + :class:`Required`) raise
      their ``missing_*`` code when absent.
    - Schemas are built on first use (``defer_build``): importing the package stays cheap.
    - ``__trackly_cross_field__`` lists the codes the model's cross-field validators
      raise (rules that look at several fields, invisible in the fields' schemas), so the
      endpoint contracts can check their documented order against what the model raises.
    """

    model_config = ConfigDict(
        extra="allow",
        validate_default=True,
        defer_build=True,
        hide_input_in_errors=True,
        populate_by_name=True,
    )

    __trackly_cross_field__: ClassVar[tuple[CodeInfo, ...]] = ()
    #: the cross-field rules a JSON Schema can state, for the OpenAPI document: called with
    #: the model's own JSON Schema (``properties``, ``required``) to add to it in place
    #: (``allOf`` of ``if``/``then``), written next to the validator that enforces them
    __trackly_json_schema__: ClassVar[JsonSchemaHook | None] = None

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        json_schema = handler(core_schema)
        cls.finish_json_schema(handler.resolve_ref_schema(json_schema))
        return json_schema

    @classmethod
    def finish_json_schema(cls, target: dict[str, Any]) -> None:
        """The model's own additions to its generated JSON Schema ``target`` (in place): the
        fields marked :class:`Required`, then ``__trackly_json_schema__``."""
        required = list(target.get("required", []))
        props = target.get("properties", {})
        for name, field in cls.model_fields.items():
            # an update (partial_model) validates only the fields sent: none is required
            if field.validate_default is not False and any(isinstance(m, Required) for m in field.metadata):
                key = field.alias or name
                if key in props:
                    props[key].pop("default", None)
                if key not in required:
                    required.append(key)
        if required:
            target["required"] = required
        if cls.__trackly_json_schema__ is not None:
            cls.__trackly_json_schema__(target)
            if not target.get("required"):
                target.pop("required", None)


def partial_model(create: type[TracklyModel], name: str, *, base: type[TracklyModel], doc: str,
                  overrides: dict[str, Any] | None = None) -> type[TracklyModel]:
    """The update (PUT) model of a create model: the same fields, rules and order, but a
    field the update does not send is never validated (``validate_default=False``), so
    an absent field is never a problem while a field sent empty still is.  ``overrides``
    replace a field's annotation (e.g. an update accepts more statuses); ``base`` carries
    the update's own class-level rules."""
    fields: dict[str, Any] = {}
    for field_name, info in create.model_fields.items():
        annotation = (overrides or {}).get(field_name)
        if annotation is None:
            annotation = (Annotated.__class_getitem__((info.annotation, *info.metadata))  # type: ignore[attr-defined]  # Annotated of a runtime tuple
                          if info.metadata else info.annotation)
        fields[field_name] = (annotation, Field(None, validate_default=False, alias=info.alias))
    model = create_model(name, __base__=base, __module__=create.__module__, __doc__=doc, **fields)
    model.__qualname__ = name
    return model


# --- array and size caps --------------------------------------------------------------------------------

class _ItemsCapRule(Rule):
    def __init__(self, info: CodeInfo, n: int, type_info: CodeInfo, wording: str | None, inner: cs.CoreSchema):
        self.info, self.n, self.type_info, self.wording, self.inner = info, n, type_info, wording, inner
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        steps: list[cs.CoreSchema] = [coded(cs.list_schema(), self.type_info, wording=self.wording)]
        if not self.is_disabled(options):
            steps.append(coded(cs.list_schema(max_length=self.n), self.info))
        steps.append(self.inner)
        return cs.chain_schema(steps)


class ItemsCap:
    """Marker for a bulk array: a JSON array (else ``type_info``) of at most ``n``
    items (else ``info``, e.g. ``too_many_messages``), checked before the items are.

    Items beyond the cap are not validated: the server answers 413 without reading them.
    """

    __slots__ = ("info", "n", "type_info", "wording")

    def __init__(self, info: CodeInfo, n: int, *, type_info: CodeInfo, wording: str | None = None):
        self.info, self.n, self.type_info, self.wording = info, n, type_info, wording

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_ItemsCapRule(self.info, self.n, self.type_info, self.wording, handler(source)))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        out = handler(core_schema["steps"][-1] if core_schema.get("type") == "chain" else core_schema)
        if isinstance(out, dict):
            out["maxItems"] = self.n
        return out


def json_size(value: Any) -> int:
    """Bytes of ``value``'s compact UTF-8 JSON (as the server measures a payload)."""
    try:
        from pydantic_core import to_json

        return len(to_json(value))
    except Exception:  # unserialisable: cannot be sent as JSON at all
        return 1 << 62


class _MaxBytesRule(Rule):
    def __init__(self, info: CodeInfo, n: int, inner: cs.CoreSchema):
        self.info, self.n, self.inner = info, n, inner
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return self.inner
        n, error = self.n, fail(self.info)

        def check(value: Any) -> Any:
            if json_size(value) > n:
                raise error
            return value

        return cs.no_info_before_validator_function(check, self.inner)


class MaxBytes:
    """Marker: the value's compact UTF-8 JSON is at most ``n`` bytes, else ``info``
    (the 4,000-byte contact, the 1,024-byte OTP metadata).  Checked on the input as
    sent, before the inner schema."""

    __slots__ = ("info", "n")

    def __init__(self, info: CodeInfo, n: int):
        self.info, self.n = info, n

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_MaxBytesRule(self.info, self.n, handler(source)))
