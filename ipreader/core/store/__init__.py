"""The annotations of one folder: ``FolderStore`` (see ``folder_store.py``) and its parts."""

from ipreader.core.store.folder_store import FolderStore, StoredDocument
from ipreader.core.store.formats import SCHEMA_VERSION
from ipreader.core.store.relinks import RelinkRefused

__all__ = ["SCHEMA_VERSION", "FolderStore", "RelinkRefused", "StoredDocument"]
