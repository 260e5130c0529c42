"""IP addresses (``ip_address`` on contacts): IPv4 or IPv6, no CIDR suffix.

Uses ``validators.ipv4``/``validators.ipv6`` with ``cidr=False``: dotted-quad
IPv4 without leading zeros, any IPv6 form including zone IDs (``fe80::1%eth0``)
and IPv4-mapped addresses, as Node's ``net.isIP`` accepts them.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable

from pydantic_core import core_schema as cs

from ..catalog import C, CodeInfo
from ..options import Options
from .base import Rule, coded, fail, tagged

__all__ = ["is_ip_address", "IpAddress"]

_MAX_LEN = 64


def is_ip_address(value: object) -> bool:
    if not isinstance(value, str) or not value or len(value) > _MAX_LEN:
        return False
    import validators

    return bool(validators.ipv4(value, cidr=False)) or bool(validators.ipv6(value, cidr=False))


class _IpRule(Rule):
    def __init__(self, info: CodeInfo):
        self.info = info
        self.codes = (info.code,)

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return cs.any_schema()
        error = fail(self.info)

        def check(value: str) -> str:
            if not is_ip_address(value):
                raise error
            return value

        return cs.no_info_after_validator_function(check, coded(cs.str_schema(strict=True), self.info))


class _IpMarker:
    __slots__ = ("info",)

    def __init__(self, info: CodeInfo = C.invalid_ip_address):
        self.info = info

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_IpRule(self.info))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        return {"type": "string", "examples": ["203.0.113.42", "2001:db8::1"]}


IpAddress = Annotated[str, _IpMarker()]
