"""No byte of an article ever reaches the terminal as a control sequence.

* the reading pane: every visible row of a text full of ESC/CSI/OSC, C0, DEL,
  C1, BiDi controls and Rich markup is rendered with ``render_line`` and
  checked segment by segment;
* the whole app: the bytes ``python -m ipreader`` writes to a real pty
  (``reliability/terminal.py``) hold none of the user's sequences, and show
  them as visible symbols;
* the CLI: ``list`` and ``export`` output for hostile titles, paths and quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import StyledApp
from textual.app import ComposeResult

from ipreader.core import paths
from ipreader.core.library import Library
from ipreader.core.model import Annotation, DocumentNotes
from ipreader.tui.reader.pane import HighlightSpan, ReadingPane
from reliability.terminal import Terminal, run_env

KEYS_BY_NAME = {"right_square_bracket": "]"}

#: C0 controls (tab and newline too: the pane expands tabs and rows hold no newline),
#: DEL, C1 controls, BiDi embeddings/overrides/isolates and the directional marks.
C0 = frozenset(chr(code) for code in range(0x20))
C1 = frozenset(chr(code) for code in range(0x7F, 0xA0))
BIDI = frozenset(
    chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x61C)
)
UNSAFE = C0 | C1 | BIDI

HOSTILE_LINE = (
    "Esc \x1b[31mred\x1b[0m clear \x1b[2J alt \x1b[?1049h title \x1b]0;PWNED\x07 "
    "clip \x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07 link \x1b]8;;https://evil\x1b\\y\x1b]8;;\x1b\\ "
    "dcs \x1bP+q\x1b\\ c1 \x9b2J \x9d0;t\x9c bidi \u202egnp.exe\u202c \u2066iso\u2069 "
    "\u200e\u200f\u061c markup [red]x[/red] [bold]b[/] [link=https://x]y[/link] "
    "[@click=app.quit]q[/] tab\there"
)
ALL_CONTROLS = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x0A)
HOSTILE_TEXT = "\n".join(
    [HOSTILE_LINE, ALL_CONTROLS, *(f"{n} {HOSTILE_LINE}" for n in range(60)), ""]
)


def unsafe(text: str) -> set[str]:
    """The terminal-unsafe characters in ``text``."""
    return set(text) & UNSAFE


class PaneApp(StyledApp):
    """Only a reading pane."""

    def compose(self) -> ComposeResult:
        yield ReadingPane()


async def test_reading_pane_never_emits_control_characters() -> None:
    app = PaneApp()
    async with app.run_test(size=(50, 12)) as pilot:
        pane = app.query_one(ReadingPane)
        spans = [
            HighlightSpan(
                "esc", HOSTILE_TEXT.index("\x1b]52"), HOSTILE_TEXT.index(" link"), "pink"
            ),
            HighlightSpan(
                "bidi", HOSTILE_TEXT.index("\u202e"), HOSTILE_TEXT.index(" markup"), "blue"
            ),
            HighlightSpan("ctl", len(HOSTILE_LINE) + 1, len(HOSTILE_LINE) + 20, "green"),
        ]
        pane.load(HOSTILE_TEXT, spans, 0)
        pane.matches = tuple((m.start(), m.end()) for m in re.finditer(r"\[red\]", HOSTILE_TEXT))
        pane.focus()
        pane.select(3, 40)
        await pilot.pause()
        assert pane.is_ready
        shown: list[str] = []
        height = pane.scrollable_content_region.height
        rows = len(pane.index)
        for top in range(0, rows, height):
            pane.scroll_to(y=top, animate=False)
            await pilot.pause()
            for y in range(height):
                strip = pane.render_line(y)
                for segment in strip:
                    assert segment.control is None
                    assert not unsafe(segment.text), (top + y, segment.text)
                    if segment.style is not None:
                        # Article markup never became a link or a click action.
                        assert segment.style.link is None and not segment.style.meta
                shown.append("".join(segment.text for segment in strip))
        assert len(shown) >= rows
        joined = "".join(row.rstrip() for row in shown)
        assert "[red]x[/red]" in joined and "[link=https://x]y[/link]" in joined
        assert "␛[31mred␛[0m" in joined  # ESC drawn as the visible control picture
        assert "tab    here" in joined  # the tab expanded to spaces


# ------------------------------------------------------------------ the whole app

# What Textual itself writes around text: SGR styles, cursor moves and modes. Removed
# before looking for user text, which may be cut by a style change.
_TEXTUAL_CSI = re.compile(rb"\x1b\[[\d;:?<>=]*[A-Za-z]")

HOSTILE_TITLE = (
    "[bold]Evil[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b]0;PWNED\x07 \x9b31m "
    "[link=https://x]y[/link] [/]"
)


def shown_text(output: bytes) -> str:
    """The text of a terminal's output, Textual's own CSI sequences removed."""
    return _TEXTUAL_CSI.sub(b"", output).decode("utf-8", errors="replace")


def assert_no_user_sequences(output: bytes) -> None:
    """The hostile title's sequences never reach the terminal raw."""
    for raw in (b"\x1b]52", b"PWNED\x07", b"\x1b]0;PWNED", b"\xc2\x9b", b"\x1b]8;;https://x"):
        assert raw not in output, raw


def hostile_folder(folder: Path, title: str) -> Path:
    """An article with ``title`` as first line plus a highlight, note and tags full of it."""
    folder.mkdir()
    body = f"{title}\n\nBody [red]x[/red] text \x1b[31mred\x1b[0m and {title} again.\n"
    (folder / "evil.txt").write_text(body, encoding="utf-8")
    library = Library.open([folder])
    [info] = library.documents()
    text, _ = library.load(info)
    store = library.store_for(info)
    start = text.index("Body")
    store.save_annotation(
        Annotation.create(
            text, start, len(text) - 1, "evil.txt", note=f"note {title}", tags=[title[:40]]
        )
    )
    store.set_document_notes("evil.txt", DocumentNotes(tags=(title[:30],), note=title))
    return folder


#: Seconds a drain of what the app writes may last. read() waits for output to come and
#: then stop; once a screen is drawn nothing more comes, and its default (20 s) was spent
#: whole each time: three of these tests took 44 s.
DRAIN = 5.0


def test_app_shows_hostile_titles_and_notes_literally(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path / "articles", HOSTILE_TITLE)
    with Terminal([str(folder)], run_env(paths.user_data_dir()), size=(140, 36)) as terminal:
        terminal.wait_for(b"Body")
        terminal.read(timeout=DRAIN)
        output = bytes(terminal.output)
    assert_no_user_sequences(output)
    text = shown_text(output)
    assert "[bold]Evil[/]" in text and "[link=https://x]y[/link]" in text
    assert "␛[2J␛]52;c;ZXZpbA==␇" in text


@pytest.mark.parametrize("keys", [("right_square_bracket", "e"), ("t",)], ids=["note", "doc"])
def test_editors_show_hostile_notes_and_tags_literally(
    tmp_path: Path, keys: tuple[str, ...]
) -> None:
    """The note editor (e) and the document notes editor (t) fill their fields safely."""
    folder = hostile_folder(tmp_path / "articles", HOSTILE_TITLE)
    with Terminal([str(folder / "evil.txt")], run_env(paths.user_data_dir())) as terminal:
        terminal.wait_for(b"Body")
        terminal.read(timeout=DRAIN)
        before = len(terminal.output)
        terminal.press(*(KEYS_BY_NAME.get(key, key) for key in keys))
        terminal.wait_for(b"ctrl+s save")
        terminal.read(timeout=DRAIN)
        output = bytes(terminal.output[before:])
        terminal.press("escape")
    assert_no_user_sequences(output)
    assert "␛]52;c;ZXZpbA==␇" in shown_text(output)


def test_saving_an_editor_unchanged_keeps_the_note_byte_for_byte(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path / "articles", HOSTILE_TITLE)
    store_before = Library.open([folder]).collections[0].store
    [before] = store_before.annotations("evil.txt")
    with Terminal([str(folder / "evil.txt")], run_env(paths.user_data_dir())) as terminal:
        terminal.wait_for(b"Body")
        terminal.read(timeout=DRAIN)
        terminal.press("]", "e")
        terminal.wait_for(b"ctrl+s save")
        terminal.press("ctrl+s")
        terminal.read()
    [after] = Library.open([folder]).collections[0].store.annotations("evil.txt")
    assert (after.note, after.tags) == (before.note, before.tags)
    assert "\x1b]52" in after.note


def test_app_never_sends_bidi_controls(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path / "articles", "Invoice \u202egnp.exe\u202c \u2066x\u2069")
    with Terminal([str(folder)], run_env(paths.user_data_dir()), size=(140, 36)) as terminal:
        terminal.wait_for(b"Invoice")
        output = bytes(terminal.output) + terminal.read(timeout=DRAIN)
    text = output.decode("utf-8", errors="replace")
    assert not (set(text) & BIDI), sorted(hex(ord(c)) for c in set(text) & BIDI)


def test_notifications_show_user_text_literally(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\n\nBody [/] text [red]x[/red].\n", encoding="utf-8")
    with Terminal([str(folder / "a.txt")], run_env(paths.user_data_dir())) as terminal:
        terminal.wait_for(b"Body")
        terminal.read(timeout=DRAIN)
        # Find "[/]" (enter selects the match), highlight it, delete it, undo.
        terminal.press("/", *"[/]", "enter", "a", "d", "u")
        terminal.wait_for("[/]”".encode())
        output = bytes(terminal.output)
    assert "Undid the deletion of “[/]”" in shown_text(output)


# ------------------------------------------------------------------ the CLI


@pytest.fixture
def cli_folder(tmp_path: Path) -> Path:
    """A hostile title, a hostile file name and a highlight whose quote is all controls."""
    folder = tmp_path / "articles"
    folder.mkdir()
    text = f"{HOSTILE_TITLE} \u202eevil\u202c\n\nQuote: {HOSTILE_LINE}\n"
    (folder / "evil.txt").write_text(text, encoding="utf-8")
    (folder / "name \x1b[2J\x9b1m \u202eexe.txt").write_text("Plain\n\nwords\n", encoding="utf-8")
    library = Library.open([folder])
    info = next(d for d in library.documents() if d.relpath == "evil.txt")
    text, _ = library.load(info)
    start = text.index("Esc")
    store = library.store_for(info)
    store.save_annotation(
        Annotation.create(
            text, start, len(text) - 1, "evil.txt", note=text, tags=["\x1b]52;c;ZXZpbA==\x07t"]
        )
    )
    store.set_document_notes("evil.txt", DocumentNotes(tags=("\x1b[2Jtag",), note="\x9b2J"))
    return folder


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["list", "--json"],
        ["export", "--format", "markdown"],
        ["export", "--format", "csv"],
        ["export"],
        ["tags"],
        ["report"],
        ["report", "--format", "markdown"],
        ["report", "--format", "csv"],
        ["check"],
    ],
    ids=" ".join,
)
def test_cli_output_has_no_raw_control_characters(
    argv: list[str], cli_folder: Path, run_cli: Callable[..., Any]
) -> None:
    result = run_cli(*argv, cli_folder)
    assert result.code == 0, result.err
    line_ends = {"\n", "\r"} if "csv" in argv else {"\n"}  # RFC 4180 rows end in CRLF
    left = unsafe(result.out) - line_ends
    assert not left, sorted(hex(ord(c)) for c in left)
    # Markdown escapes "[" (a "[x]: url" line would make "[x]" a link): shown, not acted on.
    shows_titles = argv[0] in ("list", "export") or (argv[0] == "report" and len(argv) == 1)
    assert "[bold]Evil[/]" in result.out.replace("\\[", "[") or not shows_titles


def test_cli_json_outputs_escape_c0_controls(cli_folder: Path, run_cli: Callable[..., Any]) -> None:
    """JSON escapes every C0 control (ESC included) whatever ``ensure_ascii`` says."""
    for argv in (["list", "--json"], ["export"], ["export", "--format", "w3c"], ["tags", "--json"]):
        result = run_cli(*argv, cli_folder)
        assert result.code == 0, result.err
        assert not (set(result.out) & (C0 - {"\n"})), argv
        assert "\\u001b" in result.out, argv
