"""The app's opening pauses the cyclic collector (tui/loader.py) and always resumes it.

A full collection while a 10,000-article folder opens held the interpreter
lock for 45-85 ms (the longest input stalls measured), so the opening runs
with the collector paused; a collector left off would let memory grow for
the rest of the session, so these tests pin that it runs again however the
opening ends.
"""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

from conftest import Posted, settle

from ipreader.tui.app import IpreaderApp
from ipreader.tui.messages import LibraryFailed, LibraryOpened


async def test_the_collector_runs_again_once_the_library_is_open(articles: Path) -> None:
    assert gc.isenabled()
    posted = Posted()
    app = IpreaderApp(paths=[articles])
    async with app.run_test(size=(120, 36), message_hook=posted) as pilot:
        await settle(pilot)
        assert posted.of(LibraryOpened)
        assert gc.isenabled()


async def test_the_collector_runs_again_when_the_opening_fails(articles: Path) -> None:
    posted = Posted()
    app = IpreaderApp(paths=[articles])
    shutil.rmtree(articles)  # gone before the opening thread walks it
    async with app.run_test(size=(120, 36), message_hook=posted) as pilot:
        await settle(pilot)
        assert posted.of(LibraryFailed)
        assert gc.isenabled()
