"""Reading an import's articles before the merge: worker processes give what one process gives.

``prefetch.read_articles`` reads, hashes and sketches each article; over many
articles worker processes share the work. Either way each readable article
comes back with the bytes' hash, its text and the sketch ``text_fingerprint``
takes (none when the store already holds that hash); an unreadable or binary
file is left out, for the merge to read again and name the reason. A script
that starts workers must not be run again by them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.fingerprint import text_fingerprint
from ipreader.core.importer import import_file, prefetch
from ipreader.core.importer.prefetch import read_articles
from ipreader.core.store import FolderStore

#: Run in a fresh interpreter (``-c``, whose main module a worker does not import):
#: prefetch with workers from the first article; prints what came back and the CPU
#: seconds spent in worker processes.
_POOLED = """
import json, os, sys
from ipreader.core.importer import import_file, prefetch
from ipreader.core.importer.prefetch import read_articles
from ipreader.core.store import FolderStore
wanted = [tuple(item) for item in json.loads(sys.argv[1])]
found = read_articles(wanted, pool_min=1)
times = os.times()
print(json.dumps([
    {relpath: [doc.text, doc.sha256, sketch] for relpath, (doc, sketch) in found.items()},
    times.children_user + times.children_system,
]))
"""


def _folder(tmp_path: Path) -> list[tuple[str, str, str | None]]:
    folder = tmp_path / "folder"
    folder.mkdir()
    wanted: list[tuple[str, str, str | None]] = []
    for number in range(60):
        words = " ".join(f"word{number}x{index}" for index in range(200 + number))
        path = folder / f"a{number:02}.txt"
        path.write_text(f"Article {number}.\n{words}\n", encoding="utf-8")
        wanted.append((path.name, str(path), None))
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    wanted.append(("binary.txt", str(folder / "binary.txt"), None))
    wanted.append(("gone.txt", str(folder / "gone.txt"), None))
    known = folder / "a00.txt"
    wanted[0] = ("a00.txt", str(known), hashlib.sha256(known.read_bytes()).hexdigest())
    return wanted


def test_each_readable_article_comes_back_with_its_hash_text_and_sketch(tmp_path: Path) -> None:
    wanted = _folder(tmp_path)
    found = read_articles(wanted, pool_min=10**9)  # in this process
    assert set(found) == {f"a{number:02}.txt" for number in range(60)}
    for relpath, path, stored in wanted[:60]:
        document, sketch = found[relpath]
        raw = Path(path).read_bytes()
        assert document.sha256 == hashlib.sha256(raw).hexdigest()
        assert document.text == raw.decode("utf-8")
        # The store holds a00's hash already: nothing to sketch for it.
        assert sketch == (None if stored else text_fingerprint(document.text))


def test_worker_processes_give_what_one_process_gives(tmp_path: Path) -> None:
    wanted = _folder(tmp_path)
    here = read_articles(wanted, pool_min=10**9)
    done = subprocess.run(
        [sys.executable, "-c", _POOLED, json.dumps(wanted)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    pooled, children_cpu = json.loads(done.stdout)
    assert pooled == {
        relpath: [doc.text, doc.sha256, sketch] for relpath, (doc, sketch) in here.items()
    }
    if (os.cpu_count() or 1) > 1:
        assert children_cpu > 0  # the workers did run


def test_a_script_is_not_run_again_by_the_workers(tmp_path: Path) -> None:
    wanted = _folder(tmp_path)
    marker = tmp_path / "ran"
    script = tmp_path / "script.py"
    script.write_text(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from ipreader.core.importer.prefetch import read_articles\n"
        f"with Path({str(marker)!r}).open('a') as out:\n"
        "    out.write('ran\\n')\n"
        "found = read_articles([tuple(w) for w in json.loads(sys.argv[1])], pool_min=1)\n"
        "print(len(found))\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script), json.dumps(wanted)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.stdout.strip() == "60"
    assert marker.read_text(encoding="utf-8") == "ran\n"  # once: read in that process


def _import_into(articles: Path, target: Path, export: Path) -> tuple[dict[str, Any], Any]:
    shutil.copytree(articles, target)
    report = import_file(export, target)
    store = FolderStore.open(target)
    index = json.loads((store.location / "index.json").read_text(encoding="utf-8"))
    sketches = {r["relpath"]: r["fingerprint"] for r in index["documents"].values()}
    annotations = {a.id: a.to_dict() for items in store.all_annotations().values() for a in items}
    return {"sketches": sketches, "annotations": annotations}, report


def test_an_import_read_by_workers_stores_what_one_read_here_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    documents = []
    for number in range(40):
        words = " ".join(f"w{number}n{index}" for index in range(150))
        text = f"Title {number}\n\nThe quote {number} is here. {words}\n"
        (articles / f"a{number:02}.txt").write_text(text, encoding="utf-8")
        start = text.index(f"quote {number}")
        documents.append(
            {
                "path": f"a{number:02}.txt",
                "annotations": [
                    {
                        "id": str(uuid.UUID(int=number + 1)),
                        "start": start,
                        "end": start + len(f"quote {number}"),
                        "quote": f"quote {number}",
                        "created": "2024-01-01T00:00:00.000Z",
                        "updated": "2024-01-01T00:00:00.000Z",
                    }
                ],
            }
        )
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps({"format": "ipreader.annotations", "version": 1, "documents": documents}),
        encoding="utf-8",
    )
    here, here_report = _import_into(articles, tmp_path / "here", export)
    monkeypatch.setattr(prefetch, "POOL_MIN_ARTICLES", 1)
    pooled, pooled_report = _import_into(articles, tmp_path / "pooled", export)
    assert here_report.added == pooled_report.added == 40
    assert pooled == here
    # Workers started before the file is parsed (a big file), then used...
    monkeypatch.setattr(prefetch, "POOL_START_BYTES", 0)
    early, early_report = _import_into(articles, tmp_path / "early", export)
    # ... or started and then not used (the file named fewer articles than it takes).
    monkeypatch.setattr(prefetch, "POOL_MIN_ARTICLES", 10**9)
    unused, unused_report = _import_into(articles, tmp_path / "unused", export)
    assert early_report.added == unused_report.added == 40
    assert early == unused == here
    assert pooled["sketches"] == {
        f"a{n:02}.txt": text_fingerprint((articles / f"a{n:02}.txt").read_text(encoding="utf-8"))
        for n in range(40)
    }


def test_where_no_worker_can_start_the_articles_are_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wanted = _folder(tmp_path)
    here = read_articles(wanted, pool_min=10**9)

    def no_processes(method: str) -> Any:
        raise OSError(38, "Function not implemented")  # as in a sandbox without semaphores

    monkeypatch.setattr(prefetch.multiprocessing, "get_context", no_processes)
    assert read_articles(wanted, pool_min=1) == here
