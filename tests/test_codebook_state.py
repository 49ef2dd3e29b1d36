"""The app's Textual-free codebook state: intents to commands, refusals, undo of a tag operation."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipreader.core.codebook import Codebook, Delete, Rename, Revert, describe
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.tui.codebook_state import CodebookState
from ipreader.tui.commands import DescribeTag, RetagTags, SetColorMeaning
from ipreader.tui.outcome import Refusal
from ipreader.tui.state import ReaderState
from ipreader.tui.undo import TagChange

ROOT = Path("/folder")


def test_intents_become_typed_commands() -> None:
    state = CodebookState()
    assert state.rename(ROOT, "policy", " Law ").commands == (
        RetagTags(ROOT, Rename("policy", "Law")),
    )
    assert state.move(ROOT, "policy/eu", "law").commands == (
        RetagTags(ROOT, Rename("policy/eu", "law/eu")),
    )
    assert state.move(ROOT, "policy/eu", "/").commands == (
        RetagTags(ROOT, Rename("policy/eu", "eu")),
    )
    assert state.delete(ROOT, "x").commands == (RetagTags(ROOT, Delete("x")),)
    assert state.describe(ROOT, "x", "Text").commands == (DescribeTag(ROOT, "x", "Text"),)
    assert state.set_meaning(ROOT, "pink", "evidence").commands == (
        SetColorMeaning(ROOT, "pink", "evidence"),
    )


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (lambda s: s.rename(ROOT, "a", "b,c"), "comma"),
        (lambda s: s.rename(ROOT, "a", "a"), "already named"),
        (lambda s: s.rename(ROOT, "a", "a/b/c"), "under itself"),
        (lambda s: s.move(ROOT, "a", "a/b"), "under itself"),
        (lambda s: s.move(ROOT, "a", "a"), "under itself"),
        (lambda s: s.set_meaning(ROOT, "pink", "claim"), "already means"),
        # Refused with the dialog open, not after it closed ("… NOT saved", nothing kept).
        (lambda s: s.describe(ROOT, "a", "x" * 10_001), "at most 10,000 characters"),
    ],
)
def test_refusals_say_why(call: object, said: str) -> None:
    state = CodebookState()
    state.books[ROOT] = Codebook().with_meaning("yellow", "claim")
    with pytest.raises(Refusal, match=said):
        call(state)  # type: ignore[operator]


def test_suggestions_include_described_tags() -> None:
    state = CodebookState()
    state.books[ROOT] = describe(Codebook(), "planned/code", "not used yet")
    assert state.suggestions(ROOT, {"b", "A"}) == ["A", "b", "planned/code"]
    assert state.suggestions(None, {"b"}) == ["b"]


def test_a_written_delete_is_undoable_and_its_revert_is_not(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The cat sat.")
    store = FolderStore.open(tmp_path)
    store.save_annotation(Annotation.create("The cat sat.", 4, 7, "a.txt", tags=["pets"]))
    reader = ReaderState()
    command = RetagTags(tmp_path, Delete("pets"))
    reader.saved(command, store.change_token(), command.run(store))
    outcome, go_to = reader.undo_last()
    assert go_to is None and "Undid the deletion of “pets”" in outcome.message
    (revert,) = outcome.commands
    assert isinstance(revert, RetagTags) and isinstance(revert.operation, Revert)
    reader.saved(revert, store.change_token(), revert.run(store))
    assert store.annotations("a.txt")[0].tags == ("pets",)
    assert len(reader.undo) == 0  # a revert is not itself pushed
    assert "pets" in reader.tag_suggestions


def test_an_operation_that_changed_nothing_is_not_recorded() -> None:
    state = CodebookState()
    from ipreader.core.codebook import Retagged

    assert state.saved(RetagTags(ROOT, Delete("x")), Retagged()) is None
    change = state.saved(
        RetagTags(ROOT, Delete("x")), Retagged(codebook_before=describe(Codebook(), "x", "d"))
    )
    assert isinstance(change, TagChange)
