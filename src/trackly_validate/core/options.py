"""Options: how strict a check is, and mirrors of account settings.

``Options`` is a frozen, hashable dataclass checked in ``__post_init__`` (after
pydantic-extra-types): sets and lists are turned into frozensets, unknown codes and
levels are refused at construction time, so a typo never silently disables nothing.

Inferred rules
--------------
Some rules are not stated by the docs but read from examples or neighbouring pages
(marked **I** in the spec).  They are listed in :mod:`trackly_validate.core.inferred`
(``INFERRED_RULES``: code -> why it is inferred), the one place that says which codes
rest on inference, complete as soon as the package is imported.  Any
code, inferred or documented, can be switched off with ``Options(disable={...})``;
a disabled rule is removed from the validator itself, so ``validate`` returns a
model for a body whose only problems are disabled ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Iterable, Literal, Mapping

from trackly_validate.core import catalog
from trackly_validate.core.inferred import INFERRED_RULES

__all__ = ["Options", "PhoneLevel", "DEFAULT_OPTIONS", "INFERRED_RULES"]

PhoneLevel = Literal["format", "possible", "valid"]
_LEVELS = ("format", "possible", "valid")

def _frozen_words(value: Any, what: str) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    try:
        items = frozenset(value)
    except TypeError:
        raise TypeError(f"{what} must be a set of strings") from None
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what} must contain strings, got {type(item).__name__}")
    return items


@dataclass(frozen=True, slots=True, init=False, eq=False)
class Options:
    """How a request is checked.

    - ``phone_level``: ``"format"`` (E.164 syntax only), ``"possible"`` (default:
      plus an assigned calling code and a possible length, as
      ``phonenumbers.is_possible_number``) or ``"valid"`` (as
      ``phonenumbers.is_valid_number``).
    - ``disable``: codes whose rules are switched off (see :data:`INFERRED_RULES`).
    - ``block_voip``: mirror of the account setting that rejects VOIP recipients
      (``not_sendable``).  Off by default.
    - ``allowed_countries``: mirror of the account's enabled countries (ISO
      3166 alpha-2); other recipients get ``geo_restricted`` (403).  ``None`` = all.
    - ``widen``: extra values accepted by an inferred vocabulary, by vocabulary name
      (e.g. ``{"count_operator": {"neq"}}``); see each area module for the names.
    - ``max_depth``: deepest audience filter group accepted before answering with
      a problem (bounded recursion).
    - ``require_consent_method``: raise ``missing_consent_method`` for contacts without
      ``consent_method`` (off: no documented example carries the field).
    - ``validation_cap``: the reduced per-request cap of ``/v2/contacts/bulk`` when a
      contact sets ``use_validation`` (``too_many_contacts_with_validation``); the docs
      give no number, so ``None`` (off) by default.
    """

    phone_level: PhoneLevel = "possible"
    disable: frozenset[str] = frozenset()
    block_voip: bool = False
    allowed_countries: frozenset[str] | None = None
    widen: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    max_depth: int = 100
    require_consent_method: bool = False
    validation_cap: int | None = None
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __init__(self, phone_level: PhoneLevel = "possible", disable: Iterable[str] = frozenset(),
                 block_voip: bool = False, allowed_countries: Iterable[str] | None = None,
                 widen: Mapping[str, Iterable[str]] | None = None, max_depth: int = 100,
                 require_consent_method: bool = False, validation_cap: int | None = None) -> None:
        # any iterable of strings for the sets (a set, a list, a generator): normalised below
        for name, value in (("phone_level", phone_level), ("disable", disable), ("block_voip", block_voip),
                            ("allowed_countries", allowed_countries),
                            ("widen", MappingProxyType({}) if widen is None else widen),
                            ("max_depth", max_depth), ("require_consent_method", require_consent_method),
                            ("validation_cap", validation_cap)):
            object.__setattr__(self, name, value)
        self.__post_init__()

    def __post_init__(self) -> None:
        if self.phone_level not in _LEVELS:
            raise ValueError(f"phone_level must be one of {', '.join(_LEVELS)}, got {self.phone_level!r}")
        disable = _frozen_words(self.disable, "disable")
        unknown = sorted(c for c in disable if c not in catalog.CATALOG)
        if unknown:
            raise ValueError(f"unknown error code(s) in disable: {', '.join(unknown)}")
        object.__setattr__(self, "disable", disable)
        if not isinstance(self.block_voip, bool):
            raise TypeError("block_voip must be a bool")
        if self.allowed_countries is not None:
            countries = frozenset(c.upper() for c in _frozen_words(self.allowed_countries, "allowed_countries"))
            bad = sorted(c for c in countries if len(c) != 2 or not c.isascii() or not c.isalpha())
            if bad:
                raise ValueError(f"allowed_countries must be ISO 3166 alpha-2 codes, got {', '.join(bad)}")
            object.__setattr__(self, "allowed_countries", countries)
        if not isinstance(self.widen, Mapping):
            raise TypeError("widen must be a mapping of vocabulary name -> set of extra values")
        widened = {str(k): _frozen_words(v, f"widen[{k!r}]") for k, v in self.widen.items()}
        object.__setattr__(self, "widen", MappingProxyType(widened))
        if isinstance(self.max_depth, bool) or not isinstance(self.max_depth, int) or self.max_depth < 1:
            raise ValueError("max_depth must be a positive int")
        if not isinstance(self.require_consent_method, bool):
            raise TypeError("require_consent_method must be a bool")
        cap = self.validation_cap
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise ValueError("validation_cap must be a positive int or None")
        # hashed once: Options key the pipeline's validator cache on every request
        object.__setattr__(self, "_hash", hash(self._values()))

    def _values(self) -> tuple[Any, ...]:
        return (self.phone_level, self.disable, self.block_voip, self.allowed_countries,
                tuple(sorted(self.widen.items(), key=lambda kv: kv[0])), self.max_depth,
                self.require_consent_method, self.validation_cap)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Options):
            return NotImplemented
        return self._hash == other._hash and self._values() == other._values()

    def widened(self, name: str) -> frozenset[str]:
        return self.widen.get(name, frozenset())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by field values (``widen`` is a read-only mapping proxy, which cannot be
        pickled), e.g. to send options to worker processes."""
        state = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_hash"}
        state = {k: dict(v) if isinstance(v, MappingProxyType) else v for k, v in state.items()}
        return (_options_from, (state,))


def _options_from(state: dict[str, Any]) -> "Options":
    return Options(**state)


DEFAULT_OPTIONS = Options()


def coerce_options(options: "Options | None") -> Options:
    if options is None:
        return DEFAULT_OPTIONS
    if not isinstance(options, Options):
        raise TypeError(f"options must be a trackly_validate.Options, got {type(options).__name__}")
    return options

