"""The app's messages compare by identity and show their fields in ``repr``.

They are dataclasses made without a generated ``__eq__`` or ``__repr__``
(``tui/message_fields.py``: each generated method costs the start-up a
compilation); Textual's ``repr`` of a message still lists their fields.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.message import Message

from ipreader.tui.messages import OpeningProgress, TerminalLost
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar
from ipreader.tui.widgets.find_bar import FindBar

MADE: list[tuple[Callable[[], Message], str]] = [
    (lambda: OpeningProgress(3, 10), "OpeningProgress(done=3, total=10)"),
    (lambda: TerminalLost("hung up"), "TerminalLost(how='hung up')"),
    (lambda: FindBar.Submitted("fox"), "Submitted(query='fox')"),
    (lambda: FindBar.Found(((1, 4),), (1, 4)), "Found(matches=((1, 4),), selected=(1, 4))"),
    (lambda: AnnotationSidebar.Chosen("a1"), "Chosen(annotation_id='a1')"),
    (lambda: AnnotationSidebar.EditRequested("a1"), "EditRequested(annotation_id='a1')"),
]


@pytest.mark.parametrize(("make", "shown"), MADE)
def test_a_message_is_itself_only_and_shows_its_fields(
    make: Callable[[], Message], shown: str
) -> None:
    one, other = make(), make()
    assert one == one and one != other  # the same fields, two messages
    assert len({one, other}) == 2  # hashable, as Textual's own messages are
    assert repr(one) == shown
