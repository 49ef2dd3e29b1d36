"""The per-folder metadata cache: reuse, invalidation, corruption tolerance."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from ipreader.core import metadata_cache
from ipreader.core.discovery import discover
from ipreader.core.documents import DocumentInfo, load_info
from ipreader.core.metadata_cache import MetadataCache

FIXTURES = Path(__file__).parent / "fixtures" / "bbc"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the BBC fixture articles."""
    root = tmp_path / "articles"
    shutil.copytree(FIXTURES, root)
    return root.resolve()


def read_cache(cache_file: Path) -> dict[str, Any]:
    """The cache file as one object: its header's fields and every line's entries."""
    header, *lines = cache_file.read_text(encoding="utf-8").splitlines()
    data: dict[str, Any] = {**json.loads(header), "entries": {}}
    for line in lines:
        data["entries"].update(json.loads(line)["entries"])
    return data


def write_cache(cache_file: Path, data: dict[str, Any]) -> None:
    """Write ``data`` (as ``read_cache`` returns it) as the cache's lines, two entries each."""
    header = {key: value for key, value in data.items() if key != "entries"}
    entries = list(data["entries"].items())
    lines = [json.dumps(header)]
    lines += [json.dumps({"entries": dict(entries[i : i + 2])}) for i in range(0, len(entries), 2)]
    cache_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def listing(root: Path) -> list[Path]:
    [(_, files)] = discover([root])
    return files


def saved_cache(folder: Path, tmp_path: Path) -> tuple[Path, list[Path], list[DocumentInfo]]:
    """A cache of every file of ``folder`` saved in ``tmp_path``: (its file, the files, infos)."""
    cache_file = tmp_path / "cache.json"
    files = listing(folder)
    cache = MetadataCache(cache_file)
    infos = cache.infos(folder, files)
    cache.save()
    return cache_file, files, infos


def test_cold_then_warm_reuses_every_entry(folder: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "cache.json"
    files = listing(folder)
    cold = MetadataCache(cache_file)
    first = cold.infos(folder, files)
    cold.save()
    assert cold.hits == 0
    assert first == [load_info(folder, path) for path in files]

    warm = MetadataCache(cache_file)
    assert warm.infos(folder, files) == first
    assert warm.hits == len(files)


def test_changed_files_are_read_again(folder: Path, tmp_path: Path) -> None:
    cache_file, files, _ = saved_cache(folder, tmp_path)

    grown, touched = files[1], files[2]
    grown.write_text("A new title\n\nShort body.", encoding="utf-8")
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    again = MetadataCache(cache_file)
    infos = again.infos(folder, files)
    assert again.hits == len(files) - 2
    assert infos[1].title == "A new title" and infos[1].words == 5
    assert infos[2].mtime_ns == touched.stat().st_mtime_ns


def test_removed_files_are_dropped_and_the_folder_can_move(folder: Path, tmp_path: Path) -> None:
    cache_file, files, _ = saved_cache(folder, tmp_path)
    files[0].unlink()

    moved = tmp_path / "moved"
    folder.rename(moved)
    remaining = listing(moved)
    again = MetadataCache(cache_file)
    infos = again.infos(moved, remaining)
    assert again.hits == len(remaining) == len(files) - 1
    assert all(info.root == moved and info.path.parent.is_relative_to(moved) for info in infos)
    again.save()
    entries = read_cache(cache_file)["entries"]
    assert sorted(entries) == sorted(info.relpath for info in infos)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"\xff\xfe garbage",
        b"[]",
        b'{"version": 99, "entries": {}}',
        b'{"version": 2, "entries": []}',
        b'{"version": 2, "entries": {"a.txt": {"title": 3}}}',
        b'{"version": 2, "entries": {"LICENSE": {"title": "x", "size": true}}}',
        b"[" * 100_000,
        b'{"version": 4}\n[]\n',
        b'{"version": 4}\n"entries"\n',
        b'{"version": 4}\n{"entries": []}\n',
        b'{"version": 4}\n' + b"[" * 100_000 + b"\n",
        b'{"version": 4}\n{"entries": {"LICENSE": {"title": "x", "size": true}}}\n',
    ],
)
def test_corrupt_cache_is_ignored(folder: Path, tmp_path: Path, content: bytes) -> None:
    cache_file = tmp_path / "cache.json"
    cache_file.write_bytes(content)
    files = listing(folder)
    cache = MetadataCache(cache_file)
    infos = cache.infos(folder, files)
    assert cache.hits == 0
    assert infos == [load_info(folder, path) for path in files]
    cache.save()
    assert MetadataCache(cache_file).infos(folder, files) == infos


def test_wrong_types_inside_an_entry_are_not_trusted(folder: Path, tmp_path: Path) -> None:
    cache_file, files, _ = saved_cache(folder, tmp_path)
    data = read_cache(cache_file)
    data["entries"]["LICENSE"]["words"] = "many"
    write_cache(cache_file, data)

    again = MetadataCache(cache_file)
    infos = again.infos(folder, files)
    assert again.hits == len(files) - 1
    assert next(i for i in infos if i.relpath == "LICENSE").words > 0


@pytest.mark.parametrize("field", ["date", "words", "chars"])
def test_an_entry_missing_a_field_is_read_again(folder: Path, tmp_path: Path, field: str) -> None:
    cache_file, files, first = saved_cache(folder, tmp_path)
    data = read_cache(cache_file)
    del data["entries"]["LICENSE"][field]
    write_cache(cache_file, data)

    again = MetadataCache(cache_file)
    assert again.infos(folder, files) == first
    assert again.hits == len(files) - 1


def test_extra_keys_in_an_entry_are_not_saved_again(folder: Path, tmp_path: Path) -> None:
    cache_file, files, first = saved_cache(folder, tmp_path)
    data = read_cache(cache_file)
    data["entries"]["LICENSE"]["planted"] = "\x1b[31m" * 1000
    write_cache(cache_file, data)

    again = MetadataCache(cache_file)
    assert again.infos(folder, files) == first
    again.save()
    assert "planted" not in cache_file.read_text(encoding="utf-8")


def test_save_failures_are_swallowed(folder: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    cache = MetadataCache(blocker / "sub" / "cache.json")
    assert len(cache.infos(folder, listing(folder))) == 9
    cache.save()  # must not raise
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def test_save_writes_only_the_cache_file(folder: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    cache = MetadataCache(store / "cache.json")
    cache.infos(folder, listing(folder))
    cache.save()
    assert [p.name for p in store.iterdir()] == ["cache.json"]


def test_without_a_file_nothing_is_persisted(folder: Path) -> None:
    cache = MetadataCache(None)
    files = listing(folder)
    assert cache.infos(folder, files) == [load_info(folder, path) for path in files]
    cache.save()
    assert cache.infos(folder, files) and cache.hits == len(files)


def test_unreadable_files_are_retried_but_binary_ones_cached(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "bin.txt").write_bytes(b"\x00\x01binary")
    missing = root / "gone.txt"
    cache_file = tmp_path / "cache.json"
    cache = MetadataCache(cache_file)
    infos = cache.infos(root, [root / "bin.txt", missing])
    cache.save()
    assert [info.error for info in infos] == ["binary file", infos[1].error]
    assert infos[1].error is not None

    missing.write_text("Back again\n\nbody", encoding="utf-8")
    again = MetadataCache(cache_file)
    infos = again.infos(root, [root / "bin.txt", missing])
    assert again.hits == 1
    assert infos[0].error == "binary file"
    assert infos[1].readable and infos[1].title == "Back again"


def test_progress_reports_up_to_the_total(folder: Path) -> None:
    calls: list[tuple[int, int]] = []
    files = listing(folder)
    MetadataCache(None).infos(folder, files, lambda done, total: calls.append((done, total)))
    assert calls[-1] == (len(files), len(files))
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})


def test_infos_keep_the_given_order(folder: Path) -> None:
    files = list(reversed(listing(folder)))
    infos: list[DocumentInfo] = MetadataCache(None).infos(folder, files)
    assert [info.path for info in infos] == files


def test_a_warm_open_with_nothing_changed_does_not_rewrite_the_cache(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_file, files, _ = saved_cache(folder, tmp_path)

    writes: list[Path] = []
    monkeypatch.setattr(
        "ipreader.core.metadata_cache.atomic_write_bytes",
        lambda path, data: writes.append(path),
    )
    warm = MetadataCache(cache_file)
    warm.infos(folder, files)
    warm.save()
    assert writes == []

    # A dropped file is a change: the cache is rewritten once.
    warm.infos(folder, files[1:])
    warm.save()
    assert writes == [cache_file]


def test_a_folder_with_a_non_utf8_file_name_still_gets_its_cache_saved(tmp_path: Path) -> None:
    """Linux file names are bytes; a non-UTF-8 one decodes to a lone surrogate."""
    import os

    root = tmp_path / "articles"
    root.mkdir()
    name = os.fsdecode(b"bad\xff.txt")
    (root / name).write_text("Title\n\nBody text.\n", encoding="utf-8")
    cache_file = tmp_path / "cache.json"
    first = MetadataCache(cache_file)
    infos = first.infos(root, [root / name])
    first.save()
    assert cache_file.exists()
    again = MetadataCache(cache_file)
    assert again.infos(root, [root / name]) == infos
    assert again.hits == 1


def test_the_source_is_cached_and_a_version_1_cache_is_read_again(tmp_path: Path) -> None:
    # Version 1 had no source and took dates from the body: its entries are not trusted.
    root = tmp_path / "articles"
    root.mkdir()
    article = root / "a.txt"
    article.write_text("A title\n\nBy Jane Doe\n\n2024-01-04\n\nBody text.\n", encoding="utf-8")
    cache_file = tmp_path / "cache.json"
    cold = MetadataCache(cache_file)
    [info] = cold.infos(root, [article])
    cold.save()
    assert (info.source, info.date) == ("Jane Doe", "2024-01-04")

    warm = MetadataCache(cache_file)
    assert warm.infos(root, [article]) == [info] and warm.hits == 1

    data = read_cache(cache_file)
    data["version"] = 1
    for entry in data["entries"].values():
        del entry["source"]
        entry["date"] = "1951-02-20"
    write_cache(cache_file, data)
    old = MetadataCache(cache_file)
    assert old.infos(root, [article]) == [info] and old.hits == 0


def test_the_file_holds_a_line_per_chunk_and_every_entry_comes_back(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metadata_cache, "CHUNK_ENTRIES", 4)
    cache_file, files, first = saved_cache(folder, tmp_path)
    header, *lines = cache_file.read_bytes().splitlines()
    assert json.loads(header) == {"version": metadata_cache.CACHE_VERSION}
    sizes = [len(json.loads(line)["entries"]) for line in lines]
    assert sizes == [4, 4, 1] and sum(sizes) == len(files) == 9

    warm = MetadataCache(cache_file)
    assert warm.infos(folder, files) == first
    assert warm.hits == len(files)


def test_a_damaged_line_drops_the_whole_cache(folder: Path, tmp_path: Path) -> None:
    cache_file, files, first = saved_cache(folder, tmp_path)
    raw = cache_file.read_bytes()
    cache_file.write_bytes(raw[: len(raw) // 2])  # cut inside an entries line

    again = MetadataCache(cache_file)
    assert again.infos(folder, files) == first
    assert again.hits == 0


def test_a_version_3_cache_is_read_again_and_rewritten_as_lines(
    folder: Path, tmp_path: Path
) -> None:
    cache_file, files, first = saved_cache(folder, tmp_path)
    data = read_cache(cache_file)
    cache_file.write_text(json.dumps({**data, "version": 3}), encoding="utf-8")

    again = MetadataCache(cache_file)
    assert again.infos(folder, files) == first
    assert again.hits == 0
    again.save()
    assert read_cache(cache_file) == data
