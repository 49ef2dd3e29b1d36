"""Hostile and odd article files, end to end: listed, opened, highlighted, exported — or refused.

Every case goes through the real core: ``Library.open`` lists it (metadata or
a clear ``error``), ``Library.load`` opens it, ``Annotation.create`` +
``FolderStore.save_annotation`` highlight an interesting span (the markup, the
escape sequence, the emoji, the CJK), and ``render_export`` (from a freshly
opened library) must contain the exact quote with ``text[start:end] == quote``.
Refused files must say why and raise ipreader's own ``DocumentError``.
"""

from __future__ import annotations

import codecs
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipreader.core.documents import DocumentInfo, load_info, read_document
from ipreader.core.errors import DocumentError
from ipreader.core.export import render_export
from ipreader.core.library import Library
from ipreader.core.model import Annotation

FIVE_MB = 5 * 1024 * 1024


@dataclass(frozen=True)
class Readable:
    """The file must open as ``text`` in ``encoding``; ``quote`` (if any) gets highlighted."""

    encoding: str
    text: str
    quote: str | None


@dataclass(frozen=True)
class Refused:
    """The file must be listed as unreadable with ``reason`` in its error."""

    reason: str


def _utf16(text: str, bom: bytes, codec: str) -> bytes:
    return bom + text.encode(codec)


CP1252_TEXT = (
    "He said “hello” — it’s café time.\n"
    "More text with “quotes”, a naïve résumé and a piñata, enough to decide.\n"
)
GBK_TEXT = (
    "中华人民共和国国家知识产权局\n\n"
    "今天我们讨论知识产权保护的重要性和发展方向。专利制度鼓励创新，保护发明人的合法权益。\n"
)
SJIS_TEXT = (
    "東京の記事です\n\n"
    "日本語のテキストはシフトジスで保存されています。特許制度は発明を保護します。\n"
)
UTF16_TEXT = "Report “quoted” 漢字テキスト\nSecond line with 漢字 again.\n"
MARKUP_TEXT = (
    "Markup [bold]title[/] here\n\n"
    "Body with [red]x[/red], [/] alone, [link=https://x]y[/link] and [@click=quit]z[/].\n"
)
ANSI_TEXT = (
    "Escapes \x1b[31mred\x1b[0m title\n\n"
    "CSI \x1b[2J\x1b[?1049h clear; OSC 52 \x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07 clipboard; "
    "title \x1b]0;PWNED\x1b\\ and link \x1b]8;;https://x\x1b\\y\x1b]8;;\x1b\\; "
    "8-bit CSI \x9b31m and OSC \x9d0;t\x9c.\n"
)
BIDI_TEXT = (
    "BiDi title \u202eevil\u202c\n\n"
    "Invoice \u202egnp.exe\u202c, isolate \u2066abc\u2069, marks \u200e\u200f\u061c end.\n"
)
EMOJI_TEXT = (
    "Emoji article 👨‍👩‍👧‍👦\n\n"
    "Family 👨‍👩‍👧‍👦 flags 🇫🇷🇯🇵 skin 👍🏽 keycap 1️⃣ "
    "combining e\u0301 and Z\u0324\u0308 zero\u200bwidth joiner a\u200db.\n"
)

ONE_LINE_5MB = ("lorem ipsum " * (FIVE_MB // 12 + 1))[:FIVE_MB] + " NEEDLE-AT-THE-END"
MANY_LINES = "".join(f"line {n}\n" for n in range(100_000))

# name -> (raw bytes, expectation). Generated data only (no fixture files in the repo).
CASES: dict[str, tuple[bytes, Readable | Refused]] = {
    "binary-png": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        Refused("binary file"),
    ),
    "binary-nul-early": (b"hello " * 10 + b"\x00" + b" world", Refused("binary file")),
    "utf16-le-bom": (
        _utf16(UTF16_TEXT, codecs.BOM_UTF16_LE, "utf-16-le"),
        Readable("utf-16-le", UTF16_TEXT, "漢字テキスト"),
    ),
    "utf16-be-bom": (
        _utf16(UTF16_TEXT, codecs.BOM_UTF16_BE, "utf-16-be"),
        Readable("utf-16-be", UTF16_TEXT, "“quoted”"),
    ),
    "utf8-bom": (
        codecs.BOM_UTF8 + "BOM title\n\nbody café\n".encode(),
        Readable("utf-8-sig", "BOM title\n\nbody café\n", "café"),
    ),
    "cp1252-curly": (CP1252_TEXT.encode("cp1252"), Readable("cp1252", CP1252_TEXT, "“hello”")),
    "gbk": (GBK_TEXT.encode("gbk"), Readable("gb18030", GBK_TEXT, "知识产权")),
    "shift-jis": (SJIS_TEXT.encode("shift_jis"), Readable("shift_jis", SJIS_TEXT, "日本語")),
    "broken-utf8": (
        "café résumé naïve über straße ".encode() * 3 + b"\xff\xfe bad tail",
        Refused("invalid UTF-8"),
    ),
    "empty": (b"", Readable("utf-8", "", None)),
    "one-5mb-line": (ONE_LINE_5MB.encode(), Readable("utf-8", ONE_LINE_5MB, "NEEDLE-AT-THE-END")),
    "100k-lines": (MANY_LINES.encode(), Readable("utf-8", MANY_LINES, "line 99999\n")),
    "crlf": (
        b"CRLF title\r\n\r\nfirst line\r\nsecond line\r\n",
        Readable("utf-8", "CRLF title\n\nfirst line\nsecond line\n", "line\nsecond"),
    ),
    "cr-only": (
        b"CR title\r\rfirst line\rsecond line\r",
        Readable("utf-8", "CR title\n\nfirst line\nsecond line\n", "line\nsecond"),
    ),
    "tabs": (
        b"Tabs\ttitle\n\ncol1\tcol2\t\tcol3\n",
        Readable("utf-8", "Tabs\ttitle\n\ncol1\tcol2\t\tcol3\n", "col2\t\tcol3"),
    ),
    # A NUL after the 8 KiB binary sniff is kept as text (documents.BINARY_SNIFF_BYTES).
    "nul-in-the-middle": (
        b"Late NUL\n\n" + b"x" * 9000 + b" before\x00after tail\n",
        Readable(
            "utf-8", "Late NUL\n\n" + "x" * 9000 + " before\x00after tail\n", "before\x00after"
        ),
    ),
    "rich-markup": (
        MARKUP_TEXT.encode(),
        Readable("utf-8", MARKUP_TEXT, "[link=https://x]y[/link] and [@click=quit]z[/]"),
    ),
    "ansi-csi-osc": (
        ANSI_TEXT.encode(),
        Readable("utf-8", ANSI_TEXT, "\x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07"),
    ),
    "bidi-controls": (BIDI_TEXT.encode(), Readable("utf-8", BIDI_TEXT, "\u202egnp.exe\u202c")),
    "emoji-zwj-flags-combining": (
        EMOJI_TEXT.encode(),
        Readable("utf-8", EMOJI_TEXT, "👨‍👩‍👧‍👦 flags 🇫🇷🇯🇵"),
    ),
}


def _open_one(folder: Path, relpath: str) -> tuple[Library, DocumentInfo]:
    library = Library.open([folder])
    [info] = [d for d in library.documents() if d.relpath == relpath]
    return library, info


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_is_listed_opened_highlighted_and_exported(
    name: str, tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    raw, expected = CASES[name]
    folder = tmp_path / "articles"
    folder.mkdir()
    relpath = f"{name}.txt"
    (folder / relpath).write_bytes(raw)

    library, info = _open_one(folder, relpath)
    listed = json.loads(run_cli("list", "--json", folder).out)
    assert [row["path"] for row in listed] == [relpath]

    if isinstance(expected, Refused):
        assert info.error is not None and expected.reason in info.error
        assert info.title and info.encoding is None
        assert listed[0]["error"] == info.error
        with pytest.raises(DocumentError, match=expected.reason):
            library.load(info)
        with pytest.raises(DocumentError):
            read_document(folder / relpath)
        assert json.loads(render_export(library))["documents"] == []
        return

    assert info.error is None, info.error
    assert info.encoding == expected.encoding
    assert info.title  # never empty, even for an empty file
    assert listed[0]["error"] is None and listed[0]["title"] == info.title
    text, annotations = library.load(info)
    assert text == expected.text
    assert annotations == []
    document = read_document(folder / relpath)
    assert (document.text, document.encoding) == (expected.text, expected.encoding)

    if expected.quote is None:
        with pytest.raises(ValueError):  # nothing to highlight in an empty text
            Annotation.create(text, 0, 1, relpath)
        assert json.loads(render_export(library))["documents"] == []
        return

    start = text.index(expected.quote)
    created = Annotation.create(
        text, start, start + len(expected.quote), relpath, note=f"note on {name}", tags=[name]
    )
    library.store_for(info).save_annotation(created)

    # A fresh library (as a second process would see it) exports the exact quote.
    fresh = Library.open([folder])
    data = json.loads(render_export(fresh))
    [document] = data["documents"]
    [exported] = document["annotations"]
    assert document["path"] == relpath and document["encoding"] == expected.encoding
    assert exported["id"] == created.id and exported["status"] == "anchored"
    assert exported["quote"] == expected.quote
    assert text[exported["start"] : exported["end"]] == exported["quote"]
    assert exported["note"] == f"note on {name}" and exported["tags"] == [name]
    w3c = json.loads(render_export(fresh, "w3c"))
    selectors = w3c["first"]["items"][0]["target"]["selector"]
    assert selectors[0]["exact"] == expected.quote
    assert (selectors[1]["start"], selectors[1]["end"]) == (start, start + len(expected.quote))
    assert f'<a id="hl-{created.id}"></a>Highlight' in render_export(fresh, "markdown")


def test_whole_hostile_folder_through_the_cli_subprocess(
    tmp_path: Path, run_cli_process: Callable[..., Any]
) -> None:
    """Every hostile file in one folder: ``list`` and ``export`` exit 0 with no traceback."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, (raw, _) in CASES.items():
        (folder / f"{name}.txt").write_bytes(raw)
    started = time.perf_counter()
    listing = run_cli_process("list", "--json", folder)
    elapsed = time.perf_counter() - started
    assert listing.code == 0, listing.err
    assert "Traceback" not in listing.err
    rows = {row["path"]: row for row in json.loads(listing.out)}
    assert set(rows) == {f"{name}.txt" for name in CASES}
    for name, (_, expected) in CASES.items():
        error = rows[f"{name}.txt"]["error"]
        if isinstance(expected, Refused):
            assert error is not None and expected.reason in error
        else:
            assert error is None
    for fmt in ("json", "w3c", "markdown"):
        exported = run_cli_process("export", "--format", fmt, folder)
        assert exported.code == 0 and "Traceback" not in exported.err, exported.err
    print(f"\nlist of {len(CASES)} hostile files (one 5 MB line, 100k lines): {elapsed:.2f} s")


def test_user_errors_exit_1_without_a_traceback(
    tmp_path: Path, run_cli_process: Callable[..., Any]
) -> None:
    not_json = tmp_path / "export.json"
    not_json.write_bytes(b"\x89PNG\x00\x00 not json")
    for argv in (
        ("list", tmp_path / "missing"),
        ("export", tmp_path / "missing"),
        ("export", "--format", "pdf", tmp_path),
        ("import", not_json, tmp_path),
        ("import", tmp_path / "missing.json", tmp_path),
        ("import", not_json, tmp_path / "missing-folder"),
    ):
        result = run_cli_process(*argv)
        assert result.code == 1, (argv, result)
        assert result.err.startswith("ipreader: ") or "usage:" in result.err
        assert "Traceback" not in result.err and result.out == ""


# ------------------------------------------------------------------ property


_PREFIXES = st.sampled_from(
    [
        b"",
        codecs.BOM_UTF8,
        codecs.BOM_UTF16_LE,
        codecs.BOM_UTF16_BE,
        codecs.BOM_UTF32_LE,
        codecs.BOM_UTF32_BE,
        b"\xff\xfe\x00",  # a truncated UTF-32 LE BOM
        b"\x1b[31m",
    ]
)
_ENCODED_TEXT = st.tuples(
    st.text(max_size=200),
    st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "cp1252", "gb18030", "shift_jis"]),
).map(lambda pair: pair[0].encode(pair[1], "replace"))


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prefix=_PREFIXES,
    body=st.one_of(st.binary(max_size=2048), _ENCODED_TEXT),
    tail=st.binary(max_size=16),
)
def test_any_bytes_give_a_document_info_and_text_or_a_document_error(
    prefix: bytes, body: bytes, tail: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "any.txt"
    data = prefix + body + tail
    path.write_bytes(data)
    info = load_info(tmp_path, path)
    assert isinstance(info, DocumentInfo)
    assert info.relpath == "any.txt" and info.title and info.size == len(data)
    try:
        document = read_document(path)
        text, encoding = document.text, document.encoding
    except DocumentError as error:
        assert error.reason and not info.readable
        assert info.error == error.reason
        return
    assert info.readable and info.encoding == encoding
    assert isinstance(text, str) and "\r" not in text
