"""The prefix search: which leading digits of an NSN prove the conditions harmless, and
the regex of the numbers that start so.

A trie of NSN prefixes is walked breadth first, every :class:`~.conditions.Condition`
stepped along each edge.  A prefix is kept for the NSN lengths at which no blocker can
hold (and, when given, the region's own ``leading_digits`` matched and its patterns can
still accept); after a kept prefix comes a tail: any digits of those lengths, or the
exact rest of the region's valid numbers (:class:`ExactRest`).  A budget bounds the
trie (deeper or larger and the prefix is simply left to phonenumbers).
"""

from __future__ import annotations

from typing import Any, Callable

from trackly_validate.rules.phonemeta.conditions import Always, Condition, FullMatch, Never, PrefixMatch, from_length
from trackly_validate.rules.phonemeta.regex import DIGITS, digit_class, length_class, nfa_of

__all__ = ["PrefixSearch", "ExactRest", "MAX_DEPTH", "MAX_NODES"]

#: Trie budget per search: deeper or larger than this and the prefix is left to phonenumbers.
MAX_DEPTH = 8
MAX_NODES = 5_000

#: ``tail(prefix, lengths)``: the regex after a kept prefix for those NSN lengths (a bit mask), or None.
Tail = Callable[[str, int], "str | None"]


class PrefixSearch:
    """Regex (NSN level, anchored by the caller) of NSNs whose length is in ``allowed``,
    whose leading digits prove that no blocker holds at that length, that ``required``
    (a region's leading digits, or None) matched, and that ``wanted`` (the region's
    patterns, or None) still can.  Breadth first, so a spent budget cuts the deepest
    prefixes."""

    def __init__(self, blockers: list[Condition], allowed: set[int], *, required: Condition | None = None,
                 wanted: FullMatch | None = None, tail: Tail | None = None):
        self.blockers, self.allowed = blockers, allowed
        self.required = None if isinstance(required, Always) else required
        self.wanted = wanted
        self.tail: Tail = tail or self._any_digits
        self.leaves: dict[str, list[tuple[str, int]]] = {}  # prefix -> (digit, NSN lengths completing it)
        self.kids: dict[str, list[str]] = {}                # prefix -> digits to descend into
        self._escape_memo: dict[tuple[Any, ...], bool] = {}

    def pattern(self) -> str | None:
        """The regex, or None when no prefix is safe."""
        if not self.allowed or any(isinstance(b, Always) for b in self.blockers) or isinstance(self.required, Never):
            return None
        self._walk()
        return self._emit("")

    # --- the walk ---------------------------------------------------------------------------------

    def _conditions(self) -> list[Condition]:
        """Blockers, then ``required``, then ``wanted`` (the order of a state tuple)."""
        return [*self.blockers, *([self.required] if self.required else []), *([self.wanted] if self.wanted else [])]

    def _walk(self) -> None:
        conditions = self._conditions()
        allowed_mask = sum(1 << n for n in self.allowed)
        limit = min(MAX_DEPTH, max(self.allowed) - 1)  # deepest prefix whose children are looked at
        frontier: list[tuple[str, tuple[Any, ...]]] = [("", tuple(c.start() for c in conditions))]
        budget = MAX_NODES
        for depth in range(limit + 1):
            deeper = []
            longer = allowed_mask & from_length(depth + 1)  # lengths a child prefix can still have
            for prefix, states in frontier:
                for d in DIGITS:
                    budget -= 1
                    if budget < 0:
                        break
                    nxt = tuple(c.step(s, d) for c, s in zip(conditions, states))
                    if not self._worth_a_look(nxt):
                        continue
                    ok, settled = self._safe_lengths(nxt, depth + 1, longer)
                    if ok:
                        self.leaves.setdefault(prefix, []).append((d, ok))
                    if ok != longer and not settled and depth < limit:  # longer prefixes may free more lengths
                        self.kids.setdefault(prefix, []).append(d)
                        deeper.append((prefix + d, nxt))
            frontier = deeper

    def _worth_a_look(self, states: tuple[Any, ...]) -> bool:
        """Some number starting so could be kept at some length."""
        nb = len(self.blockers)
        if self.wanted is not None and not self.wanted.possible(states[-1]):
            return False  # no number of the region starts so
        if isinstance(self.required, PrefixMatch) and not self.required.possible(states[nb]):
            return False  # the region can no longer be picked
        if any(c.certain(s) for c, s in zip(self.blockers, states)):
            return False  # always taken from this region
        if self.wanted is not None:
            for i, b in enumerate(self.blockers):
                if isinstance(b, FullMatch) and not self._escapes(i, states[-1], states[i]):
                    return False  # every number of the region here belongs to an earlier region
        return True

    def _safe_lengths(self, states: tuple[Any, ...], depth: int, longer: int) -> tuple[int, bool]:
        """(NSN lengths no blocker threatens, whether no longer prefix can change that)."""
        nb = len(self.blockers)
        if isinstance(self.required, PrefixMatch) and not self.required.matched(states[nb]):
            return 0, False
        threat = 0
        for c, st in zip(self.blockers, states):
            threat |= c.threat(st, depth)
        return longer & ~threat, all(c.settled(st) for c, st in zip(self.blockers, states))

    def _escapes(self, i: int, wanted_state: Any, blocker_state: Any) -> bool:
        """Some completion is (roughly) valid in the wanted region and not claimed by
        the earlier region ``blockers[i]`` (an exact product-automaton search)."""
        key = (i, wanted_state, blocker_state)
        found = self._escape_memo.get(key)
        if found is None:
            wanted, blocker = self.wanted, self.blockers[i]
            assert wanted is not None and isinstance(blocker, FullMatch)
            found = (wanted.accepts(wanted_state) and not blocker.accepts(blocker_state)) or any(
                self._escapes(i, nw, blocker.step(blocker_state, d)) for d in DIGITS
                for nw in (wanted.step(wanted_state, d),) if wanted.possible(nw))
            self._escape_memo[key] = found
        return found

    # --- the regex --------------------------------------------------------------------------------

    @staticmethod
    def _any_digits(prefix: str, ok: int) -> str:
        return length_class(n - len(prefix) for n in range(18) if ok >> n & 1)

    def _emit(self, prefix: str) -> str | None:
        by_tail: dict[str, list[str]] = {}
        for d, ok in self.leaves.get(prefix, ()):
            rest = self.tail(prefix + d, ok)
            if rest is not None:
                by_tail.setdefault(rest, []).append(d)
        alternatives = [digit_class(ds) + rest for rest, ds in by_tail.items()]
        for d in self.kids.get(prefix, ()):
            sub = self._emit(prefix + d)
            if sub is not None:
                alternatives.append(d + sub)
        if not alternatives:
            return None
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


class ExactRest:
    """The exact rest of a region's valid numbers after a safe prefix: the product of
    its general pattern and its type patterns (as DFAs), restricted to the allowed NSN
    lengths, emitted as a regex.  Runs of "any digit" collapse to ``[0-9]{m,n}``."""

    def __init__(self, general: str, types: list[str]):
        self.nfas = (nfa_of(general), nfa_of("|".join(f"(?:{t})" for t in types)))
        self._memo: dict[tuple[Any, ...], tuple[str, frozenset[int] | None] | None] = {}

    def __call__(self, prefix: str, ok: int) -> str | None:
        states = tuple(n.start for n in self.nfas)
        for d in prefix:
            states = tuple(n.step(st, d) for n, st in zip(self.nfas, states))
            if not all(states):
                return None
        out = self._emit(states, ok >> len(prefix))
        return None if out is None else out[0]

    def _emit(self, states: tuple[Any, ...], mask: int) -> tuple[str, frozenset[int] | None] | None:
        """(regex, lengths if it is just "any digits" of those lengths) or None if empty."""
        key = (states, mask)
        if key in self._memo:
            return self._memo[key]
        here = bool(mask & 1) and all(n.accepts(st) for n, st in zip(self.nfas, states))
        groups: dict[tuple[Any, ...], list[str]] = {}
        if mask >> 1:
            for d in DIGITS:
                nxt = tuple(n.step(st, d) for n, st in zip(self.nfas, states))
                if all(nxt):
                    groups.setdefault(nxt, []).append(d)
        subs: list[tuple[list[str], tuple[str, frozenset[int] | None]]] = []
        for nxt, ds in groups.items():
            sub = self._emit(nxt, mask >> 1)
            if sub is not None:
                subs.append((ds, sub))
        out: tuple[str, frozenset[int] | None] | None
        if not subs:
            out = ("", frozenset((0,))) if here else None
        elif len(subs) == 1 and len(subs[0][0]) == 10 and subs[0][1][1] is not None:
            lens = frozenset({0} if here else set()) | {n + 1 for n in subs[0][1][1]}
            out = (length_class(lens), lens)
        else:
            by_rest: dict[str, list[str]] = {}
            for ds, (rest, _) in subs:
                by_rest.setdefault(rest, []).extend(ds)
            alternatives = [digit_class(ds) + rest for rest, ds in by_rest.items()]
            body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
            out = ("(?:" + body + ")?" if here else body, None)
        self._memo[key] = out
        return out
