"""The reports screen's filter line: parsing ``by: color: doc: since: until:`` and narrowing."""

from __future__ import annotations

from pathlib import Path

import pytest
from coding_helpers import highlight
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.codebook import Codebook
from ipreader.core.coding import CodedDocument, Selection, SelectionError
from ipreader.core.model import COLORS
from ipreader.core.report_filter import Narrowing, narrow, parse_narrowing

TEXT = "The quick brown fox jumps over the lazy dog. " * 4


def document(relpath: str, marks: list[dict[str, str]], root: str = "/a") -> CodedDocument:
    """A document of ``TEXT`` with one highlight per mark (creator, color, created)."""
    found = tuple(
        highlight(TEXT, 4 * n, 4 * n + 3, ["t"], document=relpath, **mark)
        for n, mark in enumerate(marks)
    )
    return CodedDocument(Path(root), relpath, relpath, TEXT, found)


def kept(documents: list[CodedDocument]) -> list[tuple[str, str, str]]:
    return [(d.relpath, a.creator, a.color) for d in documents for a in d.highlights]


def test_every_term_sets_its_filter_and_quotes_group_words() -> None:
    parsed = parse_narrowing('by:"Ada Lovelace" color:claim doc:business/* since:2024-05-01 '
                             "until:2024-05-31")  # fmt: skip
    assert parsed.color == "claim"
    assert parsed.selection == Selection(
        document_glob="business/*",
        creator="Ada Lovelace",
        since="2024-05-01T00:00:00.000Z",
        until="2024-06-01T00:00:00.000Z",  # a bare end date includes that day
    )
    assert parse_narrowing("  ").empty
    assert parse_narrowing("BY:ben").selection.creator == "ben"  # field names in any case


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ada", "not a filter: 'ada' (use by:NAME color:COLOUR doc:GLOB"),
        ("who:ada", "not a filter: 'who:ada'"),
        ("by:", "by: needs a value"),
        ("by:ada by:ben", "by: given twice"),
        ('by:"Ada', 'a quote (") is not closed'),
        ("since:yesterday", "not a date or time: 'yesterday'"),
    ],
)
def test_a_line_that_does_not_parse_says_which_term(line: str, message: str) -> None:
    with pytest.raises(SelectionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_narrowing(line)


def test_creator_document_and_dates_narrow_and_emptied_documents_leave() -> None:
    documents = [
        document(
            "business/a.txt",
            [
                {"creator": "Ada", "created": "2024-05-01T09:00:00.000Z"},
                {"creator": "Ben", "created": "2024-05-02T09:00:00.000Z"},
            ],
        ),
        document("tech/b.txt", [{"creator": "ada", "created": "2024-06-01T09:00:00.000Z"}]),
    ]
    assert kept(narrow(documents, parse_narrowing("by:ADA"))) == [
        ("business/a.txt", "Ada", "yellow"),
        ("tech/b.txt", "ada", "yellow"),
    ]
    assert kept(narrow(documents, parse_narrowing("by:ben doc:tech/*"))) == []
    assert kept(narrow(documents, parse_narrowing("since:2024-05-02 until:2024-05-31"))) == [
        ("business/a.txt", "Ben", "yellow")
    ]
    assert narrow(documents, Narrowing()) == documents  # nothing asked: the same documents


def test_a_colour_meaning_is_looked_up_in_each_documents_folder() -> None:
    marks = [{"color": "yellow"}, {"color": "pink"}]
    documents = [document("a.txt", marks, root="/a"), document("b.txt", marks, root="/b")]
    books = {
        Path("/a"): Codebook().with_meaning("yellow", "claim"),
        Path("/b"): Codebook().with_meaning("pink", "Claim"),
    }
    claims = narrow(documents, parse_narrowing("color:claim"), books.__getitem__)
    assert kept(claims) == [("a.txt", "", "yellow"), ("b.txt", "", "pink")]
    pinks = narrow(documents, parse_narrowing("color:PINK"), books.__getitem__)
    assert kept(pinks) == [("a.txt", "", "pink"), ("b.txt", "", "pink")]
    with pytest.raises(SelectionError, match="unknown colour 'evidence'"):
        narrow(documents, parse_narrowing("color:evidence"), books.__getitem__)


def test_a_meaning_known_in_a_folder_the_glob_leaves_out_is_no_error() -> None:
    documents = [
        document("a/x.txt", [{"color": "yellow"}], root="/a"),
        document("b/y.txt", [{}], root="/b"),
    ]
    books = {Path("/a"): Codebook().with_meaning("yellow", "claim"), Path("/b"): Codebook()}
    assert narrow(documents, parse_narrowing("color:claim doc:b/*"), books.__getitem__) == []
    assert narrow([], parse_narrowing("color:claim")) == []  # nothing to look the name up in


def test_a_narrowed_document_keeps_its_lines_and_an_untouched_one_is_the_same() -> None:
    marks = [{"creator": "Ada"}, {"creator": "Ben"}]
    whole = document("a.txt", marks)
    lines = [whole.line_of(a.start) for a in whole.highlights]
    [ada] = narrow([whole], parse_narrowing("by:ada"))
    assert [a.creator for a in ada.highlights] == ["Ada"]
    assert ada.line_of(ada.highlights[0].start) == lines[0]
    assert (ada.root, ada.relpath, ada.title, ada.text) == (whole.root, "a.txt", "a.txt", TEXT)
    [same] = narrow([whole], parse_narrowing("since:2020-01-01"))  # keeps every highlight
    assert same is whole


MARKS = st.fixed_dictionaries(
    {
        "creator": st.sampled_from(["Ada", "ada", "Ben", ""]),
        "color": st.sampled_from(COLORS),
        "created": st.sampled_from(
            ["2024-04-30T23:59:59.999Z", "2024-05-01T00:00:00.000Z", "2024-05-02T12:00:00.000Z"]
        ),
    }
)


@given(
    st.lists(st.lists(MARKS, max_size=5), max_size=4),
    st.sampled_from([None, "Ada", "ben", ""]),
    st.sampled_from([None, *COLORS]),
    st.sampled_from([None, "2024-05-01"]),
    st.sampled_from([None, "2024-05-01"]),
)
def test_narrowing_keeps_exactly_what_the_cli_selection_keeps(
    marks: list[list[dict[str, str]]],
    creator: str | None,
    color: str | None,
    since: str | None,
    until: str | None,
) -> None:
    documents = [document(f"d{n}.txt", m) for n, m in enumerate(marks)]
    terms = {"by": creator, "color": color, "since": since, "until": until}
    line = " ".join(f'{k}:"{v}"' for k, v in terms.items() if v)  # "" is not a value: left out
    cli = Selection(
        color=color,
        creator=creator or None,
        since=None if since is None else "2024-05-01T00:00:00.000Z",
        until=None if until is None else "2024-05-02T00:00:00.000Z",
    )
    expected = [
        (d.relpath, a.creator, a.color) for d in documents for a in d.highlights if cli.keeps(a)
    ]
    assert kept(narrow(documents, parse_narrowing(line))) == expected
