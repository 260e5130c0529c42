"""Valid request bodies per endpoint, and the bad and borderline values the mutations use.

Every generator mixes the documented examples (``EXAMPLES``, copied from the spec pages
in /work/shared/trackly-api/) with Hypothesis variation of every documented field: the
values come from the docs (vocabularies, E.164 numbers, URLs, ISO 8601 dates), never
from the library's own tables, so a wrong table cannot make its own test pass.  Unknown
``x_*`` keys are sprinkled in: the API ignores unknown fields, so must the library.

Nothing here knows which code a value gets; the test modules say that.
"""

from __future__ import annotations

import json
import string
from datetime import datetime

import phonenumbers
from hypothesis import strategies as st

ALNUM = string.ascii_letters + string.digits


def word(alphabet: str, min_size: int, max_size: int):
    """A string over ``alphabet`` (one Hypothesis choice, far cheaper than ``from_regex``)."""
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


# --- sentinels and JSON ------------------------------------------------------------------------------------

#: Put at a path: the key is removed.
ABSENT = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()

#: Every spelling of "not given" a required field can have: absent, null, "", [], {}.
MISSING = st.sampled_from([ABSENT, None, "", [], {}])

json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(
    allow_nan=False, allow_infinity=False, width=32) | st.text(max_size=12)
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=3)
                           | st.dictionaries(st.text(max_size=6), kids, max_size=3), max_leaves=8)

#: Unknown keys: the API ignores them.
extras = st.dictionaries(word(string.ascii_lowercase, 1, 6).map("x_".__add__), json_values, max_size=2)

#: Non-empty JSON values that are not strings (a wrong type for a string field).
not_strings = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                        st.booleans(), st.lists(json_scalars, min_size=1, max_size=3),
                        st.dictionaries(st.text(max_size=4), json_scalars, min_size=1, max_size=3))
#: Non-empty JSON values that are not objects.
not_objects = st.one_of(st.integers(), st.booleans(), st.text(min_size=1, max_size=8),
                        st.lists(json_scalars, min_size=1, max_size=3))
#: Non-empty JSON values that are not arrays.
not_arrays = st.one_of(st.integers(), st.booleans(), st.text(min_size=1, max_size=8),
                       st.dictionaries(st.text(max_size=4), json_scalars, min_size=1, max_size=3))


def compact_size(value) -> int:
    """Bytes of ``value``'s compact UTF-8 JSON (the docs' size rule), computed with the stdlib."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def without_floats(value):
    """``value`` with every float written as a string.  Size properties use it: how a float
    is spelt in JSON is not settled (``1e-09``, ``1e-9``; ``100.0``, ``100`` in JavaScript),
    and at an exact byte boundary one character decides."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {k: without_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_floats(v) for v in value]
    return value


def with_extras(base):
    """``base`` bodies, each with up to two unknown keys added."""
    return st.builds(lambda body, more: {**body, **more}, base, extras)


def doc_or(examples, generated):
    """A documented example or a generated body (examples first when shrinking)."""
    return st.sampled_from(examples) | generated if examples else generated


texts = st.text(min_size=1, max_size=20)
ids = word(ALNUM + "_", 1, 16)

# --- phone numbers -----------------------------------------------------------------------------------------

DOC_NUMBERS = ("+14155551234", "+14155559876", "+14155551235", "+14155551236", "+18005551000", "+18005551234",
               "+12125551000", "+13105558888", "+12025559876")


def _example_numbers():
    """(E.164, region) of phonenumbers' example numbers that are valid and map back to
    their region; and its example VOIP numbers."""
    plain, voip = [], []
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in kinds:
            n = phonenumbers.example_number_for_type(region, kind)
            if n is not None and phonenumbers.is_valid_number(n) and phonenumbers.region_code_for_number(n) == region:
                plain.append((phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164), region))
        n = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.VOIP)
        if (n is not None and phonenumbers.is_valid_number(n)
                and phonenumbers.number_type(n) == phonenumbers.PhoneNumberType.VOIP):
            voip.append(phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164))
    return plain, voip


PHONE_POOL, VOIP_POOL = _example_numbers()
#: (number, ISO region) pairs; the documented numbers are all US.
located_numbers = st.sampled_from([(n, "US") for n in DOC_NUMBERS]) | st.sampled_from(PHONE_POOL)
numbers = located_numbers.map(lambda pair: pair[0])
voip_numbers = st.sampled_from(VOIP_POOL)


def _us_formats(number: str) -> list[str]:
    national = number[2:]
    return [number, number[1:], national, f"({national[:3]}) {national[3:6]}-{national[6:]}",
            f"{national[:3]}-{national[3:6]}-{national[6:]}", f"{national[:3]}.{national[3:6]}.{national[6:]}"]


#: v1 recipients: E.164 or the US formats the v1 server normalises (messaging.md §6).
v1_numbers = numbers | st.sampled_from([f for n in DOC_NUMBERS for f in _us_formats(n)])

#: Strings no E.164 reading exists for, even after v1 normalisation.
not_phones = st.one_of(
    st.from_regex(r"[a-z][a-z0-9 ]{0,10}", fullmatch=True),            # letters
    st.from_regex(r"\+0[0-9]{5,12}", fullmatch=True),                    # country code 0
    st.from_regex(r"\+[1-9][0-9]{15,19}", fullmatch=True),               # more than 15 digits
    st.sampled_from(["+", "++14155551234", "+1-415-555-CALL", "tel:+14155551234",
                     "+１４１５５５５１２３４"]),  # full-width digits
)
#: Strings that are not E.164 as written (the v2 rule); some are fine for v1.
not_e164 = not_phones | st.sampled_from(["14155551234", "4155551234", "(415) 555-1234", "+1 415 555 1234",
                                         " +14155551234", "+14155551234\n"])
bad_phone_values = not_e164 | not_strings

# --- ids, times, urls, addresses ---------------------------------------------------------------------------

object_ids = word("0123456789abcdef", 24, 24) | word("0123456789ABCDEF", 24, 24)
not_object_ids = st.one_of(st.from_regex(r"[0-9a-f]{1,23}", fullmatch=True),
                           st.from_regex(r"[0-9a-f]{25,30}", fullmatch=True),
                           st.from_regex(r"[0-9a-f]{12}[g-z][0-9a-f]{11}", fullmatch=True),
                           st.sampled_from(["aud_123", "664f1a2b-3c4d-5e6f-7a8b-9c0d", " 664f1a2b3c4d5e6f7a8b9c0d"]))

_STYLES = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S.{ms}Z",
           "%Y-%m-%dT%H:%M:%S+02:00", "%Y-%m-%dT%H:%M:%S-0530", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%MZ",
           # what new Date() reads besides ISO 8601 (CSV exports, RFC 2822 / HTTP dates)
           "%m/%d/%Y", "%m-%d-%Y %H:%M", "%a, %d %b %Y %H:%M:%S GMT", "%B %d, %Y", "%d %b %Y %I:%M %p")
timestamps = st.builds(
    lambda dt, style: dt.strftime(style.replace("{ms}", f"{dt.microsecond // 1000:03d}")),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)), st.sampled_from(_STYLES),
) | st.sampled_from(["2025-03-15T14:30:00Z", "2025-06-10T12:00:00", "2026-02-08T12:00:00Z"])
# neither new Date() nor ISO 8601 reads these (rules/timestamps.py; numbers and booleans are dates to new Date)
not_timestamps = st.sampled_from([
    "2025-02-32", "2025-13-01T00:00:00Z", "2025-03-15T24:30:00Z", "2025-03-15T14:61:00Z", "15/03/2025",
    "Smarch 15, 2025", "yesterday", "2025-3-15 xyz", "20250315", "2025-03-15T14:30:00ZZ", "2025-03-15T", "now",
    " 2025-03-15T10:00:00Z", "10:00",
]) | st.integers(8_640_000_000_000_001, 2**60) | st.just({"date": "2025-03-15"}) | st.just([{}])

_labels = word(string.ascii_lowercase + string.digits + "-", 0, 8)
_hosts = st.builds(lambda a, b, tld: f"{a}{b}.{tld}", st.sampled_from("abcxyz"), _labels,
                   st.sampled_from(["com", "org", "co.uk", "example", "io"])) | st.sampled_from(
    ["example.com", "track.example.com", "t.example.com", "ex%61mple.com", "%C3%A9t%C3%A9.fr", "my_host.example",
     "xn--9ca.com", "127.0.0.1", "[2001:db8::1]", "example.com."])
_paths = st.sampled_from(["", "/", "/landing-page", "/click?offer_id=123", "/a/b?x=1&y=2#top", "/p?q={{sendId}}"])
urls = st.builds(lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
                 st.sampled_from(["http", "https", "HTTPS", "Http"]), _hosts,
                 st.sampled_from(["", ":8080", ":443", ":"]), _paths) | st.sampled_from(
    ["https://example.com/landing-page", "https://track.example.com/click?offer_id=123",
     "https://example.com/signup", "http://t.example.com/c", "https://user:pw@example.com/x"])
_schemes = st.builds(str.__add__, st.sampled_from(string.ascii_lowercase), word(string.ascii_lowercase + string.digits
                                                                             + "+.-", 0, 7)).filter(
    lambda s: s not in ("http", "https"))
wrong_scheme_urls = st.builds(lambda s, h, p: f"{s}://{h}{p}", _schemes, _hosts, _paths) | st.sampled_from(
    ["ftp://example.com/file", "mailto:someone@example.com", "javascript:alert(1)", "file:///etc/passwd",
     "data:text/html,hi", "localhost:8080"])
malformed_urls = st.sampled_from([
    "example.com/landing", "/relative/path", "//example.com/x", "http://", "https://", "http://exa mple.com",
    "http://host:99999/", "http://host:port/", "https://[::1/x", "http://a<b.com", "http://a%zz.com",
    "https://a%25.com", "http://%FF.com", "landing page",
]) | st.integers() | st.booleans() | st.lists(st.just("https://example.com"), min_size=1, max_size=2)

ip_addresses = st.ip_addresses().map(str) | st.sampled_from(["203.0.113.42", "198.51.100.17", "2001:db8::1"])
not_ip_addresses = st.sampled_from(["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4/24", "::g", "1:2:3:4:5:6:7:8:9",
                                    "localhost", "1.2.3.4.5", "2001:db8::1/64"]) | st.integers()

# --- sending ----------------------------------------------------------------------------------------------

contact_data = st.fixed_dictionaries({}, optional={
    "first_name": texts, "last_name": texts, "timezone": st.sampled_from(["America/New_York", "Europe/Paris"]),
    "custom_fields": st.dictionaries(st.text(max_size=8), json_scalars, max_size=3)})
metadata = st.dictionaries(st.text(max_size=8), json_values, max_size=3)
flag = st.booleans()

SEND = {"to": "+14155551234", "list_number": "+18005551000",
        "body": "Hello! Your order is confirmed. Ref: {{messageId}}", "wrap_links": True}
SEND_RAW = {"to": "+14155551234", "list_number": "+18005551000",
            "body": "URGENT: Your verification code is 482901. Ref: {{messageId}}",
            "skip_duplicate_check": True, "skip_rate_limit": True}
SEND_BULK = {"messages": [
    {"to": "+14155551234", "list_number": "+18005551000", "body": "Your promo code is SAVE20. Ref: {{messageId}}"},
    {"to": "+14155559876", "list_number": "+18005551000", "body": "Your promo code is SAVE20. Ref: {{messageId}}"}]}
SEND_BULK_TOP = {"list_number": "+18005551000", "messages": [{"to": "+14155551234", "body": "Hi"},
                                                              {"to": "+14155559876", "body": "Hi"}]}
SEND_RAW_BULK = {"messages": [
    {"to": "+14155551234", "list_number": "+18005551000", "body": "Verification code: 482901. Ref: {{messageId}}",
     "skip_duplicate_check": True, "skip_rate_limit": True},
    {"to": "+14155559876", "list_number": "+18005551000", "body": "Verification code: 739204. Ref: {{messageId}}",
     "skip_duplicate_check": True, "skip_rate_limit": True, "skip_contact_validation": True}]}
V1_SEND = {"to_msisdn": "+14155551234", "body": "Hello from Trackly!", "from_phone_number_id": "pn_abc123def456"}
V1_BULK = {"from_phone_number_id": "pn_abc123def456", "messages": [
    {"to_msisdn": "+14155551234", "body": "Hello John! Check out our latest offer."},
    {"to_msisdn": "+14155551235", "body": "Hello Jane! Check out our latest offer."},
    {"to_msisdn": "+14155551236", "body": "Hello Bob! Check out our latest offer."}]}
VALIDATE = {"phone": "+14155551234"}
VALIDATE_BATCH = {"phones": ["+14155551234", "+13103059808", "not-a-phone", "+15551234567"]}


def _message(list_number: bool = True):
    required = {"to": numbers, "body": texts, **({"list_number": numbers} if list_number else {})}
    return st.fixed_dictionaries(required, optional={"wrap_links": flag, "contact_data": contact_data,
                                                     "metadata": metadata})


def _raw_message(list_number: bool = True):
    required = {"to": numbers, "body": texts, **({"list_number": numbers} if list_number else {})}
    optional = {k: flag for k in ("skip_duplicate_check", "skip_rate_limit", "skip_contact_validation",
                                  "skip_journey_check")}
    return st.fixed_dictionaries(required, optional={**optional, "metadata": metadata})


def send():
    """POST /v2/send."""
    return doc_or([SEND], with_extras(_message()))


def send_raw():
    """POST /v2/send-raw."""
    return doc_or([SEND_RAW], with_extras(_raw_message()))


def send_bulk(raw: bool = False, top_default: bool | None = None):
    """POST /v2/send/bulk (``raw``: /v2/send-raw/bulk).  ``top_default``: True = a top-level
    ``list_number`` and items without one, False = every item has its own and there is
    no top-level one, None = either (the documented bulk examples are both shapes)."""
    item = _raw_message if raw else _message
    own = st.fixed_dictionaries({"messages": st.lists(with_extras(item()), min_size=1, max_size=5)})
    top = st.fixed_dictionaries({"list_number": numbers,
                                 "messages": st.lists(item(list_number=False), min_size=1, max_size=5)})
    own_docs, top_docs = ([SEND_RAW_BULK], []) if raw else ([SEND_BULK], [SEND_BULK_TOP])
    if top_default is True:
        return doc_or(top_docs, top)
    if top_default is False:
        return doc_or(own_docs, own)
    return doc_or(own_docs + top_docs, own | top)


def _v1_message():
    return st.fixed_dictionaries({"body": texts}).flatmap(
        lambda m: st.sampled_from(["to_msisdn", "to"]).flatmap(
            lambda key: v1_numbers.map(lambda n: {**m, key: n})))


def send_v1():
    """POST /v1/messages (``to_msisdn``, or the legacy ``to``)."""
    body = st.builds(lambda m, sender, more: {**m, "from_phone_number_id": sender, **more},
                     _v1_message(), word(string.ascii_lowercase + string.digits, 12, 12).map("pn_".__add__), extras)
    return doc_or([V1_SEND], body)


def send_bulk_v1():
    """POST /v1/messages/bulk."""
    return doc_or([V1_BULK], st.fixed_dictionaries({"from_phone_number_id": ids,
                                                    "messages": st.lists(_v1_message(), min_size=1, max_size=5)}))


def validate_phone():
    """POST /v1/phone/validate."""
    return doc_or([VALIDATE], st.fixed_dictionaries({"phone": v1_numbers}, optional={"force": flag}))


def validate_batch():
    """POST /v1/phone/validate/batch: bad numbers inside ``phones`` are per-item results."""
    phones = st.lists(v1_numbers | not_e164 | json_scalars, min_size=1, max_size=8)
    return doc_or([VALIDATE_BATCH], st.fixed_dictionaries({"phones": phones}, optional={"force": flag}))


def otp(verify: bool = False):
    """POST /v2/otp/send (``verify``: /v2/otp/verify): no field is documented as required."""
    optional = {"to": numbers, "phone_number": numbers, "code": word(string.digits, 4, 8)}
    if not verify:
        optional.update({"channel": st.sampled_from(["sms", "voice", "auto"]),
                         "metadata": st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=4)})
    return with_extras(st.fixed_dictionaries({}, optional=optional))


# --- campaigns: creatives, schedules ----------------------------------------------------------------------

_segment = st.text(alphabet=st.characters(blacklist_characters="{}", blacklist_categories=("Cs",)), max_size=8)
url_params = st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=2)
offer_ids = word(string.ascii_lowercase + string.digits, 3, 8).map("offer_".__add__) | object_ids


def link_entry(key):
    """An ``offer_links`` entry for ``key``."""
    return st.fixed_dictionaries({"key": st.just(key), "offer_id": offer_ids},
                                 optional={"url": urls | st.none() | st.just(""), "url_params": url_params})


@st.composite
def linked_message(draw, max_number: int = 5):
    """(message, offer_links): a message with 1-3 ``{{linkN}}`` placeholders (N in 1..max,
    repeats allowed) and an entry for each key, in any order, plus unused extra entries."""
    nums = draw(st.lists(st.integers(1, max_number), min_size=1, max_size=3))
    segments = draw(st.lists(_segment, min_size=len(nums) + 1, max_size=len(nums) + 1))
    message = segments[0] + "".join(f"{{{{link{n}}}}}{s}" for n, s in zip(nums, segments[1:]))
    keys = draw(st.permutations(sorted({f"link{n}" for n in nums})))
    spare = draw(st.lists(st.sampled_from(["link7", "link8"]), max_size=1))
    links = [draw(link_entry(k)) for k in [*keys, *spare]]
    return message, links


CREATIVE = {"name": "Summer Sale Promo",
            "message": "Hot deals just for you! Shop now: {{link1}} Reply STOP to opt out.",
            "offer_links": [{"key": "link1", "offer_id": "offer_abc123", "url_params": {"sub1": "sms"}}],
            "status": "active", "creative_type": "automated"}
CREATIVE_UPDATE = {"name": "Summer Sale Promo v2",
                   "message": "Exclusive summer deals! Shop now: {{link1}} Browse more: {{link2}} "
                              "Reply STOP to opt out.",
                   "offer_links": [{"key": "link1", "offer_id": "offer_abc123", "url_params": {"sub1": "sms"}},
                                   {"key": "link2", "offer_id": "offer_xyz789"}]}
names = st.text(min_size=1, max_size=40) | st.text(min_size=250, max_size=255)


@st.composite
def creative(draw, update: bool = False):
    """POST /v2/creatives, or a partial PUT /v2/creatives/{id} (``update``)."""
    message, links = draw(linked_message())
    body = {"name": draw(names), "message": message, "offer_links": links}
    statuses = ["active", "paused"] + (["archived"] if update else [])
    for key, values in (("status", statuses), ("creative_type", ["automated", "one_time", "welcome"])):
        if draw(st.booleans()):
            body[key] = draw(st.sampled_from(values) | st.none())
    if update:
        keep = draw(st.sets(st.sampled_from(sorted(body))))
        body = {k: v for k, v in body.items() if k in keep}
        if "message" in body and "offer_links" not in body and draw(st.booleans()):
            body["offer_links"] = links
    return {**body, **draw(extras)}


def creatives(update: bool = False):
    return doc_or([CREATIVE_UPDATE] if update else [CREATIVE, {**CREATIVE_UPDATE, "status": "paused"}],
                  creative(update))


send_times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
AUDIENCE = "665fa1b2c3d4e5f6a7b8c901"
_LINKS = [{"key": "link1", "offer_id": "offer_abc123",
           "url_params": {"utm_source": "sms", "utm_campaign": "weekend"}}]
SCHEDULE = {
    "name": "Weekend Promo", "send_type": "blast", "audiences": [AUDIENCE], "is_repeating": True,
    "send_time": "14:30", "start_date": "2025-06-01T00:00:00Z", "end_date": "2025-08-31T00:00:00Z",
    "days_of_week": {d: d in ("friday", "saturday", "sunday") for d in DAYS},
    "skip_within_hours": 24, "use_local_time": True, "filter_bots": True, "is_mms": False, "is_cto": False,
    "automated_percent": 0, "ir_revenue": 0,
    "blasts": [{"message": "Flash sale this weekend! Shop now: {{link1}}", "offer_links": _LINKS,
                "percent_audience": 60, "variant_name": "Control", "mms_image_url": None},
               {"message": "20% off everything — this weekend only: {{link1}}", "offer_links": _LINKS,
                "percent_audience": 40, "variant_name": "Urgency Variant", "mms_image_url": None}],
}
SCHEDULE_UPDATE = {
    "name": "Weekend Promo — Updated", "status": "on", "skip_within_hours": 48, "ir_revenue": 2.50,
    "blasts": [{"message": "Huge weekend sale! Save big: {{link1}}",
                "offer_links": [{"key": "link1", "offer_id": "offer_abc123",
                                 "url_params": {"utm_source": "sms", "utm_campaign": "weekend_v2"}}],
                "percent_audience": 100, "variant_name": "Single Variant", "mms_image_url": None}],
}


@st.composite
def percents(draw, n: int):
    """``n`` whole percents summing to 100."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 100]
    return [b - a for a, b in zip(bounds, bounds[1:])]


@st.composite
def blast(draw, percent):
    message, links = draw(linked_message())
    body = {"message": message, "offer_links": links, "percent_audience": percent}
    if draw(st.booleans()):
        body["variant_name"] = draw(texts)
    if draw(st.booleans()):
        body["mms_image_url"] = draw(urls | st.none() | st.just(""))
    return body


@st.composite
def blasts(draw, min_size: int = 1):
    split = draw(percents(draw(st.integers(min_size, 3))))
    return [draw(blast(p)) for p in split]


@st.composite
def days_of_week(draw):
    """At least one day selected; some days may be left out."""
    days = draw(st.dictionaries(st.sampled_from(DAYS), st.booleans()))
    days[draw(st.sampled_from(DAYS))] = True
    return days


@st.composite
def schedule(draw, repeating: bool | None = None, send_type: str | None = None):
    """POST /v2/schedules (``repeating``/``send_type`` pin those fields)."""
    repeating = draw(st.booleans()) if repeating is None else repeating
    send_type = draw(st.sampled_from(["blast", "automated"])) if send_type is None else send_type
    body = {"name": draw(texts), "send_type": send_type,
            "audiences": draw(st.lists(object_ids, min_size=1, max_size=3)),
            "is_repeating": repeating, "send_time": draw(send_times)}
    if repeating:
        body.update(start_date=draw(timestamps), end_date=draw(timestamps), days_of_week=draw(days_of_week()))
    else:
        body["send_date"] = draw(timestamps)
    if send_type == "blast":
        body["blasts"] = draw(blasts())
    optional = {"status": st.sampled_from(["draft", "off", "on"]), "source_lists": st.lists(st.integers(1, 999)),
                "skip_within_hours": st.integers(0, 168), "use_local_time": flag, "filter_bots": flag,
                "is_mms": flag, "is_cto": flag, "automated_percent": st.integers(0, 100),
                "ir_revenue": st.floats(0, 100)}
    body.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return {**body, **draw(extras)}


def schedules(repeating: bool | None = None, send_type: str | None = None):
    docs = [SCHEDULE] if repeating in (None, True) and send_type in (None, "blast") else []
    return doc_or(docs, schedule(repeating, send_type))


@st.composite
def schedule_update(draw):
    """PUT /v2/schedules/{id}: a few fields, each valid on its own (no is_repeating)."""
    optional = {"name": texts, "status": st.sampled_from(["draft", "off", "on", "complete", "archive"]),
                "send_time": st.just("09:30"), "audiences": st.lists(object_ids, min_size=1, max_size=2),
                "skip_within_hours": st.integers(0, 99), "ir_revenue": st.floats(0, 10), "blasts": blasts(),
                "days_of_week": days_of_week(), "send_date": timestamps}
    return {**draw(st.fixed_dictionaries({}, optional=optional)), **draw(extras)}


def schedule_updates():
    return doc_or([SCHEDULE_UPDATE, {}], schedule_update())


# --- campaigns: offers, links, revenue, history -------------------------------------------------------------

OFFER = {"name": "Summer Promo", "tracking_url": "https://track.example.com/click?offer_id=123",
         "external_platform": "tune", "external_id": "4521", "advertiser_id": "adv_882", "payout": 2.50,
         "payout_type": "cpa", "filter_bots": True, "status": "active",
         "metadata": {"vertical": "health", "geo": "US"}}
OFFER_UPDATE = {"name": "Summer Promo v2", "payout": 3.00,
                "metadata": {"vertical": "health", "geo": "US,CA", "notes": "Updated payout for Q1"}}
_OFFER_OPTIONAL = {
    "external_platform": st.sampled_from(["tune", "everflow", None]), "external_id": ids, "advertiser_id": ids,
    "payout": st.floats(0, 1000) | st.integers(0, 1000), "payout_type": st.sampled_from(["cpa", "cpc"]),
    "filter_bots": flag, "metadata": st.dictionaries(st.text(max_size=8), st.text(max_size=12), max_size=3)}


def offers(update: bool = False):
    statuses = ["active", "paused"] + (["archived"] if update else [])
    optional = {**_OFFER_OPTIONAL, "status": st.sampled_from(statuses)}
    if update:
        body = st.fixed_dictionaries({}, optional={"name": names, "tracking_url": urls, **optional})
        return doc_or([OFFER_UPDATE, {}], with_extras(body))
    body = st.fixed_dictionaries({"name": names, "tracking_url": urls}, optional=optional)
    return doc_or([OFFER], with_extras(body))


@st.composite
def _one_or_both(draw, a, b, strategies):
    """At least one of keys ``a``/``b`` (both sometimes)."""
    keys = draw(st.sampled_from([(a,), (b,), (a, b)]))
    return {k: draw(strategies[k]) for k in keys}


_LIST = {"listId": st.integers(1, 10**6), "phoneNumber": numbers}


def create_link():
    """POST /v2/links: offerId or externalOfferId, listId or phoneNumber."""
    offer = _one_or_both("offerId", "externalOfferId", {"offerId": object_ids, "externalOfferId": ids})
    body = st.builds(lambda o, lst, more: {**o, **lst, **more}, offer, _one_or_both("listId", "phoneNumber", _LIST),
                     extras)
    return doc_or([{"offerId": "6789abcd1234ef5678901234", "listId": 42}], body)


def shorten_link():
    """POST /v2/links/shorten: url or offerId, listId or phoneNumber, optional contactPhone."""
    target = _one_or_both("url", "offerId", {"url": urls, "offerId": object_ids})
    attribution = st.dictionaries(st.text(max_size=6), st.text(max_size=6))
    more = st.fixed_dictionaries({}, optional={"contactPhone": numbers, "attribution": attribution})
    body = st.builds(lambda t, lst, m, x: {**t, **lst, **m, **x}, target, _one_or_both("listId", "phoneNumber", _LIST),
                     more, extras)
    return doc_or([{"url": "https://example.com/landing-page", "listId": 42}], body)


REVENUE = {"message_id": "a1b2c3d4", "revenue": 24.99, "offer_id": "offer_123", "attribution_type": "sale",
           "timestamp": "2026-02-08T12:00:00Z"}
REVENUE_BULK = {"records": [
    {"message_id": "a1b2c3d4", "revenue": 24.99, "offer_id": "offer_123", "attribution_type": "sale"},
    {"message_id": "e5f6g7h8", "revenue": 12.50, "offer_id": "offer_456", "attribution_type": "click"}],
    "imported": False}
message_ids = word(ALNUM, 8, 8)
amounts = st.floats(0, 10**6) | st.integers(0, 10**6) | st.sampled_from(["24.99", "0", "12.5"])


def revenue_record():
    return with_extras(st.fixed_dictionaries(
        {"message_id": message_ids, "revenue": amounts, "attribution_type": st.sampled_from(["sale", "click", "send"])},
        optional={"offer_id": offer_ids, "timestamp": timestamps}))


def revenue():
    """POST /v2/revenue."""
    return doc_or([REVENUE], revenue_record())


def revenue_bulk():
    """POST /v2/revenue/bulk."""
    return doc_or([REVENUE_BULK], st.fixed_dictionaries({"records": st.lists(revenue_record(), min_size=1,
                                                                             max_size=5)},
                                                        optional={"imported": flag}))


SEND_RECORD = {"id": "hist_0001", "list_number": "+14155551234", "to_number": "+12025559876",
               "message": "Check out this deal!", "send_type": "campaign", "delivered": True, "length": 21,
               "timestamp": "2025-11-15T14:30:00Z"}
CLICK_RECORD = {"message_id": "a1b2c3d4", "offer_id": "offer_123", "phone_number": "+12025559876",
                "send_timestamp": "2025-11-15T14:30:00Z", "timestamp": "2025-11-15T15:02:11Z"}
IMPORT_REVENUE = {"records": [
    {"message_id": "a1b2c3d4", "offer_id": "offer_123", "revenue": 24.99, "payout": 5.00,
     "attribution_type": "migration", "timestamp": "2025-11-15T16:00:00Z"},
    {"message_id": "e5f6g7h8", "offer_id": "offer_456", "revenue": 12.50, "timestamp": "2025-11-16T09:30:00Z"},
    {"message_id": "i9j0k1l2", "offer_id": "offer_123", "revenue": 8.75, "attribution_type": "sale"}]}
CLEAR = {"entities": ["sends", "clicks", "revenue"], "before_date": "2025-01-01T00:00:00Z", "confirm": True}


def _records(record, docs):
    return doc_or(docs, st.fixed_dictionaries({"records": st.lists(with_extras(record), min_size=1, max_size=5)}))


def history_sends():
    record = st.fixed_dictionaries({"id": ids, "to_number": numbers, "timestamp": timestamps}, optional={
        "list_number": numbers, "list_id": st.integers(1, 999), "message": texts,
        "send_type": st.sampled_from(["campaign", "automated"]), "delivered": flag, "length": st.integers(0, 1600)})
    return _records(record, [{"records": [SEND_RECORD]}])


def history_clicks():
    record = st.fixed_dictionaries({"message_id": message_ids, "offer_id": offer_ids, "phone_number": numbers,
                                    "timestamp": timestamps}, optional={"send_timestamp": timestamps})
    return _records(record, [{"records": [CLICK_RECORD]}])


def history_revenue():
    """Import revenue: negative amounts (refunds) and any attribution_type are accepted."""
    record = st.fixed_dictionaries(
        {"message_id": message_ids, "offer_id": offer_ids, "revenue": st.floats(-1000, 1000) | st.integers()},
        optional={"payout": st.floats(0, 100), "attribution_type": st.sampled_from(["migration", "sale", "x"]),
                  "timestamp": timestamps})
    return _records(record, [IMPORT_REVENUE])


def history_clear():
    body = st.fixed_dictionaries({"entities": st.lists(st.sampled_from(["sends", "clicks", "revenue"]), min_size=1,
                                                       max_size=4), "confirm": st.just(True)},
                                 optional={"before_date": timestamps})
    return doc_or([CLEAR, {"entities": ["revenue"], "confirm": True}], with_extras(body))


# --- audiences: the filter grammar (documented words, audiences-contacts.md §1) --------------------------------

TIME_FIELDS = ("last_clicked_at", "last_sent_at", "signup_date")
TIME_OPERATORS = ("within", "not_within", "before", "after")
NO_VALUE = ("exists", "not_exists")
TIME_UNITS = ("minutes", "hours", "days", "weeks")
COUNT_FIELDS = ("send_count", "click_count", "conversion_count")
COUNT_OPERATORS = ("gte", "gt", "eq")
REVENUE_FIELDS = ("has_revenue", "revenue_total", "avg_revenue", "revenue_average", "conversion_count",
                  "last_revenue_at")
#: operators with no readable table: a documented-looking subset of the inferred lists
REVENUE_OPERATORS = ("gt", "gte", "lt", "eq")
CUSTOM_FIELD_OPERATORS = ("eq", "in")
CARRIER_OPERATORS = ("eq", "in")
TIMEZONE_OPERATORS = ("eq", "in")
PHONE_NUMBERS_OPERATORS = ("in", "not_in")
CONDITION_TYPES = ("time", "count", "revenue", "custom_field", "carrier", "timezone", "phone_numbers")


def _tagged(kind, parts):
    key = st.sampled_from(["condition_type", "conditionType"])
    return st.builds(lambda k, p: {k: kind, **p}, key, parts)


def condition(kind: str, with_value: bool = True):
    """A valid condition of ``kind`` (``with_value=False``: an exists/not_exists one where
    the type allows it)."""
    fd = st.fixed_dictionaries
    if kind == "time":
        if not with_value:
            return _tagged(kind, fd({"field": st.sampled_from(TIME_FIELDS), "operator": st.sampled_from(NO_VALUE)}))
        return _tagged(kind, fd({"field": st.sampled_from(TIME_FIELDS), "operator": st.sampled_from(TIME_OPERATORS),
                                 "value": st.integers(0, 365) | st.floats(0, 365),
                                 "unit": st.sampled_from(TIME_UNITS)}))
    if kind == "count":
        return _tagged(kind, fd({"field": st.sampled_from(COUNT_FIELDS), "operator": st.sampled_from(COUNT_OPERATORS),
                                 "value": st.integers(0, 1000)}))
    if kind == "revenue":
        return _tagged(kind, fd({"field": st.sampled_from(REVENUE_FIELDS),
                                 "operator": st.sampled_from(REVENUE_OPERATORS),
                                 "value": st.integers(0, 1000) | st.floats(0, 1000) | st.booleans()}))
    if kind == "custom_field":
        return _tagged(kind, fd({"field": st.sampled_from(["state", "custom_fields.state", "vip_status"]),
                                 "operator": st.sampled_from(CUSTOM_FIELD_OPERATORS),
                                 "value": st.text(max_size=10) | st.lists(st.text(max_size=4), min_size=1, max_size=3)
                                 | st.integers()}))
    if kind == "carrier":
        return _tagged(kind, fd({"operator": st.sampled_from(CARRIER_OPERATORS),
                                 "value": st.sampled_from(["Verizon Wireless", "AT&T", ["T-Mobile", "Sprint"]])}))
    if kind == "timezone":
        return _tagged(kind, fd({"operator": st.sampled_from(TIMEZONE_OPERATORS),
                                 "value": st.sampled_from(["America/New_York", ["America/Chicago", "UTC"]])}))
    if kind == "phone_numbers":
        return _tagged(kind, fd({"operator": st.sampled_from(PHONE_NUMBERS_OPERATORS),
                                 "value": st.lists(numbers, min_size=1, max_size=3)}))
    raise ValueError(kind)


any_condition = st.sampled_from(CONDITION_TYPES).flatmap(condition) | condition("time", with_value=False)
group_operators = st.sampled_from(["AND", "OR", "and", "or", "And"])


@st.composite
def group(draw, depth: int = 1, max_depth: int = 3):
    """A non-empty filter group; nested groups down to ``max_depth``."""
    conditions = draw(st.lists(any_condition, max_size=3))
    groups = draw(st.lists(group(depth + 1, max_depth), max_size=2)) if depth < max_depth else []
    if not conditions and not groups:
        conditions = [draw(any_condition)]
    body = {"operator": draw(group_operators)}
    for key, value in (("conditions", conditions), ("groups", groups)):
        if value or draw(st.booleans()):  # an empty list next to a non-empty one is fine
            body[key] = value
    return body


AUDIENCE_UPDATE = {"name": "High-Value Clickers (Updated)", "filter": {"operator": "AND", "conditions": [
    {"condition_type": "time", "field": "last_clicked_at", "operator": "within", "value": 14, "unit": "days"},
    {"condition_type": "count", "field": "click_count", "operator": "gte", "value": 5}]}}
ENGAGED_OR_NEW = {"name": "Engaged or new", "filter": {"operator": "OR", "groups": [
    {"operator": "AND", "conditions": [
        {"condition_type": "time", "field": "last_clicked_at", "operator": "within", "value": 7, "unit": "days"},
        {"condition_type": "count", "field": "click_count", "operator": "gt", "value": 2}]},
    {"operator": "AND", "conditions": [
        {"condition_type": "time", "field": "signup_date", "operator": "within", "value": 3, "unit": "days"},
        {"condition_type": "count", "field": "send_count", "operator": "eq", "value": 0}]}]}}


def audiences(update: bool = False):
    """POST /v2/audiences (``update``: PUT, every field optional)."""
    optional = {"name": names, "description": texts, "source_lists": st.lists(st.integers(1, 999), max_size=3)}
    if update:
        body = st.fixed_dictionaries({}, optional={**optional, "filter": group()})
        return doc_or([AUDIENCE_UPDATE, {}], with_extras(body))
    body = st.fixed_dictionaries({"filter": group()}, optional=optional)
    return doc_or([AUDIENCE_UPDATE, ENGAGED_OR_NEW], with_extras(body))


def group_paths(group_body, prefix=("filter",)):
    """The loc of every group in a filter, the top-level one first."""
    out = [prefix]
    for i, child in enumerate(group_body.get("groups") or []):
        out += group_paths(child, (*prefix, "groups", i))
    return out


# --- contacts -------------------------------------------------------------------------------------------------

CONTACT = {"phone_number": "+14155559876", "list_number": "+18005551234", "use_journeys": True,
           "custom_fields": {"first_name": "Jane", "source": "landing_page_v2"},
           "ip_address": "203.0.113.42", "url": "https://example.com/signup"}
CONTACT_FULL = {**CONTACT, "skip_journey_if_exists": False, "signup_date": "2025-03-15T14:30:00Z",
                "replace_custom_fields": True, "ad_network_source": "facebook", "ad_network_id": 12345,
                "use_validation": True}
CONTACT_FIELDS = {"phone_number": "+14155559876", "list_number": "+18005551234",
                  "custom_fields": {"vip_status": "gold", "last_purchase": "2026-02-10"}}
CONTACT_DELETE = {"phone_number": "+14155559876", "list_number": "+18005551234"}
CONTACTS_BULK = {"contacts": [
    {"phone_number": "+14155559876", "list_number": "+18005551234", "use_journeys": True,
     "custom_fields": {"first_name": "Jane"}},
    {"phone_number": "+12125551000", "list_number": "+18005551234", "custom_fields": {"first_name": "John"}},
    {"phone_number": "+13105558888", "list_number": "+18005551234", "signup_date": "2025-03-10T08:00:00Z",
     "ip_address": "198.51.100.17"}]}
custom_fields = st.dictionaries(st.text(max_size=10), st.text(max_size=12) | st.integers(-10**6, 10**6)
                                | st.floats(-1e6, 1e6) | st.booleans(), max_size=4)
_CONTACT_OPTIONAL = {
    "use_journeys": flag, "skip_journey_if_exists": flag, "signup_date": timestamps, "ip_address": ip_addresses,
    "url": urls, "custom_fields": custom_fields, "replace_custom_fields": flag, "ad_network_source": texts,
    "ad_network_id": json_scalars, "use_validation": flag,
    "consent_method": st.sampled_from(["express", "implied", "written", "Express"])}


def contact():
    """One contact (POST /v2/contacts, a /bulk item): far below 4,000 bytes."""
    return with_extras(st.fixed_dictionaries({"phone_number": numbers, "list_number": numbers},
                                             optional=_CONTACT_OPTIONAL))


def contacts_post():
    return doc_or([CONTACT, CONTACT_FULL], contact())


def contacts_put():
    body = st.fixed_dictionaries({"phone_number": numbers, "list_number": numbers, "custom_fields": custom_fields},
                                 optional={"merge_fields": flag})
    return doc_or([CONTACT_FIELDS], with_extras(body))


def contacts_delete():
    return doc_or([CONTACT_DELETE], with_extras(st.fixed_dictionaries({"phone_number": numbers,
                                                                       "list_number": numbers})))


def contacts_bulk():
    return doc_or([CONTACTS_BULK], st.fixed_dictionaries({"contacts": st.lists(contact(), min_size=1, max_size=5)}))

