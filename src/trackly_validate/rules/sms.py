"""SMS encoding, length, segments and parts for Trackly messages.

Three helpers:

``analyze_sms(text, *, mode="units")``
    Works out how a carrier would encode ``text`` (GSM-7 or UCS-2), how many
    units it takes and how many segments it is billed as. This follows the
    Trackly docs (message-segments guide, creatives/templates guide):

    * GSM-7 applies when *every* character is GSM-7 representable; otherwise
      the whole message switches to UCS-2.
    * GSM-7: 160 septets in a single segment, 153 per part when split.
      UCS-2: 70 code units in a single segment, 67 per part when split.
    * A message whose length fits the single limit is 1 segment; the empty
      message is 1 segment too (an empty SMS is still one message; Twilio's
      segment calculator also reports 1).
    * A longer message is cut into parts the way senders do it: each part is
      filled greedily up to 153 septets / 67 code units, but a GSM-7
      extension character (ESC + character, 2 septets) or a UTF-16 surrogate
      pair (2 code units) is never split across two parts: when it would
      start on the last unit of a part it moves to the next part. So the
      count can exceed the docs' ``ceil(length / 153)`` (``"a" * 152 + "€" +
      "b" * 152`` is 306 septets but 3 parts); see :mod:`.sms_parts`.
    * ``mode="graphemes"`` also keeps every user-visible character (extended
      grapheme cluster: emoji families, flags, letters with combining marks)
      inside one part, as Twilio's segment calculator does. It needs the
      optional ``regex`` package.

    Choices the Trackly docs leave open (decided here, see messaging reference):

    * **GSM-7 extension table.** The docs list only the basic set and never
      mention the extension table. By their literal rule ``^ { } [ ] ~ \\ | €``
      would force UCS-2. We follow standard GSM 03.38 practice instead: the
      extension characters (form feed, ``^ { } \\ [ ~ ] |`` and ``€``) keep the
      message in GSM-7 and each counts as 2 septets (escape + character).
    * **Non-BMP characters** (most emoji) count as 2 UCS-2 code units, because
      they are sent as a UTF-16 surrogate pair. Lone surrogates that a Python
      ``str`` may contain (e.g. ``"\\ud800"``) force UCS-2 and count 1 unit.
    * A Python ``str`` may hold a high surrogate code point followed by a low
      one (``"\\ud83d\\ude00"``); encoded to UTF-16 (or sent as JSON) they
      become one surrogate pair, so they count 2 units and are never split.
    * The default ``mode="units"`` packs by code units, as SMSCs and sending
      libraries do: it is the number of parts actually sent and billed.
      Grapheme clusters are not an SMS concept (the receiving phone joins the
      parts before display), so keeping them whole is the option.
    * Only the standard basic set is accepted, so for example ``ç`` (only the
      capital ``Ç`` is in GSM 03.38), the backtick, tab and non-breaking space
      force UCS-2.

``split_sms(text, *, mode="units")``
    The parts themselves, as strings, for previewing; always
    ``len(split_sms(t, mode=m)) == analyze_sms(t, mode=m).segments``.

``estimate_creative(message)``
    Reproduces the ``character_count`` / ``segment_count`` fields a Trackly
    creative reports, using the rule the docs state in prose: every
    ``{{linkN}}`` placeholder counts as 23 characters, plus 34 characters of
    compliance overhead. Note: the server's own documented examples
    (character_count 97, 131 and 120) do not match this formula (it gives 114,
    151 and 143); we follow the prose rule, so do not expect equality with
    server values. It is the docs' arithmetic on a count (the real links
    are not known yet), so it keeps the plain ``ceil(count / 153)`` rule.

Only the standard library is used (plus the optional ``regex`` package for
``mode="graphemes"``); lookup tables are built once at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from trackly_validate.rules.sms_parts import Atom, grapheme_atoms, load_grapheme_patterns, pack

__all__ = ["analyze_sms", "SmsAnalysis", "split_sms", "SplitMode", "estimate_creative", "CreativeEstimate"]

#: How :func:`split_sms` and :func:`analyze_sms` may cut a long message:
#: ``"units"`` (default) never splits an ESC pair or a surrogate pair;
#: ``"graphemes"`` also never splits an extended grapheme cluster.
SplitMode = Literal["units", "graphemes"]

# --------------------------------------------------------------------------
# GSM 03.38 tables
# --------------------------------------------------------------------------

#: The 127 printable characters of the GSM 03.38 default alphabet (basic
#: table, in table order; position 0x1B is the escape to the extension table
#: and is not a character of its own). Non-ASCII characters are written as
#: escapes so that look-alikes (e.g. OHM SIGN vs GREEK OMEGA) cannot slip in.
GSM7_BASIC: str = (
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5"  # 0x00-0x0F
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e"  # 0x10-0x1A
    "\u00c6\u00e6\u00df\u00c9"  # 0x1C-0x1F
    " !\"#\u00a4%&'()*+,-./"  # 0x20-0x2F
    "0123456789:;<=>?"  # 0x30-0x3F
    "\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7"  # 0x40-0x5F
    "\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"  # 0x60-0x7F
)

#: GSM 03.38 extension table characters; each is sent as ESC + char = 2 septets.
GSM7_EXTENSION: str = "\f^{}\\[~]|\u20ac"

_GSM7_CHARS: frozenset[str] = frozenset(GSM7_BASIC + GSM7_EXTENSION)

# Quick path for ASCII text: bytes.translate deletes every GSM-representable
# ASCII byte; anything left over (backtick, DEL, control chars other than
# LF/CR/FF) forces UCS-2.
_GSM7_ASCII_BYTES: bytes = bytes(sorted(ord(c) for c in _GSM7_CHARS if ord(c) < 128))
_GSM7_EXTENSION_ASCII: tuple[str, ...] = tuple(c for c in GSM7_EXTENSION if c.isascii())
_GSM7_EXTENSION_ALL: tuple[str, ...] = tuple(GSM7_EXTENSION)

_GSM7_SINGLE, _GSM7_MULTI = 160, 153
_UCS2_SINGLE, _UCS2_MULTI = 70, 67

# Atoms (text that must stay in one part) in each encoding: a GSM-7
# extension character is ESC + character; in UTF-16 a character outside the
# BMP, or a high surrogate code point followed by a low one, is a surrogate
# pair. Each is 2 units. The second UTF-16 pattern is the fast one for text
# without surrogate code points.
_GSM7_ESC_PAIR = re.compile("[" + re.escape(GSM7_EXTENSION) + "]")
_UTF16_PAIR = re.compile("[\U00010000-\U0010ffff]|[\ud800-\udbff][\udc00-\udfff]")
_UTF16_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class SmsAnalysis:
    """Result of :func:`analyze_sms`.

    ``length`` is in GSM-7 septets or UCS-2 code units depending on
    ``encoding``. ``per_segment`` is the capacity of one segment (160/153 or
    70/67 for single vs multipart); ``remaining`` is how many units are still
    free in the last segment as packed (units left empty at the end of an
    earlier part, because an ESC pair or surrogate pair moved on, are not
    counted). For the empty string: GSM-7, length 0, 1 segment,
    per_segment 160, remaining 160.
    """

    encoding: Literal["GSM-7", "UCS-2"]
    length: int
    segments: int
    per_segment: int
    remaining: int
    ucs2_chars: tuple[str, ...]


_EMPTY = SmsAnalysis(
    encoding="GSM-7", length=0, segments=1, per_segment=_GSM7_SINGLE,
    remaining=_GSM7_SINGLE, ucs2_chars=(),
)


def _is_gsm7(text: str) -> bool:
    if text.isascii():
        return not text.encode("ascii").translate(None, _GSM7_ASCII_BYTES)
    return _GSM7_CHARS.issuperset(text)


def _plain_str(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if type(text) is not str:  # str subclass: work on a plain copy
        return str.__str__(text)
    return text


def _check_mode(mode: object) -> None:
    if mode == "graphemes":
        load_grapheme_patterns()  # fail now, not only on long messages
    elif mode != "units":
        raise ValueError(f"mode must be 'units' or 'graphemes', not {mode!r}")


def _analyze(text: str, mode: SplitMode) -> tuple[SmsAnalysis, list[int]]:
    """The analysis of a plain ``str`` and the code point index where each part starts."""
    if not text:
        return _EMPTY, [0]

    encoding: Literal["GSM-7", "UCS-2"]
    ucs2_chars: tuple[str, ...]
    if _is_gsm7(text):
        ext = _GSM7_EXTENSION_ASCII if text.isascii() else _GSM7_EXTENSION_ALL
        length = len(text) + sum(map(text.count, ext))
        encoding, single, multi, ucs2_chars = "GSM-7", _GSM7_SINGLE, _GSM7_MULTI, ()
        pairs = _GSM7_ESC_PAIR if length > len(text) else None
    else:
        # UTF-16 code units: non-BMP chars become surrogate pairs (2 units);
        # "surrogatepass" lets surrogate code points through as 1 unit each.
        try:
            length = len(text.encode("utf-16-le")) // 2
            pairs = _UTF16_ASTRAL if length > len(text) else None
        except UnicodeEncodeError:  # the text holds surrogate code points
            length = len(text.encode("utf-16-le", "surrogatepass")) // 2
            pairs = _UTF16_PAIR
        ucs2_chars = tuple(c for c in dict.fromkeys(text) if c not in _GSM7_CHARS)
        encoding, single, multi = "UCS-2", _UCS2_SINGLE, _UCS2_MULTI

    # a message that fits one part is sent whole
    if length <= single:
        analysis = SmsAnalysis(encoding, length, 1, single, single - length, ucs2_chars)
        return analysis, [0]

    # multipart: pack greedily, never splitting an atom
    atoms: list[Atom] = [] if pairs is None else [(*m.span(), 2) for m in pairs.finditer(text)]
    if mode == "graphemes":
        atoms = grapheme_atoms(text, atoms, multi)
    starts, remaining = pack(length, atoms, multi)
    return SmsAnalysis(encoding, length, len(starts), multi, remaining, ucs2_chars), starts


def analyze_sms(text: str, *, mode: SplitMode = "units") -> SmsAnalysis:
    """Return the encoding, length and segment count of an SMS body.

    ``segments`` counts the parts as a sender packs them (see the module
    docstring). ``mode="units"`` (the default) never splits a GSM-7 ESC pair
    or a UTF-16 surrogate pair: that is what SMSCs and sending libraries do,
    so it is the count that is sent and billed. ``mode="graphemes"`` also
    keeps each extended grapheme cluster in one part, matching Twilio's
    segment calculator; it needs the optional ``regex`` package
    (``ImportError`` when missing). The same ``mode`` gives the same count as
    ``len(split_sms(text, mode=mode))``.

    Never raises for a ``str`` (including lone surrogates); raises
    ``TypeError`` for anything else (``bytes`` included) and ``ValueError``
    for an unknown ``mode``.
    """
    if type(text) is not str:
        text = _plain_str(text)
    if mode != "units":
        _check_mode(mode)
    return _analyze(text, mode)[0]


def split_sms(text: str, *, mode: SplitMode = "units") -> tuple[str, ...]:
    """Return the parts ``text`` is sent as, in order, for previewing.

    ``"".join(parts) == text`` and ``len(parts) == analyze_sms(text,
    mode=mode).segments``. The default ``mode="units"`` cuts as senders do,
    never inside an ESC pair (GSM-7 extension character) or a surrogate
    pair; ``mode="graphemes"`` also never cuts inside an extended grapheme
    cluster (an emoji family, a flag, a letter and its combining marks)
    unless the cluster alone is larger than a part. CR LF may be cut, as in
    Twilio's calculator. The empty message is one empty part: ``("",)``.

    Raises like :func:`analyze_sms`.
    """
    text = _plain_str(text)
    _check_mode(mode)
    starts = _analyze(text, mode)[1]
    ends = starts[1:] + [len(text)]
    return tuple(text[start:end] for start, end in zip(starts, ends))


# --------------------------------------------------------------------------
# Creative character/segment estimate
# --------------------------------------------------------------------------

_LINK_PLACEHOLDER = re.compile(r"\{\{link([0-9]+)\}\}")


@dataclass(frozen=True, slots=True)
class CreativeEstimate:
    """Result of :func:`estimate_creative`."""

    character_count: int
    segment_count: int


def _check_count(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def estimate_creative(
    message: str, *, link_length: int = 23, compliance_overhead: int = 34
) -> CreativeEstimate:
    """Estimate a creative's ``character_count`` and ``segment_count``.

    Follows the rule stated in the Trackly get-creative docs::

        character_count = len(message with every {{linkN}} removed)
                          + link_length * (number of {{linkN}} placeholders)
                          + compliance_overhead
        segment_count   = 1 if character_count <= 160
                          else ceil(character_count / 153)

    Placeholders match ``\\{\\{link([0-9]+)\\}\\}`` exactly (ASCII digits, no
    spaces, lower-case ``link``) and are removed in a single left-to-right
    pass, so text that only forms a placeholder after removal is counted as
    plain text. Other placeholders such as ``{{messageId}}`` count as their
    literal length. Length is in Python characters (code points) and the
    formula ignores encoding, as the docs do (GSM-style 160/153 limits).
    With the defaults the count is always >= 34, so ``segment_count`` >= 1;
    the literal formula gives 1 segment even for a count of 0.

    The server's documented examples (97, 131, 120) do not match this
    formula (it yields 114, 151, 143); this function follows the prose rule.
    """
    if not isinstance(message, str):
        raise TypeError(f"message must be str, not {type(message).__name__}")
    link_length = _check_count("link_length", link_length)
    compliance_overhead = _check_count("compliance_overhead", compliance_overhead)

    stripped, links = _LINK_PLACEHOLDER.subn("", message)
    count = len(stripped) + link_length * links + compliance_overhead
    segments = 1 if count <= _GSM7_SINGLE else -(-count // _GSM7_MULTI)
    return CreativeEstimate(character_count=count, segment_count=segments)
