"""Phone numbers: E.164 at three levels, written once for every field.

Levels (``Options.phone_level``):

``"format"``
    E.164 syntax only: ``+``, a first digit 1-9, 2 to 15 ASCII digits in all,
    nothing before or after.  Checked by a Rust regex in pydantic-core (``[0-9]``,
    not ``\\d``, which would admit other scripts' digits; Rust's ``$`` has no
    trailing-newline exception).
``"possible"`` (default)
    format, plus ``phonenumbers.is_possible_number`` on the parsed number: an
    assigned country calling code and a possible length.
``"valid"``
    format, plus ``phonenumbers.is_valid_number``.

Verdicts are exactly phonenumbers' own (``is_possible_number`` / ``is_valid_number`` of
``phonenumbers.parse(number, None)``), at regex speed:

- the common case is decided in pydantic-core, with no Python call: a field's schema is
  ``union([fast accept…, exact fallback], mode="left_to_right")``.  The fast choices are
  Rust regexes compiled from phonenumbers' own metadata by :mod:`.phonemeta`; they only
  accept numbers whose verdict is provably True (no national prefix after the CC that
  ``parse`` could strip, the region that ``region_code_for_number`` would pick, a
  possible length, the region's general and type patterns);
- anything else reaches the fallback, which asks phonenumbers and raises the field's
  code (one union-level custom error, so a bad number is one problem at the field).

The patterns are built from the metadata by :mod:`.phonemeta`; the package ships them
prebuilt (``_phone_patterns.py``, used only when built by the same builder from the
installed phonenumbers release, else built lazily at first use, ~1 s once per process),
and they are compiled on the first schema build at the ``possible`` or ``valid`` level
(~0.07 s); ``import trackly_validate`` neither imports phonenumbers nor compiles anything.  phonenumbers' geocoder,
carrier and timezone modules are never imported.  Fallback verdicts are memoised in
bounded LRU caches (:data:`CACHE_SIZE` numbers each).

Roles:

``"recipient"``
    ``to``, ``phone_number``…: also subject to the account mirrors
    ``Options.block_voip`` (``not_sendable``) and ``Options.allowed_countries``
    (``geo_restricted``, 403).
``"sender"``
    ``list_number`` and other sending-list numbers: level checks only.
``"v1"``
    v1 sending endpoints, where the server normalises US formats (``4155551234``,
    ``(415) 555-1234``, ``14155551234``): spaces, dots, hyphens and parentheses are
    ignored and a number without ``+`` is tried as ``+<digits>`` and, with 10 digits, as
    ``+1<digits>``; it is refused only when no reading passes.  Recipients: the account
    mirrors apply.
``"lookup"``
    ``/v1/phone/validate``: the ``v1`` normalisation, but the number is looked up, not
    messaged, so the account mirrors (``block_voip``, ``allowed_countries``) never apply —
    reporting a VOIP line type is what the endpoint is for.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Literal

from pydantic_core import SchemaValidator, core_schema as cs

from ..catalog import C, CodeInfo
from ..options import DEFAULT_OPTIONS, Options
from .base import Rule, coded, fail, tagged

__all__ = [
    "E164_PATTERN",
    "Phone",
    "PhoneRole",
    "is_e164",
    "is_possible",
    "is_valid",
    "passes",
    "region_of",
    "is_voip",
    "normalise_v1",
    "level_schema",
    "fast_choices",
    "CACHE_SIZE",
]

#: E.164 syntax, for pydantic-core's Rust regex engine and Python's ``re`` alike.
E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")  # used with fullmatch: no '$'-before-newline trap

PhoneRole = Literal["recipient", "sender", "v1", "lookup"]
#: Size of each bounded LRU cache of exact (phonenumbers) verdicts and parsed numbers.
CACHE_SIZE = 1 << 14


def is_e164(number: object) -> bool:
    """E.164 syntax (the ``"format"`` level)."""
    return isinstance(number, str) and _E164.fullmatch(number) is not None


def _phonenumbers():
    import phonenumbers  # imported on first use: keeps ``import trackly_validate`` cheap

    return phonenumbers


@lru_cache(maxsize=CACHE_SIZE)
def _parse(number: str) -> Any:
    pn = _phonenumbers()
    try:
        return pn.parse(number, None)
    except pn.NumberParseException:
        return None


@lru_cache(maxsize=CACHE_SIZE)
def _exact_possible(number: str) -> bool:
    parsed = _parse(number)
    return parsed is not None and bool(_phonenumbers().is_possible_number(parsed))


@lru_cache(maxsize=CACHE_SIZE)
def _exact_valid(number: str) -> bool:
    parsed = _parse(number)
    return parsed is not None and bool(_phonenumbers().is_valid_number(parsed))


_EXACT = {"possible": _exact_possible, "valid": _exact_valid}


def fast_choices(level: str) -> list[cs.CoreSchema]:
    """The fast-accept schemas of ``level`` (new dicts on each call): each one accepts
    only E.164 strings phonenumbers says are possible / valid, in Rust."""
    from .phonemeta import patterns

    possible, valid = patterns()  # shipped with the package, or built at first use
    if level == "possible":
        return [cs.str_schema(pattern=possible, strict=True)]
    return [cs.chain_schema([cs.str_schema(pattern=guard, strict=True), cs.str_schema(pattern=general),
                             cs.str_schema(pattern=types)])
            for guard, general, types in valid]


_FAST: dict[str, SchemaValidator] = {}  # one validator per level: a fixed-size table


def _fast(level: str) -> SchemaValidator:
    found = _FAST.get(level)
    if found is None:
        found = _FAST[level] = SchemaValidator(cs.union_schema(fast_choices(level), mode="left_to_right"))
    return found


def _verdict(number: str, level: str) -> bool:
    return _fast(level).isinstance_python(number) or _EXACT[level](number)


def is_possible(number: str) -> bool:
    """``format`` and ``phonenumbers.is_possible_number(phonenumbers.parse(number))``."""
    return is_e164(number) and _verdict(number, "possible")


def is_valid(number: str) -> bool:
    """``format`` and ``phonenumbers.is_valid_number(phonenumbers.parse(number))``."""
    return is_e164(number) and _verdict(number, "valid")


def level_schema(level: str, info: CodeInfo, variant: str | None = None) -> cs.CoreSchema:
    """E.164 at ``level`` (``possible``/``valid``), any failure reported as ``info``:
    the fast Rust choices first, then phonenumbers for what they cannot settle."""
    exact = _EXACT[level]
    reject = fail(info, variant=variant)

    def fallback(value: Any) -> Any:
        if isinstance(value, str) and is_e164(value) and exact(value):
            return value
        raise reject

    return cs.union_schema([*fast_choices(level), cs.no_info_plain_validator_function(fallback)],
                           mode="left_to_right", custom_error_type=info.code,
                           custom_error_message=info.message_for(variant))


def passes(number: object, level: str) -> bool:
    """Whether an E.164 string passes ``level`` (``format``/``possible``/``valid``)."""
    if not isinstance(number, str):
        return False
    if level == "format":
        return is_e164(number)
    if level == "possible":
        return is_possible(number)
    return is_valid(number)


def region_of(number: str) -> str | None:
    """ISO region of an E.164 number: phonenumbers' region for the number, else the
    main region of its calling code (so a possible-but-unassigned +1 number is "US")."""
    parsed = _parse(number) if is_e164(number) else None
    if parsed is None:
        return None
    pn = _phonenumbers()
    region = pn.region_code_for_number(parsed)
    if not region or region == "001":
        region = pn.region_code_for_country_code(parsed.country_code)
    return None if region in (None, "ZZ") else region


def is_voip(number: str) -> bool:
    parsed = _parse(number) if is_e164(number) else None
    if parsed is None:
        return False
    pn = _phonenumbers()
    return pn.number_type(parsed) == pn.PhoneNumberType.VOIP


_V1_STRIP = str.maketrans("", "", " ().-")


def normalise_v1(number: str) -> list[str]:
    """Candidate E.164 readings of a v1-style number (empty when none is plausible)."""
    stripped = number.strip().translate(_V1_STRIP)
    if stripped.startswith("+"):
        return [stripped] if is_e164(stripped) else []
    if not (stripped.isascii() and stripped.isdigit()):
        return []
    out = []
    if len(stripped) == 10:
        out.append("+1" + stripped)
    if is_e164("+" + stripped):
        out.append("+" + stripped)
    return out


class PhoneRule(Rule):
    def __init__(self, info: CodeInfo, variant: str | None, role: PhoneRole):
        self.info, self.variant, self.role = info, variant, role
        extra = ("not_sendable", "geo_restricted") if role in ("recipient", "v1") else ()
        self.codes = (info.code, *extra)

    # the level is checked in the schema (Rust first); only the account mirrors
    # (block_voip, allowed_countries) need Python on every number
    def _after(self, options: Options) -> Callable[[str], str] | None:
        voip = self.role != "sender" and options.block_voip and "not_sendable" not in options.disable
        countries = options.allowed_countries if self.role != "sender" else None
        if countries is not None and "geo_restricted" in options.disable:
            countries = None
        if not (voip or countries is not None):
            return None
        not_sendable = fail(C.not_sendable)
        geo = fail(C.geo_restricted)

        def check(number: str) -> str:
            if voip and is_voip(number):
                raise not_sendable
            if countries is not None and region_of(number) not in countries:
                raise geo
            return number

        return check

    def build(self, options: Options) -> cs.CoreSchema:
        if self.role in ("v1", "lookup"):
            return self._build_v1(options)
        if self.info.code in options.disable:
            syntax: cs.CoreSchema = cs.str_schema()
        elif options.phone_level == "format":
            syntax = coded(cs.str_schema(pattern=E164_PATTERN, strict=True), self.info, variant=self.variant)
        else:
            syntax = level_schema(options.phone_level, self.info, self.variant)
        after = self._after(options)
        if after is None:
            return syntax
        return cs.no_info_after_validator_function(after, syntax)

    def _build_v1(self, options: Options) -> cs.CoreSchema:
        level = options.phone_level
        invalid = fail(self.info, variant=self.variant)
        disabled = self.info.code in options.disable
        mirrors = self.role == "v1"
        voip = mirrors and options.block_voip and "not_sendable" not in options.disable
        countries = None if not mirrors or "geo_restricted" in options.disable else options.allowed_countries
        not_sendable, geo = fail(C.not_sendable), fail(C.geo_restricted)

        def check(number: str) -> str:
            candidates = [c for c in normalise_v1(number) if passes(c, level)]
            if not candidates:
                if disabled:
                    return number
                raise invalid
            if voip and all(is_voip(c) for c in candidates):
                raise not_sendable
            if countries is not None and not any(region_of(c) in countries for c in candidates):
                raise geo
            return number

        syntax = cs.str_schema() if disabled else coded(cs.str_schema(strict=True), self.info, variant=self.variant)
        return cs.no_info_after_validator_function(check, syntax)


class Phone:
    """Marker for a phone field: ``Annotated[str, Phone(C.invalid_phone), Required(C.missing_to)]``.

    ``info`` is the field's own code (``invalid_phone``, ``invalid_list_number``),
    ``variant`` selects the documented text (``"e164"``: "Invalid E.164 phone number
    format"; ``"v1"``: "Invalid phone number format"), ``role`` is one of
    ``recipient``/``sender``/``v1``/``lookup`` (see the module docstring).
    """

    __slots__ = ("info", "variant", "role")

    def __init__(self, info: CodeInfo, variant: str | None = None, *, role: PhoneRole = "recipient"):
        if role not in ("recipient", "sender", "v1", "lookup"):
            raise ValueError(f"unknown phone role {role!r}")
        self.info, self.variant, self.role = info, variant, role

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(PhoneRule(self.info, self.variant, self.role))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        if self.role in ("v1", "lookup"):
            return {"type": "string", "examples": ["+14155551234", "(415) 555-1234"]}
        return {"type": "string", "pattern": E164_PATTERN, "examples": ["+14155551234"]}


def default_check(number: object, role: PhoneRole = "recipient") -> bool:
    """Whether ``number`` passes the default options' phone check for ``role``."""
    if role in ("v1", "lookup"):
        return isinstance(number, str) and any(passes(c, DEFAULT_OPTIONS.phone_level) for c in normalise_v1(number))
    return passes(number, DEFAULT_OPTIONS.phone_level)
