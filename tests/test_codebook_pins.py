"""Pins of the codebook (``core/codebook.py``): names, descriptions, colour meanings, the tree.

What a coder relies on when naming, describing, renaming, deleting and undoing
codes, and what the codebook screen's tree shows; found by mutation testing
(``scripts/mutation.py ipreader/core/codebook.py``).
"""

from __future__ import annotations

import pytest

from ipreader.core.codebook import (
    MAX_DESCRIPTION_CHARS,
    MAX_MEANING_CHARS,
    Codebook,
    CodebookError,
    Delete,
    Rename,
    Retagged,
    Revert,
    TagEntry,
    TagRow,
    check_color,
    check_tag_name,
    describe,
    moved_name,
    tag_id,
    tag_tree,
)
from ipreader.core.model import MAX_TAG_CHARS, Annotation

# ------------------------------------------------------------------ names and colours


def test_an_unknown_colour_is_refused_with_the_colours_to_choose_from() -> None:
    with pytest.raises(CodebookError) as refused:
        check_color("mauve")
    assert str(refused.value) == (
        "unknown colour 'mauve'; choose one of yellow, green, blue, pink, purple"
    )


def test_a_tag_name_is_refused_when_empty_and_says_so() -> None:
    for empty in ("", "   ", " / / "):
        with pytest.raises(CodebookError, match=r"^a tag name cannot be empty$"):
            check_tag_name(empty)


def test_a_tag_name_may_hold_spaces_but_no_control_character() -> None:
    assert check_tag_name("  big   idea / sub ") == "big idea/sub"
    for control in ("a\x00b", "a\x01b", "a\x7fb"):
        with pytest.raises(CodebookError, match=r"^a tag name cannot hold control characters$"):
            check_tag_name(control)


def test_a_tag_name_of_exactly_the_limit_is_kept_and_one_more_is_refused() -> None:
    assert check_tag_name("t" * MAX_TAG_CHARS) == "t" * MAX_TAG_CHARS
    with pytest.raises(CodebookError, match=f"at most {MAX_TAG_CHARS} characters"):
        check_tag_name("t" * (MAX_TAG_CHARS + 1))


# ------------------------------------------------------------------ describing


def test_a_description_of_exactly_the_limit_is_kept_and_one_more_is_refused() -> None:
    full = describe(Codebook(), "claim", "d" * MAX_DESCRIPTION_CHARS)
    assert full.description("claim") == "d" * MAX_DESCRIPTION_CHARS
    with pytest.raises(CodebookError, match="at most 10,000 characters"):
        describe(Codebook(), "claim", "d" * (MAX_DESCRIPTION_CHARS + 1))


def test_describing_again_keeps_the_colour_and_the_first_spelling() -> None:
    book = describe(Codebook(), "Policy/Patents", "about patents", "green")
    again = describe(book, "policy/PATENTS", "patents and their reform")
    assert again.entry("policy/patents") == TagEntry(
        "Policy/Patents", "patents and their reform", "green"
    )
    assert describe(again, "policy/patents", "x", "").entry("policy/patents") == TagEntry(
        "Policy/Patents", "x", ""
    )


def test_a_description_is_empty_for_a_tag_without_one() -> None:
    book = describe(Codebook(), "claim", "what is asserted")
    assert book.description("Claim") == "what is asserted"
    assert book.description("evidence") == ""


def test_moving_a_tag_keeps_its_last_segment_under_the_new_parent() -> None:
    assert moved_name("policy/Patents", "law") == "law/Patents"
    assert moved_name("policy/Patents", "") == "Patents"
    assert moved_name("", "law") == "law"


# ------------------------------------------------------------------ colour meanings


def test_a_colour_is_labelled_with_its_meaning_only_when_it_has_one() -> None:
    book = Codebook(colors={"yellow": "claim"})
    assert book.label("yellow") == "yellow (claim)"
    assert book.label("pink") == "pink"


def test_a_meaning_is_kept_on_one_line_and_listed_in_colour_order() -> None:
    book = Codebook(colors={"pink": "evidence"}).with_meaning("yellow", "  a \n  claim ")
    assert list(book.colors.items()) == [("yellow", "a claim"), ("pink", "evidence")]
    assert book.with_meaning("yellow", " ").colors == {"pink": "evidence"}


def test_a_meaning_of_exactly_the_limit_is_kept_and_one_more_is_refused() -> None:
    assert Codebook().with_meaning("blue", "m" * MAX_MEANING_CHARS).meaning("blue") == (
        "m" * MAX_MEANING_CHARS
    )
    with pytest.raises(CodebookError, match="at most 100 characters"):
        Codebook().with_meaning("blue", "m" * (MAX_MEANING_CHARS + 1))


def test_a_meaning_names_one_colour_and_never_another_colour() -> None:
    book = Codebook(colors={"pink": "Evidence"})
    with pytest.raises(CodebookError, match=r"^pink already means 'evidence'"):
        book.with_meaning("yellow", "evidence")
    with pytest.raises(CodebookError, match="'green' is a colour's name"):
        book.with_meaning("yellow", "green")
    assert book.with_meaning("pink", "pink").meaning("pink") == "pink"  # its own name


def test_storing_an_entry_keeps_the_colour_meanings_and_replaces_any_spelling() -> None:
    book = Codebook(
        {tag_id("Policy"): TagEntry("Policy", "old")}, colors={"yellow": "claim"}
    ).with_entry(TagEntry("policy", "new"))
    assert book == Codebook({"policy": TagEntry("policy", "new")}, colors={"yellow": "claim"})
    assert book.with_entry(TagEntry("POLICY")) == Codebook(colors={"yellow": "claim"})


# ------------------------------------------------------------------ operations on the codebook


def book_of(*entries: TagEntry) -> Codebook:
    return Codebook({tag_id(e.tag): e for e in entries}, colors={"yellow": "claim"})


def test_a_rename_onto_a_described_tag_merges_their_entries_the_target_first() -> None:
    book = book_of(
        TagEntry("Policy/Patents", "about patents", "green"),
        TagEntry("Law/Patents", "", "pink"),
        TagEntry("Other", "x"),
    )
    assert Rename("policy", "law").codebook(book) == book_of(
        TagEntry("Law/Patents", "about patents", "pink"), TagEntry("Other", "x")
    )
    assert Rename("other", "Misc/Other").codebook(book) == book_of(
        TagEntry("Policy/Patents", "about patents", "green"),
        TagEntry("Law/Patents", "", "pink"),
        TagEntry("Misc/Other", "x"),
    )


def test_deleting_a_tag_drops_its_children_s_entries_and_keeps_the_meanings() -> None:
    book = book_of(TagEntry("policy", "p"), TagEntry("policy/patents", "pp"), TagEntry("politics"))
    assert Delete("Policy").codebook(book) == book_of(TagEntry("politics"))


def test_a_revert_restores_what_the_change_touched_and_keeps_what_came_after() -> None:
    before = book_of(TagEntry("a", "old"), TagEntry("b", "same"))
    after = Rename("a", "a2").codebook(before)
    assert after == book_of(TagEntry("a2", "old"), TagEntry("b", "same"))
    done = Retagged(codebook_before=before, codebook_after=after)
    now = Codebook({**after.tags, "c": TagEntry("c", "new")}, colors={"pink": "evidence"})
    assert Revert(done).codebook(now) == Codebook(
        {"b": TagEntry("b", "same"), "c": TagEntry("c", "new"), "a": TagEntry("a", "old")},
        colors={"pink": "evidence"},
    )


def test_what_an_operation_changed_is_told_in_highlights_and_documents() -> None:
    text = "one two three"
    pair = (Annotation.create(text, 0, 3, "a.txt"), Annotation.create(text, 0, 3, "a.txt"))
    done = Retagged(highlights=(pair, pair, pair), documents=(("a.txt", ("x",), ()),))
    assert done.summary() == "3 highlights and 1 document"
    assert Retagged().summary() == "0 highlights and 0 documents"


# ------------------------------------------------------------------ the tree


def test_the_tree_counts_each_tag_with_its_children_and_shows_every_parent() -> None:
    documents = [
        (
            ("Policy",),
            [("policy/patents", "claim"), ("Policy/Patents",), ("Policy/Patents",)],
        ),
        ((), [("Law/Copyright/Fair use", "law-office")]),
        ((), [("claim",), ("claim",)]),
    ]
    book = Codebook(
        {
            "evidence": TagEntry("Evidence", "what backs a claim", "pink"),
            "law/trademarks": TagEntry("Law/Trademarks", "marks"),
        }
    )
    row = TagRow
    assert tag_tree(documents, book) == [
        row("claim", depth=0, highlights=3, documents=2, uses=3),
        row("Evidence", 0, 0, 0, 0, "what backs a claim", "pink"),
        # Used only through its children: spelled as they spell it, parents before children,
        # siblings by segment ("law/..." before "law-office", though "-" sorts before "/").
        row("Law", depth=0, highlights=1, documents=1, uses=0),
        row("Law/Copyright", depth=1, highlights=1, documents=1, uses=0),
        row("Law/Copyright/Fair use", depth=2, highlights=1, documents=1, uses=1),
        row("Law/Trademarks", 1, 0, 0, 0, "marks"),
        row("law-office", depth=0, highlights=1, documents=1, uses=1),
        # The document's own tag and the highlights under it: three highlights, one document.
        row("Policy", depth=0, highlights=3, documents=1, uses=1),
        # The spelling used most wins over the first one seen.
        row("Policy/Patents", depth=1, highlights=3, documents=1, uses=3),
    ]
    assert [r.label for r in tag_tree(documents, book)][:5] == [
        "claim",
        "Evidence",
        "Law",
        "Copyright",
        "Fair use",
    ]


def test_a_tag_only_described_gets_its_parents_in_the_tree() -> None:
    book = Codebook({"media/film/drama": TagEntry("Media/Film/Drama", "plays on screen")})
    assert tag_tree([], book) == [
        TagRow("Media", depth=0, highlights=0, documents=0, uses=0),
        TagRow("Media/Film", depth=1, highlights=0, documents=0, uses=0),
        TagRow("Media/Film/Drama", 2, 0, 0, 0, "plays on screen"),
    ]
