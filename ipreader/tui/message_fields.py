"""``FieldsRepr``: a dataclass message's fields in its ``repr`` and logs, no generated methods.

The app's messages are dataclasses made with ``repr=False, eq=False``: nothing
compares two messages (Textual compares them by identity), and Python 3.11
compiles each generated method apart (~0.1-0.2 ms a method at every start).
Mixed in before Textual's ``Message``, whose ``repr`` (``rich.repr.auto``) and
log lines are built from ``__rich_repr__``, it shows them as
``OpeningProgress(done=3, total=10)``.
"""

from __future__ import annotations

import rich.repr


class FieldsRepr:
    """Gives a dataclass message's fields to Textual's ``repr`` (``__rich_repr__``)."""

    def __rich_repr__(self) -> rich.repr.Result:
        for name in getattr(self, "__dataclass_fields__", ()):
            yield name, getattr(self, name)
