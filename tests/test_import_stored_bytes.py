"""An import stores exactly the bytes it stored before its write path was made faster.

The importer's write path (register, encode, write) was rewritten for speed
(issue 14). What it leaves in ``.ipreader/`` must not change, byte for byte:
another ipreader, git, sync tools and the merge driver read those files. The
digest below is of an import made by main ``9384a99`` (before the rewrite) of
the same input with the same document ids: new documents in a batch big
enough for the batch paths (one flush, one listing of ``annotations/``), one
document with enough highlights to be split into buckets on its first
write, non-ASCII text and notes, quote-only, moved and orphaned entries, and
documents that already held annotations (replaced by a newer revision, or
left alone).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.importer import import_file
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore, formats

#: ``digest`` of the ``.ipreader/`` an import by main 9384a99 left (files, names, bytes).
EXPECTED_DIGEST = "c11658bb6def3f1da2f127c7916b54e05467c765e13fb8255f07361a89f4adb6"
EXPECTED_FILES = 76

NAMESPACE = uuid.UUID("5b0e0c1e-8f0a-4d3c-9a51-7f1c2b3d4e5f")
TIME = "2024-03-01T10:00:00.000Z"
LATER = "2024-03-02T10:00:00.000Z"


def article(number: int) -> str:
    """The text of article ``number``: distinct, some with non-ASCII punctuation."""
    words = " ".join(f"word{(number * 7 + k) % 97}" for k in range(60))
    quote = "“quoted” café" if number % 5 == 0 else "plain quoted text"
    return (
        f"Title {number}\n\nA first line {number}. {quote} here.\n{words}\nThe end of {number}.\n"
    )


def ident(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))


def entry(text: str, quote: str, key: str, **fields: Any) -> dict[str, Any]:
    start = text.index(quote)
    record: dict[str, Any] = {
        "id": ident(key),
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "created": TIME,
        "updated": TIME,
    }
    record.update(fields)
    return record


def build_input(root: Path, export: Path) -> None:
    """70 articles, a big one, three already annotated; the export naming all of them."""
    documents: list[dict[str, Any]] = []
    for number in range(70):
        text = article(number)
        (root / f"a{number:03d}.txt").write_text(text, encoding="utf-8")
        annotations = [
            entry(text, f"A first line {number}.", f"{number}/1", color="yellow"),
            entry(
                text,
                f"The end of {number}.",
                f"{number}/2",
                note=f"note é {number}",
                tags=["t1", f"tag-{number % 3}"],
                revision=2,
                updated=LATER,
            ),
        ]
        if number % 5 == 0:
            annotations.append(
                {
                    "id": ident(number, "q"),
                    "quote": "“quoted” café",
                    "created": TIME,
                    "updated": TIME,
                }
            )
        if number % 7 == 0:
            moved = entry(text, f"The end of {number}.", f"{number}/m")
            moved["start"] += 3  # offsets that do not hold the quote: re-anchored
            moved["end"] += 3
            annotations.append(moved)
        if number == 9:
            annotations.append(
                {
                    "id": ident(number, "o"),
                    "quote": "not in the text at all",
                    "start": 1,
                    "end": 5,
                    "created": TIME,
                    "updated": TIME,
                }
            )
        documents.append({"path": f"a{number:03d}.txt", "annotations": annotations})
    big = "Big\n\n" + "\n".join(f"line {k} of the big one" for k in range(400)) + "\n"
    (root / "big.txt").write_text(big, encoding="utf-8")
    documents.append(
        {
            "path": "big.txt",
            "annotations": [
                entry(big, f"line {k} of the big one", f"big/{k}", note="n" * (k % 4))
                for k in range(200)
            ],
        }
    )
    data = {
        "format": "ipreader.annotations",
        "version": 1,
        "exported_at": TIME,
        "documents": documents,
    }
    export.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def annotate_before(root: Path) -> None:
    """Three documents hold annotations before the import: one replaced, two kept."""
    store = FolderStore.open(root)
    saved: list[Annotation] = []
    for number in (0, 1, 2):
        text = article(number)
        quote = f"The end of {number}."
        start = text.index(quote)
        saved.append(
            Annotation(
                id=ident(f"{number}/2"),
                document=f"a{number:03d}.txt",
                start=start,
                end=start + len(quote),
                quote=quote,
                note="older",
                created=TIME,
                updated=TIME if number == 0 else LATER,
                revision=1 if number == 0 else 5,
            )
        )
    store.save_annotations(saved)


def digest(store_dir: Path) -> tuple[str, int]:
    """sha256 over every file of ``store_dir`` (relative name and bytes), and their number."""
    files = sorted(p for p in store_dir.rglob("*") if p.is_file())
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.relative_to(store_dir).as_posix().encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest(), len(files)


def test_import_stores_the_same_bytes_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Document ids are random UUIDs: a fixed sequence makes the store's names comparable.
    numbers = iter(range(1, 1_000_000))
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(numbers), version=4))
    # The index names the version that wrote it: a release must not change the pin.
    monkeypatch.setattr(formats, "__version__", "0.1.0")
    root = tmp_path / "articles"
    root.mkdir()
    export = tmp_path / "export.json"
    build_input(root, export)
    annotate_before(root)
    report = import_file(export, root)
    assert report.added > 200
    assert report.updated == 1
    assert report.orphaned >= 1
    assert digest(root / ".ipreader") == (EXPECTED_DIGEST, EXPECTED_FILES)
