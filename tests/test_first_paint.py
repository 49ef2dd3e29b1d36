"""The first article is shown before the library is open, only when what is shown is final.

``Session.open(first_read=...)`` hands over the article most likely opened first
as soon as its store is open (``FirstText``); the main screen paints it, then
opens it from the same read when the library is open. These tests pin when it
is handed over (never with highlights still to be re-anchored or relinked),
that the later open reuses the read only while the file is unchanged, and
that the app shows the text and its highlights before ``LibraryOpened``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import ALPHA, PAST_RACY, Posted, annotate, counted_reads, settle
from textual.events import ScreenResume

from ipreader.core import documents
from ipreader.core.library import Library
from ipreader.core.store import FolderStore
from ipreader.tui import loader as loader_module
from ipreader.tui.app import IpreaderApp
from ipreader.tui.first_text import FirstText
from ipreader.tui.messages import FirstTextRead, LibraryOpened
from ipreader.tui.session import Session


def open_session(*paths: Path) -> tuple[Session, list[FirstText]]:
    """Open a session over ``paths``; return it and what ``first_read`` was given."""
    given: list[FirstText] = []
    session = Session(list(paths))
    session.open(first_read=given.append)
    return session, given


def test_a_named_file_is_handed_over_and_its_read_reused(articles: Path) -> None:
    given: list[FirstText] = []
    opened = Session([articles / "alpha.txt"]).open(first_read=given.append)
    [first] = given
    assert first.path == articles / "alpha.txt"
    assert first.document.text == ALPHA
    assert first.annotations == () and first.position == 0
    assert opened.loaded is not None and opened.first is not None
    assert opened.first.path == first.path
    # The same read, not a second one (a 20 MB text is read, hashed and decoded once).
    assert opened.loaded.text is first.document.text


def test_a_first_open_reads_the_first_article_once(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = counted_reads(monkeypatch)
    opened = Session([articles / "alpha.txt"]).open(first_read=lambda first: None)
    assert opened.loaded is not None and opened.loaded.text == ALPHA
    # Shown, described (metadata) and reconciled from one read of the 20 MB it may be.
    assert reads == [articles / "alpha.txt"]


def test_the_first_article_opens_with_the_highlights_it_was_shown_with(articles: Path) -> None:
    for quote in ("quick brown fox", "lazy dog", "quick"):
        annotate(articles, "alpha.txt", quote)
    time.sleep(PAST_RACY)  # saved earlier: a file written just now is read again
    given: list[FirstText] = []
    opened = Session([articles / "alpha.txt"]).open(first_read=given.append)
    [first] = given
    assert opened.loaded is not None and len(first.annotations) == 3
    # Read again when the library opened, as the same objects: not sorted and indexed
    # a second time (a book's 20,000), and the screen keeps the spans it drew for them.
    assert opened.loaded.annotations is first.annotations


def test_a_folder_hands_over_the_last_read_article_with_its_highlights(articles: Path) -> None:
    annotate(articles, "cjk.txt", "日本")
    store = FolderStore.open(articles)
    store.set_last_document("cjk.txt")
    store.set_reading_position("cjk.txt", 3)
    _, [first] = open_session(articles)
    assert first.path == articles / "cjk.txt"
    assert [a.quote for a in first.annotations] == ["日本"]
    assert first.position == 3


def test_highlights_to_re_anchor_are_not_handed_over(articles: Path) -> None:
    annotate(articles, "alpha.txt", "quick brown fox")
    (articles / "alpha.txt").write_text("New opening line.\n" + ALPHA, encoding="utf-8")
    session, given = open_session(articles / "alpha.txt")
    assert given == []  # shown once re-anchored, with the drift notice
    assert session.library is not None


def test_an_unknown_article_beside_a_vanished_one_is_not_handed_over(articles: Path) -> None:
    annotate(articles, "alpha.txt", "quick brown fox")
    # Renamed: its highlights may move to the new name when the library opens.
    os.rename(articles / "alpha.txt", articles / "a-renamed.txt")
    _, given = open_session(articles)
    assert given == []


def test_two_folders_without_a_last_read_article_wait_for_the_library(
    articles: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.txt").write_text("Another article.\n", encoding="utf-8")
    _, given = open_session(articles, other)
    assert given == []  # either folder's last-read article could come first
    _, [first] = open_session(articles)
    assert first.path == articles / "alpha.txt"  # the first readable by name


def test_a_read_made_before_a_change_is_not_reused(articles: Path) -> None:
    library = Library.open([articles])
    info = next(i for i in library.documents() if i.relpath == "alpha.txt")
    before = library.read(info)
    (articles / "alpha.txt").write_text(ALPHA + "One more line.\n", encoding="utf-8")
    from ipreader.core.documents import read_document

    stale = read_document(articles / "alpha.txt")
    (articles / "alpha.txt").write_text(ALPHA + "Two more lines.\n", encoding="utf-8")
    reading = library.read(info, stale)
    assert reading.text.endswith("Two more lines.\n")
    assert reading.version.sha256 != before.version.sha256 != stale.sha256


async def test_the_app_paints_the_text_and_highlights_before_the_library_is_open(
    articles: Path,
) -> None:
    annotate(articles, "alpha.txt", "quick brown fox")
    [saved] = FolderStore.open(articles).annotations("alpha.txt")
    app = IpreaderApp(paths=[articles / "alpha.txt"])
    shown: list[tuple[str, tuple[str, ...]]] = []
    posted = Posted()

    def hook(message: object) -> None:
        posted(message)  # type: ignore[arg-type]
        if isinstance(message, LibraryOpened) and not shown:
            reader = app.main_screen.reader
            shown.append((reader.text, tuple(span.id for span in reader.highlights)))

    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        await settle(pilot)
        [first_read] = posted.of(FirstTextRead)
        assert first_read.painted.is_set()  # the opening thread went on after the paint
        assert shown == [(ALPHA, (saved.id,))]
        screen = app.main_screen
        # Then opened as usual: the same text, the highlight current-able and saved safely.
        assert screen.text == ALPHA and screen.reader.text is screen.text
        assert [span.id for span in screen.reader.highlights] == [saved.id]
        assert screen.document is not None and screen.document.relpath == "alpha.txt"


async def test_the_opened_article_keeps_the_highlights_its_preview_drew(articles: Path) -> None:
    for quote in ("quick brown fox", "lazy dog"):
        annotate(articles, "alpha.txt", quote)
    time.sleep(PAST_RACY)  # saved earlier: the opening reads the same objects again
    app = IpreaderApp(paths=[articles / "alpha.txt"])
    previewed: list[object] = []
    given_since: list[object] = []  # every value the pane's highlights were given after that

    def hook(message: object) -> None:
        if isinstance(message, LibraryOpened) and not previewed:
            reader = app.main_screen.reader
            previewed.append(reader.highlights)
            reader.watch(reader, "highlights", lambda value: given_since.append(value), init=False)

    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        await settle(pilot)
        screen = app.main_screen
        assert screen.document is not None and len(screen.annotations) == 2
        # The very spans drawn before the library was open, never cleared for the opening
        # and given again (the pane would index a book's 20,000 again).
        [spans] = previewed
        assert screen.reader.highlights is spans and len(screen.reader.highlights) == 2
        assert all(value is spans for value in given_since)  # given again, as it is


async def test_a_line_asked_for_is_where_the_early_paint_already_stands(articles: Path) -> None:
    app = IpreaderApp(paths=[articles / "alpha.txt"], line=3)
    cursors: list[int] = []

    def hook(message: object) -> None:
        if isinstance(message, LibraryOpened) and not cursors:
            cursors.append(app.main_screen.reader.cursor)

    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        await settle(pilot)
        third_line = len("".join(ALPHA.splitlines(keepends=True)[:2]))
        # Painted at line 3 before the library was open, and still there once it is.
        assert cursors == [third_line]
        assert app.main_screen.reader.cursor == third_line


async def test_a_big_first_article_is_wrapped_in_full_once_it_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its full wrap is held while the library opens (it would slow the open's reads);
    # the main screen starts it when the article is open, long before the hold's end.
    from ipreader.tui.reader import pane as pane_module

    monkeypatch.setattr(pane_module, "PREVIEW_INDEX_DELAY", 60.0)
    book = tmp_path / "book.txt"
    book.write_text("\n".join(f"{n} {ALPHA}" for n in range(2000)), encoding="utf-8")
    assert book.stat().st_size > pane_module.SYNC_WRAP_LIMIT
    posted = Posted()
    async with IpreaderApp(paths=[book]).run_test(size=(120, 36), message_hook=posted) as pilot:
        await settle(pilot)
        assert posted.of(FirstTextRead) and posted.of(LibraryOpened)
        pane = pilot.app.query_one(pane_module.ReadingPane)
        for _ in range(200):
            if pane.is_ready:
                break
            await pilot.pause(0.05)
        assert pane.is_ready and pane.index.complete


async def test_the_first_rows_drawn_of_the_first_article_are_wrapped_at_the_asked_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first article is shown at the screen's mount when it was read by then: in
    # the screen's first frame, before the pane's first Resize (which wraps a text
    # loaded later). The first rows drawn must be the text wrapped at the pane's
    # width, around the line asked for, not the one-column placeholder.
    import threading

    from textual.app import ComposeResult
    from textual.message import Message
    from textual.strip import Strip

    from ipreader.tui.reader.pane import ReadingPane
    from ipreader.tui.screens.main import MainScreen

    read = threading.Event()
    real_post = MainScreen.post_message
    real_compose = MainScreen.compose

    def post_message(self: MainScreen, message: Message) -> bool:
        if isinstance(message, FirstTextRead):
            read.set()
        return real_post(self, message)

    def compose_once_read(self: MainScreen) -> ComposeResult:
        # Makes the race deterministic: the opening has read the article by the mount.
        read.wait(10)
        return real_compose(self)

    monkeypatch.setattr(MainScreen, "post_message", post_message)
    monkeypatch.setattr(MainScreen, "compose", compose_once_read)

    lines = [f"line {n:03d} " + "word " * 30 for n in range(300)]
    article = tmp_path / "long.txt"
    article.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows: list[tuple[bool, str]] = []  # (the pane held a text, the row drawn)
    real_render_line = ReadingPane.render_line

    def recorded(self: ReadingPane, y: int) -> Strip:
        strip = real_render_line(self, y)
        rows.append((bool(self.text), strip.text))
        return strip

    monkeypatch.setattr(ReadingPane, "render_line", recorded)
    async with IpreaderApp(paths=[article], line=200).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        width = pilot.app.main_screen.reader.wrap_width
    assert rows[0][0]  # the pane's very first frame already shows the article
    drawn = [row for held, row in rows if held]
    first_frame = drawn[:10]
    assert any(row.startswith("line 200 ") for row in drawn[:40])
    assert all(len(row.rstrip()) <= width for row in first_frame)
    assert all(row.lstrip().startswith(("line", "word")) for row in first_frame)


def screen_styles(app: IpreaderApp) -> list[tuple[str, dict[str, object], dict[str, object]]]:
    """Every node of the main screen: its style rules and its component classes' rules."""
    shown = []
    for node in app.main_screen.walk_children(with_self=True):
        components = {
            name for kind in type(node).__mro__ for name in vars(kind).get("COMPONENT_CLASSES", ())
        }
        rules = {name: node.get_component_styles(name).get_rules() for name in sorted(components)}
        shown.append((repr(node), dict(node.styles.get_rules()), dict(rules)))
    return shown


async def test_the_screen_is_styled_at_its_mount_and_not_again_when_first_shown(
    articles: Path,
) -> None:
    # Textual shows the default screen with a ScreenResume that restyles every node, just
    # after the mount styled them: the main screen's first one does not (10-20 ms of the
    # first frame), and a full pass then changes nothing.
    posted = Posted()
    app = IpreaderApp(paths=[articles])
    async with app.run_test(size=(120, 36), message_hook=posted) as pilot:
        await pilot.pause()
        # The hook sees each message as it is handled: the screen's only resume so far.
        assert [resume.refresh_styles for resume in posted.of(ScreenResume)] == [False]
        shown = screen_styles(app)
        app.main_screen.update_node_styles(animate=False)  # the pass left out
        assert screen_styles(app) == shown


def slow_first_read(monkeypatch: pytest.MonkeyPatch, article: Path, seconds: float) -> list[float]:
    """Make the first read of ``article``'s bytes take ``seconds`` longer (a slow disk);
    the returned list gets the time (``time.monotonic``) that read ended."""
    real_read = documents.read_bytes
    ended: list[float] = []
    slowed: list[Path] = []

    def read_bytes(path: Path, *, limit: int | None = None) -> tuple[bytes, os.stat_result]:
        if Path(path) != article or slowed:
            return real_read(path, limit=limit)
        slowed.append(article)
        time.sleep(seconds)
        try:
            return real_read(path, limit=limit)
        finally:
            ended.append(time.monotonic())

    monkeypatch.setattr(documents, "read_bytes", read_bytes)
    return ended


def first_rows_drawn(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, bool]]:
    """Record, for each row the reading pane draws, when (``time.monotonic``) and whether
    it held a text then."""
    from textual.strip import Strip

    from ipreader.tui.reader.pane import ReadingPane

    rows: list[tuple[float, bool]] = []
    real_render_line = ReadingPane.render_line

    def recorded(self: ReadingPane, y: int) -> Strip:
        rows.append((time.monotonic(), bool(self.text)))
        return real_render_line(self, y)

    monkeypatch.setattr(ReadingPane, "render_line", recorded)
    return rows


def slow_start(
    monkeypatch: pytest.MonkeyPatch, article: Path, *, wait: float, read: float
) -> tuple[IpreaderApp, list[float], list[tuple[float, bool]]]:
    """An app opening ``article``, whose first read takes ``read`` s longer and whose first
    frame waits ``wait`` s at most; when that read ended, and the rows drawn
    (``first_rows_drawn``)."""
    monkeypatch.setattr(loader_module, "FIRST_READ_WAIT", wait)
    ended = slow_first_read(monkeypatch, article, read)
    return IpreaderApp(paths=[article]), ended, first_rows_drawn(monkeypatch)


async def test_the_first_frame_waits_a_moment_for_the_first_article(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read 0.3 s after the start, it is still in the screen's very first frame: the
    # frame is held for it (within FIRST_READ_WAIT), not drawn empty and then again.
    app, ended, rows = slow_start(monkeypatch, articles / "alpha.txt", wait=10.0, read=0.3)
    posted = Posted()
    async with app.run_test(size=(120, 36), message_hook=posted) as pilot:
        await settle(pilot)
        assert posted.of(LibraryOpened)
        assert app.main_screen.reader.text == ALPHA
    [read_at] = ended  # the slowed read was made
    first_drawn_at, held = rows[0]
    assert read_at < first_drawn_at  # the first row waited for it
    assert held  # and was the article's


async def test_the_first_frame_is_not_held_longer_than_the_wait(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An article slower to read than FIRST_READ_WAIT: the screen is drawn without it
    # meanwhile (its list, its panes), and shows it once it is read.
    app, ended, rows = slow_start(monkeypatch, articles / "alpha.txt", wait=0.05, read=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        started = time.monotonic()
        while not rows and time.monotonic() - started < 0.8:
            await pilot.pause(0.02)
        assert rows and not rows[0][1]  # drawn before the article was read
        await settle(pilot)
        assert app.main_screen.reader.text == ALPHA
    [read_at] = ended
    assert rows[0][0] < read_at
    assert rows[-1][1]
