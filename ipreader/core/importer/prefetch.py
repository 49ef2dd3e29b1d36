"""Reading the articles an import is about before merging: in worker processes when many.

Each article an import names is read, hashed and, unless the store already
holds its record with that hash, sketched (``fingerprint.text_fingerprint``,
what relinks a renamed article). That is pure CPU per article (the sketch
~0.2 ms, the read and hash ~0.06 ms on a BBC article), so over
``POOL_MIN_ARTICLES`` or more articles it is shared, in chunks, between the
importing process and one spawned worker per further CPU (the text, its hash
and sketch sent back pickled). Below that, or where no worker process can
start (a sandbox, a worker killed, a script workers would run again), it is
done here, with the same results.

A worker needs ~0.3 s to start (an interpreter and ipreader's modules), so an
import of a big file starts it before parsing (``Readers.start``), and it is
ready when the articles are; once they are read it is told to end, and
``Readers`` waits for it only when the import is done (its CPU is then counted
as the importing process's children's).

An article a worker cannot read is read again by the caller, in its own
process, so the message that names what is wrong is the usual one.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from types import TracebackType

from ipreader.core.documents import DocumentText, read_document
from ipreader.core.errors import DocumentError
from ipreader.core.fingerprint import text_fingerprint

#: Fewest articles read in worker processes: starting two interpreters costs ~0.1-0.2 s,
#: what ~1,000 sketches cost on one core (measured in bench/import_scale.py's folder).
POOL_MIN_ARTICLES = 1000

#: Import files of this many bytes or more start a worker before they are parsed: an
#: export names ~1,400 bytes per article (2 annotations), so ``POOL_MIN_ARTICLES``
#: articles take ~1.4 MB; a smaller file that names that many starts it when they are
#: known, a bigger one that names fewer costs a worker's start-up on another CPU.
POOL_START_BYTES = 512 * 1024

#: Articles per task sent to a worker: few enough tasks that sending them costs little,
#: enough that the last ones keep every worker busy to the end.
CHUNK_ARTICLES = 200

#: Scripts known to run nothing when imported under another name than ``__main__``.
_SAFE_SCRIPTS = frozenset({"ipreader", "ipreader.exe", "ipreader-script.py"})

#: One article to read: (relative path, file, the hash the store holds for it or None).
Wanted = tuple[str, str, str | None]

#: What was read: the article and its sketch (None when the store's hash matched).
Read = tuple[DocumentText, str | None]


def read_articles(wanted: Sequence[Wanted], *, pool_min: int | None = None) -> dict[str, Read]:
    """Read, hash and sketch each wanted article; those that could not be read are left out.

    Worker processes share the work from ``pool_min`` articles up (default
    ``POOL_MIN_ARTICLES``), where they can start; they have ended on return.
    """
    with Readers() as readers:
        return readers.read(wanted, pool_min=pool_min)


class Readers:
    """The worker processes of one import: started early (``start``), ended by ``with``.

    ``read`` uses them when there are enough articles and reads in this
    process otherwise (or when they fail); leaving the ``with`` block waits for
    workers that read, and lets unused ones end on their own.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._tried = False  # start() ran
        self._used = False  # they read articles
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
            return  # no worker process here (a sandbox): read in this process
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

    def read(self, wanted: Sequence[Wanted], *, pool_min: int | None = None) -> dict[str, Read]:
        """``read_articles`` of ``wanted``, in the workers when there are ``pool_min`` or more."""
        if pool_min is None:
            pool_min = POOL_MIN_ARTICLES  # read now: a test may lower it
        many = len(wanted) >= pool_min
        if many:
            self.start()
        if self._pool is not None and self._closing is None:
            try:
                if many:
                    self._used = True
                    return _in_workers(self._pool, wanted)
            except Exception:
                # A worker died or a result would not pickle: read here, where a real
                # error is raised with its usual message.
                pass
            finally:
                # The workers end while the import goes on; ``__exit__`` waits for them.
                # (A second ``shutdown`` would not wait: the first forgets its processes.)
                self._closing = threading.Thread(
                    target=self._pool.shutdown, kwargs={"cancel_futures": True}, daemon=True
                )
                self._closing.start()
        return _keep(wanted, _read_chunk(wanted))

    def __enter__(self) -> Readers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._closing is not None:
            if self._used:
                # Waited for when they read: their CPU is then this import's (a bench
                # counts it), and none outlives it; an unused one ends on its own.
                self._closing.join()
        elif self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)  # started, never asked


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


def _in_workers(pool: ProcessPoolExecutor, wanted: Sequence[Wanted]) -> dict[str, Read]:
    chunks = list(_chunks(wanted))
    # One process per CPU, this one included: it takes chunks from the end of the queue
    # (those no worker has started) while the workers take them from the front.
    futures = [pool.submit(_read_chunk, chunk) for chunk in chunks]
    results: list[list[Read | None] | None] = [None] * len(chunks)
    for number in range(len(chunks) - 1, -1, -1):
        if futures[number].cancel():
            results[number] = _read_chunk(chunks[number])
    found: dict[str, Read] = {}
    for chunk, future, result in zip(chunks, futures, results, strict=True):
        found.update(_keep(chunk, future.result() if result is None else result))
    return found


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


def _keep(chunk: Sequence[Wanted], results: list[Read | None]) -> dict[str, Read]:
    return {
        relpath: result for (relpath, _, _), result in zip(chunk, results, strict=True) if result
    }


def _read_chunk(chunk: Sequence[Wanted]) -> list[Read | None]:
    """Each article of ``chunk`` read and sketched (in a worker process, or here)."""
    return [_read_one(path, stored) for _, path, stored in chunk]


def _read_one(path: str, stored: str | None) -> Read | None:
    try:
        document = read_document(Path(path))
    except DocumentError:
        return None  # read again by the caller, whose error names the reason
    sketch = None if document.sha256 == stored else text_fingerprint(document.text)
    return document, sketch
