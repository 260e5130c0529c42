"""http(s) URLs (``tracking_url``, ``offer_links[].url``, contact ``url``…).

Written to refuse only what a WHATWG URL parser (the server's ``new URL()``)
would refuse or what is not http(s):

- not a string, no scheme (a relative URL), an empty host, a host with a forbidden
  code point (space, ``<``, ``>``, ``^``, ``|``, ``%``, ``@``…) once its valid ``%XX``
  escapes are decoded as UTF-8 (``ex%61mple.com`` is ``example.com``; ``a%zz``, ``a%25``
  and ``%FF`` are refused, as by the WHATWG parser), or a port that is not a number up
  to 65535 → ``invalid_url``;
- a scheme other than ``http``/``https`` → ``invalid_url_scheme`` (the links
  endpoint documents ``invalid_url`` for it instead: pass ``scheme_info``).

Leading/trailing spaces and control characters, and tabs/newlines inside, are
ignored as the WHATWG parser ignores them.  Underscores, trailing dots, IDN and
numeric hosts are accepted (stricter checkers such as ``validators.url`` refuse
some of these, which the server accepts).  No regular expression with nested
quantifiers; the work is linear in the input.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable
from urllib.parse import unquote

from pydantic_core import core_schema as cs

from ..catalog import C, CodeInfo
from ..options import Options
from .base import Rule, coded, fail, tagged

__all__ = ["url_problem", "HttpUrlOf", "HttpUrl"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_FORBIDDEN_HOST = frozenset(" #%/:<>?@[\\]^|\x7f") | frozenset(chr(i) for i in range(0x20))
_EDGE = "".join(chr(i) for i in range(0x21))  # C0 controls and space
_INNER_WS = str.maketrans("", "", "\t\n\r")


def url_problem(value: object, scheme_info: CodeInfo = C.invalid_url_scheme) -> CodeInfo | None:
    """The code a URL gets, or ``None`` when it is an acceptable http(s) URL."""
    if not isinstance(value, str):
        return C.invalid_url
    text = value.strip(_EDGE).translate(_INNER_WS)
    m = _SCHEME.match(text)
    if m is None:
        return C.invalid_url
    scheme = m.group()[:-1].lower()
    if scheme not in ("http", "https"):
        return scheme_info
    rest = text[m.end():].lstrip("/\\")
    end = len(rest)
    for sep in "/?#\\":
        i = rest.find(sep)
        if i != -1 and i < end:
            end = i
    authority = rest[:end]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        close = host.find("]")
        if close == -1:
            return C.invalid_url
        port = host[close + 1:]
        if port and (not port.startswith(":") or not _port_ok(port[1:])):
            return C.invalid_url
        return None if close > 1 else C.invalid_url
    host, colon, port = host.partition(":")
    if colon and not _port_ok(port):
        return C.invalid_url
    if "%" in host:  # WHATWG percent-decodes the host (``ex%61mple.com``) before checking it
        try:
            host = unquote(host, errors="strict")
        except UnicodeDecodeError:
            return C.invalid_url
    if not host or any(ch in _FORBIDDEN_HOST for ch in host):
        return C.invalid_url
    return None


def _port_ok(port: str) -> bool:
    return port == "" or (port.isascii() and port.isdigit() and len(port) <= 5 and int(port) <= 65535)


class _UrlRule(Rule):
    def __init__(self, scheme_info: CodeInfo):
        self.scheme_info = scheme_info
        self.codes = tuple(dict.fromkeys((C.invalid_url.code, scheme_info.code)))

    def build(self, options: Options) -> cs.CoreSchema:
        if self.is_disabled(options):
            return cs.any_schema()
        scheme_info = self.scheme_info
        errors = {C.invalid_url.code: fail(C.invalid_url), scheme_info.code: fail(scheme_info)}
        disabled = options.disable

        def check(value: str) -> str:
            problem = url_problem(value, scheme_info)
            if problem is not None and problem.code not in disabled:
                raise errors[problem.code]
            return value

        return cs.no_info_after_validator_function(check, coded(cs.str_schema(strict=True), C.invalid_url))


class HttpUrlOf:
    """Marker: an http(s) URL; ``scheme_info`` is the code for a wrong scheme."""

    __slots__ = ("scheme_info",)

    def __init__(self, scheme_info: CodeInfo = C.invalid_url_scheme):
        self.scheme_info = scheme_info

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], cs.CoreSchema]) -> cs.CoreSchema:
        return tagged(_UrlRule(self.scheme_info))

    def __get_pydantic_json_schema__(self, core_schema: cs.CoreSchema, handler: Any) -> Any:
        return {"type": "string", "format": "uri", "examples": ["https://example.com/landing-page"]}


HttpUrl = Annotated[str, HttpUrlOf()]
