"""phonenumbers' own metadata, compiled into Rust-regex fast paths for the phone levels.

The ``"possible"`` and ``"valid"`` phone levels must give exactly the verdicts of
``phonenumbers.is_possible_number(phonenumbers.parse(n))`` and
``phonenumbers.is_valid_number(phonenumbers.parse(n))``.  Calling phonenumbers costs
35-400 µs a number, so this package derives from its metadata, per country calling
code (CC), anchored patterns over the whole E.164 string that pydantic-core runs in
Rust.  They only accept numbers whose verdict is *provably* True; anything else goes to
phonenumbers itself, so the verdict is exact either way.  The patterns ship prebuilt for
every phonenumbers release of the dependency range (:mod:`.prebuilt`); ``import
trackly_validate`` never imports phonenumbers.

What can make ``parse``/``is_valid_number`` disagree with a plain reading of
``+CC NSN``, and how the patterns rule it out (:mod:`.conditions`, :mod:`.search`):

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
    ``valid``: the exact product of the region's ``general_desc`` and the union of its
    type patterns, each type kept only when its pattern cannot produce a length outside
    its ``possible_length`` (dropping one only shrinks the accepted set; none is dropped
    with today's metadata).

numbers never seen before
    Rust's lazy DFA builds a state the first time a number reaches it, so a number's
    first check costs what its new states cost.  Each CC's branch is split off its
    trailing free digits (up to ``SHARED_TAIL``), and the branches of every CC are
    joined by that count: ``(?:CC head|CC head…)[0-9]{k}``, one shared copy of the
    last k free digits for all countries instead of one per prefix (about half the
    states for ``possible``, a quarter for ``valid`` on a send list of many countries).

Modules: :mod:`.regex` (the metadata's regex subset: parse, measure, emit, NFA),
:mod:`.conditions` (phonenumbers' behaviour as conditions on leading digits),
:mod:`.search` (the prefix search and the exact tails), :mod:`.builder` (per-CC
assembly), :mod:`.prebuilt` (the prebuilt file and its key).  An unsupported construct
drops the CC (or region) from the fast path; a prefix that cannot be proved safe within
the trie budget is simply left to phonenumbers.
"""

from __future__ import annotations

from trackly_validate.rules.phonemeta.builder import FastPatterns, build, fast_patterns
from trackly_validate.rules.phonemeta.regex import Nfa, Unsupported, emit, lengths, parse_regex
from trackly_validate.rules.phonemeta.prebuilt import (BUILDER_VERSION, PhonePatternsWarning, patterns, shipped,
                                                     shipped_key, shipped_pieces, shipped_releases, write_shipped)

__all__ = ["FastPatterns", "fast_patterns", "build", "parse_regex", "emit", "lengths", "Nfa", "Unsupported",
           "BUILDER_VERSION", "PhonePatternsWarning", "shipped_key", "shipped", "shipped_pieces", "shipped_releases",
           "patterns", "write_shipped"]
