"""Pilot tests of the app: every main-screen binding, asserted on stored data and pane state."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import ALPHA, CJK, MARKUP, Posted, settle
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList, TextArea

from ipreader.core import paths
from ipreader.core.errors import StoreWriteError
from ipreader.core.library import Library
from ipreader.core.model import MAX_TEXT_CHARS, Annotation, DocumentNotes
from ipreader.core.settings import load_settings
from ipreader.core.store import FolderStore
from ipreader.tui.app import IpreaderApp
from ipreader.tui.commands import DeleteAnnotation, SaveAnnotation, SetLastDocument
from ipreader.tui.messages import (
    LibraryOpened,
    OpeningProgress,
    Saved,
    SaveFailed,
    StoreChanged,
)
from ipreader.tui.screens.confirm import ConfirmScreen
from ipreader.tui.screens.corpus_find import CorpusFindScreen
from ipreader.tui.screens.doc_notes import DocumentNotesEditor
from ipreader.tui.screens.editor import AnnotationEditor
from ipreader.tui.screens.export import ExportScreen
from ipreader.tui.screens.headings import HeadingsScreen
from ipreader.tui.screens.help import HelpScreen
from ipreader.tui.screens.highlights import HighlightsScreen
from ipreader.tui.screens.main import MainScreen
from ipreader.tui.screens.reports import ReportsScreen
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar
from ipreader.tui.widgets.choice_row import ChoiceRow
from ipreader.tui.widgets.document_list import DocumentList, Prompt, opening_header

SIZE = (120, 36)


def main(pilot: Pilot[None]) -> MainScreen:
    app = pilot.app
    assert isinstance(app, IpreaderApp)
    return app.main_screen


async def open_doc(pilot: Pilot[None], relpath: str) -> MainScreen:
    screen = main(pilot)
    info = next(d for d in screen.documents if d.relpath == relpath)
    screen.open_document(info)
    await settle(pilot)
    assert screen.document is not None and screen.document.relpath == relpath
    return screen


def stored(folder: Path, relpath: str) -> list[Annotation]:
    return FolderStore.open(folder).annotations(relpath)


def sidebar_texts(screen: MainScreen) -> list[str]:
    rows = screen.sidebar.option_list
    texts = []
    for index in range(rows.entry_count):
        prompt = rows.entry(index).prompt
        assert isinstance(prompt, Text)  # user text is never a markup string
        texts.append(prompt.plain)
    return texts


async def highlight(pilot: Pilot[None], start: int, end: int) -> Annotation:
    """Select start..end in the pane, press ``a`` and return the new current annotation."""
    screen = main(pilot)
    screen.reader.select(start, end)
    await pilot.press("a")
    await settle(pilot)
    current = screen.state.annotation(screen.current_annotation)
    assert current is not None
    return current


# ------------------------------------------------------------------ opening


async def test_folder_opens_first_article_with_focus_on_list(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.document is not None and screen.document.relpath == "alpha.txt"
        assert screen.reader.cursor == 0
        assert screen.focused is screen.document_list.option_list
        listed = screen.document_list.shown
        assert [d.relpath for d in listed] == [
            "alpha.txt",
            "cjk.txt",
            "markup.txt",
            "zz-binary.txt",
        ]
        binary_prompt = screen.document_list.option_list.row(3)
        assert isinstance(binary_prompt, Prompt)  # literal Content, never markup
        assert "binary" in binary_prompt.plain.lower()


async def test_file_argument_opens_it_with_focus_in_pane(articles: Path) -> None:
    async with IpreaderApp(paths=[articles / "cjk.txt"]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.document is not None and screen.document.relpath == "cjk.txt"
        assert screen.focused is screen.reader
        assert screen.text == CJK


async def test_file_argument_wins_over_keys_pressed_during_start_up(articles: Path) -> None:
    """``ipreader FILE`` with keys typed at once: still that file alone, focus in the pane."""
    FolderStore.open(articles).set_last_document("alpha.txt")  # not what was asked for
    app = IpreaderApp(paths=[articles / "markup.txt"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter", "tab", "shift+tab", "j", "enter")
        await settle(pilot)
        screen = main(pilot)
        assert screen.document is not None and screen.document.relpath == "markup.txt"
        assert [d.relpath for d in screen.document_list.shown] == ["markup.txt"]
        assert screen.text == MARKUP
        assert screen.focused is screen.reader


async def test_a_file_opens_at_the_line_asked_for(articles: Path) -> None:
    app = IpreaderApp(paths=[articles / "alpha.txt"], line=5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.reader.cursor == ALPHA.index("The quick")
        assert screen.position.startswith("line 5 of ")


async def test_enter_in_list_opens_and_last_document_and_position_are_remembered(
    articles: Path,
) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        screen = main(pilot)
        assert screen.document is not None and screen.document.relpath == "markup.txt"
        assert screen.focused is screen.reader
        screen.reader.move_cursor(40)
        await pilot.press("q")
    store = FolderStore.open(articles)
    assert store.last_document() == "markup.txt"
    assert store.reading_position("markup.txt") == 40
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.document is not None and screen.document.relpath == "markup.txt"
        assert screen.reader.cursor == 40


async def test_unreadable_article_is_listed_and_opening_it_notifies(articles: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = await open_doc(pilot, "zz-binary.txt")
        assert screen.text == ""
        assert any("zz-binary.txt" in m or "binary" in m.lower() for m in posted.notices())


# -------------------------------------------------------------- annotating


async def test_annotate_selection_is_saved_shown_and_current(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        start = ALPHA.index("quick brown fox")
        created = await highlight(pilot, start, start + len("quick brown fox"))
        assert created.quote == "quick brown fox"
        assert screen.reader.current_highlight == created.id
        assert screen.sidebar.current == created.id
        assert any("quick brown fox" in t for t in sidebar_texts(screen))
        [saved] = stored(articles, "alpha.txt")
        assert (saved.id, saved.start, saved.quote) == (created.id, start, "quick brown fox")


async def test_annotate_without_selection_explains_how_to_select(articles: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert any("shift+arrows" in m for m in posted.notices())
        assert stored(articles, "alpha.txt") == []


async def test_select_mode_is_on_screen_where_the_details_line_is_cut(articles: Path) -> None:
    # At 120 columns the reading column is ~52 wide: the details line is cut there,
    # so the SELECTING indicator must come before the details, not after them.
    async with IpreaderApp(paths=[articles]).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        main(pilot).reader.focus()
        await pilot.press("v")
        await settle(pilot)
        assert "SELECTING" in pilot.app.export_screenshot()
        await pilot.press("v")
        await settle(pilot)
        assert "SELECTING" not in pilot.app.export_screenshot()


async def test_highlight_on_cjk_text_with_keyboard_selection(articles: Path) -> None:
    async with IpreaderApp(paths=[articles / "cjk.txt"]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        start = CJK.index("日本の首都")
        screen.reader.move_cursor(start)
        await pilot.press(*["shift+right"] * 5)
        assert screen.reader.selection == (start, start + 5)
        await pilot.press("a")
        await settle(pilot)
        [saved] = stored(articles, "cjk.txt")
        assert saved.quote == "日本の首都"
        assert (saved.start, saved.end) == (start, start + 5)
        assert any("日本の首都" in t for t in sidebar_texts(screen))


async def test_markup_and_escape_sequences_are_shown_literally(articles: Path) -> None:
    async with IpreaderApp(paths=[articles / "markup.txt"]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        start = MARKUP.index("[red]x[/red] and")
        end = MARKUP.index("sequence")
        await highlight(pilot, start, end)
        [text] = sidebar_texts(screen)
        assert "[red]x[/red] and [bold]y[/]" in text
        assert "\x1b" not in text and "␛[31mred␛[0m" in text
        metadata = screen.query_one("#metadata").render()
        assert "Markup [red]x[/red] article" in str(metadata)
        list_prompt = screen.document_list.option_list.row(0)
        assert isinstance(list_prompt, Prompt)
        assert "Markup [red]x[/red] article" in list_prompt.plain


# ------------------------------------------------------- edit, delete, undo


async def test_edit_note_tags_and_colour_through_the_editor(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        created = await highlight(pilot, 4, 9)
        screen.reader.move_cursor(0)  # away from the highlight: `e` acts on the current one
        await pilot.press("e")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, AnnotationEditor)
        editor.query_one("#note").focus()
        await pilot.press(*"my note")
        editor.query_one("#tags", Input).value = "Idea, later"
        editor.query_one("#color").focus()
        await pilot.press("right")  # yellow -> green
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        [saved] = stored(articles, "alpha.txt")
        assert saved.id == created.id
        assert saved.note == "my note"
        assert saved.tags == ("Idea", "later")
        assert saved.color == "green"
        assert any("my note" in t and "#Idea" in t for t in sidebar_texts(screen))


async def test_editor_refuses_a_tag_the_store_would_refuse_and_stays_open(
    articles: Path,
) -> None:
    """A 250-character tag: said in the editor, which stays open with what was typed.

    (The editor closed, the write failed and the edit stayed "in this session but NOT saved".)
    """
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        created = await highlight(pilot, 4, 9)
        await pilot.press("e")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, AnnotationEditor)
        tags = editor.query_one("#tags", Input)
        tags.value = "fine, " + "x" * 250
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is editor
        assert any("250 characters (limit 200)" in m for m in posted.notices())
        assert stored(articles, "alpha.txt") == [created]
        assert not any("NOT saved" in m for m in posted.notices())
        tags.value = "fine, " + "x" * 200
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        [saved] = stored(articles, "alpha.txt")
        assert saved.tags == ("fine", "x" * 200)


async def test_enter_in_sidebar_opens_editor_and_choosing_scrolls(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        first = await highlight(pilot, 4, 9)
        second = await highlight(pilot, ALPHA.index("dog sleeps"), ALPHA.index("dog sleeps") + 3)
        screen.sidebar.option_list.focus()
        await pilot.press("up")
        await settle(pilot)
        assert screen.current_annotation == first.id
        assert screen.reader.cursor == first.start
        await pilot.press("down")
        await settle(pilot)
        assert screen.current_annotation == second.id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AnnotationEditor)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen


async def test_delete_then_undo_restores_the_same_annotation(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        created = await highlight(pilot, 4, 9)
        screen.reader.move_cursor(6)  # inside the highlight
        await pilot.press("d")
        await settle(pilot)
        assert stored(articles, "alpha.txt") == []
        assert screen.annotations == ()
        await pilot.press("u")
        await settle(pilot)
        [restored] = stored(articles, "alpha.txt")
        assert restored == created
        assert screen.current_annotation == created.id


async def test_undo_has_several_levels(articles: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        first = await highlight(pilot, 4, 9)
        await highlight(pilot, 10, 15)
        screen.current_annotation = first.id
        screen.reader.move_cursor(0)
        await pilot.press("d")
        await settle(pilot)
        assert len(stored(articles, "alpha.txt")) == 1
        await pilot.press("u", "u", "u")
        await settle(pilot)
        assert stored(articles, "alpha.txt") == []
        await pilot.press("u")
        await settle(pilot)
        assert any("Nothing to undo" in m for m in posted.notices())


async def test_undoing_an_edit_then_the_creation_removes_the_highlight_without_a_conflict(
    articles: Path,
) -> None:
    """``a``, ``e`` with a note, ``u``, ``u``: the second undo deletes the highlight.

    The first undo stores the old note as a new revision; the creation's undo must
    delete that one, not report the highlight as "changed elsewhere".
    """
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        created = await highlight(pilot, 4, 9)
        await pilot.press("e")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, AnnotationEditor)
        editor.query_one("#note").focus()
        await pilot.press(*"my note", "ctrl+s")
        await settle(pilot)
        [edited] = stored(articles, "alpha.txt")
        assert edited.note == "my note" and edited.revision == created.revision + 1
        await pilot.press("u")  # the edit
        await settle(pilot)
        [restored] = stored(articles, "alpha.txt")
        assert restored.note == "" and restored.revision > edited.revision
        await pilot.press("u")  # the creation
        await settle(pilot)
        assert pilot.app.screen is screen  # no conflict dialog
        assert stored(articles, "alpha.txt") == []
        assert screen.annotations == ()
        assert not any("elsewhere" in m or "another program" in m for m in posted.notices())


async def editing_a_new_highlight(pilot: Pilot[None]) -> AnnotationEditor:
    """Highlight alpha.txt's fourth to ninth characters and open the editor on it."""
    await settle(pilot)
    await highlight(pilot, 4, 9)
    await pilot.press("e")
    await settle(pilot)
    editor = pilot.app.screen
    assert isinstance(editor, AnnotationEditor)
    return editor


@pytest.mark.parametrize(
    ("typed", "why"), [("/", "a tag name cannot be empty"), ("\x07bell", "control characters")]
)
async def test_a_tag_the_codebook_could_not_name_is_refused_in_the_editor(
    articles: Path, typed: str, why: str
) -> None:
    """ "/" or a pasted control character was stored, then shown nowhere in the codebook
    (never renamed or deleted there), while the codebook refuses those names."""
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        editor = await editing_a_new_highlight(pilot)
        editor.query_one("#tags", Input).value = f"fine, {typed}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is editor  # still open: fix the tag, or cancel
        assert any(f"The tag {typed!r} cannot be used" in m and why in m for m in posted.notices())
    [kept] = stored(articles, "alpha.txt")
    assert kept.tags == ()


async def test_a_note_over_the_store_s_limit_is_refused_in_the_editor(articles: Path) -> None:
    """It closed the editor and then failed to save ("kept in this session but NOT saved")."""
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        editor = await editing_a_new_highlight(pilot)
        editor.query_one("#note", TextArea).text = "x" * (MAX_TEXT_CHARS + 1)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is editor
        assert any("note is too long" in m and "shorten it" in m for m in posted.notices())
    [kept] = stored(articles, "alpha.txt")
    assert kept.note == ""


def row_text(screen: MainScreen, relpath: str) -> str:
    """The document list's row of ``relpath`` as shown."""
    rows = screen.document_list.option_list
    index = [d.relpath for d in screen.document_list.shown].index(relpath)
    prompt = rows.row(index)
    assert isinstance(prompt, Prompt)
    return prompt.plain


async def test_undo_in_another_article_updates_that_articles_row(articles: Path) -> None:
    """An undo reaching an article that is not open recounts its row in the list.

    (It kept showing the highlight the undo had just deleted: only the open
    article's row followed the changes.)
    """
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_doc(pilot, "alpha.txt")
        await highlight(pilot, 4, 9)
        await highlight(pilot, 10, 15)
        assert "2✎" in row_text(screen, "alpha.txt")
        await open_doc(pilot, "cjk.txt")
        await pilot.press("u")  # the second highlight of alpha.txt
        await settle(pilot)
        assert len(stored(articles, "alpha.txt")) == 1
        assert "1✎" in row_text(screen, "alpha.txt")
        await pilot.press("u")  # the first
        await settle(pilot)
        assert stored(articles, "alpha.txt") == []
        assert "✎" not in row_text(screen, "alpha.txt")


async def test_next_and_previous_highlight_wrap_around(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        late = await highlight(pilot, 60, 70)
        early = await highlight(pilot, 4, 9)
        await pilot.press("right_square_bracket")
        assert screen.current_annotation == late.id
        assert screen.reader.cursor == 60
        await pilot.press("right_square_bracket")
        assert screen.current_annotation == early.id
        await pilot.press("left_square_bracket")
        assert screen.current_annotation == late.id


async def test_highlight_keys_start_from_the_cursor_and_say_when_they_wrap(
    articles: Path,
) -> None:
    """After ``g`` then ``]`` the first highlight is chosen, and ``d`` deletes that one."""
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        third = await highlight(pilot, 100, 110)
        first = await highlight(pilot, 4, 9)
        second = await highlight(pilot, 60, 70)
        screen.current_annotation = third.id
        screen.reader.focus()
        await pilot.press("g", "right_square_bracket")
        assert screen.current_annotation == first.id
        await pilot.press("d")
        await settle(pilot)
        assert {a.id for a in stored(articles, "alpha.txt")} == {second.id, third.id}
        await pilot.press("G", "right_square_bracket")
        await settle(pilot)
        assert screen.current_annotation == second.id
        assert any("Back to the first highlight" in m for m in posted.notices())


# ---------------------------------------------------------------- find, copy


async def test_find_selects_matches_and_keys_typed_in_the_bar_are_not_stolen(
    articles: Path,
) -> None:
    async with IpreaderApp(paths=[articles / "alpha.txt"]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        screen.reader.move_cursor(ALPHA.index("jumps"))
        await pilot.press("slash")
        assert isinstance(screen.focused, Input)
        await pilot.press(*"fox", "enter")  # lowercase: smart case matches "fox" only
        await settle(pilot)
        positions = [i for i in range(len(ALPHA)) if ALPHA.startswith("fox", i)]
        assert screen.matches == tuple((p, p + 3) for p in positions)
        assert screen.reader.selection == (positions[1], positions[1] + 3)
        assert screen.focused is screen.reader
        await pilot.press("n")
        assert screen.reader.selection == (positions[2], positions[2] + 3)
        await pilot.press("n")  # wraps
        assert screen.reader.selection == (positions[0], positions[0] + 3)
        await pilot.press("N")
        assert screen.reader.selection == (positions[2], positions[2] + 3)
        await pilot.press("enter")  # enter goes on to the next match too
        assert screen.reader.selection == (positions[0], positions[0] + 3)
        await pilot.press("a")  # the selected match is highlighted
        await settle(pilot)
        [saved] = stored(articles, "alpha.txt")
        assert (saved.start, saved.end) == (positions[0], positions[0] + 3)
        # Letters bound on the screen (a, d, q...) go into the input.
        await pilot.press("slash", *"a second", "enter")
        await settle(pilot)
        assert len(stored(articles, "alpha.txt")) == 1
        assert screen.reader.selection is not None
        start, end = screen.reader.selection
        assert ALPHA[start:end] == "A second"
        await pilot.press("escape")  # one escape closes the bar; the match stays selected
        assert screen.matches == ()
        assert not screen.has_class("-finding")
        assert screen.reader.selection == (start, end)


async def test_find_annotate_export_contains_the_exact_quote(
    articles: Path, tmp_path: Path
) -> None:
    posted = Posted()
    out = tmp_path / "out.json"
    async with IpreaderApp(paths=[articles / "cjk.txt"]).run_test(
        size=SIZE, message_hook=posted
    ) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"中文字符", "enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        export = pilot.app.screen
        assert isinstance(export, ExportScreen)
        export.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(str(out) in m for m in posted.notices())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "中文字符" in json.dumps(data, ensure_ascii=False)
    quotes = [a["quote"] for d in data["documents"] for a in d.get("annotations", [])]
    assert quotes == ["中文字符"]


async def test_export_dialog_writes_a_refi_qda_project(articles: Path, tmp_path: Path) -> None:
    """The REFI-QDA project (qdpx, a zip) from the app: it was offered by the CLI only."""
    import zipfile

    out = tmp_path / "project.qdpx"
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        created = await highlight(pilot, 4, 9)
        await pilot.press("x")
        await settle(pilot)
        export = pilot.app.screen
        assert isinstance(export, ExportScreen)
        export.query_one("#path", Input).value = str(out)  # the extension picks the format
        await settle(pilot)
        assert export.query_one("#format", ChoiceRow).value == "qdpx"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(f"Exported qdpx to {out}" in m for m in posted.notices())
    with zipfile.ZipFile(out) as project:
        names = project.namelist()
        assert "project.qde" in names and any(n.startswith("Sources/") for n in names)
        assert created.id in project.read("project.qde").decode("utf-8")


async def test_export_of_this_article_remembers_format_and_folder(
    articles: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exports" / "mine.md"
    out.parent.mkdir()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await highlight(pilot, 4, 9)
        await open_doc(pilot, "cjk.txt")
        start = CJK.index("日本")
        await highlight(pilot, start, start + 2)
        await pilot.press("x")
        await settle(pilot)
        export = pilot.app.screen
        assert isinstance(export, ExportScreen)
        export.query_one("#format", ChoiceRow).value = "markdown"
        export.query_one("#scope", ChoiceRow).value = "article"
        export.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await settle(pilot)
    digest = out.read_text(encoding="utf-8")
    assert "日本" in digest and "quick" not in digest  # only this article
    assert load_settings()["export_format"] == "markdown"
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        proposed = pilot.app.screen.query_one("#path", Input).value
    assert proposed == str(out.parent / "ipreader-export.md")


async def test_copy_selection_or_current_quote(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        screen.reader.select(4, 15)
        await pilot.press("c")
        assert pilot.app.clipboard == ALPHA[4:15]
        await highlight(pilot, 20, 25)
        await pilot.press("c")
        assert pilot.app.clipboard == ALPHA[20:25]


# ------------------------------------------------------------ notes, library


async def test_document_tags_and_note(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("t")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, DocumentNotesEditor)
        editor.query_one("#note").focus()
        await pilot.press(*"read again")
        editor.query_one("#tags", Input).value = "economy"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert FolderStore.open(articles).document_notes("alpha.txt") == DocumentNotes(
            ("economy",), "read again"
        )
        assert "#economy" in str(screen.sidebar.query_one("#document-notes").render())
        prompt = screen.document_list.option_list.row(0)
        assert isinstance(prompt, Prompt) and "#economy" in prompt.plain


async def test_document_notes_editor_refuses_more_tags_than_the_store_takes(
    articles: Path,
) -> None:
    """1,001 document tags: said in the editor, which stays open; nothing is written.

    (The check was the highlight editor's alone: this one closed and the write failed.)
    """
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, DocumentNotesEditor)
        editor.query_one("#tags", Input).value = ", ".join(f"t{n}" for n in range(1_001))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is editor
        assert any("article's" in m and "1,000" in m for m in posted.notices())
        assert FolderStore.open(articles).document_notes("alpha.txt") == DocumentNotes()
        editor.query_one("#tags", Input).value = "kept"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert FolderStore.open(articles).document_notes("alpha.txt").tags == ("kept",)


async def test_document_notes_changed_by_another_program_meanwhile_are_merged(
    articles: Path,
) -> None:
    """``t`` open while another app saves the article's note: both notes are kept.

    (The second save overwrote the first with no word: a user's note lost.)
    """
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("t")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, DocumentNotesEditor)
        other = FolderStore.open(articles)
        other.set_document_notes("alpha.txt", DocumentNotes(("theirs",), "their note"))
        editor.query_one("#note").focus()
        await pilot.press(*"my note")
        editor.query_one("#tags", Input).value = "mine"
        await pilot.press("ctrl+s")
        await settle(pilot)
        kept = FolderStore.open(articles).document_notes("alpha.txt")
        assert set(kept.tags) == {"mine", "theirs"}
        assert "my note" in kept.note and "their note" in kept.note
        assert screen.state.notes == kept  # shown as stored
        assert any("both changes are kept" in m for m in posted.notices())


async def test_a_click_on_the_filter_placeholder_gives_a_field_that_filters(
    articles: Path,
) -> None:
    # The filter's Input is mounted on first use (ctrl+f or a click): until then a line of
    # the same look holds its place; the click focuses the field and typing filters.
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        doc_list = main(pilot).query_one(DocumentList)
        assert not doc_list.query("#document-filter")
        await pilot.click("#document-filter-hint")
        await settle(pilot)
        field = doc_list.query_one("#document-filter", Input)
        assert field.has_focus
        assert not doc_list.query("#document-filter-hint")  # replaced, not doubled
        await pilot.press(*"markup")
        await settle(pilot)
        assert [d.relpath for d in doc_list.shown] == ["markup.txt"]
        await pilot.press("escape", "ctrl+f")  # the same field again
        assert doc_list.query_one("#document-filter", Input) is field


async def test_filter_by_text_and_tag_and_sort_cycle(articles: Path) -> None:
    store = FolderStore.open(articles)
    store.set_document_notes("cjk.txt", DocumentNotes(("Japan",), ""))
    fox = ALPHA.index("fox")
    store.save_annotation(Annotation.create(ALPHA, fox, fox + 3, "alpha.txt", tags=["animals/fox"]))
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        doc_list = screen.query_one(DocumentList)
        await pilot.press("ctrl+f", *"tag:japan")
        await settle(pilot)
        assert [d.relpath for d in doc_list.shown] == ["cjk.txt"]
        filter_input = doc_list.query_one("#document-filter", Input)
        filter_input.value = "tag:jap"  # a tag is matched whole, never by its start
        await settle(pilot)
        assert doc_list.shown == []
        filter_input.value = "jap"  # plain words match tags too
        await settle(pilot)
        assert [d.relpath for d in doc_list.shown] == ["cjk.txt"]
        filter_input.value = "tag:animals"  # a highlight's tag, and a parent of its tag
        await settle(pilot)
        assert [d.relpath for d in doc_list.shown] == ["alpha.txt"]
        filter_input.value = "markup"
        await settle(pilot)
        assert [d.relpath for d in doc_list.shown] == ["markup.txt"]
        filter_input.value = ""
        await pilot.press("down")  # into the list
        await pilot.press("s")
        assert doc_list.sort_by == "date"
        assert [d.relpath for d in doc_list.shown][:2] == ["cjk.txt", "alpha.txt"]
        assert "by date" in str(doc_list.query_one("#document-header").render())
        await pilot.press("s", "s")
        assert doc_list.sort_by == "name"


async def test_filtering_keeps_the_highlighted_article_and_down_lands_on_a_row(
    articles: Path,
) -> None:
    """The list's highlight follows the article, not its row number, as the filter narrows;
    when it is filtered out, ↓ (or Enter) from the filter lands on the first row.

    (The old row number was looked up in the new list: another article, or none when the
    list got shorter; then ↓ left no row highlighted and Enter did nothing.)
    """
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        doc_list = screen.document_list
        assert screen.document is not None and screen.document.relpath == "alpha.txt"
        await pilot.press("down", "down")  # the list has the focus: onto markup.txt
        assert doc_list.highlighted_document is not None
        assert doc_list.highlighted_document.relpath == "markup.txt"
        await pilot.press("ctrl+f", *"markup")
        await settle(pilot)
        assert doc_list.highlighted_document is not None
        assert doc_list.highlighted_document.relpath == "markup.txt"
        filter_input = doc_list.query_one("#document-filter", Input)
        filter_input.value = "cjk"  # neither markup.txt nor the open alpha.txt is listed
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.document is not None and screen.document.relpath == "cjk.txt"


async def test_highlights_view_opens_the_document_at_the_highlight(articles: Path) -> None:
    text_start = CJK.index("Mixed")
    store = FolderStore.open(articles)
    target = Annotation.create(CJK, text_start, text_start + 5, "cjk.txt")
    store.save_annotation(target)
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("h")
        await settle(pilot)
        highlights = pilot.app.screen
        assert isinstance(highlights, HighlightsScreen)
        assert [a.id for _, a in highlights.entries] == [target.id]
        highlights.dismiss(highlights.entries[0])
        await settle(pilot)
        assert screen.document is not None and screen.document.relpath == "cjk.txt"
        assert screen.current_annotation == target.id
        assert screen.reader.cursor == text_start


async def test_find_across_documents_opens_and_selects_the_match(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CorpusFindScreen)
        await pilot.press(*"首都")
        await pilot.pause(0.6)  # the screen searches after a pause in typing
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.document is not None and screen.document.relpath == "cjk.txt"
        start = CJK.index("首都")
        assert screen.reader.selection == (start, start + 2)


# ------------------------------------------------------------- the app shell


async def test_tab_moves_focus_between_the_three_panes(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.focused is screen.document_list.option_list
        await pilot.press("tab")
        assert screen.focused is screen.reader
        await pilot.press("tab")
        assert screen.focused is screen.sidebar.option_list
        await pilot.press("tab")
        assert screen.focused is screen.document_list.option_list
        await pilot.press("shift+tab")
        assert screen.focused is screen.sidebar.option_list


async def test_narrow_terminal_shows_one_pane_at_a_time(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main(pilot)
        documents, reader, sidebar = screen.document_list, screen.reader, screen.sidebar

        def shown() -> list[str]:
            return [w.id or "" for w in (documents, reader, sidebar) if w.region.width > 0]

        # A folder opens on its list, full width; the footer says how to reach the rest.
        assert screen.panes.has_class("-narrow")
        assert shown() == ["documents"] and documents.region.width == 80
        footer = " ".join(str(w.render()) for w in screen.query("FooterKey"))
        assert "List" in footer and "Notes" in footer
        await pilot.press("down", "enter")  # open the second article
        await settle(pilot)
        assert screen.document is not None and screen.document.relpath == "cjk.txt"
        assert shown() == ["reader"] and reader.region.width >= 78
        await pilot.press("f3")
        await pilot.pause()
        assert shown() == ["annotations"]
        await pilot.press("f3")  # again: back to the article
        await pilot.pause()
        assert shown() == ["reader"]
        await pilot.press("f2")
        await pilot.pause()
        assert shown() == ["documents"] and screen.focused is documents.option_list
        await pilot.press("tab")
        await pilot.pause()
        assert shown() == ["reader"] and screen.focused is reader


async def test_help_lists_main_and_reading_pane_bindings(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        descriptions = {d for _, d in help_screen.bindings}
        assert {"Annotate", "Undo", "Export annotations", "Find in all articles"} <= descriptions
        assert "Reading pane" in descriptions and "Select right" in descriptions
        await pilot.press("escape")


async def test_command_palette_offers_every_action_and_the_theme(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        titles = {c.title for c in pilot.app.get_system_commands(screen)}
        assert {"Theme", "Annotate", "Export annotations", "All highlights", "Undo"} <= titles
        annotate = next(c for c in pilot.app.get_system_commands(screen) if c.title == "Sort list")
        await annotate.callback()
        assert screen.sort_by == "date"


async def test_theme_is_remembered_across_runs(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.theme = "nord"
        await settle(pilot)
    assert load_settings()["theme"] == "nord"
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert pilot.app.theme == "nord"


# ----------------------------------------------------- other processes, errors


async def test_changes_by_another_process_are_reloaded_keeping_own_edits(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        mine = await highlight(pilot, 4, 9)
        other = Annotation.create(ALPHA, 20, 25, "alpha.txt", note="from elsewhere")
        FolderStore.open(articles).save_annotation(other)
        screen.check_for_changes()
        await settle(pilot)
        ids = {a.id for a in screen.annotations}
        assert ids == {mine.id, other.id}
        assert any("from elsewhere" in t for t in sidebar_texts(screen))


async def test_a_poll_after_the_apps_own_writes_changes_nothing(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poll that finds nothing new replaces no state (no churn after the app's own writes)."""
    token = FolderStore.change_token
    nonce = iter(range(10**9))

    def always_new(self: FolderStore) -> tuple[int, ...]:
        # As while the newest write is too recent to trust: the token never repeats.
        return (*token(self), next(nonce))

    monkeypatch.setattr(FolderStore, "change_token", always_new)
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await highlight(pilot, 4, 9)
        annotations, stats, notes = screen.annotations, screen.stats, screen.notes
        changed: list[str] = []
        screen.watch(screen, "annotations", lambda: changed.append("annotations"), init=False)
        screen.watch(screen, "stats", lambda: changed.append("stats"), init=False)
        for _ in range(3):
            screen.check_for_changes()
            await settle(pilot)
        assert changed == []
        assert screen.annotations is annotations and screen.stats is stats
        assert screen.notes is notes


async def test_store_write_error_keeps_the_edit_and_says_it_is_not_saved(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    posted = Posted()

    def refuse(self: FolderStore, annotations: object) -> None:
        raise StoreWriteError("disk full")

    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        monkeypatch.setattr(FolderStore, "save_annotations", refuse)
        created = await highlight(pilot, 4, 9)
        assert any("NOT saved" in m and "disk full" in m for m in posted.notices())
        [failed] = posted.of(SaveFailed)
        version = screen.state.version
        assert failed.command == SaveAnnotation(articles.resolve(), created, text=version)
        assert [a.id for a in screen.annotations] == [created.id]
        # A reload from disk does not drop the unsaved edit.
        monkeypatch.undo()
        other = Annotation.create(ALPHA, 20, 25, "alpha.txt")
        FolderStore.open(articles).save_annotation(other)
        screen.check_for_changes()
        await settle(pilot)
        assert {a.id for a in screen.annotations} == {created.id, other.id}


async def test_quitting_with_unsaved_changes_asks_first(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: FolderStore, annotations: object) -> None:
        raise StoreWriteError("disk full")

    app = IpreaderApp(paths=[articles])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(FolderStore, "save_annotations", refuse)
        await highlight(pilot, 4, 9)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "1 change could not be saved" in str(
            app.screen.query_one(".dialog-heading").render()
        )
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is main(pilot) and app.is_running
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("key", ["e", "t", "x"])
async def test_a_key_typed_right_after_q_opens_nothing_and_the_app_quits_cleanly(
    articles: Path, key: str
) -> None:
    # The quit waits for the writes; a key typed meanwhile used to push a screen the
    # exiting app never composed (its on_mount failed: a crash log, exit code 1).
    app = IpreaderApp(paths=[articles])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await highlight(pilot, 4, 9)  # so that `e` has a highlight to edit
        await settle(pilot)
        app.simulate_key("q")
        app.simulate_key(key)  # queued behind q, before the quit has finished
        await pilot.pause(0.5)
        assert isinstance(app.screen, MainScreen)
    assert app.return_code == 0


async def test_options_are_rich_text_not_markup(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        for widget in screen.query(OptionList):
            for index in range(widget.option_count):
                assert not isinstance(widget.get_option_at_index(index).prompt, str)
        rows = screen.document_list.option_list
        assert rows.row_count == 4
        assert all(isinstance(rows.row(index), Prompt) for index in range(rows.row_count))
        sidebar = screen.query_one(AnnotationSidebar).option_list
        assert all(isinstance(sidebar.entry(i).prompt, Text) for i in range(sidebar.entry_count))


async def test_corrupt_database_is_reported_with_where_it_went(articles: Path) -> None:
    posted = Posted()
    FolderStore.open(articles)  # creates .ipreader/
    (articles / ".ipreader" / "index.json").write_text("{not json", encoding="utf-8")
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.document is not None  # the app still opened the first article
        [notice] = [m for m in posted.notices() if "index.json" in m]
        assert "moved aside" in notice and str(articles) in notice


async def test_missing_path_is_a_notification_not_a_crash(tmp_path: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[tmp_path / "missing"]).run_test(
        size=SIZE, message_hook=posted
    ) as pilot:
        await settle(pilot)
        assert main(pilot).document is None
        assert any("missing" in m for m in posted.notices())


async def test_the_change_poll_runs_on_a_timer(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MainScreen, "CHANGE_POLL_SECONDS", 0.05)
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        other = Annotation.create(ALPHA, 20, 25, "alpha.txt")
        FolderStore.open(articles).save_annotation(other)
        for _ in range(40):
            await pilot.pause(0.05)
            if screen.annotations:
                break
        assert [a.id for a in screen.annotations] == [other.id]


async def test_click_in_the_list_opens_the_article(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        # One row per article: alpha, then cjk.
        await pilot.click("#document-options", offset=(3, 1))
        await settle(pilot)
        assert screen.document is not None and screen.document.relpath == "cjk.txt"
        assert screen.focused is screen.reader


def held_library_open(
    monkeypatch: pytest.MonkeyPatch, reported: tuple[int, int] | None = None
) -> threading.Event:
    """Make ``Library.open`` wait (10 s at most) until the returned event is set, having
    reported ``reported`` as its progress first (none when ``None``)."""
    release = threading.Event()
    real_open = Library.open

    def held_open(
        paths: Sequence[Path],
        progress: Callable[[int, int], None] | None = None,
        store_opened: Callable[[Path, list[Path], FolderStore], Any] | None = None,
        before_walk: Callable[[Path, FolderStore], Any] | None = None,
    ) -> Library:
        if progress is not None and reported is not None:
            progress(*reported)
        release.wait(10)
        return real_open(paths, progress, store_opened, before_walk)

    monkeypatch.setattr(Library, "open", staticmethod(held_open))
    return release


async def test_the_app_paints_before_the_library_is_open(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = held_library_open(monkeypatch, (1, 4))
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        screen = main(pilot)
        assert screen.library is None and screen.document is None
        header = str(screen.document_list.query_one("#document-header").render())
        assert "Opening… 1/4" in header
        release.set()
        await settle(pilot)
        assert screen.document is not None and screen.document.relpath == "alpha.txt"


async def test_the_list_gives_no_count_before_the_folders_are_walked(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the walk knows how many articles there are, the header said "Opening… 0/0"."""
    release = held_library_open(monkeypatch)
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        try:
            await pilot.pause(0.2)
            screen = main(pilot)
            header = str(screen.document_list.query_one("#document-header").render())
            assert header.strip() == "Opening…"
        finally:
            release.set()
        await settle(pilot)


def test_the_opening_count_is_grouped_by_thousands() -> None:
    assert opening_header(1200, 10000) == "Opening… 1,200/10,000"
    assert opening_header(0, 0) == "Opening…"


async def test_no_paths_opens_the_bundled_seeds_without_writing_into_them() -> None:
    async with IpreaderApp(paths=[]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.paths == [paths.seeds_dir()]
        assert len(screen.documents) == len(list(paths.seeds_dir().glob("*.txt")))
        assert screen.document is not None
        await pilot.press("q")
    assert not (paths.seeds_dir() / ".ipreader").exists()


# ------------------------------------------------------- messages the app posts


async def test_opening_reports_progress_then_the_library_then_remembers_the_document(
    articles: Path,
) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
    kinds = [type(m) for m in posted if isinstance(m, OpeningProgress | LibraryOpened | Saved)]
    assert kinds.index(LibraryOpened) > kinds.index(OpeningProgress)
    [opened] = posted.of(LibraryOpened)
    assert opened.opened.first is not None and opened.opened.first.relpath == "alpha.txt"
    assert opened.opened.loaded is not None  # the first article came with the library
    saved = [m.command for m in posted.of(Saved)]
    assert SetLastDocument(articles.resolve(), "alpha.txt") in saved


async def test_each_edit_is_one_command_reported_saved_in_order(articles: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        created = await highlight(pilot, 4, 9)
        main(pilot).reader.move_cursor(6)
        await pilot.press("d", "u")
        await settle(pilot)
    commands = [
        m.command
        for m in posted.of(Saved)
        if isinstance(m.command, SaveAnnotation | DeleteAnnotation)
    ]
    assert [type(c) for c in commands] == [SaveAnnotation, DeleteAnnotation, SaveAnnotation]
    assert all(c.annotation.id == created.id for c in commands)
    assert posted.of(SaveFailed) == []


async def test_a_change_by_another_program_arrives_as_a_message(articles: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE, message_hook=posted) as pilot:
        await settle(pilot)
        other = Annotation.create(ALPHA, 20, 25, "alpha.txt")
        FolderStore.open(articles).save_annotation(other)
        main(pilot).check_for_changes()
        await settle(pilot)
    [changed] = posted.of(StoreChanged)[-1:]
    assert [a.id for a in changed.polled.annotations] == [other.id]


async def test_position_selection_mode_and_focus_are_shown(articles: Path) -> None:
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        metadata = screen.query_one("#metadata")
        header = screen.query_one("#document-header")
        assert screen.focused is screen.document_list.option_list
        list_marked, reader_plain = header.styles.background, metadata.styles.background
        assert screen.position.startswith("line 1 of ")
        screen.reader.focus()
        await pilot.pause()
        # The focus moved: the reader's header is marked, the list's is not.
        assert metadata.styles.background != reader_plain
        assert header.styles.background != list_marked
        await pilot.press("G")
        await pilot.pause()
        assert screen.position.endswith("100%")
        await pilot.press("v")
        await pilot.pause()
        assert screen.selecting and "SELECTING" in str(metadata.render())
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.selecting


async def test_hard_wrapped_text_is_reflowed_and_w_toggles_and_is_remembered(
    articles: Path,
) -> None:
    paragraph = " ".join(f"word{n}" for n in range(400))
    lines, line = [], ""
    for word in paragraph.split():
        if len(line) + len(word) > 60:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    text = "Wrapped\n\n" + "\n".join(lines) + "\n\n" + "\n".join(lines) + "\n"
    (articles / "wrapped.txt").write_text(text, encoding="utf-8")
    posted = Posted()
    async with IpreaderApp(paths=[articles / "wrapped.txt"]).run_test(
        size=SIZE, message_hook=posted
    ) as pilot:
        await settle(pilot)
        screen = main(pilot)
        assert screen.reader.reflow
        assert any("joined into paragraphs" in m for m in posted.notices())
        # Find across a joined line break, select it and highlight it: the quote is exact.
        first_break = text.index("\n", text.index("word0"))
        before, after = text[:first_break].split()[-1], text[first_break + 1 :].split()[0]
        screen.reader.focus()
        await pilot.press("slash", *f"{before} {after}", "enter", "a")
        await settle(pilot)
        [saved] = stored(articles, "wrapped.txt")
        assert saved.quote == f"{before}\n{after}"
        await pilot.press("w")
        await settle(pilot)
        assert not screen.reader.reflow
    async with IpreaderApp(paths=[articles / "wrapped.txt"]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not main(pilot).reader.reflow  # the choice is remembered for this document


async def test_headings_picker_goes_to_a_chapter(articles: Path) -> None:
    chapters = "".join(
        f"CHAPTER {roman}\n\n" + f"Text of chapter {roman}, with a few words.\n\n" * 40
        for roman in ("I", "II", "III", "IV")
    )
    (articles / "book.txt").write_text("A Book\n\n" + chapters, encoding="utf-8")
    async with IpreaderApp(paths=[articles / "book.txt"]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(pilot)
        await pilot.press("o")
        await settle(pilot)
        picker = pilot.app.screen
        assert isinstance(picker, HeadingsScreen)
        assert [h.title for h in picker.headings] == [
            "CHAPTER I",
            "CHAPTER II",
            "CHAPTER III",
            "CHAPTER IV",
        ]
        await pilot.press(*"iii", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        reader = screen.reader
        assert reader.cursor == screen.text.index("CHAPTER III")
        # The chapter starts the page (not centred, with the previous chapter's end above).
        assert reader.index.offset_at(round(reader.scroll_y), 0) == reader.cursor


async def open_reports(pilot: Pilot[None]) -> tuple[ReportsScreen, Label]:
    """Press ``R`` on the opened app: the reports screen and its status line, settled."""
    await settle(pilot)
    await pilot.press("R")
    await settle(pilot)
    reports = pilot.app.screen
    assert isinstance(reports, ReportsScreen)
    return reports, reports.query_one("#status", Label)


async def test_reports_screen_tags_all_and_filters_by_coder_colour_and_date(
    articles: Path,
) -> None:
    store = FolderStore.open(articles)
    fox, dog = ALPHA.index("fox"), ALPHA.index("dog")
    store.save_annotations(
        [
            Annotation.create(ALPHA, fox, fox + 3, "alpha.txt", tags=["a", "b"], creator="Ada"),
            Annotation.create(ALPHA, dog, dog + 3, "alpha.txt", tags=["a"], creator="Ben"),
            Annotation.create(CJK, 0, 2, "cjk.txt", tags=["b"], creator="Ben", color="pink"),
        ]
    )
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        reports, status = await open_reports(pilot)
        reports.query_one("#tags", Input).value = "a, b"
        await settle(pilot)
        assert "4 passages" in str(status.render())  # a: fox, dog; b: fox, 漢字
        reports.query_one("#match", ChoiceRow).focus()
        await pilot.press("right")  # all of them: only the fox carries both
        await settle(pilot)
        assert "1 passage" in str(status.render())
        await pilot.press("left")
        filters = reports.query_one("#filters", Input)
        filters.focus()
        await pilot.press(*"by:ben")
        await settle(pilot)
        assert "2 passages" in str(status.render())  # dog (a), 漢字 (b)
        passages = reports.query_one("#passages", OptionList)
        shown = [str(passages.get_option_at_index(i).prompt) for i in range(passages.option_count)]
        assert sum("· by Ben" in row for row in shown) == 2
        await pilot.press(*" color:pink")
        await settle(pilot)
        assert "1 passage" in str(status.render())
        await pilot.press(*" until:2000-01-01")  # every highlight was made later
        await settle(pilot)
        assert "0 passages" in str(status.render())
        await pilot.press(*" by:ada")
        await settle(pilot)
        assert "Filters: by: given twice" in str(status.render())
        assert not passages.display  # no stale passages under the message


async def test_reports_screen_matrix_cell_then_passage_opens_the_article(
    articles: Path,
) -> None:
    store = FolderStore.open(articles)
    fox = ALPHA.index("fox")
    dog = ALPHA.index("dog")
    store.save_annotations(
        [
            Annotation.create(ALPHA, fox, fox + 3, "alpha.txt", tags=["animals/fox"]),
            Annotation.create(ALPHA, dog, dog + 3, "alpha.txt", tags=["animals"]),
            Annotation.create(CJK, 0, 2, "cjk.txt", tags=["places"]),
        ]
    )
    async with IpreaderApp(paths=[articles]).run_test(size=SIZE) as pilot:
        reports, status = await open_reports(pilot)
        # animals (2: its child counts), animals/fox (1), places (1)
        assert "4 passages" in str(status.render())
        await pilot.press("right")  # documents x tags
        await settle(pilot)
        assert "2 documents × 3 tags" in str(status.render())
        table = reports.query_one("#table")
        table.focus()
        await pilot.press("right", "enter")  # alpha.txt x animals
        await settle(pilot)
        assert "2 passages in Alpha article" in str(status.render())
        await pilot.press("down", "enter")  # the first passage (its group heading is skipped)
        await settle(pilot)
        screen = main(pilot)
        assert pilot.app.screen is screen
        assert screen.document is not None and screen.document.relpath == "alpha.txt"
        assert screen.reader.cursor in (fox, dog)
