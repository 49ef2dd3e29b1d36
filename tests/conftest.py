"""Shared fixtures: per-test data directory, folders of articles, deterministic app settings.

Hypothesis runs under one of two profiles, chosen by ``HYPOTHESIS_PROFILE``:

* ``deterministic`` (the default: what ``python -m pytest`` and CI run): the same
  examples on every run and every machine (``derandomize``), so a property
  test is green or red for the code, never by luck; no deadline (the machine is
  shared, timing is not what the properties check); a failure prints its
  ``@reproduce_failure`` blob.
* ``explore`` (developers, before a release): random examples, ten times as
  many for tests that do not set their own ``max_examples``, and the example
  database on, so a failure found once is replayed first on the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path, PurePath
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from ipreader.core import paths
from ipreader.core.library import Library
from ipreader.core.model import Annotation
from ipreader.core.store import FolderStore
from ipreader.tui.palette import theme_variables
from ipreader.tui.reader.wrap import display

M = TypeVar("M", bound=Message)

#: Environment variable naming the Hypothesis profile (``deterministic`` unless set).
HYPOTHESIS_PROFILE_ENV = "HYPOTHESIS_PROFILE"

settings.register_profile(
    "deterministic",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    print_blob=True,
    # Time-based, so it depends on the load of the machine, not on the code.
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(
        Path(__file__).resolve().parent.parent / ".hypothesis" / "examples"
    ),
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get(HYPOTHESIS_PROFILE_ENV, "deterministic"))

#: The theme every app test runs with (snapshots depend on it).
TEST_THEME = "textual-dark"

ALPHA = """Alpha article

2021-03-04

The quick brown fox jumps over the lazy dog. The fox is quick.
A second paragraph mentions the fox again, and then the dog sleeps.
"""

CJK = """漢字の記事

2022-05-06

東京は日本の首都です。中文字符也在这里。Mixed 中文 and English text.
"""

MARKUP = (
    "Markup [red]x[/red] article\n\n"
    "This line has [red]x[/red] and [bold]y[/] which must stay literal.\n"
    "An escape \x1b[31mred\x1b[0m sequence must not colour anything.\n"
)


@pytest.fixture(autouse=True)
def isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point the per-user data directory (settings, fallback stores) at a fresh temp folder."""
    data = tmp_path_factory.mktemp("ipreader-data")
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(data))
    return data


#: Seconds past which a store file is settled: longer than the racy window (100 ms on a
#: fine-timestamp filesystem, ``files.settled``), so the read cache trusts its signature.
PAST_RACY = 0.25


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the per-user cache directory (read and index caches) at the test's own folder."""
    directory = tmp_path / "user-cache"
    monkeypatch.setenv(paths.CACHE_DIR_ENV, str(directory))
    return directory


@pytest.fixture
def app_settings(isolated_data_dir: Path) -> dict[str, object]:
    """Write deterministic app settings (a fixed theme) and return them."""
    settings: dict[str, object] = {"theme": TEST_THEME}
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().write_text(json.dumps(settings), encoding="utf-8")
    return settings


@pytest.fixture
def articles(tmp_path: Path, app_settings: dict[str, object]) -> Path:
    """A folder of small articles: plain, CJK, literal markup/ESC, and a binary file."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (folder / "cjk.txt").write_text(CJK, encoding="utf-8")
    (folder / "markup.txt").write_text(MARKUP, encoding="utf-8")
    (folder / "zz-binary.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    return folder


@pytest.fixture
def seeds_copy(tmp_path: Path, app_settings: dict[str, object]) -> Iterator[Path]:
    """A copy of the bundled seeds, so tests never write into the repository."""
    folder = tmp_path / "seeds"
    shutil.copytree(paths.seeds_dir(), folder, ignore=shutil.ignore_patterns(".ipreader"))
    yield folder


class Posted(list[Message]):
    """Every message an app processed; pass it as ``run_test(message_hook=...)``."""

    def __call__(self, message: Message) -> None:
        self.append(message)

    def notices(self) -> list[str]:
        """The text of every notification shown so far."""
        return [m.notification.message for m in self if isinstance(m, Notify)]

    def of(self, kind: type[M]) -> list[M]:
        """The messages of one kind, in order."""
        return [m for m in self if isinstance(m, kind)]


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app's workers (library, loads, writes) are done and messages processed."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


class StyledApp(App[None]):
    """A bare app with ipreader's stylesheets and theme variables (for one widget or screen)."""

    CSS_PATH: ClassVar[list[str | PurePath]] = sorted(paths.styles_dir().glob("*.tcss"))

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variables(self.current_theme.dark)


def annotate(folder: Path, relpath: str, quote: str) -> Annotation:
    """Save and return a highlight of the first ``quote`` in ``folder/relpath``."""
    library = Library.open([folder])
    info = next(i for i in library.documents() if i.relpath == relpath)
    text = library.read(info).text
    start = text.index(quote)
    made = Annotation.create(text, start, start + len(quote), relpath)
    library.store_for(info).save_annotations([made])
    return made


def held_store_reads(monkeypatch: pytest.MonkeyPatch, method: str) -> threading.Event:
    """Make every call of ``FolderStore.<method>`` wait (10 s at most) until the returned
    event is set."""
    release = threading.Event()
    real = getattr(FolderStore, method)

    def held(self: FolderStore, *args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FolderStore, method, held)
    return release


def held_walk(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make the library wait to walk its folders (10 s at most) until the returned event
    is set: what comes before the walk (a last listing, a last-read article) is shown."""
    import ipreader.core.library as library_module

    real = library_module.discover
    release = threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(library_module, "discover", held)
    return release


def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every article file read from now on (``documents.read_bytes``), in order."""
    from ipreader.core import documents

    real = documents.read_bytes
    reads: list[Path] = []

    def counted(path: Path, *, limit: int | None = None) -> tuple[bytes, os.stat_result]:
        reads.append(path)
        return real(path, limit=limit)

    monkeypatch.setattr(documents, "read_bytes", counted)
    return reads


@pytest.fixture
def held_counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Hold every read of a store's documents (the list's counts) until the event is set."""
    release = held_store_reads(monkeypatch, "stored_documents")
    yield release
    release.set()


@pytest.fixture
def held_opening(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Hold the opening between the list (``LibraryListed``) and the library open with its
    first article (``LibraryOpened``) until the event is set: every codebook read waits."""
    release = held_store_reads(monkeypatch, "codebook")
    yield release
    release.set()


def reference_segments(
    text: str, start: int, end: int, layers: list[tuple[int, int, Style]], base: Style
) -> list[Segment]:
    """A row cut at every layer edge, each piece base + its layers in order: what
    ``row_segments`` must draw (the straightforward edges x layers form)."""
    if not layers:
        return [Segment(display(text[start:end]), base)]
    edges = {start, end}
    for layer_start, layer_end, _ in layers:
        if start < layer_start < end:
            edges.add(layer_start)
        if start < layer_end < end:
            edges.add(layer_end)
    segments: list[Segment] = []
    for left, right in pairwise(sorted(edges)):
        style = base
        for layer_start, layer_end, layer_style in layers:
            if layer_start <= left < layer_end:
                style += layer_style
        segments.append(Segment(display(text[left:right]), style))
    return segments
