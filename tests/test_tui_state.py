"""The Textual-free side of the TUI: reader state, commands, undo stack and session."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipreader.core.documents import DocumentInfo
from ipreader.core.model import COLORS, AnchorStatus, Annotation, DocumentNotes
from ipreader.core.store import FolderStore
from ipreader.tui.commands import (
    DeleteAnnotation,
    SaveAnnotation,
    SetDocumentNotes,
    SetLastDocument,
    SetPosition,
)
from ipreader.tui.display import one_line, visible
from ipreader.tui.ordered import InPlaceOrder, edit_from
from ipreader.tui.outcome import Refusal, Target, line_start
from ipreader.tui.pending import (
    merge_pending,
    ordered_off_the_ui,
    replace_annotation,
    sort_annotations,
)
from ipreader.tui.reader.styles import HighlightSpan, Overlays
from ipreader.tui.session import DocumentStats, Loaded, Polled, Session
from ipreader.tui.state import ReaderState
from ipreader.tui.undo import Change, UndoStack
from ipreader.tui.widgets.annotation_sidebar import split_annotations, split_edited

TEXT = "one two three four five six seven"
ROOT = Path("/folder")


def ann(start: int, end: int) -> Annotation:
    return Annotation.create(TEXT, start, end, "a.txt")


def info(relpath: str = "a.txt") -> DocumentInfo:
    return DocumentInfo(
        path=ROOT / relpath, relpath=relpath, root=ROOT, title="A", date=None, words=7,
        reading_minutes=1, sha256="0" * 64, encoding="utf-8", size=len(TEXT), mtime_ns=0,
        error=None,
    )  # fmt: skip


def opened(annotations: list[Annotation] | None = None) -> ReaderState:
    """A state with ``a.txt`` open and loaded."""
    state = ReaderState()
    state.begin_open(info(), 0, Target())
    loaded = Loaded(TEXT, annotations or [], DocumentNotes(), 5, (1,))
    outcome = state.finish_open(state.serial, loaded)
    assert outcome is not None and outcome.commands == (SetLastDocument(ROOT, "a.txt"),)
    return state


def test_undo_stack_pops_newest_first_and_drops_the_oldest_beyond_its_limit() -> None:
    changes = [Change(ROOT, None, ann(i, i + 1)) for i in range(4)]
    stack = UndoStack(limit=3)
    for change in changes:
        stack.push(change)
    assert len(stack) == 3
    assert [stack.pop(), stack.pop(), stack.pop(), stack.pop()] == [*changes[:0:-1], None]


def test_change_kinds_and_inverse() -> None:
    a = ann(0, 3)
    b = a.edited(note="n")
    assert Change(ROOT, None, a).kind == "create"
    assert Change(ROOT, a, b).kind == "edit"
    assert Change(ROOT, b, None).kind == "delete"
    assert Change(ROOT, None, a).inverse() == Change(ROOT, a, None)
    with pytest.raises(ValueError):
        Change(ROOT, None, None)


def test_replace_and_merge_keep_document_order_and_local_edits() -> None:
    first, second, third = ann(0, 3), ann(4, 7), ann(8, 13)
    assert replace_annotation([first, third], None, second) == (first, second, third)
    edited = second.edited(note="mine")
    assert replace_annotation([first, second], second, edited) == (first, edited)
    assert replace_annotation([first, second], first, None) == (second,)
    stored = [third, second]
    merged = merge_pending(stored, {second.id: edited, third.id: None, first.id: first})
    assert merged == (first, edited)


def test_visible_turns_control_characters_into_symbols() -> None:
    assert visible("a\x1b[31mb\x00") == "a␛[31mb␀"
    assert one_line("  a\n\tb  " + "c" * 10, 6) == "a b…"  # cut at a word
    assert one_line("x" * 10, 6) == "xxxxx…"  # unless a single word is longer


def test_opening_saves_the_previous_position_and_drops_stale_loads() -> None:
    state = opened()
    first_serial = state.serial
    outcome = state.begin_open(info("b.txt"), 12, Target(cursor=3))
    assert outcome.commands == (SetPosition(ROOT, "a.txt", 12),)
    assert state.opening and state.text == "" and state.annotations == ()
    # A load of a.txt finishing now is for the old open: ignored.
    stale = Loaded("old", [], DocumentNotes(), 0, (1,))
    assert state.finish_open(first_serial, stale) is None
    assert state.opening
    # While opening, no position is written for the document being opened.
    assert state.position_command(40) is None
    assert state.open_failed(state.serial)
    assert state.take_target() == Target(cursor=3) and state.take_target() == Target()


def test_annotate_refuses_without_a_selection_and_creates_with_one() -> None:
    state = opened()
    with pytest.raises(Refusal) as refused:
        state.annotate(None)
    assert "Select text first" in refused.value.message
    with pytest.raises(Refusal):
        state.annotate((4, 4))
    outcome = state.annotate((7, 4))  # either direction
    [command] = outcome.commands
    assert isinstance(command, SaveAnnotation)
    created = command.annotation
    assert (created.start, created.end, created.quote) == (4, 7, "two")
    assert state.current == created.id and state.annotations == (created,)
    assert state.spans()[0].id == created.id


def test_annotate_refuses_before_a_document_is_open() -> None:
    with pytest.raises(Refusal, match="Open an article"):
        ReaderState().annotate((0, 3))


def test_undoing_an_edit_then_the_creation_deletes_the_revision_stored_last() -> None:
    state = opened()
    [create] = state.annotate((0, 3)).commands
    assert isinstance(create, SaveAnnotation)
    state.edit(create.annotation.id, "note", (), "yellow")
    [restore] = state.undo_last()[0].commands  # the edit: the old data as revision 3
    assert isinstance(restore, SaveAnnotation)
    assert restore.annotation.note == "" and restore.annotation.revision == 3
    [delete] = state.undo_last()[0].commands  # the creation: from revision 3, not revision 1
    assert isinstance(delete, DeleteAnnotation) and delete.annotation == restore.annotation


def test_rebase_keeps_the_stack_bounded_and_leaves_other_changes_alone() -> None:
    stack = UndoStack(limit=2)
    first, other = ann(0, 3), ann(4, 7)
    stack.push(Change(ROOT, None, other))
    stack.push(Change(ROOT, None, first))
    stack.rebase(first, replace(first, revision=3))
    stack.push(Change(ROOT, None, ann(8, 11)))  # the limit still holds: the oldest goes
    assert len(stack) == 2
    stack.pop()
    popped = stack.pop()
    assert isinstance(popped, Change) and popped.after == replace(first, revision=3)


def test_edit_delete_and_undo_produce_the_writes_in_order() -> None:
    state = opened()
    created = state.annotate((0, 3)).commands[0]
    assert isinstance(created, SaveAnnotation)
    [edit] = state.edit(created.annotation.id, "note", ("Tag",), "green").commands
    assert isinstance(edit, SaveAnnotation)
    assert edit.annotation.note == "note" and edit.annotation.revision == 2
    assert "Tag" in state.tag_suggestions
    target = state.target_annotation(None)  # the current one
    deleted = state.delete(target)
    assert isinstance(deleted.commands[0], DeleteAnnotation) and "u to undo" in deleted.message
    assert state.annotations == () and state.current is None
    restore, go_to = state.undo_last()
    assert go_to == created.annotation.id
    [command] = restore.commands
    assert isinstance(command, SaveAnnotation) and command.annotation == edit.annotation
    assert "deletion" in restore.message
    state.undo_last()  # the edit
    state.undo_last()  # the creation
    assert state.annotations == ()
    with pytest.raises(Refusal, match="Nothing to undo"):
        state.undo_last()


def test_undo_message_cuts_the_quote_at_a_word() -> None:
    text = "the Foreign Secretary David Lammy said on Monday that nothing changed"
    state = ReaderState()
    state.begin_open(info(), 0, Target())
    state.finish_open(state.serial, Loaded(text, [], DocumentNotes(), 0, (1,)))
    state.annotate((0, len(text)))
    outcome, _ = state.undo_last()
    assert outcome.message == "Undid the creation of “the Foreign Secretary David Lammy said…”."


def test_no_highlight_to_edit_is_refused_with_a_hint() -> None:
    with pytest.raises(Refusal, match=r"choose one with \] or \["):
        opened().target_annotation(None)


def test_step_highlight_goes_from_the_cursor_and_says_when_it_wraps() -> None:
    late, early, middle = ann(20, 24), ann(4, 7), ann(8, 13)
    state = opened([late, early, middle])
    state.current = late.id  # the current highlight does not matter: the cursor does
    assert state.step_highlight(0, 1) == (early.id, False)
    assert state.step_highlight(4, 1) == (middle.id, False)
    assert state.step_highlight(20, 1) == (early.id, True)
    assert state.step_highlight(8, -1) == (early.id, False)
    assert state.step_highlight(4, -1) == (late.id, True)
    with pytest.raises(Refusal):
        opened().step_highlight(0, 1)


def test_a_saved_write_clears_its_pending_edit_but_not_a_newer_one() -> None:
    state = opened()
    first = state.annotate((0, 3)).commands[0]
    newer = state.edit(state.current or "", "later", (), "yellow").commands[0]
    assert isinstance(first, SaveAnnotation) and isinstance(newer, SaveAnnotation)
    state.saved(first, (2,))
    # A poll that read the store before the newer edit was written keeps showing it.
    polled = Polled(info(), (3,), [first.annotation], DocumentNotes())
    state.merge_stored(state.serial, polled)
    assert state.annotations == (newer.annotation,)
    state.saved(newer, (4,))
    other = ann(8, 13)
    assert state.merge_stored(state.serial, Polled(info(), (5,), [other], DocumentNotes()))
    assert state.annotations == (other,)
    assert state.tokens[ROOT] == (5,)


def test_unsaved_notes_win_over_a_poll_until_saved() -> None:
    state = opened()
    mine = DocumentNotes(("mine",), "my note")
    [command] = state.set_notes(info(), mine).commands
    assert command == SetDocumentNotes(ROOT, "a.txt", mine)
    theirs = DocumentNotes(("theirs",), "")
    assert not state.merge_stored(state.serial, Polled(info(), (2,), [], theirs))
    assert state.notes == mine
    state.saved(command, (3,))
    assert state.merge_stored(state.serial, Polled(info(), (4,), [], theirs))
    assert state.notes == theirs


def test_notes_for_a_document_no_longer_open_are_ignored() -> None:
    state = opened()
    assert state.set_notes(info("other.txt"), DocumentNotes(("x",))).commands == ()


def test_copy_takes_the_selection_else_the_current_quote() -> None:
    state = opened()
    assert state.copy_text((4, 7)) == "two"
    with pytest.raises(Refusal, match="Nothing to copy"):
        state.copy_text(None)
    state.annotate((8, 13))
    assert state.copy_text(None) == "three"


def test_commands_run_against_a_real_store(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    store = FolderStore.open(tmp_path)
    created = ann(0, 3)
    for command in (
        SaveAnnotation(tmp_path, created),
        SetDocumentNotes(tmp_path, "a.txt", DocumentNotes(("t",), "n")),
        SetPosition(tmp_path, "a.txt", 9),
        SetLastDocument(tmp_path, "a.txt"),
    ):
        command.run(store)
    again = FolderStore.open(tmp_path)
    assert again.annotations("a.txt") == [created]
    assert again.document_notes("a.txt") == DocumentNotes(("t",), "n")
    assert again.reading_position("a.txt") == 9 and again.last_document() == "a.txt"
    DeleteAnnotation(tmp_path, created).run(store)
    assert FolderStore.open(tmp_path).annotations("a.txt") == []


def test_session_opens_reads_the_first_document_and_sees_changes_by_others(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    session = Session([tmp_path])
    result = session.open()
    assert result.first is not None and not result.named
    assert result.loaded is not None and result.loaded.text == TEXT
    other = ann(4, 7)
    FolderStore.open(tmp_path).save_annotation(other)
    polled = session.read_changes(result.first, result.loaded.token)
    assert polled is not None and [a.id for a in polled.annotations] == [other.id]


def test_line_start_is_clamped_to_the_text() -> None:
    text = "one\ntwo\nthree"
    assert [line_start(text, n) for n in (1, 2, 3, 4, 0)] == [0, 4, 8, 8, 0]


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 5)), max_size=12), st.data())
def test_replace_keeps_document_order_like_a_full_sort(
    spans: list[tuple[int, int]], data: st.DataObject
) -> None:
    text = "x" * 40
    annotations = sort_annotations(
        Annotation.create(text, start, start + length + 1, "a.txt") for start, length in spans
    )
    before = data.draw(st.sampled_from([None, *annotations]))
    start = data.draw(st.integers(0, 30))
    after = Annotation.create(text, start, start + 2, "a.txt")
    expected = sort_annotations(
        [a for a in annotations if before is None or a.id != before.id] + [after]
    )
    assert replace_annotation(annotations, before, after) == expected


def test_the_coder_view_dims_or_hides_other_coders_highlights() -> None:
    mine = Annotation.create(TEXT, 0, 3, "a.txt", creator="Ada Lovelace")
    theirs = Annotation.create(TEXT, 4, 7, "a.txt", creator="ben")
    state = opened([mine, theirs])
    state.me = " ada  LOVELACE"  # the same coder, spelled differently
    assert [(s.id, s.dim) for s in state.spans()] == [(mine.id, False), (theirs.id, False)]
    state.coders = "others dimmed"
    assert [(s.id, s.dim) for s in state.spans()] == [(mine.id, False), (theirs.id, True)]
    state.coders = "mine"
    assert [s.id for s in state.spans()] == [mine.id]
    created = state.annotate((8, 13)).commands[0]
    assert isinstance(created, SaveAnnotation) and created.annotation.creator == " ada  LOVELACE"


LONG_TEXT = "ab cd ef gh ij kl mn op qr st uv wx yz " * 3


@given(
    st.lists(st.tuples(st.integers(0, 100), st.integers(1, 12), st.booleans()), max_size=12),
    st.lists(
        st.tuples(st.sampled_from(["annotate", "delete", "undo", "recolour"]), st.integers(0, 99)),
        min_size=1,
        max_size=25,
    ),
)
def test_the_drawn_highlights_after_any_edits_are_the_document_s_placed_highlights(
    stored: list[tuple[int, int, bool]], steps: list[tuple[str, int]]
) -> None:
    # Each edit moves one span in or out by bisection instead of rebuilding them all:
    # after any sequence, what is drawn is exactly every placed highlight, in order.
    # The pane's index, the document's tag set and the approximate highlights' covered
    # texts follow the same edits (``ordered.Edit``): each must be what a rebuild gives.
    made = []
    for start, length, lost in stored:
        annotation = Annotation.create(LONG_TEXT, start, start + length, "a.txt")
        if start % 5 == 0:  # some approximate ones, some tagged
            annotation = replace(annotation, status=AnchorStatus.FUZZY, tags=("x",))
        made.append(replace(annotation, status=AnchorStatus.ORPHANED) if lost else annotation)
    state = ReaderState()
    state.begin_open(info(), 0, Target())
    assert state.finish_open(state.serial, Loaded(LONG_TEXT, made, DocumentNotes(), 0, (1,)))
    overlays = Overlays()
    overlays.set_highlights(state.spans())  # built once in full; every later edit carries it
    state.stats(), state.covers()
    held, split = state.annotations, split_annotations(state.annotations)
    for action, number in steps:
        with contextlib.suppress(Refusal):
            if action == "annotate":
                state.annotate((number, number + 1 + number % 7))
            elif action == "undo":
                state.undo_last()
            elif state.annotations:
                target = state.annotations[number % len(state.annotations)]
                if action == "delete":
                    state.delete(target)
                else:
                    colour = COLORS[(COLORS.index(target.color) + 1) % len(COLORS)]
                    tags = (f"t{number % 3}",) if number % 2 else ()
                    state.edit(target.id, target.note, tags, colour)
        # The panes trust this order (InPlaceOrder) and skip their own check: it must hold.
        assert isinstance(state.annotations, InPlaceOrder)
        assert list(state.annotations) == sorted(
            state.annotations, key=lambda a: (a.start, a.end, a.id)
        )
        placed = [a for a in state.annotations if a.status is not AnchorStatus.ORPHANED]
        expected = [HighlightSpan(a.id, a.start, a.end, a.color) for a in placed]
        assert list(state.spans()) == expected
        overlays.set_highlights(state.spans())
        rebuilt = Overlays()
        rebuilt.set_highlights(list(state.spans()))
        assert overlays.highlights == rebuilt.highlights
        assert overlays.highlight_ranges.reach == rebuilt.highlight_ranges.reach
        assert state.stats() == DocumentStats.of(state.annotations, ())
        fuzzy = [a for a in state.annotations if a.status is AnchorStatus.FUZZY]
        assert state.covers() == {a.id: LONG_TEXT[a.start : a.end] for a in fuzzy}
        edit = edit_from(state.annotations, held)
        moved = None if edit is None else split_edited(split, edit)
        held, split = state.annotations, moved or split_annotations(state.annotations)
        assert split == split_annotations(state.annotations)


def test_a_book_opens_with_the_spans_its_preview_drew() -> None:
    # The first article is drawn before the library is open (preview_spans), then opened
    # with the same highlights: tens of thousands in a book are not drawn twice.
    made = [Annotation.create(LONG_TEXT, i % 100, i % 100 + 2, "a.txt") for i in range(1200)]
    shown = ordered_off_the_ui(made)  # FirstText's, which Session.load hands on (ordered_as)
    state = ReaderState()
    preview = state.preview_spans(shown)
    state.begin_open(info(), 0, Target())
    assert state.spans() == ()  # while opening, nothing is drawn
    state.me = "Ada"  # known once the library is open: drawn alike in the "everyone" view
    assert state.finish_open(state.serial, Loaded(LONG_TEXT, shown, DocumentNotes(), 0, (1,)))
    opened = state.spans()
    assert len(opened) == len(preview) == 1200
    # The very tuple the pane was given: it keeps the index it built from it.
    assert opened is preview


def test_a_book_changed_since_its_preview_opens_with_its_new_spans() -> None:
    made = [Annotation.create(LONG_TEXT, i % 100, i % 100 + 2, "a.txt") for i in range(300)]
    state = ReaderState()
    preview = state.preview_spans(made)
    # Another process recoloured one highlight between the preview and the opening.
    changed = [
        *made[:-1],
        made[-1].edited(color=COLORS[1] if made[-1].color == COLORS[0] else COLORS[0]),
    ]
    state.begin_open(info(), 0, Target())
    assert state.finish_open(state.serial, Loaded(LONG_TEXT, changed, DocumentNotes(), 0, (1,)))
    opened = state.spans()
    assert opened is not preview
    assert {s.id: s.color for s in opened} == {a.id: a.color for a in changed}
    # The unchanged highlights keep their spans (each built once per annotation version).
    assert sum(1 for span in opened if any(span is p for p in preview)) == len(made) - 1


@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 9), st.booleans()), max_size=25),
    st.integers(0, 80),
    st.sampled_from([1, -1]),
)
def test_step_highlight_is_the_nearest_placed_highlight_either_way(
    stored: list[tuple[int, int, bool]], cursor: int, step: int
) -> None:
    # Found by bisection from the cursor (a book holds tens of thousands): the same as
    # scanning every placed highlight in document order.
    made = []
    for start, length, lost in stored:
        annotation = Annotation.create(LONG_TEXT, start, start + length, "a.txt")
        made.append(replace(annotation, status=AnchorStatus.ORPHANED) if lost else annotation)
    state = ReaderState()
    state.begin_open(info(), 0, Target())
    assert state.finish_open(state.serial, Loaded(LONG_TEXT, made, DocumentNotes(), 0, (1,)))
    placed = [a for a in state.annotations if a.status is not AnchorStatus.ORPHANED]
    if not placed:
        with pytest.raises(Refusal):
            state.step_highlight(cursor, step)
        return
    if step > 0:
        ahead = [a for a in placed if a.start > cursor]
        expected = (ahead[0].id, False) if ahead else (placed[0].id, True)
    else:
        behind = [a for a in placed if a.start < cursor]
        expected = (behind[-1].id, False) if behind else (placed[-1].id, True)
    assert state.step_highlight(cursor, step) == expected
