"""The notice channel and the wording helpers shared by the CLI and the app."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from ipreader.core.notices import MAX_NOTICES, Notices
from ipreader.core.wording import excerpt, excerpts, plural, some_of


def test_notices_are_delivered_once_in_order() -> None:
    notices = Notices()
    notices.add("one")
    notices.add("two")
    notices.add("one")
    assert notices.take() == ["one", "two"]
    assert notices.take() == []
    notices.add("two")
    notices.add("three")
    assert notices.take() == ["three"]
    assert notices.all() == ["one", "two", "three"]


def test_a_flood_of_notices_is_bounded_and_summarised() -> None:
    notices = Notices()
    for number in range(MAX_NOTICES + 5):
        notices.add(f"message {number}")
    taken = notices.take()
    assert len(taken) == MAX_NOTICES + 1
    assert taken[-1] == "5 more messages left out"


def test_counts_are_pluralised() -> None:
    assert plural(1, "highlight") == "1 highlight"
    assert plural(0, "highlight") == "0 highlights"
    assert plural(1204, "file") == "1,204 files"
    assert plural(2, "entry", "entries") == "2 entries"


def test_excerpts_are_cut_at_a_word_boundary() -> None:
    assert excerpt("short text", 40) == "short text"
    cut = excerpt("the Foreign Secretary David Lammy said on Monday", 30)
    assert cut == "the Foreign Secretary David…"
    assert len(cut) <= 30
    assert excerpt("a" * 50, 10) == "a" * 9 + "…"


def test_a_notice_names_five_files_and_counts_the_rest() -> None:
    assert some_of([]) == ""
    assert some_of(["a", "b"]) == "a, b"
    assert some_of([str(n) for n in range(5)]) == "0, 1, 2, 3, 4"
    assert some_of([str(n) for n in range(7)]) == "0, 1, 2, 3, 4 and 2 more"


@given(
    st.lists(st.text(alphabet="ab ,;:.-\t\n\u3000é漢", max_size=40), max_size=8),
    st.integers(0, 30),
)
@example(["the Foreign Secretary David Lammy said on Monday", "", "  "], 30)
def test_excerpts_of_many_texts_are_each_ones_excerpt(texts: list[str], limit: int) -> None:
    assert excerpts(texts, limit) == [excerpt(text, limit) for text in texts]
