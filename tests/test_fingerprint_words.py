"""The sketch's words are exactly what ``re``'s ``\\w+`` finds in the case-folded head.

``core/fingerprint.py`` finds words by a byte translation, not by the pattern
the first sketches were taken with; a stored sketch is only worth keeping if
this version cuts every text into the same words. These tests compare with
that pattern directly: on every code point, and on drawn texts.
"""

from __future__ import annotations

import re
import zlib

from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.fingerprint import (
    FINGERPRINT_CHARS,
    SHINGLE_WORDS,
    parse_fingerprint,
    shingles,
    sketch,
    text_fingerprint,
)

_PATTERN = re.compile(r"\w+")


def _reference_words(text: str) -> list[str]:
    return _PATTERN.findall(text[:FINGERPRINT_CHARS].casefold())


def _reference_shingles(text: str) -> set[int]:
    """The shingles as the first sketches were computed (``\\w+``, str joined, encoded)."""
    words = _reference_words(text)
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    runs = zip(*(words[start:] for start in range(SHINGLE_WORDS)), strict=False)
    return set(map(zlib.crc32, map(str.encode, map(" ".join, runs))))


def _assert_same_as_pattern(text: str) -> None:
    assert shingles(text) == _reference_shingles(text)
    expected = sketch(_reference_shingles(text))
    if expected:
        assert parse_fingerprint(text_fingerprint(text)) == (len(_reference_words(text)), expected)
    else:
        assert text_fingerprint(text) == ""


def test_every_code_point_is_a_word_character_or_not_as_the_pattern_says() -> None:
    # Each code point between two ASCII words: a word character glues them into one
    # word, anything else (surrogates included) separates them. Sixteen code points per
    # text, so that each is classified by the translation (a text with many distinct
    # symbols is cut by the pattern itself).
    for block in range(0, 0x110000, 16):
        text = " ".join(f"a{chr(point)}b" for point in range(block, block + 16))
        assert shingles(text) == _reference_shingles(text)


def test_a_text_of_many_distinct_symbols_gives_the_patterns_words() -> None:
    _assert_same_as_pattern(" ".join(f"w{chr(point)}x" for point in range(0x2500, 0x2600)))


def test_case_folding_that_changes_length_or_leaves_ascii() -> None:
    _assert_same_as_pattern("Die STRASSE ist die Straße, ﬁne ﬂags; ǅemal İstanbul")
    _assert_same_as_pattern("’quoted’ “words” — and £5, 3½ and x²y and ١٢٣ digits")
    _assert_same_as_pattern("lone \udcff surrogate \ud800x between words")


@given(st.text(st.characters(codec=None), max_size=200))
def test_any_text_gives_the_patterns_words(text: str) -> None:
    _assert_same_as_pattern(text)


@given(st.lists(st.sampled_from(["word", "Ünï", "ß", "_", "9", " ", ",", "’", "\n", "—", "x²"])))
def test_texts_of_word_pieces_give_the_patterns_words(pieces: list[str]) -> None:
    _assert_same_as_pattern("".join(pieces))
