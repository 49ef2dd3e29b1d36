"""The document list's rows (``DocumentRows``) and the list shown before the library is open.

The rows render only what is visible (a 10,000-article folder must not build
10,000 entries on the UI thread), and keep ``OptionList``'s keys: up and
down wrap around, home/end, page up/down, enter and a click choose. The main
screen shows the list as soon as every document is known (``LibraryListed``),
before the stores are read for the counts; an article chosen then opens once
the library is open.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from conftest import Posted, StyledApp, settle
from hypothesis import given
from hypothesis import strategies as st
from textual.app import ComposeResult
from textual.content import Content

from ipreader.core.documents import DocumentInfo
from ipreader.tui.app import IpreaderApp
from ipreader.tui.messages import LibraryListed, LibraryOpened
from ipreader.tui.screens.main import MainScreen
from ipreader.tui.session import DocumentStats
from ipreader.tui.widgets.document_list import (
    Haystacks,
    Prompt,
    filter_documents,
    sort_documents,
)
from ipreader.tui.widgets.document_rows import DocumentRows

SIZE = (120, 36)


class CountedRows(Sequence[Prompt]):
    """``count`` one-line entries, built when asked for; remembers which were asked for."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.asked: set[int] = set()

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> Prompt: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Prompt]: ...
    def __getitem__(self, index: int | slice) -> Prompt | Sequence[Prompt]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if not 0 <= index < self.count:
            raise IndexError(index)
        self.asked.add(index)
        return Prompt(f"Article {index}", [f"{index}✎"])

    def __iter__(self) -> Iterator[Prompt]:
        raise AssertionError("the rows must not walk every entry")


class RowsApp(StyledApp):
    """One ``DocumentRows``, 10 rows high, recording the rows chosen."""

    def __init__(self, rows: Sequence[Prompt]) -> None:
        super().__init__()
        self.rows = rows
        self.chosen: list[int] = []

    def compose(self) -> ComposeResult:
        yield DocumentRows(id="rows")

    def on_mount(self) -> None:
        rows = self.query_one(DocumentRows)
        rows.styles.height = 10
        rows.set_rows(self.rows, 0)
        rows.focus()

    def on_document_rows_selected(self, message: DocumentRows.Selected) -> None:
        self.chosen.append(message.index)


def visible_text(app: RowsApp) -> list[str]:
    rows = app.query_one(DocumentRows)
    return [rows.render_line(y).text.strip() for y in range(rows.size.height)]


async def test_ten_thousand_rows_build_only_the_visible_entries() -> None:
    entries = CountedRows(10_000)
    app = RowsApp(entries)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        rows = app.query_one(DocumentRows)
        assert rows.row_count == 10_000
        assert rows.virtual_size.height == 10_000
        assert visible_text(app)[0].startswith("Article 0")
        assert len(entries.asked) <= 20  # the rows on screen, not 10,000
        await pilot.press("end")
        assert rows.highlighted == 9_999
        assert visible_text(app)[-1].startswith("Article 9999")
        assert len(entries.asked) <= 40


async def test_keys_move_like_an_option_list_and_enter_chooses() -> None:
    app = RowsApp(CountedRows(25))
    async with app.run_test(size=(60, 20)) as pilot:
        rows = app.query_one(DocumentRows)
        await pilot.press("up")  # from the first: the last, as OptionList wraps
        assert rows.highlighted == 24
        await pilot.press("down")
        assert rows.highlighted == 0
        await pilot.press("pagedown")
        assert rows.highlighted == 10  # a page is the rows' height
        await pilot.press("pageup", "pageup")
        assert rows.highlighted == 0
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.chosen == [2]
        await pilot.press("home")
        assert rows.highlighted == 0


async def test_a_click_highlights_and_chooses_the_row_under_it() -> None:
    app = RowsApp(CountedRows(25))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.click(DocumentRows, offset=(3, 4))
        await pilot.pause()
        assert app.query_one(DocumentRows).highlighted == 4
        assert app.chosen == [4]


async def test_replacing_the_rows_keeps_the_highlight_and_shows_the_new_entries() -> None:
    app = RowsApp(CountedRows(25))
    async with app.run_test(size=(60, 20)) as pilot:
        rows = app.query_one(DocumentRows)
        await pilot.press("down", "down", "down")
        renamed = [Prompt(f"Renamed {i}", []) for i in range(25)]
        rows.replace_rows(renamed)
        await pilot.pause()
        assert rows.highlighted == 3
        assert visible_text(app)[0] == "Renamed 0"


async def test_user_text_in_a_row_is_shown_literally() -> None:
    app = RowsApp([Prompt("[red]x[/red] \x1b[31m", [])])
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        line = app.query_one(DocumentRows).render_line(0)
        assert line.text.startswith("[red]x[/red]")
        assert isinstance(app.rows[0].layout(40), Content)


async def until_listed(pilot: Any, posted: Posted) -> None:
    """Wait (at most 20 s) until the list is shown: ``LibraryListed`` handled."""
    for _ in range(400):
        if posted.of(LibraryListed):
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError("the list was never shown")


async def test_the_list_is_shown_before_the_library_is_open(
    articles: Path, held_opening: threading.Event
) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await until_listed(pilot, posted)
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        assert not posted.of(LibraryOpened)
        assert [d.relpath for d in screen.document_list.shown] == [
            "alpha.txt",
            "cjk.txt",
            "markup.txt",
            "zz-binary.txt",
        ]
        header = str(screen.document_list.query_one("#document-header").render())
        assert "4 articles" in header
        held_opening.set()
        await settle(pilot)
        [opened] = posted.of(LibraryOpened)
        assert list(posted.of(LibraryListed)[0].documents) == opened.opened.documents()
        assert screen.document is not None and screen.document.relpath == "alpha.txt"


async def test_an_article_chosen_before_the_library_is_open_opens_with_it(
    articles: Path, held_opening: threading.Event
) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await until_listed(pilot, posted)
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        await pilot.click("#document-options", offset=(3, 1))  # cjk.txt
        await pilot.pause()
        assert screen.document is None  # nothing is open (no key can write) until then
        held_opening.set()
        await settle(pilot)
        assert screen.document is not None and screen.document.relpath == "cjk.txt"
        assert screen.focused is screen.reader


def test_a_filter_matches_the_same_with_its_haystacks_kept_and_sees_new_tags() -> None:
    root = Path("/nowhere")
    documents = [
        DocumentInfo(root / name, name, root, title, None, 10, 1, None, "utf-8", 10, 0, None)
        for name, title in (("a.txt", "Trade talks"), ("b.txt", "Sport"), ("c.txt", "TRADE war"))
    ]
    stats = {root / "b.txt": DocumentStats(highlights=1, tags=("Economy/Trade",))}
    kept: Haystacks = {}
    for query in ("trade", "tag:economy", "tag:ECONOMY/trade war", "sport tag:economy"):
        assert filter_documents(documents, query, stats, kept) == filter_documents(
            documents, query, stats
        )
    assert [d.relpath for d in filter_documents(documents, "trade", stats, kept)] == [
        "a.txt",
        "b.txt",
        "c.txt",
    ]
    # a.txt gains a tag: the kept haystack is rebuilt from the new stats.
    stats = {**stats, root / "a.txt": DocumentStats(tags=("economy",))}
    found = filter_documents(documents, "tag:economy", stats, kept)
    assert [d.relpath for d in found] == ["a.txt", "b.txt"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["/b", "/a", "/a b", "/a/b", "/ä"]),
            st.from_regex(r"[a-c/]{1,4}\.txt", fullmatch=True),
        ),
        max_size=30,
    )
)
def test_by_name_is_by_root_then_relpath(entries: list[tuple[str, str]]) -> None:
    """Grouped by root before sorting: the order of ``(str(root), relpath)`` keys, stable."""
    # Documents of one folder share its root object (as the library makes them).
    roots = {root: Path(root) for root, _ in entries}
    documents = [
        DocumentInfo(
            roots[root] / rel, rel, roots[root], rel, None, 1, 1, None, "utf-8", 1, n, None
        )
        for n, (root, rel) in enumerate(entries)
    ]
    expected = sorted(documents, key=lambda d: (str(d.root), d.relpath))
    assert sort_documents(documents, "name") == expected
