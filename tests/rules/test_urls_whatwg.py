"""The URL rule accepts exactly what the server's ``new URL(value)`` accepts: the WHATWG URL
Standard's parser, checked against the standard's own conformance data (web-platform-tests,
vendored in tests/data/wpt_url/), a table of its edge classes, and generated URL-ish strings."""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path

import ada_url
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trackly_validate as tv
from hostile_inputs import VALID
from trackly_validate.core.catalog import C
from trackly_validate.rules.urls import _scalar_values as scalar_values
from trackly_validate.rules.urls import url_problem

WPT = Path(__file__).parents[1] / "data" / "wpt_url"
HTTP_PROTOCOLS = ("http:", "https:")


def _wpt_entries(name: str) -> list[dict]:
    """The test objects of a WPT data file (its strings are comments)."""
    return [e for e in json.loads((WPT / name).read_text(encoding="utf-8")) if isinstance(e, dict)]


def _expected_code(entry: dict) -> str | None:
    """The standard's verdict, as our code: failure refuses; a parsed URL is a link only if http(s)."""
    if entry.get("failure"):
        return "invalid_url"
    return None if entry["protocol"] in HTTP_PROTOCOLS else "invalid_url_scheme"


# The standard's scheme state (https://url.spec.whatwg.org/#scheme-state), applied after its
# trimming of C0 controls/spaces and removal of tabs/newlines.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_OR_SPACE = "".join(chr(i) for i in range(0x21))
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_SPECIAL = {"http", "https", "ws", "wss", "ftp"}  # file: is special too, and its state reads the base


def _base_is_irrelevant(entry: dict) -> bool:
    """True when the standard parses ``input`` the same with or without ``base``: the input has
    a scheme other than file:, and the parser never reads the base for it — the base is read only
    by the file state, the no-scheme state, and the relative states, reached when a special scheme
    equals the base's and is not followed by ``//``."""
    text = entry["input"].strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE)
    match, base = _SCHEME.match(text), _SCHEME.match(entry["base"])
    if match is None or base is None:
        return False
    scheme = match.group(1).lower()
    if scheme == "file":
        return False
    same_special = scheme in _SPECIAL and scheme == base.group(1).lower()
    return not same_special or text[match.end():].startswith("//")


WPT_ENTRIES = _wpt_entries("urltestdata.json") + _wpt_entries("urltestdata-javascript-only.json")
# what the server sees is new URL(input) with no base: entries without one, and entries whose
# base the standard does not read for that input
NO_BASE = [e for e in WPT_ENTRIES if e.get("base") is None]
BASE_UNUSED = [e for e in WPT_ENTRIES if e.get("base") is not None and _base_is_irrelevant(e)]


def _params(entries: list[dict]) -> list:
    return [pytest.param(e["input"], _expected_code(e), id=f"{i}:{ascii(e['input'])[1:41]}")
            for i, e in enumerate(entries)]


def test_the_vendored_data_is_the_standards_and_in_scope():
    assert len(NO_BASE) >= 500 and len(BASE_UNUSED) >= 100
    verdicts = {_expected_code(e) for e in NO_BASE}
    assert verdicts == {None, "invalid_url", "invalid_url_scheme"}


@pytest.mark.parametrize("url, expected", _params(NO_BASE) + _params(BASE_UNUSED))
def test_the_verdict_is_the_standards(url, expected):
    got = url_problem(url)
    assert (got.code if got else None) == expected
    # the links endpoint's variant only renames the wrong-scheme code
    links = url_problem(url, C.invalid_url)
    assert (links.code if links else None) == (expected and "invalid_url")


# --- the standard's edge classes, verdicts written out ---------------------------------------------------------------

INVALID, SCHEME = "invalid_url", "invalid_url_scheme"
EDGES = [
    # ports: leading zeros are read as a number; above 65535 or not digits is a failure
    ("http://f:00000000000000/c", None),
    ("http://f:00000000000000000000080/c", None),
    ("HTTP://0:0000080?x", None),
    ("http://f:65535/", None),
    ("http://f:65536/", INVALID),
    ("http://f:999999/c", INVALID),
    ("http://f:4294967377/c", INVALID),
    ("http://f:b/c", INVALID),
    ("http://f: 21 / b ? d # e ", INVALID),
    ("http://f:/c", None),
    # IPv4: a host ending in a number is an IPv4 address in decimal, octal or hex, 1 to 4 parts
    ("http://192.0x00A80001", None),
    ("http://4294967295", None),
    ("http://010.0.0.1/", None),
    ("http://0x7f.1/", None),
    ("http://1.2.3.4./", None),
    ("http://4294967296", INVALID),
    ("https://0x100000000/test", INVALID),
    ("https://256.0.0.1/test", INVALID),
    ("http://1.2.3.08", INVALID),
    ("http://1.2.3.09", INVALID),
    ("http://foo.09", INVALID),
    ("http://foo.0x4", INVALID),
    ("http://10.0.0.0.1/", INVALID),
    ("http://foo.09..", None),  # ends in an empty label, not a number
    ("http://0x7f.0.0.0x7g", None),  # 0x7g is not a number: a domain
    # IPv6 literals
    ("http://[::1]/", None),
    ("http://[::127.0.0.1]", None),
    ("http://[1:0::]:0080/", None),
    ("https://[0::0::0]", INVALID),
    ("http://[www.google.com]/", INVALID),
    ("http://[::1.2.3.]", INVALID),
    ("http://[::127.0.0.0.1]", INVALID),
    ("http://[1:2:3:4:5:6:7:8:9]/", INVALID),
    ("http://[::1/", INVALID),
    # hosts: percent-decoded, then IDNA (UTS #46) mapped; forbidden code points fail
    ("http://%30%78%63%30%2e%30%32%35%30.01", None),
    ("http://\uff10\uff38\uff43\uff10\uff0e\uff10\uff12\uff15\uff10\uff0e\uff10\uff11", None),
    ("https://fa\u00df.ExAmPlE/", None),
    ("https://\u00e9xample.com/", None),
    ("http://a.b.c.xn--pokxncvks", None),
    ("https://%EF%BF%BD", INVALID),
    ("https://\ufffd/", INVALID),
    ("http://\uff05\uff14\uff11.com", INVALID),
    ("http://ho%00st/", INVALID),
    ("https://\u00ad/", INVALID),
    ("https://x x:12", INVALID),
    ("http://a<b", INVALID),
    ("http://a^b", INVALID),
    ("http://a\x00b/", INVALID),
    ("https://\x00y", INVALID),
    # backslashes are slashes in special URLs; a missing // is tolerated
    ("http:\\\\www.google.com\\foo", None),
    ("http:\\\\a\\b:c\\d@foo.com\\", None),
    ("http:example.com/", None),
    ("https:/example.com/", None),
    # tabs and newlines anywhere are removed; C0 controls and spaces at either end are trimmed
    ("h\tt\nt\rp://h\to\ns\rt:9\t0\n0\r0/p\ta\nt\rh?q\tu\ne\rry#f\tr\na\rg", None),
    ("http://example\t.\norg", None),
    ("\x00\x1b\x04\x12 http://example.com/\x1f \r ", None),
    ("  https://example.com/a b  ", None),
    ("https://example.com/ \x7f", None),  # DEL is not trimmed, but a path takes it
    ("https://example.com \x7f", INVALID),  # ... a host does not
    # underscores, trailing dots and odd-but-allowed host code points
    ("http://a_b.example/", None),
    ("http://example.com./", None),
    ("http://../", None),
    ("http://!\"$&'()*+,-.;=_`{}~/", None),
    # NUL is percent-encoded outside the host
    ("https://x/\x00y", None),
    ("http://example.org/test?a#b\x00c", None),
    # a JS string's lone surrogates are U+FFFD for new URL(): fine in a path, not in a host
    ("http://example.com/\ud800\ud801\udffe\udfff?\ud800", None),
    ("http://\ud800.com/", INVALID),
    ("http://\ud83d\ude00.com/", None),  # a surrogate pair is one code point
    # empty hosts and relative references
    ("http://", INVALID),
    ("https:", INVALID),
    ("http://user@/www.example.com", INVALID),
    ("//example.com/", INVALID),
    ("example.com", INVALID),
    ("", INVALID),
    # other schemes parse, but are not links
    ("ftp://example.com/x", SCHEME),
    ("javascript:alert(1)", SCHEME),
    ("mailto:a@b.c", SCHEME),
    ("wss://example.com/", SCHEME),
    ("non-special://test:@test/x", SCHEME),
    ("javascript://test:test", INVALID),  # an invalid port fails whatever the scheme
]


@pytest.mark.parametrize("url, expected", EDGES, ids=[ascii(u)[1:41] for u, _ in EDGES])
def test_edge_classes(url, expected):
    got = url_problem(url)
    assert (got.code if got else None) == expected


def test_the_edge_table_agrees_with_the_vendored_data():
    in_scope = {e["input"]: _expected_code(e) for e in NO_BASE + BASE_UNUSED}
    shared = [(url, expected) for url, expected in EDGES if url in in_scope]
    assert len(shared) >= 30
    assert [(url, in_scope[url]) for url, _ in shared] == shared


@pytest.mark.parametrize("value", [None, 5, 1.5, True, b"http://x/", ["http://x/"], {"u": "http://x/"}])
def test_a_non_string_is_an_invalid_url(value):
    assert url_problem(value) is C.invalid_url
    assert url_problem(value, C.invalid_url) is C.invalid_url


HUGE = [
    ("http://a/" + "\x00x" * 500_000, None),  # NUL in a path is percent-encoded
    ("http://a" + "\x00b" * 500_000, INVALID),  # ... and forbidden in a host
    ("https://" + "a." * 1_000_000, None),
    ("https://" + "0." * 1_000_000, INVALID),  # ends in a number: more than 4 IPv4 parts
    ("http://[" + "1:" * 1_000_000 + "]", INVALID),
    ("http://a/" + "../" * 1_000_000, None),
]


@pytest.mark.parametrize("url, expected", HUGE, ids=[f"{ascii(u)[1:16]}x{len(u)}" for u, _ in HUGE])
def test_huge_and_nul_filled_strings_get_their_verdict_quickly(url, expected):
    t0 = time.perf_counter()
    got = url_problem(url)
    assert time.perf_counter() - t0 < 0.25
    assert (got.code if got else None) == expected


# --- generated URL-ish strings agree with the parser -----------------------------------------------------------------

def _scalar_values(text: str) -> str:
    """WebIDL USVString conversion, code unit by code unit: pairs joined, lone surrogates U+FFFD."""
    out, i = [], 0
    while i < len(text):
        unit = ord(text[i])
        if 0xD800 <= unit <= 0xDBFF and i + 1 < len(text) and 0xDC00 <= ord(text[i + 1]) <= 0xDFFF:
            out.append(chr(0x10000 + ((unit - 0xD800) << 10) + (ord(text[i + 1]) - 0xDC00)))
            i += 2
            continue
        out.append("\ufffd" if 0xD800 <= unit <= 0xDFFF else text[i])
        i += 1
    return "".join(out)


def _parser_verdict(url: str) -> str | None:
    text = _scalar_values(url)
    if not ada_url.check_url(text):
        return "invalid_url"
    return None if ada_url.URL(text).protocol in HTTP_PROTOCOLS else "invalid_url_scheme"


def test_surrogates_are_converted_as_a_js_string_is_for_new_url():
    units = ["\ud800", "\udbff", "\udc00", "\udfff", "a", "\u00e9", "\U0001f600"]
    for length in range(1, 5):
        for seq in itertools.product(units, repeat=length):
            text = "".join(seq)
            assert scalar_values(text) == _scalar_values(text), ascii(text)


EDGE_SPACE = st.sampled_from(["", " ", "\t", "\n", "\x00", "\x1f ", "\x7f", "\u3000"])
SCHEMES = st.sampled_from(["http", "https", "HTTP", "hTtPs", "h\ttp", "ftp", "ws", "file", "javascript",
                           "mailto", "sc", "1http", ""])
SEPARATORS = st.sampled_from(["://", ":", ":/", ":\\\\", ":///", "//", ":/\\"])
USERINFO = st.sampled_from(["", "user@", "u:p@", "@", ":@", "a b@"])
HOST_CHARS = "abfx09.%[]:_-~ \u00e9\u00df\u4e2d\u00ad\ufffd\uff0e\uff10\ud800\udc00\ud83d\ude00"
HOSTS = st.one_of(
    st.text(alphabet=HOST_CHARS, max_size=12),
    st.sampled_from(["example.com", "[::1]", "[1::2::3]", "[::127.0.0.1]", "0x7f.1", "1.2.3.08", "256.0.0.1",
                     "4294967296", "foo.09", "xn--a", "xn--pokxncvks", "%41", "%zz", "%EF%BF%BD", "a..b", "."]),
)
PORTS = st.one_of(st.just(""), st.just(":"), st.from_regex(r":0{0,12}[0-9]{0,6}", fullmatch=True),
                  st.sampled_from([":65536", ":-1", ": 80", ":8a"]))
PATHS = st.text(alphabet="/\\?#a%2 \t\n\x00\ud800\u00e9.", max_size=10)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(lead=EDGE_SPACE, scheme=SCHEMES, separator=SEPARATORS, userinfo=USERINFO, host=HOSTS, port=PORTS,
       path=PATHS, trail=EDGE_SPACE)
def test_generated_urls_get_the_parsers_verdict(lead, scheme, separator, userinfo, host, port, path, trail):
    url = f"{lead}{scheme}{separator}{userinfo}{host}{port}{path}{trail}"
    got = url_problem(url)
    assert (got.code if got else None) == _parser_verdict(url)


# --- the models carry the rule with their codes ---------------------------------------------------------------------

def _codes(key: str, method: str, path: str, **changes) -> list[tuple[str, tuple]]:
    return [(p.code, p.loc) for p in tv.check(method, path, {**VALID[key], **changes})]


OFFER = ("POST /v2/offers", "POST", "/v2/offers")
SHORTEN = ("POST /v2/links/shorten", "POST", "/v2/links/shorten")
CONTACT = ("POST /v2/contacts", "POST", "/v2/contacts")


@pytest.mark.parametrize("route, field, url, expected", [
    (OFFER, "tracking_url", "http://track.example.com:000080/c", []),
    (OFFER, "tracking_url", "https://[::1]/click", []),
    (OFFER, "tracking_url", "https://256.0.0.1/click", [("invalid_url", ("tracking_url",))]),
    (OFFER, "tracking_url", "https://[0::0::0]/click", [("invalid_url", ("tracking_url",))]),
    (OFFER, "tracking_url", "ftp://track.example.com/", [("invalid_url_scheme", ("tracking_url",))]),
    (SHORTEN, "url", "HTTP://0:0000080?x", []),
    (SHORTEN, "url", "http://foo.09/landing", [("invalid_url", ("url",))]),
    (SHORTEN, "url", "ftp://example.com/file", [("invalid_url", ("url",))]),  # documented for this endpoint
    (SHORTEN, "url", "mailto:a@b.c", [("invalid_url", ("url",))]),
    (CONTACT, "url", "https://example.com./signup", []),
    (CONTACT, "url", "http://1.2.3.08/signup", [("invalid_url", ("url",))]),
    (CONTACT, "url", "javascript:alert(1)", [("invalid_url_scheme", ("url",))]),
])
def test_models_give_the_rules_codes(route, field, url, expected):
    assert _codes(*route, **{field: url}) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://example.com:0443/new", []),
    ("https://%EF%BF%BD/new", [("invalid_url", ("offer_links", 0, "url"))]),
    ("data:text/html,x", [("invalid_url_scheme", ("offer_links", 0, "url"))]),
])
def test_creative_offer_links_give_the_rules_codes(url, expected):
    links = [{"key": "link1", "offer_id": "offer_abc123", "url": url}]
    assert _codes("POST /v2/creatives", "POST", "/v2/creatives", offer_links=links) == expected
