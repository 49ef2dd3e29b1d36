"""The ipreader application: one ``MainScreen`` over the paths given on the command line."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from ipreader.core import paths
from ipreader.core.errors import IpreaderError
from ipreader.core.settings import load_settings, update_settings
from ipreader.tui.display import visible
from ipreader.tui.hangup import GRACE_SECONDS, HANGUP_EXIT, TerminalWatch
from ipreader.tui.messages import TerminalLost
from ipreader.tui.palette import theme_variables
from ipreader.tui.screens.main import MainScreen
from ipreader.tui.stylesheets import app_stylesheets


class IpreaderApp(App[None]):
    """Read and annotate the articles of ``paths`` (the bundled seeds when empty)."""

    CSS_PATH = app_stylesheets()
    TITLE = "ipreader"

    def __init__(self, paths: Sequence[Path] = (), *, line: int | None = None) -> None:
        """Create the app over ``paths`` (folders and files); no paths opens the seeds.

        ``line`` (1-based) is where to open the file given on the command line.
        """
        super().__init__()
        self.paths: list[Path] = [Path(p) for p in paths] or [_seeds()]
        """The paths opened (folders and files)."""
        self.main_screen = MainScreen(self.paths, line=line)
        """The main screen (the base of the screen stack)."""
        self._settings_lock = threading.Lock()
        self.settings: dict[str, object] = load_settings()
        """The user's settings as read at start (theme, export format and folder...)."""
        self.hung_up: str | None = None
        """How the terminal went away, if it did (``TerminalLost.how``): the app then saved
        what was queued and exited without asking."""
        self._watch: TerminalWatch | None = None
        theme = self.settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            # Set before mounting: a theme change after the first layout re-lays out
            # the whole screen and can steal the focus given meanwhile.
            self.theme = theme

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notify ``message``, always shown literally (``markup`` is ignored).

        Messages carry quotes, titles and paths: as markup, a ``[/]`` in them
        would raise ``MarkupError`` in the toast's render and crash the app; and
        their control characters must not reach the terminal either. Every
        screen's and widget's ``notify`` ends here (``Widget.notify`` passes
        ``markup=True`` by default, hence ignored rather than defaulted).
        """
        del markup
        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout,
            markup=False,
        )  # fmt: skip

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Add the highlight colours (``$hl-yellow`` ...) for a dark or light theme."""
        return theme_variables(self.current_theme.dark)

    def get_default_screen(self) -> Screen[None]:
        return self.main_screen

    def on_load(self) -> None:
        # The earliest moment a worker can run: the library opens while the
        # screen is composed and laid out (see MainScreen.start_opening).
        self.main_screen.start_opening()

    def on_mount(self) -> None:
        # Subscribed after applying the saved theme so that doesn't write it back.
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if not self.is_headless:
            # Here, not in __init__: the driver exists now and has set its signal handlers.
            loop = asyncio.get_running_loop()

            def lost(how: str) -> None:
                # Called from a signal handler or the watch's thread: the message is made
                # and posted on the loop.
                with contextlib.suppress(RuntimeError):  # the loop closed: the app is gone
                    loop.call_soon_threadsafe(lambda: self.post_message(TerminalLost(how)))

            self._watch = TerminalWatch(lost, self._last_resort)
            self._watch.start()

    def on_unmount(self) -> None:
        if self._watch is not None:
            self._watch.stop()

    @on(TerminalLost)
    async def _terminal_lost(self, message: TerminalLost) -> None:
        self.hung_up = message.how
        await self.main_screen.quit_unasked()  # saved; the exit is queued behind this handler
        if self._watch is not None:
            self._watch.end_input()

    def _last_resort(self) -> None:
        """Still running long after a hang-up (the UI thread stuck): end the process once
        the queued writes are done (each one atomic, so at worst the one running is lost)."""
        self.main_screen.writer.wait_until_idle(timeout=GRACE_SECONDS)
        os._exit(HANGUP_EXIT)

    def _theme_changed(self, theme: Theme) -> None:
        self.remember("theme", theme=theme.name)

    def remember(self, what: str, **values: object) -> None:
        """Keep ``values`` in the settings now, write them in a worker (``what`` names them)."""
        self.settings.update(values)
        self._save_settings(what, values)

    @work(thread=True, group="settings")
    def _save_settings(self, what: str, values: dict[str, object]) -> None:
        try:
            with self._settings_lock:  # read-modify-write of one file: one at a time
                update_settings(**values)
        except (IpreaderError, OSError) as error:
            self.notify(f"The {what} is not remembered: {error}", severity="warning")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            yield from screen.system_commands()

    async def action_quit(self) -> None:
        """Save the reading position and pending writes, then quit (asks if some failed)."""
        await self.main_screen.action_quit()


def _seeds() -> Path:
    return paths.seeds_dir()
