"""Whether JavaScript's ``new Date(value)`` gives a valid date: V8's date grammar in Python.

The Trackly server is Node: ``invalid_timestamp`` ("The timestamp value cannot be parsed")
is ``isNaN(new Date(value))``.  :func:`parses` answers that for a string, :func:`js_date_valid`
for any JSON value (``new Date(1718000000000)``, ``new Date(true)`` and
``new Date(["2025-06-01"])`` are dates too).

The grammar is V8's (Node 20 ships V8 11.3), transcribed from

- ``src/date/dateparser-inl.h``: ``DateParser::Parse`` (the ES5 ISO reading first, then the
  legacy, Safari-compatible one), ``DateStringTokenizer::Scan``, ``ParseES5DateTime``;
- ``src/date/dateparser.h``: ``InputReader`` (a numeral keeps 9 significant digits after its
  leading zeros; a "word" is a run of characters >= ``'A'`` that are not white space), the
  composers' ranges;
- ``src/date/dateparser.cc``: ``DayComposer::Write`` (which number is the year, month, day),
  ``TimeComposer::Write``, ``TimeZoneComposer::Write``, the keyword table, ``ReadMilliseconds``;
- ``src/builtins/builtins-date.cc`` ``ParseDateTimeString``: the parsed fields go through
  ``MakeDay``/``MakeTime``; a date outside +-8.64e15 ms (``TimeClip``) is NaN.

Each step below names the V8 function it follows.  The whole reading is checked against
Node's own ``new Date()`` on the corpus in ``tests/data/timestamps/`` (exact agreement).

Local time: a string without a zone is local time on the server.  Validity never depends
on the zone except within 14 hours of the ends of the range (year 275760 / -271821); there a
string is accepted when it is a date in some zone from UTC-12 to UTC+14 (the server's zone
is unknown).  Daylight-saving gaps do not matter: V8 maps every local time to an instant.

Linear time and constant memory in the input's length: tokens are scanned one at a time by
a regular expression without nested quantifiers, parentheses skipped by a counter.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

__all__ = ["parses", "js_date_valid", "js_string", "MAX_TIME_MS"]

#: ``DateCache::kMaxTimeInMs``: ``TimeClip`` refuses anything further from the epoch
MAX_TIME_MS = 864 * 10**13
_HOUR_MS = 3_600_000
#: the zones a server may run in: UTC-12 (``Etc/GMT+12``) to UTC+14 (``Pacific/Kiritimati``)
_WEST_MS, _EAST_MS = 12 * _HOUR_MS, 14 * _HOUR_MS
_NONE = None  # V8's kNone

# ES ``WhiteSpace`` (V8 ``IsWhiteSpace``): TAB VT FF SP NBSP ZWNBSP and category Zs.  The date
# tokenizer takes these as separators even though NBSP & co. are >= 'A'; line terminators
# are white space only below 'A' (LF, CR): U+2028/U+2029 make a word.
_WS = "\t\x0b\x0c \xa0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff"
# one token per match (DateStringTokenizer::Scan): a numeral, a symbol, a word, a run of
# white space, the start of a parenthesised comment, any other single character
_TOKEN = re.compile(
    rf"(?P<num>[0-9]+)|(?P<sym>[:\-+.)])|(?P<word>[^\x00-\x40{_WS}]+)|(?P<ws>[\n\r{_WS}]+)|(?P<par>\()|.",
    re.DOTALL,
)

_END, _NUM, _SYM, _WORD, _SPACE, _UNKNOWN = range(6)
# KeywordType
_INVALID, _MONTH, _ZONE, _T, _AMPM = range(5)

# KeywordTable (dateparser.cc): months match on their first three letters (any longer word),
# every other keyword only as the whole word.  Values: month number, hours east of UTC,
# the AM/PM hour offset.
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun",
                                           "jul", "aug", "sep", "oct", "nov", "dec"))}
_WORDS = {"am": (_AMPM, 0), "pm": (_AMPM, 12), "ut": (_ZONE, 0), "utc": (_ZONE, 0), "z": (_ZONE, 0),
          "gmt": (_ZONE, 0), "cdt": (_ZONE, -5), "cst": (_ZONE, -6), "edt": (_ZONE, -4), "est": (_ZONE, -5),
          "mdt": (_ZONE, -6), "mst": (_ZONE, -7), "pdt": (_ZONE, -7), "pst": (_ZONE, -8), "t": (_T, 0)}
# AsciiAlphaToLower is ``c | 0x20``: only ASCII letters change
_LOWER = {c: c | 0x20 for c in range(ord("A"), ord("Z") + 1)}

#: a token: (kind, value, length, keyword type); the value is a number's (its first 9
#: significant digits), a symbol's character code or a keyword's value
Token = tuple[int, int, int, int]
_END_TOKEN: Token = (_END, 0, 0, -1)
_INVALID_TOKEN: Token = (-1, 0, 0, -1)


def _scan(text: str, i: int) -> tuple[Token, int]:
    """The token at ``text[i:]`` and where the next one starts (``DateStringTokenizer::Scan``)."""
    if i >= len(text):
        return _END_TOKEN, i
    m = _TOKEN.match(text, i)
    assert m is not None  # the pattern's last branch takes any one character
    kind = m.lastgroup
    j = m.end()
    if kind == "num":  # ReadUnsignedNumeral: leading zeros skipped, then 9 significant digits;
        return (_NUM, int(text[i:j].lstrip("0")[:9] or "0"), j - i, -1), j  # the length counts all
    if kind == "sym":
        return (_SYM, ord(text[i]), 1, -1), j
    if kind == "word":  # ReadWord + KeywordTable::Lookup
        low = text[i:min(j, i + 3)].translate(_LOWER)
        month = _MONTHS.get(low)
        if month is not None:
            return (_WORD, month, j - i, _MONTH), j
        ktype, value = _WORDS.get(low, (_INVALID, 0)) if j - i <= 3 else (_INVALID, 0)
        return (_WORD, value, j - i, ktype), j
    if kind == "ws":
        return (_SPACE, 0, j - i, -1), j
    if kind == "par":  # SkipParentheses: up to the matching ')' or the end
        depth, n = 1, len(text)
        while depth > 0 and j < n:
            c = text[j]
            depth += (c == "(") - (c == ")")
            j += 1
    return (_UNKNOWN, 0, 1, -1), j


_COLON, _MINUS, _PLUS, _DOT, _CLOSE = (ord(c) for c in ":-+.)")


class _Scanner:
    """``DateStringTokenizer``: one token of look-ahead, scanned on demand (constant memory
    whatever the input's length).  A NUL character ends the input (``InputReader::IsEnd``
    is ``ch_ == 0``)."""

    __slots__ = ("text", "pos", "ahead")

    def __init__(self, text: str):
        nul = text.find("\x00")
        self.text = text if nul < 0 else text[:nul]
        self.ahead, self.pos = _scan(self.text, 0)

    def peek(self) -> Token:
        return self.ahead

    def next(self) -> Token:
        token = self.ahead
        self.ahead, self.pos = _scan(self.text, self.pos)
        return token

    def skip(self, symbol: int) -> bool:
        token = self.ahead
        if token[0] == _SYM and token[1] == symbol:
            self.ahead, self.pos = _scan(self.text, self.pos)
            return True
        return False


def _is_sign(t: Token) -> bool:
    return t[0] == _SYM and (t[1] == _MINUS or t[1] == _PLUS)


def _is_fixed(t: Token, length: int) -> bool:
    return t[0] == _NUM and t[2] == length


def _is_z(t: Token) -> bool:  # DateToken::IsKeywordZ
    return t[3] == _ZONE and t[2] == 1 and t[1] == 0


def _millis(t: Token) -> int:
    """``ReadMilliseconds``: the first three significant digits of a fraction."""
    number, length = t[1], t[2]
    if length == 1:
        return number * 100
    if length == 2:
        return number * 10
    if length > 3:
        scale: int = 10 ** (min(length, 9) - 3)  # a positive power: an int
        return number // scale
    return number


class _Parts:
    """The three composers of ``DateParser::Parse`` (``dateparser.h``)."""

    __slots__ = ("day", "named_month", "iso", "time", "hour_offset", "sign", "tz_hour", "tz_minute")

    def __init__(self) -> None:
        self.day: list[int] = []
        self.named_month: int | None = _NONE
        self.iso = False
        self.time: list[int] = []
        self.hour_offset: int | None = _NONE
        self.sign: int | None = _NONE
        self.tz_hour: int | None = _NONE
        self.tz_minute: int | None = _NONE

    # TimeComposer
    def time_add(self, n: int) -> bool:
        if len(self.time) < 4:
            self.time.append(n)
            return True
        return False

    def time_add_final(self, n: int) -> bool:
        if not self.time_add(n):
            return False
        self.time.extend([0] * (4 - len(self.time)))
        return True

    def time_expecting(self, n: int) -> bool:
        k = len(self.time)
        return (k == 1 and 0 <= n <= 59) or (k == 2 and 0 <= n <= 59) or (k == 3 and 0 <= n <= 999)

    # DayComposer
    def day_add(self, n: int) -> bool:
        if len(self.day) < 3:
            self.day.append(n)
            return True
        return False

    # TimeZoneComposer
    def tz_set(self, hours: int) -> None:
        self.sign = -1 if hours < 0 else 1
        self.tz_hour, self.tz_minute = abs(hours), 0

    def tz_expecting(self, n: int) -> bool:
        return self.tz_hour is not _NONE and self.tz_minute is _NONE and 0 <= n <= 59

    def tz_is_utc(self) -> bool:
        return self.tz_hour == 0 and self.tz_minute == 0


def _es5(s: _Scanner, p: _Parts) -> Token:
    """``ParseES5DateTime``: the ISO reading.  Returns the token the legacy reading goes on
    with, ``(_END, …)`` when the whole string was ISO, or the invalid token."""
    if _is_sign(s.peek()):
        sign_token = s.next()
        if not _is_fixed(s.peek(), 6):
            return sign_token
        year = s.next()[1]
        if sign_token[1] == _MINUS and year == 0:
            return sign_token
        p.day_add(-year if sign_token[1] == _MINUS else year)
    elif _is_fixed(s.peek(), 4):
        p.day_add(s.next()[1])
    else:
        return s.next()
    if s.skip(_MINUS):
        t = s.peek()
        if not _is_fixed(t, 2) or not 1 <= t[1] <= 12:
            return s.next()
        p.day_add(s.next()[1])
        if s.skip(_MINUS):
            t = s.peek()
            if not _is_fixed(t, 2) or not 1 <= t[1] <= 31:
                return s.next()
            p.day_add(s.next()[1])
    if s.peek()[3] != _T:
        if s.peek()[0] != _END:
            return s.next()
    else:
        s.next()
        t = s.peek()
        if not _is_fixed(t, 2) or not 0 <= t[1] <= 24:
            return _INVALID_TOKEN
        hour_is_24 = t[1] == 24
        p.time_add(s.next()[1])
        if not s.skip(_COLON):
            return _INVALID_TOKEN
        t = s.peek()
        if not _is_fixed(t, 2) or not 0 <= t[1] <= 59 or (hour_is_24 and t[1] > 0):
            return _INVALID_TOKEN
        p.time_add(s.next()[1])
        if s.skip(_COLON):
            t = s.peek()
            if not _is_fixed(t, 2) or not 0 <= t[1] <= 59 or (hour_is_24 and t[1] > 0):
                return _INVALID_TOKEN
            p.time_add(s.next()[1])
            if s.skip(_DOT):
                t = s.peek()
                if t[0] != _NUM or (hour_is_24 and t[1] > 0):
                    return _INVALID_TOKEN
                p.time_add(_millis(s.next()))
        if _is_z(s.peek()):
            s.next()
            p.tz_set(0)
        elif _is_sign(s.peek()):
            p.sign = 1 if s.next()[1] == _PLUS else -1
            t = s.peek()
            if _is_fixed(t, 4):
                hour, minute = divmod(s.next()[1], 100)
                if not (0 <= hour <= 23 and 0 <= minute <= 59):
                    return _INVALID_TOKEN
                p.tz_hour, p.tz_minute = hour, minute
            else:
                if not _is_fixed(t, 2) or not 0 <= t[1] <= 23:
                    return _INVALID_TOKEN
                p.tz_hour = s.next()[1]
                if not s.skip(_COLON):
                    return _INVALID_TOKEN
                t = s.peek()
                if not _is_fixed(t, 2) or not 0 <= t[1] <= 59:
                    return _INVALID_TOKEN
                p.tz_minute = s.next()[1]
        if s.peek()[0] != _END:
            return _INVALID_TOKEN
    # date-only forms without a zone are UTC, date-time forms local time
    if p.tz_hour is _NONE and not p.time:
        p.tz_set(0)
    p.iso = True
    return _END_TOKEN


def _legacy(s: _Scanner, p: _Parts, token: Token) -> bool:
    """The legacy loop of ``DateParser::Parse``, from the token the ISO reading left."""
    has_read_number = bool(p.day)
    while token[0] != _END:
        kind = token[0]
        if kind == _NUM:
            has_read_number = True
            n = token[1]
            if s.skip(_COLON):
                if s.skip(_COLON):  # n + "::"
                    if p.time:
                        return False
                    p.time_add(n)
                    p.time_add(0)
                else:  # n + ":"
                    if not p.time_add(n):
                        return False
                    if s.peek()[0] == _SYM and s.peek()[1] == _DOT:
                        s.next()
            elif s.skip(_DOT) and p.time_expecting(n):  # the '.' is consumed either way
                p.time_add(n)
                if s.peek()[0] != _NUM:
                    return False
                p.time_add_final(_millis(s.next()))
            elif p.tz_expecting(n):
                p.tz_minute = n
            elif p.time_expecting(n):
                p.time_add_final(n)
                # end, white space, "Z", "+" or "-" must follow a finished time
                peek = s.peek()
                if peek[0] != _END and peek[0] != _SPACE and not _is_z(peek) and not _is_sign(peek):
                    return False
            else:
                if not p.day_add(n):
                    return False
                s.skip(_MINUS)
        elif kind == _WORD:
            ktype, value = token[3], token[1]
            if ktype == _AMPM and p.time:
                p.hour_offset = value
            elif ktype == _MONTH:
                p.named_month = value
                s.skip(_MINUS)
            elif ktype == _ZONE and has_read_number:
                p.tz_set(value)
            else:
                # a garbage word is allowed only before the first number, and not glued to it
                if has_read_number or s.peek()[0] == _NUM:
                    return False
        elif _is_sign(token) and (p.tz_is_utc() or p.time):
            # a UTC offset, only after UTC or a time: +hh:, +h, +hh, +hmm, +hhmm
            p.sign = 1 if token[1] == _PLUS else -1
            n = length = 0
            if s.peek()[0] == _NUM:
                nxt = s.next()
                n, length = nxt[1], nxt[2]
            has_read_number = True
            if s.peek()[0] == _SYM and s.peek()[1] == _COLON:
                p.tz_hour, p.tz_minute = n, _NONE
            elif length in (1, 2):
                p.tz_hour, p.tz_minute = n, 0
            elif length in (3, 4):
                p.tz_hour, p.tz_minute = divmod(n, 100)
            else:
                return False
        elif (_is_sign(token) or (kind == _SYM and token[1] == _CLOSE)) and has_read_number:
            return False  # an extra sign or ')' after a number
        # anything else (white space, punctuation, comments) is ignored
        token = s.next()
    return True


def _day_fields(p: _Parts) -> tuple[int, int, int] | None:
    """``DayComposer::Write``: (year, month 1-12, day 1-31), or None.

    Missing components are filled with 1 *before* the order is chosen, so V8's
    ``index_ == 3`` tests always hold: "1" is January 1st, 2001; "32" is 2032; "Jun 5"
    is June 5th, 2001."""
    if not p.day:
        return None
    comp = p.day + [1] * (3 - len(p.day))
    if p.named_month is _NONE:
        if p.iso or not 1 <= comp[0] <= 31:
            year, month, day = comp  # YMD
        else:
            month, day, year = comp  # MDY
    else:
        month = p.named_month
        if not 1 <= comp[0] <= 31:
            year, day = comp[0], comp[1]  # YMD, MYD or YDM
        else:
            day, year = comp[0], comp[1]  # DMY, MDY or DYM
    if not p.iso:
        if 0 <= year <= 49:
            year += 2000
        elif 50 <= year <= 99:
            year += 1900
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return year, month, day


def _time_ms(p: _Parts) -> int | None:
    """``TimeComposer::Write``: milliseconds into the day (24:00 allowed), or None."""
    hour, minute, second, milli = p.time + [0] * (4 - len(p.time))
    if p.hour_offset is not _NONE:
        if not 0 <= hour <= 12:
            return None
        hour = hour % 12 + p.hour_offset
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59 and 0 <= milli <= 999):
        if hour != 24 or minute or second or milli:
            return None
    return ((hour * 60 + minute) * 60 + second) * 1000 + milli


def _offset_s(p: _Parts) -> tuple[bool, int | None]:
    """``TimeZoneComposer::Write``: (written, seconds east of UTC or None for local time).

    Hours*3600 + minutes*60 is computed in unsigned 32 bits and must fit a Smi (2**31 - 1 in
    64-bit Node, which has no pointer compression): ``GMT+300000:`` is read, ``GMT+600000:``
    is not."""
    if p.sign is _NONE:
        return True, None
    hour = 0 if p.tz_hour is _NONE else p.tz_hour
    minute = 0 if p.tz_minute is _NONE else p.tz_minute
    total = (hour * 3600 + minute * 60) & 0xFFFFFFFF
    if total > 0x7FFFFFFF:
        return False, None
    return True, -total if p.sign < 0 else total


def _days_from_civil(year: int, month: int, day: int) -> int:
    """``MakeDay``: days from 1970-01-01 in the proleptic Gregorian calendar; a day past
    the month's end rolls over (February 30th is March 2nd or 1st)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468 + day - 1


def parses(text: str) -> bool:
    """Whether ``Date.parse(text)`` / ``new Date(text)`` is a valid date in V8 (Node)."""
    s, p = _Scanner(text), _Parts()
    token = _es5(s, p)
    if token[0] < 0 or not _legacy(s, p, token):
        return False
    day = _day_fields(p)
    if day is None:
        return False
    ms = _time_ms(p)
    if ms is None:
        return False
    written, offset = _offset_s(p)
    if not written:
        return False
    year, month, dom = day
    if not -1_000_000 <= year <= 1_000_000:  # MakeDay's year range; far outside TimeClip's anyway
        return False
    t = _days_from_civil(year, month, dom) * 86_400_000 + ms
    if offset is None:  # local time: a date in some zone from UTC-12 to UTC+14
        return -MAX_TIME_MS - _WEST_MS <= t <= MAX_TIME_MS + _EAST_MS
    return -MAX_TIME_MS <= t - offset * 1000 <= MAX_TIME_MS


def _number_string(x: float) -> str:
    """``Number::toString`` of a finite number: the shortest round-trip digits (as Python's
    ``repr``), in positional notation from 1e-6 up to 1e21, else with an exponent."""
    if x == 0:
        return "0"
    sign, digit_tuple, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + int(exp)  # the decimal point sits after the n-th digit
    out = "-" if x < 0 else ""
    if k <= n <= 21:
        return out + digits + "0" * (n - k)
    if 0 < n <= 21:
        return out + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return out + "0." + "0" * -n + digits
    return out + digits[0] + ("." + digits[1:] if k > 1 else "") + f"e{'+' if n > 0 else '-'}{abs(n - 1)}"


def _scalar_string(value: Any) -> str:
    """``String(value)`` for a JSON scalar or object."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) < 10**21:
            return str(value)
        try:
            value = float(value)
        except OverflowError:  # beyond the largest double: Infinity to JavaScript
            return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return _number_string(value)
    return "[object Object]"


def js_string(value: Any) -> str:
    """``String(value)`` for a JSON value.  An array is its items' strings joined by ","
    (``Array.prototype.join``: ``null`` items as "", nested arrays the same way), built
    without recursion so any depth is read."""
    if not isinstance(value, (list, tuple)):
        return _scalar_string(value)
    parts: list[str] = []
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        items, i = stack.pop()
        if i == len(items):
            continue
        if i:
            parts.append(",")
        stack.append((items, i + 1))
        item = items[i]
        if isinstance(item, (list, tuple)):
            stack.append((item, 0))
        elif item is not None:
            parts.append(_scalar_string(item))
    return "".join(parts)


def js_date_valid(value: Any) -> bool:
    """Whether ``new Date(value)`` is a valid date for a JSON value: a string is parsed; a
    number (a boolean is 0 or 1, ``null`` 0) is milliseconds since the epoch, valid within
    +-8.64e15; an array or object is parsed as its ``String()`` (an object's,
    ``"[object Object]"``, is never a date).  Other Python objects are not JSON: False."""
    if isinstance(value, str):
        return parses(value)
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):  # exact for any size (10**400 is Infinity to JavaScript)
        return -MAX_TIME_MS <= value <= MAX_TIME_MS
    if isinstance(value, float):
        return -MAX_TIME_MS <= value <= MAX_TIME_MS  # False for NaN and the infinities
    if isinstance(value, (list, tuple, dict)):
        return parses(js_string(value))
    return False
