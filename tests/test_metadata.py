"""Metadata of decoded text: title, date, word count and reading time."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core import metadata
from ipreader.core.documents import read_document
from ipreader.core.metadata import count_words, extract_metadata
from ipreader.core.paths import seeds_dir


def _seed(prefix: str) -> str:
    (path,) = seeds_dir().glob(f"{prefix}_*.txt")
    return read_document(path).text


def test_seed_000_title_and_datetime() -> None:
    found = extract_metadata(_seed("000"), "x")
    assert found.title == "China wholeheartedly upholds intellectual property cause"
    assert found.date == "2020-12-16T12:10:05"
    assert found.source is None
    assert found.reading_minutes == -(-found.words // 230)


def test_seed_002_repeated_title_counts_once() -> None:
    text = _seed("002")
    title, date, _, words, _ = extract_metadata(text, "x")
    assert title == (
        "China plans to improve international collaboration in the field of "
        "intellectual property rights"
    )
    assert date is None
    once = text.replace(title + "\n\n", "", 2)
    assert words == len(once.split())


def test_seed_003_dateline_is_stripped_from_the_title() -> None:
    title, date, source, _, _ = extract_metadata(_seed("003"), "x")
    assert (date, source) == ("2024-01-04", "ECNS")
    assert title.startswith("The year 2024 marks the 30th anniversary of China")
    assert "ECNS" not in title and "date" not in title
    assert len(title) <= 100


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ("2020-12-16 12:10:05", "2020-12-16T12:10:05"),
        ("Posted 2020-12-16T08:30", "2020-12-16T08:30:00"),
        ("date 2024-01-04 (ECNS)", "2024-01-04"),
        ("January 4, 2024", "2024-01-04"),
        ("4 January 2024", "2024-01-04"),
        ("Jan. 4, 2024", "2024-01-04"),
        ("Published: Sept. 30th, 2023 by staff", "2023-09-30"),
        ("2023-02-30", None),
        ("February 30, 2023", None),
        ("In the period (2021-2025) nothing happened", None),
        ("No date here at all", None),
        (
            "Britain's first mobile phone call was made across the Vodafone network on "
            "1 January 1985 by veteran comedian Ernie Wise.",
            None,
        ),
        (
            "4 January 2024 - Britain's first mobile phone call was made across the network",
            "2024-01-04",
        ),
    ],
)
def test_dates_near_the_top(top: str, expected: str | None) -> None:
    assert extract_metadata(f"A title\n\n{top}\n\nBody text.", "x").date == expected


def test_date_far_below_the_top_is_ignored() -> None:
    body = "\n".join(f"Paragraph {i}." for i in range(10))
    assert extract_metadata(f"Title\n{body}\n2024-01-04", "x")[1] is None


def test_title_whitespace_is_collapsed_and_date_lines_skipped() -> None:
    title, date, *_ = extract_metadata("\n\n  2024-01-04  \n  A\t spaced   title \nBody", "x")
    assert (title, date) == ("A spaced title", "2024-01-04")


@pytest.mark.parametrize(
    "line",
    [
        "BEIJING, Jan. 4 (Xinhua) -- Officials said the plan works",
        "date 2024-01-04 (ECNS) -- Officials said the plan works",
        "2024-01-04 -- Officials said the plan works",
    ],
)
def test_datelines_are_stripped(line: str) -> None:
    assert extract_metadata(line, "x")[0] == "Officials said the plan works"


@given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=15), min_size=1))
def test_long_titles_are_cut_at_a_word_boundary(words: list[str]) -> None:
    line = " ".join(words)
    title = extract_metadata(line + "\nbody", "x")[0]
    assert len(title) <= 100
    if len(line) <= 100:
        assert title == line
    else:
        assert title.endswith("…")
        assert title[:-1].split() == line.split()[: len(title[:-1].split())]


def test_empty_text_falls_back_to_the_file_title() -> None:
    assert extract_metadata("", "stem") == ("stem", None, None, 0, 0)
    assert extract_metadata(" \n\t\n", "stem") == ("stem", None, None, 0, 0)


def test_words_and_reading_time() -> None:
    assert extract_metadata("one", "x")[3:] == (1, 1)
    assert extract_metadata(" ".join(["w"] * 230), "x")[3:] == (230, 1)
    assert extract_metadata(" ".join(["w"] * 231), "x")[3:] == (231, 2)


def test_cjk_characters_count_as_words() -> None:
    # 11 ideographs and "2020"; the full-width comma and full stop only separate.
    assert extract_metadata("中国知识产权，2020年发展很快。", "x").words == 12
    assert extract_metadata("東京は晴れです。", "x").words == 7


# --- count_words: the fast path equals the reference ----------------------------------------


def reference_count_words(text: str) -> int:
    """The original implementation: split unless a CJK character is present."""
    if re.search(f"[{metadata._CJK}]", text) is None:
        return len(text.split())
    return sum(
        1
        for _ in re.finditer(f"[{metadata._CJK}]|[^\\s{metadata._CJK}{metadata._CJK_PUNCT}]+", text)
    )


# Every kind of whitespace str.split knows, CJK and its punctuation, Latin-1 and
# wider characters, and the backslash escapes the fast path must not be fooled by.
_TRICKY = (
    "ab Z\n\t\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u200a\u200b\u2028\u2029\u202f"
    "\u205f\u3000\u3001\uff0c\u4e00\u3042\u30a2\uf900\U00020000\U00030000"
    "\u2019\u2014\u00e9\u00a3\\\\u3x4e00U0002f91a\U0001f600\ud800"
)
tricky_text = st.text(alphabet=_TRICKY, max_size=40)


@given(tricky_text)
def test_count_words_equals_the_reference(text: str) -> None:
    assert count_words(text) == reference_count_words(text)


@settings(max_examples=300)
@given(st.lists(st.one_of(tricky_text, st.text(max_size=12)), max_size=8), st.integers(1, 7))
def test_count_words_is_exact_across_chunk_boundaries(parts: list[str], chunk: int) -> None:
    text = "".join(parts)
    original = metadata.COUNT_CHUNK_CHARS
    metadata.COUNT_CHUNK_CHARS = chunk
    try:
        assert count_words(text) == reference_count_words(text)
    finally:
        metadata.COUNT_CHUNK_CHARS = original


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("a\u00a0b c", 3),  # no-break space separates, as in str.split
        ("x \u2014 y it\u2019s", 4),  # a dash between spaces is a word; curly quotes are not spaces
        ("a\u2000b\u205fc", 3),
        ("\\u4e00 is not an ideograph", 5),  # a literal escape in the text
        ("\u4e2d\u56fd abc\uff0cdef", 4),
    ],
)
def test_count_words_examples(text: str, words: int) -> None:
    assert count_words(text) == words


def test_the_fast_path_knows_every_whitespace_and_cjk_lead() -> None:
    # The fast path's escape pattern lists the non-Latin-1 whitespace by hand:
    # a Python whose str.isspace grew would be caught here.
    wide_spaces = [ch for ch in map(chr, range(0x100, sys.maxunicode + 1)) if ch.isspace()]
    for ch in wide_spaces:
        assert metadata._NEEDS_CARE.search(ch.encode("raw_unicode_escape")), hex(ord(ch))
    for low, high in ((0x3040, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)):
        for code in (low, (low + high) // 2, high):
            assert metadata._NEEDS_CARE.search(chr(code).encode("raw_unicode_escape"))
    assert not metadata._NEEDS_CARE.search("\u2019\u2014\u00e9".encode("raw_unicode_escape"))
