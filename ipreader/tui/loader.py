"""The main screen's background reads: thread workers that report with messages.

Each method starts a worker on the owner (the main screen) that runs the
blocking ``Session`` call and posts one of ``tui/messages.py``'s messages:
opening the library (with progress), reading a document, polling a store for
changes made by another program, gathering every highlight, and exporting
(after the writer's queued writes). The owner's handlers apply the results on
the UI thread; nothing here touches a widget.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker

from ipreader.core.documents import DocumentInfo
from ipreader.core.errors import IpreaderError
from ipreader.core.gc_pause import gc_paused
from ipreader.core.library import Library
from ipreader.core.pacing import BEAT, Gate, paced
from ipreader.core.text_version import TextVersion
from ipreader.tui.first_text import FirstText
from ipreader.tui.heap import HEAP
from ipreader.tui.last_listing import load_listing, named_only, save_listing
from ipreader.tui.messages import (
    DocumentChanged,
    DocumentFailed,
    DocumentGone,
    DocumentLoaded,
    Exported,
    ExportFailed,
    FirstTextRead,
    HeadingsFound,
    HighlightsGathered,
    LastListing,
    LibraryCounted,
    LibraryFailed,
    LibraryListed,
    LibraryOpened,
    ListChanged,
    OpeningProgress,
    ReviewGathered,
    StoreChanged,
)
from ipreader.tui.session import Opened, Session, Token
from ipreader.tui.writer import Writer

if TYPE_CHECKING:
    from ipreader.tui.list_watch import ListWatch

#: Modules the start leaves out (tests/test_start_imports.py) that opening the first
#: article needs at once: the opening thread imports them before ``LibraryOpened``.
AFTER_THE_PAINT = ("ipreader.tui.commands", "ipreader.tui.codebook_state", "ipreader.tui.undo")

#: Seconds between two progress reports while the library opens.
PROGRESS_INTERVAL = 0.1

#: At most this many seconds the opening waits for the first article's paint, and the list's.
FIRST_PAINT_WAIT = 1.0

#: At most this many seconds the screen's first frame waits for the first article
#: (``Loader.first_read_known``): the seeds' is read in ~0.01-0.05 s.
FIRST_READ_WAIT = 0.1


class Loader:
    """Runs the session's blocking reads in thread workers of ``owner``."""

    def __init__(self, owner: Widget, session: Session, writer: Writer) -> None:
        """Report to ``owner``; polls and exports wait for ``writer`` where they must."""
        self._owner = owner
        self._session = session
        self._writer = writer
        self._poll: Worker[None] | None = None
        self._watch: Worker[None] | None = None
        self._list_check: Worker[None] | None = None
        self._list_watch: ListWatch | None = None  # made at the first check
        self._opened_before = False  # the last listing is drawn on the first open only
        self._first_read: FirstTextRead | None = None  # see take_first_read
        self._first_known: asyncio.Event | None = None  # see first_read_known
        self._opening = False  # an opening runs (see open_library)
        self._open_again = False  # asked for while one ran: starts when it ends

    def open_library(self) -> None:
        """Open the library; posts ``LastListing`` when the last open of these paths left a
        list, ``FirstTextRead`` when the first article can be shown before the library is
        open, ``OpeningProgress``, ``LibraryListed`` once every document is known, then
        ``LibraryOpened`` with the first document read (or ``LibraryFailed``), then
        ``LibraryCounted`` once every store is read; then keeps the list for the next
        open.

        The opening steps aside while the event loop is behind (``core.pacing``):
        from the owner's mount a timer beats for it until it ends, so keys and
        frames go first (before the mount it overlaps the app's start-up: measured,
        the last listing is then read before the first frame, and the 10k folder's
        paint came 0.03-0.04 s sooner than with beats from the start). The cyclic
        garbage collector is paused meanwhile (see ``_open_paced``).

        One opening at a time: asked for while one runs (the open article gone
        while the list's counts are read), it starts when that one has ended.
        Two at once would merge their counts and lists in either order."""
        if self._opening:
            self._open_again = True
            return
        self._opening = True
        gate = Gate()
        loop = asyncio.get_running_loop()
        known = self._first_known = asyncio.Event()

        def say_known() -> None:
            # The app may have quit meanwhile (its loop closed): then nothing waits.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(known.set)

        def start_beating() -> None:
            if not gate.closed:
                self._beat(gate)

        self._owner.call_later(start_beating)

        def open_paced() -> None:
            try:
                self._open_paced(gate, say_known)
            finally:
                gate.close()
                say_known()  # no first article before the end (or the opening failed)
                # After this opening's messages: the next one starts once they are handled.
                with contextlib.suppress(RuntimeError):  # the app has quit meanwhile
                    loop.call_soon_threadsafe(self._owner.call_later, self._opening_ended)

        self._owner.run_worker(
            open_paced, group="library", description="open the library", thread=True
        )

    def _opening_ended(self) -> None:
        """Start the opening asked for while the last one ran, if any."""
        self._opening = False
        if self._open_again:
            self._open_again = False
            self.open_library()

    def _beat(self, gate: Gate) -> None:
        """Beat ``gate`` now and every ``BEAT`` seconds from the event loop until it closes
        (its work in a thread steps aside whenever a beat is late: ``core.pacing``)."""
        gate.beat()
        timers: list[Timer] = []

        def beat() -> None:
            if gate.closed:
                timers[0].stop()
            else:
                gate.beat()

        timers.append(self._owner.set_interval(BEAT, beat))

    def _open_paced(self, gate: Gate, first_known: Callable[[], None]) -> None:
        # The opening makes ~100,000 objects (10,000 articles' paths, infos, records),
        # and each time enough have survived CPython walks every object in a full
        # collection: 45-85 ms holding the interpreter lock, the longest input stalls
        # measured while a 10,000-article folder opened. Nothing it makes is cyclic,
        # so the collector waits for its end (``gc_paused``, process-wide). What it
        # leaves alive (the library, the listing) lives as long as the app: it is
        # frozen (``tui/heap.py``) before the collector resumes, or the first young
        # collection would walk all of it at once (41-98 ms measured) and later full
        # ones again; frozen as acyclic, so no opening of an article collects it.
        with gc_paused():
            try:
                with paced(gate):
                    self._open_library(first_known)
            finally:
                HEAP.settle(acyclic=True)

    def _open_library(self, first_known: Callable[[], None]) -> None:
        last_report = 0.0
        opened_paths = list(self._session.paths)
        # Drawn at once: walking the folders and looking up every article's metadata
        # takes most of a second with thousands of articles.
        again = self._opened_before
        last = None if again else load_listing(opened_paths)
        self._opened_before = True
        if last is not None:
            self._owner.post_message(LastListing(tuple(last.documents)))

        def progress(done: int, total: int) -> None:
            nonlocal last_report
            now = time.monotonic()
            if now - last_report >= PROGRESS_INTERVAL or done == total:
                last_report = now
                self._owner.post_message(OpeningProgress(done, total))

        def first_read(first: FirstText) -> None:
            message = FirstTextRead(first)
            self._first_read = message  # set before it is posted: see take_first_read
            self._owner.post_message(message)
            first_known()
            # The rest of the opening (metadata, relink, reconcile: pure Python) would
            # take turns with the first paint for the GIL: it waits for the paint.
            message.painted.wait(FIRST_PAINT_WAIT)

        def listed(documents: list[DocumentInfo]) -> None:
            message = LibraryListed(tuple(documents))
            self._owner.post_message(message)
            # Reading the stores for the counts (pure Python) would take turns with the
            # list's first frame for the GIL: like the first article, it waits for it.
            message.painted.wait(FIRST_PAINT_WAIT)

        def library_opened(opened: Opened) -> None:
            # What the screen's LibraryOpened handler needs and the start did not import (the
            # commands it submits, the codebook's state it shows) is imported here, after
            # the paint: imported by the UI thread while this one reads the stores, each
            # file an import reads would wait for the GIL (tens of ms per module, 10k folder).
            for module in AFTER_THE_PAINT:
                importlib.import_module(module)
            self._owner.post_message(LibraryOpened(opened))

        named: list[DocumentInfo] = []

        def walked(root: Path, files: list[Path]) -> None:
            # A first open (no listing kept): the files' names are drawn while every
            # article's metadata is read, most of a second in a folder of thousands.
            named.extend(named_only(root, files))
            self._owner.post_message(LastListing(tuple(named)))

        try:
            # Opened again (an open article gone), the list is drawn: no rows by name.
            counted = self._session.open(
                progress, first_read, listed, library_opened, None if last or again else walked
            )
        except IpreaderError as error:
            self._owner.post_message(LibraryFailed(error))
            return
        self._owner.post_message(LibraryCounted(counted))
        save_listing(opened_paths, counted.documents(), last)

    async def first_read_known(self) -> None:
        """Return once the opening has read the first article (``take_first_read`` then
        has it) or has ended without one, or after ``FIRST_READ_WAIT``, whichever is first.

        Awaited by the screen's mount, this holds its first frame (not the event
        loop) for the article: measured on the seeds, a frame drawn without it was
        drawn again once it came, and the opening thread, which reads the article,
        took turns with that frame for the interpreter lock (paired start-up
        rounds: the first paint 3-7 % sooner, in as much less CPU; ``bench/RESULTS.md``).
        """
        known = self._first_known
        if known is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(known.wait(), FIRST_READ_WAIT)

    def take_first_read(self) -> FirstTextRead | None:
        """The opening's ``FirstTextRead`` if it was posted already, once (then None).

        The owner can show it when it mounts, in its first frame, rather than after
        that frame: its queue holds Textual's screen resume, which lays out and
        paints, before the message. Taking it drops the loader's reference to the
        article's text (a 20 MB book stays in memory only while it is shown).
        """
        first, self._first_read = self._first_read, None
        return first

    def load(self, info: DocumentInfo, serial: int) -> None:
        """Read ``info``; posts ``DocumentLoaded`` or ``DocumentFailed``."""

        def load() -> None:
            try:
                self._owner.post_message(DocumentLoaded(serial, self._session.load(info)))
            except IpreaderError as error:
                self._owner.post_message(DocumentFailed(serial, info, error))

        self._owner.run_worker(
            load, group="load", description="read a document", thread=True, exclusive=True
        )

    def poll(self, info: DocumentInfo, serial: int, known: Token | None) -> None:
        """Post ``StoreChanged`` if ``info``'s store changed since ``known`` (one poll at once)."""
        if self._poll is not None and self._poll.is_running:
            return

        def poll() -> None:
            # Under the writer's lock, and posted before releasing it: this result then
            # reaches the owner before the report of any write that runs after the read.
            with self._writer.lock:
                polled = self._session.read_changes(info, known)
                if polled is not None:
                    self._owner.post_message(StoreChanged(serial, polled))

        self._poll = self._owner.run_worker(
            poll, group="poll", description="check for changes by other programs", thread=True
        )

    def watch_list(self, library: Library) -> None:
        """Post ``ListChanged`` when articles were added to or removed from ``library``'s
        folders, or their stores changed (one check at once; ``tui/list_watch.py``)."""
        if self._list_check is not None and self._list_check.is_running:
            return
        if self._list_watch is None:
            from ipreader.tui.list_watch import ListWatch

            self._list_watch = ListWatch(self._session.paths)
            # The app's own writes change the stores' tokens too: they alone would have the
            # whole store read again (~0.4-0.8 s at 10,000 articles) for counts the list
            # already follows (the open article's row, the recounted ones).
            self._writer.wrote = self._list_watch.wrote
        watch = self._list_watch
        # Paced as the opening is: re-reading a store of 10,000 articles holds the
        # interpreter lock for most of a second, and keys and frames go first.
        gate = Gate()
        self._beat(gate)

        def check() -> None:
            try:
                with paced(gate):
                    change = watch.check(library)
            finally:
                gate.close()
            if change:
                self._owner.post_message(ListChanged(change))

        self._list_check = self._owner.run_worker(
            check, group="list", description="check the folders for new articles", thread=True
        )

    def find_headings(self, text: str, serial: int, still_open: Callable[[], bool]) -> None:
        """Find the headings of ``text``; posts ``HeadingsFound`` unless ``still_open()`` fails."""

        def find() -> None:
            from ipreader.core.headings import find_headings

            headings = find_headings(text, should_stop=lambda: not still_open(), cooperative=True)
            if headings is not None:
                self._owner.post_message(HeadingsFound(serial, headings))

        self._owner.run_worker(
            find, group="headings", description="find headings", thread=True, exclusive=True
        )

    def watch(self, info: DocumentInfo, serial: int, version: TextVersion) -> None:
        """Post ``DocumentChanged`` when ``info``'s file is no longer ``version`` (one at once).

        A ``stat`` while nothing changed; ``DocumentGone`` when the file went away.
        """
        if self._watch is not None and self._watch.is_running:
            return

        def watch() -> None:
            try:
                loaded = self._session.read_if_changed(info, version)
            except IpreaderError as error:
                self._owner.post_message(DocumentGone(serial, error))
                return
            if loaded is not None:
                self._owner.post_message(DocumentChanged(serial, loaded))

        self._watch = self._owner.run_worker(
            watch, group="watch", description="check the open article for changes", thread=True
        )

    def gather_review(self, only: DocumentInfo | None) -> None:
        """Gather what needs review in ``only`` (or everywhere); posts ``ReviewGathered``."""

        def gather() -> None:
            self._writer.wait_until_idle()  # relinks and deletions just made are seen
            items = self._session.gather_review(only)
            self._owner.post_message(ReviewGathered(items, only is None))

        self._owner.run_worker(
            gather, group="review", description="gather highlights to review", thread=True
        )

    def gather_highlights(self) -> None:
        """Read every stored highlight; posts ``HighlightsGathered``."""

        def gather() -> None:
            self._owner.post_message(HighlightsGathered(self._session.gather_highlights()))

        self._owner.run_worker(
            gather, group="highlights", description="read every highlight", thread=True
        )

    def export(
        self, library: Library, fmt: str, path: Path, only: Collection[Path] | None = None
    ) -> None:
        """Export to ``path`` after the queued writes; posts ``Exported`` or ``ExportFailed``.

        ``only`` limits the export to those documents (absolute paths). The format
        and folder are remembered in the settings for the next export.
        """

        def export() -> None:
            from ipreader.core.export import export_bytes
            from ipreader.core.output import write_output
            from ipreader.core.settings import update_settings

            self._writer.wait_until_idle()  # the export then includes every queued change
            try:
                # The file's bytes: UTF-8 text, or the REFI-QDA project's zip (qdpx). Written
                # as the command line's -o writes (never into a store's folder).
                write_output(path, export_bytes(library, fmt, only=only))
            except (IpreaderError, OSError) as error:
                self._owner.post_message(ExportFailed(path, error))
                return
            with contextlib.suppress(IpreaderError, OSError):
                # Remembered for the next export; not worth a message when it fails.
                update_settings(export_format=fmt, export_folder=str(path.parent))
            self._owner.post_message(Exported(fmt, path))

        self._owner.run_worker(export, group="export", description="export", thread=True)
