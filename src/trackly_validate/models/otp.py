"""OTP: POST /v2/otp/send and /v2/otp/verify.

No reference page exists for these endpoints (messaging reference): only the error-code
page names ``channel`` and its values.  **Every rule here is inferred** and each code
is registered as such, so ``Options(disable={...})`` can switch it off:

- ``channel`` in ``sms|voice|auto`` → ``invalid_channel``;
- a recipient given as ``to`` or ``phone_number`` must be E.164 (v2 "strictly
  requires E.164") → ``invalid_phone``;
- ``metadata`` is an object of at most 1,024 bytes → ``invalid_metadata`` /
  ``metadata_too_large`` (the cap is mentioned in passing in the docs).

No field is required: the field names are not documented, so requiring any could
refuse a request the server accepts.
"""

from __future__ import annotations

from typing import Annotated

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import MaxBytes, OneOf, TracklyModel
from trackly_validate.rules.phones import Phone
from trackly_validate.rules.types import Metadata, Str

__all__ = ["SendOtp", "VerifyOtp"]

OtpPhone = Annotated[str, Phone(C.invalid_phone, "e164")]


class SendOtp(TracklyModel):
    """POST /v2/otp/send (inferred rules only, see the module docstring)."""

    to: OtpPhone | None = None
    phone_number: OtpPhone | None = None
    channel: Annotated[Str, OneOf(C.invalid_channel, "sms", "voice", "auto")] | None = None
    metadata: Annotated[Metadata, MaxBytes(C.metadata_too_large, 1024)] | None = None


class VerifyOtp(TracklyModel):
    """POST /v2/otp/verify (inferred rules only, see the module docstring)."""

    to: OtpPhone | None = None
    phone_number: OtpPhone | None = None
