"""The README's key table names every letter key of the main screen."""

from __future__ import annotations

import re
from pathlib import Path

from ipreader.tui.screens.main import MainScreen

README = Path(__file__).resolve().parent.parent / "README.md"


def key_table_keys() -> set[str]:
    """Every key named in the first column of the README's "Key bindings" table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Key bindings", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| Keys") or line.startswith("|---"):
            continue
        first = line.split("|")[1]
        # "g / G, Ctrl+Home / Ctrl+End", "n / N, Enter": keys are split by "/" and ",".
        keys.update(part.strip() for part in re.split(r"[/,]", first) if part.strip())
    return keys


def test_every_letter_binding_of_the_main_screen_is_in_the_readme() -> None:
    letters = {
        binding.key
        for binding in MainScreen.BINDINGS
        if hasattr(binding, "key") and len(binding.key) == 1 and binding.key.isalpha()
    }
    assert {"a", "R", "C", "T"} <= letters  # the check reads the real bindings
    missing = sorted(letters - key_table_keys())
    assert missing == [], f"keys bound on the main screen but not in README's key table: {missing}"


def test_the_key_table_is_read_as_keys() -> None:
    keys = key_table_keys()
    assert {"a", "e", "d", "u", "?", "q"} <= keys
    assert "Keys" not in keys
