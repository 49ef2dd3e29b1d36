"""Chapter and section headings of a text, for a headings picker (Textual-free).

:func:`find_headings` returns :class:`Heading` items ``(offset, level, title)``:
``offset`` is the code point offset of the heading line's start, ``level`` 1 for
the biggest divisions. What counts as a heading:

* ``BOOK ONE: 1805``, ``PART II``, ``VOLUME 3`` (level 1); ``CHAPTER I``,
  ``Chapter 12. The Return``, ``PROLOGUE``, ``FIRST EPILOGUE: 1813 - 20``
  (level 2); ``SECTION 4``, ``SCENE II`` (level 3) — on a line of their own;
* numbered sections ``1. Introduction``, ``2.3 Results`` (level = how many
  numbers) on a short line set off by blank lines;
* Markdown headings ``# Title`` (level = number of ``#``, outside code fences)
  and ``Title`` underlined with ``===`` (1) or ``---`` (2);
* short ALL-CAPS lines between blank lines (level 2), a line that is only a
  Roman numeral among them.

The text is scanned by a few regular expressions per chunk of lines, so a
20 MB book takes a fraction of a second; with ``should_stop`` / ``cooperative``
(as :class:`ipreader.tui.reader.wrap.WrapIndex.build`) a worker thread can run
it without starving the UI thread, and abandon it.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["CHUNK", "MAX_HEADINGS", "Heading", "find_headings"]

CHUNK = 262_144
"""Code points scanned between two checkpoints (``should_stop``, GIL release)."""

MAX_HEADINGS = 10_000
"""At most this many headings are returned (a picker cannot show more usefully)."""

HEADING_CHARS = 80
"""Longest heading line (a longer line is prose)."""

TITLE_CHARS = 80
"""Longest title kept for display."""

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    "|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty"
)
_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|last|final"
)
# A well-formed Roman numeral (not "did" or "mild"), an Arabic number or a number word.
# (the lookbehind makes sure it is not empty).
_ROMAN_NUMERAL = r"m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})(?<=[ivxlcdm])"
_NUMERAL = rf"(?:\d{{1,4}}|{_ROMAN_NUMERAL}|(?:{_NUMBER_WORDS})(?:[ -](?:{_NUMBER_WORDS}))?)"
_LEVEL_OF_KEYWORD = {
    "book": 1,
    "part": 1,
    "volume": 1,
    "chapter": 2,
    "act": 2,
    "section": 3,
    "scene": 3,
}
_LEVEL_OF_NAMED = 2  # prologue, epilogue, preface, ...
_NAMED = (
    "prologue|epilogue|preface|foreword|introduction|afterword|conclusion|appendix"
    "|contents|glossary|index|bibliography|notes|acknowledgements|acknowledgments"
)


def _capitalised_alternation(words: str) -> str:
    """Return a regex matching each of ``words`` ("a|b") Capitalised or in CAPITALS.

    Grouped by first letter ("C(?:hapter|HAPTER|...)|B(?:ook|OOK)"): the engine
    tries one branch per line instead of every word, 5x faster on a 20 MB book.
    """
    groups: dict[str, list[str]] = {}
    for word in words.split("|"):
        groups.setdefault(word[0].upper(), []).extend((word[1:], word[1:].upper()))
    return "|".join(f"{first}(?:{'|'.join(tails)})" for first, tails in groups.items())


# Every pattern starts with the newline before its line: a literal first character
# lets the regex engine jump from newline to newline (5x faster than "^" with
# re.MULTILINE on a 20 MB book). The text's first line is scanned with a blank line
# put in front of it (_first_line). A line ends at "\n" or at the scanned window's end.
_EOL = r"(?=\n|\Z)"

# A line starting with a division's word; which kind it is, the lines below decide.
_DIVISION_LINE = re.compile(
    r"\n[ \t]*(?P<line>(?:"
    + _capitalised_alternation("|".join((*_LEVEL_OF_KEYWORD, _NAMED, _ORDINALS)))
    + rf")\b[^\n]{{0,{HEADING_CHARS}}}){_EOL}"
)
# "CHAPTER I", "Chapter 12. The Return", "BOOK ONE: 1805", "Part II — Winter".
_NUMBERED_DIVISION = re.compile(
    rf"(?P<keyword>{'|'.join(_LEVEL_OF_KEYWORD)})[ \t]+{_NUMERAL}\b(?P<rest>.*)",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"[ \t]*(?:[.:—–-]|$)")
# "PROLOGUE", "FIRST EPILOGUE: 1813 - 20", "Introduction", "Appendix A".
_NAMED_DIVISION = re.compile(
    rf"(?i:(?:{_ORDINALS})[ \t]+)?(?i:{_NAMED})"
    r"(?:[ \t]+[A-Z0-9]{1,4})?(?:[ \t]*[.:—–-].*)?[ \t]*"
)
_MARKDOWN = re.compile(rf"\n {{0,3}}(?P<marks>#{{1,6}})[ \t]+(?P<title>[^\n]*?\S)[ \t#]*{_EOL}")
_FENCE = re.compile(r"\n {0,3}(?:```|~~~)")
# The underline of a Setext heading; its title is the line above (checked in Python).
_UNDERLINE = re.compile(rf"\n {{0,3}}(?P<rule>=+|-+)[ \t]*{_EOL}")
_NUMBERED_SECTION = re.compile(
    r"\n[ \t]*(?P<number>\d{1,3}(?:\.\d{1,3})*)\.?[ \t]+"
    rf"(?P<title>[^\W\d_][^\n]{{0,{HEADING_CHARS}}}){_EOL}"
)
# A short line with a blank line above it; what follows it and its capitals are
# checked in Python.
_ISOLATED = re.compile(rf"\n[ \t]*\n[ \t]*(?P<line>\S[^\n]{{0,{HEADING_CHARS - 1}}}){_EOL}")
_ROMAN = re.compile(r"[IVXLCDM]{1,8}\.?")
_SENTENCE_PUNCTUATION = frozenset(",;")


class Heading(NamedTuple):
    """A heading found in a text."""

    offset: int
    """Code point offset of the start of the heading's line."""
    level: int
    """1 for the biggest divisions (book, part, ``#``), larger for smaller ones."""
    title: str
    """The heading's text, whitespace collapsed (Markdown ``#`` marks removed)."""


def _title(text: str) -> str:
    """Return ``text`` collapsed and cut to :data:`TITLE_CHARS` characters."""
    title = " ".join(text.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def _line_start(text: str, offset: int) -> int:
    """Return the offset of the start of the line holding ``offset``."""
    return text.rfind("\n", 0, offset) + 1


def _blank_before(text: str, start: int) -> bool:
    """True when the line starting at ``start`` is the first or follows a blank line."""
    if start == 0:
        return True
    previous = _line_start(text, start - 1)
    return not text[previous : start - 1].strip()


def _blank_after(text: str, end: int) -> bool:
    """True when the line ending at ``end`` (its newline or the text's end) is the last
    or is followed by a blank line."""
    if end >= len(text):
        return True
    following = text.find("\n", end + 1)
    return not text[end + 1 : len(text) if following < 0 else following].strip()


def _set_off(text: str, start: int, end: int) -> bool:
    """True when the line ``text[start:end]`` has a blank line (or an edge) above or below."""
    return _blank_before(text, start) or _blank_after(text, end)


class _Fences:
    """The fenced code blocks of a Markdown text (``#`` lines in them are code)."""

    __slots__ = ("marks",)

    def __init__(self, text: str) -> None:
        """Find the fence lines; an unclosed fence runs to the end of the text."""
        self.marks: list[int] = []
        """Offsets of fence lines: even indexes open a block, odd ones close it."""
        if "```" in text or "~~~" in text:
            self.marks = [match.start() + 1 for match in _FENCE.finditer(text)]
            if _FENCE.match("\n" + text[:8]) is not None:
                self.marks.insert(0, 0)

    def holds(self, offset: int) -> bool:
        """True when ``offset`` lies inside a fenced block (its opening fence line included)."""
        return bisect_right(self.marks, offset) % 2 == 1


_Found = list[tuple[bool, Heading]]
"""Headings found, each with True when only the generic ALL-CAPS rule found it."""


def _scan(text: str, low: int, high: int, fences: _Fences) -> _Found:
    """Return the headings of the lines after the newlines in ``text[low:high]``.

    ``high`` ends a line. Only lines that start after a newline are seen, and the
    patterns that look at the line above see one line before ``low``: the caller
    dedupes what two windows both find.
    """
    found: list[Heading] = []
    for match in _MARKDOWN.finditer(text, low, high):
        if not fences.holds(match.start() + 1):
            found.append(Heading(match.start() + 1, len(match["marks"]), _title(match["title"])))
    for match in _UNDERLINE.finditer(text, low, high):
        end = match.start()  # the title line ends at the underline's newline
        start = _line_start(text, end)
        title = text[start:end]
        # A rule under a blank line or under another rule is a thematic break.
        is_title = start and title.strip() and len(title) <= HEADING_CHARS
        is_title = is_title and _UNDERLINE.fullmatch(text, start - 1, end) is None
        if is_title and _blank_before(text, start) and not fences.holds(start):
            level = 1 if match["rule"][0] == "=" else 2
            found.append(Heading(start, level, _title(title)))
    for match in _DIVISION_LINE.finditer(text, low, high):
        start, line = match.start() + 1, match["line"].rstrip()
        numbered = _NUMBERED_DIVISION.fullmatch(line)
        if numbered is not None:
            if _SEPARATOR.match(numbered["rest"]):
                keep = _set_off(text, start, match.end())
            else:
                # "Chapter 12 The Return" alone between blank lines, not a sentence.
                keep = _blank_before(text, start) and _blank_after(text, match.end())
                keep = keep and line[-1] not in ".,;!?"
            if keep:
                level = _LEVEL_OF_KEYWORD[numbered["keyword"].lower()]
                found.append(Heading(start, level, _title(line)))
        elif _NAMED_DIVISION.fullmatch(line) and _set_off(text, start, match.end()):
            found.append(Heading(start, _LEVEL_OF_NAMED, _title(line)))
    for match in _NUMBERED_SECTION.finditer(text, low, high):
        start = match.start() + 1
        title = match["title"].rstrip()
        numbers = match["number"].count(".") + 1
        # "1. Buy milk" in a list has no blank line on both sides; a sentence is prose.
        isolated = _blank_before(text, start) and _blank_after(text, match.end())
        if isolated and title[-1] not in ".,;:!?" and not title[0].islower():
            found.append(Heading(start, min(numbers, 6), _title(match.group())))
    capitals: list[Heading] = []
    for match in _ISOLATED.finditer(text, low, high):
        line = match["line"].rstrip()
        if not (line.isupper() and _blank_after(text, match.end())):
            continue
        letters = sum(char.isalpha() for char in line)
        if (letters >= 3 or _ROMAN.fullmatch(line)) and line[-1] not in _SENTENCE_PUNCTUATION:
            capitals.append(Heading(_line_start(text, match.start("line")), 2, _title(line)))
    return [(False, heading) for heading in found] + [(True, heading) for heading in capitals]


def _first_line(text: str) -> _Found:
    """Return the headings of the text's first line (no newline before it to anchor on)."""
    second = text.find("\n")
    third = text.find("\n", second + 1) if second >= 0 else -1
    # A blank line in front (the text's start counts as one), and the line below
    # for the patterns that look at it.
    window = "\n\n" + (text if third < 0 else text[:third])
    found = _scan(window, 0, len(window), _Fences(window))
    return [
        (generic, heading._replace(offset=0)) for generic, heading in found if heading.offset == 2
    ]


def _pause() -> None:
    """Let other threads run: ``time.sleep(0)`` releases the GIL."""
    time.sleep(0)


def find_headings(
    text: str,
    *,
    should_stop: Callable[[], bool] | None = None,
    cooperative: bool = False,
    limit: int = MAX_HEADINGS,
) -> list[Heading] | None:
    """Return the headings of ``text`` in text order (one per line), None if stopped.

    Args:
        text: The decoded text (newlines normalised to ``\\n``).
        should_stop: Polled every :data:`CHUNK` code points; True abandons the scan.
        cooperative: Release the GIL between chunks (set it in worker threads).
        limit: Return at most this many headings (the first ones).
    """
    fences = _Fences(text)
    # One heading per line: an explicit rule beats the ALL-CAPS rule ("SCENE III" is
    # a scene, level 3, not a level-2 capitals line); then the biggest division wins.
    by_line: dict[int, tuple[bool, int, Heading]] = {}

    def keep(found: _Found) -> None:
        for generic, heading in found:
            rank = (generic, heading.level, heading)
            kept = by_line.get(heading.offset)
            if kept is None or rank[:2] < kept[:2]:
                by_line[heading.offset] = rank

    keep(_first_line(text))
    size = len(text)
    low = 0
    while low < size and len(by_line) < limit:
        if should_stop is not None and should_stop():
            return None
        # Chunks end at a newline, so every line lies in one chunk; each is scanned
        # from the newline before the line above it (a blank line before a heading).
        cut = text.find("\n", min(low + CHUNK, size))
        high = size if cut < 0 else cut
        scan_low = max(0, _line_start(text, low - 1) - 1) if low else 0
        keep(_scan(text, scan_low, high, fences))
        low = high + 1
        if cooperative:
            _pause()
    return [by_line[offset][2] for offset in sorted(by_line)][:limit]
