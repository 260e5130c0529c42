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

The result is anchored over the whole E.164 string (``^\\+CC…$``).  An unsupported
construct drops the CC (or region) from the fast path (listed in ``skipped``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from threading import Lock
from typing import Any

from trackly_validate.rules.phonemeta.conditions import Always, Condition, FullMatch, Never, claim, national_prefix, type_patterns, TYPES
from trackly_validate.rules.phonemeta.regex import Unsupported, build_cache, emit, lengths, parse_regex
from trackly_validate.rules.phonemeta.search import ExactRest, PrefixSearch

__all__ = ["FastPatterns", "build", "fast_patterns"]


@dataclass(frozen=True)
class FastPatterns:
    """Anchored patterns over the whole E.164 string (``^\\+CC…$``).

    ``possible``: one pattern.  ``valid``: patterns of which any one accepting proves the
    number valid (one, today).  ``by_cc``: the NSN-level pieces per CC (``possible``:
    a pattern or None; ``valid``: ``(region, pattern)`` pairs).  ``skipped``: what is left
    entirely to phonenumbers, and why.  ``dropped``: type patterns left out (they would
    need a length intersection), as "CC/REGION/type".
    """

    possible: str
    valid: tuple[str, ...]
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
        return FastPatterns(possible=_anchored(self.possible), valid=(_anchored(self.valid),), by_cc=self.by_cc,
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


def _anchored(branches: dict[int, str]) -> str:
    if not branches:
        return r"^\+\+"  # matches no E.164 string
    return r"^\+(?:" + "|".join(f"{cc}(?:{body})" for cc, body in sorted(branches.items())) + ")$"


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
