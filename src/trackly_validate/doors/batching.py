"""Split any number of items into bulk request bodies the API accepts.

``batches(items, kind="messages")`` yields ``{**extra, kind: [...]}`` bodies, in order,
each with at most the endpoint's item cap (:data:`KINDS`, read from the contracts' models:
1,000; 500 for ``phones``) **and** at most
5 MiB of compact UTF-8 JSON, measured exactly as the pipeline measures a body
(``decoding.encode``, :data:`~trackly_validate.contracts.pipeline.MAX_PAYLOAD_BYTES`).
Items are never split, copied or reordered; ``extra`` top-level fields (e.g.
``{"from_phone_number_id": "..."}`` on v1, ``{"list_number": ...}`` on v2) go into every
body and count towards its size.

Judgement call: an item that cannot fit in a body on its own (with ``extra``) raises
:class:`BatchItemTooLarge` when it is reached, after every item before it has been
yielded; yielding it would break the "never over 5 MiB" promise, and the server would
refuse that whole body with 413.  An item that cannot be encoded as JSON at all raises
:class:`~trackly_validate.TracklyError` the same way.
Nothing else is checked: run :func:`trackly_validate.check` on each body for that.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from trackly_validate.contracts.routes import item_caps
from trackly_validate.core.decoding import encode
from trackly_validate.core.errors import TracklyError

__all__ = ["batches", "BatchItemTooLarge", "KINDS"]


class _Kinds(Mapping[str, int]):
    """Bulk array name -> item cap (:func:`~trackly_validate.contracts.routes.item_caps`:
    each bulk model's ``ItemsCap``), read on first use (the models load then)."""

    _caps: Mapping[str, int] | None = None

    def _found(self) -> Mapping[str, int]:
        if self._caps is None:
            self._caps = item_caps()
        return self._caps

    def __getitem__(self, kind: str) -> int:
        return self._found()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())

    def __repr__(self) -> str:
        return repr(dict(self._found()))


#: Bulk array name -> its item cap (``{"messages": 1000, ..., "phones": 500}``).
KINDS: Mapping[str, int] = _Kinds()


class BatchItemTooLarge(TracklyError):
    """An item that alone exceeds the byte limit of a request body.  Its content is
    never part of the message (only its index and size)."""

    def __init__(self, index: int, size: int, limit: int):
        self.index, self.size, self.limit = index, size, limit
        super().__init__(f"item {index} needs a {size}-byte body, over the {limit}-byte request limit")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.index, self.size, self.limit))


def batches(items: Iterable[Any], kind: str = "messages", *, extra: Mapping[str, Any] | None = None,
            max_items: int | None = None, max_bytes: int | None = None) -> Iterator[dict[str, Any]]:
    """Bulk bodies ``{**extra, kind: [item, ...]}`` of at most ``max_items`` items (the
    kind's cap by default) and ``max_bytes`` bytes (5 MiB by default), in order.

    Streams: holds one body at a time, so ``items`` may be any iterable (a generator
    over a huge file).  ``ValueError`` for an unknown kind, ``BatchItemTooLarge`` for an
    item that cannot fit.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    fields = dict(extra or {})
    if kind in fields:
        raise ValueError(f"extra must not contain the items key {kind!r}")
    cap = KINDS[kind] if max_items is None else max_items
    if max_bytes is None:
        from trackly_validate.contracts.pipeline import MAX_PAYLOAD_BYTES

        max_bytes = MAX_PAYLOAD_BYTES
    if cap < 1 or max_bytes < 1:
        raise ValueError("max_items and max_bytes must be positive")
    empty = encode({**fields, kind: []})  # the body with an empty array
    if empty is None:
        raise TracklyError("extra cannot be encoded as JSON")
    base = len(empty)
    chunk: list[Any] = []
    size = base
    for index, item in enumerate(items):
        encoded = encode(item)  # measured as the pipeline measures a body (decoding.encode)
        n = -1 if encoded is None else len(encoded)  # not JSON data: no request could carry it
        if n < 0 or base + n > max_bytes:
            if chunk:  # everything before it is still delivered
                yield {**fields, kind: chunk}
                chunk = []
            if n < 0:
                raise TracklyError(f"item {index} cannot be encoded as JSON")
            raise BatchItemTooLarge(index, base + n, max_bytes)
        extra_bytes = n + (1 if chunk else 0)  # a comma between items
        if chunk and (len(chunk) >= cap or size + extra_bytes > max_bytes):
            yield {**fields, kind: chunk}
            chunk, size, extra_bytes = [], base, n
        chunk.append(item)
        size += extra_bytes
    if chunk:
        yield {**fields, kind: chunk}
