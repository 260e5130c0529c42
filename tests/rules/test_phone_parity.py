"""Phone levels: our verdicts are exactly phonenumbers' (issue 6).

The reference is phonenumbers itself, called the way a user would:
``is_possible_number(parse(n, None))`` / ``is_valid_number(parse(n, None))`` for
strings that pass E.164, and a plain Python fullmatch of the E.164 syntax for the
``format`` level.  Checked three ways:

- the Rust fast path alone (the union of fast-accept choices, no Python) may only
  accept numbers phonenumbers accepts - it must never say yes to a no;
- the whole level schema (fast path + phonenumbers fallback, as models use it), the
  Python helpers ``is_possible``/``is_valid`` and ``tv.check`` agree with phonenumbers
  on every number;
- the fast path really decides the common case (most valid example numbers never
  reach Python), so the speed is structural, not luck.

Number sets: every region's ``example_number_for_type`` for every type (and the
non-geographic entities), perturbed (a digit changed, added, removed, swapped; a
national prefix or zeros inserted after the CC; truncated, extended), random digit
strings, near misses; plus a Hypothesis property over E.164 strings.  The default run
checks ~50k numbers; ``pytest -m slow`` adds a ~10x larger set.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys

import phonenumbers as pn
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from phonenumbers.phonemetadata import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS
from pydantic_core import SchemaValidator, ValidationError, core_schema as cs

import trackly_validate as tv
from trackly_validate import Options
from trackly_validate.core.catalog import C
from trackly_validate.rules import phonemeta
from trackly_validate.rules.phones import (
    CACHE_SIZE,
    E164_PATTERN,
    fast_choices,
    is_possible,
    is_valid,
    level_schema,
    passes,
)

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
LEVELS = ("possible", "valid")


# --- the reference ---------------------------------------------------------------------------------------

def reference(number: str, level: str) -> bool:
    if _E164.fullmatch(number) is None:
        return False
    if level == "format":
        return True
    try:
        parsed = pn.parse(number, None)
    except pn.NumberParseException:
        return False
    return bool(pn.is_possible_number(parsed) if level == "possible" else pn.is_valid_number(parsed))


# --- ours ------------------------------------------------------------------------------------------------

FAST = {level: SchemaValidator(cs.union_schema(fast_choices(level), mode="left_to_right")) for level in LEVELS}
FULL = {level: SchemaValidator(level_schema(level, C.invalid_phone)) for level in LEVELS}
FORMAT = SchemaValidator(cs.str_schema(pattern=E164_PATTERN, strict=True))


def schema_verdict(validator: SchemaValidator, number: str) -> bool:
    try:
        validator.validate_python(number)
    except ValidationError as exc:
        errors = exc.errors()
        assert [e["type"] for e in errors] == ["invalid_phone"]  # one problem, the field's own code
        return False
    return True


def mismatches(numbers: list[str]) -> list[tuple[str, str, str]]:
    """(level, number, what) for every disagreement with phonenumbers."""
    out = []
    for n in numbers:
        if FORMAT.isinstance_python(n) != (_E164.fullmatch(n) is not None):
            out.append(("format", n, "rust E.164"))
        for level in LEVELS:
            want = reference(n, level)
            if FAST[level].isinstance_python(n) and not want:
                out.append((level, n, "fast path accepted"))
            if schema_verdict(FULL[level], n) != want:
                out.append((level, n, "schema"))
            if passes(n, level) != want:
                out.append((level, n, "passes()"))
    return out


# --- number sets -----------------------------------------------------------------------------------------

_TYPES = [t for name, t in vars(pn.PhoneNumberType).items() if name.isupper() and name != "UNKNOWN"]


def example_numbers() -> list[str]:
    out = set()
    for region in sorted(SUPPORTED_REGIONS):
        for t in _TYPES:
            ex = pn.example_number_for_type(region, t)
            if ex is not None:
                out.add(pn.format_number(ex, pn.PhoneNumberFormat.E164))
        bad = pn.invalid_example_number(region)
        if bad is not None:
            out.add(pn.format_number(bad, pn.PhoneNumberFormat.E164))
    for cc in sorted(pn.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        meta = PhoneMetadata.metadata_for_nongeo_region(cc)
        for desc in (meta.general_desc, meta.mobile, meta.toll_free, meta.premium_rate, meta.shared_cost,
                     meta.voip, meta.personal_number, meta.uan):
            if desc is not None and desc.example_number:
                out.add(f"+{cc}{desc.example_number}")
    return sorted(out)


EXAMPLES = example_numbers()
_PREFIXES = ("0", "00", "000", "1", "8", "9", "06", "15", "90", "80", "180020", "0549", "20")


def _split(number: str) -> tuple[str, str]:
    digits = number[1:]
    for i in (1, 2, 3):
        if int(digits[:i]) in COUNTRY_CODE_TO_REGION_CODE:
            return digits[:i], digits[i:]
    return digits[:1], digits[1:]


def perturbed(number: str, rnd: random.Random, count: int) -> list[str]:
    cc, nsn = _split(number)
    region = pn.region_code_for_country_code(int(cc))
    meta = PhoneMetadata.metadata_for_region_or_calling_code(int(cc), region)
    prefixes = _PREFIXES + tuple(p for p in (meta and meta.national_prefix,) if p)
    out = []
    for _ in range(count):
        s = list(nsn)
        op = rnd.randrange(9)
        if op == 0 and s:
            s[rnd.randrange(len(s))] = rnd.choice("0123456789")
        elif op == 1:
            s.insert(rnd.randrange(len(s) + 1), rnd.choice("0123456789"))
        elif op == 2 and s:
            del s[rnd.randrange(len(s))]
        elif op == 3:
            s[:0] = rnd.choice(prefixes)  # a national prefix after the CC
        elif op == 4:
            s[:0] = "0" * rnd.randrange(1, 4)  # leading zeros (Italian style)
        elif op == 5 and len(s) > 1:
            i = rnd.randrange(len(s) - 1)
            s[i], s[i + 1] = s[i + 1], s[i]
        elif op == 6:
            s = s[: rnd.randrange(len(s) + 1)]
        elif op == 7:
            s += [rnd.choice("0123456789") for _ in range(rnd.randrange(1, 4))]
        else:  # a random tail after the first few digits of the number
            keep = rnd.randrange(len(s) + 1)
            s = s[:keep] + [rnd.choice("0123456789") for _ in range(rnd.randrange(0, 12 - min(keep, 11)))]
        out.append("+" + cc + "".join(s))
    return out


def random_numbers(rnd: random.Random, count: int) -> list[str]:
    ccs = [str(c) for c in sorted(COUNTRY_CODE_TO_REGION_CODE)]
    out = []
    for i in range(count):
        if i % 2:
            body = rnd.choice("123456789") + "".join(rnd.choice("0123456789") for _ in range(rnd.randrange(1, 15)))
        else:  # an assigned CC and a random NSN: far more interesting than uniform digits
            body = rnd.choice(ccs) + "".join(rnd.choice("0123456789") for _ in range(rnd.randrange(0, 14)))
        out.append("+" + body)
    return out


def number_set(seed: int, per_example: int, randoms: int) -> list[str]:
    rnd = random.Random(seed)
    out = set(EXAMPLES)
    for ex in EXAMPLES:
        out.update(perturbed(ex, rnd, per_example))
    out.update(random_numbers(rnd, randoms))
    return sorted(n for n in out if _E164.fullmatch(n))


# --- tests -----------------------------------------------------------------------------------------------

def test_example_numbers_cover_every_region_and_the_non_geographic_codes():
    ccs = {int(_split(n)[0]) for n in EXAMPLES}
    assert len(EXAMPLES) > 1000
    assert ccs == set(COUNTRY_CODE_TO_REGION_CODE) - {c for c, r in COUNTRY_CODE_TO_REGION_CODE.items()
                                                      if not any(_has_example(x, c) for x in r)}


def _has_example(region: str, cc: int) -> bool:
    if region == "001":
        return True
    return any(pn.example_number_for_type(region, t) is not None for t in _TYPES)


def test_every_documented_valid_example_passes_both_levels():
    for n in EXAMPLES:
        for level in LEVELS:
            assert schema_verdict(FULL[level], n) == reference(n, level), (level, n)


def test_zero_mismatches_on_the_generated_set():
    numbers = number_set(seed=6, per_example=30, randoms=12_000)
    assert len(numbers) > 40_000
    assert mismatches(numbers) == []


@pytest.fixture
def slow_enabled(request):
    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("the large parity set runs with `pytest -m slow`")


@pytest.mark.slow
def test_zero_mismatches_on_the_large_generated_set(slow_enabled):
    numbers = number_set(seed=66, per_example=300, randoms=120_000)
    assert len(numbers) > 250_000
    assert mismatches(numbers) == []


def test_the_fast_path_decides_the_common_case():
    valid = [n for n in EXAMPLES if reference(n, "valid")]
    possible = [n for n in EXAMPLES if reference(n, "possible")]
    fast_valid = [n for n in valid if FAST["valid"].isinstance_python(n)]
    fast_possible = [n for n in possible if FAST["possible"].isinstance_python(n)]
    assert len(fast_valid) >= 0.98 * len(valid)
    assert len(fast_possible) >= 0.98 * len(possible)
    # the big countries are all decided in Rust
    for region in ("US", "CA", "GB", "DE", "FR", "IT", "ES", "BR", "MX", "IN", "CN", "JP", "RU", "KZ",
                   "AU", "NG", "ZA", "AR", "PR", "JM"):
        for t in (pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE):
            ex = pn.example_number_for_type(region, t)
            n = pn.format_number(ex, pn.PhoneNumberFormat.E164)
            assert FAST["valid"].isinstance_python(n), (region, n)
            assert FAST["possible"].isinstance_python(n), (region, n)


@pytest.mark.parametrize("number, possible, valid", [
    ("+14155552671", True, True),       # US
    ("+16135550123", True, True),       # CA: same CC, picked without leading digits
    ("+12684601234", True, True),       # AG: leading digits 268
    ("+19395550123", True, True),       # PR: 939
    ("+11234567890", True, False),      # NANP area code 123
    ("+1415555267", False, False),      # one digit short
    ("+447400123456", True, True),      # GB mobile
    ("+4407400123456", True, True),     # GB with its national prefix: parse strips the 0
    ("+441481256789", True, True),      # GG: shares +44 with GB
    ("+390612345678", True, True),      # IT: the leading 0 is kept (Italian leading zero)
    ("+39066981234", True, True),       # VA inside +39
    ("+78001234567", True, True),       # RU toll free: 8 is the national prefix, not stripped here
    ("+77011234567", True, True),       # KZ shares +7
    ("+5491123456789", True, True),     # AR mobile
    ("+541115123456", True, True),      # AR 11 15 + 6 digits: too short for the rewrite, kept
    ("+5411151234567", True, False),    # AR 11 15 + 7 digits: parse rewrites it to 9 11 ... (invalid)
    ("+8613812345678", True, True),     # CN mobile
    ("+80012345678", True, True),       # non-geographic freephone
    ("+999123456", False, False),       # unassigned CC
    ("+12", False, False),              # E.164 but too short to parse
    ("+123456789012345", False, False),  # 15 digits
])
def test_known_numbers(number, possible, valid):
    assert reference(number, "possible") == possible and reference(number, "valid") == valid  # the table is right
    assert schema_verdict(FULL["possible"], number) == possible
    assert schema_verdict(FULL["valid"], number) == valid
    assert is_possible(number) == possible and is_valid(number) == valid


E164_STRINGS = st.one_of(
    st.from_regex(r"\+[1-9][0-9]{1,14}", fullmatch=True),
    st.builds(lambda cc, nsn: f"+{cc}{nsn}", st.sampled_from(sorted(COUNTRY_CODE_TO_REGION_CODE)),
              st.text("0123456789", max_size=13)),
    st.builds(lambda ex, cut, tail: ex[:cut] + tail, st.sampled_from(EXAMPLES), st.integers(2, 16),
              st.text("0123456789", max_size=4)),
).filter(lambda s: _E164.fullmatch(s) is not None)


@SETTINGS
@given(E164_STRINGS)
def test_property_e164_strings_get_phonenumbers_verdicts(number):
    assert mismatches([number]) == []


@SETTINGS
@given(st.text(max_size=20) | st.from_regex(r"\+?[0-9\u0660-\u0669]{0,17}\n?", fullmatch=True))
def test_property_any_string_format_level(number):
    want = _E164.fullmatch(number) is not None
    assert FORMAT.isinstance_python(number) == want
    for level in LEVELS:
        if not want:  # anything that is not E.164 fails every level, with the field's code
            assert not FAST[level].isinstance_python(number)
            assert not schema_verdict(FULL[level], number)


@pytest.mark.parametrize("level", LEVELS)
def test_check_answers_like_phonenumbers(level):
    rnd = random.Random(60)
    numbers = rnd.sample(number_set(seed=61, per_example=1, randoms=500), 400)
    opts = Options(phone_level=level)
    base = {"list_number": "+18005551000", "body": "hi"}
    for n in numbers:
        got = tv.check("POST", "/v2/send", {**base, "to": n}, options=opts)
        want = [] if reference(n, level) else [
            tv.Problem("invalid_phone", "Invalid recipient phone number format", 400, ("to",))]
        assert got == want, n


def test_non_strings_are_the_fields_code():
    for value in (14155552671, 1.5, True, None, [], {}, b"+14155552671"):
        for level in LEVELS:
            assert not schema_verdict(FULL[level], value)  # type: ignore[arg-type]


# --- the compiler's pieces -------------------------------------------------------------------------------

def _metadata_patterns() -> list[str]:
    out = set()
    for cc, regions in COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            meta = PhoneMetadata.metadata_for_region_or_calling_code(cc, region)
            for name in ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                         "personal_number", "voip", "pager", "uan", "voicemail"):
                desc = getattr(meta, name)
                if desc is not None and desc.national_number_pattern:
                    out.add(desc.national_number_pattern)
            if meta.leading_digits:
                out.add(meta.leading_digits)
    return sorted(out)


def _sample(nfa: phonemeta.Nfa, rnd: random.Random) -> str:
    """A random string of the NFA's language (a walk that stays on live states)."""
    state, out = nfa.start, ""
    while True:
        moves = [d for d in "0123456789" if nfa.step(state, d)]
        if not moves or (nfa.accepts(state) and rnd.random() < 0.3):
            return out
        d = rnd.choice(moves)
        state, out = nfa.step(state, d), out + d


def test_every_metadata_pattern_is_parsed_and_re_emitted_faithfully():
    rnd = random.Random(7)
    patterns = _metadata_patterns()
    assert len(patterns) > 1000
    for p in patterns:
        node = phonemeta.parse_regex(p)
        ours, theirs = re.compile(phonemeta.emit(node)), re.compile(p)
        nfa = phonemeta.Nfa(node)
        lens = phonemeta.lengths(node)
        for _ in range(12):
            member = _sample(nfa, rnd)
            assert theirs.fullmatch(member) and ours.fullmatch(member), (p, member)
            assert len(member) in lens
            near = list(member)
            near[rnd.randrange(len(near))] = rnd.choice("0123456789")
            for s in ("".join(near), member[:-1], member + rnd.choice("0123456789"),
                      "".join(rnd.choice("0123456789") for _ in range(len(member)))):
                assert (ours.fullmatch(s) is None) == (theirs.fullmatch(s) is None), (p, s)
                if theirs.fullmatch(s):
                    assert len(s) in lens


def test_nfa_agrees_with_python_re_on_prefix_matches():
    rnd = random.Random(8)
    for p in ["0|180020", "0|80?", "(1001)|0", "0?(?:(11|2(?:2(?:02?|[13]))|3)?15)?", "06", "[08]",
              "(183[12])|0", "0(?:(1[245]|2[1-35])(\\d{10,11}))?", "74576|(?:16|7[56])24"]:
        nfa = phonemeta.Nfa(phonemeta.parse_regex(p), end_is_epsilon=True)
        theirs = re.compile(p)
        for _ in range(300):
            s = "".join(rnd.choice("0123456789") for _ in range(rnd.randrange(0, 8)))
            state, hit = nfa.start, nfa.accepts(nfa.start)
            for d in s:
                state = nfa.step(state, d)
                hit = hit or nfa.accepts(state)
            # some prefix of s (maybe empty) is in the language iff re.match finds one
            assert hit == any(theirs.fullmatch(s[:i]) for i in range(len(s) + 1)), (p, s)


def test_unsupported_syntax_is_refused_not_guessed():
    for p in ("\\d+", "a", "[^0]", "(?=1)", "0*", "\\d{3,}"):
        with pytest.raises(phonemeta.Unsupported):
            phonemeta.parse_regex(p)
    with pytest.raises(phonemeta.Unsupported):
        phonemeta.emit(phonemeta.parse_regex("12$"))  # '$' is never used to accept


def test_every_calling_code_is_compiled():
    fp = phonemeta.fast_patterns()
    assert fp.skipped == ()
    assert fp.dropped == ()
    assert set(fp.by_cc) == set(COUNTRY_CODE_TO_REGION_CODE)
    assert all(entry["possible"] for entry in fp.by_cc.values())
    # every region of every CC has a fast path (EH cannot: MA's leading digits [5-8] take
    # every EH number first), and they all fit in one row
    missing = {(cc, region) for cc, entry in fp.by_cc.items() for region in COUNTRY_CODE_TO_REGION_CODE[cc]
               if region not in {r[0] for r in entry["valid"]}}
    assert missing == {(212, "EH")}
    assert len(fp.valid) == 1


def test_caches_are_bounded():
    from trackly_validate.rules import phones

    for fn in (phones._parse, phones._exact_possible, phones._exact_valid):
        assert fn.cache_info().maxsize == CACHE_SIZE


def test_import_is_lazy_and_no_geocoder_carrier_or_timezone_module_is_loaded():
    code = (
        "import sys, trackly_validate as tv\n"
        "assert 'phonenumbers' not in sys.modules, 'import pulled in phonenumbers'\n"
        "opts = tv.Options(phone_level='valid', block_voip=True, allowed_countries={'US'})\n"
        "assert tv.check('POST', '/v2/send', {'to': '+14155552671', 'list_number': '+18005551000',"
        " 'body': 'x'}, options=opts) == []\n"
        "assert tv.check('POST', '/v2/send', {'to': '+4407400123456', 'list_number': '+18005551000',"
        " 'body': 'x'}, options=opts)[0].code == 'geo_restricted'\n"
        "bad = [m for m in sys.modules if m.startswith('phonenumbers.') and"
        " any(w in m for w in ('geocoder', 'carrier', 'timezone', 'geodata', 'tzdata'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _same_language(a: phonemeta.Nfa, b: phonemeta.Nfa) -> bool:
    """Both automata accept exactly the same digit strings (a walk of their product)."""
    seen, stack = set(), [(a.start, b.start)]
    while stack:
        pair = stack.pop()
        if pair in seen:
            continue
        seen.add(pair)
        sa, sb = pair
        if bool(sa and a.accepts(sa)) != bool(sb and b.accepts(sb)):
            return False
        for d in "0123456789":
            nxt = (a.step(sa, d) if sa else 0, b.step(sb, d) if sb else 0)
            if nxt != (0, 0):
                stack.append(nxt)
    return True


def test_the_shared_free_digit_runs_keep_each_calling_codes_language():
    # the shipped form joins every CC's heads by their trailing free digits; per CC, the
    # heads followed by [0-9]{k} must accept exactly the CC's branch as built
    fp = phonemeta.fast_patterns()
    for cc, (possible, valid) in fp.pieces.items():
        entry = fp.by_cc[cc]
        branches = [entry["possible"], "|".join(f"(?:{p})" for _, p in entry["valid"]) or None]
        for piece, branch in zip((possible, valid), branches):
            assert (piece is None) == (branch is None), cc
            if piece is None:
                continue
            joined = "|".join(f"(?:{head})" + (f"[0-9]{{{k}}}" if k else "") for k, head in piece)
            assert max(k for k, _ in piece) <= phonemeta.builder.SHARED_TAIL
            assert _same_language(phonemeta.Nfa(phonemeta.parse_regex(joined)),
                                  phonemeta.Nfa(phonemeta.parse_regex(branch))), cc
