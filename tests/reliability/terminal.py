"""Run ipreader in a real pseudo-terminal and keep every byte it writes.

Terminal-safety tests look at what actually reaches a terminal: the app runs
as ``python -m ipreader`` on a pty of a fixed size, keys are typed into it,
and ``output`` holds the raw bytes written, escape sequences and all.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

#: Keys as a terminal sends them.
KEYS = {
    "escape": "\x1b",
    "enter": "\r",
    "tab": "\t",
    "ctrl+q": "\x11",
    "ctrl+s": "\x13",
    "down": "\x1b[B",
    "up": "\x1b[A",
}


class Terminal:
    """``python -m ipreader ARGS`` on a pty of ``size`` (columns, rows).

    ``program`` replaces ``python -m ipreader`` (e.g. ``python -c SCRIPT``).
    """

    def __init__(
        self,
        args: Sequence[str],
        env: dict[str, str],
        size: tuple[int, int] = (120, 36),
        program: Sequence[str] = (sys.executable, "-m", "ipreader"),
    ) -> None:
        self.output = bytearray()
        """Every byte the app wrote so far."""
        master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        self._process = subprocess.Popen(
            [*program, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._master = master

    def read(self, *, quiet: float = 0.6, timeout: float = 20.0) -> bytes:
        """Read until the app writes nothing for ``quiet`` seconds; return what was read."""
        start = len(self.output)
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self._master, 65536)
                except OSError:  # the app exited: the pty is closed
                    break
                if not chunk:
                    break
                self.output.extend(chunk)
                last = time.monotonic()
            elif time.monotonic() - last >= quiet and len(self.output) > start:
                break
        return bytes(self.output[start:])

    def wait_for(self, needle: bytes, timeout: float = 20.0) -> None:
        """Read until ``needle`` was written (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{needle!r} never appeared; got {bytes(self.output[-400:])!r}"
                )
            self.read(quiet=0.2, timeout=1.0)

    def press(self, *keys: str) -> None:
        """Type ``keys`` (names of ``KEYS`` or literal text), one at a time."""
        for key in keys:
            os.write(self._master, KEYS.get(key, key).encode("utf-8"))
            time.sleep(0.1)
            self.read(quiet=0.3, timeout=5.0)

    def close(self) -> int:
        """Quit the app (ctrl+q, then a kill if it lingers); return its exit status."""
        if self._process.poll() is None:
            with contextlib.suppress(OSError):
                os.write(self._master, KEYS["ctrl+q"].encode())
            self.read(quiet=0.5, timeout=5.0)
        try:
            status = self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            status = self._process.wait()
        os.close(self._master)
        return status

    @property
    def running(self) -> bool:
        """True while the app has not exited."""
        return self._process.poll() is None

    def __enter__(self) -> Terminal:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def run_env(data_dir: Path) -> dict[str, str]:
    """The environment for an app in a pty: this interpreter's, data in ``data_dir``."""
    from ipreader.core.paths import DATA_DIR_ENV

    return {**os.environ, DATA_DIR_ENV: str(data_dir)}
