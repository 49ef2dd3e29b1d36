"""The app tests' folder: a BBC article with one highlight, and a second article."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.pilot import Pilot

from ipreader.core.documents import read_document
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.tui.app import IpreaderApp
from ipreader.tui.screens.main import MainScreen

SIZE = (120, 36)
FIXTURES = Path(__file__).parent / "fixtures" / "bbc"
ARTICLE = FIXTURES / "business" / "1m-payoff-for-former-shell-boss.txt"
QUOTE = "the ex-finance chief who stepped down from her post"


def shell_folder(tmp_path: Path) -> Path:
    """``tmp_path/articles``: ``shell.txt`` with one highlight (``QUOTE``, note "boss"), the
    last document read, and ``spam.txt``."""
    root = tmp_path / "articles"
    root.mkdir()
    shutil.copy(ARTICLE, root / "shell.txt")
    shutil.copy(FIXTURES / "tech" / "freeze-on-anti-spam-campaign.txt", root / "spam.txt")
    document = read_document(root / "shell.txt")
    store = FolderStore.open(root)
    store.reconcile("shell.txt", document.sha256, document.text)
    start = document.text.index(QUOTE)
    store.save_annotation(
        Annotation.create(document.text, start, start + len(QUOTE), "shell.txt", note="boss")
    )
    store.set_last_document("shell.txt")
    return root


def main(pilot: Pilot[None]) -> MainScreen:
    """The app's main screen."""
    app = pilot.app
    assert isinstance(app, IpreaderApp)
    return app.main_screen


def stored(root: Path) -> list[Annotation]:
    """``shell.txt``'s highlights as stored."""
    return FolderStore.open(root).annotations("shell.txt")
