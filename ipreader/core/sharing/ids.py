"""The id a new document record gets: the same in every copy of a folder.

Two coders who each start annotating the same article in their own clone
must give it the same document id, so that git (or a sync tool) sees one
annotations file changed on both sides -- merged record by record -- and not
two files and an index listing the article twice. The id is a name-based
UUID (version 5) of the document's path; a path whose id is already taken
(the record of a renamed article keeps its id) gets a random one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Container

# Fixed forever: changing it gives existing folders' articles other ids in new clones.
_DOCUMENT_NAMESPACE = uuid.UUID("0d5f8a52-6a1e-4b7c-9c3e-7f2b1d4e8a60")


def document_id(relpath: str, taken: Container[str] = ()) -> str:
    """The id of a new record for ``relpath``: derived from the path unless ``taken``."""
    # uuid.uuid5's own computation, on bytes: a path that is not valid UTF-8 holds
    # lone surrogates, which str.encode refuses (uuid5 takes no bytes before 3.12).
    name = relpath.encode("utf-8", "surrogateescape")
    digest = hashlib.sha1(_DOCUMENT_NAMESPACE.bytes + name, usedforsecurity=False).digest()
    derived = str(uuid.UUID(bytes=digest[:16], version=5))
    return derived if derived not in taken else str(uuid.uuid4())
