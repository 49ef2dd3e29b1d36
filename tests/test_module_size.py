"""A module over 450 lines says, atop its docstring, why it is one idea (GUIDE: small modules)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ipreader"

#: Lines past which a module is usually two ideas (GUIDE, principle 10).
LONG = 450

LONG_MODULES = sorted(
    path
    for path in PACKAGE.rglob("*.py")
    if len(path.read_text(encoding="utf-8").splitlines()) > LONG
)


def test_some_modules_are_long() -> None:
    # Guards the parametrisation below against finding nothing (a moved package).
    assert LONG_MODULES


@pytest.mark.parametrize("path", LONG_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_long_module_says_why(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    paragraphs = docstring.split("\n\n")
    reason = next((p for p in paragraphs[1:3] if p.startswith("(Over ")), None)
    assert reason is not None, f"{path.name}: over {LONG} lines, and no '(Over N lines: why)'"
    assert "lines:" in reason
