"""Chapter and section headings (ipreader.core.headings)."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core import headings
from ipreader.core.headings import Heading, find_headings

PROSE = textwrap.fill(
    "Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes. "
    "But I warn you, if you don't tell me that this means war, if you still try to defend "
    "the infamies and horrors perpetrated by that Antichrist, I really believe he is one.",
    70,
)


def roman(number: int) -> str:
    values = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    parts = []
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), *values):
        while number >= value:
            parts.append(letters)
            number -= value
    return "".join(parts)


def war_and_peace() -> tuple[str, list[str]]:
    """A book shaped like War and Peace: 15 books and 2 epilogues, 364 chapters."""
    parts = ["WAR AND PEACE", "By Leo Tolstoy"]
    divisions = [f"BOOK {n}: {1804 + n}" for n in range(1, 16)]
    divisions += ["FIRST EPILOGUE: 1813 - 20", "SECOND EPILOGUE"]
    for division, chapters in zip(divisions, [22] * 15 + [17, 17], strict=True):
        parts.append(division)
        for chapter in range(1, chapters + 1):
            parts += [f"CHAPTER {roman(chapter)}", PROSE, '"Yes," said he.', PROSE]
    return "\n\n".join(parts) + "\n", divisions


def test_the_364_chapters_of_war_and_peace() -> None:
    text, divisions = war_and_peace()
    found = find_headings(text)
    assert found is not None
    chapters = [h for h in found if h.title.startswith("CHAPTER ")]
    assert len(chapters) == 364 == text.count("\nCHAPTER ")
    assert {h.level for h in chapters} == {2}
    books = [h.title for h in found if h.level == 1]
    assert books == divisions[:15]
    assert [h.title for h in found if "EPILOGUE" in h.title] == divisions[15:]
    assert found[0] == Heading(0, 2, "WAR AND PEACE")
    assert all(text.startswith(h.title, h.offset) for h in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("intro\n\nChapter 12\n\nbody", [(7, 2, "Chapter 12")]),
        ("Chapter 12. The Return\nbody", [(0, 2, "Chapter 12. The Return")]),
        ("x\n\nChapter 12 The Return\n\nbody", [(3, 2, "Chapter 12 The Return")]),
        ("PART II — Winter\n\nbody", [(0, 1, "PART II — Winter")]),
        ("BOOK ONE: 1805\n\nbody", [(0, 1, "BOOK ONE: 1805")]),
        ("x\n\nBook Twenty-One\n\nbody", [(3, 1, "Book Twenty-One")]),
        ("x\n\n  SCENE III\n\nbody", [(3, 3, "SCENE III")]),
        ("x\n\nPROLOGUE\n\nbody", [(3, 2, "PROLOGUE")]),
        ("x\n\nAppendix A: Tables\n\nbody", [(3, 2, "Appendix A: Tables")]),
        ("x\n\n1. Introduction\n\nbody", [(3, 1, "1. Introduction")]),
        ("x\n\n2.3 Results and limits\n\nbody", [(3, 2, "2.3 Results and limits")]),
        ("# Title\nbody\n### Deeper ###\n", [(0, 1, "Title"), (13, 3, "Deeper")]),
        ("Title\n=====\n\nSub title\n---------\nbody", [(0, 1, "Title"), (13, 2, "Sub title")]),
        ("x\n\nTHE END\n\n", [(3, 2, "THE END")]),
        ("x\n\nXIV\n\nbody", [(3, 2, "XIV")]),
        # Not headings: prose, lists, lower case, code, separators, shouting in dialogue.
        ("x\n\nChapter 3 explains how the budget\nworks in detail.\n", []),
        ("x\n\nChapter 3 explains the budget.\n\nbody", []),
        ("x\n\npart two of the plan\n\nbody", []),
        ("x\n\nPart of the problem is cost\n\nbody", []),
        ("x\n\nBook did well\n\nbody", []),
        ("x\n\nIntroduction of the bill\n\nbody", []),
        ("Shopping:\n1. Buy milk\n2. Eggs\n", []),
        ("x\n\n1. Buy milk.\n\nbody", []),
        ("```\n# not a heading\n```\n", []),
        ("para one\n\n---\n\npara two", []),
        ("x\n\nNO, NO, NO,\n\nbody", []),
        ("x\n\nOK\n\nbody", []),
        ("a line of a paragraph\nSHOUTED IN THE MIDDLE\nof it\n", []),
        ("#hashtag\n", []),
    ],
)
def test_examples(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert find_headings(text) == [Heading(*item) for item in expected]


def test_one_heading_per_line_the_biggest_division_wins() -> None:
    # "BOOK ONE" is both a division (level 1) and an ALL-CAPS line (level 2).
    assert find_headings("BOOK ONE\n\nbody") == [Heading(0, 1, "BOOK ONE")]


def test_titles_are_collapsed_and_cut() -> None:
    [heading] = find_headings("#   A  spaced\ttitle   \n") or []
    assert heading.title == "A spaced title"
    [heading] = find_headings("# " + "word " * 40) or []
    assert len(heading.title) == headings.TITLE_CHARS and heading.title.endswith("…")


def test_should_stop_abandons_and_cooperative_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("CHAPTER I\n\n" + PROSE + "\n\n") * 2000
    assert find_headings(text, should_stop=lambda: True) is None
    polls: list[None] = []

    def should_stop() -> bool:
        polls.append(None)
        return False

    pauses: list[None] = []
    monkeypatch.setattr(headings, "_pause", lambda: pauses.append(None))
    found = find_headings(text, should_stop=should_stop, cooperative=True)
    assert found is not None and len(found) == 2000
    chunks = -(-len(text) // headings.CHUNK)
    assert chunks >= 2 and len(polls) >= chunks and len(pauses) >= chunks


def test_limit_keeps_the_first_headings() -> None:
    text = "".join(f"# Heading {n}\n" for n in range(50))
    found = find_headings(text, limit=10)
    assert found is not None and [h.title for h in found] == [f"Heading {n}" for n in range(10)]


# ------------------------------------------------------------------ properties

_LINES = st.sampled_from(
    ["", "", " ", "\t", "CHAPTER IV", "Chapter 2. Home", "BOOK ONE: 1805", "PROLOGUE",
     "# Title", "## Sub #", "===", "---", "```", "1. Intro", "2.3 Results", "THE END",
     "XIV", "word and more words", "some prose, with a comma", "Part of it", "中文标题",
     "  indented CHAPTER V", "a#b", "Ünïcödé CAPS ÉTÉ"]
)  # fmt: skip
_TEXTS = st.lists(_LINES, max_size=40).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_offsets_start_lines_in_order_and_titles_come_from_the_line(text: str) -> None:
    found = find_headings(text)
    assert found is not None
    offsets = [h.offset for h in found]
    assert offsets == sorted(set(offsets))
    for heading in found:
        # The start of a line: never inside a word, never on a blank line.
        assert heading.offset == 0 or text[heading.offset - 1] == "\n"
        end = text.find("\n", heading.offset)
        line = text[heading.offset : len(text) if end < 0 else end]
        assert line.strip()
        assert 1 <= heading.level <= 6
        assert heading.title.rstrip("…").split()[0] in line


@settings(max_examples=200, deadline=None)
@given(_TEXTS, st.integers(1, 64))
def test_chunk_boundaries_change_nothing(text: str, chunk: int) -> None:
    expected = find_headings(text)
    original = headings.CHUNK
    headings.CHUNK = chunk
    try:
        assert find_headings(text) == expected
    finally:
        headings.CHUNK = original
