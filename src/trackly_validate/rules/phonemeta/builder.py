"""Build the fast patterns from the installed phonenumbers' metadata.

Per country calling code (CC):

``possible``
    the main region's national-prefix rule as blockers, and its possible lengths
    (local-only ones included): one :class:`~.search.PrefixSearch` whose tail is any
    digits of the safe lengths.
``valid``
    per region, in phonenumbers' order: earlier regions' claims join the blockers, the
    region's own ``leading_digits`` must have matched (shared CCs only), and the tail is
    the exact rest of its valid numbers (:class:`~.search.ExactRest`: the product of its
    general and type patterns, each type kept only when its pattern cannot produce a
    length outside its ``possible_length``).  The regions' patterns are alternatives of
    one pattern, so a number is accepted by one Rust regex: no chain of patterns, no
    number failing one alternative to reach another.

The result is anchored over the whole E.164 string, every CC's branch split off its
trailing free digits and joined with the other CCs' by their count
(``^\\+(?:(?:CC head|…)[0-9]{k}|…)$``, see :func:`anchored`).  An unsupported
construct drops the CC (or region) from the fast path (listed in ``skipped``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from threading import Lock
from typing import Any

from trackly_validate.rules.phonemeta.conditions import Always, Condition, FullMatch, Never, claim, national_prefix, type_patterns, TYPES
from trackly_validate.rules.phonemeta.regex import (Unsupported, build_cache, emit, join_heads, lengths, parse_regex,
                                                   split_any_tail)
from trackly_validate.rules.phonemeta.search import ExactRest, PrefixSearch

__all__ = ["FastPatterns", "build", "fast_patterns", "anchored", "Pieces", "Piece", "SHARED_TAIL"]

#: A CC's NSN-level branch split off its trailing free digits: ``((k, head), ...)`` means
#: the union of ``head [0-9]{k}`` (see :func:`~.regex.split_any_tail`).
Piece = tuple[tuple[int, str], ...]
#: Per CC, the (possible, valid) pieces (None: no fast path at that level).
Pieces = dict[int, tuple["Piece | None", "Piece | None"]]
#: How many trailing free digits are shared across CCs (see :func:`anchored`).
SHARED_TAIL = 6


@dataclass(frozen=True)
class FastPatterns:
    """Anchored patterns over the whole E.164 string (``^\\+CC…$``).

    ``possible``: one pattern.  ``valid``: patterns of which any one accepting proves the
    number valid (one, today).  ``pieces``: per CC, the NSN-level ``(possible, valid)``
    branches the two patterns are joined from, split off their trailing free digits
    (None: that level has no fast path for the CC); :func:`anchored` joins them.  ``by_cc``: the NSN-level pieces per CC (``possible``:
    a pattern or None; ``valid``: ``(region, pattern)`` pairs).  ``skipped``: what is left
    entirely to phonenumbers, and why.  ``dropped``: type patterns left out (they would
    need a length intersection), as "CC/REGION/type".
    """

    possible: str
    valid: tuple[str, ...]
    pieces: Pieces
    by_cc: dict[int, dict[str, Any]]
    skipped: tuple[str, ...]
    dropped: tuple[str, ...]


def build() -> FastPatterns:
    """Compile the fast patterns from the installed phonenumbers' metadata (about two
    seconds of Python: call once, or use the shipped patterns)."""
    with build_cache():
        return _CallingCodes().build()


class _CallingCodes:
    """One build: the per-CC pieces and what had to be left out."""

    def __init__(self) -> None:
        self.skipped: list[str] = []
        self.dropped: list[str] = []
        self.possible: dict[int, str] = {}
        self.valid: dict[int, str] = {}
        self.by_cc: dict[int, dict[str, Any]] = {}

    def build(self) -> FastPatterns:
        from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

        for cc, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
            self.calling_code(cc, list(regions))
        pieces = {cc: (_piece(self.possible.get(cc)), _piece(self.valid.get(cc))) for cc in self.by_cc}
        possible, valid = anchored(pieces)
        return FastPatterns(possible=possible, valid=(valid,), pieces=pieces, by_cc=self.by_cc,
                            skipped=tuple(self.skipped), dropped=tuple(self.dropped))

    def calling_code(self, cc: int, regions: list[str]) -> None:
        from phonenumbers.phonemetadata import PhoneMetadata

        span = set(range(2, 16 - len(str(cc))))  # NSN lengths E.164 and parse() allow
        entry: dict[str, Any] = {"possible": None, "valid": []}
        self.by_cc[cc] = entry
        main = PhoneMetadata.metadata_for_region_or_calling_code(cc, regions[0])
        try:
            if main is None:
                raise Unsupported("no metadata")
            prefix = national_prefix(main)
            general = main.general_desc
            if general is None:
                raise Unsupported("no general description")
            allowed = (set(general.possible_length) | set(general.possible_length_local_only)) & span
            guard = PrefixSearch(prefix, allowed).pattern()
        except (Unsupported, re.error) as exc:
            self.skipped.append(f"{cc}: {exc}")
            return
        if guard is not None:
            self.possible[cc] = entry["possible"] = guard
        shared = len(regions) > 1
        blockers: list[Condition] = list(prefix)
        for region in regions:
            meta = PhoneMetadata.metadata_for_region_or_calling_code(cc, region)
            try:
                if meta is None:
                    raise Unsupported("no metadata")
                picked = claim(meta) if shared else Never()  # only later regions care
                found = self.region(cc, region, meta, blockers, picked, span)
            except (Unsupported, re.error) as exc:
                self.skipped.append(f"{cc}/{region}: {exc}")
                found, picked = None, Always()
            if found is not None:
                entry["valid"].append((region, found))
            blockers.append(picked)
        if entry["valid"]:
            pieces = [p for _, p in entry["valid"]]
            self.valid[cc] = pieces[0] if len(pieces) == 1 else "|".join(f"(?:{p})" for p in pieces)

    def region(self, cc: int, region: str, meta: Any, blockers: list[Condition], picked: Condition,
               span: set[int]) -> str | None:
        """NSN-level pattern of the numbers valid in ``region`` (and picked for it), or None."""
        general = meta.general_desc
        if not general.national_number_pattern:
            return None
        allowed = set(general.possible_length) & span
        types = self.usable_types(cc, region, meta, allowed)
        if not types:
            return None
        # One region: region_code_for_number never looks at leading_digits.  Shared CC: a
        # region is picked by its leading digits, or (without them) by being valid there.
        required = picked if meta.leading_digits is not None and not isinstance(picked, Never) else None
        wanted = FullMatch(general.national_number_pattern, type_patterns(meta))
        tail = ExactRest(emit(parse_regex(general.national_number_pattern)), types)
        return PrefixSearch(blockers, allowed, required=required, wanted=wanted, tail=tail).pattern()

    def usable_types(self, cc: int, region: str, meta: Any, allowed: set[int]) -> list[str]:
        """The region's type patterns, emitted, each kept only when it cannot produce an
        allowed length outside its own ``possible_length`` (dropping one only shrinks
        the accepted set)."""
        out = []
        for name in TYPES:
            desc = getattr(meta, name)
            if desc is None or not desc.national_number_pattern:
                continue
            node = parse_regex(desc.national_number_pattern)
            own = set(desc.possible_length)
            if own and not (lengths(node) & allowed) <= own:
                self.dropped.append(f"{cc}/{region}/{name}")  # would need a length intersection
                continue
            pattern = emit(node)
            if pattern not in out:  # fixed-line and mobile are often the same pattern
                out.append(pattern)
        return out


def _piece(branch: str | None) -> Piece | None:
    """A CC's branch as heads by number of trailing free digits (most first)."""
    if branch is None:
        return None
    split = split_any_tail(parse_regex(branch), SHARED_TAIL)
    return tuple((k, join_heads(split[k])) for k in sorted(split, reverse=True))


def _alternation(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "(?:" + "|".join(items) + ")"


def anchored(pieces: Pieces) -> tuple[str, str]:
    """(possible, valid): the per-CC pieces joined into one pattern per level, anchored
    over the whole E.164 string: ``^\\+(?:(?:CC head|CC head...)[0-9]{k}|...)$``, one
    shared run of k free digits for every CC's heads that end so."""
    return (_anchored({cc: p for cc, (p, _) in pieces.items() if p is not None}),
            _anchored({cc: v for cc, (_, v) in pieces.items() if v is not None}))


def _anchored(pieces: dict[int, Piece]) -> str:
    if not pieces:
        return r"^\+\+"  # matches no E.164 string
    by_tail: dict[int, list[str]] = {}
    for cc, piece in sorted(pieces.items()):
        for k, head in piece:
            by_tail.setdefault(k, []).append(f"{cc}{head}")
    branches = [_alternation(heads) + (f"[0-9]{{{k}}}" if k else "") for k, heads in sorted(by_tail.items(), reverse=True)]
    return r"^\+(?:" + "|".join(branches) + ")$"


_BUILT: list[FastPatterns] = []
_BUILD_LOCK = Lock()


def fast_patterns() -> FastPatterns:
    """The compiled patterns: built on the first call and kept for the process - one
    fixed-size value, not a cache that grows."""
    if not _BUILT:
        with _BUILD_LOCK:
            if not _BUILT:
                _BUILT.append(build())
    return _BUILT[0]
