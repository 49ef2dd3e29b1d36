"""Run ipreader in a real pseudo-terminal and keep every byte it writes.

Terminal-safety tests look at what actually reaches a terminal: the app runs
as ``python -m ipreader`` on a pty of a fixed size, keys are typed into it,
and ``output`` holds the raw bytes written, escape sequences and all.

The app never outlives the test process, however that ends. It runs in its
own session with the pty as its controlling terminal, as in a terminal
window: when the test process dies the kernel closes the pty's master, the
terminal hangs up and the app gets SIGHUP (it saves and exits:
``ipreader/tui/hangup.py``). On Linux it also asks the kernel for a SIGKILL
when its parent dies (``PR_SET_PDEATHSIG``), and a ``Terminal`` that is
garbage-collected or left open at interpreter exit kills the app's process
group. (Before these, a killed pytest left an app spinning at 99 % CPU on
the dead terminal's end-of-file for an hour.)
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
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
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


#: Run by the app's process between fork and the app (as ``python -c``, so no Python
#: code runs in the forked child of a maybe multi-threaded test process): make the pty on
#: standard input the controlling terminal of the new session, ask for SIGKILL when the
#: parent dies (Linux), then become the app. argv: the parent's pid, the program.
LAUNCHER = """
import ctypes, fcntl, os, signal, sys, termios
fcntl.ioctl(0, termios.TIOCSCTTY, 0)
if sys.platform.startswith("linux"):
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
if os.getppid() != int(sys.argv[1]):
    os._exit(1)  # the parent died before the request above: nobody is waiting for the app
os.execv(sys.argv[2], sys.argv[2:])
"""


@dataclass(frozen=True)
class Ended:
    """How the app ended after its terminal hung up."""

    status: int
    """Its exit status (negative: the signal that ended it)."""
    cpu_seconds: float
    """CPU time (user + system) it used between the hang-up and its exit."""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (a zombie's included; Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kill_left_open(process: subprocess.Popen[bytes], master: list[int]) -> None:
    """A ``Terminal`` never closed: kill its app's process group, close its pty."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for fd in master:
        with contextlib.suppress(OSError):
            os.close(fd)
    master.clear()


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
            [sys.executable, "-c", LAUNCHER, str(os.getpid()), *program, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
            start_new_session=True,  # setsid(): a session the pty can control
            close_fds=True,  # the master stays in this process only: its death hangs up
        )
        os.close(slave)
        self._master = master
        self._open = [master]  # what the finalizer closes; emptied by close()
        self._finalizer = weakref.finalize(self, _kill_left_open, self._process, self._open)
        self._cpu_at_hang_up = 0.0

    @property
    def pid(self) -> int:
        """The app's process id (its process group's and session's too)."""
        return self._process.pid

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
        if self._open and self._process.poll() is None:
            with contextlib.suppress(OSError):
                os.write(self._master, KEYS["ctrl+q"].encode())
            self.read(quiet=0.5, timeout=5.0)
        try:
            status = self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            status = self._process.wait()
        self._close_master()
        return status

    def hang_up(self) -> None:
        """Close the terminal (the pty's master), as a closed window or a dropped ssh
        connection does; ``ended`` then waits for the app."""
        self._cpu_at_hang_up = cpu_seconds(self.pid)
        self._close_master()

    def ended(self, timeout: float = 30.0) -> Ended:
        """Wait for the app to exit after ``hang_up`` (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        # WNOWAIT: exited but not reaped, so its CPU time can still be read.
        while os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            if time.monotonic() > deadline:
                spent = cpu_seconds(self.pid) - self._cpu_at_hang_up
                os.killpg(self.pid, signal.SIGKILL)
                self._process.wait()
                raise AssertionError(
                    f"the app was still running {timeout} s after its terminal hung up, "
                    f"having used {spent:.1f} s of CPU since"
                )
            time.sleep(0.05)
        spent = cpu_seconds(self.pid) - self._cpu_at_hang_up
        return Ended(self._process.wait(), spent)

    def _close_master(self) -> None:
        if self._open:
            os.close(self._master)
            self._open.clear()

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
