"""Pilot tests of drift in the app: review, live reload, conflicts, missing articles, trimming."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import Posted, settle
from shell_folder import QUOTE, SIZE, main, shell_folder, stored
from textual.pilot import Pilot
from textual.widgets import Label, OptionList

from ipreader.core.documents import read_document
from ipreader.core.model import AnchorStatus
from ipreader.core.store import FolderStore
from ipreader.core.text_version import StaleTextError
from ipreader.tui.app import IpreaderApp
from ipreader.tui.messages import DocumentChanged, HighlightsGathered, SaveFailed
from ipreader.tui.screens.conflict import ConflictScreen
from ipreader.tui.screens.editor import AnnotationEditor
from ipreader.tui.screens.highlights import HighlightsScreen
from ipreader.tui.screens.review import ReviewScreen


@pytest.fixture
def folder(tmp_path: Path, app_settings: dict[str, object]) -> Path:
    """One BBC article with one highlight (``QUOTE``) and a second article."""
    return shell_folder(tmp_path)


def edit_file(root: Path, old: str, new: str) -> None:
    path = root / "shell.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


async def wait_for(pilot: Pilot[None], condition: object, seconds: float = 6.0) -> None:
    """Let the app run (its 1 s file watch included) until ``condition()`` holds."""
    assert callable(condition)
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await asyncio.sleep(0.1)
        await pilot.pause()
    raise AssertionError("the app never reached the expected state")


# ------------------------------------------------------------------ review


async def test_review_accepts_a_candidate_and_undo_restores(folder: Path) -> None:
    # Too far from the quote to be re-anchored on its own: the user decides.
    edit_file(folder, "ex-finance chief who stepped down", "former finance head who left")
    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert any("r to review" in notice for notice in posted.notices())
        (before,) = stored(folder)
        assert before.status is not AnchorStatus.ANCHORED
        await pilot.press("r")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, ReviewScreen) and len(review.items) == 1
        candidates = review.query_one("#candidates", OptionList)
        assert candidates.option_count >= 1
        await pilot.press("a")
        await settle(pilot)
        (after,) = stored(folder)
        text = screen.state.text
        assert after.status is AnchorStatus.ANCHORED and after.revision == before.revision + 1
        assert after.quote == text[after.start : after.end]
        assert after.quote.startswith("the former finance head who left") and after.note == "boss"
        if isinstance(pilot.app.screen, ReviewScreen):  # nothing left: a notice, no screen
            await pilot.press("escape")
        await pilot.press("u")
        await settle(pilot)
        (undone,) = stored(folder)
        assert undone.quote == before.quote and undone.revision > after.revision


async def test_review_marks_where_an_approximate_highlight_sits_now(folder: Path) -> None:
    # One word of the quote changed: placed approximately, and offered for review.
    edit_file(folder, "who stepped down from her post", "who stepped away from her post")
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        (fuzzy,) = stored(folder)
        assert fuzzy.status is AnchorStatus.FUZZY
        await pilot.press("r")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, ReviewScreen)
        item = review.item
        candidates = review.query_one("#candidates", OptionList)
        marked = [
            item.places[int(option.id)]
            for option in (
                candidates.get_option_at_index(i) for i in range(candidates.option_count)
            )
            if option.id is not None and " now " in str(option.prompt)
        ]
        # Exactly one candidate is marked, and it is the place the highlight has now.
        assert [(p.start, p.end) for p in marked] == [(fuzzy.start, fuzzy.end)]


async def test_review_gives_an_approximate_highlight_one_number_for_its_place(
    folder: Path,
) -> None:
    # Issue 14: the heading said "approximate, 89" and its place "92 now".
    edit_file(folder, "who stepped down from her post", "who stepped away from her post")
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        (fuzzy,) = stored(folder)
        assert fuzzy.status is AnchorStatus.FUZZY and fuzzy.score is not None
        await pilot.press("r")
        await settle(pilot)
        review = pilot.app.screen
        assert isinstance(review, ReviewScreen)
        number = f"{fuzzy.score:.0f} %"
        heading = str(review.query_one("#item-heading", Label).render())
        assert heading.endswith(f"approximate, {number} alike")
        candidates = review.query_one("#candidates", OptionList)
        count = candidates.option_count
        rows = [str(candidates.get_option_at_index(i).prompt) for i in range(count)]
        (now,) = [row for row in rows if " now " in row]
        assert now.split("now")[0].strip() == number
        label = str(review.query_one("#places-label", Label).render())
        assert "% alike to what was highlighted" in label


async def test_review_deletes_a_lost_highlight_undoably(folder: Path) -> None:
    edit_file(folder, QUOTE, "something else entirely, unrelated words")
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        (lost,) = stored(folder)
        assert lost.status is AnchorStatus.ORPHANED
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
        await pilot.press("d")
        await settle(pilot)
        assert stored(folder) == []
        assert not isinstance(pilot.app.screen, ReviewScreen)
        await pilot.press("u")
        await settle(pilot)
        assert [a.id for a in stored(folder)] == [lost.id]


async def test_review_by_hand_relinks_the_selection(folder: Path) -> None:
    edit_file(folder, QUOTE, "an officer who left her post")
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert pilot.app.screen is screen and screen.state.relinking is not None
        start = screen.state.text.index("an officer")
        screen.reader.select(start - 1, start + len("an officer who left") + 1)  # spaces trimmed
        await pilot.press("a")
        await settle(pilot)
        (relinked,) = stored(folder)
        assert relinked.quote == "an officer who left"
        assert relinked.status is AnchorStatus.ANCHORED and relinked.note == "boss"


# ------------------------------------------------------------------ live reload


async def test_the_open_article_reloads_when_its_file_changes(folder: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        offset = screen.state.text.index("Judy Boynton")
        screen.reader.move_cursor(offset)
        edit_file(folder, "Shell is to pay", "Royal Dutch Shell, the oil giant, is to pay")
        await wait_for(pilot, lambda: posted.of(DocumentChanged))
        await settle(pilot)
        text = screen.state.text
        assert text.startswith("$1m payoff") and "the oil giant" in text
        assert text[screen.reader.cursor :].startswith("Judy Boynton")  # the same text
        (moved,) = screen.state.annotations
        assert text[moved.start : moved.end] == QUOTE
        assert any("changed on disk and was reloaded" in n for n in posted.notices())
        (saved,) = stored(folder)
        assert (saved.start, saved.end) == (moved.start, moved.end)


async def test_the_sidebar_shows_what_an_approximate_highlight_covers_after_a_reload(
    folder: Path,
) -> None:
    """Tried in tmux: after an edit the sidebar said 'now covers “”' (its list not rebuilt)."""
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        edit_file(folder, "stepped down from", "stepped away from")
        await wait_for(pilot, lambda: screen.state.annotations[0].status is AnchorStatus.FUZZY)
        await settle(pilot)
        rows = screen.sidebar.option_list
        shown = " ".join(str(rows.entry(i).prompt) for i in range(rows.entry_count))
        assert "now covers “the ex-finance chief who stepped away from her post”" in shown


async def test_a_highlight_made_on_stale_text_is_saved_on_the_new_text(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        monkeypatch.setattr(screen.loader, "watch", lambda *args: None)  # no reload yet
        start = screen.state.text.index("Judy Boynton")
        edit_file(folder, "Shell is to pay", "The oil giant Shell is to pay")
        screen.reader.select(start, start + len("Judy Boynton"))
        await pilot.press("a")  # made on the text shown, which is no longer the file's
        await settle(pilot)
        (refused,) = posted.of(SaveFailed)
        assert isinstance(refused.error, StaleTextError)
        assert len(stored(folder)) == 1  # nothing saved against the old text
        monkeypatch.undo()
        await wait_for(pilot, lambda: "oil giant" in screen.state.text)
        await wait_for(pilot, lambda: len(stored(folder)) == 2 and not screen.writer.busy)
        text = read_document(folder / "shell.txt").text
        for annotation in stored(folder):
            assert text[annotation.start : annotation.end] == annotation.quote
        assert screen.state.unsaved() == 0


# ------------------------------------------------------------------ conflicts


async def test_an_edit_racing_another_program_shows_both_and_merges(folder: Path) -> None:
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        (original,) = screen.state.annotations
        screen.current_annotation = original.id
        await pilot.press("e")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, AnnotationEditor)
        # Meanwhile another instance changes the same highlight.
        other = FolderStore.open(folder)
        other.save_edit("shell.txt", original.id, original.edited(note="theirs"), base=original)
        editor.query_one("#note").focus()
        await pilot.press("end", *" and mine")
        await pilot.press("ctrl+s")
        await settle(pilot)
        conflict = pilot.app.screen
        assert isinstance(conflict, ConflictScreen)
        assert conflict.conflict.stored is not None and conflict.conflict.stored.note == "theirs"
        assert stored(folder)[0].note == "theirs"  # nothing overwritten yet
        await pilot.press("b")
        await settle(pilot)
        (kept,) = stored(folder)
        assert "theirs" in kept.note and "boss and mine" in kept.note
        assert pilot.app.screen is screen


async def test_a_save_racing_another_program_is_refused_and_kept(folder: Path) -> None:
    """The store's check: the app had not seen the other edit when it saved."""
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        (original,) = screen.state.annotations
        other = FolderStore.open(folder)
        other.save_edit("shell.txt", original.id, original.edited(color="green"), base=original)
        screen.carry_out(screen.state.edit(original.id, "mine", (), "pink"))
        await settle(pilot)
        conflict = pilot.app.screen
        assert isinstance(conflict, ConflictScreen)
        assert stored(folder)[0].color == "green"
        await pilot.press("m")
        await settle(pilot)
        (kept,) = stored(folder)
        assert (kept.note, kept.color) == ("mine", "pink")


async def test_an_unreadable_article_says_so_instead_of_opening_forever(folder: Path) -> None:
    """An annotated article made binary: the sidebar said "Opening the article: reading
    its highlights…" for good after the failure, and must not say "No highlights yet"."""
    (folder / "shell.txt").write_bytes(b"no longer text\x00\x00\x01\x02" * 10)
    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        shell = next(d for d in screen.documents if d.relpath == "shell.txt")
        screen.open_document(shell)
        await settle(pilot)
        assert any("Cannot open" in m or "binary" in m for m in posted.notices())
        rows = screen.sidebar.option_list
        prompts = [str(rows.entry(i).prompt) for i in range(rows.entry_count)]
        assert any("cannot be read" in p for p in prompts)
        assert not any("Opening the article" in p or "No highlights yet" in p for p in prompts)
        screen.open_document(next(d for d in screen.documents if d.relpath == "spam.txt"))
        await settle(pilot)
        prompts = [str(rows.entry(i).prompt) for i in range(rows.entry_count)]
        assert not any("cannot be read" in p for p in prompts)
    assert [a.note for a in stored(folder)] == ["boss"]  # untouched


# ------------------------------------------------------------------ missing, statuses, trimming


async def test_a_missing_article_is_listed_and_its_highlights_readable(folder: Path) -> None:
    (folder / "shell.txt").unlink()
    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        missing = next(d for d in screen.documents if d.relpath == "shell.txt")
        screen.open_document(missing)
        await settle(pilot)
        assert screen.state.missing and [a.note for a in screen.annotations] == ["boss"]
        rows = screen.sidebar.option_list
        prompts = [str(rows.entry(i).prompt) for i in range(rows.entry_count)]
        assert any("Article missing" in p for p in prompts)
        assert any("no longer in its folder" in n for n in posted.notices())
        await pilot.press("h")
        await settle(pilot)
        highlights = pilot.app.screen
        assert isinstance(highlights, HighlightsScreen)
        highlights.apply_filter("status:missing")
        assert highlights.query_one("#results", OptionList).option_count == 1
        highlights.apply_filter("status:fuzzy")
        assert highlights.query_one("#results", OptionList).option_count == 0
        assert posted.of(HighlightsGathered)


async def test_selections_are_trimmed_and_blank_ones_refused(folder: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        text = screen.state.text
        blank = text.index("\n\n")
        screen.reader.select(blank, blank + 2)
        await pilot.press("a")
        await settle(pilot)
        assert any("Only spaces are selected" in n for n in posted.notices())
        assert len(stored(folder)) == 1
        start = text.index("Judy")
        screen.reader.select(start - 1, start + len("Judy Boynton") + 1)
        await pilot.press("a")
        await settle(pilot)
        made = next(a for a in stored(folder) if a.note != "boss")
        assert made.quote == "Judy Boynton" and (made.start, made.end) == (
            start,
            start + len("Judy Boynton"),
        )
        assert replace(made, note="") == made  # a plain new highlight
