"""Run a check as an unprivileged user, for real (tests run as root, which ignores file modes).

A forked child drops to uid/gid 65534 and runs a function already imported in
the parent, so no interpreter has to be executable by that user (CI's Python
lives under /root, mode 0700). The child reports a JSON dict through a pipe.
"""

from __future__ import annotations

import codecs
import importlib
import json
import os
import pkgutil
import select
from collections.abc import Callable
from typing import Any

NOBODY = 65534


def can_switch_user() -> bool:
    """True when this process may drop to another user (it runs as root)."""
    return os.geteuid() == 0


def _load_what_the_core_loads_late() -> None:
    """Import every core module and what they import or look up on first use.

    The child cannot read the interpreter's files nor the venv's (CI's Python lives
    under /root, the venv in a 0700 temp dir): whatever is first loaded in the child
    fails. Loaded here, before the fork, a check passes alone as in a whole suite.
    """
    import ipreader.core

    for module in pkgutil.walk_packages(ipreader.core.__path__, "ipreader.core."):
        importlib.import_module(module.name)
    for name in ("csv", "fcntl", "getpass", "secrets", "signal", "subprocess", "tempfile"):
        importlib.import_module(name)
    for codec in ("raw_unicode_escape", "latin-1", "cp1252", "utf-16", "utf-32"):
        codecs.lookup(codec)


def run_as_nobody(check: Callable[[], dict[str, Any]], timeout: float = 60.0) -> dict[str, Any]:
    """Run ``check`` in a forked child as uid/gid 65534 and return the dict it returned.

    An exception in the child comes back as ``{"crash": repr(error)}``; a child
    that reports nothing within ``timeout`` seconds is killed and reported so.
    """
    _load_what_the_core_loads_late()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload = json.dumps(check())
        except BaseException as error:
            payload = json.dumps({"crash": repr(error)})
        finally:
            try:
                os.write(write_end, payload.encode())
            finally:
                os._exit(0)
    os.close(write_end)
    chunks: list[bytes] = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            ready, _, _ = select.select([pipe], [], [], timeout)
            if not ready:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                return {"crash": f"no report within {timeout} s"}
            chunk = pipe.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    return dict(json.loads(b"".join(chunks) or b'{"crash": "no output"}'))
