"""Phone validation: POST /v1/phone/validate and /v1/phone/validate/batch (messaging reference)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import ABSENT, ItemsCap, Required, TracklyModel
from trackly_validate.rules.phones import Phone
from trackly_validate.rules.types import StrictFlag

__all__ = ["ValidatePhone", "ValidatePhoneBatch"]

if TYPE_CHECKING:  # StrictFlag builds the type at import: a strict JSON boolean
    Force: TypeAlias = bool
else:
    Force = StrictFlag(C.invalid_force)


class ValidatePhone(TracklyModel):
    """POST /v1/phone/validate.  ``phone`` may be in the US formats the server
    normalises (``4155551234``, ``(415) 555-1234``); ``force`` must be a strict JSON
    boolean (``"true"`` and ``1`` are ``invalid_force``).  The code for an unparseable
    number (``invalid_phone``) is read from the batch example: inferred.  The account
    mirrors (``block_voip``, ``allowed_countries``) do not apply: the number is looked up,
    not messaged."""

    phone: Annotated[str, Phone(C.invalid_phone, "v1", role="lookup"), Required(C.missing_phone)] = ABSENT
    force: Force | None = None


class ValidatePhoneBatch(TracklyModel):
    """POST /v1/phone/validate/batch: 1 to 500 numbers (413 ``too_many_phones`` above).

    Bad numbers inside ``phones`` are **not** request errors: the server reports them
    per item in ``results[]``, so they pass here too.  Only ``missing_phones``,
    ``too_many_phones`` and ``invalid_force`` are raised."""

    phones: Annotated[
        list[Any],
        ItemsCap(C.too_many_phones, 500, type_info=C.missing_phones),
        Required(C.missing_phones),
    ] = ABSENT
    force: Force | None = None
