"""Which documents' highlights an export already checked against their text, unchanged since.

An export verifies every highlight against its article's text (``text[start:end]``
still holds the quote) and adds ``current`` where the covered text differs
from the quote. Reading 10,000 unchanged articles for that is most of what an
export of a large folder reads, so once a document has been checked and found
plain — every highlight covers exactly its quote (or is orphaned), none is
approximate — the export remembers a digest of the article's hash and of the
highlights' places. The next export skips the read while both are unchanged:
the article's hash (known from the metadata cache, which re-reads any file
whose size or mtime changed) and every highlight's id, offsets, status and
quote. Anything else is read as before.

The file is ``verified.json`` beside the metadata cache:
``{"version": 1, "documents": {relpath: digest}}``. It is only a cache: a
missing, corrupt or unwritable file is ignored, never an error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path

from ipreader.core.errors import StoreError
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.storage import atomic_write_bytes, encode_database, read_regular_file

#: The file's name in a store's folder.
VERIFIED_FILENAME = "verified.json"

#: Format version of the file; other versions are ignored (rebuilt).
VERIFIED_VERSION = 1


def digest(sha256: str, annotations: Iterable[Annotation]) -> str | None:
    """Return the digest of an article's hash and its highlights' places.

    ``None`` when a highlight is approximate (``FUZZY``): its ``current`` text
    always comes from the article, so such a document is always read.
    """
    # One hash of the joined bytes (the same digest as one update per piece):
    # an export digests every unchanged document of the folder.
    pieces = [sha256.encode("ascii", "replace")]
    for annotation in sorted(annotations, key=_by_id):
        status = annotation.status
        if status is AnchorStatus.FUZZY:
            return None
        # The quote's length first: no two different lists give the same bytes.
        quote = annotation.quote.encode("utf-8", "surrogatepass")
        place = f"{annotation.id}\0{annotation.start}\0{annotation.end}\0"
        pieces.append(f"{place}{_STATUS_TEXT[status]}\0{len(quote)}\0".encode())
        pieces.append(quote)
    return hashlib.blake2b(b"".join(pieces), digest_size=16).hexdigest()


_by_id = attrgetter("id")

#: Each status's text (``status.value`` without the enum's descriptor, per highlight).
_STATUS_TEXT = {status: status.value for status in AnchorStatus}


def is_plain(text: str, annotations: Iterable[Annotation]) -> bool:
    """True when every highlight is orphaned or covers exactly its quote in ``text``."""
    return all(
        not annotation.is_anchored
        or (
            annotation.status is not AnchorStatus.FUZZY
            and text[annotation.start : annotation.end] == annotation.quote
        )
        for annotation in annotations
    )


class VerifiedDocuments:
    """The digests of the documents of one folder an export found plain."""

    def __init__(self, location: Path | None) -> None:
        """Load ``location / VERIFIED_FILENAME`` (``None``: in memory only)."""
        self.file = None if location is None else location / VERIFIED_FILENAME
        """Where the digests are kept; None for no persistence."""
        self._digests = self._load()
        self._dirty = False

    def _load(self) -> dict[str, str]:
        if self.file is None:
            return {}
        try:
            # Never blocks: a FIFO or a link named like the file is not read.
            data = json.loads(read_regular_file(self.file)[1] or b"")
        except (OSError, StoreError, ValueError, RecursionError):
            return {}  # missing or damaged: every document is read, as without it
        if not isinstance(data, dict) or data.get("version") != VERIFIED_VERSION:
            return {}
        documents = data.get("documents")
        if not isinstance(documents, dict):
            return {}
        return {k: v for k, v in documents.items() if isinstance(k, str) and isinstance(v, str)}

    def holds(self, relpath: str, value: str | None) -> bool:
        """True when ``relpath`` was found plain with exactly this digest."""
        return value is not None and self._digests.get(relpath) == value

    def remember(self, relpath: str, value: str | None) -> None:
        """Record that ``relpath`` was found plain with digest ``value`` (None: forget it)."""
        if value is None:
            if self._digests.pop(relpath, None) is not None:
                self._dirty = True
        elif self._digests.get(relpath) != value:
            self._digests[relpath] = value
            self._dirty = True

    def save(self) -> None:
        """Write the digests atomically if they changed; every failure is swallowed."""
        if self.file is None or not self._dirty:
            return
        payload = {"version": VERIFIED_VERSION, "documents": self._digests}
        try:
            # encode_database escapes lone surrogates (non-UTF-8 file names).
            atomic_write_bytes(self.file, encode_database(payload))
        except Exception:
            return  # only a cache: the next export reads these articles again
        self._dirty = False
