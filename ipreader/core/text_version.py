"""Which version of an article's text a highlight was made on, and whether it is still there.

A highlight's offsets mean something only against the text they were taken
from. The app remembers the ``TextVersion`` of the text it shows; a save
checks it against the file first (``check_current``) and refuses with
``StaleTextError`` when the file changed underneath, so a highlight is never
stored against a text that is no longer the article's. The check is a
``stat`` while size and modification time match, a hash only when they differ
(a ``touch`` is not an edit).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ipreader.core.documents import DocumentText, read_bytes
from ipreader.core.errors import DocumentError, StoreError


class StaleTextError(StoreError):
    """The article changed on disk after the text a change was made on was read."""


@dataclass(frozen=True, slots=True)
class TextVersion:
    """The identity of one read of an article: its hash, size and modification time."""

    sha256: str
    """Hex sha256 of the bytes read."""
    size: int
    """Their size in bytes."""
    mtime_ns: int
    """The file's modification time when read (ns)."""

    @classmethod
    def of(cls, document: DocumentText) -> TextVersion:
        """Return the version of a text ``documents.read_document`` read."""
        return cls(document.sha256, document.size, document.mtime_ns)

    def looks_unchanged(self, path: Path) -> bool | None:
        """Compare with a ``stat`` only: True/False, ``None`` when the file is gone or unreadable.

        A changed size or time is a hint, not a proof (see ``is_current``).
        """
        try:
            info = os.stat(path)
        except OSError:
            return None
        return info.st_size == self.size and info.st_mtime_ns == self.mtime_ns

    def is_current(self, path: Path) -> bool:
        """True when ``path`` still holds exactly the bytes this version was read from."""
        unchanged = self.looks_unchanged(path)
        if unchanged is None:
            return False
        if unchanged:
            return True
        try:
            data, _ = read_bytes(path)
        except DocumentError:
            return False
        return hashlib.sha256(data).hexdigest() == self.sha256


def check_current(path: Path, version: TextVersion) -> None:
    """Raise ``StaleTextError`` unless ``path`` still holds the text of ``version``."""
    if version.is_current(path):
        return
    if not path.exists():
        raise StaleTextError(
            f"{path} is no longer there (moved or deleted); nothing was saved against it"
        )
    raise StaleTextError(
        f"{path} changed on disk after it was read; nothing was saved. The article "
        "is reloaded: make the change again on the new text"
    )
