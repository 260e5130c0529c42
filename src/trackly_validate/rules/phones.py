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

Verdicts are phonenumbers' own: the level checks call :func:`is_possible` /
:func:`is_valid`, which parse with ``phonenumbers.parse(number, None)`` exactly as
a user would.  Results are memoised in bounded LRU caches (65,536 numbers each).

Roles:

``"recipient"``
    ``to``, ``phone_number``…: also subject to the account mirrors
    ``Options.block_voip`` (``not_sendable``) and ``Options.allowed_countries``
    (``geo_restricted``, 403).
``"sender"``
    ``list_number`` and other sending-list numbers: level checks only.
``"v1"``
    v1 endpoints and ``/v1/phone/validate``, where the server normalises US formats
    (``4155551234``, ``(415) 555-1234``, ``14155551234``): spaces, dots, hyphens and
    parentheses are ignored and a number without ``+`` is tried as ``+<digits>`` and,
    with 10 digits, as ``+1<digits>``; it is refused only when no reading passes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Literal

from pydantic_core import core_schema as cs

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
]

#: E.164 syntax, for pydantic-core's Rust regex engine and Python's ``re`` alike.
E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")  # used with fullmatch: no '$'-before-newline trap

PhoneRole = Literal["recipient", "sender", "v1"]
_CACHE = 1 << 16


def is_e164(number: object) -> bool:
    """E.164 syntax (the ``"format"`` level)."""
    return isinstance(number, str) and _E164.fullmatch(number) is not None


def _phonenumbers():
    import phonenumbers  # imported on first use: keeps ``import trackly_validate`` cheap

    return phonenumbers


@lru_cache(maxsize=_CACHE)
def _parse(number: str) -> Any:
    pn = _phonenumbers()
    try:
        return pn.parse(number, None)
    except pn.NumberParseException:
        return None


@lru_cache(maxsize=_CACHE)
def is_possible(number: str) -> bool:
    """``format`` and ``phonenumbers.is_possible_number(phonenumbers.parse(number))``."""
    if not is_e164(number):
        return False
    parsed = _parse(number)
    return parsed is not None and bool(_phonenumbers().is_possible_number(parsed))


@lru_cache(maxsize=_CACHE)
def is_valid(number: str) -> bool:
    """``format`` and ``phonenumbers.is_valid_number(phonenumbers.parse(number))``."""
    if not is_e164(number):
        return False
    parsed = _parse(number)
    return parsed is not None and bool(_phonenumbers().is_valid_number(parsed))


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
        extra = ("not_sendable", "geo_restricted") if role != "sender" else ()
        self.codes = (info.code, *extra)

    # one compiled check function per (rule, options); pydantic-core calls it only
    # after the Rust regex has accepted the syntax
    def _after(self, options: Options) -> Callable[[str], str] | None:
        level = options.phone_level
        check_level = self.info.code not in options.disable and level != "format"
        voip = self.role != "sender" and options.block_voip and "not_sendable" not in options.disable
        countries = options.allowed_countries if self.role != "sender" else None
        if countries is not None and "geo_restricted" in options.disable:
            countries = None
        if not (check_level or voip or countries is not None):
            return None
        level_ok = is_possible if level == "possible" else is_valid
        invalid = fail(self.info, variant=self.variant)
        not_sendable = fail(C.not_sendable)
        geo = fail(C.geo_restricted)

        def check(number: str) -> str:
            if check_level and not level_ok(number):
                raise invalid
            if voip and is_voip(number):
                raise not_sendable
            if countries is not None and region_of(number) not in countries:
                raise geo
            return number

        return check

    def build(self, options: Options) -> cs.CoreSchema:
        if self.role == "v1":
            return self._build_v1(options)
        if self.info.code in options.disable:
            syntax: cs.CoreSchema = cs.str_schema()
        else:
            syntax = coded(cs.str_schema(pattern=E164_PATTERN, strict=True), self.info, variant=self.variant)
        after = self._after(options)
        if after is None:
            return syntax
        return cs.no_info_after_validator_function(after, syntax)

    def _build_v1(self, options: Options) -> cs.CoreSchema:
        level = options.phone_level
        invalid = fail(self.info, variant=self.variant)
        disabled = self.info.code in options.disable
        voip = options.block_voip and "not_sendable" not in options.disable
        countries = None if "geo_restricted" in options.disable else options.allowed_countries
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
    ``recipient``/``sender``/``v1`` (see the module docstring).
    """

    __slots__ = ("info", "variant", "role")

    def __init__(self, info: CodeInfo, variant: str | None = None, *, role: PhoneRole = "recipient"):
        if role not in ("recipient", "sender", "v1"):
            raise ValueError(f"unknown phone role {role!r}")
        self.info, self.variant, self.role = info, variant, role

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(PhoneRule(self.info, self.variant, self.role))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        if self.role == "v1":
            return {"type": "string", "examples": ["+14155551234", "(415) 555-1234"]}
        return {"type": "string", "pattern": E164_PATTERN, "examples": ["+14155551234"]}


def default_check(number: object, role: PhoneRole = "recipient") -> bool:
    """Whether ``number`` passes the default options' phone check for ``role``."""
    if role == "v1":
        return isinstance(number, str) and any(passes(c, DEFAULT_OPTIONS.phone_level) for c in normalise_v1(number))
    return passes(number, DEFAULT_OPTIONS.phone_level)
