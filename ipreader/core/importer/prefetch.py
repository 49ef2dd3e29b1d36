"""Reading the articles an import is about, and sketching them in worker processes meanwhile.

Each article an import names is read and hashed here (``read_document``, ~15
us a BBC article), and, unless the store already holds its record with that
hash, sketched (``fingerprint.text_fingerprint``, what relinks a renamed
article; ~120 us). Only the sketch is shared out: the importer needs the
texts at once (to reconcile and build entries), the sketches only when the
new documents are registered, at the end (after their files' temp copies are
written). So over ``POOL_MIN_ARTICLES`` or more articles the store has no
record of, one spawned worker per further CPU reads and sketches those in
chunks (sending back only each article's hash and sketch) while this process
reads them, builds and checks the entries and writes the files; then
(``Sketches.finish``) it sketches the chunks no worker has started, from the
end of the queue, and waits for the rest. A known article is sketched here,
and only if it changed (a re-import sketches nothing). A sketch is used only when the
worker's hash is the hash of the text read here (the file may have changed
between the two reads); any other, and every sketch where no worker process
can start (a sandbox, a worker killed, a script workers would run again), is
taken here, from the text read here: the same values either way.

A worker needs ~0.3 s to start (an interpreter and ipreader's modules), so an
import of a big file starts it before parsing (``Readers.start``), and it is
ready when the articles are; once the sketches are in it is told to end, and
``Readers`` waits for it only when the import is done (its CPU is then counted
as the importing process's children's).

An article that cannot be read here is left out, for the caller to read again
and name the reason.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from types import TracebackType

from ipreader.core.documents import DocumentText, read_document
from ipreader.core.errors import DocumentError
from ipreader.core.fingerprint import text_fingerprint

#: Fewest articles sketched in worker processes: starting two interpreters costs ~0.1-0.2 s,
#: what ~1,000 sketches cost on one core (measured in bench/import_scale.py's folder).
POOL_MIN_ARTICLES = 1000

#: Import files of this many bytes or more start a worker before they are parsed: an
#: export names ~1,400 bytes per article (2 annotations), so ``POOL_MIN_ARTICLES``
#: articles take ~1.4 MB; a smaller file that names that many starts it when they are
#: known, a bigger one that names fewer costs a worker's start-up on another CPU.
POOL_START_BYTES = 512 * 1024

#: Articles per task sent to a worker: few enough tasks that sending them costs little,
#: enough that the last ones keep every worker busy to the end. At the end the importing
#: process waits for the chunks a worker has started or queued (up to two each, ~20 ms
#: apiece at 100), idle: 200 left it waiting ~0.1 s.
CHUNK_ARTICLES = 100

#: Scripts known to run nothing when imported under another name than ``__main__``.
_SAFE_SCRIPTS = frozenset({"ipreader", "ipreader.exe", "ipreader-script.py"})

#: One article to read: (relative path, file, the hash the store holds for it or None).
Wanted = tuple[str, str, str | None]

#: What was read: the article and its sketch (None when the store's hash matched).
Read = tuple[DocumentText, str | None]

#: What a worker sends back for one article: its bytes' hash and sketch (None when the
#: store's hash matched), or None when it could not read it.
_Sketched = tuple[str, str | None] | None


def read_articles(wanted: Sequence[Wanted], *, pool_min: int | None = None) -> dict[str, Read]:
    """Read, hash and sketch each wanted article; those that could not be read are left out.

    Worker processes share the sketches when ``pool_min`` (default
    ``POOL_MIN_ARTICLES``) or more articles have no stored hash, where they can
    start; they have ended on return.
    """
    with Readers() as readers:
        fetched = readers.read(wanted, pool_min=pool_min)
        sketches = fetched.sketches
        sketches.finish()
        return {
            relpath: (document, sketches.get(relpath))
            for relpath, document in fetched.documents.items()
        }


class Sketches(Mapping[str, str]):
    """The sketch of each article read whose hash the store does not hold, as they come in.

    Which articles have one is known at once (``in``, ``len``, iteration: no
    wait); the first sketch looked up gathers them all (``finish``): in an
    import that is when its new documents are registered, the last step before
    its files are renamed into place.
    """

    def __init__(
        self,
        documents: Mapping[str, DocumentText],
        chunks: Sequence[Sequence[Wanted]],
        futures: Sequence[Future[list[_Sketched]] | None],
        on_finish: Callable[[], None],
    ) -> None:
        self._documents = documents
        self._chunks = chunks
        self._futures = list(futures)
        self._on_finish = on_finish
        self._chunk_of: dict[str, int] = {}
        for number, chunk in enumerate(chunks):
            for relpath, _file, stored in chunk:
                document = documents.get(relpath)
                if document is not None and document.sha256 != stored:
                    self._chunk_of[relpath] = number
        self._taken: dict[str, str] = {}
        self._pending = set(self._chunk_of.values())  # chunks not gathered yet

    def __getitem__(self, relpath: str) -> str:
        if relpath not in self._chunk_of:
            raise KeyError(relpath)  # no sketch for it (the store's hash matched)
        if self._pending:
            self.finish()
        return self._taken[relpath]

    def __contains__(self, relpath: object) -> bool:
        return relpath in self._chunk_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._chunk_of)

    def __len__(self) -> int:
        return len(self._chunk_of)

    def finish(self) -> None:
        """Gather every sketch: the chunks no worker has started are taken here, from the end
        (while the workers take them from the front), then the workers' are waited for."""
        for number in sorted(self._pending, reverse=True):
            future = self._futures[number]
            if future is None or future.cancel():
                self._gather(number)
        for number in sorted(self._pending):
            self._gather(number)
        self._on_finish()

    def _gather(self, number: int) -> None:
        future = self._futures[number]
        results: list[_Sketched] | None = None
        if future is not None and not future.cancelled():
            try:
                results = future.result()
            except Exception:
                results = None  # a worker died or its result would not unpickle: taken here
        chunk = self._chunks[number]
        for index, (relpath, _file, _stored) in enumerate(chunk):
            if relpath not in self._chunk_of:
                continue
            document = self._documents[relpath]
            sent = results[index] if results is not None else None
            if sent is not None and sent[0] == document.sha256 and sent[1] is not None:
                self._taken[relpath] = sent[1]
            else:
                # Not read by a worker, or the file changed between its read and ours.
                self._taken[relpath] = text_fingerprint(document.text)
        self._pending.discard(number)


class Fetched:
    """An import's articles, read here, and their sketches (``Sketches``), maybe still coming."""

    def __init__(self, documents: dict[str, DocumentText], sketches: Sketches) -> None:
        self.documents = documents
        """Each article read here, by relpath (the unreadable ones left out)."""
        self.sketches = sketches
        """The sketch of each of them whose hash the store does not hold."""


class Readers:
    """The worker processes of one import: started early (``start``), ended by ``with``.

    ``read`` gives them the sketches when there are enough articles, and
    leaves them to this process otherwise (or when they fail); leaving the
    ``with`` block waits for workers that sketched, and lets unused ones end on
    their own.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._tried = False  # start() ran
        self._used = False  # they were given articles
        self._closing: threading.Thread | None = None  # waits for the workers to end

    def start(self) -> None:
        """Start the worker processes now, where they can start (once; never raises)."""
        if self._tried:
            return
        self._tried = True
        if _cpus() < 2 or not _workers_may_start():
            return
        try:
            # "spawn", not "fork": the app imports in a thread of a threaded process,
            # where a forked child may inherit a lock held by another thread.
            pool = ProcessPoolExecutor(
                max_workers=_cpus() - 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_quiet,
            )
        except Exception:
            return  # no worker process here (a sandbox): sketch in this process
        try:
            pool.submit(_ready)  # spawns the workers now, not at the first chunk
        except Exception:
            pool.shutdown(wait=False, cancel_futures=True)
            return
        self._pool = pool

    def start_for(self, file: Path) -> None:
        """``start`` now when ``file`` has ``POOL_START_BYTES`` or more (read by a worker later)."""
        try:
            size = file.stat().st_size
        except OSError:
            return  # reading it will say why
        if size >= POOL_START_BYTES:
            self.start()

    def read(self, wanted: Sequence[Wanted], *, pool_min: int | None = None) -> Fetched:
        """Read and hash each wanted article here; sketches in the workers when ``pool_min``
        or more of them are unknown to the store (no stored hash).

        Once (a second call sketches in this process).
        """
        if pool_min is None:
            pool_min = POOL_MIN_ARTICLES  # read now: a test may lower it
        # Only articles the store holds no record of go to the workers: a known one is
        # mostly unchanged (a re-import needs no sketch), and one that changed is sketched
        # here, from the last chunk, the first one ``finish`` takes.
        unknown = [item for item in wanted if item[2] is None]
        known = [item for item in wanted if item[2] is not None]
        many = len(unknown) >= pool_min
        if many:
            self.start()
        chunks = [*_chunks(unknown), *([known] if known else [])]
        futures: list[Future[list[_Sketched]] | None] = [None] * len(chunks)
        if many and self._pool is not None and self._closing is None:
            self._used = True
            try:
                for number, chunk in enumerate(chunks[: len(chunks) - bool(known)]):
                    futures[number] = self._pool.submit(_sketch_chunk, chunk)
            except Exception:
                pass  # a worker died: what was not submitted is sketched here
        else:
            self._close()  # not needed: ends while the import goes on
        documents: dict[str, DocumentText] = {}
        for relpath, file, _stored in wanted:
            try:
                documents[relpath] = read_document(Path(file))
            except DocumentError:
                continue  # read again by the caller, whose error names the reason
        return Fetched(documents, Sketches(documents, chunks, futures, self._close))

    def _close(self) -> None:
        """Let the workers end (once) while the import goes on; ``__exit__`` waits for them."""
        if self._pool is None or self._closing is not None:
            return
        # (A second ``shutdown`` would not wait: the first forgets its processes.)
        self._closing = threading.Thread(
            target=self._pool.shutdown, kwargs={"cancel_futures": True}, daemon=True
        )
        self._closing.start()

    def __enter__(self) -> Readers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is None:
            return
        if not self._used:
            if self._closing is None:
                self._pool.shutdown(wait=False, cancel_futures=True)  # started, never asked
            return
        self._close()  # an import that failed before its sketches were gathered
        assert self._closing is not None
        # Waited for when they sketched: their CPU is then this import's (a bench
        # counts it), and none outlives it; an unused one ends on its own.
        self._closing.join()


def _workers_may_start() -> bool:
    """True when starting a worker process cannot run the caller's own script again.

    A spawned worker first imports the program's main module. A module run with
    ``-m`` (the ``ipreader`` package, ``pytest``), ``python -c`` and the
    ``ipreader`` command (its generated script runs ``main`` only under
    ``__main__``) are safe; any other script might do its work again at import
    (multiprocessing's "safe importing of main module"), so it is read here.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return main is not None
    path = getattr(main, "__file__", None)
    return path is None or Path(path).name in _SAFE_SCRIPTS


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        return os.cpu_count() or 1


def _ready() -> None:
    """A worker's first task: it has started and imported this module."""


def _quiet() -> None:
    """In a worker: nothing it might print reaches the terminal (the app draws there)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _chunks(wanted: Sequence[Wanted]) -> Iterator[list[Wanted]]:
    items = iter(wanted)
    while chunk := list(islice(items, CHUNK_ARTICLES)):
        yield chunk


def _sketch_chunk(chunk: Sequence[Wanted]) -> list[_Sketched]:
    """In a worker: each article of ``chunk`` read, hashed and (unless stored) sketched."""
    return [_sketch_one(path, stored) for _, path, stored in chunk]


def _sketch_one(path: str, stored: str | None) -> _Sketched:
    try:
        document = read_document(Path(path))
    except DocumentError:
        return None  # the importing process reads it too, and decides
    sketch = None if document.sha256 == stored else text_fingerprint(document.text)
    return document.sha256, sketch
