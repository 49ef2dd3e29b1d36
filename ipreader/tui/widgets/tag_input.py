"""A comma-separated tag ``Input`` that completes the tag being typed from known tags."""

from __future__ import annotations

from collections.abc import Iterable

from textual.suggester import Suggester
from textual.widgets import Input

from ipreader.core.model import normalize_tags, tag_key


class TagSuggester(Suggester):
    """Complete the last comma-separated item of a tag list from known tags.

    Matching is case-insensitive; an accepted completion uses the known tag's
    own spelling, and tags already present earlier in the list are not offered
    again. Tags are tried in the order given (callers pass the most used first).
    """

    def __init__(self, tags: Iterable[str]) -> None:
        # Case-sensitive for the base class so that get_suggestion sees the raw
        # value: the suggestion must start with exactly what the user typed.
        super().__init__(use_cache=True, case_sensitive=True)
        self._tags: tuple[str, ...] = normalize_tags(tags)
        self._keys: tuple[str, ...] = tuple(tag.casefold() for tag in self._tags)

    async def get_suggestion(self, value: str) -> str | None:
        """Return ``value`` with its last item completed to a known tag, or None."""
        head, _, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        typed_key = typed.casefold()
        present = {tag_key(item) for item in head.split(",")}
        for tag, key in zip(self._tags, self._keys, strict=True):
            if key.startswith(typed_key) and key != typed_key and key not in present:
                return value[: len(value) - len(typed)] + tag
        return None


class TagInput(Input):
    """An ``Input`` for a comma-separated tag list, with completion from known tags."""

    def __init__(
        self,
        value: str = "",
        *,
        suggestions: Iterable[str] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Create the input with ``value`` and completion from ``suggestions``."""
        super().__init__(
            value,
            placeholder="tags, comma separated",
            suggester=TagSuggester(suggestions),
            # Tabbing in must not select the tags: the next key would replace them all.
            select_on_focus=False,
            id=id,
            classes=classes,
        )
