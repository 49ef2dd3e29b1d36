"""core.pacing: background work waits at ``pace()`` while the event loop's beats are late."""

from __future__ import annotations

import threading
import time

from ipreader.core.pacing import PACE_EVERY, Gate, pace, paced, stepped

#: Long enough that a wait never ends by its own timeout while a test runs.
FOREVER = 3600.0


def paced_in_thread(gate: Gate) -> threading.Thread:
    """A thread that calls ``pace()`` once inside ``paced(gate)`` (started)."""

    def work() -> None:
        with paced(gate):
            pace()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_pace_outside_a_gate_returns() -> None:
    pace()  # no gate in this thread: nothing to wait for


def test_before_the_first_beat_the_work_is_not_held() -> None:
    # The app is still composing its first screen: nothing to hand the lock to yet.
    gate = Gate(late=0.0, longest_wait=FOREVER)
    thread = paced_in_thread(gate)
    thread.join(10)
    assert not thread.is_alive()


def test_beats_on_time_let_the_work_go_on() -> None:
    gate = Gate(late=FOREVER, longest_wait=FOREVER)
    gate.beat()
    thread = paced_in_thread(gate)
    thread.join(10)
    assert not thread.is_alive()


def test_late_beats_hold_the_work_until_the_next_beat() -> None:
    gate = Gate(late=0.0, longest_wait=FOREVER)
    gate.beat()
    thread = paced_in_thread(gate)
    thread.join(0.2)
    assert thread.is_alive()  # waiting for a beat
    gate.beat()
    thread.join(10)
    assert not thread.is_alive()


def test_closing_the_gate_releases_the_work() -> None:
    gate = Gate(late=0.0, longest_wait=FOREVER)
    gate.beat()
    thread = paced_in_thread(gate)
    thread.join(0.2)
    assert thread.is_alive()
    gate.close()
    thread.join(10)
    assert not thread.is_alive()
    assert gate.closed


def test_a_closed_gate_never_waits() -> None:
    gate = Gate(late=0.0, longest_wait=FOREVER)
    gate.beat()
    gate.close()
    thread = paced_in_thread(gate)
    thread.join(10)
    assert not thread.is_alive()


def test_a_wait_that_times_out_is_not_repeated_until_beats_resume() -> None:
    # An event loop that stopped (the app closing) must not hold the work at every piece.
    longest = 0.05
    gate = Gate(late=0.0, longest_wait=longest)
    gate.beat()
    gate.wait()  # no further beat comes: gives up after its longest wait

    def many() -> None:
        with paced(gate):
            for _ in range(10_000):
                pace()  # would take 500 s if each waited again

    thread = threading.Thread(target=many, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    gate.beat()
    began = time.monotonic()
    gate.wait()  # beats resumed: waits for the next one again (and times out)
    assert time.monotonic() - began >= longest / 2


def test_stepped_yields_every_item_and_paces_between_pieces() -> None:
    gate = Gate(late=0.0, longest_wait=FOREVER)
    gate.beat()
    seen: list[int] = []
    total = PACE_EVERY * 2 + 5

    def work() -> None:
        with paced(gate):
            seen.extend(stepped(range(total)))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(0.2)
    assert seen == []  # held before the first item: the loop's beat is late
    gate.beat()
    deadline = time.monotonic() + 10
    while len(seen) < PACE_EVERY and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.join(0.2)
    assert seen == list(range(PACE_EVERY))  # one piece, then held again
    gate.close()
    thread.join(10)
    assert seen == list(range(total))


def test_stepped_outside_a_gate_is_the_items() -> None:
    assert list(stepped([])) == []
    assert list(stepped(iter("abc"))) == ["a", "b", "c"]


def test_paced_is_per_thread_and_restored() -> None:
    gate = Gate(late=0.0, longest_wait=FOREVER)
    gate.beat()
    with paced(gate):
        other = threading.Thread(target=pace, daemon=True)
        other.start()  # another thread: not paced by this gate
        other.join(10)
        assert not other.is_alive()
    pace()  # the gate is gone from this thread once the block ends
