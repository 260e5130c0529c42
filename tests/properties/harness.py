"""The catalog-driven property harness.

A :class:`Case` is one rule on one endpoint: a strategy of valid bodies, a mutation
that must make the library answer with exactly that rule's problem, and a near miss
that must not.  Each area module lists its cases in a :class:`Registry`; two
parametrized Hypothesis tests run every case:

- ``test_mutation_triggers_only_its_code[<case>]``: the mutated body gets exactly
  ``[Problem(code, documented text, the catalog's status for that route, loc)]``;
- ``test_near_miss_passes[<case>]``: the near miss (or the valid body) gets ``[]``.

Codes that cannot be written as a body mutation (the API-key header, the 5 MiB body)
are registered with :meth:`Registry.covers` on a hand-written test.
``tests/properties/test_coverage.py`` reads every registry and fails for a local code
of the catalog that has no trigger or no pass property.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import trackly_validate as tv
from trackly_validate.core.catalog import CATALOG
from trackly_validate.core.options import Options
from trackly_validate.contracts.routes import resolve

from .strategies import ABSENT

Path = tuple
Draw = Callable[[Any], Any]

TRIGGER, PASS = "trigger", "pass"


def fresh(value: Any) -> Any:
    """A copy of a JSON value sharing no list or dict, not even between its own parts
    (``copy.deepcopy`` keeps aliases: two blasts sharing one offer_links list would
    both change)."""
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh(v) for v in value]
    return value


def put(body: Any, path: Path, value: Any) -> Any:
    """A fresh copy of ``body`` with ``value`` at ``path`` (``ABSENT`` removes the key)."""
    if not path:
        return value
    out = fresh(body)
    node = out
    for part in path[:-1]:
        node = node[part]
    if value is ABSENT:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = fresh(value)
    return out


def get(body: Any, path: Path) -> Any:
    for part in path:
        body = body[part]
    return body


def item(array: str, *rest: Any) -> Callable[[Any, Draw], Path]:
    """A path into a random item of the body's ``array``: ``("messages", i, *rest)``."""
    def path(body: Any, draw: Draw) -> Path:
        return (array, draw(st.integers(0, len(body[array]) - 1)), *rest)
    return path


@dataclass(frozen=True, repr=False)
class Case:
    """One rule on one endpoint (see the module docstring).

    ``at`` is where ``bad`` (or ``good``) values are put, and the expected ``loc``; a
    callable gets ``(body, draw)``.  ``mutate(body, draw)`` replaces ``at``/``bad`` when
    the change is not one value: it returns ``(body, loc)`` or ``(body, loc, detail)``.
    ``near(body, draw)`` replaces ``good``.  ``detail`` fills the ``…`` of the documented
    text, ``variant`` picks the endpoint's wording; ``status`` pins the HTTP status where
    the docs make a point of it (otherwise the catalog's status for the route is expected).
    """

    code: str
    route: tuple[str, str]
    valid: Any
    at: Path | Callable[[Any, Draw], Path] = ()
    bad: Any = None
    good: Any = None
    mutate: Callable[[Any, Draw], tuple] | None = None
    near: Callable[[Any, Draw], Any] | None = None
    options: Options | None = None
    variant: str | None = None
    detail: str | None = None
    status: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.code not in CATALOG:
            raise ValueError(f"unknown code {self.code!r}")
        if (self.bad is None) == (self.mutate is None):
            raise ValueError(f"{self.id}: give exactly one of bad= and mutate=")

    def __repr__(self) -> str:
        return f"Case({self.id!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # Hypothesis's failure report
        printer.text(repr(self))

    @property
    def id(self) -> str:
        return f"{self.code}:{self.route[0]} {self.route[1]}" + (f":{self.label}" if self.label else "")

    def _path(self, body: Any, draw: Draw) -> Path:
        return self.at(body, draw) if callable(self.at) else self.at

    def broken(self, draw: Draw) -> tuple[Any, Path, str | None]:
        body = draw(self.valid)
        if self.mutate is not None:
            out = self.mutate(body, draw)
            return out[0], out[1], out[2] if len(out) > 2 else self.detail
        path = self._path(body, draw)
        return put(body, path, draw(self.bad)), path, self.detail

    def near_miss(self, draw: Draw) -> Any:
        body = draw(self.valid)
        if self.near is not None:
            return self.near(body, draw)
        if self.good is not None:
            return put(body, self._path(body, draw), draw(self.good))
        return body

    def expected(self, loc: Path, detail: str | None) -> tuple:
        info = CATALOG[self.code]
        route = resolve(*self.route)
        status = self.status if self.status is not None else route.status_for(info)
        return (self.code, info.message_for(self.variant, detail), status, tuple(loc))

    def check(self, body: Any) -> list[tuple]:
        return [(p.code, p.error, p.status, p.loc) for p in tv.check(*self.route, body, options=self.options)]


def assert_triggers(case: Case, data: Any) -> None:
    body, loc, detail = case.broken(data.draw)
    assert case.check(body) == [case.expected(loc, detail)]


def assert_passes(case: Case, data: Any) -> None:
    assert case.check(case.near_miss(data.draw)) == []


class Registry:
    """The cases and hand-written properties of one area, and what they cover."""

    def __init__(self) -> None:
        self.cases: list[Case] = []
        self._hand: dict[str, dict[str, list[str]]] = defaultdict(lambda: {TRIGGER: [], PASS: []})

    def add(self, *cases: Case) -> None:
        known = {c.id for c in self.cases}
        for case in cases:
            if case.id in known:
                raise ValueError(f"duplicate case id {case.id!r}: give it a label")
            known.add(case.id)
            self.cases.append(case)

    def covers(self, *codes: str, kind: str) -> Callable[[Callable], Callable]:
        """Register a hand-written property as the ``kind`` (trigger/pass) test of ``codes``."""
        for code in codes:
            if code not in CATALOG:
                raise ValueError(f"unknown code {code!r}")

        def mark(fn: Callable) -> Callable:
            for code in codes:
                self._hand[code][kind].append(fn.__name__)
            return fn
        return mark

    @property
    def covered(self) -> dict[str, dict[str, list[str]]]:
        """code -> {"trigger": [test ids], "pass": [test ids]}."""
        out: dict[str, dict[str, list[str]]] = defaultdict(lambda: {TRIGGER: [], PASS: []})
        for case in self.cases:
            out[case.code][TRIGGER].append(f"test_mutation_triggers_only_its_code[{case.id}]")
            out[case.code][PASS].append(f"test_near_miss_passes[{case.id}]")
        for code, kinds in self._hand.items():
            for kind, names in kinds.items():
                out[code][kind].extend(names)
        return {code: {k: list(v) for k, v in kinds.items()} for code, kinds in out.items()}


def area_tests(registry: "Registry", valid: dict, examples: list) -> tuple[Callable[..., None], ...]:
    """The four tests every area module runs, built once here::

        (test_mutation_triggers_only_its_code, test_near_miss_passes,
         test_generated_valid_bodies_pass, test_documented_examples_pass) = area_tests(REG, VALID, EXAMPLES)
    """
    import pytest
    from hypothesis import given

    @pytest.mark.parametrize("case", registry.cases, ids=lambda c: c.id)
    @given(data=st.data())
    def test_mutation_triggers_only_its_code(case: Case, data: Any) -> None:
        assert_triggers(case, data)

    @pytest.mark.parametrize("case", registry.cases, ids=lambda c: c.id)
    @given(data=st.data())
    def test_near_miss_passes(case: Case, data: Any) -> None:
        assert_passes(case, data)

    @pytest.mark.parametrize("route", list(valid), ids=" ".join)
    @given(data=st.data())
    def test_generated_valid_bodies_pass(route: tuple[str, str], data: Any) -> None:
        assert tv.check(*route, data.draw(valid[route])) == []

    @pytest.mark.parametrize(("route", "body"), examples, ids=[f"{r[0]}-{r[1]}-{i}" for i, (r, _) in enumerate(examples)])
    def test_documented_examples_pass(route: tuple[str, str], body: Any) -> None:
        assert tv.check(*route, body) == []

    return (test_mutation_triggers_only_its_code, test_near_miss_passes,
            test_generated_valid_bodies_pass, test_documented_examples_pass)


def drawn(strategy: st.SearchStrategy[Any]) -> Any:
    """One deterministic draw of ``strategy`` (the same table on every run)."""
    found: list[Any] = []

    @settings(derandomize=True, max_examples=1, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def draw(value: Any) -> None:
        found.append(value)

    draw()
    return found[0]
