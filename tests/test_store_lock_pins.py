"""The folder lock's promises: one writer at a time, across processes and threads, and refusals.

A second ipreader holding the lock is stood in for by a ``FileLock`` on its
own file descriptor (``flock`` locks conflict between descriptors even in one
process), so no child process is needed.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from ipreader.core.errors import StoreError, StoreWriteError
from ipreader.core.store.lock import FolderLock


def taken_elsewhere(path: Path) -> bool:
    """True when another holder could not take the lock at ``path`` right now."""
    other = FileLock(str(path), timeout=0)
    try:
        other.acquire()
    except Timeout:
        return True
    other.release()
    return False


def test_a_refused_lock_raises_its_reason_and_takes_nothing(tmp_path: Path) -> None:
    lock = FolderLock(tmp_path / "lock", timeout=1)
    assert lock.writable and lock.refusal is None
    reason = StoreWriteError("the folder is read-only")
    lock.refuse(reason)
    assert not lock.writable and lock.refusal is reason
    with pytest.raises(StoreWriteError) as raised, lock.hold():
        pass
    assert raised.value is reason
    assert not taken_elsewhere(tmp_path / "lock")


def test_another_holder_past_the_timeout_is_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    other = FileLock(str(path))
    other.acquire()
    try:
        lock = FolderLock(path, timeout=0.05)
        with pytest.raises(StoreError) as raised, lock.hold():
            pass
    finally:
        other.release()
    assert str(raised.value) == (
        f"another ipreader is holding {path} for more than 0.05 s; try again when it has finished"
    )
    assert raised.value.__cause__ is None  # the message says it all, no Timeout chained
    with lock.hold():  # free again: the failed attempt left nothing behind
        assert taken_elsewhere(path)


def test_a_lock_file_that_cannot_be_opened_is_a_write_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    path.mkdir()  # a directory where the lock file should be
    with pytest.raises(StoreWriteError) as raised, FolderLock(path, timeout=0.05).hold():
        pass
    assert str(raised.value) == f"cannot lock {path}: Is a directory"


def test_nested_holds_keep_the_lock_until_the_outermost_ends(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    lock = FolderLock(path, timeout=1)
    assert lock.hold_number is None
    with lock.hold():
        first = lock.hold_number
        assert first is not None
        with lock.hold():
            assert lock.hold_number == first  # the same hold, nested
        assert lock.hold_number == first
        assert taken_elsewhere(path)  # the inner release did not free it
    assert lock.hold_number is None
    assert not taken_elsewhere(path)
    with lock.hold():
        assert lock.hold_number == first + 1  # the next outermost hold is another one


def test_another_thread_does_not_see_itself_holding_and_waits(tmp_path: Path) -> None:
    lock = FolderLock(tmp_path / "lock", timeout=5)
    seen: list[int | None] = []
    order: list[str] = []
    entered = threading.Event()

    def other() -> None:
        seen.append(lock.hold_number)
        entered.set()
        with lock.hold():
            order.append("other")

    with lock.hold():
        thread = threading.Thread(target=other)
        thread.start()
        assert entered.wait(5)
        thread.join(0.2)  # it must be waiting for the lock
        order.append("mine")
    thread.join(5)
    assert seen == [None]
    assert order == ["mine", "other"]


def test_hold_if_free_says_whether_it_holds_and_releases(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    lock = FolderLock(path, timeout=5)
    with lock.hold_if_free() as free:
        assert free is True
        assert taken_elsewhere(path)
    assert not taken_elsewhere(path)
    other = FileLock(str(path))
    other.acquire()
    try:
        with lock.hold_if_free() as free:
            assert free is False  # at once, not after the 5 s timeout
    finally:
        other.release()
    with lock.hold_if_free() as free:
        assert free is True


def test_hold_if_free_on_an_unopenable_lock_file_is_not_free(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    path.mkdir()
    with FolderLock(path, timeout=5).hold_if_free() as free:
        assert free is False


def test_hold_if_free_while_another_thread_holds_is_not_free_at_once(tmp_path: Path) -> None:
    lock = FolderLock(tmp_path / "lock", timeout=5)
    answers: list[bool] = []
    with lock.hold():

        def other() -> None:
            with lock.hold_if_free() as free:
                answers.append(free)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(2)  # it must answer without waiting for this hold to end
        assert answers == [False]
        with lock.hold_if_free() as free:  # nor is it free to the holding thread itself
            assert free is False
    with lock.hold_if_free() as free:
        assert free is True


def test_a_lock_file_replaced_while_held_is_locked_again_on_the_new_file(tmp_path: Path) -> None:
    # A lock file moved aside (an odd one set aside, a sync tool) takes its flock
    # with it: the next hold must lock the file now at the path, which another
    # process would open, not the old inode.
    path = tmp_path / "lock"
    lock = FolderLock(path, timeout=5)
    with lock.hold():
        path.rename(tmp_path / "lock.aside")
        assert not taken_elsewhere(path)  # the new file at the path is free
    with lock.hold():
        assert taken_elsewhere(path)
        assert not taken_elsewhere(tmp_path / "lock.aside")


def test_the_lock_excludes_filelock_holders_both_ways(tmp_path: Path) -> None:
    # An older ipreader (which locked through filelock) and this one exclude each other.
    path = tmp_path / "lock"
    lock = FolderLock(path, timeout=0.05)
    with lock.hold():
        assert taken_elsewhere(path)
    other = FileLock(str(path))
    with other, pytest.raises(StoreError), lock.hold():
        pass
