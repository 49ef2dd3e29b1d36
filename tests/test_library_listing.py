"""Opening a folder: the list and the first article are painted, and the article
opened, before the counts arrive.

The opening worker hands over the first article (``FirstTextRead``) and every
document (``LibraryListed``) before it reads the stores for the list's
highlight counts; it waits for each one's frame so the counts' reading does not
delay it. The library with the first article read (``LibraryOpened``) comes
before the counts too: in a folder of thousands, reading every store took
longer than everything before it. The counts arrive with ``LibraryCounted``.
What is shown early is never stale: an article whose bytes changed since its
highlights were anchored is not shown from what the caches hold, even when its
size and time look unchanged.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import ALPHA, Posted, annotate, settle
from textual.widgets import Label, Static

from ipreader.core.model import AnchorStatus, DocumentNotes
from ipreader.core.store import FolderStore, StoredDocument
from ipreader.tui.app import IpreaderApp
from ipreader.tui.first_text import FirstText
from ipreader.tui.messages import FirstTextRead, LibraryCounted, LibraryListed, LibraryOpened
from ipreader.tui.screens.highlights import HighlightsScreen
from ipreader.tui.screens.main import MainScreen
from ipreader.tui.session import Opened, Session
from ipreader.tui.widgets.document_rows import DocumentRows
from ipreader.tui.widgets.metadata_bar import MetadataBar

SIZE = (120, 36)


def rows_text(screen: MainScreen) -> list[str]:
    """The document list's rows as drawn now."""
    rows = screen.document_list.query_one(DocumentRows)
    return [rows.render_line(y).text.strip() for y in range(rows.size.height)]


def sidebar_text(screen: MainScreen) -> list[str]:
    """The sidebar's entries as listed now."""
    rows = screen.sidebar.option_list
    return [rows.entry(i).prompt.plain for i in range(rows.entry_count)]


def list_header(screen: MainScreen) -> str:
    """The line above the document list, as drawn now."""
    header = screen.document_list.query_one("#document-header", Static)
    return header.render_line(0).text.strip()


def header_text(screen: MainScreen) -> list[str]:
    """The two lines of the bar above the reading pane, as drawn now."""
    bar = screen.query_one(MetadataBar)
    return [bar.render_line(y).text.strip() for y in range(bar.size.height)]


async def test_the_list_and_first_article_are_painted_and_opened_before_the_counts_arrive(
    articles: Path, held_counts: threading.Event
) -> None:
    saved = annotate(articles, "alpha.txt", "quick brown fox")
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(400):
            listed, first = posted.of(LibraryListed), posted.of(FirstTextRead)
            if listed and first and listed[0].painted.is_set() and first[0].painted.is_set():
                break
            await pilot.pause(0.05)
        else:
            raise AssertionError("the list and the first article were never painted")
        assert screen.reader.text == ALPHA
        assert [span.id for span in screen.reader.highlights] == [saved.id]
        for _ in range(400):  # the article opens while the counts are still held
            if screen.document is not None and not screen.state.opening:
                break
            await pilot.pause(0.05)
        else:
            raise AssertionError("the first article was not opened before the counts")
        await pilot.pause()
        [opened] = posted.of(LibraryOpened)
        assert not opened.opened.stats
        assert not posted.of(LibraryCounted)
        assert screen.document.relpath == "alpha.txt"
        assert header_text(screen)[0] == "Alpha article"
        assert [line for line in sidebar_text(screen) if "quick brown fox" in line]
        rows = rows_text(screen)
        # The open article's row counts what is on screen; the others wait for the counts.
        assert any(row.startswith("Alpha article") and "1✎" in row for row in rows)
        assert list_header(screen) == "4 articles · counting highlights…"

        held_counts.set()
        await settle(pilot)
        [counted] = posted.of(LibraryCounted)
        assert counted.opened.stats[articles / "alpha.txt"].highlights == 1
        after = rows_text(screen)
        assert any(row.startswith("Alpha article") and "1✎" in row for row in after)
        assert list_header(screen) == "4 articles · by name (s)"
        assert screen.document is not None and screen.document.relpath == "alpha.txt"


async def first_article_open(pilot: Any) -> MainScreen:
    """The main screen once its first article is open (at most ~20 s)."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    for _ in range(400):
        if screen.document is not None and not screen.state.opening:
            return screen
        await pilot.pause(0.05)
    raise AssertionError("the first article was not opened")


async def test_a_highlight_made_while_the_counts_are_read_keeps_its_count(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counts' pass read before the new highlight was saved: its row keeps 1, not 0."""
    held_counts = threading.Event()
    real = FolderStore.stored_documents

    def read_then_held(self: FolderStore, **kwargs: bool) -> dict[str, StoredDocument]:
        stored = real(self, **kwargs)  # read now: the counts it gives are from before the highlight
        held_counts.wait(60)
        return stored

    monkeypatch.setattr(FolderStore, "stored_documents", read_then_held)
    posted = Posted()
    try:
        async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
            screen = await first_article_open(pilot)
            assert screen.document is not None and screen.document.relpath == "alpha.txt"
            screen.reader.focus()
            await pilot.press("v", "right", "right", "right", "a")
            await pilot.pause(0.2)
            assert len(screen.annotations) == 1
            assert not posted.of(LibraryCounted)
            held_counts.set()
            await settle(pilot)
            assert posted.of(LibraryCounted)
            assert screen.stats[articles / "alpha.txt"].highlights == 1
            assert any(row.startswith("Alpha article") and "1✎" in row for row in rows_text(screen))
    finally:
        held_counts.set()  # the opening thread is never left waiting


def test_an_article_changed_behind_an_unchanged_size_and_time_is_not_served_early(
    articles: Path,
) -> None:
    """The caches key on size and time; what is painted early checks the very bytes."""
    saved = annotate(articles, "alpha.txt", "quick brown fox")
    path = articles / "alpha.txt"
    Session([articles]).open()  # the metadata and read caches now hold the folder
    before = os.stat(path)
    changed = ALPHA.replace("quick brown fox", "quick amber fox")
    assert len(changed) == len(ALPHA)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size

    given: list[FirstText] = []
    opened = Session([articles]).open(first_read=given.append)
    assert given == []  # its highlight is re-anchored first, never shown on other bytes
    assert opened.loaded is not None and opened.loaded.text == changed
    [reanchored] = opened.loaded.annotations
    assert reanchored.id == saved.id
    # Kept with its words, and no longer claimed to stand where the old bytes had them.
    assert reanchored.quote == "quick brown fox"
    assert reanchored.status is not AnchorStatus.ANCHORED


def test_the_session_gives_the_library_opened_before_it_reads_every_store_for_the_counts(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = annotate(articles, "alpha.txt", "quick brown fox")
    steps: list[str] = []
    real = FolderStore.stored_documents

    def counted(self: FolderStore, **kwargs: bool) -> dict[str, StoredDocument]:
        steps.append("counts")
        return real(self, **kwargs)

    monkeypatch.setattr(FolderStore, "stored_documents", counted)
    given: list[Opened] = []

    def opened(early: Opened) -> None:
        steps.append("opened")
        given.append(early)

    final = Session([articles]).open(opened=opened)
    assert steps == ["opened", "counts"]
    [early] = given
    assert not early.stats and not early.tag_suggestions
    assert early.first is not None and early.first.relpath == "alpha.txt"
    assert early.loaded is not None and [a.id for a in early.loaded.annotations] == [saved.id]
    assert final.stats[articles / "alpha.txt"].highlights == 1
    assert final.loaded is early.loaded and final.first is early.first
    assert final.documents() == early.documents()


async def test_the_highlights_view_matches_a_documents_own_tags_before_the_counts(
    articles: Path, held_counts: threading.Event
) -> None:
    """The view's ``tag:`` filter matches each document's own tags: gathered with its
    highlights, not taken from the list's counts (still being read here)."""
    saved = annotate(articles, "cjk.txt", "Mixed")
    FolderStore.open(articles).set_document_notes("cjk.txt", DocumentNotes(("japan",), ""))
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        screen = await first_article_open(pilot)
        assert screen.document_list.counting
        screen.reader.focus()
        await pilot.press("h")
        for _ in range(400):
            if isinstance(pilot.app.screen, HighlightsScreen):
                break
            await pilot.pause(0.05)
        else:
            raise AssertionError("the highlights view was not shown")
        view = pilot.app.screen
        assert [a.id for _, a in view.entries] == [saved.id]
        view.apply_filter("tag:japan")
        assert str(view.query_one("#status", Label).render()).startswith("1 of 1 highlight")
        view.apply_filter("tag:korea")
        assert str(view.query_one("#status", Label).render()).startswith("0 of 1 highlight")
        held_counts.set()


async def test_a_row_shows_its_article_as_listed_now_not_as_kept(articles: Path) -> None:
    """A row was redrawn only when its counts changed: a title changed since the last
    listing (an article edited between two opens) stayed as it was kept."""
    from dataclasses import replace

    from ipreader.tui.last_listing import save_listing

    kept = [
        replace(info, title="Old title") if info.relpath == "alpha.txt" else info
        for info in Session([articles]).open().documents()
    ]
    save_listing([articles], kept)
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        await settle(pilot)
        rows = rows_text(screen)
        assert any(row.startswith("Alpha article") for row in rows), rows
        assert not any("Old title" in row for row in rows)
