"""Decoding, metadata extraction, reading and discovery of articles."""

from __future__ import annotations

import codecs
import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipreader.core.discovery import discover
from ipreader.core.documents import (
    decode_bytes,
    document_key,
    load_document,
    load_info,
    normalize_newlines,
    read_document,
)
from ipreader.core.errors import BinaryFileError, DocumentError, UndecodableError
from ipreader.core.paths import is_article_candidate

FIXTURES = Path(__file__).parent / "fixtures" / "bbc"
T = TypeVar("T")

CP1252_TEXT = "He said \u201cthe market is strong\u201d \u2013 and it\u2019s caf\u00e9 season."
GBK_TEXT = "中国知识产权局去年收到了一百四十万件专利申请，连续第九年位居世界第一。"
SJIS_TEXT = "日本の特許庁は昨年、多くの特許出願を受け付けたと発表しました。"


def within(seconds: float, call: Callable[[], T]) -> T:
    """Run ``call`` in a daemon thread; fail (instead of hanging) if it takes too long."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"call did not finish within {seconds} s"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


# --- decode_bytes ---------------------------------------------------------------------------


def test_empty_bytes_are_empty_utf8_text() -> None:
    assert decode_bytes(b"") == ("", "utf-8")


def test_plain_utf8() -> None:
    assert decode_bytes("Café – ok".encode()) == ("Café – ok", "utf-8")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "Grüße\r\nzwei".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "Grüße\r\nzwei".encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + "Grüße\r\nzwei".encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + "Grüße\r\nzwei".encode("utf-32-le"), "utf-32-le"),
        (codecs.BOM_UTF32_BE + "Grüße\r\nzwei".encode("utf-32-be"), "utf-32-be"),
    ],
)
def test_bom_decides_the_encoding_and_is_dropped(data: bytes, encoding: str) -> None:
    assert decode_bytes(data) == ("Grüße\nzwei", encoding)


def test_bomless_utf16_text_is_not_mistaken_for_binary() -> None:
    text, encoding = decode_bytes("Plain words in UTF-16\nline two".encode("utf-16-le"))
    assert (text, encoding) == ("Plain words in UTF-16\nline two", "utf-16-le")


def test_utf16_bom_with_odd_length_is_undecodable() -> None:
    with pytest.raises(UndecodableError):
        decode_bytes(codecs.BOM_UTF16_LE + b"a\x00b")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        b"text before a NUL\x00and after",
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64,
    ],
)
def test_nul_byte_near_the_start_means_binary(data: bytes) -> None:
    with pytest.raises(BinaryFileError, match="binary file"):
        decode_bytes(data)


def test_nul_byte_after_the_sniffed_head_is_kept_as_text() -> None:
    data = b"a" * (9 * 1024) + b"\x00tail"
    text, encoding = decode_bytes(data)
    assert encoding == "utf-8"
    assert text.endswith("\x00tail")


def test_cp1252_curly_quotes() -> None:
    assert decode_bytes(CP1252_TEXT.encode("cp1252")) == (CP1252_TEXT, "cp1252")


def test_latin1_accents_read_as_western() -> None:
    text = "Le café était très bon, dit-il à la serveuse."
    assert decode_bytes(text.encode("latin-1"))[0] == text


@pytest.mark.parametrize(
    ("text", "codec", "encoding"),
    [
        (GBK_TEXT, "gbk", "gb18030"),
        ("中国知识产权", "gbk", "gb18030"),
        (SJIS_TEXT, "shift_jis", "shift_jis"),
        ("東京は晴れです。", "shift_jis", "shift_jis"),
        ("Привет, как дела? Это тестовое сообщение на русском языке.", "cp1251", "cp1251"),
    ],
)
def test_legacy_encodings_decode_to_the_right_text(text: str, codec: str, encoding: str) -> None:
    assert decode_bytes(text.encode(codec)) == (text, encoding)


def test_large_legacy_file_is_decoded_whole() -> None:
    text = ("Le caf\u00e9 \u201cnoir\u201d.\n" * 40_000) + "fin \u00e9t\u00e9"
    start = time.perf_counter()
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")
    assert time.perf_counter() - start < 2.0


def test_broken_utf8_is_reported_with_its_offset() -> None:
    head = "Grüße aus Köln, schöne Grüße.".encode()
    data = head + b"\xff" + " über".encode()
    with pytest.raises(UndecodableError, match=rf"invalid UTF-8 .*offset {len(head)}\b"):
        decode_bytes(data)


def test_newlines_and_tabs() -> None:
    text, _ = decode_bytes(b"one\r\ntwo\rthree\n\tfour\r\n\r\n")
    assert text == "one\ntwo\nthree\n\tfour\n\n"


@given(
    st.one_of(
        st.binary(max_size=2048),
        # No NUL bytes and many high ones: exercises the legacy-encoding path.
        st.lists(st.integers(1, 255), max_size=512).map(bytes),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")[1:]),
    )
)
@settings(max_examples=400, deadline=None)
def test_any_bytes_decode_or_raise_a_document_error(data: bytes) -> None:
    try:
        text, encoding = decode_bytes(data)
    except DocumentError:
        return
    assert isinstance(text, str) and isinstance(encoding, str) and encoding
    assert "\r" not in text


@given(st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8")))
@settings(max_examples=200, deadline=None)
def test_utf8_text_round_trips(text: str) -> None:
    assert decode_bytes(text.encode("utf-8")) == (normalize_newlines(text), "utf-8")


@given(st.text(alphabet=st.characters(codec="utf-16")))
@settings(max_examples=100, deadline=None)
def test_utf16_with_bom_round_trips(text: str) -> None:
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    assert decode_bytes(data) == (normalize_newlines(text), "utf-16-be")


@given(st.text(alphabet="ab\r\n"))
def test_normalize_newlines(text: str) -> None:
    result = normalize_newlines(text)
    assert "\r" not in result
    assert result.count("\n") == text.count("\r") + text.count("\n") - text.count("\r\n")
    assert result.replace("\n", "") == text.replace("\r", "").replace("\n", "")
    assert normalize_newlines(result) == result


# --- read_document --------------------------------------------------------------------------


def test_read_document_normalises_and_hashes_the_bytes_it_decoded(tmp_path: Path) -> None:
    file = tmp_path / "a.txt"
    data = CP1252_TEXT.encode("cp1252") + b"\r\nnext"
    file.write_bytes(data)
    document = read_document(file)
    assert (document.text, document.encoding) == (CP1252_TEXT + "\nnext", "cp1252")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert (document.size, document.mtime_ns) == (len(data), file.stat().st_mtime_ns)


def test_read_document_of_binary_bytes_says_what_it_read(tmp_path: Path) -> None:
    file = tmp_path / "b.txt"
    file.write_bytes(b"\x00\x01binary")
    with pytest.raises(BinaryFileError) as raised:
        read_document(file)
    assert raised.value.sha256 == hashlib.sha256(b"\x00\x01binary").hexdigest()
    assert raised.value.size == len(b"\x00\x01binary")


def test_read_document_of_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DocumentError):
        read_document(tmp_path / "missing.txt")
    with pytest.raises(DocumentError):
        read_document(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_read_document_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError, match="not a regular file"):
        within(5, lambda: read_document(fifo))


# --- load_info ------------------------------------------------------------------------------


def test_load_info_of_a_real_article() -> None:
    root = FIXTURES.resolve()
    path = root / "tech" / "broadband-in-the-uk-growing-fast.txt"
    info = load_info(root, path)
    assert info.readable and info.error is None
    assert info.relpath == "tech/broadband-in-the-uk-growing-fast.txt"
    assert info.title == "Broadband in the UK growing fast"
    assert info.encoding == "utf-8"
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.size == path.stat().st_size and info.mtime_ns == path.stat().st_mtime_ns
    assert info.words == len(path.read_text().split())
    assert info.reading_minutes >= 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"GIF89a\x00\x01\x00", "binary file"),
        ("Grüße aus Köln, schöne Grüße.".encode() + b"\xff", "invalid UTF-8"),
    ],
)
def test_load_info_lists_unreadable_files_with_a_reason(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    path = tmp_path / "my notes.txt"
    path.write_bytes(data)
    info = load_info(tmp_path, path)
    assert not info.readable
    assert info.error is not None and reason in info.error
    assert info.title == "my notes"
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)


def test_load_document_returns_the_info_and_the_text_read_once(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Title\r\n\r\nBody of the caf\u00e9 article.".encode())
    info, text = load_document(tmp_path, path)
    assert info == load_info(tmp_path, path)
    assert text == read_document(path).text == "Title\n\nBody of the caf\u00e9 article."
    (tmp_path / "b.txt").write_bytes(b"\x00\x01binary")
    binary, none = load_document(tmp_path, tmp_path / "b.txt")
    assert none is None and binary.error == "binary file" and binary.sha256 is not None


def test_load_info_of_a_vanished_file(tmp_path: Path) -> None:
    info = load_info(tmp_path, tmp_path / "gone.txt")
    assert not info.readable and info.sha256 is None and info.title == "gone"


def test_non_ascii_names(tmp_path: Path) -> None:
    path = tmp_path / "été à Paris"
    path.write_text("", encoding="utf-8")
    info = load_info(tmp_path, path)
    assert (info.relpath, info.title, info.words, info.reading_minutes) == (
        "été à Paris",
        "été à Paris",
        0,
        0,
    )


# --- discover -------------------------------------------------------------------------------


def _names(groups: list[tuple[Path, list[Path]]]) -> list[tuple[Path, list[str]]]:
    return [(root, [p.relative_to(root).as_posix() for p in files]) for root, files in groups]


def test_discover_fixture_folder() -> None:
    [(root, files)] = discover([FIXTURES])
    assert root == FIXTURES.resolve()
    names = [p.relative_to(root).as_posix() for p in files]
    assert names == sorted(names)
    assert len(names) == 9  # 8 articles and the extensionless LICENSE
    assert "LICENSE" in names and "tech/multi-purpose-tv-aids-india.txt" in names


def make_tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Title of {name}\n\nBody.", encoding="utf-8")


def test_discover_skips_hidden_own_and_foreign_files(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        [
            "a.txt",
            "b.md",
            "c.text",
            "README",
            "with space.txt",
            "ünï/çødé.TXT",
            "image.png",
            "paper.pdf",
            ".hidden.txt",
            ".git/config",
            ".ipreader/index.json",
            ".ipreader/cache",
            "sub/.secret/x.txt",
        ],
    )
    assert _names(discover([tmp_path])) == [
        (
            tmp_path.resolve(),
            ["README", "a.txt", "b.md", "c.text", "with space.txt", "ünï/çødé.TXT"],
        )
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_discover_skips_fifos_without_blocking(tmp_path: Path) -> None:
    make_tree(tmp_path, ["a.txt"])
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe")
    assert _names(within(5, lambda: discover([tmp_path]))) == [(tmp_path.resolve(), ["a.txt"])]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_explicitly_is_listed_as_unreadable(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    [(root, files)] = discover([fifo])
    info = within(5, lambda: load_info(root, files[0]))
    assert info.error == "not a regular file"


def test_discover_survives_symlink_loops(tmp_path: Path) -> None:
    make_tree(tmp_path, ["sub/a.txt"])
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "sub" / "self").symlink_to(tmp_path / "sub")
    (tmp_path / "x").symlink_to(tmp_path / "y")
    (tmp_path / "y").symlink_to(tmp_path / "x")
    assert _names(within(5, lambda: discover([tmp_path]))) == [(tmp_path.resolve(), ["sub/a.txt"])]


def test_discover_skips_symlinks_leaving_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    make_tree(root, ["a.txt", "real/b.txt"])
    make_tree(outside, ["secret.txt", "dir/c.txt"])
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "leakdir").symlink_to(outside / "dir")
    (root / "alias.txt").symlink_to(root / "a.txt")
    assert _names(discover([root])) == [(root.resolve(), ["a.txt", "alias.txt", "real/b.txt"])]


def test_discover_groups_files_by_folder(tmp_path: Path) -> None:
    make_tree(tmp_path, ["one/a.txt", "one/b.txt", "two/c.txt", "two/d.txt"])
    groups = discover([tmp_path / "two" / "d.txt", tmp_path / "one" / "b.txt"])
    groups.append(discover([tmp_path / "one" / "a.txt"])[0])
    assert _names(groups) == [
        ((tmp_path / "two").resolve(), ["d.txt"]),
        ((tmp_path / "one").resolve(), ["b.txt"]),
        ((tmp_path / "one").resolve(), ["a.txt"]),
    ]
    assert _names(discover([tmp_path / "one" / "b.txt", tmp_path / "one" / "a.txt"])) == [
        ((tmp_path / "one").resolve(), ["a.txt", "b.txt"])
    ]


def test_discover_merges_paths_inside_a_named_folder(tmp_path: Path) -> None:
    make_tree(tmp_path, ["a.txt", "sub/b.txt", "sub/.hidden.txt"])
    groups = discover([tmp_path / "sub", tmp_path / "sub" / ".hidden.txt", tmp_path])
    assert _names(groups) == [(tmp_path.resolve(), ["a.txt", "sub/.hidden.txt", "sub/b.txt"])]


def test_discover_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        discover([tmp_path / "nope"])
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(DocumentError):
        discover([tmp_path / "dangling"])


def test_discover_scales_to_ten_thousand_files(tmp_path: Path) -> None:
    for d in range(100):
        folder = tmp_path / f"d{d:03}"
        folder.mkdir()
        for f in range(100):
            (folder / f"{f:03}.txt").touch()
    start = time.perf_counter()
    [(_, files)] = discover([tmp_path])
    elapsed = time.perf_counter() - start
    assert len(files) == 10_000
    assert files[0].name == "000.txt" and files[-1].parent.name == "d099"
    assert elapsed < 3.0, f"discovery of 10,000 files took {elapsed:.2f} s"


_SEGMENT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1
).filter(lambda part: part not in (".", ".."))


@given(
    st.lists(_SEGMENT, max_size=3),
    st.lists(_SEGMENT, min_size=1, max_size=3),
    st.lists(_SEGMENT, min_size=1, max_size=3),
)
def test_document_key_is_the_path_relative_to_the_root_or_the_name(
    root: list[str], inside: list[str], outside: list[str]
) -> None:
    """The fast key equals ``relative_to`` below the root and the name elsewhere."""
    base = Path("/", *root)
    below = base.joinpath(*inside)
    assert document_key(base, below) == below.relative_to(base).as_posix()
    # A sibling whose name merely starts like the root's is not inside it.
    sibling = Path(f"{base}x").joinpath(*outside) if root else Path("/")
    if sibling != Path("/"):
        assert document_key(base, sibling) == sibling.name


def test_discover_lists_exactly_the_names_that_are_article_candidates(tmp_path: Path) -> None:
    """Names with odd dots and cases are chosen as ``is_article_candidate`` chooses them."""
    names = [
        "a.", "a..", "a.b.", "A.TXT", "b.md", "c.Text", "noext", "d.txt.bak", "e.b.c.txt",
        "f.json", "g.tar.gz", "h.MD", "i.txt ", "j. txt", "k.csv",
    ]  # fmt: skip
    for name in names:
        (tmp_path / name).write_text("words\n", encoding="utf-8")
    ((_, files),) = discover([tmp_path])
    assert sorted(file.name for file in files) == sorted(
        name for name in names if is_article_candidate(Path(name))
    )
    assert {"a.", "A.TXT", "noext"} <= {file.name for file in files}
    assert not {"f.json", "d.txt.bak"} & {file.name for file in files}
