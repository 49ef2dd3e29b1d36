"""Pilot tests of the modal screens, each pushed on a tiny host app."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import StyledApp
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from ipreader.core.documents import DocumentInfo, load_info
from ipreader.core.model import COLORS, Annotation, DocumentNotes
from ipreader.core.search import CorpusMatch
from ipreader.tui.option_fill import ROWS_PER_TURN
from ipreader.tui.screens.corpus_find import LIST_GROUP, MATCH_LIMIT, CorpusFindScreen
from ipreader.tui.screens.doc_notes import DocumentNotesEditor
from ipreader.tui.screens.editor import AnnotationEditor, EditorResult
from ipreader.tui.screens.export import ExportRequest, ExportScreen, with_format_suffix
from ipreader.tui.screens.help import HelpScreen
from ipreader.tui.screens.highlights import FILL_GROUP, MAX_ROWS, HighlightsScreen, parse_filter
from ipreader.tui.screens.notes_form import NotesFormScreen
from ipreader.tui.screens.picker import PickerScreen
from ipreader.tui.session import DocumentStats
from ipreader.tui.widgets.choice_row import ChoiceRow
from ipreader.tui.widgets.document_list import document_prompt
from ipreader.tui.widgets.tag_input import TagSuggester

SIZE = (80, 24)
TEXT = "Call me Ishmael. Some years ago, never mind how long precisely, I went to sea."


class Host(StyledApp):
    """Pushes one screen at mount and records what it is dismissed with."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.modal = screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.modal, self.results.append)


def annotation(**changes: Any) -> Annotation:
    """A highlight of "Some years ago" in TEXT."""
    start = TEXT.index("Some years ago")
    return Annotation.create(TEXT, start, start + len("Some years ago"), "moby.txt", **changes)


# -- tag suggestions ---------------------------------------------------------------------------


async def test_tag_suggester_completes_last_item_case_insensitively() -> None:
    suggester = TagSuggester(["Philosophy", "physics", "sea"])
    assert await suggester.get_suggestion("ph") == "Philosophy"
    assert await suggester.get_suggestion("sea, PHY") == "sea, physics"
    # Already present earlier in the list: not offered again.
    assert await suggester.get_suggestion("physics, ph") == "physics, Philosophy"
    assert await suggester.get_suggestion("philosophy, physics, ph") is None
    assert await suggester.get_suggestion("sea, ") is None
    assert await suggester.get_suggestion("x") is None


# -- annotation editor -------------------------------------------------------------------------


async def test_editor_saves_note_tags_and_colour() -> None:
    app = Host(AnnotationEditor(annotation(), ["Whaling", "sea"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, TextArea)  # focus starts in the note
        await pilot.press(*"first line", "enter", *"second")
        await pilot.press("tab")
        assert isinstance(app.focused, Input)
        await pilot.press(*"wha", "right", *", ocean ,  OCEAN, sea")
        await pilot.press("tab")
        assert isinstance(app.focused, ChoiceRow)
        await pilot.press("right", "right")  # yellow -> green -> blue
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [
        EditorResult(note="first line\nsecond", tags=("Whaling", "ocean", "sea"), color="blue")
    ]


async def test_editor_keeps_existing_values_and_cancels() -> None:
    existing = annotation(note="kept", tags=["a", "b"], color="pink")
    app = Host(AnnotationEditor(existing, []))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#note", TextArea).text == "kept"
        assert screen.query_one("#tags", Input).value == "a, b"
        assert screen.query_one("#color", ChoiceRow).value == "pink"
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_editor_shows_markup_in_quote_literally() -> None:
    text = "a [bold]not bold[/bold] and [link=x]y[/] z"
    app = Host(AnnotationEditor(Annotation.create(text, 0, len(text), "d.txt"), []))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        quote = app.screen.query_one(".dialog-quote")
        assert str(quote.render()) == text
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [EditorResult(note="", tags=(), color="yellow")]


async def test_colour_row_digit_keys_and_click() -> None:
    app = Host(AnnotationEditor(annotation(), []))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        row = app.screen.query_one("#color", ChoiceRow)
        row.focus()
        await pilot.press("5")
        assert row.value == "purple"
        await pilot.press("right")  # wraps around
        assert row.value == "yellow"
        await pilot.click(".choice-green")
        assert row.value == "green"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results[0].color == "green"


# -- document notes ----------------------------------------------------------------------------


async def test_document_notes_editor_saves_and_cancels() -> None:
    notes = DocumentNotes(tags=("old",), note="")
    app = Host(DocumentNotesEditor("Moby-Dick [draft]", notes, ["novel"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        heading = app.screen.query_one(".dialog-heading")
        assert str(heading.render()) == "Moby-Dick [draft]"
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"about whales", "tab", "end", *", nov", "right", "ctrl+s")
        await pilot.pause()
        assert app.results == [DocumentNotes(tags=("old", "novel"), note="about whales")]
        app.push_screen(DocumentNotesEditor("t", notes, []), app.results.append)
        await pilot.pause()
        await pilot.press("x", "escape")
        await pilot.pause()
    assert app.results[1] is None


# -- help --------------------------------------------------------------------------------------


BINDINGS = [
    ("", "Reading"),
    ("↑ ↓", "Move the cursor"),
    ("h", "Highlight the selection"),
    ("", "Finding"),
    ("/", "Find in the document"),
    ("[", "A bracket [b]key[/b]"),
]


async def test_help_lists_every_binding_grouped() -> None:
    app = Host(HelpScreen(BINDINGS))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        keys = [str(label.render()) for label in screen.query(".help-key").results(Label)]
        descriptions = [str(label.render()) for label in screen.query(".help-description")]
        groups = [str(label.render()) for label in screen.query(".help-group")]
        assert keys == ["↑ ↓", "h", "/", "["]
        assert descriptions[-1] == "A bracket [b]key[/b]"
        assert groups == ["Reading", "Finding"]
        await pilot.press("q")
        await pilot.pause()
        assert app.results == [None]
        for key in ("escape", "question_mark"):
            app.push_screen(HelpScreen(BINDINGS), app.results.append)
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
    assert app.results == [None, None, None]


# -- export ------------------------------------------------------------------------------------


def test_with_format_suffix() -> None:
    assert with_format_suffix("/tmp/notes.json", "markdown") == "/tmp/notes.md"
    assert with_format_suffix("/tmp/notes.md", "w3c") == "/tmp/notes.jsonld"
    assert with_format_suffix("/tmp/notes", "json") == "/tmp/notes.json"
    assert with_format_suffix("/tmp/notes.txt", "json") == "/tmp/notes.txt"
    assert with_format_suffix("", "json") == ""


async def test_export_format_changes_extension(tmp_path: Path) -> None:
    app = Host(ExportScreen(tmp_path / "ipreader-export.json"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        path_input = app.screen.query_one("#path", Input)
        assert app.focused is path_input
        app.screen.query_one("#format", ChoiceRow).focus()
        await pilot.press("right", "right")  # json -> w3c -> markdown
        await pilot.pause()
        assert path_input.value == str(tmp_path / "ipreader-export.md")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [ExportRequest("markdown", tmp_path / "ipreader-export.md")]


async def test_export_empty_path_shows_error_then_typed_path_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    app = Host(ExportScreen(tmp_path / "out.md"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#format", ChoiceRow).value == "markdown"
        path_input = app.screen.query_one("#path", Input)
        path_input.value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = app.screen.query_one("#error", Label)
        assert app.results == []
        assert error.display and "Enter a file" in str(error.render())
        await pilot.press("ctrl+s")  # still empty: still refused
        await pilot.pause()
        assert app.results == []
        await pilot.press(*"~/x.json")
        await pilot.pause()
        assert not error.display  # editing clears the error
        await pilot.press("enter")
        await pilot.pause()
    # The typed extension chose its format (markdown was written into x.json before).
    assert app.results == [ExportRequest("json", tmp_path / "x.json")]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("~nosuchuser-ipreader/x.json", "No such user: '~nosuchuser-ipreader'."),
        ("a" * 300 + ".json", "That path cannot be used: File name too long."),
        ("x\0y.json", "A file name cannot hold a NUL character."),
    ],
)
async def test_a_path_that_cannot_be_used_is_said_in_the_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, said: str
) -> None:
    """Each of these raised out of the dialog and closed the app."""
    monkeypatch.chdir(tmp_path)
    app = Host(ExportScreen(tmp_path / "ipreader-export.json"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#path", Input).value = typed
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        assert str(app.screen.query_one("#error", Label).render()) == said


async def test_typing_a_formats_extension_chooses_that_format(tmp_path: Path) -> None:
    """``listed.csv`` typed with json chosen: JSON was written into the ``.csv`` file."""
    app = Host(ExportScreen(tmp_path / "ipreader-export.json"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        path_input = app.screen.query_one("#path", Input)
        path_input.value = ""
        await pilot.press(*str(tmp_path / "listed.csv"))
        await pilot.pause()
        assert app.screen.query_one("#format", ChoiceRow).value == "csv"
        assert path_input.value == str(tmp_path / "listed.csv")
        path_input.value = str(tmp_path / "notes.txt")  # not an export extension: kept as is
        await pilot.pause()
        assert app.screen.query_one("#format", ChoiceRow).value == "csv"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [ExportRequest("csv", tmp_path / "notes.txt")]


async def test_export_asks_before_replacing_a_file_and_offers_scopes(tmp_path: Path) -> None:
    existing = tmp_path / "notes.json"
    existing.write_text("keep me", encoding="utf-8")
    app = Host(ExportScreen(existing, scopes=("all", "listed", "article")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        scope = app.screen.query_one("#scope", ChoiceRow)
        assert scope.value == "all" and "this article" in str(scope.query(Label).last().render())
        scope.value = "article"
        await pilot.press("enter")
        await pilot.pause()
        error = app.screen.query_one("#error", Label)
        assert app.results == [] and "enter again to replace" in str(error.render())
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [ExportRequest("json", existing, "article")]
    assert existing.read_text(encoding="utf-8") == "keep me"  # the dialog itself writes nothing


async def test_export_refuses_a_folder_and_escape_cancels(tmp_path: Path) -> None:
    app = Host(ExportScreen(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        assert "folder" in str(app.screen.query_one("#error", Label).render())
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


# -- highlights --------------------------------------------------------------------------------


def info(title: str, relpath: str = "a.txt") -> DocumentInfo:
    """A readable document's metadata (no file needed by the highlights screen)."""
    root = Path("/library")
    return DocumentInfo(
        path=root / relpath,
        relpath=relpath,
        root=root,
        title=title,
        date=None,
        words=10,
        reading_minutes=1,
        sha256="0" * 64,
        encoding="utf-8",
        size=100,
        mtime_ns=0,
        error=None,
    )


def highlight(quote: str, **changes: Any) -> Annotation:
    """A highlight whose quote is the whole (tiny) text."""
    return Annotation.create(quote, 0, len(quote), "a.txt", **changes)


WHALES = info("On Whales", "whales.txt")
SEA = info("The Sea [notes]", "sea.txt")
ENTRIES = [
    (WHALES, highlight("The whale is a mammal", tags=["Biology", "whales"], color="blue")),
    (WHALES, highlight("Ahab wanted revenge", note="obsession", tags=["character"])),
    (SEA, highlight("Salt water everywhere", tags=["biology"], color="green")),
    (SEA, highlight("Waves [and] tides", note="  ", color="blue")),
]


def test_parse_filter_terms_combine_with_and() -> None:
    def shown(query: str) -> list[str]:
        predicates = parse_filter(query)
        return [
            annotation.quote
            for document, annotation in ENTRIES
            if all(
                predicate(HighlightsScreen.index_entry((document, annotation)))
                for predicate in predicates
            )
        ]

    everything = [annotation.quote for _, annotation in ENTRIES]
    assert shown("") == everything
    assert shown("tag:BIOLOGY") == ["The whale is a mammal", "Salt water everywhere"]
    assert shown("tag:bio") == []  # a tag matches whole, not as a prefix
    assert shown("color:blue") == ["The whale is a mammal", "Waves [and] tides"]
    assert shown("has:note") == ["Ahab wanted revenge"]  # a blank note is no note
    assert shown("OBSESSION") == ["Ahab wanted revenge"]  # note text, any case
    assert shown("sea") == ["Salt water everywhere", "Waves [and] tides"]  # document title
    assert shown("tag:biology color:green") == ["Salt water everywhere"]
    assert shown("tag:biology water whale") == []
    assert shown('"salt water"') == ["Salt water everywhere"]
    assert shown('"salt water') == ["Salt water everywhere"]  # unclosed quote: to the end
    assert shown("ahab's") == []  # an apostrophe is text, not a quote


def test_filter_by_status_creator_and_document_tags() -> None:
    from ipreader.core.model import AnchorStatus

    entries = [
        (WHALES, highlight("Moved along", creator="Ada").edited(status=AnchorStatus.MOVED)),
        (WHALES, highlight("Roughly here").edited(status=AnchorStatus.FUZZY)),
        (SEA, highlight("Gone away", creator="Ben").edited(status=AnchorStatus.ORPHANED)),
        (SEA, highlight("Policy bit", tags=["policy/patents"])),
    ]
    tags = {SEA.path: ("oceans",)}

    def shown(query: str) -> list[str]:
        predicates = parse_filter(query)
        return [
            annotation.quote
            for document, annotation in entries
            if all(
                predicate(
                    HighlightsScreen.index_entry(
                        (document, annotation), tags.get(document.path, ())
                    )
                )
                for predicate in predicates
            )
        ]

    assert shown("status:moved") == ["Moved along"]
    assert shown("status:approximate") == shown("status:fuzzy") == ["Roughly here"]
    assert shown("status:notfound") == ["Gone away"]
    assert shown("by:ada") == ["Moved along"]
    assert shown("tag:oceans") == ["Gone away", "Policy bit"]  # the document's own tag
    assert shown("tag:policy") == ["Policy bit"]  # a parent matches its children
    assert shown("patents") == ["Policy bit"]  # plain words match tags


async def test_highlight_rows_show_the_whole_quote_the_note_and_where() -> None:
    long_quote = " ".join(f"word{n}" for n in range(40))
    entry = (WHALES, highlight(long_quote, note="why it matters", tags=["t"]))
    app = Host(HighlightsScreen([entry, *ENTRIES]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#results", OptionList)
        row = str(options.get_option_at_index(0).prompt)
        assert "word39" in row and "✎ why it matters" in row
        assert "On Whales" in row and "#t" in row
        status = app.screen.query_one("#status", Label)
        assert "by document and position" in str(status.render())
        await pilot.press("ctrl+o")  # by date, newest first
        await pilot.pause()
        assert "by date" in str(status.render())
        await pilot.press("ctrl+o")  # by colour: yellow first
        await pilot.pause()
        first = str(options.get_option_at_index(0).prompt)
        assert "Ahab" in first or "word0" in first


@pytest.mark.parametrize(
    ("make", "opaque"),
    [
        (lambda: HighlightsScreen(ENTRIES), True),
        (lambda: CorpusFindScreen([]), True),
        (lambda: HelpScreen(BINDINGS), False),
    ],
)
async def test_list_screens_are_opaque_and_dialogs_dim_the_screen_under_them(
    make: Any, opaque: bool
) -> None:
    # A list screen redraws at every key typed in it, and Textual draws a translucent
    # modal's backdrop by drawing the screen under it again: the list screens hide it.
    app = Host(make())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert (app.screen.styles.background.a == 1.0) is opaque


async def test_highlights_filter_and_choose_with_enter() -> None:
    app = Host(HighlightsScreen(ENTRIES))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#results", OptionList)
        assert options.option_count == 4
        assert isinstance(app.focused, Input)
        await pilot.press(*"tag:biology")
        await pilot.pause(0.3)  # the filter is debounced
        assert options.option_count == 2
        assert "2 of 4" in str(app.screen.query_one("#status", Label).render())
        await pilot.press("down", "enter")  # down moves the list while typing
        await pilot.pause()
    assert app.results == [ENTRIES[2]]


async def test_highlights_enter_applies_pending_filter_and_click_chooses() -> None:
    app = Host(HighlightsScreen(ENTRIES))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"has:note", "enter")  # enter before the debounce fires
        await pilot.pause()
        assert app.results == [ENTRIES[1]]
        app.push_screen(HighlightsScreen(ENTRIES), app.results.append)
        await pilot.pause()
        options = app.screen.query_one("#results", OptionList)
        options.focus()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.results[1] == ENTRIES[2]
        app.push_screen(HighlightsScreen(ENTRIES), app.results.append)
        await pilot.pause()
        await pilot.press(*"zzz", "enter")  # nothing matches: nothing chosen
        await pilot.pause()
        assert len(app.results) == 2
        await pilot.press("escape")
        await pilot.pause()
    assert app.results[2] is None


async def rows_listed(pilot: Pilot[None]) -> None:
    """Wait until the highlights screen's rows have all come (no fill of them running)."""
    while any(w.group == FILL_GROUP and w.is_running for w in pilot.app.workers):
        await pilot.pause(0.01)


async def test_highlights_many_entries_are_capped() -> None:
    many = [
        (WHALES, highlight(f"quote number {n}", color=COLORS[n % len(COLORS)]))
        for n in range(20_000)
    ]
    app = Host(HighlightsScreen(many))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HighlightsScreen)
        options = screen.query_one("#results", OptionList)
        await rows_listed(pilot)
        last = options.get_option_at_index(options.option_count - 1)
        assert last.disabled and "+19,500 more" in str(last.prompt)
        assert options.option_count == MAX_ROWS + 1  # the rows, then "+N more"
        options.focus()
        await pilot.press("end")  # the last row that can be chosen ...
        await pilot.pause()
        assert options.highlighted == MAX_ROWS - 1
        assert options.scroll_y == options.max_scroll_y  # ... and the "+N more" line under it
        screen.query_one("#filter", Input).focus()
        screen.apply_filter("quote")
        # The first rows are listed at once, the rest a slice per turn of the event loop.
        assert options.option_count == ROWS_PER_TURN and options.highlighted == 0
        await rows_listed(pilot)
        assert options.option_count == MAX_ROWS + 1
        screen.apply_filter("quote")
        screen.apply_filter("number 1999")  # 1999, 11999 and 19990..19999: all at once
        assert options.option_count == 12
        await rows_listed(pilot)
        assert options.option_count == 12  # no row of the filter before it came after
        screen.apply_filter('"number 1999"')  # a phrase: 1999 and 19990..19999
        assert options.option_count == 11
        screen.apply_filter("color:pink quote")
        screen.apply_filter("color:pink quote")  # again before the first one's rows came
        await rows_listed(pilot)
        assert options.option_count == MAX_ROWS + 1  # once: the older fill was cancelled
        assert "+3,500 more" in str(options.get_option_at_index(MAX_ROWS).prompt)
        ids = [options.get_option_at_index(n).id for n in range(MAX_ROWS)]
        assert len(set(ids)) == MAX_ROWS


# -- corpus find -------------------------------------------------------------------------------


async def test_corpus_find_lists_matches_and_opens_one(tmp_path: Path) -> None:
    files = {
        "one.txt": "Whales\n\nThe white whale swam.\n",
        "two.txt": "Ships\n\nNo whales here, only [b]ships[/b].\n",
        "three.txt": "Birds\n\nAlbatross over the White Sea, white birds.\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    documents = [load_info(tmp_path, tmp_path / name) for name in sorted(files)]
    app = Host(CorpusFindScreen(documents))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CorpusFindScreen)
        await pilot.press(*"white")
        await pilot.pause(0.6)  # typing searches after a pause
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#status", Label).render())
        assert status == "3 matches in 2 documents"
        options = screen.query_one("#results", OptionList)
        assert options.option_count == 3
        prompt = options.get_option_at_index(1).prompt
        assert isinstance(prompt, Text)
        emphasised = [prompt.plain[span.start : span.end] for span in prompt.spans if span.style]
        assert "White" in emphasised  # the match itself is emphasised
        assert "White Sea" in prompt.plain
        await pilot.press("down", "down", "enter")  # the arrows move the list from the input
        await pilot.pause()
    [match] = app.results
    assert isinstance(match, CorpusMatch)
    assert match.document.relpath == "three.txt"
    assert files["three.txt"][match.start : match.end] == "white"


async def test_corpus_find_enter_searches_and_opens_the_first_match(tmp_path: Path) -> None:
    text = "Birds\n\nwhite birds over the White Sea.\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    app = Host(CorpusFindScreen([load_info(tmp_path, tmp_path / "a.txt")]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Smart case: a capital makes the search case-sensitive.
        await pilot.press(*"White", "enter")  # before the typing pause ends
        await app.workers.wait_for_complete()
        await pilot.pause()
    [match] = app.results
    assert isinstance(match, CorpusMatch)
    assert text[match.start : match.end] == "White"
    assert match.start == text.index("White Sea")


async def test_corpus_find_searches_while_typing_and_cancels(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title\n\nneedle in a haystack\n", encoding="utf-8")
    documents = [load_info(tmp_path, tmp_path / "a.txt")]
    app = Host(CorpusFindScreen(documents))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CorpusFindScreen)
        await pilot.press(*"needle")
        await pilot.pause(0.6)  # the typing delay, then the search
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(screen.matches) == 1
        await pilot.press("ctrl+u", *"absent", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.matches == []
        assert str(screen.query_one("#status", Label).render()) == "0 matches in 0 documents"
        await pilot.press("enter")  # no result to open
        await pilot.pause()
        assert app.results == []
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_corpus_find_says_where_it_stopped_at_the_limit(tmp_path: Path) -> None:
    # Two matches an article: the 500th is in the 250th article, and the search stops there.
    for n in range(300):
        (tmp_path / f"{n:03d}.txt").write_text(f"T{n}\n\nwhale and whale\n", encoding="utf-8")
    documents = [load_info(tmp_path, path) for path in sorted(tmp_path.glob("*.txt"))]
    app = Host(CorpusFindScreen(documents))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CorpusFindScreen)
        await pilot.press(*"whale", "tab")  # tab: the list, so enter opens nothing early
        await pilot.pause(0.6)  # the typing delay, then the search
        while screen.searching:
            await pilot.pause(0.05)
        assert len(screen.matches) == MATCH_LIMIT == 500
        assert str(screen.query_one("#status", Label).render()) == (
            "first 500 matches, in 250 documents (stopped at 250 of 300: type more to narrow)"
        )


async def test_corpus_find_lists_many_matches_in_order_and_a_new_search_replaces_them(
    tmp_path: Path,
) -> None:
    # 160 matches, more than a slice: the rows beyond the first one come a slice at a time.
    for n in range(80):
        text = f"Title {n}\n\nthe whale and the whale again\n"
        (tmp_path / f"{n:02d}.txt").write_text(text, encoding="utf-8")
    documents = [load_info(tmp_path, path) for path in sorted(tmp_path.glob("*.txt"))]
    app = Host(CorpusFindScreen(documents))

    async def search(query: str) -> list[str | None]:
        """Type ``query`` over the last one; the ids of the rows once all are listed."""
        await pilot.press("ctrl+u", *query)
        await pilot.pause(0.6)  # the typing delay, then the search
        await app.workers.wait_for_complete()
        while screen.searching or any(w.group == LIST_GROUP for w in app.workers):
            await pilot.pause(0.01)
        options = screen.query_one("#results", OptionList)
        return [options.get_option_at_index(n).id for n in range(options.option_count)]

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CorpusFindScreen)
        assert await search("whale") == [str(n) for n in range(160)]
        assert len(screen.matches) == 160
        assert await search("again") == [str(n) for n in range(80)]
        assert all("again" in match.context for match in screen.matches)
        assert screen.query_one("#results", OptionList).highlighted == 0


# -- shared bases ------------------------------------------------------------------------------


class Fruits(PickerScreen[str]):
    """The smallest picker: an input over three fruits and an inert line without an id."""

    FRUITS = ("apple", "pear", "plum")

    def compose(self) -> ComposeResult:
        yield Input(id="query")
        yield OptionList(
            *(Option(fruit, id=str(n)) for n, fruit in enumerate(self.FRUITS)),
            Option("+1 more"),
            id="results",
        )

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    def option_value(self, option_id: str) -> str:
        return self.FRUITS[int(option_id)]

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.open_highlighted()


async def test_picker_base_chooses_by_id_and_moves_from_the_input() -> None:
    app = Host(Fruits())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "up", "enter")  # the arrows move the list
        await pilot.pause()
        assert app.results == ["pear"]
        app.push_screen(Fruits(), app.results.append)
        await pilot.pause()
        app.screen.query_one("#results", OptionList).highlighted = 3
        await pilot.press("enter")  # the id-less last line is inert
        await pilot.pause()
        assert app.results == ["pear"]
        app.screen.query_one("#results", OptionList).focus()
        await pilot.press("home", "enter")  # enter in the list itself
        await pilot.pause()
        assert app.results == ["pear", "apple"]
        app.push_screen(Fruits(), app.results.append)
        await pilot.pause()
        app.screen.query_one("#results", OptionList).highlighted = None
        await pilot.press("enter", "escape")  # nothing highlighted: nothing chosen
        await pilot.pause()
    assert app.results == ["pear", "apple", None]


class Memo(NotesFormScreen[tuple[str, tuple[str, ...]]]):
    """The smallest notes form: the two fields alone, saved as ``(note, tags)``."""

    def compose(self) -> ComposeResult:
        yield from self.compose_note_fields("line", ["a"])

    def saved(self) -> tuple[str, tuple[str, ...]]:
        return self.note_text, self.tag_values


async def test_notes_form_base_types_at_the_note_end_and_saves() -> None:
    app = Host(Memo(["Beta"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"s", "tab", "end", *", b", "right", "ctrl+s")
        await pilot.pause()
        assert app.results == [("lines", ("a", "Beta"))]
        app.push_screen(Memo(), app.results.append)
        await pilot.pause()
        await pilot.press("x", "escape")
        await pilot.pause()
    assert app.results[1] is None


def test_a_list_entry_counts_highlights_with_thousands_separated(tmp_path: Path) -> None:
    (tmp_path / "book.txt").write_text("A book\n\nIts text.\n", encoding="utf-8")
    info = load_info(tmp_path, tmp_path / "book.txt")
    prompt = document_prompt(info, DocumentStats(highlights=20_000))
    assert "20,000✎" in prompt.details[0]


def test_a_missing_articles_entry_says_so_and_counts_what_it_keeps(tmp_path: Path) -> None:
    """The reason ("missing: moved or deleted; its highlights are kept") did not fit a list
    of 47 columns: the row showed a dim title alone, like an empty readable article."""
    from ipreader.core.relink import MISSING_REASON

    (tmp_path / "gone.txt").write_text("Gone\n\nIts text.\n", encoding="utf-8")
    info = replace(load_info(tmp_path, tmp_path / "gone.txt"), error=MISSING_REASON)
    prompt = document_prompt(info, DocumentStats(highlights=4))
    assert prompt.dim
    assert prompt.details[0] == f"({MISSING_REASON}) 4✎"
    row = prompt.layout(45).plain
    assert "(missing) 4✎" in row and row.startswith("Gone")
    assert "4✎" in prompt.layout(20).plain
