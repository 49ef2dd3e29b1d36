"""Renamed, moved and missing articles: find where a document's file went, or say it is gone.

A *missing* document is one the store holds annotations, tags or a note for
whose file is no longer in the folder. Its data is never hidden: the library
lists it (``Library`` collections' ``missing``), ``list``, ``check`` and
``export`` report it. Where the file went is sought among the folder's
*unknown* files (readable articles the store holds nothing for):

1. **same content**: an unknown file with the sha256 the annotations were
   last anchored against (a plain rename or move);
2. **similar text**: the share of the document's text sketch (or, for a
   record without one, of its quotes' shingles) found in each unknown file
   (``core/fingerprint.py``), accepted when it reaches ``MIN_SIMILARITY``
   *and* beats the runner-up by ``MARGIN`` — the runner-up among the other
   files for this document, and among the other missing documents for that
   file (a renamed *and* edited article).

An unambiguous answer is applied at once (``FolderStore.relink`` rewrites
every record naming the old path) with a notice; otherwise the best
candidates are kept as suggestions for the review screen and ``ipreader
relink OLD NEW``. ``relink_collection`` is the one entry point: the library
calls it on opening a folder, for the app and every command alike.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ipreader.core.discovery import walk_lists
from ipreader.core.documents import DocumentInfo, read_document
from ipreader.core.errors import DocumentError, StoreError
from ipreader.core.fingerprint import parse_fingerprint, shingles, sketch
from ipreader.core.store import FolderStore, StoredDocument
from ipreader.core.store.formats import relpath_problem
from ipreader.core.wording import plural

#: Least share (0..1) of a document's sketch an unknown file must hold to be its new name.
MIN_SIMILARITY = 0.5

#: Lead the best file needs over the runner-up (for the document, and for the file).
MARGIN = 0.2

#: Least share for a file to be *suggested* (shown in the review screen and ``check``).
MIN_SUGGESTION = 0.2

#: Suggestions kept per missing document.
MAX_SUGGESTIONS = 3

#: An unknown file whose word count is off by more than this factor is not compared.
WORDS_FACTOR = 2.0

#: What a missing document's ``DocumentInfo.error`` says (the app lists it with this reason).
MISSING_REASON = "missing: moved or deleted; its highlights are kept"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file that may be a missing document under its new name."""

    relpath: str
    """The file's path relative to the folder."""
    score: float
    """How sure: 1.0 for the same content, else the share of the text sketch it holds."""
    by: str
    """``"content"`` (same sha256) or ``"text"`` (similar text)."""


@dataclass(frozen=True, slots=True)
class MissingDocument:
    """A document with annotations, tags or a note whose file is gone."""

    relpath: str
    """Where the file was, relative to the folder."""
    stored: StoredDocument
    """What the store holds about it (annotations as last anchored)."""
    candidates: tuple[Candidate, ...] = ()
    """Files that may be it, best first (none was sure enough to relink)."""

    def info(self, root: Path) -> DocumentInfo:
        """Return a ``DocumentInfo`` naming it, unreadable with ``MISSING_REASON``."""
        return DocumentInfo(
            path=root / self.relpath, relpath=self.relpath, root=root,
            title=Path(self.relpath).stem or self.relpath, date=None, words=0,
            reading_minutes=0, sha256=self.stored.sha256, encoding=None, size=0, mtime_ns=0,
            error=MISSING_REASON,
        )  # fmt: skip


def is_missing(info: DocumentInfo) -> bool:
    """True when ``info`` stands for a missing document (``MissingDocument.info``)."""
    return info.error == MISSING_REASON


@dataclass(frozen=True, slots=True)
class _Lost:
    """What is known of a missing document's text."""

    relpath: str
    sha256: str | None
    sketch: tuple[int, ...]
    words: int | None


def _lost(document: StoredDocument) -> _Lost:
    parsed = parse_fingerprint(document.fingerprint)
    if parsed is not None:
        return _Lost(document.relpath, document.sha256, parsed[1], parsed[0])
    # No sketch (a record from before sketches, or an index rebuilt): the quotes
    # are the only text left of the document.
    quotes: set[int] = set()
    for annotation in document.annotations:
        quotes |= shingles(annotation.quote) if len(annotation.quote.split()) >= 3 else set()
    return _Lost(document.relpath, document.sha256, sketch(quotes), None)


def find_candidates(
    lost: Sequence[StoredDocument],
    unknown: Sequence[DocumentInfo],
    read_text: Callable[[DocumentInfo], str | None],
) -> tuple[dict[str, Candidate], dict[str, tuple[Candidate, ...]]]:
    """Return ``(sure, suggested)``: each missing document's new file, or its best guesses.

    ``sure`` maps a missing relpath to the one file it certainly is;
    ``suggested`` maps the others to their candidates, best first (maybe none).
    ``read_text`` returns an unknown file's text (``None``: unreadable); it is
    called at most once per file, and only when a text comparison is needed.
    """
    documents = [_lost(document) for document in lost]
    by_hash: dict[str, list[DocumentInfo]] = defaultdict(list)
    for info in unknown:
        if info.sha256:
            by_hash[info.sha256].append(info)
    hashes = Counter(d.sha256 for d in documents if d.sha256)
    sure: dict[str, Candidate] = {}
    suggested: dict[str, tuple[Candidate, ...]] = {}
    rest: list[_Lost] = []
    for document in documents:
        same = by_hash.get(document.sha256 or "", [])
        if len(same) == 1 and hashes[document.sha256 or ""] == 1:
            sure[document.relpath] = Candidate(same[0].relpath, 1.0, "content")
        elif same:
            suggested[document.relpath] = tuple(Candidate(i.relpath, 1.0, "content") for i in same)
        else:
            rest.append(document)
    taken = {candidate.relpath for candidate in sure.values()}
    files = [info for info in unknown if info.relpath not in taken]
    scores = _text_scores([d for d in rest if d.sketch], files, read_text)
    # Per file, its two best documents: the rival of a document is the best other one.
    leaders: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for relpath, by_file in scores.items():
        for file, score in by_file.items():
            leaders[file] = sorted([*leaders[file], (score, relpath)], reverse=True)[:2]
    for document in rest:
        ranked = sorted(scores.get(document.relpath, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        if ranked and _unambiguous(document.relpath, ranked, leaders[ranked[0][0]]):
            sure[document.relpath] = Candidate(ranked[0][0], ranked[0][1], "text")
            continue
        suggested[document.relpath] = tuple(
            Candidate(relpath, score, "text")
            for relpath, score in ranked[:MAX_SUGGESTIONS]
            if score >= MIN_SUGGESTION
        )
    return sure, suggested


def _unambiguous(
    relpath: str, ranked: list[tuple[str, float]], leaders: list[tuple[float, str]]
) -> bool:
    """True when the best file is sure for this document, and this document for that file.

    ``ranked`` are the document's files, best first; ``leaders`` the best file's
    two best documents.
    """
    best = ranked[0][1]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    rival = max((score for score, other in leaders if other != relpath), default=0.0)
    # Rounded: 1.0 - 0.8 is 0.19999999999999996 in floats, which refused a lead of
    # exactly MARGIN (five quote shingles against four).
    return best >= MIN_SIMILARITY and round(best - max(runner_up, rival), 9) >= MARGIN


def _text_scores(
    documents: Sequence[_Lost],
    files: Sequence[DocumentInfo],
    read_text: Callable[[DocumentInfo], str | None],
) -> dict[str, dict[str, float]]:
    """Return, per missing document, how much of it each plausible file is (0..1).

    For a document with a text sketch, the smaller of two shares: of the sketch
    found in the file (the old text survives in it), and of the file's shingles
    hashed within the sketch's range that are in the sketch (the file is not
    mostly something else: half of the article glued to another one). The
    sketch holds *every* shingle of the old text below its largest value, so the
    second share is exact on that sample. For quotes only, the first share.
    """
    if not documents:
        return {}
    # A file no document could have become by an edit is not even read.
    words = [d.words for d in documents if d.words is not None]
    fewest, most = (min(words), max(words)) if len(words) == len(documents) else (0, None)
    postings: dict[int, list[str]] = defaultdict(list)
    wanted = {value for document in documents for value in document.sketch}
    sizes: dict[str, int] = {}
    ordered: dict[str, list[int]] = {}  # each file's shingle hashes, sorted
    for info in files:
        if info.words * WORDS_FACTOR < fewest or (
            most is not None and info.words > most * WORDS_FACTOR
        ):
            continue
        text = read_text(info)
        if text is None:
            continue
        sizes[info.relpath] = info.words
        values = shingles(text)
        ordered[info.relpath] = sorted(values)
        for value in values & wanted:
            postings[value].append(info.relpath)
    result: dict[str, dict[str, float]] = {}
    for document in documents:
        hits: Counter[str] = Counter()
        for value in document.sketch:
            hits.update(postings.get(value, ()))
        top = document.sketch[-1] if document.sketch else 0
        scores: dict[str, float] = {}
        for relpath, count in hits.items():
            share = count / len(document.sketch)
            if share < MIN_SUGGESTION:
                continue  # neither a candidate nor a rival that could matter
            if document.words is not None:  # a whole-text sketch
                if not _plausible(document.words, sizes[relpath]):
                    continue
                share = min(share, count / max(1, bisect_right(ordered[relpath], top)))
            scores[relpath] = share
        result[document.relpath] = scores
    return result


def _plausible(old_words: int, new_words: int) -> bool:
    """True when an edit could plausibly turn ``old_words`` words into ``new_words``."""
    return old_words <= new_words * WORDS_FACTOR and new_words <= old_words * WORDS_FACTOR


def _read(info: DocumentInfo) -> str | None:
    try:
        return read_document(info.path).text
    except DocumentError:
        return None


def relink_collection(
    store: FolderStore, root: Path, documents: Sequence[DocumentInfo]
) -> list[MissingDocument]:
    """Relink the folder's renamed documents that are certain; return the missing ones.

    ``documents`` are the folder's articles as listed now. Each relink made is
    told in ``store.notices``. When the store is read-only, nothing is relinked
    and the certain files are offered as the only suggestion.
    """
    # The index and a stat per document first: decoding every annotation file only to
    # learn that no article is gone cost ~0.8 s per 20,000 highlights on every command.
    # An article just listed exists: only the others are looked for (a stat each).
    listed = {info.relpath for info in documents}
    if all(relpath in listed or _exists(root / relpath) for relpath in store.indexed_paths()):
        return []
    stored = store.stored_documents()
    lost = [d for d in stored.values() if not d.empty and not _exists(root / d.relpath)]
    if not lost:
        return []
    unknown = [
        info
        for info in documents
        if info.readable and (info.relpath not in stored or stored[info.relpath].empty)
    ]
    sure, suggested = find_candidates(lost, unknown, _read)
    if sure and not store.writable:
        suggested.update((old, (candidate,)) for old, candidate in sure.items())
    elif sure:
        pairs = {old: candidate.relpath for old, candidate in sure.items()}
        try:
            moved: dict[str, int | StoreError] = dict(store.relink_many(pairs))
        except StoreError as error:  # a failed write: nothing relinked, nothing lost
            moved = dict.fromkeys(pairs, error)
        for old, candidate in sure.items():
            _tell(store, old, candidate, moved[old])
            if not isinstance(moved[old], int):
                suggested[old] = (candidate,)
    # A certain relink that could not be made stays missing, with its file suggested.
    return [
        MissingDocument(d.relpath, d, suggested.get(d.relpath, ()))
        for d in lost
        if d.relpath not in sure or d.relpath in suggested
    ]


def _tell(store: FolderStore, old: str, candidate: Candidate, moved: int | StoreError) -> None:
    """Tell the user about a relink made (or refused) on opening the folder."""
    if isinstance(moved, StoreError):
        store.notices.add(f"{old} seems renamed to {candidate.relpath}; not relinked: {moved}")
        return
    how = "same content" if candidate.by == "content" else f"{candidate.score:.0%} same text"
    store.notices.add(
        f"{old} was renamed to {candidate.relpath} ({how}): its annotations follow it "
        f"({plural(moved, 'highlight')})"
    )


def relink_by_hand(store: FolderStore, root: Path, old: str, new: str) -> int:
    """Relink the missing document ``old`` to the file ``new`` as a person asked.

    Both are paths relative to ``root``. Raises ``StoreError`` when ``old``
    still exists or holds nothing, or ``new`` is not an article the folder
    lists (an article's name, not hidden nor in the store's folder, a file
    inside the folder) or already has annotations. Returns the number of
    annotations moved.
    """
    if _exists(root / old):
        raise StoreError(f"{old} still exists; only a missing document can be relinked")
    problem = relpath_problem(new)
    if problem is not None:
        raise StoreError(f"{new!r} cannot be an article of {root}: the path {problem}")
    if not (root / new).is_file():
        raise StoreError(f"{new} is not a file in {root}")
    # Only what the folder lists: highlights given to another path would be kept under
    # a name no listing shows (a hidden file, the store's own files, a file outside).
    if not walk_lists(root, new):
        raise StoreError(
            f"{new} is not an article the folder lists (hidden, in the store's folder, "
            f"not an article's name, or through a link out of {root})"
        )
    return store.relink(old, new)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True  # cannot tell: never call a document missing on a doubt
