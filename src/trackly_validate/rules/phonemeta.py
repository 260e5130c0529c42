"""phonenumbers' own metadata, compiled into Rust-regex fast paths for the phone levels.

The ``"possible"`` and ``"valid"`` phone levels must give exactly the verdicts of
``phonenumbers.is_possible_number(phonenumbers.parse(n))`` and
``phonenumbers.is_valid_number(phonenumbers.parse(n))``.  Calling phonenumbers costs
35-400 µs a number, so this module reads its metadata once - lazily, on the first
schema build at those levels (``import trackly_validate`` never imports phonenumbers;
the build takes about a second) - and derives, per country calling code (CC),
anchored patterns over the whole E.164 string that pydantic-core runs in Rust.  They
only accept numbers whose verdict is *provably* True; anything else goes to
phonenumbers itself, so the verdict is exact either way.

What can make ``parse``/``is_valid_number`` disagree with a plain reading of
``+CC NSN``, and how the patterns rule it out:

national prefix (``national_prefix_for_parsing`` of the CC's main region)
    ``parse`` strips (or transforms) a prefix it matches at the start of the NSN.  A
    trie of NSN prefixes is walked with an NFA of the rule; a prefix is safe for the
    NSN lengths at which the rule provably cannot apply.  Without a transform rule,
    a match of m digits is only applied when the rest has a possible length or is too
    long (``_test_number_length``), so e.g. Russian ``8…`` numbers of 10 digits stay
    fast; a ``…$`` alternative can only match a whole NSN of its own lengths; a rule
    that can match nothing is harmless unless it then transforms (none does today).
shared CCs (``region_code_for_number``)
    the first region whose ``leading_digits`` match (or, without them, whose patterns
    accept the number) is the one validated.  For the k-th region, earlier regions
    must provably not claim the prefix (their leading digits cannot match at that
    length; their patterns cannot accept a number of that length), and its own leading
    digits must have matched.  Prefixes whose every valid completion is claimed by an
    earlier region are pruned (an exact product-automaton search).
lengths and patterns
    ``possible``: the main region's possible lengths, local-only ones included.
    ``valid``: the region's ``general_desc`` and the union of its type patterns, each
    type kept only when its pattern cannot produce a length outside its
    ``possible_length`` (dropping one only shrinks the accepted set; none is dropped
    with today's metadata).

Shapes: ``possible`` is one pattern (safe prefix + allowed lengths).  ``valid`` is one
row of three patterns that must all match: for a single-region CC (guard, general,
types); for a shared CC, each region's safe prefixes followed by the exact rest of its
valid numbers (the product of its general and type patterns, as a DFA emitted as a
regex), in the first pattern of the row, the others accepting anything - so no number
ever fails one row to reach another.

The metadata patterns use a small regex subset (digits, ``\\d``, classes, groups,
``|``, ``?``, ``{n}``, ``{n,m}``, ``$``); they are parsed, simulated as NFAs and
re-emitted with ``[0-9]`` for ``\\d`` and non-capturing groups.  An unsupported
construct drops the CC (or region) from the fast path; a prefix that cannot be proved
safe within the trie budget is simply left to phonenumbers.  The result is built once
and kept for the process (one fixed-size value, not a growing cache).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from threading import Lock
from typing import Any, Callable, Iterable

__all__ = ["FastPatterns", "fast_patterns", "parse_regex", "emit", "lengths", "Nfa", "Unsupported"]

_DIGITS = "0123456789"
_ALL = frozenset(_DIGITS)
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail", "fixed_line", "mobile")
#: Trie budget per (CC, row): deeper or larger than this and the prefix is left to phonenumbers.
_MAX_DEPTH = 8
_MAX_NODES = 5_000


class Unsupported(ValueError):
    """A pattern outside the subset this module understands."""


# --- a regex subset: parse, measure, emit ------------------------------------------------------------
# Nodes: ("set", frozenset), ("cat", tuple), ("alt", tuple), ("rep", node, lo, hi), ("end",)

def parse_regex(pattern: str) -> tuple:
    found = _PARSED.get(pattern)
    if found is None:
        found = _parse(pattern)
        if _BUILDING:
            _PARSED[pattern] = found
    return found


_PARSED: dict[str, tuple] = {}  # filled during build() only, then cleared
_BUILDING: list[bool] = []


def _parse(pattern: str) -> tuple:
    parser = _Parser(pattern)
    node = parser.alt()
    if parser.i != len(pattern):
        raise Unsupported(f"unexpected {pattern[parser.i]!r} in {pattern!r}")
    return node


_REPEAT = re.compile(r"\{(\d+)(,(\d+))?\}")


class _Parser:
    def __init__(self, text: str):
        self.s, self.i = text, 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def eat(self, token: str) -> bool:
        if self.s.startswith(token, self.i):
            self.i += len(token)
            return True
        return False

    def alt(self) -> tuple:
        items = [self.cat()]
        while self.eat("|"):
            items.append(self.cat())
        return items[0] if len(items) == 1 else ("alt", tuple(items))

    def cat(self) -> tuple:
        items = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.quantified(self.atom()))
        return items[0] if len(items) == 1 else ("cat", tuple(items))

    def atom(self) -> tuple:
        c = self.peek()
        if c.isdigit() and c in _DIGITS:
            self.i += 1
            return ("set", frozenset(c))
        if self.eat("\\d"):
            return ("set", _ALL)
        if self.eat("["):
            return ("set", self.klass())
        if self.eat("(?:") or self.eat("("):
            node = self.alt()
            if not self.eat(")"):
                raise Unsupported(f"unbalanced group in {self.s!r}")
            return node
        if self.eat("$"):
            return ("end",)
        raise Unsupported(f"unsupported {c!r} in {self.s!r}")

    def klass(self) -> frozenset:
        out: set[str] = set()
        while not self.eat("]"):
            if self.eat("\\d"):
                out |= _ALL
                continue
            lo = self.peek()
            if lo not in _DIGITS or lo == "":
                raise Unsupported(f"unsupported class in {self.s!r}")
            self.i += 1
            if self.peek() == "-" and self.i + 1 < len(self.s) and self.s[self.i + 1] in _DIGITS:
                hi = self.s[self.i + 1]
                self.i += 2
                out |= {d for d in _DIGITS if lo <= d <= hi}
            else:
                out.add(lo)
        if not out:
            raise Unsupported(f"empty class in {self.s!r}")
        return frozenset(out)

    def quantified(self, node: tuple) -> tuple:
        if self.eat("?"):
            return ("rep", node, 0, 1)
        m = _REPEAT.match(self.s, self.i)
        if m:
            self.i = m.end()
            lo = int(m.group(1))
            hi = int(m.group(3)) if m.group(2) else lo
            if hi < lo or hi > 20:
                raise Unsupported(f"unsupported repeat in {self.s!r}")
            return ("rep", node, lo, hi)
        if self.peek() in ("*", "+", "{"):
            raise Unsupported(f"unbounded repeat in {self.s!r}")
        return node


def lengths(node: tuple) -> frozenset[int]:
    """Every length of a string the pattern can fully match."""
    kind = node[0]
    if kind == "set":
        return frozenset((1,))
    if kind == "end":
        return frozenset((0,))
    if kind == "alt":
        return frozenset().union(*(lengths(n) for n in node[1]))
    if kind == "cat":
        out = frozenset((0,))
        for n in node[1]:
            inner = lengths(n)
            out = frozenset(a + b for a in out for b in inner)
        return out
    inner, lo, hi = lengths(node[1]), node[2], node[3]
    out, acc = set(), frozenset((0,))
    for count in range(hi + 1):
        if count >= lo:
            out |= acc
        acc = frozenset(a + b for a in acc for b in inner)
    return frozenset(out)


def digit_class(digits: Iterable[str]) -> str:
    ds = sorted(set(digits))
    if len(ds) == 1:
        return ds[0]
    parts, i = [], 0
    while i < len(ds):
        j = i
        while j + 1 < len(ds) and ord(ds[j + 1]) == ord(ds[j]) + 1:
            j += 1
        parts.append(ds[i] if i == j else f"{ds[i]}{ds[j]}" if j == i + 1 else f"{ds[i]}-{ds[j]}")
        i = j + 1
    return "[" + "".join(parts) + "]"


def emit(node: tuple) -> str:
    """The node as a Rust-regex (and Python ``re``) pattern; ``$`` is refused."""
    kind = node[0]
    if kind == "set":
        return digit_class(node[1])
    if kind == "end":
        raise Unsupported("'$' in a pattern used to accept")
    if kind == "alt":
        return "(?:" + "|".join(emit(n) for n in node[1]) + ")"
    if kind == "cat":
        return "".join(emit(n) for n in node[1])
    inner, lo, hi = node[1], node[2], node[3]
    body = emit(inner)
    if inner[0] != "set" and not (body.startswith("(?:") and _balanced(body[3:-1])):
        body = f"(?:{body})"
    if (lo, hi) == (0, 1):
        return body + "?"
    return body + (f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}")


def _balanced(inner: str) -> bool:
    depth = 0
    for c in inner:
        depth += c == "("
        depth -= c == ")"
        if depth < 0:
            return False
    return depth == 0


# --- NFA simulation over digits ----------------------------------------------------------------------

class Nfa:
    """Thompson NFA of a parsed pattern, run as a lazily built DFA: a state is the id
    of a set of live NFA states, ``0`` the dead state.  ``end_is_epsilon`` reads ``$``
    as "always" (only for patterns whose *match* we want to rule out)."""

    def __init__(self, node: tuple, *, end_is_epsilon: bool = False):
        self.eps: list[list[int]] = []
        self.edges: list[list[tuple[frozenset, int]]] = []
        self.end_is_epsilon = end_is_epsilon
        start = self._new()
        self.accept = self._build(node, start)
        self.live = self._coreachable()
        self._rest = self._rest_lengths()
        self._sets: list[frozenset[int]] = [frozenset()]
        self._rest_of: list[int] = [0]
        self._ids: dict[frozenset[int], int] = {frozenset(): 0}
        self._trans: dict[tuple[int, str], int] = {}  # lives as long as the NFA (build time only)
        self.start = self._intern(self.closure((start,)))

    def _intern(self, states: frozenset[int]) -> int:
        found = self._ids.get(states)
        if found is None:
            found = self._ids[states] = len(self._sets)
            self._sets.append(states)
            mask = 0
            for st in states:
                mask |= self._rest[st]
            self._rest_of.append(mask)
        return found

    def rest(self, state: int) -> int:
        """Bit mask of the numbers of further digits that can complete a match."""
        return self._rest_of[state]

    def _rest_lengths(self) -> list[int]:
        rest = [-1] * len(self.eps)
        for root in range(len(self.eps)):  # iterative post-order (the NFA has no cycles)
            stack = [(root, False)]
            while stack:
                node, done = stack.pop()
                if rest[node] >= 0:
                    continue
                kids = self.eps[node] + [t for _, t in self.edges[node]]
                if not done:
                    stack.append((node, True))
                    stack.extend((k, False) for k in kids if rest[k] < 0)
                    continue
                mask = 1 if node == self.accept else 0
                for t in self.eps[node]:
                    mask |= rest[t]
                for _, t in self.edges[node]:
                    mask |= rest[t] << 1
                rest[node] = mask
        return rest

    def _new(self) -> int:
        self.eps.append([])
        self.edges.append([])
        return len(self.eps) - 1

    def _build(self, node: tuple, s: int) -> int:
        kind = node[0]
        if kind == "set":
            t = self._new()
            self.edges[s].append((node[1], t))
            return t
        if kind == "end":
            if not self.end_is_epsilon:
                raise Unsupported("'$' in a pattern used to accept")
            return s
        if kind == "cat":
            for n in node[1]:
                s = self._build(n, s)
            return s
        if kind == "alt":
            t = self._new()
            for n in node[1]:
                self.eps[self._build(n, s)].append(t)
            return t
        inner, lo, hi = node[1], node[2], node[3]
        for _ in range(lo):
            s = self._build(inner, s)
        exits = [s]
        for _ in range(hi - lo):
            s = self._build(inner, s)
            exits.append(s)
        t = self._new()
        for e in exits:
            self.eps[e].append(t)
        return t

    def _coreachable(self) -> frozenset[int]:
        back: list[list[int]] = [[] for _ in self.eps]
        for s, targets in enumerate(self.eps):
            for t in targets:
                back[t].append(s)
        for s, edges in enumerate(self.edges):
            for _, t in edges:
                back[t].append(s)
        seen, stack = {self.accept}, [self.accept]
        while stack:
            for p in back[stack.pop()]:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return frozenset(seen)

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen, stack = set(states), list(states)
        while stack:
            for t in self.eps[stack.pop()]:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return frozenset(seen & self.live)

    def step(self, state: int, digit: str) -> int:
        key = (state, digit)
        found = self._trans.get(key)
        if found is None:
            moved = self.closure([t for s in self._sets[state] for cs, t in self.edges[s] if digit in cs])
            found = self._trans[key] = self._intern(moved)
        return found

    def accepts(self, state: int) -> bool:
        return self.accept in self._sets[state]


_NFAS: dict[Any, Nfa] = {}  # filled during build() only, then cleared


def _nfa(pattern: str | tuple) -> Nfa:
    found = _NFAS.get(pattern)
    if found is None:
        node = parse_regex(pattern) if isinstance(pattern, str) else pattern
        found = _NFAS[pattern] = Nfa(node, end_is_epsilon=True)
    return found


# --- conditions a guard must rule out ----------------------------------------------------------------
# Each condition is stepped digit by digit along the trie of NSN prefixes.  Lengths are
# bit masks (bit L = an NSN of L digits).
#   threat(state, depth): the NSN lengths for which it may still hold, for a number
#                         starting with these ``depth`` digits (0: it cannot);
#   certain(state): it holds for every such number (the prefix is dropped).

_ANY_LENGTH = (1 << 18) - 1


def _from(depth: int) -> int:
    """Every length >= depth."""
    return _ANY_LENGTH & ~((1 << depth) - 1)


def _lowest(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


class _PrefixMatch:
    """``re.match(pattern, nsn)`` finds a non-empty match (the empty match is checked
    once, by the caller): another region's ``leading_digits``, or a national-prefix rule
    with a transform.  A match still to come needs at least the shortest completion."""

    def __init__(self, pattern: str | tuple):
        self.nfa = _nfa(pattern)

    def start(self) -> Any:
        return (self.nfa.start, False)

    def step(self, state: Any, digit: str) -> Any:
        nxt = self.nfa.step(state[0], digit)
        return (nxt, state[1] or self.nfa.accepts(nxt))

    def possible(self, state: Any) -> bool:
        return state[1] or bool(state[0])

    def matched(self, state: Any) -> bool:
        return state[1]

    def threat(self, state: Any, depth: int) -> int:
        if state[1]:
            return _from(depth)
        return _from(depth + _lowest(self.nfa.rest(state[0]))) if state[0] else 0

    def settled(self, state: Any) -> bool:
        return state[1] or not state[0]

    def certain(self, state: Any) -> bool:
        return state[1]


class _NationalPrefix:
    """A national-prefix rule without a transform.  ``parse`` strips a matched prefix
    of m digits from an NSN of length L only when the rest is a possible length or too
    long (``_test_number_length`` is IS_POSSIBLE or TOO_LONG), so a match at m threatens
    only those L; a match still to come threatens every length it could fit in."""

    def __init__(self, node: tuple, possible: Iterable[int], local: Iterable[int]):
        self.nfa = _nfa(node)
        lens, local = frozenset(possible), frozenset(local)

        def strips(rest: int) -> bool:
            return rest not in local and (rest in lens or rest > max(lens))

        self.threat_at = [sum(1 << n for n in range(18) if strips(n - m)) for m in range(18)]

    def start(self) -> Any:
        return (self.nfa.start, 0, 0)  # (NFA state, lengths threatened by matches so far, depth)

    def step(self, state: Any, digit: str) -> Any:
        nxt, depth = self.nfa.step(state[0], digit), state[2] + 1
        return (nxt, state[1] | self.threat_at[depth] if self.nfa.accepts(nxt) else state[1], depth)

    def threat(self, state: Any, depth: int) -> int:
        later = _from(depth + _lowest(self.nfa.rest(state[0]))) if state[0] else 0
        return state[1] | later

    def settled(self, state: Any) -> bool:
        return not state[0]

    def certain(self, state: Any) -> bool:
        return False


class _WholeMatch:
    """A ``…$`` alternative of a national-prefix rule: it can match only a whole NSN,
    so it threatens only the lengths it can still complete."""

    def __init__(self, node: tuple):
        self.nfa = _nfa(node)

    def start(self) -> Any:
        return self.nfa.start

    def step(self, state: Any, digit: str) -> Any:
        return self.nfa.step(state, digit)

    def threat(self, state: Any, depth: int) -> int:
        return (self.nfa.rest(state) << depth) & _ANY_LENGTH

    def settled(self, state: Any) -> bool:
        return not state

    def certain(self, state: Any) -> bool:
        return False


class _FullMatch:
    """The region's general pattern and one of its type patterns can both still match
    the whole NSN: the number might be valid there (an over-approximation)."""

    def __init__(self, general: str, types: list[str]):
        self.general = _nfa(general)
        self.types = _nfa("|".join(f"(?:{t})" for t in types))

    def start(self) -> Any:
        return (self.general.start, self.types.start)

    def step(self, state: Any, digit: str) -> Any:
        return (self.general.step(state[0], digit), self.types.step(state[1], digit))

    def possible(self, state: Any) -> bool:
        return bool(state[0]) and bool(state[1])

    def accepts(self, state: Any) -> bool:
        return self.general.accepts(state[0]) and self.types.accepts(state[1])

    def threat(self, state: Any, depth: int) -> int:
        both = self.general.rest(state[0]) & self.types.rest(state[1])
        return (both << depth) & _ANY_LENGTH

    def settled(self, state: Any) -> bool:
        return not (state[0] and state[1])

    def certain(self, state: Any) -> bool:
        return False


class _Never:
    def start(self) -> Any:
        return None

    def step(self, state: Any, digit: str) -> Any:
        return None

    def threat(self, state: Any, depth: int) -> int:
        return 0

    def settled(self, state: Any) -> bool:
        return True

    def certain(self, state: Any) -> bool:
        return False


class _Always(_Never):
    def threat(self, state: Any, depth: int) -> int:
        return _ANY_LENGTH

    def certain(self, state: Any) -> bool:
        return True


def _trie(blockers: list[Any], required: Any, wanted: Any, allowed: set[int],
          tail: Callable[[str, int], str | None] | None = None) -> str | None:
    """Regex (NSN level, anchored by the caller) of NSNs whose length is in ``allowed``,
    whose leading digits prove that no blocker holds at that length, that ``required``
    (a _PrefixMatch, or None) matched, and that ``wanted`` (a _FullMatch, or None) still can.

    After a safe prefix comes ``tail(prefix, lengths)`` (None: drop it), by default any
    digits making up one of the NSN ``lengths`` (a bit mask).  Breadth first, so a spent
    budget cuts the deepest prefixes (left to phonenumbers)."""
    if not allowed or any(isinstance(b, _Always) for b in blockers) or isinstance(required, _Never):
        return None
    if isinstance(required, _Always):
        required = None
    conds = [*blockers, *([required] if required is not None else []), *([wanted] if wanted is not None else [])]
    nb = len(blockers)
    allowed_mask = sum(1 << n for n in allowed)
    limit = min(_MAX_DEPTH, max(allowed) - 1)  # deepest prefix whose children are looked at
    leaves: dict[str, list[tuple[str, int]]] = {}  # prefix -> (digit, mask of NSN lengths) completing it
    kids: dict[str, list[str]] = {}               # prefix -> digits to descend into
    frontier = [("", tuple(c.start() for c in conds))]
    budget = _MAX_NODES
    claims = [i for i, b in enumerate(blockers) if isinstance(b, _FullMatch)] if wanted is not None else []
    memo: dict[tuple, bool] = {}

    def escapes(i: int, ws: Any, bs: Any) -> bool:
        """Some completion is (roughly) valid in the wanted region and not claimed by
        the earlier region ``blockers[i]``; if none is, the prefix is not worth a look."""
        key = (i, ws, bs)
        found = memo.get(key)
        if found is None:
            b = blockers[i]
            found = (wanted.accepts(ws) and not b.accepts(bs)) or any(
                escapes(i, nw, b.step(bs, d)) for d in _DIGITS
                for nw in (wanted.step(ws, d),) if wanted.possible(nw))
            memo[key] = found
        return found

    for depth in range(limit + 1):
        nxt_frontier = []
        longer = allowed_mask & _from(depth + 1)  # lengths a child prefix can still have
        for prefix, states in frontier:
            for d in _DIGITS:
                budget -= 1
                if budget < 0:
                    break
                nxt = tuple(c.step(s, d) for c, s in zip(conds, states))
                if wanted is not None and not wanted.possible(nxt[-1]):
                    continue  # no number of the region starts so
                if required is not None and not required.possible(nxt[nb]):
                    continue  # the region can no longer be picked
                if any(c.certain(s) for c, s in zip(blockers, nxt)):
                    continue  # always taken from this row
                if any(not escapes(i, nxt[-1], nxt[i]) for i in claims):
                    continue  # every number of the region here belongs to an earlier region
                ok, settled = 0, False
                if required is None or required.matched(nxt[nb]):
                    threat = 0
                    for c, st in zip(blockers, nxt):
                        threat |= c.threat(st, depth + 1)
                    ok = longer & ~threat
                    settled = all(c.settled(st) for c, st in zip(blockers, nxt))
                if ok:
                    leaves.setdefault(prefix, []).append((d, ok))
                if ok != longer and not settled and depth < limit:  # longer prefixes may free more lengths
                    kids.setdefault(prefix, []).append(d)
                    nxt_frontier.append((prefix + d, nxt))
        frontier = nxt_frontier

    def any_digits(prefix: str, ok: int) -> str:
        return _length_class(n - len(prefix) for n in range(18) if ok >> n & 1)

    follow = tail or any_digits

    def emit_node(prefix: str) -> str | None:
        by_tail: dict[str, list[str]] = {}
        for d, ok in leaves.get(prefix, ()):
            rest = follow(prefix + d, ok)
            if rest is not None:
                by_tail.setdefault(rest, []).append(d)
        alts = [digit_class(ds) + rest for rest, ds in by_tail.items()]
        for d in kids.get(prefix, ()):
            sub = emit_node(prefix + d)
            if sub is not None:
                alts.append(d + sub)
        if not alts:
            return None
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit_node("")


class _Exact:
    """The exact rest of a region's valid numbers after a safe prefix: the product of
    its general pattern and its type patterns (as DFAs), restricted to the allowed NSN
    lengths, emitted as a regex.  Runs of "any digit" collapse to ``[0-9]{m,n}``."""

    def __init__(self, general: str, types: list[str]):
        self.nfas = (_nfa(general), _nfa("|".join(f"(?:{t})" for t in types)))
        self._memo: dict[tuple, Any] = {}

    def __call__(self, prefix: str, ok: int) -> str | None:
        states = tuple(n.start for n in self.nfas)
        for d in prefix:
            states = tuple(n.step(st, d) for n, st in zip(self.nfas, states))
            if not all(states):
                return None
        out = self._emit(states, ok >> len(prefix))
        return None if out is None else out[0]

    def _emit(self, states: tuple, mask: int) -> tuple[str, frozenset[int] | None] | None:
        """(regex, lengths if it is just "any digits" of those lengths) or None if empty."""
        key = (states, mask)
        if key in self._memo:
            return self._memo[key]
        here = bool(mask & 1) and all(n.accepts(st) for n, st in zip(self.nfas, states))
        groups: dict[tuple, list[str]] = {}
        if mask >> 1:
            for d in _DIGITS:
                nxt = tuple(n.step(st, d) for n, st in zip(self.nfas, states))
                if all(nxt):
                    groups.setdefault(nxt, []).append(d)
        subs = [(ds, self._emit(nxt, mask >> 1)) for nxt, ds in groups.items()]
        subs = [(ds, sub) for ds, sub in subs if sub is not None]
        out: tuple[str, frozenset[int] | None] | None
        if not subs:
            out = ("", frozenset((0,))) if here else None
        elif len(subs) == 1 and len(subs[0][0]) == 10 and subs[0][1][1] is not None:
            lens = frozenset({0} if here else set()) | {n + 1 for n in subs[0][1][1]}
            out = (_length_class(lens), lens)
        else:
            by_rest: dict[str, list[str]] = {}
            for ds, (rest, _) in subs:
                by_rest.setdefault(rest, []).extend(ds)
            alts = [digit_class(ds) + rest for rest, ds in by_rest.items()]
            body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
            out = ("(?:" + body + ")?" if here else body, None)
        self._memo[key] = out
        return out


# --- the metadata -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FastPatterns:
    """Anchored patterns over the whole E.164 string (``^\\+CC…$``).

    ``possible``: one pattern (guard and lengths in one).
    ``valid``: one (guard, general, types) row per region rank of a CC; a number is
    accepted when the three patterns of some row all match.
    ``by_cc``: the NSN-level pieces per CC; ``skipped``: what is left entirely to
    phonenumbers, and why; ``dropped``: type patterns left out (they need a length
    intersection), as "CC/REGION/type".
    """

    possible: str
    valid: tuple[tuple[str, str, str], ...]
    by_cc: dict[int, dict[str, Any]]
    skipped: tuple[str, ...]
    dropped: tuple[str, ...]


def _anchored(branches: dict[int, str]) -> str:
    if not branches:
        return r"^\+\+"  # matches no E.164 string
    return r"^\+(?:" + "|".join(f"{cc}(?:{body})" for cc, body in sorted(branches.items())) + ")$"


def _length_class(lens: Iterable[int]) -> str:
    return _length_class_of(frozenset(lens))


@lru_cache(maxsize=4096)
def _length_class_of(lens: frozenset[int]) -> str:
    ls = sorted(lens)
    parts, i = [], 0
    while i < len(ls):
        j = i
        while j + 1 < len(ls) and ls[j + 1] == ls[j] + 1:
            j += 1
        parts.append(f"[0-9]{{{ls[i]}}}" if i == j else f"[0-9]{{{ls[i]},{ls[j]}}}")
        i = j + 1
    if not parts:
        return "\\+"  # no digit string
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _national_prefix(meta: Any) -> list[Any]:
    """The main region's national-prefix rule as blockers: one for the alternatives
    that match a prefix, one per ``…$`` alternative (those only match a whole NSN)."""
    npfp = meta.national_prefix_for_parsing
    if not npfp:
        return [_Never()]
    m = re.match(npfp, "")
    if m is not None:  # the rule can match nothing at all: harmless unless it then transforms
        if meta.national_prefix_transform_rule and m.groups() and m.groups()[-1] is not None:
            raise Unsupported("the national prefix rule rewrites every number")
    node = parse_regex(npfp)
    alts = node[1] if node[0] == "alt" else (node,)
    prefix_alts, out = [], []
    for alt in alts:
        if alt[0] == "cat" and alt[1][-1] == ("end",) and not _has_end(("cat", alt[1][:-1])):
            out.append(_WholeMatch(("cat", alt[1][:-1])))
        elif _has_end(alt):
            raise Unsupported(f"'$' inside {npfp!r}")
        else:
            prefix_alts.append(alt)
    if prefix_alts:
        rest = prefix_alts[0] if len(prefix_alts) == 1 else ("alt", tuple(prefix_alts))
        if meta.national_prefix_transform_rule:
            out.append(_PrefixMatch(rest))
        else:
            general = meta.general_desc
            out.append(_NationalPrefix(rest, general.possible_length, general.possible_length_local_only))
    return out


def _has_end(node: tuple) -> bool:
    kind = node[0]
    if kind == "end":
        return True
    if kind in ("cat", "alt"):
        return any(_has_end(n) for n in node[1])
    return kind == "rep" and _has_end(node[1])


def _claim(meta: Any) -> Any:
    """When ``_region_code_for_number_from_list`` picks this region (over-approximated)."""
    if meta.leading_digits is not None:
        ld = meta.leading_digits
        if not ld or re.match(ld, "") is not None:
            return _Always()
        return _PrefixMatch(ld)
    general = meta.general_desc.national_number_pattern
    types = _type_patterns(meta)
    return _FullMatch(general, types) if general and types else _Never()


def _type_patterns(meta: Any) -> list[str]:
    return [getattr(meta, n).national_number_pattern for n in _TYPES
            if getattr(meta, n) is not None and getattr(meta, n).national_number_pattern]


def build() -> FastPatterns:
    """Compile the fast patterns from the installed phonenumbers' metadata (call once)."""
    _BUILDING.append(True)
    try:
        return _build()
    finally:
        _BUILDING.pop()
        _NFAS.clear()
        _PARSED.clear()


def _build() -> FastPatterns:
    from phonenumbers.phonemetadata import PhoneMetadata
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    skipped: list[str] = []
    dropped: list[str] = []
    possible: dict[int, str] = {}
    rows: tuple[dict[int, str], dict[int, str], dict[int, str]] = ({}, {}, {})  # guard, general, types
    by_cc: dict[int, dict[str, Any]] = {}
    for cc, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        span = set(range(2, 16 - len(str(cc))))  # NSN lengths E.164 and parse() allow
        main = PhoneMetadata.metadata_for_region_or_calling_code(cc, regions[0])
        entry: dict[str, Any] = {"possible": None, "valid": []}
        by_cc[cc] = entry
        try:
            if main is None:
                raise Unsupported("no metadata")
            prefix = _national_prefix(main)
            general = main.general_desc
            allowed = (set(general.possible_length) | set(general.possible_length_local_only)) & span
            guard = _trie(prefix, None, None, allowed)
        except (Unsupported, re.error) as exc:
            skipped.append(f"{cc}: {exc}")
            continue
        if guard is not None:
            possible[cc] = entry["possible"] = guard
        blockers: list[Any] = list(prefix)
        for rank, region in enumerate(regions):
            meta = PhoneMetadata.metadata_for_region_or_calling_code(cc, region)
            try:
                if meta is None:
                    raise Unsupported("no metadata")
                claim = _claim(meta) if len(regions) > 1 else _Never()  # only later regions care
                row = _valid_row(cc, region, meta, blockers, claim, len(regions) > 1, span, dropped)
            except (Unsupported, re.error) as exc:
                skipped.append(f"{cc}/{region}: {exc}")
                row, claim = None, _Always()
            if row is not None:
                entry["valid"].append((region, *row))
            blockers.append(claim)
        if entry["valid"]:
            if len(regions) > 1:  # exact per-region patterns: alternatives of one guard
                row = ("|".join(f"(?:{g})" for _, g, _, _ in entry["valid"]), _ANY, _ANY)
            else:
                row = entry["valid"][0][1:]
            for table, piece in zip(rows, row):
                table[cc] = piece
    return FastPatterns(
        possible=_anchored(possible),
        valid=(tuple(_anchored(table) for table in rows),),
        by_cc=by_cc,
        skipped=tuple(skipped),
        dropped=tuple(dropped),
    )


def _valid_row(cc: int, region: str, meta: Any, blockers: list[Any], claim: Any, shared: bool,
               span: set[int], dropped: list[str]) -> tuple[str, str, str] | None:
    """(guard, general, types) at NSN level for numbers valid in ``region``, or None."""
    general = meta.general_desc
    if not general.national_number_pattern:
        return None
    allowed = set(general.possible_length) & span
    types = []
    for name in _TYPES:
        desc = getattr(meta, name)
        if desc is None or not desc.national_number_pattern:
            continue
        node = parse_regex(desc.national_number_pattern)
        own = set(desc.possible_length)
        if own and not (lengths(node) & allowed) <= own:
            dropped.append(f"{cc}/{region}/{name}")  # would need a length intersection
            continue
        pattern = emit(node)
        if pattern not in types:  # fixed-line and mobile are often the same pattern
            types.append(pattern)
    if not types:
        return None
    # One region: region_code_for_number never looks at leading_digits.  Shared CC: a
    # region is picked by its leading digits, or (without them) by being valid there.
    required = claim if shared and meta.leading_digits is not None else None
    if shared:
        # one exact pattern per region (prefix + the rest of its valid numbers), so all
        # the regions of a CC fit in one row: no number has to fail a row to reach its own
        exact = _Exact(emit(parse_regex(general.national_number_pattern)), types)
        wanted = _FullMatch(general.national_number_pattern, _type_patterns(meta))
        found = _trie(blockers, required, wanted, allowed, tail=exact)
        return None if found is None else (found, _ANY, _ANY)
    guard = _trie(blockers, required, None, allowed)
    if guard is None:
        return None
    return guard, emit(parse_regex(general.national_number_pattern)), "|".join(types)


_ANY = "[0-9]+"  # a row piece that leaves the decision to the other pieces


_BUILT: list[FastPatterns] = []
_BUILD_LOCK = Lock()


def fast_patterns() -> FastPatterns:
    """The compiled patterns: built on the first call (about a second) and kept for
    the process - one fixed-size value, not a cache that grows."""
    if not _BUILT:
        with _BUILD_LOCK:
            if not _BUILT:
                _BUILT.append(build())
    return _BUILT[0]


# --- shipped patterns ---------------------------------------------------------------------------------------
# Building the patterns costs ~1 s of Python per process; compiling them in Rust ~0.07 s.
# The built strings are shipped in ``_phone_patterns.py`` and used only when they were
# built by this very module from this very phonenumbers release (both recorded there);
# otherwise the patterns are built at first use as before.  Regenerate with
# ``python -m trackly_validate.rules.phonemeta`` (tests/test_phone_parity.py checks the
# shipped file against a fresh build).

_SHIPPED: list[tuple[str, tuple[tuple[str, str, str], ...]]] = []


def builder_digest() -> str:
    """SHA-256 of this module's source: the shipped patterns name the builder they came from."""
    import hashlib
    from pathlib import Path

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def shipped() -> tuple[str, tuple[tuple[str, str, str], ...]] | None:
    """(possible, valid rows) from ``_phone_patterns.py`` when they match the installed
    phonenumbers and this builder; ``None`` otherwise."""
    if _SHIPPED:
        return _SHIPPED[0]
    try:
        import phonenumbers

        from . import _phone_patterns as data
    except ImportError:  # pragma: no cover - file missing
        return None
    if data.PHONENUMBERS_VERSION != phonenumbers.__version__ or data.BUILDER_SHA256 != builder_digest():
        return None
    _SHIPPED.append((data.POSSIBLE, data.VALID))
    return _SHIPPED[0]


def patterns() -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """(possible, valid rows): the shipped ones when they apply, else built now."""
    found = shipped()
    if found is not None:
        return found
    fp = fast_patterns()
    return fp.possible, fp.valid


def write_shipped(path: str | None = None) -> str:
    """Build the patterns and write ``_phone_patterns.py``; returns its path."""
    from pathlib import Path

    import phonenumbers

    fp = build()
    target = Path(path) if path else Path(__file__).with_name("_phone_patterns.py")
    target.write_text(
        '"""Generated by `python -m trackly_validate.rules.phonemeta`: the phone fast-path patterns\n'
        'built from phonenumbers\' metadata (see phonemeta.py).  Do not edit."""\n\n'
        f"PHONENUMBERS_VERSION = {phonenumbers.__version__!r}\n"
        f"BUILDER_SHA256 = {builder_digest()!r}\n"
        f"POSSIBLE = {fp.possible!r}\n"
        f"VALID = {fp.valid!r}\n",
        encoding="utf-8",
    )
    return str(target)


if __name__ == "__main__":  # python -m trackly_validate.rules.phonemeta
    print(write_shipped())
