"""Per-user settings: missing or corrupt files read as empty; updates merge atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipreader.core.errors import StoreWriteError
from ipreader.core.paths import settings_file
from ipreader.core.settings import load_settings, update_settings


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "userdata"
    monkeypatch.setenv("IPREADER_DATA_DIR", str(path))
    return path


def test_missing_file_is_empty(data_dir: Path) -> None:
    assert load_settings() == {}
    assert not data_dir.exists()  # reading creates nothing


def test_update_merges_and_persists(data_dir: Path) -> None:
    update_settings(theme="nord", wrap=True)
    update_settings(theme="gruvbox", width=80)
    assert load_settings() == {"theme": "gruvbox", "wrap": True, "width": 80}
    assert settings_file().parent == data_dir
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".tmp-")]


def test_none_removes_a_key() -> None:
    update_settings(theme="nord", wrap=True)
    update_settings(theme=None)
    assert load_settings() == {"wrap": True}


@pytest.mark.parametrize(
    "content", [b"", b"{not json", b"[1, 2]", b"\xff\xfe\x00", '{"a": 1}'.encode("utf-16")]
)
def test_corrupt_file_reads_as_empty_and_is_replaced_on_update(content: bytes) -> None:
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert load_settings() == {}
    update_settings(theme="nord")
    assert load_settings() == {"theme": "nord"}


def test_failed_write_keeps_previous_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    update_settings(theme="nord")

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr("os.replace", full)
        with pytest.raises(StoreWriteError):
            update_settings(theme="gruvbox")
    assert load_settings() == {"theme": "nord"}


def test_unserialisable_value_writes_nothing() -> None:
    update_settings(theme="nord")
    with pytest.raises(TypeError):
        update_settings(theme=object())
    assert load_settings() == {"theme": "nord"}
