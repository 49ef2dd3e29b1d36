"""The footer shows the focused widget's keys, and is not rebuilt when they did not change."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from ipreader.tui.widgets.keys_footer import KeysFooter


class Pane(Static, can_focus=True):
    """A focusable pane with a key of its own."""

    def __init__(self, key: str, description: str, id: str) -> None:
        super().__init__(id=id)
        self._bindings.bind(key, "noop", description)

    def action_noop(self) -> None:
        """Do nothing (the key is only shown)."""


class FooterApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Pane("a", "Annotate", "left")
        yield Pane("n", "Notes", "right")
        yield KeysFooter(compact=True)


def shown(app: FooterApp) -> list[str]:
    """The descriptions of the footer's keys, in order."""
    return [str(getattr(key, "description", "")) for key in app.query("FooterKey")]


async def test_the_footer_follows_the_focus_and_keeps_its_keys_when_nothing_changed() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        app.query_one("#left").focus()
        await pilot.pause()
        assert shown(app) == ["Annotate", "Quit", "palette"]
        keys = list(app.query("FooterKey"))
        app.screen.refresh_bindings()  # the same keys: not rebuilt
        await pilot.pause()
        assert list(app.query("FooterKey")) == keys
        assert all(key.is_attached for key in keys)
        app.query_one("#right").focus()
        await pilot.pause()
        assert shown(app) == ["Notes", "Quit", "palette"]
