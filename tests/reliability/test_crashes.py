"""Stored values of the wrong type never crash; an unexpected error exits non-zero with a log.

The review found a stored annotation id equal to one of the app's widget ids
(``-orphans-heading``) crashing the app with ``DuplicateID``, ids with a NUL
giving tracebacks, and ``ipreader`` exiting 0 after such crashes. Now every
stored string is checked before it is used as an id, a path or a widget id;
the sidebar's option ids can never collide with its own; and any unexpected
error -- in a command or in the app -- ends with exit status 70, one
``ipreader:`` line, and the traceback in a crash log in the data directory.
"""

from __future__ import annotations

import json
import math
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from ipreader.core import paths
from ipreader.core.model import AnchorStatus, Annotation
from ipreader.core.store import FolderStore
from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar

from .terminal import Terminal, run_env

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"

#: Values of every wrong type (and some of the right type but hostile).
HOSTILE_VALUES: list[Any] = [
    None, True, -1, 10**40, 1.5, math.inf, "", "\x00", "x" * 5000, "../../etc/passwd",
    "\x1b]52;c;ZXZpbA==\x07", [], {}, ["\x00"], [1], [[]], {"a": 1},
]  # fmt: skip

INDEX_FIELDS = ["key", "relpath", "sha256", "tags", "note", "position", "annotations"]
ANNOTATION_FIELDS = [
    "key", "document", "start", "end", "quote", "prefix", "suffix", "color", "note", "tags",
    "created", "updated", "status", "creator", "revision", "score",
]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "folder"
    root.mkdir()
    (root / "a.txt").write_text(TEXT, encoding="utf-8")
    return root


def store_one(root: Path) -> None:
    """Store one highlight of a.txt (and a.txt as the last document read)."""
    store = FolderStore.open(root)
    store.save_annotation(Annotation.create(TEXT, 11, 16, "a.txt", tags=["t"]))
    store.set_last_document("a.txt")


def rewrite(path: Path, table: str, field: str, value: Any) -> None:
    """Set ``field`` of the one record of ``table`` in ``path`` (``key``: the record's key)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    [(key, record)] = data[table].items()
    if field == "key":
        data[table] = {value if isinstance(value, str) else json.dumps(value): record}
    else:
        data[table] = {key: {**record, field: value}}
    path.write_text(json.dumps(data), encoding="utf-8")


def every_use(root: Path, run_cli: Callable[..., Any]) -> list[str]:
    """Use the store as every command and the app do; return what went wrong."""
    problems = []
    for argv in (["list"], ["list", "--json"], ["tags"], ["export"], ["export", "--format", "w3c"]):
        done = run_cli(*argv, root)
        if done.code != 0:
            problems.append(f"{argv}: exit {done.code}: {done.err[-300:]}")
    store = FolderStore.open(root)
    store.annotations("a.txt")
    store.document_notes("a.txt")
    store.reading_position("a.txt")
    store.last_document()
    store.tag_counts()
    store.reconcile("a.txt", "0" * 64, TEXT + "more\n")
    store.save_annotation(Annotation.create(TEXT, 0, 5, "a.txt"))
    return problems


@pytest.mark.parametrize(
    ("kind", "fields"),
    [("index", INDEX_FIELDS), ("annotations", ANNOTATION_FIELDS)],
)
def test_stored_values_of_any_type_never_crash(
    tmp_path: Path, run_cli: Callable[..., Any], kind: str, fields: list[str]
) -> None:
    problems: list[str] = []
    for field in fields:
        for number, value in enumerate(HOSTILE_VALUES):
            root = tmp_path / f"{field}-{number}"
            root.mkdir()
            (root / "a.txt").write_text(TEXT, encoding="utf-8")
            store_one(root)
            location = root / ".ipreader"
            if kind == "index":
                rewrite(location / "index.json", "documents", field, value)
            else:
                [path] = (location / "annotations").glob("*.json")
                rewrite(path, "annotations", field, value)
            try:
                problems += [f"{field}={value!r:.40}: {p}" for p in every_use(root, run_cli)]
            except Exception as error:  # the very thing this test looks for
                problems.append(f"{field}={value!r:.40}: {type(error).__name__}: {error}")
    assert problems == [], "\n".join(problems)


class SidebarApp(App[None]):
    """The annotation sidebar alone."""

    def compose(self) -> ComposeResult:
        yield AnnotationSidebar()


async def test_sidebar_option_ids_never_collide_with_its_own() -> None:
    orphan = Annotation.create(TEXT, 11, 16, "a.txt")
    hostile = [
        Annotation(id=ident, document="a.txt", start=0, end=5, quote="Title",
                   status=AnchorStatus.ORPHANED)
        for ident in ("-orphans-heading", "orphans-heading", "annotation-options")
    ]  # fmt: skip
    app = SidebarApp()
    async with app.run_test() as pilot:
        sidebar = app.query_one(AnnotationSidebar)
        sidebar.annotations = (orphan, *hostile)
        await pilot.pause()
        sidebar.current = "-orphans-heading"
        await pilot.pause()
        rows = sidebar.option_list
        assert rows.entry_count == 1 + 1 + 3  # the highlight, the heading, 3 orphans
        chosen = rows.highlighted_entry
        # The stored annotation's option, not the (disabled) heading.
        assert chosen is not None and chosen.id is not None and not chosen.disabled
        assert chosen.id.endswith("-orphans-heading")
    assert app.return_code in (None, 0)


def test_an_unexpected_error_in_a_command_exits_70_with_a_crash_log(
    folder: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("an unexpected bug")

    monkeypatch.setattr("ipreader.core.library.Library.open", broken)
    done = run_cli("list", folder)
    assert done.code == 70
    [line] = done.err.splitlines()
    assert line.startswith("ipreader: unexpected error (RuntimeError: an unexpected bug)")
    [log] = paths.crash_log_dir().glob("crash-*.log")
    assert line.endswith(f"with the crash log {log}")
    text = log.read_text()
    assert "Traceback" in text and "an unexpected bug" in text and "command: ipreader list" in text


CRASHING_APP = textwrap.dedent(
    """
    import sys
    from ipreader import cli
    from ipreader.tui.widgets.annotation_sidebar import AnnotationSidebar

    def broken(self):
        raise RuntimeError("a bug in the sidebar")

    AnnotationSidebar.on_mount = broken
    sys.exit(cli.main(sys.argv[1:]))
    """
)


def test_the_app_crashing_exits_70_with_a_crash_log(folder: Path) -> None:
    terminal = Terminal(
        [str(folder)], run_env(paths.user_data_dir()), program=(sys.executable, "-c", CRASHING_APP)
    )
    terminal.read(quiet=2.0, timeout=30)
    status = terminal.close()
    output = terminal.output.decode("utf-8", "replace")
    assert status == 70, output[-500:]
    [log] = paths.crash_log_dir().glob("crash-*.log")
    assert "a bug in the sidebar" in log.read_text()
    said = output.replace("\r", "").replace("\n", "")  # the pty may wrap the line
    assert "ipreader: the app stopped on an unexpected error; this is a bug" in said
    assert f"please report it with the crash log {log}" in said


def test_a_stored_widget_id_never_crashes_the_app(folder: Path) -> None:
    store = FolderStore.open(folder)
    made = Annotation.create(TEXT, 11, 16, "a.txt", note="orphaned")
    store.save_annotation(made)
    [path] = (store.location / "annotations").glob("*.json")
    # Orphaned for good (its quote is nowhere), so the sidebar shows its orphans heading.
    record = {**made.to_dict(), "quote": "zebra stripes", "status": "orphaned"}
    path.write_text(json.dumps({"annotations": {"-orphans-heading": record, made.id: record}}))
    terminal = Terminal([str(folder / "a.txt")], run_env(paths.user_data_dir()))
    try:
        terminal.wait_for(b"quick brown")
        terminal.read(quiet=1.0)
        alive = terminal.running
    finally:
        status = terminal.close()
    assert alive and status == 0, terminal.output[-500:]
    assert b"DuplicateID" not in terminal.output
