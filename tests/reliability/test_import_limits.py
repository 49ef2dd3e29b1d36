"""Issue 10 §3 for imports: bounded work and memory from small hostile inputs.

* a file of millions of ``{}`` entries is refused before it is parsed, in
  memory within ~10x its size (it took ~160x and printed a line per entry);
* more than ``MAX_IMPORT_ENTRIES`` entries are refused whole, nothing written;
* the lines printed for rejected entries stop at ``MAX_MESSAGES``, then one
  line counts the rest;
* a document's tags stop at ``MAX_DOCUMENT_TAGS`` however many entries add to them;
* each article is read once per import, however many entries name it.

Memory is the peak RSS of an ``ipreader import`` child process, minus that of
the same command on a tiny file (the interpreter and the imports).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipreader.core.errors import ImportFileError
from ipreader.core.importer import (
    MAX_IMPORT_ENTRIES,
    MAX_MESSAGES,
    import_file,
    locate,
    prefetch,
)
from ipreader.core.model import MAX_DOCUMENT_TAGS, MAX_TAGS
from ipreader.core.store import FolderStore

from .peak_memory import run_with_peak

TEXT = "Alpha title\n\nThe quick brown fox jumps over the lazy dog. The fox is quick.\n"


def run_import(file: Path, folder: Path) -> tuple[int, str, str, int]:
    """``ipreader import FILE FOLDER`` in a child: (exit code, stdout, stderr, peak RSS bytes)."""
    return run_with_peak("import", file, folder)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    return root


def export(path: Path, documents: list[Any]) -> Path:
    data = {"format": "ipreader.annotations", "version": 1, "documents": documents}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def baseline(tmp_path: Path) -> int:
    """Peak RSS of an import of a tiny file (what every run costs before its input)."""
    elsewhere = tmp_path / "baseline"
    elsewhere.mkdir()
    (elsewhere / "a.txt").write_text(TEXT, encoding="utf-8")
    tiny = export(tmp_path / "tiny.json", [{"path": "a.txt", "annotations": []}])
    code, _, err, peak = run_import(tiny, elsewhere)
    assert code == 0, err
    return peak


def test_millions_of_empty_entries_are_refused_in_bounded_memory(
    tmp_path: Path, folder: Path, baseline: int
) -> None:
    file = tmp_path / "empty-entries.json"
    entries = ", ".join(["{}"] * 3_000_000)
    file.write_text(
        '{"format": "ipreader.annotations", "version": 1, "documents": '
        f'[{{"path": "a.txt", "annotations": [{entries}]}}]}}'
    )
    size = file.stat().st_size
    code, out, err, peak = run_import(file, folder)
    assert code == 1 and "far more entries than an annotation file holds" in err
    assert len(out.splitlines()) <= 1 and "Traceback" not in err
    assert not (folder / ".ipreader").exists()
    assert peak - baseline < 10 * size, (
        f"{(peak - baseline) / 2**20:.0f} MB for {size / 2**20:.0f} MB"
    )
    print(f"\n{{}} x 3M ({size / 2**20:.1f} MB): +{(peak - baseline) / 2**20:.0f} MB peak RSS")


def test_more_entries_than_the_limit_are_refused_whole(
    tmp_path: Path, folder: Path, baseline: int
) -> None:
    entry = {"quote": "brown fox", "note": "padding to look like a real entry"}
    file = export(
        tmp_path / "many.json",
        [{"path": "a.txt", "annotations": [entry] * (MAX_IMPORT_ENTRIES + 1)}],
    )
    size = file.stat().st_size
    code, _, err, peak = run_import(file, folder)
    assert code == 1 and f"more than {MAX_IMPORT_ENTRIES:,} entries" in err, err
    assert not (folder / ".ipreader").exists()
    assert peak - baseline < 10 * size, (
        f"{(peak - baseline) / 2**20:.0f} MB for {size / 2**20:.0f} MB"
    )
    grown = (peak - baseline) / 2**20
    print(f"\n{MAX_IMPORT_ENTRIES + 1:,} entries ({size / 2**20:.1f} MB): +{grown:.0f} MB")


def test_error_lines_stop_at_the_cap_with_a_summary(
    tmp_path: Path, folder: Path, baseline: int
) -> None:
    bad = [{"quote": 5, "note": f"wrong quote type number {n}"} for n in range(20_000)]
    file = export(tmp_path / "bad.json", [{"path": "a.txt", "annotations": bad}])
    size = file.stat().st_size
    code, out, err, peak = run_import(file, folder)
    assert code == 0, err
    lines = out.splitlines()
    assert "rejected 20000" in lines[0]
    assert len(lines) == 1 + MAX_MESSAGES + 1
    assert lines[-1].strip() == f"... and {20_000 - MAX_MESSAGES:,} more messages not shown"
    assert peak - baseline < 10 * size


def test_document_tags_stop_at_the_limit(tmp_path: Path, folder: Path) -> None:
    documents = [
        {"path": "a.txt", "tags": [f"tag {n}-{i}" for i in range(MAX_TAGS)]} for n in range(50)
    ]
    report = import_file(export(tmp_path / "tags.json", documents), folder)
    assert len(FolderStore.open(folder).document_notes("a.txt").tags) == MAX_DOCUMENT_TAGS
    assert any(f"at most {MAX_DOCUMENT_TAGS:,} tags" in m for m in report.messages)
    again = import_file(export(tmp_path / "more.json", documents[-1:]), folder)
    assert len(FolderStore.open(folder).document_notes("a.txt").tags) == MAX_DOCUMENT_TAGS
    assert again.rejected == 0


def test_each_article_is_read_once_per_import(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Path] = []
    original: Callable[..., Any] = locate.read_document

    def counting(path: Path) -> Any:
        reads.append(path)
        return original(path)

    # Both places an import reads articles: before the merge, and a lookup's own reads.
    monkeypatch.setattr(locate, "read_document", counting)
    monkeypatch.setattr(prefetch, "read_document", counting)
    documents = [{"path": "a.txt", "note": "n", "annotations": [{"quote": "fox"}]}] * 2_000
    report = import_file(export(tmp_path / "same.json", documents), folder)
    assert report.added == 2_000 and len(reads) == 1


def test_the_entry_limit_counts_every_format(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipreader.core.importer import batch

    monkeypatch.setattr(batch, "MAX_IMPORT_ENTRIES", 3)
    rows = [{"uri": "a.txt", "target": [{"selector": []}], "text": "page note"}] * 4
    file = tmp_path / "rows.json"
    file.write_text(json.dumps({"rows": rows}))
    with pytest.raises(ImportFileError, match="more than 3 entries"):
        import_file(file, folder)
    assert not (folder / ".ipreader").exists()
