"""Per-user app preferences (theme, ...) in ``paths.settings_file()``.

Settings are a convenience: a missing or damaged file reads as empty and
never stops the app. Updates are atomic and merge into what is on disk at the
time of the update, so two instances changing different keys keep both.
"""

from __future__ import annotations

import json
from typing import Any

from ipreader.core.errors import StoreError
from ipreader.core.paths import settings_file
from ipreader.core.storage import atomic_write_bytes, read_regular_file


def load_settings() -> dict[str, Any]:
    """Return the stored settings; ``{}`` when the file is missing, unreadable or corrupt."""
    try:
        # A link is followed (dotfile managers link settings), a FIFO never waited on.
        raw = read_regular_file(settings_file(), follow_links=True)[1] or b""
        data = json.loads(raw.decode("utf-8"))
    except (OSError, StoreError, ValueError, RecursionError):
        # UnicodeDecodeError and JSONDecodeError are ValueErrors.
        return {}
    return data if isinstance(data, dict) else {}


def update_settings(**values: Any) -> None:
    """Merge ``values`` into the settings file atomically (``None`` removes a key).

    Raises ``StoreWriteError`` when the file cannot be written; values must be
    JSON-serialisable (``TypeError`` otherwise, before anything is written).
    """
    settings = load_settings()
    for key, value in values.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    data = json.dumps(settings, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)
