"""Properties for every campaigns rule (campaigns.md: creatives, schedules and blasts,
offers, short links, revenue, history import and clear): each code is triggered alone by
a generated mutation of a valid body, at its exact loc with its documented text and the
endpoint's status, and a near miss of the same rule passes.  See harness.py."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import strategies as st


from . import strategies as S
from .harness import area_tests, Case, get, item, put, Registry
from .strategies import ABSENT, MISSING

CREATIVE = ("POST", "/v2/creatives")
CREATIVE_PUT = ("PUT", "/v2/creatives/101")
SCHEDULE = ("POST", "/v2/schedules")
SCHEDULE_PUT = ("PUT", "/v2/schedules/6651a3f2e4b0a1c2d3e4f567")
OFFER = ("POST", "/v2/offers")
OFFER_PUT = ("PUT", "/v2/offers/664f1a2b3c4d5e6f7a8b9c0d")
LINK = ("POST", "/v2/links")
SHORTEN = ("POST", "/v2/links/shorten")
REVENUE = ("POST", "/v2/revenue")
REVENUE_BULK = ("POST", "/v2/revenue/bulk")
SENDS = ("POST", "/v2/history/sends")
CLICKS = ("POST", "/v2/history/clicks")
IMPORT_REVENUE = ("POST", "/v2/history/revenue")
CLEAR = ("DELETE", "/v2/history/clear")

VALID = {
    CREATIVE: S.creatives(), CREATIVE_PUT: S.creatives(update=True), SCHEDULE: S.schedules(),
    SCHEDULE_PUT: S.schedule_updates(), OFFER: S.offers(), OFFER_PUT: S.offers(update=True), LINK: S.create_link(),
    SHORTEN: S.shorten_link(), REVENUE: S.revenue(), REVENUE_BULK: S.revenue_bulk(), SENDS: S.history_sends(),
    CLICKS: S.history_clicks(), IMPORT_REVENUE: S.history_revenue(), CLEAR: S.history_clear(),
}
EXAMPLES = [(CREATIVE, S.CREATIVE), (CREATIVE_PUT, S.CREATIVE_UPDATE), (SCHEDULE, S.SCHEDULE),
            (SCHEDULE_PUT, S.SCHEDULE_UPDATE), (OFFER, S.OFFER), (OFFER_PUT, S.OFFER_UPDATE),
            (REVENUE, S.REVENUE), (REVENUE_BULK, S.REVENUE_BULK), (SENDS, {"records": [S.SEND_RECORD]}),
            (CLICKS, {"records": [S.CLICK_RECORD]}), (IMPORT_REVENUE, S.IMPORT_REVENUE), (CLEAR, S.CLEAR)]

# --- values and mutations ---------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{link([0-9]+)\}\}")
no_braces = st.characters(blacklist_characters="{}", blacklist_categories=("Cs",))
plain_text = st.text(alphabet=no_braces, min_size=1, max_size=40)  # no {{linkN}} in it
long_names = st.text(min_size=256, max_size=300)
not_in = lambda *words: (st.text(min_size=1, max_size=10).filter(lambda s: s not in words)  # noqa: E731
                         | S.not_strings)


def keys_in(message):
    """``{{linkN}}`` keys in order of first appearance (the test's own reading of the rule)."""
    return list(dict.fromkeys("link" + n for n in _PLACEHOLDER.findall(message)))


def _uncover(prefix=()):
    """Make some placeholders of the message at ``prefix`` uncovered: add new ones, or drop
    the entries of existing ones.  The problem names them in message order."""
    def mutate(body, draw):
        target = dict(get(body, prefix))
        message, links = target["message"], list(target.get("offer_links") or [])
        if draw(st.booleans()):
            new = draw(st.lists(st.sampled_from([6, 9, 10, 12]), min_size=1, max_size=3))
            target["message"] = message + "".join(f" {{{{link{n}}}}}" for n in new)
            missing = keys_in(target["message"])[len(keys_in(message)):]
        else:
            missing = draw(st.sets(st.sampled_from(keys_in(message)), min_size=1))
            links = [e for e in links if e["key"] not in missing] or [{"key": "link99", "offer_id": "offer_x"}]
            missing = [k for k in keys_in(message) if k in missing]
            target["offer_links"] = links
        return put(body, prefix, target), (*prefix, "offer_links"), ", ".join(missing)
    return mutate


def _cover_new(prefix=()):
    """Near miss: a new placeholder together with its entry (literal key, or zero-padded:
    the docs do not say whether keys compare as text or as numbers, both are accepted)."""
    def near(body, draw):
        target = dict(get(body, prefix))
        n = draw(st.sampled_from([6, 9, 12]))
        key = draw(st.sampled_from([f"link{n}", f"link0{n}"]))
        target["message"] = f"{target['message']} {{{{link{n}}}}}"
        target["offer_links"] = [*(target.get("offer_links") or []), {"key": key, "offer_id": "offer_n"}]
        return put(body, prefix, target)
    return near


def _extra_entry(entry):
    """Append an extra ``offer_links`` entry (it covers no placeholder) at ``prefix``."""
    def mutate(body, draw, prefix=()):
        links = list(get(body, (*prefix, "offer_links")))
        value = draw(entry)
        return put(body, (*prefix, "offer_links"), [*links, value]), len(links)
    return mutate


def _entry_problem(entry, *field, prefix_of=None):
    """A bad extra entry appended at a random (blast) prefix; loc ``(…, "offer_links", n, *field)``."""
    def mutate(body, draw):
        prefix = prefix_of(body, draw) if prefix_of else ()
        out, n = _extra_entry(entry)(body, draw, prefix)
        return out, (*prefix, "offer_links", n, *field)
    return mutate


def _entry_at(*field):
    """Path to ``field`` of a random existing entry of the creative's offer_links."""
    return item("offer_links", *field)


def _blast_entry(*field):
    def path(body, draw):
        i = draw(st.integers(0, len(body["blasts"]) - 1))
        j = draw(st.integers(0, len(body["blasts"][i]["offer_links"]) - 1))
        return ("blasts", i, "offer_links", j, *field)
    return path


def _a_blast(body, draw):
    return ("blasts", draw(st.integers(0, len(body["blasts"]) - 1)))


def _longer(bounds):
    """The message padded with one repeated character (no braces) to a length in ``bounds``."""
    def mutate(body, draw):
        message = body.get("message") or "Deal: {{link1}}"
        ch = draw(no_braces)
        n = draw(st.integers(*bounds))
        out = {**body, "message": message + ch * (n - len(message))}
        if "message" not in body:  # an update that sent no message: send one, without offer_links
            out.pop("offer_links", None)
        return out, ("message",)
    return mutate


def _placeholder_of_entry(body, draw):
    """Near miss of missing_link_placeholder: a message using one of the entries' keys."""
    entry = draw(st.sampled_from(body["offer_links"]))
    return {**body, "message": f"{draw(plain_text)} {{{{{entry['key']}}}}}"}


def _percent_sum_off(body, draw):
    """One blast's percent changed (still valid on its own): the percents no longer sum to 100."""
    i = draw(st.integers(0, len(body["blasts"]) - 1))
    old = body["blasts"][i]["percent_audience"]
    new = draw(st.integers(0, 100).filter(lambda p: p != old))
    return put(body, ("blasts", i, "percent_audience"), new), ("blasts",)


def _decimal_split(body, draw):
    """Near miss: percents with one decimal place that sum to exactly 100 in decimal
    (33.3 + 33.3 + 33.4), which binary floating point would get wrong."""
    n = len(body["blasts"])
    cuts = sorted(draw(st.lists(st.integers(0, 1000), min_size=n - 1, max_size=n - 1)))
    tenths = [b - a for a, b in zip([0, *cuts], [*cuts, 1000])]
    values = [float(Decimal(t) / 10) for t in tenths]
    assert sum(Decimal(str(v)) for v in values) == 100
    return {**body, "blasts": [{**b, "percent_audience": v} for b, v in zip(body["blasts"], values)]}


def _none_of(*keys, loc=()):
    """Neither of ``keys`` has a value (each absent, null or "")."""
    def mutate(body, draw):
        out = {k: v for k, v in body.items() if k not in keys}
        for key in keys:
            value = draw(st.sampled_from([ABSENT, None, ""]))
            if value is not ABSENT:
                out[key] = value
        return out, loc
    return mutate


def _repeat(array, bounds):
    def mutate(body, draw):
        return {**body, array: [body[array][0]] * draw(st.integers(*bounds))}, (array,)
    return mutate


def _near_repeat(array, bounds):
    return lambda body, draw: _repeat(array, bounds)(body, draw)[0]


days_none_selected = st.sampled_from([ABSENT, None, {}]) | st.dictionaries(
    st.sampled_from(S.DAYS), st.just(False) | st.none(), min_size=1)
bad_percents = st.integers(101, 10**6) | st.integers(max_value=-1) | st.floats(100.001, 1e9) | st.sampled_from(
    ["60", "100", "", True, False, [100], {"v": 100}])
offer_links_not_arrays = st.integers() | st.booleans() | st.text(min_size=1, max_size=8) | st.dictionaries(
    st.text(max_size=3), S.json_scalars, min_size=1, max_size=2)
bad_entries = S.not_objects | st.none() | st.just([])
bad_urls = S.malformed_urls


def _repeating(body, draw):
    """Near miss of missing_send_date: the same schedule made repeating (no send_date needed)."""
    out = {k: v for k, v in body.items() if k != "send_date"}
    return {**out, "is_repeating": True, "start_date": draw(S.timestamps), "end_date": draw(S.timestamps),
            "days_of_week": draw(S.days_of_week())}


def _partial(field, value_strategy, **fixed):
    """An update sending ``fixed`` fields and ``field`` drawn from ``value_strategy``."""
    def mutate(body, draw):
        out = {**body, **fixed}
        value = draw(value_strategy)
        if value is ABSENT:
            out.pop(field, None)
        else:
            out[field] = value
        return out, (field,)
    return mutate


#: an update sending both message and offer_links (only then is coverage decided locally)
message_and_links = S.linked_message().map(lambda ml: {"message": ml[0], "offer_links": ml[1]})

# --- cases --------------------------------------------------------------------------------------------------

REG = Registry()
CREATIVE_STATUSES = ("active", "paused")
REG.add(
    Case("missing_name", CREATIVE, VALID[CREATIVE], at=("name",), bad=MISSING, good=S.names),
    Case("missing_message", CREATIVE, VALID[CREATIVE], at=("message",), bad=MISSING, near=_placeholder_of_entry),
    Case("missing_offer_links", CREATIVE, VALID[CREATIVE], at=("offer_links",), bad=MISSING),
    Case("name_too_long", CREATIVE, VALID[CREATIVE], at=("name",), bad=long_names,
         good=st.text(min_size=1, max_size=255)),
    Case("message_too_long", CREATIVE, VALID[CREATIVE], mutate=_longer((1601, 1700)),
         near=lambda b, d: _longer((1500, 1600))(b, d)[0]),
    Case("invalid_status", CREATIVE, VALID[CREATIVE], at=("status",), bad=not_in(*CREATIVE_STATUSES),
         good=st.sampled_from([*CREATIVE_STATUSES, None, ABSENT]), detail="active, paused"),
    Case("invalid_creative_type", CREATIVE, VALID[CREATIVE], at=("creative_type",),
         bad=not_in("automated", "one_time", "welcome"),
         good=st.sampled_from(["automated", "one_time", "welcome", None, ABSENT]),
         detail="automated, one_time, welcome"),
    Case("missing_link_placeholder", CREATIVE, VALID[CREATIVE], at=("message",), bad=plain_text,
         near=_placeholder_of_entry),
    Case("missing_offer_links_for_placeholders", CREATIVE, VALID[CREATIVE], mutate=_uncover(), near=_cover_new()),
    Case("invalid_offer_links", CREATIVE, VALID[CREATIVE], at=("offer_links",), bad=offer_links_not_arrays,
         label="not an array"),
    Case("invalid_offer_links", CREATIVE, VALID[CREATIVE], mutate=_entry_problem(bad_entries),
         near=lambda b, d: _extra_entry(S.link_entry("link7"))(b, d)[0], label="entry not an object"),
    Case("invalid_offer_links", CREATIVE, VALID[CREATIVE],
         mutate=_entry_problem(st.fixed_dictionaries({"key": S.not_strings, "offer_id": S.offer_ids}), "key"),
         label="key not a string"),
    Case("invalid_offer_links", CREATIVE, VALID[CREATIVE], at=_entry_at("offer_id"), bad=S.not_strings,
         good=S.offer_ids, label="offer_id not a string"),
    Case("invalid_offer_links", CREATIVE, VALID[CREATIVE], at=_entry_at("url_params"), bad=S.not_objects,
         good=S.url_params | st.none(), label="url_params not an object"),
    Case("missing_offer_link_key", CREATIVE, VALID[CREATIVE], mutate=_entry_problem(st.fixed_dictionaries(
        {"offer_id": S.offer_ids}, optional={"key": st.sampled_from([None, "", [], {}])}), "key")),
    Case("missing_offer_link_offer_id", CREATIVE, VALID[CREATIVE], at=_entry_at("offer_id"), bad=MISSING,
         good=S.offer_ids),
    Case("invalid_url_scheme", CREATIVE, VALID[CREATIVE], at=_entry_at("url"), bad=S.wrong_scheme_urls,
         good=S.urls | st.sampled_from([None, "", ABSENT])),
    Case("invalid_url", CREATIVE, VALID[CREATIVE], at=_entry_at("url"), bad=bad_urls, good=S.urls),
    # update: partial; null = not sent
    Case("name_too_long", CREATIVE_PUT, VALID[CREATIVE_PUT], at=("name",), bad=long_names,
         good=st.sampled_from([ABSENT, None, ""]) | st.text(max_size=255)),
    Case("message_too_long", CREATIVE_PUT, VALID[CREATIVE_PUT], mutate=_longer((1601, 1700)),
         near=lambda b, d: _longer((1500, 1600))(b, d)[0]),
    Case("invalid_status", CREATIVE_PUT, VALID[CREATIVE_PUT], at=("status",),
         bad=not_in(*CREATIVE_STATUSES, "archived"),
         good=st.sampled_from([*CREATIVE_STATUSES, "archived", None, ABSENT]), detail="active, paused, archived"),
    Case("invalid_creative_type", CREATIVE_PUT, VALID[CREATIVE_PUT], at=("creative_type",),
         bad=not_in("automated", "one_time", "welcome"), detail="automated, one_time, welcome"),
    Case("missing_link_placeholder", CREATIVE_PUT, VALID[CREATIVE_PUT], at=("message",),
         bad=plain_text | st.just(""), good=st.sampled_from([None, ABSENT])),
    Case("missing_offer_links_for_placeholders", CREATIVE_PUT, message_and_links,
         mutate=_uncover(),
         near=lambda b, d: {k: v for k, v in _uncover()(b, d)[0].items() if k != "offer_links"}),
    Case("invalid_offer_links", CREATIVE_PUT, VALID[CREATIVE_PUT], at=("offer_links",),
         bad=offer_links_not_arrays | st.just(""), good=st.sampled_from([None, ABSENT]), label="not an array"),
)

SCHEDULE_STATUSES = ("draft", "off", "on")
one_time, repeating, blast = S.schedules(repeating=False), S.schedules(repeating=True), S.schedules(send_type="blast")
REG.add(
    Case("missing_name", SCHEDULE, VALID[SCHEDULE], at=("name",), bad=MISSING, good=S.texts),
    Case("missing_send_type", SCHEDULE, VALID[SCHEDULE], at=("send_type",), bad=MISSING),
    Case("invalid_send_type", SCHEDULE, VALID[SCHEDULE], at=("send_type",), bad=not_in("blast", "automated")),
    Case("missing_is_repeating", SCHEDULE, one_time, at=("is_repeating",), bad=MISSING, good=st.just(False)),
    Case("missing_send_time", SCHEDULE, VALID[SCHEDULE], at=("send_time",), bad=MISSING,
         # the format of send_time has no documented code: a present value is never refused
         good=st.sampled_from(["14:30", "9:05", "2pm", "25:99", "14:30:00"]) | S.texts),
    Case("missing_audiences", SCHEDULE, VALID[SCHEDULE], at=("audiences",), bad=MISSING),
    Case("invalid_audience_id", SCHEDULE, VALID[SCHEDULE], at=item("audiences"), bad=S.not_object_ids | S.not_strings,
         good=S.object_ids),
    Case("invalid_status", SCHEDULE, VALID[SCHEDULE], at=("status",), bad=not_in(*SCHEDULE_STATUSES),
         good=st.sampled_from([*SCHEDULE_STATUSES, None, ABSENT]), detail="draft, off, on"),
    Case("missing_send_date", SCHEDULE, one_time, at=("send_date",), bad=MISSING, near=_repeating),
    Case("missing_start_date", SCHEDULE, repeating, at=("start_date",), bad=MISSING, good=S.timestamps),
    Case("missing_end_date", SCHEDULE, repeating, at=("end_date",), bad=MISSING, good=S.timestamps),
    Case("no_days_selected", SCHEDULE, repeating, at=("days_of_week",), bad=days_none_selected,
         good=S.days_of_week()),
    Case("missing_blasts", SCHEDULE, blast, at=("blasts",), bad=MISSING,
         near=lambda b, d: {**put(b, ("blasts",), d(MISSING)), "send_type": "automated"}),
    Case("invalid_blast_percent", SCHEDULE, blast, at=item("blasts", "percent_audience"), bad=bad_percents,
         label="out of range"),
    Case("invalid_blast_percent", SCHEDULE, blast, mutate=_percent_sum_off, near=_decimal_split,
         label="sum is not 100"),
    Case("missing_blast_message", SCHEDULE, blast, at=item("blasts", "message"), bad=MISSING),
    Case("missing_offer_links_for_placeholders", SCHEDULE, blast,
         mutate=lambda b, d: _uncover(_a_blast(b, d))(b, d), near=lambda b, d: _cover_new(_a_blast(b, d))(b, d)),
    Case("invalid_offer_links", SCHEDULE, blast, at=item("blasts", "offer_links"), bad=offer_links_not_arrays,
         label="blast offer_links not an array"),
    Case("invalid_offer_links", SCHEDULE, blast, mutate=_entry_problem(bad_entries, prefix_of=_a_blast),
         label="blast entry not an object"),
    Case("missing_offer_link_key", SCHEDULE, blast, mutate=_entry_problem(st.fixed_dictionaries(
        {"offer_id": S.offer_ids}), "key", prefix_of=_a_blast)),
    Case("missing_offer_link_offer_id", SCHEDULE, blast, at=_blast_entry("offer_id"), bad=MISSING),
    Case("invalid_url_scheme", SCHEDULE, blast, at=item("blasts", "mms_image_url"), bad=S.wrong_scheme_urls,
         good=S.urls | st.sampled_from([None, "", ABSENT]), label="mms_image_url"),
    Case("invalid_url", SCHEDULE, blast, at=item("blasts", "mms_image_url"), bad=bad_urls, good=S.urls,
         label="mms_image_url"),
    Case("invalid_url", SCHEDULE, blast, at=_blast_entry("url"), bad=bad_urls, good=S.urls, label="blast entry url"),
    Case("invalid_input", SCHEDULE, VALID[SCHEDULE], at=("skip_within_hours",),
         bad=st.sampled_from(["24h", "many", [24], {"h": 1}]) | st.floats(0.5, 99.5).filter(lambda f: f % 1),
         good=st.integers(0, 999) | st.sampled_from(["24", 24.0, None]), label="skip_within_hours"),
    # update: an absent field is never a problem; a field sent empty is
    Case("missing_name", SCHEDULE_PUT, VALID[SCHEDULE_PUT], at=("name",), bad=st.sampled_from([None, "", [], {}]),
         good=st.just(ABSENT) | S.texts),
    Case("invalid_status", SCHEDULE_PUT, VALID[SCHEDULE_PUT], at=("status",),
         bad=not_in(*SCHEDULE_STATUSES, "complete", "archive"),
         good=st.sampled_from([*SCHEDULE_STATUSES, "complete", "archive"]), detail="draft, off, on, complete, archive"),
    Case("missing_send_date", SCHEDULE_PUT, VALID[SCHEDULE_PUT],
         mutate=_partial("send_date", st.sampled_from([None, ""]), is_repeating=False),
         near=lambda b, d: _partial("send_date", st.just(ABSENT), is_repeating=False)(b, d)[0]),
    Case("missing_start_date", SCHEDULE_PUT, VALID[SCHEDULE_PUT].map(lambda b: {
        k: v for k, v in b.items() if k != "days_of_week"}),
         mutate=_partial("start_date", st.sampled_from([None, ""]), is_repeating=True),
         near=lambda b, d: _partial("start_date", st.just(ABSENT), is_repeating=True)(b, d)[0]),
    Case("no_days_selected", SCHEDULE_PUT, VALID[SCHEDULE_PUT], at=("days_of_week",),
         bad=st.just({}) | st.dictionaries(st.sampled_from(S.DAYS), st.just(False), min_size=1),
         good=st.just(ABSENT) | S.days_of_week()),
    Case("missing_blasts", SCHEDULE_PUT, VALID[SCHEDULE_PUT],
         mutate=_partial("blasts", st.sampled_from([None, "", []]), send_type="blast"),
         near=lambda b, d: _partial("blasts", st.sampled_from([None, []]))(b, d)[0]),
)

OFFER_STATUSES = ("active", "paused")
REG.add(
    Case("missing_name", OFFER, VALID[OFFER], at=("name",), bad=MISSING, good=S.names),
    Case("missing_tracking_url", OFFER, VALID[OFFER], at=("tracking_url",), bad=MISSING, good=S.urls),
    Case("name_too_long", OFFER, VALID[OFFER], at=("name",), bad=long_names),
    Case("invalid_url_scheme", OFFER, VALID[OFFER], at=("tracking_url",), bad=S.wrong_scheme_urls, good=S.urls),
    Case("invalid_url", OFFER, VALID[OFFER], at=("tracking_url",), bad=bad_urls, good=S.urls),
    Case("invalid_external_platform", OFFER, VALID[OFFER], at=("external_platform",),
         bad=not_in("tune", "everflow") | st.just(""), good=st.sampled_from(["tune", "everflow", None, ABSENT])),
    Case("invalid_payout_type", OFFER, VALID[OFFER], at=("payout_type",), bad=not_in("cpa", "cpc"),
         good=st.sampled_from(["cpa", "cpc", None])),
    Case("invalid_status", OFFER, VALID[OFFER], at=("status",), bad=not_in(*OFFER_STATUSES),
         detail="active, paused"),
    Case("invalid_metadata", OFFER, VALID[OFFER], at=("metadata",),
         bad=S.not_objects | st.dictionaries(st.text(max_size=4), S.not_strings | st.none(), min_size=1, max_size=2),
         good=st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=3) | st.none()),
    Case("invalid_input", OFFER, VALID[OFFER], at=("payout",), bad=st.sampled_from(["abc", "2,50", [1], {"a": 1}]),
         good=st.floats(0, 10) | st.sampled_from(["2.50", 3, None]), label="payout"),
    Case("name_too_long", OFFER_PUT, VALID[OFFER_PUT], at=("name",), bad=long_names),
    Case("invalid_url_scheme", OFFER_PUT, VALID[OFFER_PUT], at=("tracking_url",), bad=S.wrong_scheme_urls,
         good=st.sampled_from([None, "", ABSENT]) | S.urls),
    Case("invalid_url", OFFER_PUT, VALID[OFFER_PUT], at=("tracking_url",), bad=bad_urls),
    Case("invalid_status", OFFER_PUT, VALID[OFFER_PUT], at=("status",), bad=not_in(*OFFER_STATUSES, "archived"),
         good=st.sampled_from([*OFFER_STATUSES, "archived"]), detail="active, paused, archived"),
    Case("invalid_metadata", OFFER_PUT, VALID[OFFER_PUT], at=("metadata",), bad=S.not_objects),
    # short links: the "one of" rules are about the whole body
    Case("missing_offer_id", LINK, VALID[LINK], mutate=_none_of("offerId", "externalOfferId"),
         near=lambda b, d: put(_none_of("offerId")(b, d)[0], ("externalOfferId",), d(S.ids))),
    Case("missing_list_identifier", LINK, VALID[LINK], mutate=_none_of("listId", "phoneNumber"),
         near=lambda b, d: put(_none_of("phoneNumber")(b, d)[0], ("listId",), d(st.integers(1, 99)))),
    Case("invalid_phone", LINK, VALID[LINK], at=("phoneNumber",), bad=S.bad_phone_values, good=S.numbers,
         variant="e164"),
    Case("missing_url_or_offer", SHORTEN, VALID[SHORTEN], mutate=_none_of("url", "offerId"),
         near=lambda b, d: put(_none_of("offerId")(b, d)[0], ("url",), d(S.urls))),
    Case("missing_list_identifier", SHORTEN, VALID[SHORTEN], mutate=_none_of("listId", "phoneNumber")),
    # a wrong scheme is invalid_url here (the endpoint documents no invalid_url_scheme);
    # url is not read when offerId is given (the offer wins)
    Case("invalid_url", SHORTEN, VALID[SHORTEN],
         mutate=lambda b, d: (put(_none_of("offerId")(b, d)[0], ("url",), d(S.wrong_scheme_urls | bad_urls)),
                              ("url",)),
         near=lambda b, d: {**b, "offerId": d(S.object_ids), "url": d(S.wrong_scheme_urls | bad_urls)}),
    Case("invalid_phone", SHORTEN, VALID[SHORTEN], at=("phoneNumber",), bad=S.bad_phone_values, variant="e164"),
    Case("invalid_phone", SHORTEN, VALID[SHORTEN], at=("contactPhone",), bad=S.bad_phone_values,
         good=S.numbers | st.sampled_from([None, "", ABSENT]), variant="e164", label="contactPhone"),
)

ATTRIBUTIONS = ("sale", "click", "send")
bad_revenue = st.floats(max_value=-1e-9, allow_infinity=False) | st.integers(max_value=-1) | st.sampled_from(
    ["abc", "-1", "1,5", "NaN", "24.99$", [1], {"v": 1}])
not_numbers = st.sampled_from(["abc", "1,5", "NaN", "24.99$", [1], {"v": 1}])
for route, prefix in ((REVENUE, ()), (REVENUE_BULK, ("records",))):
    at = (lambda *f: item(prefix[0], *f)) if prefix else (lambda *f: f)
    label = "record" if prefix else ""
    REG.add(
        Case("missing_message_id", route, VALID[route], at=at("message_id"), bad=MISSING, label=label),
        Case("missing_revenue", route, VALID[route], at=at("revenue"), bad=MISSING, good=st.just(0) | S.amounts,
             label=label),
        Case("missing_attribution_type", route, VALID[route], at=at("attribution_type"), bad=MISSING, label=label),
        Case("invalid_revenue", route, VALID[route], at=at("revenue"), bad=bad_revenue, good=S.amounts, label=label),
        Case("invalid_attribution_type", route, VALID[route], at=at("attribution_type"), bad=not_in(*ATTRIBUTIONS),
             good=st.sampled_from(ATTRIBUTIONS), label=label),
        Case("invalid_timestamp", route, VALID[route], at=at("timestamp"), bad=S.not_timestamps,
             good=S.timestamps | st.sampled_from([None, ABSENT]), label=label),
        Case("invalid_input", route, VALID[route], at=at("offer_id"), bad=S.not_strings, good=S.offer_ids,
             label=f"offer_id {label}".strip()),
    )
REG.add(
    Case("missing_records", REVENUE_BULK, VALID[REVENUE_BULK], at=("records",), bad=MISSING | S.not_arrays),
    Case("too_many_records", REVENUE_BULK, VALID[REVENUE_BULK], mutate=_repeat("records", (1001, 1100)),
         near=_near_repeat("records", (990, 1000)), status=413),
)
RECORDS = {
    SENDS: {"id": "missing_id", "to_number": "missing_to_number", "timestamp": "missing_timestamp"},
    CLICKS: {"message_id": "missing_message_id", "offer_id": "missing_offer_id",
             "phone_number": "missing_phone_number", "timestamp": "missing_timestamp"},
    IMPORT_REVENUE: {"message_id": "missing_message_id", "offer_id": "missing_offer_id",
                     "revenue": "missing_revenue"},
}
for route, required in RECORDS.items():
    REG.add(
        Case("missing_records", route, VALID[route], at=("records",), bad=MISSING | S.not_arrays),
        Case("too_many_records", route, VALID[route], mutate=_repeat("records", (1001, 1100)),
             near=_near_repeat("records", (990, 1000)), status=413),
        *(Case(code, route, VALID[route], at=item("records", field), bad=MISSING) for field, code in required.items()),
        Case("invalid_timestamp", route, VALID[route], at=item("records", "timestamp"), bad=S.not_timestamps,
             good=S.timestamps),
    )
REG.add(
    Case("invalid_phone", SENDS, VALID[SENDS], at=item("records", "to_number"), bad=S.bad_phone_values,
         good=S.numbers, variant="e164"),
    # the clicks page documents no invalid_phone: a non-E.164 phone_number is not refused
    Case("missing_phone_number", CLICKS, VALID[CLICKS], at=item("records", "phone_number"), bad=MISSING,
         good=st.sampled_from(["4155551234", "(415) 555-1234", "+14155551234"]), label="not E.164 is no problem"),
    Case("invalid_timestamp", CLICKS, VALID[CLICKS], at=item("records", "send_timestamp"), bad=S.not_timestamps,
         good=S.timestamps | st.sampled_from([None, ABSENT]), label="send_timestamp"),
    # imports may record refunds: negative revenue is a number like any other
    Case("invalid_revenue", IMPORT_REVENUE, VALID[IMPORT_REVENUE], at=item("records", "revenue"), bad=not_numbers,
         good=st.floats(-1e6, 1e6) | st.integers(-10**6, 10**6)),
    Case("missing_entities", CLEAR, VALID[CLEAR], at=("entities",), bad=MISSING),
    Case("invalid_entities", CLEAR, VALID[CLEAR], at=("entities",), bad=S.not_arrays, label="not an array"),
    Case("invalid_entities", CLEAR, VALID[CLEAR], at=item("entities"), bad=not_in("sends", "clicks", "revenue"),
         good=st.sampled_from(["sends", "clicks", "revenue"])),
    Case("confirm_required", CLEAR, VALID[CLEAR], at=("confirm",),
         bad=st.sampled_from([ABSENT, None, False, "true", "True", 1, 1.0, "yes", [], {}, [True]])),
    Case("invalid_timestamp", CLEAR, VALID[CLEAR], at=("before_date",), bad=S.not_timestamps, good=S.timestamps),
)

# --- tests ----------------------------------------------------------------------------------------------------


(test_mutation_triggers_only_its_code, test_near_miss_passes,
 test_generated_valid_bodies_pass, test_documented_examples_pass) = area_tests(REG, VALID, EXAMPLES)


COVERED = REG.covered
