"""Every closed word list of the audience filter grammar (and the contacts' consent
methods), in ONE table.

Each row is a :class:`Vocabulary`: the code a value outside it gets, the values the
docs show (``documented``, with ``source``), the values added by inference
(``inferred``) and, when the rejection itself rests on an incomplete or unreadable
list, ``why`` (the row's code is then listed in :mod:`trackly_validate.core.inferred`; a test
keeps the two in step).  Where doc versions disagree the
row holds the union (time units ``minutes/hours/days`` on the DSL page and
``hours/days/weeks`` on the error-code page; ``avg_revenue`` in the newer guide and
``revenue_average`` in the older one; ``conversion_count`` both as a count field, DSL
intro and older guide, and as a revenue field, newer guide).

A row's ``name`` is the key of ``Options(widen={name: {...}})``, which adds values
without a release; ``Options(disable={code})`` switches the check off.  Both work
through the :class:`~trackly_validate.rules.base.OneOf` marker that :meth:`Vocabulary.type`
builds, so no Python runs per value.

Judgement calls (see also docs/decisions.md):

- ``group_operator`` is matched case-insensitively (``"and"`` passes): every example is
  upper-case but no text says the API is case-sensitive, and a false positive is the
  worst bug.  So is the (wholly inferred) ``consent_method``.  All other words are
  matched exactly: they are snake_case identifiers.  Values widened into a
  case-insensitive row must be written in the row's case (upper for
  ``group_operator``, lower for ``consent_method``).
- Operator tokens for revenue, carrier, timezone, custom_field and phone_numbers were
  never readable (the DSL page is cut off); the inferred lists are deliberately
  generous (comparisons, negations, set membership, ``contains``, ``exists``).  The
  guides' symbolic notation (``>``, ``=``) is prose, not API tokens, and is not accepted.
- ``condition_type``: the docs speak of "six valid types"; ``phone_numbers`` comes from
  the error-code page's codes.  The newer guides also filter on ``on_dnc`` and
  ``validation_status`` under type names nobody has seen: widen ``condition_type``
  to accept them (as free-form conditions).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, Mapping

from pydantic import StringConstraints

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.rules.base import Coded, OneOf

__all__ = ["Vocabulary", "VOCABULARIES", "NO_VALUE_OPERATORS", "vocabulary"]

#: Operators that take no ``value`` (documented for time conditions: "do not require
#: value or unit"; applied to every condition type that accepts them, inferred).
NO_VALUE_OPERATORS = frozenset({"exists", "not_exists"})


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One closed word list: its ``Options.widen`` name, its code, its values."""

    name: str
    code: CodeInfo
    documented: tuple[str, ...]
    inferred: tuple[str, ...] = ()
    source: str = ""
    why: str = ""
    ignore_case: bool = False

    @property
    def values(self) -> tuple[str, ...]:
        return self.documented + self.inferred

    @property
    def is_inferred(self) -> bool:
        """True when rejecting a value outside the list rests on inference."""
        return bool(self.why)

    @property
    def type(self) -> Any:
        """``Annotated[str, ...]`` that raises :attr:`code` for a non-string or a value
        outside the list (widenable by :attr:`name`, switchable by the code)."""
        base: Any = str
        if self.ignore_case:  # fold to the case the row's values are written in
            upper = all(v == v.upper() for v in self.values)
            base = Annotated[str, StringConstraints(to_upper=upper, to_lower=not upper)]
        return Annotated[base, Coded(self.code), OneOf(self.code, *self.values, vocabulary=self.name)]


_COMPARE = ("gt", "gte", "lt", "lte", "eq", "neq", "ne")
_MEMBER = ("in", "not_in")
_TEXT = ("contains", "not_contains")
_EXISTS = ("exists", "not_exists")
_WINDOW = ("within", "not_within", "before", "after")
_UNREADABLE = "the DSL page is cut off before this type's operator table; "

_ROWS: tuple[Vocabulary, ...] = (
    Vocabulary("group_operator", C.invalid_group_operator, ("AND", "OR"),
               source="DSL page (filter groups)", ignore_case=True),
    Vocabulary("condition_type", C.invalid_condition_type,
               ("time", "count", "revenue", "custom_field", "carrier", "timezone", "phone_numbers"),
               source="DSL page and update-audience error table (six types); phone_numbers from the "
                      "error-code page's invalid_phone_numbers_operator / missing_phone_numbers_value",
               why="newer guides filter on on_dnc and validation_status under condition types whose names "
                   "were never seen; widen 'condition_type' to accept them"),
    # time ----------------------------------------------------------------------------------------------
    Vocabulary("time_field", C.invalid_time_field, ("last_clicked_at", "last_sent_at", "signup_date"),
               source="DSL page (time conditions)"),
    Vocabulary("time_operator", C.invalid_time_operator, _WINDOW + _EXISTS,
               source="DSL page (time conditions)"),
    Vocabulary("time_unit", C.invalid_time_unit, ("minutes", "hours", "days", "weeks"),
               source="DSL page (days, hours, minutes) and error-code page (hours, days, weeks): union"),
    # count ---------------------------------------------------------------------------------------------
    Vocabulary("count_field", C.invalid_count_field, ("send_count", "click_count", "conversion_count"),
               source="DSL intro and older creating-audiences guide (the newer guide moves conversion_count "
                      "to revenue: union)",
               why="the DSL page's count table is cut off; the field list is the DSL intro's prose"),
    Vocabulary("count_operator", C.invalid_count_operator, ("gte", "gt", "eq"), ("lt", "lte", "neq", "ne"),
               source="API examples (gte), newer segmentation guide (gt, eq)",
               why=_UNREADABLE + "lt/lte/neq/ne are inferred by analogy"),
    # revenue -------------------------------------------------------------------------------------------
    Vocabulary("revenue_field", C.invalid_revenue_field,
               ("has_revenue", "revenue_total", "avg_revenue", "revenue_average", "conversion_count",
                "last_revenue_at"),
               source="newer guide (avg_revenue, conversion_count, last_revenue_at) and older guide "
                      "(revenue_average): union",
               why="the revenue table is unreadable; the names come from the audience guides"),
    Vocabulary("revenue_operator", C.invalid_revenue_operator, (), _COMPARE + _WINDOW + _EXISTS,
               source="none (guides write revenue_total > 100, has_revenue = true)",
               why=_UNREADABLE + "comparisons, time windows (last_revenue_at) and exists are inferred"),
    # carrier, timezone, phone_numbers, custom_field ---------------------------------------------------
    Vocabulary("carrier_operator", C.invalid_carrier_operator, (), ("eq", "neq", "ne") + _MEMBER + _TEXT + _EXISTS,
               source="none", why=_UNREADABLE + "equality, membership, contains and exists are inferred"),
    Vocabulary("timezone_operator", C.invalid_timezone_operator, (), ("eq", "neq", "ne") + _MEMBER + _TEXT + _EXISTS,
               source="none", why=_UNREADABLE + "equality, membership, contains and exists are inferred"),
    Vocabulary("phone_numbers_operator", C.invalid_phone_numbers_operator, (), _MEMBER + ("eq", "neq", "ne"),
               source="none (the type is known from the error-code page only)",
               why="no page shows a phone_numbers condition; membership and equality are inferred"),
    Vocabulary("custom_field_operator", C.invalid_custom_field_operator, ("eq", "in"),
               ("neq", "ne", "not_in", "gt", "gte", "lt", "lte") + _TEXT + _EXISTS,
               source="newer segmentation guide (eq, in)",
               why=_UNREADABLE + "the custom-fields guide describes negation, numeric comparison and "
                                 "existence checks; their tokens are inferred"),
    # contacts ------------------------------------------------------------------------------------------
    Vocabulary("consent_method", C.invalid_consent_method, (),
               ("express", "express_written", "written", "implied", "verbal", "web_form", "form", "checkbox",
                "sms", "sms_keyword", "keyword", "text", "double_opt_in", "opt_in", "api", "import", "journey",
                "manual", "paper", "in_person", "point_of_sale", "ivr", "phone", "online", "qr_code", "email"),
               source="none (the error-code page names the codes; no stored page has the field)",
               why="consent_method's allowed values are not documented anywhere; the list is a generous guess "
                   "from the compliance page (express/implied/verbal) and signup methods (api, import, form, "
                   "journey); widen 'consent_method' or disable the code",
               ignore_case=True),
)

#: name -> row; the one table every filter rule reads.
VOCABULARIES: Mapping[str, Vocabulary] = MappingProxyType({v.name: v for v in _ROWS})

def vocabulary(name: str) -> Vocabulary:
    """The row called ``name`` (``KeyError`` for an unknown name)."""
    return VOCABULARIES[name]
