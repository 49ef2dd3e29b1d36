"""The app and its terminal: a hang-up ends the app, a save in flight survives it, and no
app outlives the test process that started it.

Seen in stop 23: a pytest run killed mid-test left its ``ipreader`` child without
a terminal, spinning at 99 % CPU for an hour on the end-of-file every read of the
dead terminal returned. The same happens to a user whose ssh connection drops or
who closes the terminal window (without the spin, the app simply died by SIGHUP,
with any save still queued).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ipreader.core import paths
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.tui.hangup import hung_up

from .terminal import Terminal, run_env

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc and the Linux pty's hang-up"
)

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"

#: 128 + SIGHUP: the app's status after a hang-up (``ipreader/tui/hangup.py``).
HANGUP_EXIT = 129

#: CPU seconds an app may use between its terminal's hang-up and its exit. Saving and
#: exiting take about 0.05 s; a thread spinning on the dead terminal uses one a second.
EXIT_CPU = 2.0

#: The app, with each annotation save held until the file ``argv[2]`` exists (``argv[1]``
#: is created when one starts): a save is in flight for as long as the test wants.
HELD_SAVE_APP = textwrap.dedent(
    """
    import signal, sys, time
    from pathlib import Path
    from ipreader import cli
    from ipreader.core.store import FolderStore

    saving, go = Path(sys.argv[1]), Path(sys.argv[2])
    save_edit = FolderStore.save_edit

    def held(self, *args, **kwargs):
        saving.touch()
        deadline = time.monotonic() + 60
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return save_edit(self, *args, **kwargs)

    FolderStore.save_edit = held
    if sys.argv[3] == "ignored":  # as under nohup: no SIGHUP, only the dead terminal
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    elif sys.argv[3] == "stuck":  # the UI thread never gets to save and exit
        from ipreader.tui import hangup
        from ipreader.tui.screens.main import MainScreen

        async def stuck(self):
            time.sleep(3600)

        MainScreen.quit_unasked = stuck
        hangup.GRACE_SECONDS = 1.0
    sys.exit(cli.main(sys.argv[4:]))
    """
)

#: A test process holding a Terminal: prints the app's pid once it is drawn, then waits.
HOLDER = textwrap.dedent(
    """
    import os, signal, sys, time
    # Ctrl+C's usual meaning, whatever was inherited: a run started in the background
    # by a non-interactive shell (CI's) ignores SIGINT, and so would this holder.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, sys.argv[1])
    from reliability.terminal import Terminal

    terminal = Terminal(sys.argv[2:], dict(os.environ))
    terminal.wait_for(b"lazy dog", timeout=60)
    print(terminal.pid, flush=True)
    time.sleep(600)
    """
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An article with one highlight."""
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT)
    FolderStore.open(root).save_annotation(Annotation.create(TEXT, 11, 16, "a.txt"))
    return root


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll ``condition`` until true (AssertionError naming ``what`` after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def process_state(pid: int) -> tuple[str, int] | None:
    """Process ``pid``'s state letter and start time, ``None`` once it is reaped."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields[0], int(fields[19])


def notes(folder: Path) -> list[str]:
    return [a.note for a in FolderStore.open(folder).annotations("a.txt")]


def test_hung_up_tells_a_live_terminal_from_a_closed_one() -> None:
    master, slave = os.openpty()
    try:
        assert not hung_up(slave)
        os.close(master)
        assert hung_up(slave)  # the window closed: every read of the slave is end-of-file
    finally:
        os.close(slave)


@pytest.mark.parametrize("mode", ["handled", "ignored", "stuck"])
def test_a_hang_up_ends_the_app_after_the_save_in_flight(
    folder: Path, tmp_path: Path, mode: str
) -> None:
    """Closing the terminal mid-save: the save completes, then the app exits without spinning.

    ``handled``: the pty is the app's controlling terminal, so the kernel sends SIGHUP
    (whose default action killed the app with the save still queued). ``ignored``: SIGHUP
    ignored, as under nohup; only the dead terminal tells (reads return end-of-file).
    ``stuck``: the UI thread never gets to exit; the last resort still waits for the
    save before it ends the process.
    """
    saving, go = tmp_path / "saving", tmp_path / "go"
    terminal = Terminal(
        [str(saving), str(go), mode, str(folder / "a.txt")],
        run_env(paths.user_data_dir()),
        program=(sys.executable, "-c", HELD_SAVE_APP),
    )
    try:
        terminal.wait_for(b"lazy dog")
        terminal.press("]", "e")
        terminal.wait_for(b"ctrl+s save")
        terminal.press("kept", "ctrl+s")
        wait_until(saving.exists, "the save started")
        terminal.hang_up()

        def noticed() -> bool:
            # The app puts a pipe where the dead terminal was: it knows, and will not spin.
            try:
                return os.readlink(f"/proc/{terminal.pid}/fd/0").startswith("pipe:")
            except OSError:  # it exited (a zombie has no descriptors): ended() tells how
                return True

        wait_until(noticed, "the app noticed the hang-up")
        go.touch()  # only now may the held save finish
        ended = terminal.ended()
    finally:
        go.touch()
        terminal.close()
    assert ended.status == HANGUP_EXIT, ended
    assert ended.cpu_seconds < EXIT_CPU, ended
    assert notes(folder) == ["kept"]


@pytest.mark.parametrize("after", [0.5, 1.0, 1.5, 2.0, 3.0])
def test_a_hang_up_while_the_app_starts_ends_it(folder: Path, after: float) -> None:
    """Whenever the terminal goes during the start: before the handler, SIGHUP's default
    action (nothing to save yet); after it, a clean exit. Never a hang or a spin (once,
    Textual's input thread stayed blocked reading the pipe that replaced the terminal)."""
    terminal = Terminal([str(folder / "a.txt")], run_env(paths.user_data_dir()))
    try:
        terminal.read(quiet=after, timeout=after)  # a moment of the start, whatever it shows
        terminal.hang_up()
        ended = terminal.ended()
    finally:
        terminal.close()
    assert ended.status in (HANGUP_EXIT, -signal.SIGHUP), ended
    assert ended.cpu_seconds < EXIT_CPU, ended


def test_a_sighup_with_the_terminal_still_there_quits_and_restores_it(folder: Path) -> None:
    """``kill -HUP``: the app saves, leaves the alternate screen and exits 129."""
    terminal = Terminal([str(folder / "a.txt")], run_env(paths.user_data_dir()))
    try:
        terminal.wait_for(b"lazy dog")
        terminal.read()
        before = len(terminal.output)
        os.kill(terminal.pid, signal.SIGHUP)
        terminal.read(quiet=1.0)
        status = terminal.close()
    finally:
        terminal.close()
    assert status == HANGUP_EXIT
    assert b"\x1b[?1049l" in terminal.output[before:]  # the user's screen is back


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_the_app_dies_with_the_process_that_started_it(folder: Path, how: signal.Signals) -> None:
    """A test process killed however (SIGKILL: not even a finalizer runs) takes its app along."""
    tests = Path(__file__).resolve().parents[1]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tests), str(folder / "a.txt")],
        stdout=subprocess.PIPE,
        env=run_env(paths.user_data_dir()),
    )
    assert holder.stdout is not None
    app = started = 0
    try:
        ready, _, _ = select.select([holder.stdout], [], [], 60)
        assert ready, "the holder never started its app"
        app = int(holder.stdout.readline())
        state = process_state(app)
        assert state is not None and state[0] != "Z"
        started = state[1]
        holder.send_signal(how)
        holder.wait(timeout=30)

        def gone() -> bool:
            now = process_state(app)
            # Reaped, a zombie (dead, not reaped yet), or the pid reused by another process.
            return now is None or now[0] in "ZX" or now[1] != started

        wait_until(gone, f"the app (pid {app}) ended after its parent's {how.name}", 10)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        holder.stdout.close()
        left = process_state(app) if app else None
        if left is not None and left[1] == started and left[0] not in "ZX":
            os.killpg(app, signal.SIGKILL)  # never leave one behind, even when failing
