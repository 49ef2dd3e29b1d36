"""Pilot tests of the faults a user's trial in tmux found (bench/RESULTS.md, stop 27)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import Posted, settle
from shell_folder import ARTICLE, QUOTE, SIZE, main, shell_folder, stored
from textual.pilot import Pilot

from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.tui.app import IpreaderApp
from ipreader.tui.screens.confirm import ConfirmScreen, unsaved_question
from ipreader.tui.screens.conflict import ConflictScreen
from ipreader.tui.screens.main import MainScreen


@pytest.fixture
def folder(tmp_path: Path, app_settings: dict[str, object]) -> Path:
    """One BBC article with one highlight (``QUOTE``, note "boss") and a second article."""
    return shell_folder(tmp_path)


# ------------------------------------------------------------------ undo after a conflict


async def race(pilot: Pilot[None], folder: Path, choice: str) -> MainScreen:
    """Edit the highlight's note while another program changed it; settle with ``choice``."""
    await settle(pilot)
    screen = main(pilot)
    (original,) = screen.state.annotations
    other = FolderStore.open(folder)
    other.save_edit("shell.txt", original.id, original.edited(note="theirs"), base=original)
    screen.carry_out(screen.state.edit(original.id, "boss and mine", (), original.color))
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConflictScreen)
    await pilot.press(choice)
    await settle(pilot)
    assert pilot.app.screen is screen
    return screen


async def test_undo_after_keeping_both_puts_the_other_programs_version_back(
    folder: Path,
) -> None:
    """It undid the edit made before the conflict, from the refused version: "Undid the
    edit …", then a second conflict dialog, nothing written."""
    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        screen = await race(pilot, folder, "b")
        (kept,) = stored(folder)
        assert "theirs" in kept.note and "boss and mine" in kept.note
        await pilot.press("u")
        await settle(pilot)
        assert pilot.app.screen is screen  # no second conflict
        (undone,) = stored(folder)
        assert undone.note == "theirs"
        assert [a.note for a in screen.state.annotations] == ["theirs"]
        assert screen.state.unsaved() == 0
        assert posted.notices()[-1].startswith("Undid the edit of")
        await pilot.press("u")
        await settle(pilot)
        assert posted.notices()[-1] == "Nothing to undo."
        assert stored(folder)[0].note == "theirs"


async def test_undo_after_keeping_mine_puts_the_other_programs_version_back(
    folder: Path,
) -> None:
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        screen = await race(pilot, folder, "m")
        assert stored(folder)[0].note == "boss and mine"
        await pilot.press("u")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert stored(folder)[0].note == "theirs"


async def test_after_keeping_theirs_there_is_no_edit_to_undo(folder: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        screen = await race(pilot, folder, "t")
        await pilot.press("u")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert posted.notices()[-1] == "Nothing to undo."
        assert stored(folder)[0].note == "theirs"


# ------------------------------------------------------------------ the find bar


async def test_one_escape_closes_the_find_bar_with_a_match_selected(folder: Path) -> None:
    """It took two: the first dropped the selected match, the second closed the bar."""
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("slash", *"reserves", "enter")
        await settle(pilot)
        selected = screen.reader.selection
        assert selected is not None and selected in screen.matches
        assert screen.focused is screen.reader
        await pilot.press("escape")
        assert not screen.has_class("-finding")
        assert screen.matches == ()
        # The match stays selected (a then highlights it); the next escape drops it.
        assert screen.reader.selection == selected
        await pilot.press("escape")
        assert screen.reader.selection is None


async def test_escape_drops_a_selection_of_ones_own_before_closing_the_find_bar(
    folder: Path,
) -> None:
    """A selection the user made is not a match: the first escape drops it, as before."""
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("slash", *"reserves", "enter")
        await settle(pilot)
        start, end = screen.matches[0]
        screen.reader.select(start, end + 4)  # the match and a little more
        await pilot.press("escape")
        assert screen.reader.selection is None
        assert screen.has_class("-finding")
        await pilot.press("escape")
        assert not screen.has_class("-finding")


# ------------------------------------------------------------------ quitting with unsaved changes


async def test_the_quit_question_names_the_change_and_staying_saves_it_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said "1 change could not be saved ... they are lost", and staying did nothing."""

    def refuse(self: FolderStore, annotations: object) -> None:
        raise StoreWriteError("disk full")

    posted = Posted()
    app = IpreaderApp(paths=[folder])
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        (original,) = screen.state.annotations
        monkeypatch.setattr(FolderStore, "save_annotations", refuse)
        screen.carry_out(screen.state.edit(original.id, "new note", (), original.color))
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert question.startswith("1 change could not be saved: the edit of “the ex-finance")
        assert "If you quit now, it is lost." in question
        assert "they are" not in question
        assert "n stay and try saving again" in app.screen.answers
        monkeypatch.undo()  # the disk has room again
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and app.is_running
        assert screen.state.unsaved() == 0
        assert stored(folder)[0].note == "new note"
        assert any("Trying again to save 1 change" in m for m in posted.notices())
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code in (None, 0)


def test_the_quit_question_counts_changes_past_three_and_says_they() -> None:
    changes = [f"the edit of “q{n}”" for n in range(5)]
    question = unsaved_question(changes)
    assert question.startswith(
        "5 changes could not be saved: the edit of “q0”, the edit of “q1”, the edit of “q2” "
        "and 2 more. If you quit now, they are lost."
    )
    assert "they are tried again" in question


# ------------------------------------------------------------------ an unreadable article


def sidebar_prompts(screen: MainScreen) -> list[str]:
    rows = screen.sidebar.option_list
    return [str(rows.entry(i).prompt) for i in range(rows.entry_count)]


async def test_an_unreadable_articles_highlights_are_counted_not_listed_as_placed(
    folder: Path,
) -> None:
    """The trial: a second after opening, the stored highlights were listed against empty
    text, under "its highlights, if any, stay stored"."""
    (folder / "shell.txt").write_bytes(b"no longer text\x00\x00\x01\x02" * 10)
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)  # the last article read, shell.txt, is opened and fails
        screen = main(pilot)
        assert screen.state.document is not None
        assert screen.state.document.relpath == "shell.txt"
        for when in ("at once", "after a poll"):
            prompts = sidebar_prompts(screen)
            assert len(prompts) == 1, when
            assert prompts[0].startswith("The article cannot be read: binary"), when
            assert "It keeps 1 highlight, stored untouched" in prompts[0], when
            assert not any(QUOTE[:20] in p for p in prompts), when
            screen.check_for_changes()  # the poll that brought the stored highlights
            await settle(pilot)
        assert [a.note for a in screen.state.annotations] == ["boss"]  # kept, not listed
        assert [a.note for a in stored(folder)] == ["boss"]


# ------------------------------------------------------------------ a live document list


async def test_the_list_follows_articles_added_removed_and_counts_imported(
    folder: Path, tmp_path: Path
) -> None:
    """Files added or removed while the app ran, and an ``ipreader import`` from the command
    line, showed only at the next start."""
    from ipreader.core.export import export_data
    from ipreader.core.importer import import_file
    from ipreader.core.library import Library

    async with IpreaderApp(paths=[folder]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        spam = next(d for d in screen.documents if d.relpath == "spam.txt")
        screen.document_list.highlight(spam)
        screen.check_the_list()  # the first check notes what is there
        await settle(pilot)

        shutil.copy(ARTICLE, folder / "aaa.txt")  # sorted above the highlighted row
        (folder / "sub").mkdir()
        shutil.copy(ARTICLE, folder / "sub" / "new.txt")
        screen.check_the_list()
        await settle(pilot)
        listed = sorted(d.relpath for d in screen.documents)
        assert listed == ["aaa.txt", "shell.txt", "spam.txt", "sub/new.txt"]
        assert screen.document_list.highlighted_document == spam  # the row did not move
        assert screen.stats[folder.resolve() / "aaa.txt"].highlights == 0

        # An export of the other folder's highlights, imported from the command line.
        other = tmp_path / "other"
        other.mkdir()
        shutil.copy(folder / "spam.txt", other / "spam.txt")
        text = (other / "spam.txt").read_text()
        FolderStore.open(other).save_annotations(
            [
                Annotation.create(text, 10, 20, "spam.txt"),
                Annotation.create(text, 30, 40, "spam.txt"),
            ]
        )
        exported = tmp_path / "export.json"
        exported.write_text(json.dumps(export_data(Library.open([other]))))
        assert import_file(exported, folder).added == 2
        new = (folder / "sub" / "new.txt").read_text()
        FolderStore.open(folder).save_annotation(Annotation.create(new, 0, 5, "sub/new.txt"))
        (folder / "aaa.txt").unlink()  # removed: nothing stored for it
        (folder / "sub" / "new.txt").unlink()  # removed, but it keeps a highlight: listed
        screen.check_the_list()
        await settle(pilot)
        listed = sorted(d.relpath for d in screen.documents)
        assert listed == ["shell.txt", "spam.txt", "sub/new.txt"]
        assert screen.stats[spam.path].highlights == 2
        assert screen.stats[folder.resolve() / "sub" / "new.txt"].highlights == 1
        assert screen.document_list.highlighted_document == spam


async def test_the_apps_own_writes_do_not_have_the_store_read_again_for_the_list(
    folder: Path,
) -> None:
    """Every save changes the store's token: the list's check would read the whole store
    (most of a second at 10,000 articles) after each one."""
    from ipreader.tui.messages import ListChanged

    posted = Posted()
    async with IpreaderApp(paths=[folder]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        screen.check_the_list()  # the first check notes what is there
        await settle(pilot)
        (original,) = screen.state.annotations
        screen.carry_out(screen.state.edit(original.id, "edited here", (), original.color))
        await settle(pilot)
        screen.check_the_list()
        await settle(pilot)
        assert posted.of(ListChanged) == []
        assert stored(folder)[0].note == "edited here"  # (after: opening a store may write)
        # Another program's write is read.
        FolderStore.open(folder).save_annotation(
            Annotation.create((folder / "spam.txt").read_text(), 0, 6, "spam.txt")
        )
        screen.check_the_list()
        await settle(pilot)
        [change] = posted.of(ListChanged)
        spam = folder.resolve() / "spam.txt"
        assert change.change.stats[spam].highlights == 1
        assert screen.stats[spam].highlights == 1
