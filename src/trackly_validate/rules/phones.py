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
  ``union([fast accept, exact fallback], mode="left_to_right")``.  The fast accept is one
  Rust regex per level, compiled from phonenumbers' own metadata by :mod:`.phonemeta`; it only
  accept numbers whose verdict is provably True (no national prefix after the CC that
  ``parse`` could strip, the region that ``region_code_for_number`` would pick, a
  possible length, the region's general and type patterns);
- anything else reaches the fallback, which asks phonenumbers and raises the field's
  code (one union-level custom error, so a bad number is one problem at the field).

The patterns are built from the metadata by :mod:`.phonemeta`; the package ships them
prebuilt for every phonenumbers release of its dependency range (``_phone_patterns.py``;
a newer release is built at first use, ~2 s once per process, with one
``PhonePatternsWarning``), and they are compiled on the first schema build at the ``possible`` or
``valid`` level (under 0.1 s); ``import trackly_validate`` neither imports phonenumbers
nor compiles anything.  phonenumbers' geocoder, carrier and timezone modules are never
imported.  Fallback verdicts are memoised in bounded LRU caches (:data:`CACHE_SIZE`
numbers each).

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
from types import ModuleType
from typing import Any, Callable, Literal

from pydantic_core import SchemaValidator, core_schema as cs

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.options import Options
from trackly_validate.rules.base import Rule, coded, fail, tagged

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


def _phonenumbers() -> ModuleType:
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
    only E.164 strings phonenumbers says are possible / valid, in Rust (one pattern per
    level: a single regex match per number)."""
    from trackly_validate.rules.phonemeta import patterns

    possible, valid = patterns()  # shipped with the package, or built at first use
    return [cs.str_schema(pattern=p, strict=True) for p in ((possible,) if level == "possible" else valid)]


def level_schema(level: str, info: CodeInfo, wording: str | None = None) -> cs.CoreSchema:
    """E.164 at ``level`` (``possible``/``valid``), any failure reported as ``info``:
    the fast Rust choices first, then phonenumbers for what they cannot settle."""
    exact = _EXACT[level]
    reject = fail(info, wording=wording)

    def fallback(value: Any) -> Any:
        if isinstance(value, str) and is_e164(value) and exact(value):
            return value
        raise reject

    return cs.union_schema([*fast_choices(level), cs.no_info_plain_validator_function(fallback)],
                           mode="left_to_right", custom_error_type=info.code,
                           custom_error_message=info.message_for(wording))


_LEVEL_CHECKS: dict[str, SchemaValidator] = {}  # one validator per level: a fixed-size table


def passes(number: object, level: str) -> bool:
    """Whether an E.164 string passes ``level`` (``format``/``possible``/``valid``)."""
    if not is_e164(number):
        return False
    if level == "format":
        return True
    found = _LEVEL_CHECKS.get(level)
    if found is None:
        found = _LEVEL_CHECKS[level] = SchemaValidator(level_schema(level, C.invalid_phone))
    return found.isinstance_python(number)


def is_possible(number: str) -> bool:
    """``format`` and ``phonenumbers.is_possible_number(phonenumbers.parse(number))``."""
    return passes(number, "possible")


def is_valid(number: str) -> bool:
    """``format`` and ``phonenumbers.is_valid_number(phonenumbers.parse(number))``."""
    return passes(number, "valid")


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
    return bool(pn.number_type(parsed) == pn.PhoneNumberType.VOIP)


_V1_STRIP = str.maketrans("", "", " ().-")
#: what :func:`normalise_v1` can read as a number, as a pattern (JSON Schema): blanks at the
#: ends (what str.strip strips), separators `` ().-`` anywhere, an optional ``+``, 2-15 digits
V1_PATTERN = r"^[\s\x1c-\x1f\x85]*[ ().\-]*\+?(?:[ ().\-]*[0-9]){2,15}[ ().\-]*[\s\x1c-\x1f\x85]*$"


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


class AccountMirrors:
    """The account settings mirrored for recipients: ``block_voip`` (``not_sendable``)
    and ``allowed_countries`` (``geo_restricted``, 403), each unless disabled.  Applied to
    the readings of a number that pass the level: refused only when every reading is
    VOIP, or no reading is in an allowed country."""

    def __init__(self, options: Options):
        self.block_voip = options.block_voip and C.not_sendable.code not in options.disable
        self.countries = None if C.geo_restricted.code in options.disable else options.allowed_countries
        self.not_sendable, self.geo_restricted = fail(C.not_sendable), fail(C.geo_restricted)

    def active(self) -> bool:
        return self.block_voip or self.countries is not None

    def check(self, readings: list[str]) -> None:
        if self.block_voip and all(is_voip(n) for n in readings):
            raise self.not_sendable
        if self.countries is not None and not any(region_of(n) in self.countries for n in readings):
            raise self.geo_restricted


class PhoneRule(Rule):
    """The schema of one phone field for some options: the level (in Rust first), then,
    for recipients, the account mirrors (Python, on every number, only when enabled)."""

    def __init__(self, info: CodeInfo, wording: str | None, role: PhoneRole):
        self.info, self.wording, self.role = info, wording, role
        extra = (C.not_sendable.code, C.geo_restricted.code) if role in ("recipient", "v1") else ()
        self.codes = (info.code, *extra)

    def build(self, options: Options) -> cs.CoreSchema:
        disabled = self.info.code in options.disable
        mirrors = AccountMirrors(options) if self.role in ("recipient", "v1") else None
        if mirrors is not None and not mirrors.active():
            mirrors = None
        if self.role in ("v1", "lookup"):
            return self._normalised(options.phone_level, disabled, mirrors)
        if disabled:
            level: cs.CoreSchema = cs.str_schema()
        elif options.phone_level == "format":
            level = coded(cs.str_schema(pattern=E164_PATTERN, strict=True), self.info, wording=self.wording)
        else:
            level = level_schema(options.phone_level, self.info, self.wording)
        if mirrors is None:
            return level
        account = mirrors

        def check(number: str) -> str:
            account.check([number])
            return number

        return cs.no_info_after_validator_function(check, level)

    def _normalised(self, level: str, disabled: bool, mirrors: AccountMirrors | None) -> cs.CoreSchema:
        """v1 roles: the readings of the number (normalise_v1) that pass ``level``; none
        is the field's code (unless disabled), then the mirrors over those readings."""
        invalid = fail(self.info, wording=self.wording)

        def check(number: str) -> str:
            readings = [n for n in normalise_v1(number) if passes(n, level)]
            if not readings:
                if disabled:
                    return number
                raise invalid
            if mirrors is not None:
                mirrors.check(readings)
            return number

        text = cs.str_schema() if disabled else coded(cs.str_schema(strict=True), self.info, wording=self.wording)
        return cs.no_info_after_validator_function(check, text)


class Phone:
    """Marker for a phone field: ``Annotated[str, Phone(C.invalid_phone), Required(C.missing_to)]``.

    ``info`` is the field's own code (``invalid_phone``, ``invalid_list_number``),
    ``wording`` selects the documented text (``"e164"``: "Invalid E.164 phone number
    format"; ``"v1"``: "Invalid phone number format"), ``role`` is one of
    ``recipient``/``sender``/``v1``/``lookup`` (see the module docstring).
    """

    __slots__ = ("info", "wording", "role")

    def __init__(self, info: CodeInfo, wording: str | None = None, *, role: PhoneRole = "recipient"):
        if role not in ("recipient", "sender", "v1", "lookup"):
            raise ValueError(f"unknown phone role {role!r}")
        self.info, self.wording, self.role = info, wording, role

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(PhoneRule(self.info, self.wording, self.role))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        if self.role in ("v1", "lookup"):
            return {"type": "string", "pattern": V1_PATTERN, "examples": ["+14155551234", "(415) 555-1234"]}
        return {"type": "string", "pattern": E164_PATTERN, "examples": ["+14155551234"]}

