"""Which line breaks reflow joins, and the hard-wrap detector (ipreader.tui.reader.reflow)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ipreader.core.paths import seeds_dir
from ipreader.tui.reader.reflow import (
    FALLBACK_WIDTH,
    SAMPLE_CHARS,
    SAMPLE_PLACES,
    Reflow,
    hard_wrap_width,
    looks_hard_wrapped,
)

FIXTURES = Path(__file__).parent / "fixtures" / "bbc"
PROSE = (
    "Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes. "
    "But I warn you, if you don't tell me that this means war, if you still try to defend "
    "the infamies and horrors perpetrated by that Antichrist, I really believe he is "
    "Antichrist. I will have nothing more to do with you and you are no longer my friend."
)
VERSE = (
    "Shall I compare thee to a summer's day?\n"
    "Thou art more lovely and more temperate:\n"
    "Rough winds do shake the darling buds of May,\n"
    "And summer's lease hath all too short a date;\n"
)


def articles() -> list[str]:
    """The paragraphs of the BBC fixture articles (one line per paragraph)."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.rglob("*.txt"))]
    return [line for text in texts for line in text.split("\n") if len(line) > 80]


def joined(text: str, width: int) -> list[bool]:
    """For each newline of ``text``, whether ``Reflow(width)`` joins it."""
    return [Reflow(width).joins(text, n) for n, char in enumerate(text) if char == "\n"]


def test_lines_broken_by_the_width_are_joined() -> None:
    wrapped = textwrap.fill(PROSE, 70)
    assert all(joined(wrapped, 70))
    # An uneven wrapper (lines a little short of the width) is still joined...
    assert all(joined(textwrap.fill(PROSE, 64), 70))
    # ...but not text wrapped much narrower (its lines could have held the next word).
    assert not any(joined(textwrap.fill(PROSE, 40), 70))


@pytest.mark.parametrize(
    "after",
    [
        "",  # a blank line: the paragraph ends
        "  indented",
        "\tindented",
        "- a list item",
        "* a list item",
        "• a list item",
        "1. a numbered item",
        "12) a numbered item",
        "a) a lettered item",
        "(iv) a numbered item",
        "# A heading",
        "> a quote",
        "| a | table |",
        "```",
    ],
)
def test_the_next_line_kept_as_it_is(after: str) -> None:
    line = textwrap.fill(PROSE, 70).split("\n")[0]
    assert joined(f"{line}\n{after}\nmore", 70)[0] is False


def test_short_long_and_special_lines_are_not_joined() -> None:
    assert joined("CHAPTER I\nIt was a dark night", 70) == [False]  # a short line
    assert joined(VERSE, 70) == [False] * 4
    long = PROSE[:200]
    assert joined(f"{long}\nnext", 70) == [False]  # longer than the width: not wrapped
    heading = "# " + PROSE[:66]
    assert joined(f"{heading}\nnext", 70) == [False]
    assert joined(" " * 68 + "\nnext", 70) == [False]  # a line of spaces is blank
    assert joined("the last line", 70) == []
    assert joined(textwrap.fill(PROSE, 70).split("\n")[0] + "\n", 70) == [False]  # the text's end


@pytest.mark.parametrize("width", [30, 40, 55, 70, 72, 79, 100, 120])
def test_the_detector_finds_the_width_of_wrapped_articles(width: int) -> None:
    text = "\n\n".join(textwrap.fill(paragraph, width) for paragraph in articles())
    assert hard_wrap_width(text) == width
    assert looks_hard_wrapped(text)
    assert Reflow.for_text(text) == Reflow(width)


@pytest.mark.parametrize(
    "text",
    [
        "\n\n".join(articles()),  # one line per paragraph (the BBC corpus, the seeds)
        *[path.read_text(encoding="utf-8") for path in sorted(seeds_dir().glob("*.txt"))],
        VERSE * 10,
        "\n".join(f"def f{n}(x):\n    return x + {n}\n" for n in range(40)),  # code
        "\n".join(f"- item number {n}" for n in range(40)),  # a list
        "short text",
        "",
    ],
)
def test_the_detector_leaves_other_texts_alone(text: str) -> None:
    assert hard_wrap_width(text) is None and not looks_hard_wrapped(text)
    assert Reflow.for_text(text) == Reflow(FALLBACK_WIDTH)


class CountingText(str):
    """A text that counts the characters its slices hand out."""

    taken = 0

    def __getitem__(self, key: slice | int) -> str:  # type: ignore[override]
        part = str.__getitem__(self, key)
        CountingText.taken += len(part)
        return part


def test_the_detector_reads_a_bounded_sample() -> None:
    text = "\n\n".join(textwrap.fill(paragraph, 70) for paragraph in articles())
    big = CountingText(text * (20_000_000 // len(text)))
    CountingText.taken = 0
    assert hard_wrap_width(big) == 70
    # Bounded by the samples (4 places x 16 KiB), not by the 20 MB text: asserted on
    # what is read, not on time (a timing bound fails on a loaded machine).
    assert 0 < CountingText.taken <= SAMPLE_PLACES * SAMPLE_CHARS
