"""The package's layers, read from its source: core <- rules <- models <- contracts <- doors
(the top-level ``trackly_validate`` facade above them all).

Every import of a ``trackly_validate`` module is read with ``ast``: at module level, inside
a function, under ``TYPE_CHECKING``, relative ones resolved, and
``importlib.import_module("trackly_validate...")`` with a literal name.  An import names
the module it reaches (``from trackly_validate.core import errors`` reaches
``core.errors``; ``from trackly_validate.core.errors import Problem`` reaches
``core.errors`` too).  The parent packages Python runs on the way are not counted: every
module would otherwise import the facade.

Two checks: no arrow from a lower layer to a higher one, and no import cycle between
modules (within a layer too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import trackly_validate

PACKAGE = "trackly_validate"
ROOT = Path(trackly_validate.__file__).resolve().parent
LAYERS = ("core", "rules", "models", "contracts", "doors")
FACADE = len(LAYERS)  # the package's own __init__: above every layer

ALLOWED: set[tuple[str, str]] = set()  # no exception: every arrow points down


def modules(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _reached(name: str, known: dict[str, Path]) -> str | None:
    """The module an import of ``name`` runs last: itself, or its nearest known parent."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, name] if name else base)


def imports(module: str, known: dict[str, Path], package: str = PACKAGE) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its source."""
    path = known[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found: set[str | None] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(_reached(a.name, known) for a in node.names if a.name.split(".")[0] == package)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, is_package, node.level, node.module) if node.level else node.module or ""
            if source.split(".")[0] != package:
                continue
            for alias in node.names:
                whole = f"{source}.{alias.name}"
                found.add(whole if whole in known else _reached(source, known))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            name = node.args[0].value
            if called in ("import_module", "__import__") and isinstance(name, str) \
                    and name.split(".")[0] == package:
                found.add(_reached(name, known))
    found.discard(module)
    found.discard(None)
    return found  # type: ignore[return-value]


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return FACADE
    if parts[1] not in LAYERS:
        raise AssertionError(f"{module} is in no layer; the layers are {', '.join(LAYERS)}")
    return LAYERS.index(parts[1])


def graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    known = modules(root, package)
    return {m: imports(m, known, package) for m in known}


def upward(edges: dict[str, set[str]], allowed: set[tuple[str, str]] = frozenset()) -> list[str]:
    return [f"{m} -> {t}" for m, targets in sorted(edges.items()) for t in sorted(targets)
            if layer(t) > layer(m) and (m, t) not in allowed]


def cycles(edges: dict[str, set[str]], allowed: set[tuple[str, str]] = frozenset()) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if (node, target) in allowed or target not in edges:
                    continue
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
    return found


@pytest.fixture(scope="module")
def edges():
    return graph()


def test_no_module_imports_from_a_layer_above_it(edges):
    assert upward(edges, ALLOWED) == []


def test_no_import_cycle(edges):
    assert cycles(edges, ALLOWED) == []


def test_the_reading_sees_every_kind_of_import(edges):
    gate = "trackly_validate.doors.http.gate"
    assert "trackly_validate.contracts.pipeline" in edges[gate]  # from-import at module level
    assert "trackly_validate.doors.http.gate" in edges["trackly_validate.doors.hooks"]  # inside functions
    assert "trackly_validate.core.decoding" in edges["trackly_validate.doors.fastapi"]  # from package import module
    assert {layer(m) for m in edges} == set(range(FACADE + 1))


def test_an_arrow_up_and_a_cycle_are_found(tmp_path):
    pkg = tmp_path / "pkg"
    for name, text in {
        "__init__.py": "",
        "core/__init__.py": "",
        "core/a.py": "def f():\n    from pkg.doors import d\n",  # up, inside a function
        "core/b.py": "from . import c\n",  # relative, in a cycle with c
        "core/c.py": "import importlib\nimportlib.import_module('pkg.core.b')\n",
        "doors/__init__.py": "",
        "doors/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.core.a import f\n",
    }.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    found = graph(pkg, "pkg")
    assert upward(found) == ["pkg.core.a -> pkg.doors.d"]
    assert sorted(cycles(found)) == [["pkg.core.a", "pkg.doors.d"], ["pkg.core.b", "pkg.core.c"]]
    assert cycles(found, {("pkg.core.c", "pkg.core.b"), ("pkg.doors.d", "pkg.core.a")}) == []
