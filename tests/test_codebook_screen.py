"""Pilot tests of the codebook screen (T): the tree, describe, rename/merge, move, delete + undo,
colour meanings, and where the meanings show (editor, sidebar, highlights filter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ALPHA, CJK, Posted, settle
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from ipreader.core.model import Annotation, DocumentNotes
from ipreader.core.store import FolderStore
from ipreader.tui.app import IpreaderApp
from ipreader.tui.commands import RetagTags
from ipreader.tui.messages import Saved
from ipreader.tui.screens.codebook import CodebookScreen
from ipreader.tui.screens.editor import AnnotationEditor
from ipreader.tui.screens.highlights import HighlightsScreen
from ipreader.tui.screens.main import MainScreen
from ipreader.tui.widgets.choice_row import ChoiceRow

SIZE = (120, 36)


@pytest.fixture
def coded(articles: Path) -> Path:
    store = FolderStore.open(articles)
    fox, dog = ALPHA.index("fox"), ALPHA.index("dog")
    store.save_annotations(
        [
            Annotation.create(ALPHA, fox, fox + 3, "alpha.txt", tags=["animals/fox"]),
            Annotation.create(ALPHA, dog, dog + 3, "alpha.txt", tags=["animals"], color="pink"),
            Annotation.create(CJK, 0, 2, "cjk.txt", tags=["places"]),
        ]
    )
    store.set_document_notes("cjk.txt", DocumentNotes(("animals",), ""))
    return articles


def main(pilot: Pilot[None]) -> MainScreen:
    app = pilot.app
    assert isinstance(app, IpreaderApp)
    return app.main_screen


async def open_codebook(pilot: Pilot[None]) -> CodebookScreen:
    await settle(pilot)
    await pilot.press("T")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CodebookScreen)
    return screen


def tree(screen: CodebookScreen) -> list[tuple[str, int, int, int]]:
    return [(r.tag, r.depth, r.highlights, r.documents) for r in screen.rows]


def stored_tags(root: Path) -> list[tuple[str, ...]]:
    store = FolderStore.open(root)
    return sorted(a.tags for a in store.annotations("alpha.txt"))


async def answer(pilot: Pilot[None], key: str, text: str) -> None:
    await pilot.press(key)
    screen = pilot.app.screen
    screen.query_one("#answer", Input).value = text
    await pilot.press("enter")
    await settle(pilot)


async def test_the_tree_with_counts_and_a_description(coded: Path) -> None:
    async with IpreaderApp(paths=[coded]).run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        assert tree(screen) == [
            ("animals", 0, 2, 2),
            ("animals/fox", 1, 1, 1),
            ("places", 0, 1, 1),
        ]
        await answer(pilot, "d", "Any creature")
        assert FolderStore.open(coded).codebook().description("animals") == "Any creature"
        assert screen.rows[0].description == "Any creature"  # reloaded after the write


async def test_an_open_codebook_shows_a_rename_made_by_another_program(coded: Path) -> None:
    """``ipreader tags PATH rename`` beside the app: the open codebook kept the old tags."""
    from ipreader import cli

    async with IpreaderApp(paths=[coded]).run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        assert cli.main(["tags", str(coded), "rename", "places", "locations"]) == 0
        main(pilot).check_for_changes()  # the main screen's poll, run every second
        await settle(pilot)
        assert pilot.app.screen is screen
        assert tree(screen) == [
            ("animals", 0, 2, 2),
            ("animals/fox", 1, 1, 1),
            ("locations", 0, 1, 1),
        ]


async def test_rename_merges_and_carries_children(coded: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[coded]).run_test(size=SIZE, message_hook=posted) as pilot:
        screen = await open_codebook(pilot)
        await answer(pilot, "r", "places")  # animals (highlighted) onto places: a merge
        assert stored_tags(coded) == [("places",), ("places/fox",)]
        assert FolderStore.open(coded).document_notes("cjk.txt").tags == ("places",)
        assert tree(screen) == [("places", 0, 3, 2), ("places/fox", 1, 1, 1)]
        saved = [m for m in posted.of(Saved) if isinstance(m.command, RetagTags)]
        assert len(saved) == 1
        # The open article shows the renamed tags (reloaded from the store).
        await settle(pilot)
        assert sorted(a.tags for a in main(pilot).state.annotations) == [
            ("places",),
            ("places/fox",),
        ]


async def test_move_under_another_parent(coded: Path) -> None:
    async with IpreaderApp(paths=[coded]).run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await pilot.press("down")  # animals/fox
        await answer(pilot, "m", "places")
        assert stored_tags(coded) == [("animals",), ("places/fox",)]
        assert ("places/fox", 1, 1, 1) in tree(screen)


async def test_a_bad_name_is_refused_and_nothing_changes(coded: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[coded]).run_test(size=SIZE, message_hook=posted) as pilot:
        await open_codebook(pilot)
        await answer(pilot, "r", "a, b")
        assert "cannot hold a comma" in " ".join(posted.notices())
        assert stored_tags(coded) == [("animals",), ("animals/fox",)]


async def test_delete_then_undo_in_the_main_screen(coded: Path) -> None:
    posted = Posted()
    async with IpreaderApp(paths=[coded]).run_test(size=SIZE, message_hook=posted) as pilot:
        screen = await open_codebook(pilot)
        await pilot.press("x")
        await pilot.press("y")  # confirm
        await settle(pilot)
        assert stored_tags(coded) == [(), ()]
        assert FolderStore.open(coded).document_notes("cjk.txt").tags == ()
        assert len(FolderStore.open(coded).annotations("alpha.txt")) == 2  # highlights kept
        assert tree(screen) == [("places", 0, 1, 1)]
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is main(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert stored_tags(coded) == [("animals",), ("animals/fox",)]
        assert FolderStore.open(coded).document_notes("cjk.txt").tags == ("animals",)
        assert any("Undid the deletion of “animals”" in n for n in posted.notices())


async def test_colour_meanings_show_in_editor_sidebar_and_highlights_filter(coded: Path) -> None:
    async with IpreaderApp(paths=[coded]).run_test(size=SIZE) as pilot:
        await open_codebook(pilot)
        await answer(pilot, "c", "pink evidence")
        assert FolderStore.open(coded).codebook().meaning("pink") == "evidence"
        codebook = pilot.app.screen
        assert isinstance(codebook, CodebookScreen)
        assert "pink = evidence" in str(codebook.query_one("#status", Label).render())
        await pilot.press("escape")
        await settle(pilot)
        screen = main(pilot)
        info = next(d for d in screen.documents if d.relpath == "alpha.txt")
        screen.open_document(info)
        await settle(pilot)
        assert screen.legend == "pink = evidence"
        assert screen.sidebar.legend == "pink = evidence"

        pink = next(a for a in screen.state.annotations if a.color == "pink")
        screen.choose_annotation(pink.id)
        await pilot.press("e")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, AnnotationEditor)
        assert editor.query_one("#color", ChoiceRow).labels == {"pink": "pink (evidence)"}
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("h")
        await settle(pilot)
        highlights = pilot.app.screen
        assert isinstance(highlights, HighlightsScreen)
        highlights.apply_filter("color:evidence")
        await settle(pilot)
        results = highlights.query_one("#results", OptionList)
        assert results.option_count == 1
        option_id = results.get_option_at_index(0).id
        assert option_id is not None and highlights.option_value(option_id)[1].id == pink.id


async def test_codebook_is_in_the_palette(coded: Path) -> None:
    async with IpreaderApp(paths=[coded]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in main(pilot).system_commands()]
        assert any(t.startswith("Codebook") for t in titles)
