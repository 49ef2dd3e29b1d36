"""The core must be importable without Textual (fast CLI start, clean layering)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ipreader.core


def test_core_modules_never_import_textual() -> None:
    modules = [f"ipreader.core.{m.name}" for m in pkgutil.iter_modules(ipreader.core.__path__)]
    assert "ipreader.core.model" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"core imported textual: {result.stdout}"
