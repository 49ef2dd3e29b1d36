"""The head of an article (ipreader.core.head): where it ends, its date and its source."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.head import HEAD_SCAN_CHARS, find_date, find_source, read_head

BODY = (
    "The State Intellectual Property Office received 1.4 million patent applications "
    "last year, leading the worldwide figure for the ninth year in a row."
)


def article(*head: str, body: str = BODY) -> str:
    """A title, the given head lines and a body paragraph, separated by blank lines."""
    return "\n\n".join(("A title", *head, body, "Second paragraph."))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2024年1月4日", "2024-01-04"),
        ("2024年01月04日 10:30", "2024-01-04T10:30:00"),
        ("发布时间：2024年1月4日（星期四）10:30:15", "2024-01-04T10:30:15"),
        ("２０２４年１月４日", "2024-01-04"),  # full-width digits
        ("2024년 1월 4일", "2024-01-04"),
        ("2024/01/04", "2024-01-04"),
        ("2024.01.04 08:05", "2024-01-04T08:05:00"),
        ("2024-1-4", "2024-01-04"),
        ("date 2024-01-04 (ECNS)", "2024-01-04"),
        ("Updated: 10:30 GMT, Thursday, 4 January 2024", "2024-01-04"),
        ("By Zhang Yangfei | chinadaily.com.cn | Updated: 2020-12-16 12:10", "2020-12-16T12:10:00"),
        ("2024年2月30日", None),
        ("2024/13/01", None),
        ("Version 1.2024.01.04.5", None),
        ("2021-2025 plan", None),
    ],
)
def test_date_formats_on_a_head_line(line: str, expected: str | None) -> None:
    assert find_date(article(line)) == expected


def test_a_date_ending_a_sentence_is_still_a_date() -> None:
    assert find_date(article("Posted on 2024-01-04.")) == "2024-01-04"


@pytest.mark.parametrize(
    "body",
    [
        # Paragraph four of a BBC-style article (one line per paragraph).
        "\n\n".join([BODY, BODY, BODY, "He was born in Glasgow on 20 February 1951."]),
        # A short first paragraph that is a sentence.
        "The firm was set up on 4 January 1990 in a garage in Leeds.",
        # A date near the start of the first paragraph, but not a dateline.
        "Apple said on 13 December 2004 that its profits had risen sharply in the "
        "quarter, helped by strong sales of the iPod music player.",
        # A paragraph hard-wrapped at ~70 columns: its second line is body too.
        "The writer, who has lived in the city for most of his life and was\n"
        "born in Glasgow on 20 February 1951, says the book took him ten years.",
        "The writer, who has lived in the city for most of his life and who\n"
        "Glasgow honoured on 20 February 1951 with a prize, says it took years.",
        "The writer, who has lived in the city for most of his life, was\n"
        "born in Glasgow on 20 February 1951 and moved to\n"
        "London after the war, where he wrote his first book.",
        # A long first paragraph that does not end like a sentence (a list follows).
        "Mr Smith, who was born on 20 February 1951 in Glasgow, told the BBC that three "
        "things had changed since the plan was first discussed:\n\n- prices",
    ],
)
def test_a_date_in_the_body_never_dates_the_article(body: str) -> None:
    assert find_date(f"A title\n\n{body}") is None


def test_datelines_at_the_start_of_the_body() -> None:
    text = f"BEIJING, Jan. 4, 2024 (Xinhua) -- {BODY}"
    assert (find_date(text), find_source(text)) == ("2024-01-04", "Xinhua")
    text = f"A title\n\nLONDON (Reuters) - {BODY}"
    assert (find_date(text), find_source(text)) == (None, "Reuters")
    text = f"A title\n\n2024年1月4日，{BODY}"
    assert find_date(text) == "2024-01-04"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("By Jane Doe, BBC News", "Jane Doe, BBC News"),
        (
            "By Dave Lee and Jo van Dyke - technology reporters",
            "Dave Lee and Jo van Dyke - technology reporters",
        ),
        ("BY JANE DOE", "JANE DOE"),
        ("Source: Xinhua", "Xinhua"),
        ("来源：新华社", "新华社"),
        ("BBC News", "BBC News"),
        ("chinadaily.com.cn | 2020-12-16", "chinadaily.com.cn"),
        ("By Zhang Yangfei | chinadaily.com.cn | Updated: 2020-12-16 12:10", "Zhang Yangfei"),
        ("date 2024-01-04 (ECNS)", "ECNS"),
        ("2024-01-04 (2)", None),
        ("By 2025, 40% of homes", None),
        ("By contrast, shares fell", None),
        ("A subtitle with no source", None),
    ],
)
def test_sources_on_a_head_line(line: str, expected: str | None) -> None:
    assert find_source(article(line)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "BBC leads interactive Bafta wins\n\n" + BODY,  # a title is not a source
        "A title\n\nBBC News spoke to a number of analysts on Monday morning about the bid "
        "for the exchange, and most thought it was unlikely to fail.",
        "A title\n\nBy 2025, 40% of the UK's population will still be without internet access "
        "at home, says a study.",
        article(body=BODY + "\n\nBy Jane Doe"),  # a byline below the body's start
    ],
)
def test_no_source_outside_the_head(text: str) -> None:
    assert find_source(text) is None


def test_the_head_ends_at_the_first_body_line() -> None:
    head = read_head(article("By Jane Doe", "January 4, 2024"))
    assert head.lines == ("A title", "By Jane Doe", "January 4, 2024", BODY)
    assert head.body == 3
    # A long title (seed 002) stays a title; a sentence-like first line is body.
    long_title = "China plans to improve international collaboration in the field of IP rights"
    assert read_head(f"{long_title}\n\n2024-01-04\n\n{BODY}").body == 2
    assert read_head(BODY).body == 0
    # A title repeated right below itself counts once.
    assert read_head("T\n\nT\nT\n\nBy Jane Doe").title_repeats == 2


def test_only_the_scanned_prefix_is_read() -> None:
    text = "A title\n" + "\n" * HEAD_SCAN_CHARS + "2024-01-04\n"
    assert read_head(text).lines == ("A title",)
    assert find_date(text) is None


# ------------------------------------------------------------------ properties

_WORDS = st.sampled_from(
    ["A", "title", "By", "Jane", "Doe", "2024-01-04", "4", "January", "2024年1月4日", "(ECNS)",
     "--", "BEIJING,", "Source:", "Xinhua", "said", "the", "of", ".", "|"]
)  # fmt: skip
_LINES = st.lists(_WORDS, max_size=14).map(" ".join)
_TEXTS = st.lists(st.one_of(_LINES, st.just("")), max_size=12).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.text(max_size=200))
def test_what_follows_the_first_body_line_changes_nothing(text: str, suffix: str) -> None:
    head = read_head(text)
    if head.body is None:
        return
    longer = text + "\n" + suffix
    assert read_head(longer).lines == head.lines
    assert find_date(longer) == find_date(text)
    assert find_source(longer) == find_source(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TEXTS, st.text(max_size=300)))
def test_any_date_found_is_valid_iso(text: str) -> None:
    found = find_date(text)
    if found is not None:
        assert datetime.fromisoformat(found).isoformat().startswith(found)
        assert len(found) in (10, 19)
