"""What phonenumbers does that a plain reading of ``+CC NSN`` must rule out, as
conditions stepped digit by digit along a trie of NSN prefixes.

``parse`` may strip a national prefix (``national_prefix_for_parsing`` of the CC's main
region), and ``region_code_for_number`` picks the first region of a shared CC whose
``leading_digits`` match (or, without them, whose patterns accept the number).  Each
of those is a :class:`Condition`: the prefix search keeps a prefix only for the NSN
lengths at which no condition can hold.

Lengths are bit masks: bit L set = an NSN of L digits.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Protocol

from trackly_validate.rules.phonemeta.regex import Unsupported, has_end, nfa_of, parse_regex

__all__ = ["Condition", "PrefixMatch", "NationalPrefix", "WholeMatch", "FullMatch", "Never", "Always",
           "ANY_LENGTH", "from_length", "national_prefix", "claim", "type_patterns", "TYPES"]

#: The number types whose patterns make a number valid, in phonenumbers' order of lookup.
TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
         "voicemail", "fixed_line", "mobile")
#: Every NSN length (E.164 allows at most 15 digits, so 18 bits are plenty).
ANY_LENGTH = (1 << 18) - 1

State = Any  # each condition's own state value (hashable, compared by the search's memo)


def from_length(depth: int) -> int:
    """Every length >= depth."""
    return ANY_LENGTH & ~((1 << depth) - 1)


def _lowest(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


class Condition(Protocol):
    """Something phonenumbers might do to a number, followed along its leading digits."""

    def start(self) -> State:
        """The state before any digit of the NSN is read."""

    def step(self, state: State, digit: str) -> State:
        """The state after one more digit."""

    def threat(self, state: State, depth: int) -> int:
        """The NSN lengths (bit mask) at which the condition may still hold for a number
        starting with the ``depth`` digits read so far (0: it cannot hold)."""

    def settled(self, state: State) -> bool:
        """No further digit can change :meth:`threat`: longer prefixes are not worth a look."""

    def certain(self, state: State) -> bool:
        """The condition holds for every number starting so (the prefix is dropped)."""


class PrefixMatch(Condition):
    """``re.match(pattern, nsn)`` finds a non-empty match (the empty match is checked
    once, by the caller): another region's ``leading_digits``, or a national-prefix rule
    with a transform.  A match still to come needs at least the shortest completion."""

    def __init__(self, pattern: str | tuple[Any, ...]):
        self.nfa = nfa_of(pattern)

    def start(self) -> State:
        return (self.nfa.start, False)  # (DFA state, matched already)

    def step(self, state: State, digit: str) -> State:
        nxt = self.nfa.step(state[0], digit)
        return (nxt, state[1] or self.nfa.accepts(nxt))

    def possible(self, state: State) -> bool:
        """It has matched or still can."""
        return state[1] or bool(state[0])

    def matched(self, state: State) -> bool:
        return bool(state[1])

    def threat(self, state: State, depth: int) -> int:
        if state[1]:
            return from_length(depth)
        return from_length(depth + _lowest(self.nfa.rest(state[0]))) if state[0] else 0

    def settled(self, state: State) -> bool:
        return state[1] or not state[0]

    def certain(self, state: State) -> bool:
        return bool(state[1])


class NationalPrefix(Condition):
    """A national-prefix rule without a transform.  ``parse`` strips a matched prefix
    of m digits from an NSN of length L only when the rest is a possible length or too
    long (``_test_number_length`` is IS_POSSIBLE or TOO_LONG), so a match at m threatens
    only those L; a match still to come threatens every length it could fit in."""

    def __init__(self, node: tuple[Any, ...], possible: Iterable[int], local: Iterable[int]):
        self.nfa = nfa_of(node)
        lens, local_only = frozenset(possible), frozenset(local)

        def strips(rest: int) -> bool:
            return rest not in local_only and (rest in lens or rest > max(lens))

        self.threat_at = [sum(1 << n for n in range(18) if strips(n - m)) for m in range(18)]

    def start(self) -> State:
        return (self.nfa.start, 0, 0)  # (DFA state, lengths threatened by matches so far, depth)

    def step(self, state: State, digit: str) -> State:
        nxt, depth = self.nfa.step(state[0], digit), state[2] + 1
        return (nxt, state[1] | self.threat_at[depth] if self.nfa.accepts(nxt) else state[1], depth)

    def threat(self, state: State, depth: int) -> int:
        later = from_length(depth + _lowest(self.nfa.rest(state[0]))) if state[0] else 0
        return int(state[1]) | later

    def settled(self, state: State) -> bool:
        return not state[0]

    def certain(self, state: State) -> bool:
        return False


class WholeMatch(Condition):
    """A ``…$`` alternative of a national-prefix rule: it can match only a whole NSN,
    so it threatens only the lengths it can still complete."""

    def __init__(self, node: tuple[Any, ...]):
        self.nfa = nfa_of(node)

    def start(self) -> State:
        return self.nfa.start

    def step(self, state: State, digit: str) -> State:
        return self.nfa.step(state, digit)

    def threat(self, state: State, depth: int) -> int:
        return (self.nfa.rest(state) << depth) & ANY_LENGTH

    def settled(self, state: State) -> bool:
        return not state

    def certain(self, state: State) -> bool:
        return False


class FullMatch(Condition):
    """The region's general pattern and one of its type patterns can both still match
    the whole NSN: the number might be valid there (an over-approximation)."""

    def __init__(self, general: str, types: list[str]):
        self.general = nfa_of(general)
        self.types = nfa_of("|".join(f"(?:{t})" for t in types))

    def start(self) -> State:
        return (self.general.start, self.types.start)

    def step(self, state: State, digit: str) -> State:
        return (self.general.step(state[0], digit), self.types.step(state[1], digit))

    def possible(self, state: State) -> bool:
        """Some completion can still match both."""
        return bool(state[0]) and bool(state[1])

    def accepts(self, state: State) -> bool:
        """The digits read so far match both."""
        return self.general.accepts(state[0]) and self.types.accepts(state[1])

    def threat(self, state: State, depth: int) -> int:
        both = self.general.rest(state[0]) & self.types.rest(state[1])
        return (both << depth) & ANY_LENGTH

    def settled(self, state: State) -> bool:
        return not (state[0] and state[1])

    def certain(self, state: State) -> bool:
        return False


class Never(Condition):
    """A condition that cannot hold (no national prefix rule; a region nobody precedes)."""

    def start(self) -> State:
        return None

    def step(self, state: State, digit: str) -> State:
        return None

    def threat(self, state: State, depth: int) -> int:
        return 0

    def settled(self, state: State) -> bool:
        return True

    def certain(self, state: State) -> bool:
        return False


class Always(Never):
    """A condition that always holds (a region claiming every number; one we cannot read)."""

    def threat(self, state: State, depth: int) -> int:
        return ANY_LENGTH

    def certain(self, state: State) -> bool:
        return True


# --- from the metadata ---------------------------------------------------------------------------------

def national_prefix(meta: Any) -> list[Condition]:
    """The main region's national-prefix rule as conditions: one for the alternatives
    that match a prefix, one per ``…$`` alternative (those only match a whole NSN)."""
    rule = meta.national_prefix_for_parsing
    if not rule:
        return [Never()]
    m = re.match(rule, "")
    if m is not None:  # the rule can match nothing at all: harmless unless it then transforms
        if meta.national_prefix_transform_rule and m.groups() and m.groups()[-1] is not None:
            raise Unsupported("the national prefix rule rewrites every number")
    node = parse_regex(rule)
    alternatives = node[1] if node[0] == "alt" else (node,)
    prefix_alternatives: list[tuple[Any, ...]] = []
    out: list[Condition] = []
    for alt in alternatives:
        if alt[0] == "cat" and alt[1][-1] == ("end",) and not has_end(("cat", alt[1][:-1])):
            out.append(WholeMatch(("cat", alt[1][:-1])))
        elif has_end(alt):
            raise Unsupported(f"'$' inside {rule!r}")
        else:
            prefix_alternatives.append(alt)
    if prefix_alternatives:
        rest = prefix_alternatives[0] if len(prefix_alternatives) == 1 else ("alt", tuple(prefix_alternatives))
        if meta.national_prefix_transform_rule:
            out.append(PrefixMatch(rest))
        else:
            general = meta.general_desc
            out.append(NationalPrefix(rest, general.possible_length, general.possible_length_local_only))
    return out


def claim(meta: Any) -> Condition:
    """When ``_region_code_for_number_from_list`` picks this region (over-approximated)."""
    if meta.leading_digits is not None:
        leading = meta.leading_digits
        if not leading or re.match(leading, "") is not None:
            return Always()
        return PrefixMatch(leading)
    general = meta.general_desc.national_number_pattern
    types = type_patterns(meta)
    return FullMatch(general, types) if general and types else Never()


def type_patterns(meta: Any) -> list[str]:
    """The region's non-empty type patterns (as written in the metadata)."""
    return [getattr(meta, n).national_number_pattern for n in TYPES
            if getattr(meta, n) is not None and getattr(meta, n).national_number_pattern]
