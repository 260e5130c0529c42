"""How a long SMS is cut into parts: ``split_sms`` and the segment count of ``analyze_sms``.

Rules the expected values are worked out from by hand:

* a message that fits one part (160 septets GSM-7, 70 code units UCS-2) is one part;
* otherwise parts hold at most 153 septets / 67 UTF-16 code units and are filled
  greedily;
* a GSM-7 extension character (ESC + char, 2 septets) and a UTF-16 surrogate pair
  (2 code units) are never split: when one would start on the last unit of a part,
  that unit stays empty and the character opens the next part;
* ``mode="graphemes"`` keeps each extended grapheme cluster (UAX #29) in one part
  too, except that CR LF may be split (as Twilio's calculator does) and a cluster
  larger than a part is split between its code unit atoms.
"""

from __future__ import annotations

import importlib.util
import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackly_validate.rules import sms_parts
from trackly_validate.rules.sms import GSM7_EXTENSION, analyze_sms, split_sms

HAS_REGEX = importlib.util.find_spec("regex") is not None
needs_regex = pytest.mark.skipif(not HAS_REGEX, reason="mode='graphemes' needs the optional regex package")

EURO = "\u20ac"
ZHE = "\u0436"  # Cyrillic zhe: one UTF-16 unit, forces UCS-2
CEDILLA = "\u00e7"  # small c cedilla: not GSM-7, one UTF-16 unit
GRIN = "\U0001F600"  # outside the BMP: a surrogate pair
THUMB, MEDIUM_SKIN = "\U0001F44D", "\U0001F3FD"
FLAG_FR = "\U0001F1EB\U0001F1F7"
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # man ZWJ woman ZWJ girl: 8 units
ACUTE = "\u0301"  # combining acute accent
HIGH, LOW = "\ud83d", "\ude00"  # surrogate code points that pair to U+1F600
HANGUL_L, HANGUL_V = "\u1100", "\u1161"  # conjoining jamo: one cluster


def units(part: str, encoding: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) of one part, counted directly."""
    if encoding == "GSM-7":
        return len(part) + sum(part.count(c) for c in GSM7_EXTENSION)
    return len(part.encode("utf-16-le", "surrogatepass")) // 2


# ---------------------------------------------------------------------------
# The two examples that ceil(length / per part) gets wrong
# ---------------------------------------------------------------------------


def test_euro_straddling_the_first_part_moves_to_the_second():
    text = "a" * 152 + EURO + "b" * 152
    r = analyze_sms(text)
    assert (r.encoding, r.length) == ("GSM-7", 306)
    assert math.ceil(306 / 153) == 2  # what the docs' formula says
    assert (r.segments, r.per_segment, r.remaining) == (3, 153, 152)
    assert split_sms(text) == ("a" * 152, EURO + "b" * 151, "b")


def test_emoji_straddling_the_first_part_moves_to_the_second():
    text = CEDILLA * 66 + GRIN + CEDILLA * 66
    r = analyze_sms(text)
    assert (r.encoding, r.length) == ("UCS-2", 134)
    assert math.ceil(134 / 67) == 2
    assert (r.segments, r.per_segment, r.remaining) == (3, 67, 66)
    assert split_sms(text) == (CEDILLA * 66, GRIN + CEDILLA * 65, CEDILLA)


# ---------------------------------------------------------------------------
# Boundary table: text -> exact parts (both modes agree unless a graphemes row says otherwise)
# ---------------------------------------------------------------------------

UNITS_CASES = [
    # id, text, parts
    # ESC pair (euro) whose first septet is septet 152 / 153 / 154 of part 1
    ("esc-at-152", "a" * 151 + EURO + "b" * 20, ("a" * 151 + EURO, "b" * 20)),
    ("esc-at-153", "a" * 152 + EURO + "b" * 20, ("a" * 152, EURO + "b" * 20)),
    ("esc-at-154", "a" * 153 + EURO + "b" * 20, ("a" * 153, EURO + "b" * 20)),
    ("esc-at-part2-end", "a" * 305 + "^", ("a" * 153, "a" * 152, "^")),
    ("esc-at-part2-fits", "a" * 304 + "^", ("a" * 153, "a" * 151 + "^")),
    ("braces-only", "{" * 153, ("{" * 76, "{" * 76, "{")),
    # euro at the end of a single part: 159 / 160 / 161 / 162 septets
    ("euro-159", "a" * 157 + EURO, ("a" * 157 + EURO,)),
    ("euro-160", "a" * 158 + EURO, ("a" * 158 + EURO,)),
    ("euro-161", "a" * 159 + EURO, ("a" * 153, "a" * 6 + EURO)),
    ("euro-162", "a" * 160 + EURO, ("a" * 153, "a" * 7 + EURO)),
    # a message that fits one part is never split, wherever its ESC pairs are
    ("euro-over-153-single", "a" * 152 + EURO + "a" * 6, ("a" * 152 + EURO + "a" * 6,)),
    ("euro-over-153-multi", "a" * 152 + EURO + "a" * 7, ("a" * 152, EURO + "a" * 7)),
    # surrogate pair whose first unit is unit 66 / 67 / 68 of part 1
    ("pair-at-66", ZHE * 65 + GRIN + ZHE * 10, (ZHE * 65 + GRIN, ZHE * 10)),
    ("pair-at-67", ZHE * 66 + GRIN + ZHE * 10, (ZHE * 66, GRIN + ZHE * 10)),
    ("pair-at-68", ZHE * 67 + GRIN + ZHE * 10, (ZHE * 67, GRIN + ZHE * 10)),
    ("emoji-only-36", GRIN * 36, (GRIN * 33, GRIN * 3)),
    # emoji at the end of a single part: 69 / 70 / 71 units
    ("emoji-69", ZHE * 67 + GRIN, (ZHE * 67 + GRIN,)),
    ("emoji-70", ZHE * 68 + GRIN, (ZHE * 68 + GRIN,)),
    ("emoji-71", ZHE * 69 + GRIN, (ZHE * 67, ZHE * 2 + GRIN)),
    # surrogate code points: a high one followed by a low one is one pair;
    # anything else is a lone surrogate of 1 unit
    ("cp-pair-at-67", ZHE * 66 + HIGH + LOW + ZHE * 10, (ZHE * 66, HIGH + LOW + ZHE * 10)),
    ("lone-high-at-67", ZHE * 66 + HIGH + ZHE * 10, (ZHE * 66 + HIGH, ZHE * 10)),
    ("low-then-high-at-67", ZHE * 66 + LOW + HIGH + ZHE * 10, (ZHE * 66 + LOW, HIGH + ZHE * 10)),
    ("lone-lows-71", LOW * 71, (LOW * 67, LOW * 4)),
    # CR LF is two characters and may be split (Twilio splits it too)
    ("crlf-at-153", "a" * 152 + "\r\n" + "a" * 10, ("a" * 152 + "\r", "\n" + "a" * 10)),
    ("crlf-at-67-with-a-cluster", "e" + ACUTE + ZHE * 64 + "\r\n" + ZHE * 10,
     ("e" + ACUTE + ZHE * 64 + "\r", "\n" + ZHE * 10)),
    # the empty message is one empty part
    ("empty", "", ("",)),
]

# clusters that units mode splits and graphemes mode keeps whole: id, text, units parts, graphemes parts
GRAPHEME_CASES = [
    ("combining-at-67", ZHE * 66 + "e" + ACUTE + ZHE * 10,
     (ZHE * 66 + "e", ACUTE + ZHE * 10), (ZHE * 66, "e" + ACUTE + ZHE * 10)),
    ("zwj-family-over-67", ZHE * 60 + FAMILY + ZHE * 10,
     (ZHE * 60 + FAMILY[:4], FAMILY[4:] + ZHE * 10), (ZHE * 60, FAMILY + ZHE * 10)),
    ("zwj-family-fits", ZHE * 59 + FAMILY + ZHE * 10,
     (ZHE * 59 + FAMILY, ZHE * 10), (ZHE * 59 + FAMILY, ZHE * 10)),
    ("flag-at-65", ZHE * 64 + FLAG_FR + ZHE * 10,
     (ZHE * 64 + FLAG_FR[0], FLAG_FR[1] + ZHE * 10), (ZHE * 64, FLAG_FR + ZHE * 10)),
    ("skin-tone-at-66", ZHE * 65 + THUMB + MEDIUM_SKIN + ZHE * 10,
     (ZHE * 65 + THUMB, MEDIUM_SKIN + ZHE * 10), (ZHE * 65, THUMB + MEDIUM_SKIN + ZHE * 10)),
    ("hangul-jamo-at-67", ZHE * 66 + HANGUL_L + HANGUL_V + ZHE * 10,
     (ZHE * 66 + HANGUL_L, HANGUL_V + ZHE * 10), (ZHE * 66, HANGUL_L + HANGUL_V + ZHE * 10)),
    # a cluster larger than a part (e + 100 accents = 101 units) cannot stay whole:
    # it fills the current part like plain text
    ("overlong-cluster", ZHE * 10 + "e" + ACUTE * 100,
     (ZHE * 10 + "e" + ACUTE * 56, ACUTE * 44), (ZHE * 10 + "e" + ACUTE * 56, ACUTE * 44)),
    # ... but never splits a surrogate pair inside it
    ("overlong-cluster-with-pair", ZHE * 66 + GRIN + ACUTE * 70,
     (ZHE * 66, GRIN + ACUTE * 65, ACUTE * 5), (ZHE * 66, GRIN + ACUTE * 65, ACUTE * 5)),
    # the whole message fits one part: clusters do not matter
    ("single-part-family", ZHE * 62 + FAMILY, (ZHE * 62 + FAMILY,), (ZHE * 62 + FAMILY,)),
]


def _expected_analysis(parts: tuple[str, ...]) -> tuple[int, int, int]:
    """segments, per_segment and remaining implied by a list of parts."""
    text = "".join(parts)
    encoding = analyze_sms(text).encoding
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    capacity = single if len(parts) == 1 else multi
    return len(parts), capacity, capacity - units(parts[-1], encoding)


@pytest.mark.parametrize(("text", "parts"), [pytest.param(*c[1:], id=c[0]) for c in UNITS_CASES])
def test_split_table(text, parts):
    assert split_sms(text) == parts
    r = analyze_sms(text)
    assert (r.segments, r.per_segment, r.remaining) == _expected_analysis(parts)


@needs_regex
@pytest.mark.parametrize(("text", "parts"), [pytest.param(*c[1:], id=c[0]) for c in UNITS_CASES])
def test_split_table_graphemes_mode_agrees_without_clusters(text, parts):
    assert split_sms(text, mode="graphemes") == parts
    assert analyze_sms(text, mode="graphemes") == analyze_sms(text)


@pytest.mark.parametrize(("text", "unit_parts"), [pytest.param(c[1], c[2], id=c[0]) for c in GRAPHEME_CASES])
def test_clusters_units_mode(text, unit_parts):
    assert split_sms(text) == unit_parts
    r = analyze_sms(text)
    assert (r.segments, r.per_segment, r.remaining) == _expected_analysis(unit_parts)


@needs_regex
@pytest.mark.parametrize(("text", "grapheme_parts"), [pytest.param(c[1], c[3], id=c[0]) for c in GRAPHEME_CASES])
def test_clusters_graphemes_mode(text, grapheme_parts):
    assert split_sms(text, mode="graphemes") == grapheme_parts
    r = analyze_sms(text, mode="graphemes")
    assert (r.segments, r.per_segment, r.remaining) == _expected_analysis(grapheme_parts)


def test_empty_message_is_one_empty_part():
    # Twilio's calculator starts every message with one segment, so "" is 1 segment
    assert split_sms("") == ("",)
    assert (analyze_sms("").segments, analyze_sms("").remaining) == (1, 160)


@needs_regex
def test_empty_message_graphemes_mode():
    assert split_sms("", mode="graphemes") == ("",)
    assert analyze_sms("", mode="graphemes").segments == 1


# Vectors from Twilio's calculator tests (tests/segments.test.js): the last
# segment of each message holds exactly one character.
TWILIO_GSM = "1234567890" * 30 + "1234567"  # 307 septets
TWILIO_UCS2 = "\U0001F61C" + "234567890" + "1234567890" * 12 + "1234"  # 135 units


@pytest.mark.parametrize("mode", ["units", pytest.param("graphemes", marks=needs_regex)])
@pytest.mark.parametrize(("text", "last"), [(TWILIO_GSM, "7"), (TWILIO_UCS2, "4")])
def test_twilio_segment_vectors(text, last, mode):
    parts = split_sms(text, mode=mode)
    assert (len(parts), parts[-1]) == (3, last)


# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, b"abc", 12, ["a"]])
def test_split_rejects_non_str(bad):
    with pytest.raises(TypeError):
        split_sms(bad)


@pytest.mark.parametrize("mode", ["grapheme", "UNITS", "", None, 1, ("units",)])
@pytest.mark.parametrize("func", [split_sms, analyze_sms])
def test_unknown_mode_is_rejected(func, mode):
    with pytest.raises(ValueError, match="mode must be"):
        func("hi", mode=mode)


@pytest.mark.parametrize("func", [split_sms, analyze_sms])
def test_mode_is_keyword_only(func):
    with pytest.raises(TypeError):
        func("hi", "units")


def test_str_subclass_is_split_as_plain_str():
    class MyStr(str):
        def __iter__(self):  # must not be relied on
            raise RuntimeError("boom")

    parts = split_sms(MyStr("a" * 161))
    assert parts == ("a" * 153, "a" * 8)
    assert all(type(p) is str for p in parts)


@pytest.mark.parametrize("text", ["", "hi", "a" * 400])
@pytest.mark.parametrize("func", [split_sms, analyze_sms])
def test_graphemes_mode_without_regex_says_how_to_install(monkeypatch, func, text):
    # fails for every message, short ones too, not only when a cut is needed
    monkeypatch.setitem(sys.modules, "regex", None)
    sms_parts.load_grapheme_patterns.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"pip install 'trackly-validate\[graphemes\]'"):
            func(text, mode="graphemes")
        assert func(text) is not None  # the default mode does not need regex
    finally:
        sms_parts.load_grapheme_patterns.cache_clear()


# ---------------------------------------------------------------------------
# Properties against an independent reference packer
# ---------------------------------------------------------------------------


def is_high(c: str) -> bool:
    return "\ud800" <= c <= "\udbff"


def is_low(c: str) -> bool:
    return "\udc00" <= c <= "\udfff"


def unit_tokens(text: str) -> list[str]:
    """Code points, with a high surrogate code point joined to a following low one."""
    tokens: list[str] = []
    for c in text:
        if tokens and is_low(c) and len(tokens[-1]) == 1 and is_high(tokens[-1]):
            tokens[-1] += c
        else:
            tokens.append(c)
    return tokens


def grapheme_tokens(text: str, encoding: str, capacity: int) -> list[str]:
    """Grapheme clusters (CR LF split), never cutting a surrogate pair, overlong ones in unit tokens."""
    import regex

    clusters: list[str] = []
    for cluster in regex.findall(r"\X", text):
        clusters.extend(["\r", "\n"] if cluster == "\r\n" else [cluster])
    tokens: list[str] = []
    for cluster in clusters:
        if tokens and is_low(cluster[0]) and is_high(tokens[-1][-1]):
            tokens[-1] += cluster  # the surrogate pair joins the two clusters
        else:
            tokens.append(cluster)
    out: list[str] = []
    for token in tokens:
        out.extend(unit_tokens(token) if units(token, encoding) > capacity else [token])
    return out


def reference_parts(text: str, mode: str) -> list[str]:
    """Straightforward greedy packing over tokens."""
    encoding = analyze_sms(text).encoding
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    if units(text, encoding) <= single:
        return [text]
    tokens = unit_tokens(text) if mode == "units" else grapheme_tokens(text, encoding, multi)
    parts: list[str] = []
    current, used = "", 0
    for token in tokens:
        size = units(token, encoding)
        if used + size > multi:
            parts.append(current)
            current, used = "", 0
        current += token
        used += size
    parts.append(current)
    return parts


GSM_PIECES = ["a", "b", " ", ".", "\n", "\r\n", "\u00e9", "\u0394"] + list(GSM7_EXTENSION)
OTHER_PIECES = [
    CEDILLA, ZHE, GRIN, THUMB, MEDIUM_SKIN, THUMB + MEDIUM_SKIN, FLAG_FR, FLAG_FR[0], FAMILY, "\u200d",
    "e" + ACUTE, ACUTE, "\u0308", "\u0308" * 40, HANGUL_L + HANGUL_V, HIGH, LOW, HIGH + LOW, "\r",
]
# long enough that most examples are multipart, plus short ones (empty, single part)
GSM_TEXT = st.lists(st.sampled_from(GSM_PIECES), min_size=130, max_size=420).map("".join)
MIXED_TEXT = st.lists(st.sampled_from(GSM_PIECES + OTHER_PIECES), min_size=40, max_size=220).map("".join)
SHORT_TEXT = st.lists(st.sampled_from(GSM_PIECES + OTHER_PIECES), max_size=30).map("".join)
ANY_TEXT = st.one_of(SHORT_TEXT, GSM_TEXT, MIXED_TEXT)
MODES = st.sampled_from(["units", "graphemes"] if HAS_REGEX else ["units"])
PROPERTY = settings(max_examples=60, deadline=None, database=None)


@PROPERTY
@given(ANY_TEXT, MODES)
def test_property_parts_match_the_reference_packer(text, mode):
    parts = split_sms(text, mode=mode)
    assert list(parts) == reference_parts(text, mode)
    r = analyze_sms(text, mode=mode)
    assert r.segments == len(parts)
    assert (r.segments, r.per_segment, r.remaining) == _expected_analysis(parts)


@PROPERTY
@given(ANY_TEXT, MODES)
def test_property_parts_rebuild_the_text_and_fit(text, mode):
    parts = split_sms(text, mode=mode)
    assert "".join(parts) == text
    encoding = analyze_sms(text).encoding
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    limit = single if len(parts) == 1 else multi
    assert all(units(p, encoding) <= limit for p in parts)
    assert all(p for p in parts) or parts == ("",)
    # no cut between the two halves of a surrogate pair
    for before, after in zip(parts, parts[1:]):
        assert not (is_high(before[-1]) and is_low(after[0]))
    # greedy: in units mode the next part's first token did not fit in the part before
    if mode == "units":
        for before, after in zip(parts, parts[1:]):
            assert units(before + unit_tokens(after)[0], encoding) > multi


@pytest.mark.skipif(not HAS_REGEX, reason="needs regex")
@PROPERTY
@given(ANY_TEXT)
def test_property_graphemes_mode_never_cuts_a_cluster(text):
    import regex

    parts = split_sms(text, mode="graphemes")
    cuts = set()
    pos = 0
    for p in parts[:-1]:
        pos += len(p)
        cuts.add(pos)
    pos = 0
    for cluster in regex.findall(r"\X", text):
        inside = set(range(pos + 1, pos + len(cluster)))
        cut = cuts & inside
        if cut and cluster != "\r\n":
            # only a cluster larger than a whole part may be cut
            assert units(cluster, analyze_sms(text).encoding) > 67
        pos += len(cluster)
    assert len(parts) >= len(split_sms(text))  # more constraints never mean fewer parts


@PROPERTY
@given(GSM_TEXT)
def test_property_gsm_parts_are_packed_greedily(text):
    # every part but the last is full, or short by one septet because an ESC pair moved on
    parts = split_sms(text)
    if len(parts) > 1:
        for part, following in zip(parts, parts[1:]):
            assert units(part, "GSM-7") == 153 or (
                units(part, "GSM-7") == 152 and following[0] in GSM7_EXTENSION
            )
