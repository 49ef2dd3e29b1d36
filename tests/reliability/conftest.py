"""Fixtures for the hostile-input reliability tests: CLI runners, deadlines, tree snapshots.

The per-test ``IPREADER_DATA_DIR`` isolation comes from ``tests/conftest.py``
(autouse); ``_data_dir_is_isolated`` below only checks that it is in force, so
a hostile test can never write into a real user's data directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

from ipreader import cli
from ipreader.core import paths

#: Seconds any subprocess started by these tests may take before it counts as hung.
SUBPROCESS_TIMEOUT = 60


@dataclass
class CliResult:
    """Exit code and decoded outputs of one ``ipreader`` run."""

    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _data_dir_is_isolated(
    isolated_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Fail fast if the data-dir isolation of ``tests/conftest.py`` ever stops applying."""
    base = tmp_path_factory.getbasetemp().resolve()
    assert paths.user_data_dir().resolve().is_relative_to(base)


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    """A temp dir an unprivileged user can traverse (pytest's basetemp is mode 0700)."""
    top = Path(tempfile.mkdtemp(prefix="ipreader-nobody-"))
    top.chmod(0o755)
    try:
        yield top
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``ipreader.cli.main(argv)`` in-process and return its exit code and outputs."""

    def run(*argv: str | Path) -> CliResult:
        code = cli.main([str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


@pytest.fixture
def run_cli_process() -> Callable[..., CliResult]:
    """Run ``python -m ipreader ...`` in a subprocess (bounded by ``SUBPROCESS_TIMEOUT``).

    The child inherits the isolated ``IPREADER_DATA_DIR``. Output is decoded
    with ``surrogateescape`` so odd bytes are kept for the assertions.
    """

    def run(*argv: str | Path, timeout: float = SUBPROCESS_TIMEOUT) -> CliResult:
        env = dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1")
        done = subprocess.run(
            [sys.executable, "-m", "ipreader", *[os.fsdecode(arg) for arg in argv]],
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        return CliResult(
            done.returncode,
            done.stdout.decode("utf-8", "surrogateescape"),
            done.stderr.decode("utf-8", "surrogateescape"),
        )

    return run


class DeadlineExceeded(Exception):
    """Raised by the ``deadline`` alarm: the guarded code would have hung."""


@pytest.fixture
def deadline() -> Callable[[float], AbstractContextManager[None]]:
    """Return a context manager failing the test if its body runs longer than N seconds.

    Uses ``SIGALRM`` (pytest runs tests in the main thread), so a blocking
    ``open()`` on a FIFO is interrupted instead of hanging the whole suite.
    """

    @contextmanager
    def guard(seconds: float) -> Iterator[None]:
        def expire(_signum: int, _frame: FrameType | None) -> None:
            raise DeadlineExceeded(f"still running after {seconds} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return guard


def tree_snapshot(top: Path, skip: Path | None = None) -> dict[str, tuple[str, int, int]]:
    """Return ``{relpath: (kind, size, mtime_ns)}`` for everything below ``top``.

    Symlinks are recorded, never followed; ``skip`` (a sub-tree, e.g. the
    folder's ``.ipreader``) is left out because writing there is allowed.
    """
    result: dict[str, tuple[str, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in [*dirnames, *filenames]:
            path = here / name
            if skip is not None and path == skip:
                continue
            st = path.lstat()
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            # Directories' own mtimes change when a sibling is added; compare their names only.
            size = 0 if kind == "dir" else st.st_size
            mtime = 0 if kind == "dir" else st.st_mtime_ns
            result[path.relative_to(top).as_posix()] = (kind, size, mtime)
    return result


@pytest.fixture
def snapshot() -> Callable[..., dict[str, tuple[str, int, int]]]:
    """The ``tree_snapshot`` function, as a fixture."""
    return tree_snapshot
