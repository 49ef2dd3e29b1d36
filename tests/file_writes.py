"""Watching what a store writes: every atomic write ends in one ``os.replace``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


def replaced_files(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record the path of every file replaced on disk from now on (the test's lifetime)."""
    replaced: list[Path] = []
    real_replace = os.replace

    def spy(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        replaced.append(Path(target))
        real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", spy)
    return replaced
