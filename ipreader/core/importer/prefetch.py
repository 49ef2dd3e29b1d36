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

An article a worker cannot read is read again by the caller, in its own
process, so the message that names what is wrong is the usual one.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path

from ipreader.core.documents import DocumentText, read_document
from ipreader.core.errors import DocumentError
from ipreader.core.fingerprint import text_fingerprint

#: Fewest articles read in worker processes: starting two interpreters costs ~0.1-0.2 s,
#: what ~1,000 sketches cost on one core (measured in bench/import_scale.py's folder).
POOL_MIN_ARTICLES = 1000

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
    ``POOL_MIN_ARTICLES``), where they can start.
    """
    if pool_min is None:
        pool_min = POOL_MIN_ARTICLES  # read now: a test may lower it
    if len(wanted) >= pool_min and _cpus() > 1 and _workers_may_start():
        try:
            return _in_workers(wanted)
        except Exception:
            # No worker process (none can start here, one died, a result that would not
            # pickle): read here, where a real error is raised with its usual message.
            pass
    return _keep(wanted, _read_chunk(wanted))


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


def _in_workers(wanted: Sequence[Wanted]) -> dict[str, Read]:
    # "spawn", not "fork": the app imports in a thread of a threaded process, where a
    # forked child may inherit a lock held by another thread.
    context = multiprocessing.get_context("spawn")
    chunks = list(_chunks(wanted))
    # One process per CPU, this one included: it takes chunks from the end of the queue
    # (those no worker has started) while the workers take them from the front.
    with ProcessPoolExecutor(
        max_workers=_cpus() - 1, mp_context=context, initializer=_quiet
    ) as pool:
        futures = [pool.submit(_read_chunk, chunk) for chunk in chunks]
        results: list[list[Read | None] | None] = [None] * len(chunks)
        for number in range(len(chunks) - 1, -1, -1):
            if futures[number].cancel():
                results[number] = _read_chunk(chunks[number])
        found: dict[str, Read] = {}
        for chunk, future, result in zip(chunks, futures, results, strict=True):
            found.update(_keep(chunk, future.result() if result is None else result))
        return found


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
