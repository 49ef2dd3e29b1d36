"""Running the CLI in a fresh interpreter, to see which modules a command imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ipreader.core import paths


def textual_modules_imported(argv: list[str], data_dir: Path) -> list[str]:
    """Run ``ipreader argv`` in a new interpreter; return the ``textual`` modules it imported.

    Fails (``AssertionError``) when the command does not exit 0.
    """
    code = (
        "import sys\n"
        "from ipreader.cli import main\n"
        f"code = main({argv!r})\n"
        "leaked = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "sys.stderr.write('LEAKED:' + ','.join(leaked) + '\\n')\n"
        "raise SystemExit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, paths.DATA_DIR_ENV: str(data_dir)},
    )
    assert result.returncode == 0, result.stderr
    leaked = result.stderr.rsplit("LEAKED:", 1)[1].strip()
    return leaked.split(",") if leaked else []
