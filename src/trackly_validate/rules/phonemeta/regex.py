"""The regex subset of phonenumbers' metadata: parse it, measure it, re-emit it, and run
it as an automaton over digits.

The metadata patterns use digits, ``\\d``, classes, groups, ``|``, ``?``, ``{n}``,
``{n,m}`` and ``$``.  They are parsed into small tuples, emitted for Rust's regex
engine (and Python's ``re``) with ``[0-9]`` for ``\\d`` and non-capturing groups, and
simulated as NFAs run as lazily built DFAs.  Anything outside the subset raises
:class:`Unsupported` (the caller then leaves that piece to phonenumbers).

Nodes: ``("set", frozenset)``, ``("cat", tuple)``, ``("alt", tuple)``,
``("rep", node, lo, hi)``, ``("end",)``.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterable, Iterator

__all__ = ["Unsupported", "parse_regex", "lengths", "emit", "digit_class", "length_class", "has_end",
           "Nfa", "nfa_of", "build_cache", "DIGITS", "split_any_tail", "join_heads"]

#: A parsed pattern (see the module docstring for the node shapes).
Node = tuple[Any, ...]

DIGITS = "0123456789"
_ALL = frozenset(DIGITS)
_REPEAT = re.compile(r"\{(\d+)(,(\d+))?\}")


class Unsupported(ValueError):
    """A pattern outside the subset this package understands."""


# --- parse ---------------------------------------------------------------------------------------------

def parse_regex(pattern: str) -> Node:
    """The node tree of ``pattern`` (memoised while a build runs, see :func:`build_cache`)."""
    if _CACHE is not None:
        found = _CACHE.parsed.get(pattern)
        if found is None:
            found = _CACHE.parsed[pattern] = _parse(pattern)
        return found
    return _parse(pattern)


def _parse(pattern: str) -> Node:
    parser = _Parser(pattern)
    node = parser.alternation()
    if parser.i != len(pattern):
        raise Unsupported(f"unexpected {pattern[parser.i]!r} in {pattern!r}")
    return node


class _Parser:
    """Recursive descent over the subset: alternation > concatenation > quantified atom."""

    def __init__(self, text: str):
        self.s, self.i = text, 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def eat(self, token: str) -> bool:
        if self.s.startswith(token, self.i):
            self.i += len(token)
            return True
        return False

    def alternation(self) -> Node:
        items = [self.concatenation()]
        while self.eat("|"):
            items.append(self.concatenation())
        return items[0] if len(items) == 1 else ("alt", tuple(items))

    def concatenation(self) -> Node:
        items = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.quantified(self.atom()))
        return items[0] if len(items) == 1 else ("cat", tuple(items))

    def atom(self) -> Node:
        c = self.peek()
        if c != "" and c in DIGITS:
            self.i += 1
            return ("set", frozenset(c))
        if self.eat("\\d"):
            return ("set", _ALL)
        if self.eat("["):
            return ("set", self.digit_set())
        if self.eat("(?:") or self.eat("("):
            node = self.alternation()
            if not self.eat(")"):
                raise Unsupported(f"unbalanced group in {self.s!r}")
            return node
        if self.eat("$"):
            return ("end",)
        raise Unsupported(f"unsupported {c!r} in {self.s!r}")

    def digit_set(self) -> frozenset[str]:
        out: set[str] = set()
        while not self.eat("]"):
            if self.eat("\\d"):
                out |= _ALL
                continue
            lo = self.peek()
            if lo == "" or lo not in DIGITS:
                raise Unsupported(f"unsupported class in {self.s!r}")
            self.i += 1
            if self.peek() == "-" and self.i + 1 < len(self.s) and self.s[self.i + 1] in DIGITS:
                hi = self.s[self.i + 1]
                self.i += 2
                out |= {d for d in DIGITS if lo <= d <= hi}
            else:
                out.add(lo)
        if not out:
            raise Unsupported(f"empty class in {self.s!r}")
        return frozenset(out)

    def quantified(self, node: Node) -> Node:
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


# --- measure and emit ------------------------------------------------------------------------------------

def lengths(node: Node) -> frozenset[int]:
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
    found: set[int] = set()
    acc = frozenset((0,))
    for count in range(hi + 1):
        if count >= lo:
            found |= acc
        acc = frozenset(a + b for a in acc for b in inner)
    return frozenset(found)


def has_end(node: Node) -> bool:
    """Whether the pattern contains ``$`` anywhere."""
    kind = node[0]
    if kind == "end":
        return True
    if kind in ("cat", "alt"):
        return any(has_end(n) for n in node[1])
    return kind == "rep" and has_end(node[1])


def digit_class(digits: Iterable[str]) -> str:
    """The shortest class for a set of digits: ``5``, ``[0-35]``…"""
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


def length_class(lens: Iterable[int]) -> str:
    """Any digits making up one of ``lens``: ``[0-9]{3}``, ``(?:[0-9]{6}|[0-9]{9})``…
    (a pattern that matches no digit string when ``lens`` is empty)."""
    return _length_class(frozenset(lens))


@lru_cache(maxsize=4096)
def _length_class(lens: frozenset[int]) -> str:
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


def emit(node: Node) -> str:
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


# --- NFA simulation over digits ------------------------------------------------------------------------

class Nfa:
    """Thompson NFA of a parsed pattern, run as a lazily built DFA: a state is the id
    of a set of live NFA states, ``0`` the dead state.  ``end_is_epsilon`` reads ``$``
    as "always" (only for patterns whose *match* we want to rule out)."""

    def __init__(self, node: Node, *, end_is_epsilon: bool = False):
        self.eps: list[list[int]] = []
        self.edges: list[list[tuple[frozenset[str], int]]] = []
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

    def step(self, state: int, digit: str) -> int:
        """The DFA state after reading ``digit`` (0 once no match is possible)."""
        key = (state, digit)
        found = self._trans.get(key)
        if found is None:
            moved = self.closure([t for s in self._sets[state] for cs, t in self.edges[s] if digit in cs])
            found = self._trans[key] = self._intern(moved)
        return found

    def accepts(self, state: int) -> bool:
        """Whether the digits read so far are a full match."""
        return self.accept in self._sets[state]

    def rest(self, state: int) -> int:
        """Bit mask of the numbers of further digits that can complete a match."""
        return self._rest_of[state]

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen, stack = set(states), list(states)
        while stack:
            for t in self.eps[stack.pop()]:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return frozenset(seen & self.live)

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

    def _build(self, node: Node, s: int) -> int:
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


def nfa_of(pattern: str | Node) -> Nfa:
    """The NFA of a pattern (``$`` read as "always"), shared while a build runs so its
    lazily built DFA is filled once."""
    if _CACHE is None:
        return Nfa(parse_regex(pattern) if isinstance(pattern, str) else pattern, end_is_epsilon=True)
    found = _CACHE.nfas.get(pattern)
    if found is None:
        node = parse_regex(pattern) if isinstance(pattern, str) else pattern
        found = _CACHE.nfas[pattern] = Nfa(node, end_is_epsilon=True)
    return found


class _BuildCache:
    def __init__(self) -> None:
        self.parsed: dict[str, Node] = {}
        self.nfas: dict[str | Node, Nfa] = {}


_CACHE: _BuildCache | None = None


@contextmanager
def build_cache() -> Iterator[None]:
    """Share parsed patterns and NFAs for the duration of one build, then drop them
    (nothing is kept for the process)."""
    global _CACHE
    outer = _CACHE
    if outer is None:
        _CACHE = _BuildCache()
    try:
        yield
    finally:
        _CACHE = outer


# --- trailing runs of any digit ------------------------------------------------------------------------

_EMPTY = ("cat", ())
_ANY = ("set", _ALL)


def split_any_tail(node: tuple[Any, ...], budget: int) -> dict[int, list[tuple[Any, ...]]]:
    """``{k: heads}`` with ``node`` = the union over k of ``(head) [0-9]{k}``, taking at
    most ``budget`` trailing digits that may be any digit off each alternative.

    Joined across CCs, every number ending in k free digits then runs through one shared
    copy of ``[0-9]{k}``: Rust's lazy DFA builds those states once for all countries
    instead of once per prefix, which is what a never-seen number pays for."""
    if budget == 0:
        return {0: [node]}
    kind = node[0]
    if node == _ANY:
        return {1: [_EMPTY]}
    if kind == "rep" and node[1] == _ANY and node[2] > 0:
        k = min(node[2], budget)
        lo, hi = node[2] - k, node[3] - k
        return {k: [_EMPTY if hi == 0 else ("rep", _ANY, lo, hi)]}
    out: dict[int, list[tuple[Any, ...]]] = {}
    if kind == "alt":
        for alternative in node[1]:
            for k, heads in split_any_tail(alternative, budget).items():
                out.setdefault(k, []).extend(heads)
        return out
    if kind == "cat" and node[1]:
        rest = node[1][:-1]
        for k, heads in split_any_tail(node[1][-1], budget).items():
            for head in heads:
                if head == _EMPTY and k < budget and rest:  # the whole last item was free digits: go on
                    for k2, heads2 in split_any_tail(rest[0] if len(rest) == 1 else ("cat", rest), budget - k).items():
                        out.setdefault(k + k2, []).extend(heads2)
                else:
                    out.setdefault(k, []).append(("cat", rest + (() if head == _EMPTY else (head,))))
        return out
    return {0: [node]}


def join_heads(heads: list[tuple[Any, ...]]) -> str:
    """One pattern for the union of :func:`split_any_tail` heads: common leading items
    shared (a trie of the heads' items), sibling digits with the same rest merged into a
    class, so the lazy DFA follows one thread per distinct prefix, not one per head."""
    return _join([node[1] if node[0] == "cat" else (node,) for node in heads])


def _join(sequences: list[tuple[Any, ...]]) -> str:
    sequences = list(dict.fromkeys(sequences))
    ends_here = () in sequences
    firsts: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for seq in sequences:
        if seq:
            firsts.setdefault(seq[0], []).append(seq[1:])
    classes: dict[str, set[str]] = {}  # rest -> digits of single-digit-class items followed by it
    alternatives: list[tuple[str, Any]] = []
    for first, rests in firsts.items():
        rest = _join(rests)
        if first[0] == "set":
            if rest not in classes:
                classes[rest] = set()
                alternatives.append((rest, None))
            classes[rest] |= first[1]
        else:
            alternatives.append((rest, first))
    parts = [(digit_class(classes[rest]) if first is None else emit(first)) + rest for rest, first in alternatives]
    if not parts:
        return ""
    if len(parts) > 1:
        body = "(?:" + "|".join(parts) + ")"
        return body + "?" if ends_here else body
    if ends_here:
        return parts[0] + "?" if _one_atom(parts[0]) else "(?:" + parts[0] + ")?"
    return parts[0]


def _one_atom(pattern: str) -> bool:
    """A single digit or digit class (safe to follow with ``?``)."""
    return len(pattern) == 1 or (pattern.startswith("[") and pattern.index("]") == len(pattern) - 1)

