"""IP addresses (``ip_address`` on contacts): IPv4 or IPv6, no CIDR suffix.

Uses ``validators.ipv4``/``validators.ipv6`` with ``cidr=False``: dotted-quad
IPv4 without leading zeros, any IPv6 form including zone IDs (``fe80::1%eth0``)
and IPv4-mapped addresses, as Node's ``net.isIP`` accepts them.
"""

from __future__ import annotations

from typing import Annotated

from trackly_validate.core.catalog import C
from trackly_validate.rules.base import StrCheck

__all__ = ["is_ip_address", "IpAddress"]

_MAX_LEN = 64


def is_ip_address(value: object) -> bool:
    if not isinstance(value, str) or not value or len(value) > _MAX_LEN:
        return False
    import validators

    return bool(validators.ipv4(value, cidr=False)) or bool(validators.ipv6(value, cidr=False))


IpAddress = Annotated[str, StrCheck(C.invalid_ip_address, is_ip_address,
                                    {"type": "string", "examples": ["203.0.113.42", "2001:db8::1"]})]
