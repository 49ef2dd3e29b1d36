"""The list the last open left: kept in the user's cache, drawn at once by the next open.

``tui/last_listing.py`` keeps what the document list showed; the next open
of the same paths draws it (``LastListing``) while the folders are read, and
the library's own listing replaces it. It is only ever a picture: a file
that is damaged, foreign or hostile is ignored, and an article chosen from
it that is gone is not opened.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import Posted, annotate, held_walk, settle
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Static

import ipreader.core.library as library_module
from ipreader.core.documents import DocumentInfo
from ipreader.core.metadata_cache import MetadataCache
from ipreader.tui.app import IpreaderApp
from ipreader.tui.last_listing import listing_file, load_listing, named_only, save_listing
from ipreader.tui.messages import LastListing, LibraryListed, LibraryOpened
from ipreader.tui.screens.main import MainScreen
from ipreader.tui.session import Session
from ipreader.tui.widgets.document_rows import DocumentRows
from ipreader.tui.widgets.metadata_bar import MetadataBar

SIZE = (120, 36)


def listed(folder: Path) -> list[DocumentInfo]:
    """What the document list of ``folder`` shows, as the library lists it."""
    return Session([folder]).open().documents()


def test_a_listing_comes_back_as_it_was_kept(articles: Path) -> None:
    documents = listed(articles)
    assert any(not info.readable for info in documents)  # nulls and an error kept too
    save_listing([articles], documents)
    kept = load_listing([articles])
    assert kept is not None and kept.documents == documents
    # The same listing again is not rewritten (an open that changed nothing writes nothing).
    before = os.stat(listing_file([articles]))
    save_listing([articles], documents, kept)
    assert os.stat(listing_file([articles])).st_ino == before.st_ino
    save_listing([articles], documents[1:], kept)
    assert os.stat(listing_file([articles])).st_ino != before.st_ino


def test_a_listing_is_kept_per_set_of_paths(articles: Path, tmp_path: Path) -> None:
    save_listing([articles], listed(articles))
    other = tmp_path / "other"
    other.mkdir()
    assert load_listing([other]) is None
    assert load_listing([articles, other]) is None


@given(
    title=st.text(st.characters(codec="utf-8"), min_size=1),
    name=st.from_regex(r"[a-z][a-z0-9 ._-]{0,20}", fullmatch=True),
    date=st.none() | st.just("2024-01-02"),
    words=st.integers(0, 10**9),
)
def test_any_title_and_name_come_back(
    title: str, name: str, date: str | None, words: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("root")
    relpath = f"sub/{name}.txt"
    info = DocumentInfo(
        root / relpath, relpath, root, title, date, words, 1, "ab" * 32, "utf-8", 5, 7, None
    )
    odd = DocumentInfo(root / "x\udcff.txt", "x\udcff.txt", root, "\x1b[31m", None, 0, 0,
                       None, None, 0, 0, "binary file", "Jane", 0)  # fmt: skip
    save_listing([root], [info, odd])
    kept = load_listing([root])
    assert kept is not None and kept.documents == [info, odd]


def kept_lines(folder: Path) -> list[str]:
    """The lines of ``folder``'s listing file."""
    return listing_file([folder]).read_text(encoding="ascii").splitlines()


def rewrite(folder: Path, lines: list[str]) -> None:
    """Replace ``folder``'s listing file with ``lines``."""
    listing_file([folder]).write_text("\n".join(lines) + "\n", encoding="ascii")


def edited_row(folder: Path, field: int, value: Any) -> list[str]:
    """The listing file's lines with ``field`` of its first row set to ``value``."""
    lines = kept_lines(folder)
    rows = json.loads(lines[1])
    rows[0][field] = value
    return [lines[0], json.dumps(rows), *lines[2:]]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda f: [], id="empty"),
        pytest.param(lambda f: [*kept_lines(f)[:1], "[[0, "], id="cut short"),
        pytest.param(lambda f: ['{"version": 99}', *kept_lines(f)[1:]], id="another version"),
        pytest.param(lambda f: ["[]", *kept_lines(f)[1:]], id="header not an object"),
        pytest.param(lambda f: edited_row(f, 4, True), id="a bool for a number"),
        pytest.param(lambda f: edited_row(f, 2, None), id="no title"),
        pytest.param(lambda f: edited_row(f, 1, "../../etc/passwd"), id="relpath out of root"),
        pytest.param(lambda f: edited_row(f, 1, "/etc/passwd"), id="absolute relpath"),
        pytest.param(lambda f: edited_row(f, 0, -1), id="negative root index"),
        pytest.param(lambda f: edited_row(f, 0, 5), id="root index out of range"),
        pytest.param(lambda f: [*kept_lines(f), '{"not": "rows"}'], id="a line not rows"),
    ],
)
def test_a_damaged_or_hostile_listing_is_ignored(articles: Path, damage: Any) -> None:
    save_listing([articles], listed(articles))
    rewrite(articles, damage(articles))
    assert load_listing([articles]) is None


def test_a_listing_that_is_not_a_regular_file_is_ignored(articles: Path) -> None:
    path = listing_file([articles])
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)  # read without blocking, refused
    assert load_listing([articles]) is None
    path.unlink()
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert load_listing([articles]) is None


def rows_text(screen: MainScreen) -> list[str]:
    """The document list's rows as drawn now (empty rows left out)."""
    rows = screen.document_list.query_one(DocumentRows)
    drawn = [rows.render_line(y).text.strip() for y in range(rows.size.height)]
    return [row for row in drawn if row]


def list_header(screen: MainScreen) -> str:
    """The line above the document list, as drawn now."""
    return screen.document_list.query_one("#document-header", Static).render_line(0).text.strip()


async def wait_for(condition: Any, pilot: Any) -> None:
    """Pause until ``condition()`` holds (at most ~10 s)."""
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("never happened")


async def test_the_last_listing_is_drawn_until_the_library_lists_its_own(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)  # the first open keeps its listing
    assert load_listing([articles]) is not None
    (articles / "markup.txt").unlink()
    (articles / "new.txt").write_text("New article\n\nFresh text.\n", encoding="utf-8")

    release = held_walk(monkeypatch)
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        await wait_for(lambda: rows_text(screen), pilot)
        # Last time's rows, while the folder is still read: the header says so.
        assert posted.of(LastListing) and not posted.of(LibraryListed)
        before = rows_text(screen)
        assert any(row.startswith("Markup") for row in before)
        assert not any(row.startswith("New article") for row in before)
        assert list_header(screen).startswith("Opening…")
        # Chosen from last time's rows: it is gone, so it is not what gets opened.
        markup = next(i for i, row in enumerate(before) if row.startswith("Markup"))
        screen.document_list.focus_list()
        for _ in range(markup + 1):  # from no highlighted row
            await pilot.press("down")
        await pilot.press("enter")
        release.set()
        await settle(pilot)
        assert posted.of(LibraryOpened)
        after = rows_text(screen)
        assert any(row.startswith("New article") for row in after)
        assert not any(row.startswith("Markup") for row in after)
        assert list_header(screen) == "4 articles · by name (s)"
        assert screen.document is not None and screen.document.relpath == "alpha.txt"
    # And the new listing is kept for the next open.
    kept = load_listing([articles])
    assert kept is not None and [i.relpath for i in kept.documents] == [
        i.relpath for i in listed(articles)
    ]


async def test_a_first_open_lists_the_files_by_name_while_their_metadata_is_read(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no listing kept, the list stayed empty until every article's metadata was
    read (a second or more in a folder of thousands); the walk already knows the names."""
    assert load_listing([articles]) is None
    release = threading.Event()
    real_infos = MetadataCache.infos

    def held(self: MetadataCache, *args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real_infos(self, *args, **kwargs)

    monkeypatch.setattr(MetadataCache, "infos", held)
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        try:
            screen = await rows_drawn(pilot)
            assert sorted(rows_text(screen)) == ["alpha", "cjk", "markup", "zz-binary"]
            assert list_header(screen).startswith("Opening…")
            assert screen.document is None
        finally:
            release.set()
        await settle(pilot)
        titles = rows_text(screen)
        assert any(row.startswith("Alpha article") for row in titles), titles
        assert not any(row == "alpha" for row in titles)


async def test_the_folder_opened_again_draws_no_rows_by_name(articles: Path) -> None:
    """Opened again (the open article gone): the list is already drawn, and names-only
    rows for every file would be built and thrown away."""
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        assert len(posted.of(LastListing)) == 1  # the first open's rows by name
        pilot.app.main_screen.loader.open_library()
        await settle(pilot)
        assert len(posted.of(LibraryOpened)) == 2
        assert len(posted.of(LastListing)) == 1


def named_rows(root: Path, relpaths: list[str]) -> list[tuple[str, str, Path]]:
    """``named_only``'s relpath, title and root for ``relpaths`` under ``root``."""
    return [(i.relpath, i.title, i.root) for i in named_only(root, [root / r for r in relpaths])]


def test_named_rows_carry_the_relpath_and_the_stem(tmp_path: Path) -> None:
    rows = named_rows(tmp_path, ["a/b/note.md", "plain", ".x"])
    assert rows == [
        ("a/b/note.md", "note", tmp_path),
        ("plain", "plain", tmp_path),
        (".x", ".x", tmp_path),
    ]


def sidebar_text(screen: MainScreen) -> list[str]:
    """The sidebar's entries as listed now."""
    rows = screen.sidebar.option_list
    return [rows.entry(i).prompt.plain for i in range(rows.entry_count)]


async def rows_drawn(pilot: Any) -> MainScreen:
    """The main screen once its list has drawn rows (those of a listing, kept or of names)."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    await wait_for(lambda: rows_text(screen), pilot)
    await pilot.pause()
    return screen


def header_text(screen: MainScreen) -> str:
    """The two lines above the reading pane, as drawn now."""
    bar = screen.query_one(MetadataBar)
    return " / ".join(bar.render_line(y).text.strip() for y in range(bar.size.height))


async def test_no_pane_says_there_is_nothing_while_the_folder_opens(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big folder's last listing is drawn for a second or more before any article: its
    sidebar said "No highlights yet", as if the article about to open had lost them, and
    its header "No article open", as if there were nothing to read."""
    annotate(articles, "alpha.txt", "quick brown fox")
    save_listing([articles], listed(articles))
    release = held_walk(monkeypatch)
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        try:
            screen = await rows_drawn(pilot)
            assert screen.document is None
            waiting = sidebar_text(screen)
            assert waiting and not any("No highlights yet" in line for line in waiting)
            assert header_text(screen).startswith("Opening the folder…")
        finally:
            release.set()
        await settle(pilot)
        assert screen.document is not None and screen.document.relpath == "alpha.txt"
        assert any("quick brown fox" in line for line in sidebar_text(screen))
        assert "Opening the folder" not in header_text(screen)


async def test_an_empty_folder_says_there_is_nothing_once_it_is_open(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    async with IpreaderApp(paths=[empty]).run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        await settle(pilot)
        assert screen.document is None
        assert sidebar_text(screen) == ["No highlights yet. Select text, then press a."]
        assert header_text(screen).startswith("No article open")


async def test_a_failed_open_does_not_leave_the_last_listing_drawn(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_listing([articles], listed(articles))
    from ipreader.core.errors import DocumentError

    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise DocumentError(articles, "the folder cannot be read")

    monkeypatch.setattr(library_module, "discover", fail)
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        await settle(pilot)
        await asyncio.sleep(0)
        assert rows_text(screen) == []
        assert screen.documents == ()


async def test_a_row_moved_to_in_the_last_listing_stays_highlighted_when_it_is_replaced(
    articles: Path, monkeypatch: pytest.MonkeyPatch, held_opening: threading.Event
) -> None:
    save_listing([articles], listed(articles))
    release = held_walk(monkeypatch)
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        await wait_for(lambda: rows_text(screen), pilot)
        screen.document_list.focus_list()
        await pilot.press("down", "down")  # from no row: the first, then the second
        moved = screen.document_list.highlighted_document
        assert moved is not None and moved.relpath == "cjk.txt"
        release.set()
        await wait_for(lambda: posted.of(LibraryListed), pilot)
        await pilot.pause()
        shown = screen.document_list.highlighted_document
        assert shown is not None and shown.relpath == "cjk.txt"
        assert any(shown is d for d in posted.of(LibraryListed)[0].documents)  # its own row
        held_opening.set()
        await settle(pilot)
