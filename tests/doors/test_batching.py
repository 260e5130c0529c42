"""batches(): bulk bodies never over the item cap or the byte cap, in order, nothing split or lost."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings, strategies as st
from pydantic_core import to_json

import trackly_validate as tv
from trackly_validate.doors.batching import KINDS, BatchItemTooLarge, batches
from trackly_validate.doors.python import MAX_PAYLOAD_BYTES
from trackly_validate.contracts.routes import ROUTES


def _size(body) -> int:
    return len(to_json(body))


def _message(i: int, body: str = "Hello") -> dict:
    return {"to": f"+1415555{i % 10000:04d}", "list_number": "+18005551000", "body": body}


def test_the_limits_are_the_documented_ones():
    assert MAX_PAYLOAD_BYTES == 5 * 1024 * 1024
    assert dict(KINDS) == {"messages": 1000, "contacts": 1000, "records": 1000, "phones": 500}
    # every bulk array of the route table has its cap here
    for route in ROUTES:
        if route.items is not None:
            assert KINDS[route.items] == route.max_items, route.key
    phones = next(r for r in ROUTES if r.key == "POST /v1/phone/validate/batch")
    assert KINDS["phones"] == phones.max_items


@pytest.mark.parametrize(("kind", "n", "sizes"), [
    ("messages", 2500, [1000, 1000, 500]),
    ("contacts", 1000, [1000]),
    ("records", 1001, [1000, 1]),
    ("phones", 1200, [500, 500, 200]),
    ("phones", 0, []),
])
def test_item_caps(kind, n, sizes):
    items = [_message(i) if kind != "phones" else f"+1415555{i:04d}" for i in range(n)]
    bodies = list(batches(items, kind))
    assert [len(b[kind]) for b in bodies] == sizes
    assert [x for b in bodies for x in b[kind]] == items


def test_every_body_is_accepted_by_the_bulk_endpoint():
    items = [_message(i) for i in range(2345)]
    for body in batches(items, extra={"list_number": "+18005551000"}):
        assert tv.check("POST", "/v2/send/bulk", body) == []
    v1 = [{"to_msisdn": f"+1415555{i:04d}", "body": "Hi"} for i in range(1500)]
    for body in batches(v1, extra={"from_phone_number_id": "pn_abc123def456"}):
        assert tv.check("POST", "/v1/messages/bulk", body) == []
        assert body["from_phone_number_id"] == "pn_abc123def456"


def test_the_five_mib_cap_with_large_items():
    big = [_message(i, "x" * 1_500_000) for i in range(7)]  # ~1.5 MB each: 3 fit in 5 MiB, 4 do not
    bodies = list(batches(big))
    assert [len(b["messages"]) for b in bodies] == [3, 3, 1]
    assert all(_size(b) <= MAX_PAYLOAD_BYTES for b in bodies)
    assert all(tv.check("POST", "/v2/send/bulk", b) == [] for b in bodies)


def test_a_body_of_exactly_the_limit_is_kept_one_byte_less_splits():
    items = [_message(1, "a" * 50), _message(2, "b" * 60)]
    exact = _size({"messages": items})
    assert [len(b["messages"]) for b in batches(items, max_bytes=exact)] == [2]
    assert [len(b["messages"]) for b in batches(items, max_bytes=exact - 1)] == [1, 1]


def test_extra_fields_count_in_the_size():
    items = [_message(1), _message(2)]
    exact = _size({"messages": items})
    assert len(list(batches(items, max_bytes=exact))) == 1
    assert len(list(batches(items, max_bytes=exact, extra={"list_number": "+18005551000"}))) == 2


def test_an_item_that_cannot_fit_alone_raises_after_the_bodies_before_it():
    items = [_message(0), _message(1, "x" * 300), _message(2)]
    out = []
    with pytest.raises(BatchItemTooLarge) as info:
        for body in batches(items, max_bytes=200, max_items=1):
            out.append(body)
    assert [b["messages"] for b in out] == [[items[0]]]
    assert (info.value.index, info.value.limit) == (1, 200)
    assert info.value.size == _size({"messages": [items[1]]})
    assert "xxx" not in str(info.value) and "+1415" not in str(info.value)
    assert isinstance(info.value, tv.TracklyError)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown kind"):
        list(batches([1], "nope"))
    with pytest.raises(ValueError, match="must not contain"):
        list(batches([1], extra={"messages": []}))
    with pytest.raises(ValueError):
        list(batches([1], max_items=0))
    with pytest.raises(tv.TracklyError, match="item 1 cannot be encoded as JSON"):
        list(batches([{"a": 1}, {"b": object()}]))


def test_it_streams_an_endless_input():
    endless = (_message(i) for i in itertools.count())
    first_two = list(itertools.islice(batches(endless, max_items=3), 2))
    assert [[m["to"] for m in b["messages"]] for b in first_two] == [
        ["+14155550000", "+14155550001", "+14155550002"], ["+14155550003", "+14155550004", "+14155550005"]]


def test_items_are_neither_copied_nor_changed():
    items = [{"to": "+14155551234", "body": "é ✓ 😀"} for _ in range(5)]
    bodies = list(batches(items, max_items=2))
    assert all(a is b for a, b in zip([x for body in bodies for x in body["messages"]], items))


# --- properties ----------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(items=st.lists(json_values, max_size=60), max_items=st.integers(1, 12),
       max_bytes=st.integers(1, 2000), extra=st.dictionaries(st.sampled_from(["list_number", "x", "é"]),
                                                             st.text(max_size=20), max_size=2))
def test_never_over_either_limit_in_order_nothing_split_or_lost(items, max_items, max_bytes, extra):
    base = _size({**extra, "messages": []})
    fits = [base + _size(item) <= max_bytes for item in items]
    out = []
    try:
        for body in batches(items, extra=extra, max_items=max_items, max_bytes=max_bytes):
            out.append(body)
    except BatchItemTooLarge as exc:
        assert not fits[exc.index] and all(fits[:exc.index])
        flat = [x for b in out for x in b["messages"]]
        assert len(flat) == exc.index and all(a is b for a, b in zip(flat, items))
        return
    assert all(fits)
    flat = [x for b in out for x in b["messages"]]
    assert len(flat) == len(items) and all(a is b for a, b in zip(flat, items))
    for i, body in enumerate(out):
        assert 1 <= len(body["messages"]) <= max_items
        assert _size(body) <= max_bytes
        assert {k: v for k, v in body.items() if k != "messages"} == extra
        if i + 1 < len(out):  # greedy: the next item did not fit in this body
            nxt = out[i + 1]["messages"][0]
            grown = {**body, "messages": body["messages"] + [nxt]}
            assert len(body["messages"]) == max_items or _size(grown) > max_bytes


def test_partition_reads_raw_bodies_like_parsed_ones():
    import json

    good = {"to": "+14155551234", "list_number": "+18005551000", "body": "hi"}
    for body in ({"messages": [good, good]}, {"messages": [good, {"to": "x"}]}):
        parsed = tv.partition("POST", "/v2/send/bulk", body)
        for raw in (json.dumps(body), json.dumps(body).encode()):
            again = tv.partition("POST", "/v2/send/bulk", raw)
            assert (again.accepted, again.accepted_indices, again.errors, again.body()) == (
                parsed.accepted, parsed.accepted_indices, parsed.errors, parsed.body())
            assert again.accepted  # an all-valid raw body queues its items too
