"""Metadata of a decoded article: title, date, word count and reading time.

Everything here works on decoded text (``documents.decode_bytes``) and reads
only the top of it, except the word count, which sees the whole text and is
therefore written to stay fast on multi-megabyte files (``count_words``).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

#: Words read per minute for the reading-time estimate.
WORDS_PER_MINUTE = 230

#: Longest title kept before it is cut at a word boundary.
TITLE_MAX_CHARS = 100

#: How far from the top a date is looked for: non-empty lines, then characters.
DATE_WINDOW_LINES = 5
DATE_WINDOW_CHARS = 1000

#: A date counts on a line this short, or within this many characters of a longer line's start.
DATE_LINE_CHARS = 80
DATELINE_CHARS = 40

#: Characters the fast word count handles per step (bounds its temporary memory).
COUNT_CHUNK_CHARS = 1 << 20

# CJK ideographs and kana are words of their own (the scripts put no spaces
# between words); CJK punctuation separates words like whitespace does.
_CJK = (
    "\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002fa1f\U00030000-\U0003134f"
)
_CJK_PUNCT = "\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_HAS_CJK = re.compile(f"[{_CJK}]")
_WORD = re.compile(f"[{_CJK}]|[^\\s{_CJK}{_CJK_PUNCT}]+")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_CJK_OR_PUNCT_RUN = re.compile(f"[{_CJK}{_CJK_PUNCT}]+")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?P<month>(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_ISO_DATETIME = re.compile(
    r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[ T](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?(?![\d-])"
)
_ANY_MONTH = _MONTH.replace("?P<month>", "?:")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")
_DAY_MONTH_YEAR = re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b")

# A dateline before the first sentence: "date 2024-01-04 (ECNS) -- ",
# "BEIJING, Jan. 4 (Xinhua) -- ", "2020-12-16 12:10:05 - ".
_DATELINE = re.compile(
    r"^(?:date\s+)?(?:[A-Z][A-Z .'-]{1,30},\s*)?"
    r"(?:\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?"
    rf"|{_ANY_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_ANY_MONTH}(?:,?\s+\d{{4}})?)"
    r"\s*(?:\([^()]{1,40}\))?\s*(?:--|—|–|-|:)\s+"
)
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


def _collapse(line: str) -> str:
    """Return ``line`` stripped with internal whitespace runs made one space."""
    return " ".join(line.split())


def _top_lines(text: str) -> list[str]:
    """Return the first non-empty lines (collapsed), a repeated first line kept once."""
    head = text[: DATE_WINDOW_CHARS * 4]
    lines: list[str] = []
    for raw in head.split("\n"):
        line = _collapse(raw)
        if not line:
            continue
        if lines and line == lines[0] and len(lines) == 1:
            # The title repeated right below itself (seed 002) counts once.
            continue
        lines.append(line)
        if len(lines) >= DATE_WINDOW_LINES:
            break
    return lines


def _valid_iso(match: re.Match[str]) -> str | None:
    """Return the ISO form of an ``_ISO_DATETIME`` match, None for an impossible date."""
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        if match["hour"] is None:
            return day.isoformat()
        moment = datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
        )
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


def _valid_named(match: re.Match[str]) -> str | None:
    """Return the ISO form of a month-name date match, None for an impossible date."""
    month = _MONTHS[match["month"].rstrip(".").lower()]
    try:
        return date(int(match["year"]), month, int(match["day"])).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """Return the article's date from its top lines as ISO text, else None.

    A date counts on a short line ("2020-12-16 12:10:05", "Published: Jan. 4,
    2024") or at the start of a line (a dateline); a date in the middle of
    prose is an event the article reports, not its date.
    """
    budget = DATE_WINDOW_CHARS
    for line in _top_lines(text):
        if budget <= 0:
            break
        line = line[:budget]
        budget -= len(line) + 1
        found: list[tuple[int, str]] = []
        for pattern, convert in (
            (_ISO_DATETIME, _valid_iso),
            (_MONTH_DAY_YEAR, _valid_named),
            (_DAY_MONTH_YEAR, _valid_named),
        ):
            for match in pattern.finditer(line):
                if len(line) > DATE_LINE_CHARS and match.start() > DATELINE_CHARS:
                    break
                value = convert(match)
                if value is not None:
                    found.append((match.start(), value))
                    break
        if found:
            return min(found)[1]
    return None


def _is_only_date(line: str) -> bool:
    """True when ``line`` is nothing but a date (not a title)."""
    stripped = line.strip(" ,.-–—()[]")
    return any(
        pattern.fullmatch(stripped) for pattern in (_ISO_DATETIME, _MONTH_DAY_YEAR, _DAY_MONTH_YEAR)
    ) or bool(re.fullmatch(r"date\s+\S+", stripped))


def shorten_title(title: str, limit: int = TITLE_MAX_CHARS) -> str:
    """Cut ``title`` to ``limit`` characters: at its first sentence if that fits, else
    at a word boundary with "…"."""
    if len(title) <= limit:
        return title
    first = _SENTENCE_END.search(title)
    if first is not None and limit // 3 <= first.end() <= limit:
        return title[: first.end()]
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def _title(lines: list[str], fallback: str) -> str:
    """Return the title from the top lines (dateline stripped), else ``fallback``."""
    for line in lines:
        if _is_only_date(line):
            continue
        match = _DATELINE.match(line)
        if match is not None and line[match.end() :].strip():
            line = line[match.end() :].strip()
        return shorten_title(line)
    return fallback or "untitled"


def count_words(text: str) -> int:
    """Count whitespace-separated words, each CJK ideograph or kana counting as one.

    A text without CJK characters has ``len(text.split())`` words; a text with
    any has one word per CJK character plus the runs of other characters
    between whitespace and CJK punctuation.
    """
    fast = _count_words_without_cjk(text)
    if fast is not None:
        return fast
    # Same rules as ``_WORD.findall`` without building one match per ideograph
    # (a 20 MB Chinese text has millions; this is ~10x faster): every CJK
    # character is a word, and CJK characters and punctuation separate the
    # words made of everything else, so each of their runs becomes one space.
    cjk_characters = len(text) - len(_CJK_RUN.sub("", text))
    others = _count_words_without_cjk(_CJK_OR_PUNCT_RUN.sub(" ", text))
    if others is None:  # pragma: no cover - no CJK character is left to find
        return len(_WORD.findall(text))
    return cjk_characters + others


# The fast count maps each character to one or more bytes, then each byte to
# 0 (whitespace) or 1 (anything else), and counts the 0 -> 1 steps with integer
# bit operations: everything runs in C, no per-word string is ever built.
# ``raw_unicode_escape`` keeps Latin-1 characters as single bytes and writes
# every other character as an ASCII escape such as b"\\u2019": escapes hold no
# whitespace byte, so a run of non-space characters stays one run of 1s. The
# few escapes that matter (non-Latin-1 whitespace, anything that may be CJK)
# are found by one regular expression with a literal first byte (fast).
_SPACE_FLAGS = bytes(0 if chr(byte).isspace() else 1 for byte in range(256))
_NEEDS_CARE = re.compile(
    rb"\\(?:u(?:1680|20(?:0[0-9a]|2[89f]|5f)|[3-9][0-9a-f]{3}|f[9a][0-9a-f]{2})|U000[23])"
)


def _count_words_without_cjk(text: str) -> int | None:
    """Return ``len(text.split())`` computed in C over chunks; None when CJK is present.

    A chunk with non-Latin-1 whitespace is counted exactly with ``str.split``;
    a chunk that holds a CJK character means the whole text needs the CJK rules.
    """
    words = 0
    previous = 0  # 1 when the character before the chunk is not whitespace
    for begin in range(0, len(text), COUNT_CHUNK_CHARS):
        chunk = text[begin : begin + COUNT_CHUNK_CHARS]
        raw = chunk.encode("raw_unicode_escape")
        if not chunk.isascii() and b"\\" in raw and _NEEDS_CARE.search(raw) is not None:
            if _HAS_CJK.search(chunk) is not None:
                return None
            words += len(chunk.split()) - (previous and not chunk[0].isspace())
            previous = int(not chunk[-1].isspace())
            continue
        flags = int.from_bytes(raw.translate(_SPACE_FLAGS), "little")
        # Bit 8*i is set when byte i is a non-space; a word starts where the
        # byte before it (shifted in from below) is a space.
        words += (flags & ~((flags << 8) | previous)).bit_count()
        previous = flags >> (8 * (len(raw) - 1))
    return words


def _repeated_title_words(text: str) -> int:
    """Return the words of title lines repeated at the top (counted once, not thrice)."""
    lines = [line for line in (_collapse(raw) for raw in text[:4000].split("\n")) if line]
    repeats = 0
    while len(lines) > repeats + 1 and lines[repeats + 1] == lines[0]:
        repeats += 1
    return repeats * count_words(lines[0]) if repeats else 0


def extract_metadata(text: str, fallback_title: str) -> tuple[str, str | None, int, int]:
    """Return ``(title, date, words, reading_minutes)`` of a decoded text."""
    lines = _top_lines(text)
    title = _title(lines, fallback_title)
    words = count_words(text) - _repeated_title_words(text)
    minutes = max(1, math.ceil(words / WORDS_PER_MINUTE)) if words > 0 else 0
    return title, find_date(text), words, minutes
