"""Textual-free parts of the TUI: the undo stack and the session's merge and write queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.tui.display import one_line, visible
from ipreader.tui.session import Session, Token, Write, merge_pending, replace_annotation
from ipreader.tui.undo import Change, UndoStack

TEXT = "one two three four five six seven"


def ann(start: int, end: int) -> Annotation:
    return Annotation.create(TEXT, start, end, "a.txt")


def test_undo_stack_pops_newest_first_and_drops_the_oldest_beyond_its_limit() -> None:
    root = Path("/x")
    changes = [Change(root, None, ann(i, i + 1)) for i in range(4)]
    stack = UndoStack(limit=3)
    for change in changes:
        stack.push(change)
    assert len(stack) == 3
    assert [stack.pop(), stack.pop(), stack.pop(), stack.pop()] == [*changes[:0:-1], None]


def test_change_kinds_and_inverse() -> None:
    root = Path("/x")
    a = ann(0, 3)
    b = a.edited(note="n")
    assert Change(root, None, a).kind == "create"
    assert Change(root, a, b).kind == "edit"
    assert Change(root, b, None).kind == "delete"
    assert Change(root, None, a).inverse() == Change(root, a, None)
    with pytest.raises(ValueError):
        Change(root, None, None)


def test_replace_and_merge_keep_document_order_and_local_edits() -> None:
    first, second, third = ann(0, 3), ann(4, 7), ann(8, 13)
    assert replace_annotation([third, first], None, second) == (first, second, third)
    edited = second.edited(note="mine")
    assert replace_annotation([first, second], second, edited) == (first, edited)
    assert replace_annotation([first, second], first, None) == (second,)
    stored = [third, second]
    merged = merge_pending(stored, {second.id: edited, third.id: None, first.id: first})
    assert merged == (first, edited)


def test_visible_turns_control_characters_into_symbols() -> None:
    assert visible("a\x1b[31mb\x00") == "a␛[31mb␀"
    assert one_line("  a\n\tb  " + "c" * 10, 6) == "a b c…"


def test_session_runs_writes_in_order_and_reports_failures(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    session = Session([tmp_path])
    session.open()
    created = ann(0, 3)
    reports: list[tuple[str, Token | Exception]] = []

    def fail(store: FolderStore) -> None:
        raise StoreWriteError("disk full")

    session.queue(Write(tmp_path, "create", lambda s: s.save_annotation(created)))
    session.queue(Write(tmp_path, "fail", fail))
    session.queue(Write(tmp_path, "delete", lambda s: s.delete_annotation("a.txt", created.id)))
    session.drain(lambda job, outcome, _where: reports.append((job.what, outcome)))
    assert [what for what, _ in reports] == ["create", "fail", "delete"]
    assert isinstance(reports[1][1], StoreWriteError)
    assert FolderStore.open(tmp_path).annotations("a.txt") == []


def test_session_poll_reads_changes_made_by_another_store(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    session = Session([tmp_path])
    opened = session.open()
    assert opened.first is not None and not opened.named
    loaded = session.load(opened.first)
    assert loaded.annotations == []
    results: list[object] = []
    other = ann(4, 7)
    FolderStore.open(tmp_path).save_annotation(other)
    session.poll(opened.first, loaded.token, results.append)
    polled = results[-1]
    assert polled is not None and [a.id for a in polled.annotations] == [other.id]  # type: ignore[attr-defined]
