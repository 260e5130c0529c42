"""Facts the package states in one place only, read from its source with ``ast``: the
UTF-8 byte order mark (``core.decoding.without_bom``) and the API key's format
(``core.key_format``)."""

from __future__ import annotations

import ast
from pathlib import Path

import trackly_validate

ROOT = Path(trackly_validate.__file__).resolve().parent
BOM = b"\xef\xbb\xbf"


def _constants(path: Path) -> list[object]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]


def _where(holds) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py") if any(holds(c) for c in _constants(p)))


def test_the_byte_order_mark_is_dropped_in_one_place():
    assert _where(lambda c: isinstance(c, bytes) and BOM in c) == ["core/decoding.py"]
    assert _where(lambda c: isinstance(c, str) and c.lower().replace("_", "-") == "utf-8-sig") in (
        [], ["doors/cli/readers.py"])  # CSV text read through Python's codec, which drops it as it reads


def test_the_api_key_format_is_written_in_one_place():
    def is_key_pattern(c: object) -> bool:
        return isinstance(c, str) and ("trk_[" in c or "{32}" in c or c == "trk_")
    assert _where(is_key_pattern) == ["core/key_format.py"]
