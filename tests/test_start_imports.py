"""What the app imports at start: only what its first screen draws and opens with.

Every module imported before the first paint costs its execution at each start
(and its compilation too where bytecode is not cached); the modal screens, the
exporters and importer, reports, review, sharing and the store's repair paths
are imported where they are first used. A fresh interpreter imports the app
as ``ipreader`` does and must not have loaded any of them.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

from ipreader.core import paths

#: Loaded at their first use, never by ``import ipreader.tui.app``.
NOT_AT_START = (
    # Modal screens: opened by a key or the command palette.
    "ipreader.tui.screens.codebook",
    "ipreader.tui.screens.confirm",
    "ipreader.tui.screens.conflict",
    "ipreader.tui.screens.corpus_find",
    "ipreader.tui.screens.doc_notes",
    "ipreader.tui.screens.editor",
    "ipreader.tui.screens.export",
    "ipreader.tui.screens.headings",
    "ipreader.tui.screens.help",
    "ipreader.tui.screens.highlights",
    "ipreader.tui.screens.reports",
    "ipreader.tui.screens.review",
    # The typed writes: made once a document is open or when the user acts (tui/state.py).
    "ipreader.tui.commands",
    # The undo stack and its changes: made at the first edit (ReaderState.undo).
    "ipreader.tui.undo",
    # The codebook (tag descriptions, colour meanings): read once the library is open.
    "ipreader.core.codebook",
    "ipreader.core.store.codebook_file",
    "ipreader.tui.codebook_state",
    # Core work none of the first screen's reads need.
    "ipreader.core.agreement",
    "ipreader.core.agreement_render",
    "ipreader.core.anchoring",
    "ipreader.core.check",
    "ipreader.core.coding",
    "ipreader.core.drift",
    "ipreader.core.export",
    "ipreader.core.head",
    "ipreader.core.headings",
    "ipreader.core.importer",
    "ipreader.core.metadata",
    "ipreader.core.metadata_cache",
    "ipreader.core.relink",
    "ipreader.core.report_render",
    "ipreader.core.revisions",  # a save's conflict check: loaded with the first save
    "ipreader.core.reports",
    "ipreader.core.review",
    "ipreader.core.search",
    "ipreader.core.sharing.driver",
    "ipreader.core.sharing.three_way",
    # The store's repair and fallback paths: only for a damaged or read-only folder.
    "ipreader.core.store.fallback",
    "ipreader.core.store.merge",
    "ipreader.core.store.recovery",
    # TinyDB and the store's tables on it: only a write uses them (reads parse the JSON).
    "ipreader.core.store.tables",
    "tinydb",
    # Fuzzy matching (re-anchoring, review): only when a text changed.
    "rapidfuzz",
    # The lock's fallback where flock is missing (the store locks with fcntl itself).
    "filelock",
    # Random temp-file names (with hmac) for a write; the login name (with termios) for
    # the coder's name: neither is asked for before the first frame.
    "secrets",
    "getpass",
    # The footer: mounted just after the first frame (MainScreen._mount_footer).
    "ipreader.tui.widgets.keys_footer",
    "textual.widgets._footer",
)


def modules_after_app_import() -> set[str]:
    """The modules a fresh interpreter holds after ``import ipreader.tui.app``."""
    code = "import json, sys\nimport ipreader.tui.app\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


def test_the_app_imports_only_what_its_first_screen_needs() -> None:
    loaded = modules_after_app_import()
    assert "ipreader.tui.screens.main" in loaded  # the import itself happened
    assert "ipreader.core.store.folder_store" in loaded  # the opening worker's store
    early = sorted(name for name in NOT_AT_START if name in loaded)
    assert early == [], f"imported at start, before the first screen needs them: {early}"


def test_every_module_named_exists() -> None:
    # A renamed module would otherwise pass the test above without holding anything.
    missing = [name for name in NOT_AT_START if importlib.util.find_spec(name) is None]
    assert missing == []


#: Of NOT_AT_START, those the opening itself loads later: not by the first frame either.
NOT_BY_THE_FIRST_FRAME = (
    "getpass",
    "ipreader.core.codebook",
    "ipreader.core.drift",
    "ipreader.core.revisions",
    "ipreader.core.store.codebook_file",
    "ipreader.core.store.tables",
    "ipreader.tui.codebook_state",
    "ipreader.tui.commands",
    "ipreader.tui.undo",
    "ipreader.tui.widgets.keys_footer",
    "secrets",
    "textual.widgets._footer",
    "tinydb",
)

#: Of NOT_BY_THE_FIRST_FRAME, the footer's: mounted just after the first frame.
THE_FOOTER = ("ipreader.tui.widgets.keys_footer", "textual.widgets._footer")

FIRST_FRAME = """
import asyncio, json, sys
from pathlib import Path
from ipreader.tui.app import IpreaderApp

seen = []

class App(IpreaderApp):
    def on_mount(self) -> None:
        super().on_mount()
        # Runs after the first frame, before the callbacks the screen registers after it
        # (the one that lets the opening thread go on is among them).
        self.call_after_refresh(self.look)

    def look(self) -> None:
        # Under load the opening thread may read the first article later than the
        # screen's first frame waits for it (FIRST_READ_WAIT): then the frame that shows
        # it is looked at too (the opening waits for that frame's paint before it loads
        # the rest).
        seen.append((bool(self.main_screen.reader.text), sorted(sys.modules)))
        if not seen[-1][0] and len(seen) < 100:
            self.call_after_refresh(self.look)

async def main() -> None:
    app = App([Path(sys.argv[1])])
    async with app.run_test(size=(160, 48)):
        while not seen or not seen[-1][0] and len(seen) < 100:
            await asyncio.sleep(0.01)
    print(json.dumps([seen[0][1], *seen[-1]]))

asyncio.run(main())
"""


def test_the_first_frame_is_drawn_before_the_opening_loads_the_rest(tmp_path: Path) -> None:
    # The opening thread reads the first article, then waits for its paint before it
    # reads the codebook or opens the article (commands, drift): none of that is loaded
    # by the first frame, nor by the one that shows the article when it comes later.
    folder = tmp_path / "seeds"
    shutil.copytree(paths.seeds_dir(), folder)
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    first, shown, loaded = json.loads(done.stdout.splitlines()[-1])
    assert shown  # a frame showed the first article (the first one, unless under load)
    assert "ipreader.tui.screens.main" in first
    assert sorted(set(NOT_BY_THE_FIRST_FRAME) & set(first)) == []
    # The footer is mounted just after the first frame, whether it showed the article or
    # not; the rest waits for the article's frame.
    assert sorted((set(NOT_BY_THE_FIRST_FRAME) - set(THE_FOOTER)) & set(loaded)) == []
    assert set(NOT_BY_THE_FIRST_FRAME) <= set(NOT_AT_START)


def test_the_opening_thread_preloads_only_modules_the_start_leaves_out() -> None:
    # The opening thread imports these after the paint, before the screen opens the first
    # article (tui/loader.py); a module the start imports anyway has no business there.
    from ipreader.tui.loader import AFTER_THE_PAINT

    assert AFTER_THE_PAINT
    assert sorted(set(AFTER_THE_PAINT) - set(NOT_AT_START)) == []


#: Loaded only for a folder that holds sync conflict copies or duplicate records.
MERGE_MACHINERY = (
    "ipreader.core.sharing.conflict_log",
    "ipreader.core.sharing.layout",
    "ipreader.core.sharing.rules",
    "ipreader.core.sharing.three_way",
    "ipreader.core.store.merge",
)


def test_opening_a_plain_folder_loads_no_merge_machinery(tmp_path: Path) -> None:
    # Every command opens the folder's store, which looks for sync copies and duplicate
    # records; only a folder that has some needs the merge (tens of ms per command).
    (tmp_path / "a.txt").write_text("An article.\n", encoding="utf-8")
    code = (
        "import json, sys\nfrom pathlib import Path\n"
        "from ipreader.core.library import Library\n"
        f"Library.open([Path({str(tmp_path)!r})]).collections[0].store.annotations('a.txt')\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert "ipreader.core.sharing.on_open" in loaded  # the store did look
    assert sorted(name for name in MERGE_MACHINERY if name in loaded) == []
    assert all(importlib.util.find_spec(name) is not None for name in MERGE_MACHINERY)


def test_the_app_import_leaves_the_wide_character_pattern_uncompiled() -> None:
    # Compiling it walks ~40,000 code points (~3 ms); a text of one-cell characters never
    # asks for it, a CJK line does (tests/test_wrap.py covers what it matches).
    code = (
        "import ipreader.tui.app\n"
        "from ipreader.tui.reader.cells import line_kind, not_wide\n"
        "before = not_wide.cache_info().currsize\n"
        "line_kind('An article.', 0, 11)\n"
        "narrow = not_wide.cache_info().currsize\n"
        "line_kind('\u4e2d\u6587', 0, 2)\n"
        "print(before, narrow, not_wide.cache_info().currsize)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "0", "1"]
