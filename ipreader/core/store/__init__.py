"""The annotations of one folder: ``FolderStore`` (see ``folder_store.py``) and its parts.

The names below load their module on first use (PEP 562), so that a module of
the package (``formats``, ``lock``, ``merge``) can be imported without the
whole store: ``ipreader merge-driver``, which git starts once per file, needs
only those.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ipreader.core.store.folder_store import FolderStore, StoredDocument
    from ipreader.core.store.formats import SCHEMA_VERSION
    from ipreader.core.store.relinks import RelinkRefused

__all__ = ["SCHEMA_VERSION", "FolderStore", "RelinkRefused", "StoredDocument"]

_HOMES = {
    "FolderStore": "folder_store",
    "StoredDocument": "folder_store",
    "SCHEMA_VERSION": "formats",
    "RelinkRefused": "relinks",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
