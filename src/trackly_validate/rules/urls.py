"""http(s) URLs (``tracking_url``, ``offer_links[].url``, contact ``url``…).

The server checks a URL with ``new URL(value)`` (no base URL), which is the
WHATWG URL Standard's basic URL parser (https://url.spec.whatwg.org/#concept-basic-url-parser);
Node implements it with the ada C++ library.  This rule runs the same parser through
the ``ada-url`` Python binding of that library, so it accepts exactly what the
standard accepts: leading zeros in a port (``http://f:00080/``), IPv4 in
octal/hex/short forms (``http://0x7f.1/``), IDN hosts, underscores and trailing
dots in hosts, backslashes for slashes, and a value whose leading/trailing C0
controls and spaces and inner tabs/newlines the parser strips; and it refuses
what the standard refuses: invalid IPv4 (``http://1.2.3.08``, ``http://256.0.0.1``),
malformed IPv6 literals (``http://[0::0::0]``), hosts that fail IDNA or hold a
forbidden code point (``https://%EF%BF%BD``, ``https://a b``), ports above 65535.

- not a string, or a string the parser refuses → ``invalid_url``;
- parsed, but the scheme is not ``http``/``https`` → ``invalid_url_scheme`` (the
  links endpoint documents ``invalid_url`` for it instead: pass ``scheme_info``).

The server receives a JavaScript string, which ``new URL()`` converts to a
sequence of Unicode scalar values (WebIDL ``USVString``): a surrogate pair is one
code point and a lone surrogate becomes U+FFFD.  A Python string can hold
surrogates (``json.loads('"\\ud800"')``), which UTF-8 cannot encode, so they are
converted the same way before parsing.  No regular expression: the parser's work
grows linearly with the input (megabyte-long hostile values answer in milliseconds).
"""

from __future__ import annotations

from typing import Annotated, Any, Callable

from ada_url import parse_url
from pydantic_core import core_schema as cs

from trackly_validate.core.catalog import C, CodeInfo
from trackly_validate.core.options import Options
from trackly_validate.rules.base import Rule, coded, fail, tagged

__all__ = ["url_problem", "HttpUrlOf", "HttpUrl"]

_PROTOCOL = ("protocol",)
_HTTP_PROTOCOLS = frozenset(("http:", "https:"))  # the parser lower-cases the scheme


def url_problem(value: object, scheme_info: CodeInfo = C.invalid_url_scheme) -> CodeInfo | None:
    """The code a URL gets, or ``None`` when it is an acceptable http(s) URL."""
    # the server's body is JSON: a URL is a string
    if not isinstance(value, str):
        return C.invalid_url
    # what new URL() sees of a JS string: scalar values (ASCII has no surrogates)
    text = value if value.isascii() else _scalar_values(value)
    # the WHATWG basic URL parser, no base URL: failure is "Invalid URL"
    try:
        protocol = parse_url(text, _PROTOCOL)["protocol"]
    except ValueError:
        return C.invalid_url
    # parsed, but only http(s) URLs are links
    if protocol not in _HTTP_PROTOCOLS:
        return scheme_info
    return None


def _scalar_values(text: str) -> str:
    """``text`` as WebIDL's USVString conversion leaves it: each surrogate pair joined
    into its code point, each lone surrogate replaced by U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


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
        # no format: uri (RFC 3986 refuses what new URL() takes: {{click_id}}, IDN hosts); the
        # scheme as the WHATWG parser reads it: leading C0 controls and spaces stripped, tabs and
        # newlines removed anywhere, any letter case
        scheme = "".join(f"[{c.upper()}{c.lower()}][\\t\\n\\r]*" for c in "http")
        return {"type": "string", "pattern": f"^[\\u0000-\\u0020]*{scheme}(?:[Ss][\\t\\n\\r]*)?:",
                "examples": ["https://example.com/landing-page"]}


HttpUrl = Annotated[str, HttpUrlOf()]
