"""Every screen of the app, opened on hostile data in a real pty, draws it literally.

``test_terminal_safety.py`` covers the main screen and the editors; here each
other screen (every highlight, find in all articles, export, help, reports,
review, codebook) is opened over an article whose title, note, tags and an
orphaned quote carry OSC 52 (clipboard), OSC 0 (title), C1 CSI and OSC 8
sequences. None may reach the terminal raw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipreader.core import paths
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation
from reliability.terminal import Terminal, run_env
from reliability.test_terminal_safety import (
    DRAIN,
    HOSTILE_TITLE,
    assert_no_user_sequences,
    hostile_folder,
    shown_text,
)

#: Each screen: the keys that open it (then typed text, if any), a text its frame shows,
#: and whether it shows the article's hostile text (then the ESC must appear as "␛").
SCREENS: dict[str, tuple[tuple[str, ...], bytes, bool]] = {
    "highlights": (("h",), b"Highlights", True),
    "find in all": (("f", *"Evil"), b"Find in all documents", True),
    "export": (("x",), b"Export annotations", False),
    "help": (("?",), b"Keys", False),
    "reports": (("R",), b"Reports", True),
    "review": (("r",), b"Review", True),
    "codebook": (("T",), b"Codebook", True),
}


def with_orphan(folder: Path) -> Path:
    """Add a highlight whose hostile quote is no longer in the text (the review shows it)."""
    library = Library.open([folder])
    [info] = library.documents()
    quote = f"Gone: {HOSTILE_TITLE}"
    orphan = Annotation.create(quote, 0, len(quote), "evil.txt", note=HOSTILE_TITLE)
    library.store_for(info).save_annotation(orphan.edited(status=AnchorStatus.ORPHANED))
    return folder


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_screen_shows_hostile_text_literally(tmp_path: Path, screen: str) -> None:
    keys, frame, shows_data = SCREENS[screen]
    folder = with_orphan(hostile_folder(tmp_path / "articles", HOSTILE_TITLE))
    env = run_env(paths.user_data_dir())
    with Terminal([str(folder / "evil.txt")], env, size=(140, 40)) as terminal:
        terminal.wait_for(b"Body")
        terminal.read(timeout=DRAIN)  # bounded: see DRAIN
        before = len(terminal.output)
        terminal.press(*keys)
        terminal.wait_for(frame)
        terminal.read(quiet=1.0, timeout=DRAIN)
        output = bytes(terminal.output[before:])
        terminal.press("escape")
    assert_no_user_sequences(output)
    # Not vacuous: a screen that shows the article's text shows its ESC as a symbol.
    assert "␛" in shown_text(output) or not shows_data
