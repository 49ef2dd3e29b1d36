"""Where the benchmarks, the repository and the benchmarks' scratch output live."""

from __future__ import annotations

from pathlib import Path

#: The ``bench/`` folder.
BENCH_DIR = Path(__file__).resolve().parent.parent
#: The repository's root (the benchmarks run from here: ``python -m bench.NAME``).
REPO = BENCH_DIR.parent
#: Scratch data and JSON dumps (git-ignored).
OUT_DIR = BENCH_DIR / "out"
#: The developer's virtualenv interpreter, when there is one.
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
