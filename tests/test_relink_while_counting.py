"""A missing article relinked while the list's counts are still read.

The library opens (its first article shown, the app in use) before every
store is read for the list's counts; a relink in that time changes the
collection's missing articles and the list's rows under the counting thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import Posted, annotate, settle
from textual.pilot import Pilot

from ipreader.tui.app import IpreaderApp
from ipreader.tui.commands import RelinkDocument
from ipreader.tui.messages import LibraryCounted, LibraryOpened, Saved
from ipreader.tui.screens.main import MainScreen
from ipreader.tui.session import Opened, Session

GONE = "Gone article\n\nSomething entirely different here.\n"


def with_a_missing_article(articles: Path) -> None:
    """``gone.txt`` annotated once, then deleted: listed as missing with its highlight."""
    (articles / "gone.txt").write_text(GONE, encoding="utf-8")
    annotate(articles, "gone.txt", "entirely")
    (articles / "gone.txt").unlink()


def test_the_counts_are_read_when_a_missing_article_is_relinked_meanwhile(
    articles: Path,
) -> None:
    with_a_missing_article(articles)
    session = Session([articles])

    def opened(base: Opened) -> None:
        # What the screen does on a relink, once the library is open (drift_flow).
        session.forget_missing(base.library.collections[0].root, "gone.txt")

    counted = session.open(opened=opened)
    assert counted.stats[articles.resolve() / "gone.txt"].highlights == 1


def held_count(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Hold the opening's reading of the list's counts (10 s at most) until the event is set.

    Only that step: opening the folder reads its stores too (a missing article is
    looked for), and the relink in between must run.
    """
    release = threading.Event()
    real = Session._count

    def held(*args: Any) -> Any:
        release.wait(10)
        return real(*args)

    monkeypatch.setattr(Session, "_count", staticmethod(held))
    return release


async def opened_and_counting(pilot: Pilot[Any], posted: Posted) -> MainScreen:
    """The main screen once the library is open (its counts held by ``held_count``)."""
    for _ in range(200):
        if posted.of(LibraryOpened):
            break
        await pilot.pause(0.05)
    screen: MainScreen = pilot.app.main_screen  # type: ignore[attr-defined]
    return screen


async def test_a_relink_before_the_counts_keeps_the_app_and_counts_the_row(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_a_missing_article(articles)
    release = held_count(monkeypatch)
    (articles / "elsewhere.txt").write_text("Elsewhere\n\nNothing alike.\n", encoding="utf-8")
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=(120, 36), message_hook=posted) as pilot:
        screen = await opened_and_counting(pilot, posted)
        root = articles.resolve()
        screen.writer.submit(RelinkDocument(root, "gone.txt", "elsewhere.txt"))
        for _ in range(200):
            if any(isinstance(m.command, RelinkDocument) for m in posted.of(Saved)):
                break
            await pilot.pause(0.05)
        assert not posted.of(LibraryCounted)  # relinked while the counts are held
        release.set()
        await settle(pilot)
        assert pilot.app.is_running and posted.of(LibraryCounted)
        assert [d.relpath for d in screen.documents if d.relpath.endswith(".txt")].count(
            "gone.txt"
        ) == 0
        elsewhere = next(d for d in screen.documents if d.relpath == "elsewhere.txt")
        # Its row counts the relinked highlight, not the nothing the file had when listed.
        assert screen.stats[elsewhere.path].highlights == 1


async def test_the_folder_opened_again_while_counting_opens_after_the_count(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open article gone while the counts are read opens the folder again: the two
    openings ran at once and merged their counts and lists in either order."""
    release = held_count(monkeypatch)
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=(120, 36), message_hook=posted) as pilot:
        screen = await opened_and_counting(pilot, posted)
        screen.loader.open_library()  # as when the open article is found gone
        await pilot.pause(0.3)
        assert len(posted.of(LibraryOpened)) == 1  # waits for the first one's end
        release.set()
        await settle(pilot)
        await settle(pilot)
        order = [type(m).__name__ for m in posted if isinstance(m, LibraryOpened | LibraryCounted)]
        assert order == ["LibraryOpened", "LibraryCounted", "LibraryOpened", "LibraryCounted"]
