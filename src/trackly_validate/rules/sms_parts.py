"""Packing an SMS body into the parts a sender transmits.

A message longer than one part is sent as several parts of fixed capacity
(153 GSM-7 septets or 67 UTF-16 code units). Senders fill each part greedily,
but some text must travel inside one part:

* a GSM-7 extension character is sent as ESC + character (2 septets), and
  the pair is never split;
* a character outside the BMP is a UTF-16 surrogate pair (2 code units), and
  the pair is never split;
* in grapheme mode, a whole extended grapheme cluster (UAX #29: an emoji
  family, a flag, a letter with its combining marks) is kept together too.

Such a run of code points is an *atom*: ``(start, end, units)``, a code
point range and its size in units. Every code point outside the atoms is one
unit. When an atom would cross the end of a part, the part is closed early
(its last units stay empty) and the atom opens the next part.

This module knows units and atoms only; :mod:`trackly_validate.rules.sms` decides
the encoding and finds the GSM-7 or UTF-16 atoms of a text.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

#: ``(start, end, units)``: code points ``text[start:end]`` take ``units``
#: units and must stay in one part.
Atom = tuple[int, int, int]

__all__ = ["Atom", "pack", "grapheme_atoms", "load_grapheme_patterns"]


def pack(total_units: int, atoms: list[Atom], capacity: int) -> tuple[list[int], int]:
    """Pack a text greedily into parts of ``capacity`` units.

    ``atoms`` are in text order, do not overlap and each fits in one part.
    Returns the code point index where each part starts (the first is 0) and
    the number of units still free in the last part.
    """
    starts = [0]
    part_unit = 0  # unit offset of the current part's first unit
    shift = 0  # unit offset minus code point index after the atoms seen so far
    for start, end, units in atoms:
        unit = start + shift
        # parts filled completely before this atom
        while unit >= part_unit + capacity:
            part_unit += capacity
            starts.append(part_unit - shift)
        # the atom would cross the end of the part: it opens the next one
        if unit + units > part_unit + capacity:
            part_unit = unit
            starts.append(start)
        shift += units - (end - start)
    # the tail after the last atom is one unit per code point
    while total_units > part_unit + capacity:
        part_unit += capacity
        starts.append(part_unit - shift)
    return starts, part_unit + capacity - total_units


@lru_cache(maxsize=1)
def load_grapheme_patterns() -> tuple[Any, Any]:
    """Patterns of the optional ``regex`` package: clusters, and joining characters.

    The first matches one extended grapheme cluster (UAX #29); ``\\r`` is
    matched on its own so that CR LF counts as two characters, as Twilio's
    segment calculator does (it splits the CR LF cluster). The second finds
    a character that can join a cluster with its neighbour; UAX #29 breaks
    on both sides of every other character (Grapheme_Cluster_Break Other,
    Control, CR, LF), so text without one is all one-code-point clusters.
    Raises ``ImportError`` with install advice when ``regex`` is missing.
    """
    try:
        regex = importlib.import_module("regex")
    except ImportError as exc:
        raise ImportError(
            "mode='graphemes' needs the optional 'regex' package for Unicode "
            "grapheme clusters: pip install 'trackly-validate[graphemes]' "
            "(or pip install regex)"
        ) from exc
    cluster = regex.compile(r"\r|\X")
    joining = regex.compile(
        r"[^\p{Grapheme_Cluster_Break=Other}\p{Grapheme_Cluster_Break=Control}"
        r"\p{Grapheme_Cluster_Break=CR}\p{Grapheme_Cluster_Break=LF}]"
    )
    return cluster, joining


def grapheme_atoms(text: str, unit_atoms: list[Atom], capacity: int) -> list[Atom]:
    """Atoms that keep every grapheme cluster of ``text`` in one part.

    ``unit_atoms`` are the text's code unit atoms (ESC pairs or surrogate
    pairs); they stay atoms, merged with any cluster they overlap. A cluster
    larger than a whole part cannot stay together: it is split like the rest
    of the text, only between its code unit atoms.
    """
    cluster_pattern, joining_pattern = load_grapheme_patterns()
    if joining_pattern.search(text) is None:  # every cluster is one code point
        return unit_atoms
    clusters = cluster_pattern.findall(text)

    # code point ranges that must stay together: unit atoms and clusters of
    # two or more code points, merged where they overlap
    spans = [(start, end) for start, end, _ in unit_atoms]
    pos = 0
    for cluster in clusters:
        if len(cluster) > 1:
            spans.append((pos, pos + len(cluster)))
        pos += len(cluster)
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])

    # size of each merged range: one unit per code point plus the extra
    # units of the unit atoms inside it
    atoms: list[Atom] = []
    i = 0
    for start, end in merged:
        inner: list[Atom] = []
        while i < len(unit_atoms) and unit_atoms[i][0] < end:
            inner.append(unit_atoms[i])
            i += 1
        units = (end - start) + sum(u - (e - s) for s, e, u in inner)
        if units <= capacity:
            atoms.append((start, end, units))
        else:  # larger than a part: only its unit atoms stay whole
            atoms.extend(inner)
    return atoms

