"""Crash logs: what an unexpected error leaves behind for a bug report.

An error ipreader did not expect (a bug, not a user error) is written, with
the version, platform, command line and traceback, to one new file in the
per-user data directory (``paths.crash_log_dir``), or the system's temp
directory when that cannot be written. The file is written atomically, so a
log is whole or absent.
"""

from __future__ import annotations

import os
import platform
import shlex
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ipreader import __version__
from ipreader.core.errors import StoreError
from ipreader.core.paths import crash_log_dir
from ipreader.core.storage import atomic_write_bytes


def write_crash_log(details: str, argv: Sequence[str]) -> Path | None:
    """Write ``details`` (a traceback) with the context of this run; return the log's path.

    ``None`` when no directory could take it (the caller then shows ``details``).
    """
    now = datetime.now(UTC)
    name = f"crash-{now.strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}.log"
    body = (
        f"ipreader {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
        f"time: {now.isoformat(timespec='seconds')}\n"
        f"command: ipreader {shlex.join(argv)}\n\n{details}"
    )
    for directory in (crash_log_dir(), Path(tempfile.gettempdir())):
        path = directory / name
        try:
            directory.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, body.encode("utf-8", errors="backslashreplace"))
        except (OSError, StoreError):
            continue
        return path
    return None
