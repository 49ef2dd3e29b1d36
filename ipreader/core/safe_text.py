"""Make user text safe to send to a terminal: visible placeholders and JSON escapes.

Titles, paths, tags, notes and quotes come from files we do not control. Sent
raw, an ESC, an 8-bit CSI (U+009B) or a BiDi override (U+202E) would be acted
on by the terminal (clear the screen, set the window title, write the
clipboard, reorder what the reader sees). Two tools, one table of characters:

* :func:`printable` for human-readable output (``ipreader list``/``tags``, the
  Markdown export): every control becomes a visible placeholder, with the same
  glyphs as the reading pane (``ipreader.tui.reader.wrap.DISPLAY_TABLE``): C0 controls
  as Unicode control pictures (ESC -> ``␛``), DEL as ``␡``, C1 and BiDi
  controls, line/paragraph separators and lone surrogates as U+FFFD, invisible
  format characters dropped, a tab as spaces.
* :func:`escape_json_controls` for JSON output: the same characters become
  ``\\uXXXX`` escapes, so the JSON still decodes to exactly the same strings.

This module never imports Textual, so the TUI and the CLI can share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "PLACEHOLDER",
    "PRINTABLE_TABLE",
    "TAB_SPACES",
    "escape_json_controls",
    "printable",
]

PLACEHOLDER = "\ufffd"
"""Glyph shown for C1 controls, BiDi controls, line/paragraph separators, surrogates."""

TAB_SPACES = 4
"""Spaces a tab becomes in human-readable output (as in the reading pane)."""


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # C0 controls -> the Unicode "Control Pictures" block (ESC -> U+241B).
    for code in range(0x20):
        table[code] = chr(0x2400 + code)
    table[0x09] = " " * TAB_SPACES
    table[0x7F] = "\u2421"
    # C1 controls include the 8-bit CSI (0x9B) and OSC (0x9D) introducers.
    for code in range(0x80, 0xA0):
        table[code] = PLACEHOLDER
    # BiDi embeddings/overrides/isolates and the separators a terminal may act on.
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029):
        table[code] = PLACEHOLDER
    # Lone surrogates: what a file name that is not valid UTF-8 decodes to
    # (surrogateescape); they cannot be encoded, so they must not reach the stream.
    for code in range(0xD800, 0xE000):
        table[code] = PLACEHOLDER
    # Invisible format characters (the directional marks among them): drawn as
    # nothing, as in the reading pane, whose cell counts depend on this choice.
    invisible = (
        0x00AD,
        0x061C,
        0x180E,
        *range(0x200B, 0x2010),
        *range(0x2060, 0x2065),
        *range(0xFE00, 0xFE10),
        0xFEFF,
        *range(0xFFF9, 0xFFFC),
        *range(0xE0000, 0xE0080),
        *range(0xE0100, 0xE01F0),
    )
    for code in invisible:
        table[code] = ""
    return table


PRINTABLE_TABLE: dict[int, str] = _build_table()
"""``str.translate`` table turning user text into what a terminal may be sent."""

_PRINTABLE_MULTILINE: dict[int, str] = {**PRINTABLE_TABLE, 0x0A: "\n"}


def _any_of(codes: Iterable[int]) -> re.Pattern[str]:
    """A pattern matching any one of ``codes`` (runs of consecutive codes as ranges)."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile(
        "[" + "".join(f"\\U{a:08x}" + (f"-\\U{b:08x}" if b > a else "") for a, b in ranges) + "]"
    )


# printable() first asks str.isprintable() (C, a fraction of a microsecond for a line):
# str.translate looks up every character in a dict, and a CSV or Markdown report makes
# hundreds of thousands of cells printable, nearly all holding nothing to replace. The
# table's characters that str.isprintable() accepts (variation selectors) are sought
# apart; the patterns are built from the tables: one definition.
_PRINTABLE_YET_CHANGED = _any_of(code for code in PRINTABLE_TABLE if chr(code).isprintable())
_CHANGED = _any_of(PRINTABLE_TABLE)
_CHANGED_MULTILINE = _any_of(code for code in PRINTABLE_TABLE if code != 0x0A)


# The characters JSON output must escape on top of what json.dumps already
# escapes (all of C0): DEL, C1, BiDi controls and marks, the line/paragraph
# separators and lone surrogates. Invisible format characters such as ZWJ or
# variation selectors stay raw: they are ordinary text (emoji) and harmless.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]",
)


def printable(text: str, *, multiline: bool = False) -> str:
    """Return ``text`` with every terminal control replaced by a visible placeholder.

    With ``multiline`` a newline is kept as a line break; otherwise it is shown
    as ``␊`` (one field, one line: a file name cannot start a fake row).
    """
    if text.isprintable():
        if text.isascii() or _PRINTABLE_YET_CHANGED.search(text) is None:
            return text
    elif (_CHANGED_MULTILINE if multiline else _CHANGED).search(text) is None:
        return text  # not printable only for what is kept (a kept newline, a Cn character)
    return text.translate(_PRINTABLE_MULTILINE if multiline else PRINTABLE_TABLE)


#: DEL and the C1 controls, one byte each: the only characters below U+0100
#: ``escape_json_controls`` escapes.
_LATIN1_CONTROLS = tuple(bytes([code]) for code in range(0x7F, 0xA0))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_json_controls(json_text: str) -> str:
    """Return the JSON document ``json_text`` with DEL, C1, BiDi and surrogates as ``\\uXXXX``.

    ``json_text`` must be the output of ``json.dumps``: outside strings it is
    plain ASCII, so these characters can only sit inside strings, where the
    escape decodes back to the very same character.
    """
    if json_text.isascii():
        # Known without a look at the characters: of the unsafe ones only DEL can be
        # there, found by a plain scan (a report's JSON is mostly ASCII: tens of MB
        # through the pattern took a fifth of its writing).
        return json_text.replace("\x7f", "\\u007f") if "\x7f" in json_text else json_text
    try:
        latin1 = json_text.encode("latin-1")  # a copy when every character is below U+0100
    except UnicodeEncodeError:
        return _JSON_UNSAFE.sub(_json_escape, json_text)
    # Below U+0100 only DEL and the C1 controls are unsafe: 33 byte searches (memchr)
    # cost a quarter of one bytes.translate over an export's 13 MB, and the pattern
    # need not walk a text with none of them.
    if any(control in latin1 for control in _LATIN1_CONTROLS):
        return _JSON_UNSAFE.sub(_json_escape, json_text)
    return json_text
