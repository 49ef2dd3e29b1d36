"""current_user: settings, then IPREADER_USER, then git, then the login name; cached."""

from __future__ import annotations

import getpass
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipreader.core import identity
from ipreader.core.identity import clean_name, creator_key, current_user, resolve_user
from ipreader.core.settings import update_settings


@pytest.fixture(autouse=True)
def clean_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No settings user, no IPREADER_USER, no git on PATH, a fixed login; a fresh cache."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.delenv(identity.USER_ENV, raising=False)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(getpass, "getuser", lambda: "login-name")
    current_user.cache_clear()
    yield bin_dir
    current_user.cache_clear()


def fake_git(bin_dir: Path, body: str) -> None:
    script = bin_dir / "git"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)


def test_settings_user_comes_first(clean_sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_git(clean_sources, 'echo "Git Name"')
    monkeypatch.setenv(identity.USER_ENV, "Env Name")
    update_settings(user="  Ada   Lovelace ")
    assert resolve_user() == "Ada Lovelace"


def test_environment_when_no_setting(clean_sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_git(clean_sources, 'echo "Git Name"')
    update_settings(user=42)  # not a name: ignored
    monkeypatch.setenv(identity.USER_ENV, "Env Name")
    assert resolve_user() == "Env Name"


def test_git_when_no_setting_or_environment(clean_sources: Path) -> None:
    fake_git(clean_sources, 'test "$1 $2" = "config user.name" && echo "Grace  Hopper"')
    assert resolve_user() == "Grace Hopper"


def test_git_failure_or_absence_falls_back_to_login(clean_sources: Path) -> None:
    assert resolve_user() == "login-name"  # no git on PATH
    fake_git(clean_sources, "exit 1")
    assert resolve_user() == "login-name"
    fake_git(clean_sources, "echo '   '")
    assert resolve_user() == "login-name"


def test_hung_git_is_given_up_quickly(clean_sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sleep is a child of the script and inherits its output: killing the
    # script alone would not be enough to stop waiting.
    fake_git(clean_sources, "/bin/sleep 30\necho late")
    monkeypatch.setattr(identity, "GIT_TIMEOUT", 0.3)
    began = time.monotonic()
    assert resolve_user() == "login-name"
    assert time.monotonic() - began < 5


def test_no_login_name_gives_empty(clean_sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert resolve_user() == ""

    def no_entry() -> str:
        raise KeyError("getpwuid(): uid not found: 1234")

    monkeypatch.setattr(getpass, "getuser", no_entry)
    assert resolve_user() == ""


def test_current_user_is_cached(clean_sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(identity.USER_ENV, "First")
    assert current_user() == "First"
    monkeypatch.setenv(identity.USER_ENV, "Second")
    assert current_user() == "First"
    current_user.cache_clear()
    assert current_user() == "Second"


def test_names_are_cleaned_and_keyed() -> None:
    assert clean_name(" a\n b\t c ") == "a b c"
    assert len(clean_name("x" * 1000)) == identity.MAX_TAG_CHARS
    assert creator_key("  ADA   Lovelace") == creator_key("ada lovelace") == "ada lovelace"


def test_a_coder_view_sets_apart_the_others_by_name_whatever_the_spelling() -> None:
    everyone, dimmed, mine = (
        identity.CoderView(view, "Ada  Lovelace") for view in identity.CODER_VIEWS
    )
    assert not everyone.others("Ben") and not everyone.leaves_out("Ben")
    assert dimmed.others("Ben") and not dimmed.leaves_out("Ben")
    assert mine.others("Ben") and mine.leaves_out("Ben")
    for view in (everyone, dimmed, mine):  # the user's own, however spelled, never
        assert not view.others("ada lovelace") and not view.leaves_out(" ADA LOVELACE ")
    assert mine.leaves_out("")  # an unnamed coder is not the user
