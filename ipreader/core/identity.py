"""Who is annotating: the name recorded as the ``creator`` of new highlights.

``current_user`` looks, in order, at the settings' ``user`` key, the
``IPREADER_USER`` environment variable, ``git config user.name`` and the login
name, and keeps the first non-empty answer for the life of the process.
``creator_key`` is the form under which two spellings of a name are the same
coder (filters, agreement); ``CoderView`` says whose highlights the app sets apart.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipreader.core.model import MAX_TAG_CHARS

if TYPE_CHECKING:
    import subprocess

#: Environment variable naming the user when the settings do not.
USER_ENV = "IPREADER_USER"

#: The settings key holding the user's name.
SETTINGS_KEY = "user"

#: Seconds ``git config user.name`` may take before it is given up on.
GIT_TIMEOUT = 2.0

#: Bytes of git's answer that are read (a name is far shorter).
_GIT_OUTPUT_LIMIT = 4096


def clean_name(name: str) -> str:
    """Return ``name`` on one line, whitespace collapsed, cut to the longest creator stored."""
    return " ".join(name.split())[:MAX_TAG_CHARS].strip()


@functools.lru_cache(maxsize=1024)
def creator_key(name: str) -> str:
    """Return the form of a creator's name used for matching (cleaned, case-folded)."""
    # Cached: reports ask it for every highlight, of a handful of distinct names.
    return clean_name(name).casefold()


#: The app's coder views, in the order ``C`` cycles them.
CODER_VIEWS = ("everyone", "others dimmed", "mine")


@dataclass(frozen=True)
class CoderView:
    """Whose highlights the app shows: everyone's alike, the user's with the others'
    dimmed, or the user's only (the text and the sidebar apply the same view)."""

    view: str = "everyone"
    """One of ``CODER_VIEWS``."""
    me: str = ""
    """The user's name (``current_user``)."""

    @functools.cached_property
    def my_key(self) -> str:
        """``creator_key(me)``, once (asked for each of a book's highlights)."""
        return creator_key(self.me)

    def others(self, creator: str) -> bool:
        """True when a highlight by ``creator`` is set apart: dimmed, or left out."""
        return self.view != "everyone" and creator_key(creator) != self.my_key

    def leaves_out(self, creator: str) -> bool:
        """True when a highlight by ``creator`` is not shown at all (view ``mine``)."""
        return self.view == "mine" and self.others(creator)


def _from_settings() -> str:
    from ipreader.core.settings import load_settings  # only when asked: it may touch disk

    value = load_settings().get(SETTINGS_KEY)
    return clean_name(value) if isinstance(value, str) else ""


def _from_env() -> str:
    return clean_name(os.environ.get(USER_ENV, ""))


def _from_git() -> str:
    """Return ``git config user.name``, or ``""`` when git is missing, fails or is too slow."""
    # Deferred: reports import this module for creator_key and never run git.
    import subprocess
    import tempfile

    # The answer goes to a temporary file, not a pipe: a pipe held open by a
    # child of a hung git (a wrapper script, a credential helper) would make
    # reading it wait for that child, whatever the timeout.
    try:
        with tempfile.TemporaryFile() as output:
            process = subprocess.Popen(
                ["git", "config", "user.name"],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, killed whole on timeout
            )
            try:
                code = process.wait(timeout=GIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                return ""
            if code != 0:
                return ""
            output.seek(0)
            answer = output.read(_GIT_OUTPUT_LIMIT)
    except OSError:  # no git on PATH, not executable, no temp dir
        return ""
    return clean_name(answer.decode("utf-8", errors="replace"))


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and whatever it started, then reap it."""
    import signal

    killpg = getattr(os, "killpg", None)
    try:
        if killpg is not None:
            killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups to signal
            process.kill()
    except OSError:
        pass  # already gone
    process.wait()


def _login() -> str:
    # Imported here: it loads termios too (~0.9 ms of the app's start, which asks for no name).
    import getpass

    try:
        return clean_name(getpass.getuser())
    except (OSError, KeyError, ImportError):
        # OSError (3.13+) or KeyError (earlier) when no login name and no
        # password-database entry exist, as in some containers.
        return ""


def resolve_user() -> str:
    """Return the user's name from the first source that gives one (not cached); ``""`` if none.

    Sources: the settings' ``user``, ``IPREADER_USER``, ``git config
    user.name`` (given up after ``GIT_TIMEOUT`` seconds), the login name.
    """
    for source in (_from_settings, _from_env, _from_git, _login):
        name = source()
        if name:
            return name
    return ""


@functools.cache
def current_user() -> str:
    """Return ``resolve_user()``, asked once per process (``current_user.cache_clear()`` resets)."""
    return resolve_user()
