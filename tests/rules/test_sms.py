"""Tests for trackly_validate.rules.sms (SMS encoding/segments and creative estimates).

Expected values in the tables are worked out by hand from the rules:
GSM-7 160 single / 153 multipart (extension chars = 2 septets),
UCS-2 70 single / 67 multipart (non-BMP chars = 2 code units). A multipart
message is packed greedily and a 2-unit character that would start on the
last unit of a part moves to the next part (tests/rules/test_sms_parts.py has the
boundary tables and properties of the packing itself).
"""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackly_validate.rules import sms
from trackly_validate.rules.sms import (
    CreativeEstimate,
    SmsAnalysis,
    analyze_sms,
    estimate_creative,
)

# Independent copy of the GSM 03.38 basic set, written from the spec text
# (not imported from the module), used to cross-check the module's table.
BASIC_ASCII = (
    " \n\r!\"#%&'()*+,-./0123456789:;<=>?@_$"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)
BASIC_NON_ASCII_NAMES = [
    "POUND SIGN", "YEN SIGN", "CURRENCY SIGN", "SECTION SIGN",
    "INVERTED EXCLAMATION MARK", "INVERTED QUESTION MARK",
    "LATIN SMALL LETTER E WITH GRAVE", "LATIN SMALL LETTER E WITH ACUTE",
    "LATIN SMALL LETTER U WITH GRAVE", "LATIN SMALL LETTER I WITH GRAVE",
    "LATIN SMALL LETTER O WITH GRAVE", "LATIN CAPITAL LETTER C WITH CEDILLA",
    "LATIN CAPITAL LETTER O WITH STROKE", "LATIN SMALL LETTER O WITH STROKE",
    "LATIN CAPITAL LETTER A WITH RING ABOVE", "LATIN SMALL LETTER A WITH RING ABOVE",
    "GREEK CAPITAL LETTER DELTA", "GREEK CAPITAL LETTER PHI",
    "GREEK CAPITAL LETTER GAMMA", "GREEK CAPITAL LETTER LAMDA",
    "GREEK CAPITAL LETTER OMEGA", "GREEK CAPITAL LETTER PI",
    "GREEK CAPITAL LETTER PSI", "GREEK CAPITAL LETTER SIGMA",
    "GREEK CAPITAL LETTER THETA", "GREEK CAPITAL LETTER XI",
    "LATIN CAPITAL LETTER AE", "LATIN SMALL LETTER AE",
    "LATIN SMALL LETTER SHARP S", "LATIN CAPITAL LETTER E WITH ACUTE",
    "LATIN CAPITAL LETTER A WITH DIAERESIS", "LATIN CAPITAL LETTER O WITH DIAERESIS",
    "LATIN CAPITAL LETTER N WITH TILDE", "LATIN CAPITAL LETTER U WITH DIAERESIS",
    "LATIN SMALL LETTER A WITH DIAERESIS", "LATIN SMALL LETTER O WITH DIAERESIS",
    "LATIN SMALL LETTER N WITH TILDE", "LATIN SMALL LETTER U WITH DIAERESIS",
    "LATIN SMALL LETTER A WITH GRAVE",
]
BASIC = BASIC_ASCII + "".join(unicodedata.lookup(n) for n in BASIC_NON_ASCII_NAMES)
EXTENSION = "\f^{}\\[~]|\u20ac"

EMOJI = "\U0001F600"  # grinning face, outside the BMP
LDQ, RDQ, LSQ, RSQ = "\u201c", "\u201d", "\u2018", "\u2019"
EM_DASH, ELLIPSIS = "\u2014", "\u2026"


# ---------------------------------------------------------------------------
# Alphabet tables
# ---------------------------------------------------------------------------


def test_basic_alphabet_matches_spec():
    assert len(BASIC) == 127
    assert len(set(BASIC)) == 127
    assert set(sms.GSM7_BASIC) == set(BASIC)
    assert len(sms.GSM7_BASIC) == 127


def test_extension_table_matches_spec():
    assert set(sms.GSM7_EXTENSION) == set(EXTENSION)
    assert not set(EXTENSION) & set(BASIC)


def test_dunder_all():
    assert sms.__all__ == [
        "analyze_sms", "SmsAnalysis", "split_sms", "SplitMode", "estimate_creative", "CreativeEstimate",
    ]


@pytest.mark.parametrize("ch", list(BASIC))
def test_each_basic_char_is_one_septet(ch):
    r = analyze_sms(ch)
    assert (r.encoding, r.length, r.segments, r.ucs2_chars) == ("GSM-7", 1, 1, ())


@pytest.mark.parametrize("ch", list(EXTENSION))
def test_each_extension_char_is_two_septets(ch):
    r = analyze_sms(ch)
    assert (r.encoding, r.length, r.segments, r.remaining, r.ucs2_chars) == ("GSM-7", 2, 1, 158, ())


@pytest.mark.parametrize(
    "ch",
    [
        "`", "\t", "\x00", "\x1b", "\x7f", "\x0b",
        "\u00e7",  # small c cedilla: only the capital is in GSM 03.38
        "\u00a0",  # no-break space
        "\u00e1", "\u00ed", "\u00f3", "\u00fa",  # acute vowels other than é
        "\u2126",  # OHM SIGN, look-alike of Greek Omega
        "\u00b5", "\u20b9", LDQ, RDQ, LSQ, RSQ, EM_DASH, ELLIPSIS,
        "\u0416", "\u65e5", "\u0301",
    ],
)
def test_non_gsm_bmp_char_forces_ucs2(ch):
    r = analyze_sms(ch)
    assert (r.encoding, r.length, r.segments, r.remaining, r.ucs2_chars) == ("UCS-2", 1, 1, 69, (ch,))


# ---------------------------------------------------------------------------
# Big exact table: text -> (encoding, length, segments, per_segment, remaining, ucs2_chars)
# ---------------------------------------------------------------------------

G, U = "GSM-7", "UCS-2"

CASES = [
    # id, text, encoding, length, segments, per_segment, remaining, ucs2_chars
    ("empty", "", G, 0, 1, 160, 160, ()),  # one empty message, as Twilio's calculator counts it
    ("one-char", "a", G, 1, 1, 160, 159, ()),
    ("gsm-160", "a" * 160, G, 160, 1, 160, 0, ()),
    ("gsm-161", "a" * 161, G, 161, 2, 153, 145, ()),
    ("gsm-306", "a" * 306, G, 306, 2, 153, 0, ()),
    ("gsm-307", "a" * 307, G, 307, 3, 153, 152, ()),
    ("gsm-459", "a" * 459, G, 459, 3, 153, 0, ()),
    ("gsm-460", "a" * 460, G, 460, 4, 153, 152, ()),
    ("gsm-612", "a" * 612, G, 612, 4, 153, 0, ()),
    ("gsm-613", "a" * 613, G, 613, 5, 153, 152, ()),
    ("gsm-1600", "a" * 1600, G, 1600, 11, 153, 83, ()),
    ("at-sign-161", "@" * 161, G, 161, 2, 153, 145, ()),
    ("greek-160", "\u0394" * 160, G, 160, 1, 160, 0, ()),
    ("greek-161", "\u03a9" * 161, G, 161, 2, 153, 145, ()),
    ("accented-gsm", "\u00e9\u00e8\u00e0\u00fc\u00d1\u00c7\u00df", G, 7, 1, 160, 153, ()),
    ("newline-cr", "Hello\nWorld\r", G, 12, 1, 160, 148, ()),
    ("doc-example-23", "Your order ships today.", G, 23, 1, 160, 137, ()),
    ("doc-example-37", "Your code is 482910. Valid for 5 min.", G, 37, 1, 160, 123, ()),
    ("all-basic", BASIC, G, 127, 1, 160, 33, ()),
    # extension characters at the boundaries
    ("ext-158a+euro", "a" * 158 + "\u20ac", G, 160, 1, 160, 0, ()),
    ("ext-159a+euro", "a" * 159 + "\u20ac", G, 161, 2, 153, 145, ()),
    ("ext-159a+caret", "a" * 159 + "^", G, 161, 2, 153, 145, ()),
    ("ext-159a+formfeed", "a" * 159 + "\f", G, 161, 2, 153, 145, ()),
    ("ext-euro-80", "\u20ac" * 80, G, 160, 1, 160, 0, ()),
    # 76 euros fill 152 septets; the 77th would straddle, so part 2 holds 5 (10 septets)
    ("ext-euro-81", "\u20ac" * 81, G, 162, 2, 153, 143, ()),
    # 306 septets, but parts of 76 braces: 76 + 76 + 1 -> 3 parts, 2 septets in the last
    ("ext-brace-153", "{" * 153, G, 306, 3, 153, 151, ()),
    # part 2 ends with 152 a's, the caret (2 septets) moves to part 3
    ("ext-305a+caret", "a" * 305 + "^", G, 307, 3, 153, 151, ()),
    ("ext-306a+caret", "a" * 306 + "^", G, 308, 3, 153, 151, ()),
    ("ext-all-ten", EXTENSION, G, 20, 1, 160, 140, ()),
    ("ext-mixed-nonascii", "Price: 5\u20ac [approx] caf\u00e9", G, 26, 1, 160, 134, ()),
    ("ext-json-like", '{"a":[1|2]}', G, 16, 1, 160, 144, ()),
    # UCS-2 boundaries (Cyrillic zhe, one BMP unit each)
    ("ucs2-70", "\u0436" * 70, U, 70, 1, 70, 0, ("\u0436",)),
    ("ucs2-71", "\u0436" * 71, U, 71, 2, 67, 63, ("\u0436",)),
    ("ucs2-134", "\u0436" * 134, U, 134, 2, 67, 0, ("\u0436",)),
    ("ucs2-135", "\u0436" * 135, U, 135, 3, 67, 66, ("\u0436",)),
    ("ucs2-201", "\u0436" * 201, U, 201, 3, 67, 0, ("\u0436",)),
    ("ucs2-202", "\u0436" * 202, U, 202, 4, 67, 66, ("\u0436",)),
    ("ucs2-69a+cedilla", "a" * 69 + "\u00e7", U, 70, 1, 70, 0, ("\u00e7",)),
    ("ucs2-70a+cedilla", "a" * 70 + "\u00e7", U, 71, 2, 67, 63, ("\u00e7",)),
    # emoji (surrogate pair = 2 units)
    ("emoji-alone", EMOJI, U, 2, 1, 70, 68, (EMOJI,)),
    ("emoji-35", EMOJI * 35, U, 70, 1, 70, 0, (EMOJI,)),
    # 33 emoji fill 66 units, the 34th would straddle: 33 + 3 emoji, 6 units in the last
    ("emoji-36", EMOJI * 36, U, 72, 2, 67, 61, (EMOJI,)),
    ("emoji-68a", "a" * 68 + EMOJI, U, 70, 1, 70, 0, (EMOJI,)),
    ("emoji-69a", "a" * 69 + EMOJI, U, 71, 2, 67, 63, (EMOJI,)),
    ("emoji-in-160-doc", "a" * 159 + EMOJI, U, 161, 3, 67, 40, (EMOJI,)),
    ("emoji-plus-160a", "a" * 160 + EMOJI, U, 162, 3, 67, 39, (EMOJI,)),
    ("emoji-two-kinds", "Hi \U0001F44B\U0001F600\U0001F44B", U, 9, 1, 70, 61, ("\U0001F44B", EMOJI)),
    # typographic punctuation
    ("smart-double-quotes", LDQ + "Hi" + RDQ, U, 4, 1, 70, 66, (LDQ, RDQ)),
    ("smart-single-quotes", "It" + RSQ + "s " + LSQ + "ok" + RSQ, U, 9, 1, 70, 61, (RSQ, LSQ)),
    ("em-dash", "a" + EM_DASH + "b", U, 3, 1, 70, 67, (EM_DASH,)),
    ("ellipsis", "Wait" + ELLIPSIS, U, 5, 1, 70, 65, (ELLIPSIS,)),
    ("smart-quote-in-160", "a" * 159 + RSQ, U, 160, 3, 67, 41, (RSQ,)),
    # extension chars inside a UCS-2 message: 1 unit each, not listed
    ("ucs2-with-euro", "\u20ac" + LDQ, U, 2, 1, 70, 68, (LDQ,)),
    ("ucs2-with-caret-emoji", "^" + EMOJI, U, 3, 1, 70, 67, (EMOJI,)),
    ("ucs2-with-gsm-accents", "caf\u00e9 \u65e5\u672c\u65e5", U, 8, 1, 70, 62, ("\u65e5", "\u672c")),
    ("cyrillic-word", "\u041f\u0440\u0438\u0432\u0435\u0442", U, 6, 1, 70, 64,
     ("\u041f", "\u0440", "\u0438", "\u0432", "\u0435", "\u0442")),
    ("combining-accent", "e\u0301", U, 2, 1, 70, 68, ("\u0301",)),
    # backtick / control characters
    ("backtick", "`", U, 1, 1, 70, 69, ("`",)),
    ("backtick-repeated", "a`b`", U, 4, 1, 70, 66, ("`",)),
    ("backtick-in-160", "a" * 159 + "`", U, 160, 3, 67, 41, ("`",)),
    ("tab", "a\tb", U, 3, 1, 70, 67, ("\t",)),
    ("escape-char", "\x1b", U, 1, 1, 70, 69, ("\x1b",)),
    ("nul", "\x00", U, 1, 1, 70, 69, ("\x00",)),
    # lone surrogates: 1 unit each, never crash
    ("lone-high-surrogate", "\ud800", U, 1, 1, 70, 69, ("\ud800",)),
    ("lone-low-surrogate-mid", "a\udfffb", U, 3, 1, 70, 67, ("\udfff",)),
    ("surrogate-code-points-pair", "\ud83d\ude00", U, 2, 1, 70, 68, ("\ud83d", "\ude00")),
    ("lone-surrogates-71", "\udc00" * 71, U, 71, 2, 67, 63, ("\udc00",)),
]


@pytest.mark.parametrize(
    ("text", "encoding", "length", "segments", "per_segment", "remaining", "ucs2_chars"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_analyze_sms_table(text, encoding, length, segments, per_segment, remaining, ucs2_chars):
    assert analyze_sms(text) == SmsAnalysis(
        encoding=encoding,
        length=length,
        segments=segments,
        per_segment=per_segment,
        remaining=remaining,
        ucs2_chars=ucs2_chars,
    )


def test_str_subclass_accepted():
    class MyStr(str):
        def __iter__(self):  # must not be relied on
            raise RuntimeError("boom")

    assert analyze_sms(MyStr("caf\u00e9 \u20ac")) == SmsAnalysis("GSM-7", 7, 1, 160, 153, ())
    assert analyze_sms(MyStr("\u0436\u0436")) == SmsAnalysis("UCS-2", 2, 1, 70, 68, ("\u0436",))


@pytest.mark.parametrize("bad", [None, b"abc", bytearray(b"abc"), 123, 1.5, ["a"], ("a",), True])
def test_analyze_sms_rejects_non_str(bad):
    with pytest.raises(TypeError):
        analyze_sms(bad)


def test_sms_analysis_is_frozen_and_slotted():
    r = analyze_sms("hi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.length = 5  # type: ignore[misc]
    assert not hasattr(r, "__dict__")
    assert [f.name for f in dataclasses.fields(SmsAnalysis)] == [
        "encoding", "length", "segments", "per_segment", "remaining", "ucs2_chars",
    ]
    assert hash(r) == hash(analyze_sms("hi"))


# ---------------------------------------------------------------------------
# Hypothesis properties
# ---------------------------------------------------------------------------

ANY_CHAR = st.characters(codec=None, exclude_categories=())  # includes lone surrogates
ANY_TEXT = st.text(ANY_CHAR, max_size=400)


def _check_invariants(text: str, r: SmsAnalysis) -> None:
    assert r.encoding in ("GSM-7", "UCS-2")
    if not text:
        assert (r.length, r.segments, r.remaining) == (0, 1, 160)
        return
    if r.encoding == "GSM-7":
        assert r.ucs2_chars == ()
        assert len(text) <= r.length <= 2 * len(text)
        assert r.per_segment == (160 if r.length <= 160 else 153)
    else:
        assert r.ucs2_chars
        assert len(set(r.ucs2_chars)) == len(r.ucs2_chars)
        assert all(c in text and c not in BASIC and c not in EXTENSION for c in r.ucs2_chars)
        assert r.length == len(text) + sum(1 for c in text if ord(c) > 0xFFFF)
        assert r.per_segment == (70 if r.length <= 70 else 67)
    assert r.segments >= 1
    assert 0 <= r.remaining < r.per_segment
    if r.segments == 1:
        assert r.remaining == r.per_segment - r.length
    else:
        # packing leaves at most one unit empty at the end of each earlier part
        wasted = r.segments * r.per_segment - r.length - r.remaining
        assert 0 <= wasted <= r.segments - 1
        assert (r.segments - 1) * (r.per_segment - 1) < r.length


@settings(max_examples=500)
@given(ANY_TEXT)
def test_property_never_raises_and_is_consistent(text):
    r = analyze_sms(text)
    _check_invariants(text, r)


@given(st.text(st.sampled_from(BASIC), max_size=600))
def test_property_basic_alphabet_stays_gsm7(text):
    r = analyze_sms(text)
    assert r.encoding == "GSM-7"
    assert r.length == len(text)
    assert r.ucs2_chars == ()


@given(st.text(st.sampled_from(BASIC + EXTENSION), max_size=600))
def test_property_gsm_length_counts_extension_twice(text):
    r = analyze_sms(text)
    assert r.encoding == "GSM-7"
    assert r.length == len(text) + sum(1 for c in text if c in EXTENSION)


@given(ANY_TEXT, ANY_CHAR.filter(lambda c: c not in BASIC and c not in EXTENSION))
def test_property_one_non_gsm_char_forces_ucs2(text, ch):
    pos = len(text) // 2
    r = analyze_sms(text[:pos] + ch + text[pos:])
    assert r.encoding == "UCS-2"
    assert ch in r.ucs2_chars


CHAR_KINDS = st.one_of(
    st.sampled_from(BASIC),
    st.sampled_from(EXTENSION),
    st.characters(min_codepoint=0x100, max_codepoint=0xFFFF, exclude_categories=()).filter(
        lambda c: c not in BASIC and c not in EXTENSION
    ),
    st.characters(min_codepoint=0x10000),
)


@settings(max_examples=200)
@given(ANY_TEXT, CHAR_KINDS, st.integers(min_value=1, max_value=350))
def test_property_segments_monotone_when_appending(base, ch, n):
    previous = analyze_sms(base).segments
    text = base
    for _ in range(n):
        text += ch
        current = analyze_sms(text).segments
        assert current >= previous
        previous = current


# ---------------------------------------------------------------------------
# estimate_creative
# ---------------------------------------------------------------------------

DOC_EX1 = "Hot deals just for you! Shop now: {{link1}} Reply STOP to opt out."
DOC_EX2 = "Exclusive summer deals! Shop now: {{link1}} Browse more: {{link2}} Reply STOP to opt out."
DOC_EX3 = "Check out what just dropped: {{link1}} See more: {{link2}} Reply STOP to opt out."


def test_doc_examples_raw_lengths():
    # sanity check of the inputs themselves (raw lengths quoted in campaigns.md §2)
    assert (len(DOC_EX1), len(DOC_EX2), len(DOC_EX3)) == (66, 89, 81)


CREATIVE_CASES = [
    # id, message, character_count, segment_count
    ("doc-ex1", DOC_EX1, 114, 1),  # 66 - 9 + 23 + 34
    ("doc-ex2-two-links", DOC_EX2, 151, 1),  # 89 - 18 + 46 + 34
    ("doc-ex3-two-links", DOC_EX3, 143, 1),  # 81 - 18 + 46 + 34
    ("empty", "", 34, 1),
    ("only-link", "{{link1}}", 57, 1),
    ("multi-digit-link", "{{link12}}", 57, 1),
    ("same-link-twice", "{{link1}}{{link1}}", 80, 1),
    ("three-links", "A {{link1}} B {{link2}} C {{link3}}", 8 + 69 + 34, 1),
    ("at-160", "a" * 126, 160, 1),
    ("at-161", "a" * 127, 161, 2),
    ("link-at-160", "a" * 103 + "{{link1}}", 160, 1),
    ("link-at-161", "a" * 104 + "{{link1}}", 161, 2),
    ("at-306", "a" * 272, 306, 2),
    ("at-307", "a" * 273, 307, 3),
    ("four-links", "Shop {{link1}} and {{link2}} and {{link3}} and {{link4}}!", 21 + 92 + 34, 1),
    ("five-links-cross-160", "Shop {{link1}} and {{link2}} and {{link3}} and {{link4}} and {{link5}}!", 26 + 115 + 34, 2),
    # not placeholders: counted literally
    ("no-digits", "{{link}}", 8 + 34, 1),
    ("spaces", "{{ link1 }}", 11 + 34, 1),
    ("upper-case", "{{LINK1}}", 9 + 34, 1),
    ("non-ascii-digit", "{{link\u0661}}", 9 + 34, 1),
    ("single-braces", "{link1}", 7 + 34, 1),
    ("message-id", "{{messageId}}", 13 + 34, 1),
    ("triple-braces", "{{{link1}}}", 2 + 23 + 34, 1),
    ("nested-single-pass", "{{link{{link1}}2}}", 9 + 23 + 34, 1),
    ("emoji-counts-one-char", "\U0001F600 {{link1}}", 2 + 23 + 34, 1),
]


@pytest.mark.parametrize(
    ("message", "character_count", "segment_count"),
    [pytest.param(*c[1:], id=c[0]) for c in CREATIVE_CASES],
)
def test_estimate_creative_table(message, character_count, segment_count):
    assert estimate_creative(message) == CreativeEstimate(character_count, segment_count)


@pytest.mark.parametrize(
    ("message", "kwargs", "character_count", "segment_count"),
    [
        ("Hi {{link1}}", {"link_length": 30, "compliance_overhead": 0}, 33, 1),
        ("Hi {{link1}}", {"link_length": 0}, 37, 1),
        ("{{link1}}", {"link_length": 0, "compliance_overhead": 0}, 0, 1),
        ("a" * 10, {"compliance_overhead": 151}, 161, 2),
        (DOC_EX1, {"link_length": 20, "compliance_overhead": 20}, 97, 1),  # the "20+20" reading fits ex1
    ],
)
def test_estimate_creative_overrides(message, kwargs, character_count, segment_count):
    assert estimate_creative(message, **kwargs) == CreativeEstimate(character_count, segment_count)


def test_estimate_creative_does_not_match_server_examples():
    # documented server values 97/131/120 differ from the prose formula on purpose
    assert estimate_creative(DOC_EX1).character_count != 97
    assert estimate_creative(DOC_EX2).character_count != 131
    assert estimate_creative(DOC_EX3).character_count != 120


def test_estimate_creative_overrides_are_keyword_only():
    with pytest.raises(TypeError):
        estimate_creative("x", 23)  # type: ignore[misc]


@pytest.mark.parametrize("bad", [None, b"x", 5, ["x"]])
def test_estimate_creative_rejects_non_str(bad):
    with pytest.raises(TypeError):
        estimate_creative(bad)


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"link_length": "23"}, TypeError),
        ({"link_length": 23.0}, TypeError),
        ({"link_length": True}, TypeError),
        ({"compliance_overhead": None}, TypeError),
        ({"link_length": -1}, ValueError),
        ({"compliance_overhead": -34}, ValueError),
    ],
)
def test_estimate_creative_rejects_bad_overrides(kwargs, exc):
    with pytest.raises(exc):
        estimate_creative("hi", **kwargs)


def test_creative_estimate_is_frozen_and_slotted():
    e = estimate_creative("hi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.character_count = 1  # type: ignore[misc]
    assert not hasattr(e, "__dict__")


@given(st.text(ANY_CHAR, max_size=300), st.integers(0, 5))
def test_property_creative_link_contribution(prefix, links):
    # adding k placeholders to placeholder-free text adds exactly 23*k
    prefix = prefix.replace("{", "(")
    base = estimate_creative(prefix).character_count
    assert base == len(prefix) + 34
    msg = prefix + "".join(f"{{{{link{i}}}}}" for i in range(links))
    assert estimate_creative(msg).character_count == base + 23 * links
