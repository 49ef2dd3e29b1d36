"""A folder of articles with every kind of highlight an export must carry.

Used by the W3C conformance, REFI-QDA and round-trip tests: CJK text, file
names with a space, ``#`` and ``%``, CRLF and BOM files (UTF-8 and UTF-16),
highlights that moved, one matched approximately, one orphaned, several
creators, hierarchical tags, notes with Markdown and newlines, a document's
own tags and note.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation, DocumentNotes

PLAIN = "Plain title\n\nThe cat sat on the mat. The cat ran off.\n1.4 million people *read* it.\n"
ODD = "Odd name\n\nA # hash, 50% off, and a [link](x) here.\n"
CJK = "漢字の記事\n\n東京は日本の首都です。中文字符也在这里。Mixed 中文 and English.\n"
CRLF = "CRLF title\r\n\r\nFirst line here.\r\nSecond line there.\r\n"
WIDE = "Wide title\n\nUTF-16 text with an emoji 🦊 and more.\n"
EDITED = "Edited title\n\nThe original sentence stays. A phrase that will vanish soon.\n"

#: Relative path -> (bytes on disk).
FILES: dict[str, bytes] = {
    "plain.txt": PLAIN.encode(),
    "odd name #1 50%.txt": ODD.encode(),
    "sub/漢字.txt": CJK.encode(),
    "crlf bom.txt": b"\xef\xbb\xbf" + CRLF.encode(),
    "wide.txt": "\ufeff".encode("utf-16-le") + WIDE.encode("utf-16-le"),
    "edited.txt": EDITED.encode(),
}


def _text(relpath: str) -> str:
    """The text ipreader anchors in (BOM dropped, newlines normalised)."""
    source = {"crlf bom.txt": CRLF, "wide.txt": WIDE}.get(relpath)
    if source is None:
        return FILES[relpath].decode()
    return source.replace("\r\n", "\n")


def _make(
    relpath: str, quote: str, creator: str, occurrence: int = 0, **fields: object
) -> Annotation:
    text = _text(relpath)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return Annotation.create(
        text,
        start,
        start + len(quote),
        relpath,
        creator=creator,
        **fields,  # type: ignore[arg-type]
    )


def make_varied_folder(root: Path, *, creators: bool = True) -> list[Annotation]:
    """Write the articles under ``root``, highlight them, then edit two; return the highlights.

    With ``creators=False`` the highlights have no creator (as made by an
    older ipreader).
    """
    for relpath, data in FILES.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    ann, bo = ("Ann Example", "Bo Ström") if creators else ("", "")
    made = [
        _make("plain.txt", "cat", ann, 1, note="the *second* cat\n- not a list", tags=["Animals"]),
        _make("plain.txt", "1.4 million", bo, color="green", tags=["policy/patents", "Policy"]),
        _make("plain.txt", "The cat sat", ann, color="pink"),
        _make("odd name #1 50%.txt", "50% off", ann, note="# not a heading", tags=["a#b"]),
        _make("odd name #1 50%.txt", "[link](x)", bo, color="blue"),
        _make("sub/漢字.txt", "東京", ann, note="首都", tags=["地名"]),
        _make("sub/漢字.txt", "Mixed 中文", bo, color="purple"),
        _make("crlf bom.txt", "First line here.\nSecond", ann, tags=["lines"]),
        _make("wide.txt", "emoji 🦊 and", bo, note="astral"),
        _make("edited.txt", "original sentence", ann, tags=["moved"]),
        _make("edited.txt", "A phrase that will vanish soon.", bo, note="gone"),
    ]
    library = Library.open([root])
    by_path = {info.relpath: info for info in library.documents()}
    for annotation in made:
        library.store_for(by_path[annotation.document]).save_annotation(annotation)
    store = library.store_for(by_path["plain.txt"])
    store.set_document_notes("plain.txt", DocumentNotes(tags=("Reading list",), note="Whole doc."))
    store.set_document_notes("sub/漢字.txt", DocumentNotes(tags=("cjk",)))
    # An edit: the first highlight moves, the second is lost (orphaned).
    (root / "edited.txt").write_text("A new opening line.\n\n" + EDITED.replace(
        "A phrase that will vanish soon.", "Something else entirely."
    ))  # fmt: skip
    return made


def add_fuzzy(root: Path, relpath: str = "plain.txt") -> Annotation:
    """Save an approximate match whose covered text differs from the highlighted quote.

    As re-anchoring keeps what was highlighted (``quote``) while the offsets
    cover the text found now.
    """
    text = _text(relpath)
    start = text.index("ran off")
    fuzzy = replace(
        Annotation.create(text, start, start + len("ran off"), relpath, creator="Ann Example"),
        quote="ran away",
        status=AnchorStatus.FUZZY,
        score=91.0,
    )
    library = Library.open([root])
    info = next(i for i in library.documents() if i.relpath == relpath)
    library.load(info)  # records the text's hash: an export then takes the record as it is
    library.store_for(info).save_annotation(fuzzy)
    return fuzzy
