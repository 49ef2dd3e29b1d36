"""The annotations of one folder: ``FolderStore`` (see ``folder_store.py``) and its parts."""

from ipreader.core.store.folder_store import FolderStore, RelinkRefused, StoredDocument
from ipreader.core.store.formats import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "FolderStore", "RelinkRefused", "StoredDocument"]
