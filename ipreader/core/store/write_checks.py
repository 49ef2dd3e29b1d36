"""What the store refuses to write: any record its own reads would skip as bad.

A read skips a record with a bad field (named in a notice, kept in the file).
Writing such a record would hide it right after the save: a highlight with
201 tags was saved, then silently left out of every list. So every record is
checked before a write by the very decoder reads use (``formats``, built on
``core/records.py``), and a bad one is refused, naming the document and the
field, before anything is written.

One caller may skip the decode: the importer (``decoded=True``) builds every
annotation from a record the decoder has just accepted, and a property test
(``tests/test_import_build.py``) holds what ``importer.merge.build`` returns to
decode again unchanged; decoding its 20,000 rows a second time was a fifth of
an import. Document paths and ids are checked for every caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ipreader.core.errors import StoreWriteError
from ipreader.core.model import Annotation
from ipreader.core.records import RecordError, decode_annotation
from ipreader.core.store.formats import DocRecord, decode_doc_record, is_uuid, relpath_problem


def checked_rows(
    annotations: Iterable[Annotation], *, decoded: bool = False
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return the records of ``annotations`` to write, by document then id.

    Raises ``StoreWriteError`` for the first one a read would skip (nothing is
    written then). ``decoded``: the annotations come from the importer's
    ``build`` (its rows are not decoded again; see the module docstring).
    """
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for annotation in annotations:
        row = annotation.to_dict()
        try:
            # Each document's path once, not once per highlight (an import saves 20,000).
            if annotation.document not in grouped:
                problem = relpath_problem(annotation.document)
                if problem is not None:
                    raise RecordError("document", problem)
            # The key is the identity a read trusts (``parse_annotations``): a UUID.
            if not is_uuid(annotation.id):
                raise RecordError("id", "is not a UUID")
            if not decoded:
                decode_annotation(row)
        except RecordError as error:
            raise StoreWriteError(
                f"cannot save highlight {_shown(annotation.id)} of "
                f"{_shown(annotation.document)}: its {error}; nothing was saved"
            ) from None
        grouped.setdefault(annotation.document, {})[annotation.id] = row
    return grouped


def check_documents(records: Iterable[DocRecord]) -> None:
    """Refuse (``StoreWriteError``) to write document records a read would skip."""
    for record in records:
        try:
            decode_doc_record(record.id, record.to_dict())
        except RecordError as error:
            raise StoreWriteError(
                f"cannot save the document tags, note or position of "
                f"{_shown(record.relpath)}: its {error}; nothing was saved"
            ) from None


def _shown(value: str) -> str:
    """A value as a refusal names it: cut short (the rest of the message must stay readable)."""
    return value if len(value) <= 80 else f"{value[:80]}…"
