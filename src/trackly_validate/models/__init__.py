"""One pydantic model per request body, one module per API area.

``trackly_validate.models.SendMessage`` and friends are imported on first access
(the package import stays cheap); every model is usable on its own, e.g. as a
FastAPI request body, and raises the API's codes as pydantic error types.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any


__all__ = [  # every area's __all__ (tests/test_typing.py keeps the two in step)
    "AREAS", "ContactData", "SendMessage", "BulkMessage", "SendBulk", "SendRaw", "RawMessage", "SendRawBulk",
    "SendMessageV1", "BulkMessageV1", "SendBulkV1", "ValidatePhone", "ValidatePhoneBatch", "SendOtp",
    "VerifyOtp", "OfferLink", "CreateCreative", "UpdateCreative", "DaysOfWeek", "Blast", "CreateSchedule",
    "UpdateSchedule", "CreateOffer", "UpdateOffer", "CreateLink", "ShortenLink", "RevenueRecord",
    "RecordRevenue", "RecordRevenueBulk", "SendRecord", "ClickRecord", "RevenueImportRecord", "ImportSends",
    "ImportClicks", "ImportRevenue", "ClearHistory", "TimeCondition", "CountCondition", "RevenueCondition",
    "CarrierCondition", "PhoneNumbersCondition", "TimezoneCondition", "CustomFieldCondition",
    "CONDITION_MODELS", "Condition", "FilterGroup", "CreateAudience", "UpdateAudience", "render_filter",
    "CustomFields", "UpsertContact", "BulkContact", "BulkCreateContacts", "UpdateContactFields",
    "UnsubscribeContact",
]

#: Area modules, in the order the docs present them.
AREAS = (
    "sending",
    "phone_validation",
    "otp",
    "creatives",
    "schedules",
    "offers",
    "links",
    "revenue",
    "history",
    "audiences",
    "contacts",
)

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports on first use
    from trackly_validate.models.sending import (ContactData, SendMessage, BulkMessage, SendBulk, SendRaw, RawMessage, SendRawBulk,
        SendMessageV1, BulkMessageV1, SendBulkV1)
    from trackly_validate.models.phone_validation import (ValidatePhone, ValidatePhoneBatch)
    from trackly_validate.models.otp import (SendOtp, VerifyOtp)
    from trackly_validate.models.creatives import (OfferLink, CreateCreative, UpdateCreative)
    from trackly_validate.models.schedules import (DaysOfWeek, Blast, CreateSchedule, UpdateSchedule)
    from trackly_validate.models.offers import (CreateOffer, UpdateOffer)
    from trackly_validate.models.links import (CreateLink, ShortenLink)
    from trackly_validate.models.revenue import (RevenueRecord, RecordRevenue, RecordRevenueBulk)
    from trackly_validate.models.history import (SendRecord, ClickRecord, RevenueImportRecord, ImportSends, ImportClicks,
        ImportRevenue, ClearHistory)
    from trackly_validate.models.audiences import (TimeCondition, CountCondition, RevenueCondition, CarrierCondition,
        PhoneNumbersCondition, TimezoneCondition, CustomFieldCondition, CONDITION_MODELS, Condition,
        FilterGroup, CreateAudience, UpdateAudience, render_filter)
    from trackly_validate.models.contacts import (CustomFields, UpsertContact, BulkContact, BulkCreateContacts, UpdateContactFields,
        UnsubscribeContact)


def _modules() -> Any:
    for area in AREAS:
        yield importlib.import_module(f"{__name__}.{area}")


def __getattr__(name: str) -> Any:
    if name.startswith("_"):
        raise AttributeError(name)
    for module in _modules():
        if name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no model {name!r}")


def __dir__() -> list[str]:
    return sorted({n for m in _modules() for n in getattr(m, "__all__", ())} | {"AREAS"})
