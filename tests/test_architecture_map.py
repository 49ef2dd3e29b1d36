"""ARCHITECTURE.md names every module of the package, and its map only modules that exist.

The map (its first code block) lists the top-level modules and packages; the
packages' own modules are named there or in the package's section below it.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ipreader"

# Named in the map as one list: "one widget per module: panes (...), document_list ...".
LISTED_BY_NAME = ("tui/widgets", "tui/screens")


def module_map() -> str:
    """The first code block of ARCHITECTURE.md: the module map."""
    return (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8").split("```", 2)[1]


def test_every_module_is_named() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    words = set(re.findall(r"[A-Za-z_0-9]+(?:\.py)?", text))
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if path.name == "__init__.py" and relative != "__init__.py":
            continue  # a package is named by its folder
        named = path.name in words or (relative.startswith(LISTED_BY_NAME) and path.stem in words)
        if not named:
            missing.append(relative)
    assert missing == [], f"modules ARCHITECTURE.md does not name: {missing}"


def test_every_module_the_map_names_exists() -> None:
    modules = {path.name for path in PACKAGE.rglob("*.py")}
    named = set(re.findall(r"\b([a-z_0-9]+\.py)\b", module_map()))
    tests = {name for name in named if name.startswith("test_")}
    assert tests <= {path.name for path in (ROOT / "tests").glob("test_*.py")}
    assert sorted(named - tests - modules) == []
