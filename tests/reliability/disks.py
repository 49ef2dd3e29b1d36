"""A folder that cannot be written, simulated: every create or mkdir under it fails."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


@contextmanager
def unwritable(monkeypatch: pytest.MonkeyPatch, *folders: Path) -> Iterator[None]:
    """Within the block, every create/mkdir under ``folders`` fails with EACCES.

    As on a read-only disk or folder, without needing one (tests run as root too,
    where ``chmod`` does not stop a write). Reads are untouched.
    """
    real_open, real_mkdir = os.open, os.mkdir

    def denied(path: Any) -> bool:
        return any(Path(path).is_relative_to(folder) for folder in folders)

    def guarded_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and denied(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if denied(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_mkdir(path, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", guarded_open)
        patch.setattr(os, "mkdir", guarded_mkdir)
        yield
