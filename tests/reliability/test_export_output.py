"""``export -o`` / ``report -o`` onto special files: written into, never replaced.

The review found ``-o`` onto a FIFO, a character device or a symbolic link
replaced it with a regular file (as root, ``-o /dev/null`` would replace the
device) and ``-o /dev/stdout`` failing for a normal user (the temp file went
to ``/dev``). Now a FIFO or character device is written into, stdout is
written to, a link's target is replaced atomically (the link stays), and a
directory is refused with a message.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from unprivileged import can_switch_user, run_as_nobody

from ipreader import cli
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"


def make_folder(top: Path) -> Path:
    root = top / "folder"
    root.mkdir(mode=0o755)
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    highlight = Annotation.create(TEXT, 11, 16, "a.txt", note="n", tags=["t"])
    FolderStore.open(root).save_annotation(highlight)
    return root


@contextlib.contextmanager
def fifo_reader(path: Path) -> Iterator[bytearray]:
    """Read the FIFO at ``path`` in a thread until its writer closes it; yield the bytes."""
    os.mkfifo(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # never waits for a writer
    received = bytearray()
    done = threading.Event()

    def drain() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not done.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                chunk = os.read(fd, 65536)
                if chunk:
                    received.extend(chunk)
                elif received:
                    return  # the writer came and went: end of file

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        thread.join(timeout=30)
        done.set()
        os.close(fd)


@pytest.mark.parametrize("command", ["export", "report"])
def test_output_into_a_fifo_is_written_into_it(
    tmp_path: Path, run_cli_process: Callable[..., Any], command: str
) -> None:
    root = make_folder(tmp_path)
    fifo = tmp_path / "pipe"
    with fifo_reader(fifo) as received:
        done = run_cli_process(command, root, "-o", fifo, timeout=30)
    assert done.code == 0, done.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a FIFO
    assert b"quick" in received


def test_output_into_a_character_device_is_written_into_it(
    tmp_path: Path, run_cli_process: Callable[..., Any]
) -> None:
    root = make_folder(tmp_path)
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private /dev/null
    except OSError as error:
        pytest.skip(f"cannot make a character device here ({error.strerror})")
    try:
        os.close(os.open(device, os.O_WRONLY))
    except OSError as error:  # a nodev mount (containers) forbids using it
        pytest.skip(f"cannot use a character device here ({error.strerror})")
    done = run_cli_process("export", root, "-o", device, timeout=30)
    assert done.code == 0, done.err
    assert stat.S_ISCHR(device.lstat().st_mode)  # never replaced by a regular file


@pytest.mark.parametrize("command", ["export", "report"])
def test_output_through_a_link_replaces_its_target_and_keeps_the_link(
    tmp_path: Path, run_cli_process: Callable[..., Any], command: str
) -> None:
    root = make_folder(tmp_path)
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    done = run_cli_process(command, root, "-o", link, timeout=30)
    assert done.code == 0, done.err
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert "quick" in target.read_text()
    assert f"to {target} (through the link {link})" in done.err


def test_output_to_a_directory_is_refused_and_nothing_written(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    root = make_folder(tmp_path)
    (tmp_path / "dir").mkdir()
    done = run_cli("export", root, "-o", tmp_path / "dir")
    assert done.code == 1
    assert f"ipreader: cannot write to {tmp_path / 'dir'}: it is a directory" in done.err
    assert list((tmp_path / "dir").iterdir()) == []


@pytest.mark.parametrize("command", ["export", "report"])
def test_output_into_a_store_folder_is_refused_and_every_highlight_kept(
    tmp_path: Path, run_cli: Callable[..., Any], command: str
) -> None:
    """An export over the index (or through a link into the store) was set aside as
    damaged by the next open, its highlights with it."""
    root = make_folder(tmp_path)
    store = root / ".ipreader"
    (tmp_path / "into-store.json").symlink_to(store / "annotations" / "x.json")
    for target in (store / "index.json", tmp_path / "into-store.json"):
        done = run_cli(command, root, "-o", target)
        assert done.code == 1
        assert f"ipreader: cannot write to {target}: it is inside a store folder" in done.err
    assert not (store / "annotations" / "x.json").exists()
    reopened = FolderStore.open(root)
    assert len(reopened.annotations("a.txt")) == 1
    assert reopened.notices.take() == []  # nothing damaged, nothing set aside


def test_the_line_saying_where_the_output_went_is_one_line(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    """A file name holding a newline (and an ESC) started a second, fake line."""
    root = make_folder(tmp_path)
    target = tmp_path / "o\x1b[2J\n.json"
    done = run_cli("export", root, "-o", target)
    assert done.code == 0
    assert done.err == f"ipreader: exported to {tmp_path}/o\u241b[2J\u240a.json\n"
    assert json.loads(target.read_text(encoding="utf-8"))["documents"]


def test_output_into_a_fifo_nobody_reads_is_refused_at_once(
    tmp_path: Path, run_cli_process: Callable[..., Any]
) -> None:
    """Its open waited for a reader for ever: the app's export never ended, nor the app."""
    root = make_folder(tmp_path)
    os.mkfifo(tmp_path / "pipe.json")
    done = run_cli_process("export", root, "-o", tmp_path / "pipe.json", timeout=30)
    assert done.code == 1
    assert "it is a named pipe no program is reading" in done.err


def test_output_to_dev_stdout_works_for_a_normal_user(world_readable_dir: Path) -> None:
    if not can_switch_user():
        pytest.skip("needs root to switch to uid 65534")
    root = make_folder(world_readable_dir)
    data = world_readable_dir / "data"
    data.mkdir()
    data.chmod(0o777)

    def export_to_stdout() -> dict[str, Any]:
        os.environ["IPREADER_DATA_DIR"] = str(data)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 1)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - fd 1 is the pipe now
        code = cli.main(["export", str(root), "-o", "/dev/stdout"])
        sys.stdout.flush()
        os.close(1)
        os.close(write_end)
        out = b""
        while chunk := os.read(read_end, 65536):
            out += chunk
        return {"code": code, "out": out.decode()}

    report = run_as_nobody(export_to_stdout, timeout=30)
    assert report.get("code") == 0, report
    assert [d["path"] for d in json.loads(report["out"])["documents"]] == ["a.txt"]
    assert os.path.islink("/dev/stdout") or not os.path.isfile("/dev/stdout")
