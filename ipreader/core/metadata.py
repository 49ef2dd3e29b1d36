"""Metadata of a decoded article: title, date, source, word count and reading time.

Everything here works on decoded text (``documents.decode_bytes``). Title, date
and source come from the article's head (:mod:`ipreader.core.head`, a bounded
prefix); only the word count sees the whole text, and is therefore written to
stay fast on multi-megabyte files (``count_words``).
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from ipreader.core.head import (
    Head,
    find_date,
    find_source,
    is_byline,
    is_only_date,
    read_head,
    strip_dateline,
)

#: Words read per minute for the reading-time estimate.
WORDS_PER_MINUTE = 230

#: Longest title kept before it is cut at a word boundary.
TITLE_MAX_CHARS = 100

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

_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


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


def _title(head: Head, fallback: str) -> str:
    """Return the title from the head's lines (dateline stripped), else ``fallback``."""
    for line in head.lines:
        if is_only_date(line) or is_byline(line):
            continue
        return shorten_title(strip_dateline(line))
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


class Metadata(NamedTuple):
    """What :func:`extract_metadata` finds in a decoded text."""

    title: str
    """The first head line (dateline stripped, shortened), else the fallback title."""
    date: str | None
    """ISO ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS`` from the head (``head.find_date``)."""
    source: str | None
    """The byline or source named in the head (``head.find_source``)."""
    words: int
    """Words of the text (``count_words``), a title repeated at the top counted once."""
    reading_minutes: int
    """``ceil(words / WORDS_PER_MINUTE)``, at least 1 when there is any word."""


def extract_metadata(text: str, fallback_title: str) -> Metadata:
    """Return the title, date, source, word count and reading time of a decoded text."""
    head = read_head(text)
    words = count_words(text)
    if head.title_repeats:
        words -= head.title_repeats * count_words(head.lines[0])
    minutes = max(1, math.ceil(words / WORDS_PER_MINUTE)) if words > 0 else 0
    return Metadata(
        _title(head, fallback_title),
        find_date(text, head),
        find_source(text, head),
        words,
        minutes,
    )
