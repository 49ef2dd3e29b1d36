"""Snapshots of the main screen on a copy of the seeds with highlights, wide and at 80x24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from ipreader.core.model import AnchorStatus, Annotation, DocumentNotes
from ipreader.core.store import FolderStore
from ipreader.tui.app import IpreaderApp

FIRST = "000_018991988f5c20cb.txt"


@pytest.fixture
def seeds_with_highlights(seeds_copy: Path) -> Path:
    """The seeds copy with three highlights (one with a note and tags) and one orphan."""
    text = (seeds_copy / FIRST).read_text(encoding="utf-8")
    store = FolderStore.open(seeds_copy)

    def make(quote: str, **fields: Any) -> Annotation:
        start = text.index(quote)
        return Annotation.create(text, start, start + len(quote), FIRST, **fields).edited()

    store.save_annotations(
        [
            make("1.4 million patent applications"),
            make(
                "intellectual property protection path with Chinese characteristics",
                color="green",
                note="The [bold]official[/bold] framing.",
                tags=["policy", "IPR"],
            ),
            make("first patent law coming into force in 1985", color="blue"),
            Annotation.create(
                "A sentence that was edited away.", 0, 32, FIRST, color="pink"
            ).edited(status=AnchorStatus.ORPHANED, start=0, end=0),
        ]
    )
    store.set_document_notes(FIRST, DocumentNotes(("china", "wipo"), "Read for the IPR brief."))
    return seeds_copy


async def _steady(pilot: Pilot[None]) -> None:
    """Wait for the library, the document and the pane's wrap; stop cursor blinking."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_main_screen_with_highlights(snap_compare: Any, seeds_with_highlights: Path) -> None:
    app = IpreaderApp(paths=[seeds_with_highlights])
    assert snap_compare(app, terminal_size=(120, 36), run_before=_steady)


def test_main_screen_wide(snap_compare: Any, seeds_with_highlights: Path) -> None:
    app = IpreaderApp(paths=[seeds_with_highlights])
    assert snap_compare(app, terminal_size=(160, 48), run_before=_steady)


def test_main_screen_narrow_opens_on_the_list(
    snap_compare: Any, seeds_with_highlights: Path
) -> None:
    app = IpreaderApp(paths=[seeds_with_highlights])
    assert snap_compare(app, terminal_size=(80, 24), run_before=_steady)


def test_main_screen_narrow_article_then_annotations(
    snap_compare: Any, seeds_with_highlights: Path
) -> None:
    async def open_then_notes(pilot: Pilot[None]) -> None:
        await _steady(pilot)
        await pilot.press("enter", "right_square_bracket", "f3")
        await _steady(pilot)

    app = IpreaderApp(paths=[seeds_with_highlights])
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_then_notes)
