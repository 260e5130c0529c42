"""The prebuilt patterns shipped in ``rules/_phone_patterns.py``, one set per supported
phonenumbers release.

Building costs about two seconds of Python per process; compiling the result in Rust
under a tenth of one.  The package ships the per-CC pieces built from every phonenumbers
release its dependency range starts with (``SHIPPED_RELEASES``: pyproject's
``phonenumbers>=<oldest shipped>,<next minor>``, a test holds the two together), by the
same builder *output version*: they are used when the installed release is one of them
and ``BUILDER_VERSION`` matches.  A release the range allows but the file does not know
(a newer patch release) is built at first use, with one :class:`PhonePatternsWarning`.

``BUILDER_VERSION`` is bumped by hand whenever a change to this package changes what it
builds - editing a comment or refactoring does not, so it never silently brings the build
back.  The test that the shipped patterns equal a fresh build (tests/rules/test_phone_shipped.py)
catches a forgotten bump.  Regenerate with ``python -m trackly_validate.rules.phonemeta
WHEEL...`` (the wheels of the releases to ship, as ``pip download phonenumbers==X --no-deps``
fetches them).

The file stores each distinct piece once (``PIECES``) and the releases newest first
(``RELEASES``): the newest maps every CC to its ``(possible, valid)`` piece numbers, each
older one only the CCs that differ from the release after it (``None``: the CC is not in
that release; ``-1``: no piece at that level).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Iterable

from trackly_validate.rules.phonemeta.builder import Pieces, anchored, build, fast_patterns

__all__ = ["BUILDER_VERSION", "PhonePatternsWarning", "shipped_key", "shipped", "shipped_releases",
           "shipped_pieces", "patterns", "write_shipped", "pieces_of_wheel", "Patterns"]

#: Version of the builder's output: bump it when the built patterns change.
BUILDER_VERSION = 4

#: (possible, valid): one pattern, and patterns any one of which accepting proves validity.
Patterns = tuple[str, tuple[str, ...]]

_SHIPPED: list[Patterns] = []  # the one loaded value, for the process


class PhonePatternsWarning(UserWarning):
    """The installed phonenumbers release has no prebuilt patterns: they are built now."""


def shipped_key() -> tuple[str, int]:
    """(installed phonenumbers release, builder output version): what the shipped file
    must hold to be used.  Reads no source file."""
    import phonenumbers

    return phonenumbers.__version__, BUILDER_VERSION


def _data() -> Any:
    try:
        from trackly_validate.rules import _phone_patterns as data
    except ImportError:  # pragma: no cover - file missing
        return None
    return data


def shipped_releases() -> tuple[str, ...]:
    """The phonenumbers releases the shipped file has patterns for (for this builder
    output version), newest first."""
    data = _data()
    if data is None or getattr(data, "BUILDER_VERSION", None) != BUILDER_VERSION:
        return ()
    return tuple(data.RELEASES)


def shipped_pieces(release: str) -> Pieces | None:
    """The per-CC pieces shipped for ``release``, or None."""
    if release not in shipped_releases():
        return None
    data = _data()
    table: dict[int, tuple[int, int] | None] = {}
    for name, changes in data.RELEASES.items():  # newest first: apply the differences down to ``release``
        table.update(changes)
        if name == release:
            break
    pieces = data.PIECES
    return {cc: (None if p < 0 else pieces[p], None if v < 0 else pieces[v])
            for cc, found in sorted(table.items()) if found is not None for p, v in (found,)}


def shipped() -> Patterns | None:
    """(possible, valid) from ``_phone_patterns.py`` for :func:`shipped_key`; ``None``
    when the file has none for it."""
    if _SHIPPED:
        return _SHIPPED[0]
    release, _ = shipped_key()
    found = shipped_pieces(release)
    if found is None:
        return None
    possible, valid = anchored(found)
    _SHIPPED.append((possible, (valid,)))
    return _SHIPPED[0]


def patterns() -> Patterns:
    """(possible, valid): the shipped ones when they apply, else built now (once, with
    one warning)."""
    found = shipped()
    if found is not None:
        return found
    release, _ = shipped_key()
    known = shipped_releases()
    warnings.warn(
        f"trackly_validate has no prebuilt phone patterns for phonenumbers {release} "
        f"({f'it ships {known[-1]} to {known[0]}' if known else 'it ships none'}): building them from "
        "its metadata now, about two seconds once per process",
        PhonePatternsWarning, stacklevel=2)
    fp = fast_patterns()
    return fp.possible, fp.valid


# --- writing the file ------------------------------------------------------------------------------------

_BUILD_ONE = (
    "import json, sys\n"
    "import phonenumbers\n"
    "from trackly_validate.rules.phonemeta.builder import build\n"
    "assert phonenumbers.__file__.startswith(sys.argv[1]), phonenumbers.__file__\n"
    "pieces = build().pieces\n"
    "print(json.dumps({'release': phonenumbers.__version__,"
    " 'pieces': [[cc, p, v] for cc, (p, v) in sorted(pieces.items())]}))\n"
)


def pieces_of_wheel(wheel: str) -> tuple[str, Pieces]:
    """(release, pieces) built from a phonenumbers wheel (zip-imported in a fresh
    interpreter, so the installed release is untouched)."""
    source = str(Path(__file__).resolve().parents[3])  # the directory holding trackly_validate
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([wheel, source])}
    out = subprocess.run([sys.executable, "-c", _BUILD_ONE, wheel], env=env, check=True, capture_output=True,
                         text=True, timeout=600).stdout
    found = json.loads(out)
    def piece(rows: list[Any] | None) -> Any:
        return None if rows is None else tuple((k, head) for k, head in rows)

    return found["release"], {cc: (piece(p), piece(v)) for cc, p, v in found["pieces"]}


def _release_key(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split("."))


def write_shipped(builds: Iterable[tuple[str, Pieces]] | None = None, path: str | None = None) -> str:
    """Write ``_phone_patterns.py`` for ``builds`` ((release, pieces) pairs; by default
    the installed release, built now); returns its path."""
    if builds is None:
        builds = [(shipped_key()[0], build().pieces)]
    releases = sorted(dict(builds).items(), key=lambda item: _release_key(item[0]), reverse=True)
    numbers: dict[str, int] = {}

    def number(piece: Any) -> int:
        return -1 if piece is None else numbers.setdefault(piece, len(numbers))

    table: list[tuple[str, dict[int, Any]]] = []
    after: dict[int, tuple[int, int]] = {}
    for release, pieces in releases:
        rows = {cc: (number(p), number(v)) for cc, (p, v) in sorted(pieces.items())}
        changes: dict[int, Any] = {cc: row for cc, row in rows.items() if after.get(cc) != row}
        changes.update({cc: None for cc in after if cc not in rows})
        table.append((release, dict(sorted(changes.items()))))
        after = rows
    lines = [
        '"""Generated by `python -m trackly_validate.rules.phonemeta WHEEL...`: the phone fast-path',
        "pattern pieces built from the metadata of each phonenumbers release below (see the",
        'phonemeta package, prebuilt.py for the layout).  Do not edit."""',
        "",
        f"BUILDER_VERSION = {BUILDER_VERSION!r}",
        "",
        "PIECES = (",
        *(f"    {piece!r}," for piece in numbers),
        ")",
        "",
        "RELEASES = {",
        *(f"    {release!r}: {changes!r}," for release, changes in table),
        "}",
        "",
    ]
    target = Path(path) if path else Path(__file__).resolve().parent.parent / "_phone_patterns.py"
    target.write_text("\n".join(lines), encoding="utf-8")
    return str(target)
