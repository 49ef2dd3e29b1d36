"""Snapshots of the main screen on a copy of the seeds with highlights, wide and at 80x24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from ipreader.core.documents import read_document
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
    # Anchored against this very text (as the app leaves them): opening it re-anchors nothing.
    document = read_document(seeds_copy / FIRST)
    store.reconcile(FIRST, document.sha256, document.text)
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


def test_hard_wrapped_book_reflowed(snap_compare: Any, tmp_path: Path, app_settings: Any) -> None:
    """A book hard-wrapped at 70 columns, shown in a wider pane: paragraphs, not a comb."""
    words = [
        "Well,",
        "Prince,",
        "so",
        "Genoa",
        "and",
        "Lucca",
        "are",
        "now",
        "just",
        "family",
        "estates",
        "of",
        "the",
        "Buonapartes.",
        "But",
        "I",
        "warn",
        "you,",
        "if",
        "you",
        "don't",
        "tell",
        "me",
        "that",
        "this",
        "means",
        "war,",
        "if",
        "you",
        "still",
        "try",
        "to",
        "defend",
        "the",
        "infamies",
        "and",
        "horrors",
        "perpetrated",
        "by",
        "that",
        "Antichrist,",
        "I",
        "will",
        "have",
        "nothing",
        "more",
        "to",
        "do",
        "with",
        "you.",
    ]
    lines, line = [], ""
    for word in words * 6:
        if len(line) + 1 + len(word) > 70:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    half = len(lines) // 2
    body = "\n".join(lines[:half]) + "\n\n" + "\n".join(lines[half:])
    book = tmp_path / "war-and-peace.txt"
    book.write_text(f"BOOK ONE: 1805\n\nCHAPTER I\n\n{body}\n", encoding="utf-8")
    app = IpreaderApp(paths=[book])
    assert snap_compare(app, terminal_size=(120, 30), run_before=_steady)
