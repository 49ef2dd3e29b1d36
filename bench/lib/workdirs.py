"""Temporary folders for benchmark data, and an isolated per-user data directory."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .paths import OUT_DIR


@contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    """A temporary directory (under bench/out when possible, so big data stays ignored)."""
    try:
        OUT_DIR.mkdir(exist_ok=True)
        base: str | None = str(OUT_DIR)
    except OSError:
        base = None
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def isolated_data_dir() -> Iterator[Path]:
    """Point ipreader's per-user data directory (settings, fallback stores) at a temp dir."""
    from ipreader.core.paths import DATA_DIR_ENV

    old = os.environ.get(DATA_DIR_ENV)
    with temp_dir("data-") as path:
        os.environ[DATA_DIR_ENV] = str(path)
        try:
            yield path
        finally:
            if old is None:
                os.environ.pop(DATA_DIR_ENV, None)
            else:
                os.environ[DATA_DIR_ENV] = old
