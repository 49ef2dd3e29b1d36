"""Export: the JSON schema and its invariant, filters, ordering, W3C and Markdown renderings."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipreader.core.export import (
    EXPORT_FORMATS,
    ExportFormatError,
    ExportSet,
    collect,
    export_data,
    render_export,
    to_json,
    to_markdown,
    to_w3c,
)
from ipreader.core.export.markdown import blockquote
from ipreader.core.export.verified import VERIFIED_FILENAME
from ipreader.core.library import Library
from ipreader.core.model import AnchorStatus, Annotation, DocumentNotes
from ipreader.core.safe_text import escape_json_controls, printable

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "export-schema.json").read_text())
ANNOTATION_FIELDS = set(Annotation("x", "d", 0, 1, "q").to_dict())


def highlight(
    library: Library, relpath: str, quote: str, occurrence: int = 0, **fields: Any
) -> Annotation:
    """Save a highlight of the ``occurrence``-th ``quote`` in ``relpath``; return it."""
    info = next(i for i in library.documents() if i.relpath == relpath)
    text, _ = library.load(info)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    annotation = Annotation.create(text, start, start + len(quote), relpath, **fields)
    library.store_for(info).save_annotation(annotation)
    return annotation


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("Alpha title\n\n2024-03-01\n\nThe cat sat on the mat. The cat.\n")
    (root / "b.md").write_text("Beta\n\nNothing to see here.\n")
    (root / "sub" / "c.txt").write_text("Gamma\n\nline one\nline two\n# not a heading\n")
    (root / "empty.txt").write_text("Untouched\n\nNo annotations here.\n")
    return root


def test_schema_fields_and_invariant(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "cat", 1, note="second cat", tags=["Animals"], color="green")
    highlight(library, "a.txt", "The cat sat")
    highlight(library, "sub/c.txt", "line one\nline two", tags=["lines"])
    b = next(i for i in library.documents() if i.relpath == "b.md")
    library.store_for(b).set_document_notes("b.md", DocumentNotes(tags=("meta",), note="dull"))

    data = export_data(Library.open([folder]))
    jsonschema.validate(data, SCHEMA)
    assert data["format"] == "ipreader.annotations"
    assert data["version"] == 1
    assert data["exported_at"].endswith("Z")
    # Documents with nothing attached are omitted; the others sorted by path.
    assert [d["path"] for d in data["documents"]] == ["a.txt", "b.md", "sub/c.txt"]
    a, b_doc, _c = data["documents"]
    assert set(a) == {"path", "title", "date", "sha256", "encoding", "tags", "note", "annotations"}
    assert a["title"] == "Alpha title" and a["date"] == "2024-03-01"
    assert b_doc == {**b_doc, "tags": ["meta"], "note": "dull", "annotations": []}
    assert [x["quote"] for x in a["annotations"]] == ["The cat sat", "cat"]
    for document in data["documents"]:
        text = (folder / document["path"]).read_text()
        for annotation in document["annotations"]:
            assert set(annotation) == ANNOTATION_FIELDS
            assert text[annotation["start"] : annotation["end"]] == annotation["quote"]
            assert annotation["document"] == document["path"]
    assert a["annotations"][1]["tags"] == ["Animals"]
    assert a["annotations"][1]["color"] == "green"


def test_export_follows_edited_text(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "mat")
    highlight(library, "sub/c.txt", "line two")
    (folder / "a.txt").write_text("NEW FIRST LINE\n" + (folder / "a.txt").read_text())
    (folder / "sub" / "c.txt").write_text("Gamma\n\nentirely different\n")
    data = export_data(Library.open([folder]))
    by_path = {d["path"]: d for d in data["documents"]}
    moved = by_path["a.txt"]["annotations"][0]
    text = (folder / "a.txt").read_text()
    assert moved["status"] == "moved"
    assert text[moved["start"] : moved["end"]] == "mat"
    assert by_path["sub/c.txt"]["annotations"][0]["status"] == "orphaned"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    text=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), min_size=2
    ),
    spans=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 40)), min_size=1, max_size=5),
    insert_at=st.integers(0, 10_000),
    inserted=st.text(max_size=20).map(lambda s: s.replace("\r", "")),
)
def test_invariant_holds_after_any_edit(
    text: str, spans: list[tuple[int, int]], insert_at: int, inserted: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "docs"
        root.mkdir()
        path = root / "doc.txt"
        path.write_bytes(text.encode("utf-8"))
        library = Library.open([root])
        info = library.documents()[0]
        if not info.readable:
            return  # e.g. NUL bytes: a binary file, never exported
        current, _ = library.load(info)
        store = library.store_for(info)
        for offset, length in spans:
            start = offset % len(current)
            end = min(len(current), start + length)
            if start < end:
                store.save_annotation(Annotation.create(current, start, end, "doc.txt"))
        cut = insert_at % (len(current) + 1)
        path.write_bytes((current[:cut] + inserted + current[cut:]).encode("utf-8"))
        edited_library = Library.open([root])
        if not edited_library.documents()[0].readable:
            return
        data = export_data(edited_library)
        final, _ = edited_library.load(edited_library.documents()[0])
        for document in data["documents"]:
            for annotation in document["annotations"]:
                if annotation["status"] != AnchorStatus.ORPHANED.value:
                    covered = annotation.get("current", annotation["quote"])
                    assert final[annotation["start"] : annotation["end"]] == covered


def test_tag_filter_is_case_insensitive_and_any(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "cat", tags=["Animals"])
    highlight(library, "a.txt", "mat", tags=["floor"])
    highlight(library, "a.txt", "sat", tags=["verbs"])
    b = next(i for i in library.documents() if i.relpath == "b.md")
    library.store_for(b).set_document_notes("b.md", DocumentNotes(tags=("ANIMALS",)))

    data = export_data(Library.open([folder]), tags=["animals"])
    assert [d["path"] for d in data["documents"]] == ["a.txt", "b.md"]
    assert [x["quote"] for x in data["documents"][0]["annotations"]] == ["cat"]
    assert data["documents"][1]["annotations"] == []
    both = export_data(Library.open([folder]), tags=["ANIMALS", "Floor"])
    assert [x["quote"] for x in both["documents"][0]["annotations"]] == ["cat", "mat"]
    none = export_data(Library.open([folder]), tags=["absent"])
    assert none["documents"] == []


def test_document_glob(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "cat")
    highlight(library, "sub/c.txt", "line one")
    assert [d["path"] for d in export_data(library, document_glob="sub/*")["documents"]] == [
        "sub/c.txt"
    ]
    assert [d["path"] for d in export_data(library, document_glob="*.txt")["documents"]] == [
        "a.txt",
        "sub/c.txt",
    ]
    assert export_data(library, document_glob="nothing*")["documents"] == []


def test_tag_filter_takes_child_tags_and_document_tags(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "cat", tags=["policy/patents"])
    highlight(library, "a.txt", "mat", tags=["policymaking"])
    line = highlight(library, "sub/c.txt", "line one")
    c = next(i for i in library.documents() if i.relpath == "sub/c.txt")
    library.store_for(c).set_document_notes("sub/c.txt", DocumentNotes(tags=("Policy",)))

    data = export_data(Library.open([folder]), tags=["policy"])
    quotes = {d["path"]: [x["quote"] for x in d["annotations"]] for d in data["documents"]}
    # A child tag counts, a tag that only starts alike does not; a document's tag
    # keeps every highlight of that document.
    assert quotes == {"a.txt": ["cat"], "sub/c.txt": [line.quote]}


def test_only_keeps_the_given_documents(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "cat")
    highlight(library, "sub/c.txt", "line one")
    c = next(i for i in library.documents() if i.relpath == "sub/c.txt")
    assert [d["path"] for d in export_data(library, only={c.path})["documents"]] == ["sub/c.txt"]
    assert export_data(library, only=set())["documents"] == []


def test_ordering_is_deterministic(folder: Path) -> None:
    library = Library.open([folder])
    for quote in ("mat", "cat", "The", "sat"):
        highlight(library, "a.txt", quote)
    first = export_data(Library.open([folder]))
    second = export_data(Library.open([folder]))
    first.pop("exported_at"), second.pop("exported_at")
    assert first == second
    starts = [(a["start"], a["id"]) for a in first["documents"][0]["annotations"]]
    assert starts == sorted(starts)


def test_several_roots_carry_root(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        root.mkdir()
        (root / "same.txt").write_text(f"Title {root.name}\n\nshared words\n")
    library = Library.open([one, two])
    highlight(library, "same.txt", "shared")  # the first collection's
    info = library.collections[1].documents[0]
    text, _ = library.load(info)
    library.collections[1].store.save_annotation(Annotation.create(text, 0, 5, "same.txt"))
    data = export_data(Library.open([one, two]))
    jsonschema.validate(data, SCHEMA)
    assert [(d["path"], d["root"]) for d in data["documents"]] == [
        ("same.txt", str(one.resolve())),
        ("same.txt", str(two.resolve())),
    ]
    single = export_data(Library.open([one]))
    assert "root" not in single["documents"][0]


def test_unreadable_documents_are_skipped(folder: Path) -> None:
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    library = Library.open([folder])
    highlight(library, "a.txt", "cat")
    assert [d["path"] for d in export_data(library)["documents"]] == ["a.txt"]


def md_blockquote(text: str) -> str:
    return "\n".join(blockquote(text))


def test_w3c_collection(folder: Path) -> None:
    library = Library.open([folder])
    noted = highlight(
        library, "a.txt", "cat", note="a note", tags=["x", "y"], color="blue", creator="Ann"
    )
    plain = highlight(library, "sub/c.txt", "line one")
    collection = json.loads(render_export(Library.open([folder]), "w3c"))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    assert collection["id"].startswith("urn:uuid:")
    assert collection["total"] == 2
    items = collection["first"]["items"]
    by_id = {item["id"]: item for item in items}
    item = by_id[f"urn:uuid:{noted.id}"]
    assert item["type"] == "Annotation"
    assert item["target"]["source"] == (folder.resolve() / "a.txt").as_uri()
    assert item["target"]["ipreader:path"] == "a.txt"
    quote_selector, position_selector = item["target"]["selector"]
    assert quote_selector == {
        "type": "TextQuoteSelector",
        "exact": "cat",
        "prefix": noted.prefix,
        "suffix": noted.suffix,
    }
    assert position_selector == {
        "type": "TextPositionSelector",
        "start": noted.start,
        "end": noted.end,
    }
    assert [(b["purpose"], b["value"]) for b in item["body"]] == [
        ("commenting", "a note"),
        ("tagging", "x"),
        ("tagging", "y"),
        ("highlighting", "blue"),
    ]
    assert all(b["type"] == "TextualBody" and b["format"] == "text/plain" for b in item["body"])
    assert item["creator"] == {"id": item["creator"]["id"], "type": "Person", "name": "Ann"}
    assert item["ipreader:color"] == "blue"
    assert item["created"] == noted.created and item["modified"] == noted.updated
    bare = by_id[f"urn:uuid:{plain.id}"]
    assert [b["purpose"] for b in bare["body"]] == ["highlighting"]
    assert bare["motivation"] == "highlighting" and "creator" not in bare


def test_markdown_digest_escapes_and_quotes_every_line(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "sub/c.txt", "line two\n# not a heading", note="*really*", tags=["t1"])
    info = next(i for i in library.documents() if i.relpath == "sub/c.txt")
    library.store_for(info).set_document_notes("sub/c.txt", DocumentNotes(note="doc note"))
    text = render_export(Library.open([folder]), "markdown")
    assert "## Gamma" in text
    assert "> line two\n> \\# not a heading\n" in text
    assert "\\*really\\*" in text
    assert "Tags: `t1`" in text
    assert "doc note" in text


def test_blockquote_prefixes_blank_and_special_lines() -> None:
    assert md_blockquote("a\n\n- b\n1. c\n> d") == "> a\n>\n> \\- b\n> 1\\. c\n> \\> d"


@given(st.text(st.characters(codec="utf-8"), max_size=200))
def test_blockquote_never_leaves_a_line_unquoted(quote: str) -> None:
    for line in md_blockquote(quote).split("\n"):
        assert line == ">" or line.startswith("> ")


def test_markdown_of_empty_export() -> None:
    data: dict[str, Any] = {"exported_at": "2024-01-01T00:00:00Z", "documents": []}
    assert "No annotations." in to_markdown(data)
    assert to_w3c(ExportSet(data, ()))["total"] == 0


def test_unknown_format(folder: Path) -> None:
    assert EXPORT_FORMATS == ("json", "w3c", "markdown", "csv", "qdc")
    with pytest.raises(ExportFormatError, match="xml"):
        render_export(Library.open([folder]), "xml")


# ------------------------------------------------------------------ terminal safety

#: What a terminal acts on: C0 (newline aside), DEL, C1, BiDi controls and lone surrogates.
UNSAFE = frozenset(
    [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x0A]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)]
    + [chr(c) for c in (0x061C, 0x2028, 0x2029, *range(0xD800, 0xE000))]
)


def test_printable_shows_controls_as_visible_glyphs() -> None:
    # The reading pane draws with this very table (tui.wrap.DISPLAY_TABLE is
    # PRINTABLE_TABLE), so the glyphs are pinned here, not compared to themselves.
    assert (
        printable("a\x1b[2J\tb\x7f\x9b\u202e\u200f\udcff\nc") == "a␛[2J    b␡\ufffd\ufffd\ufffd␊c"
    )
    assert printable("a\x07\nb", multiline=True) == "a␇\nb"


@given(st.text())
def test_printable_leaves_nothing_unsafe(text: str) -> None:
    assert not set(printable(text)) & (UNSAFE | {"\n"})
    assert not set(printable(text, multiline=True)) & UNSAFE


@given(st.text(st.characters(codec="utf-8")) | st.just("bad\udcff \ud800x"))
def test_escaped_json_decodes_to_the_same_text(text: str) -> None:
    dumped = escape_json_controls(json.dumps({"k": [text]}, ensure_ascii=False, indent=2))
    assert not set(dumped) & UNSAFE - {"\n"}
    assert json.loads(dumped) == {"k": [text]}
    dumped.encode("utf-8")  # lone surrogates are escaped, so it can be written


HOSTILE = "Evil [b]x[/b] \x1b]52;c;eA==\x07 \x9b2J \u202eexe\u202c tab\x7f"


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_exports_never_contain_raw_controls(folder: Path, fmt: str) -> None:
    (folder / "evil.txt").write_text(f"{HOSTILE}\n\nQuote {HOSTILE}\nend\n", encoding="utf-8")
    library = Library.open([folder])
    highlight(library, "evil.txt", f"Quote {HOSTILE}", note=HOSTILE, tags=[HOSTILE[:8]])
    info = next(i for i in library.documents() if i.relpath == "evil.txt")
    library.store_for(info).set_document_notes("evil.txt", DocumentNotes(note=HOSTILE))
    text = render_export(Library.open([folder]), fmt, document_glob="evil.txt")
    if fmt == "csv":
        text = text.replace("\r\n", "\n")  # RFC 4180 line ends
    assert not set(text) & UNSAFE - {"\n"}
    if fmt == "qdc":
        assert 'name="Evil [b]"' in text
    elif fmt == "csv":
        assert "␛]52;c;eA==␇" in text  # shown, not acted on
    elif fmt == "markdown":
        # "[" is always escaped: a "[b]: url" line elsewhere would make "[b]" a link.
        shown = "Evil \\[b]x\\[/b] ␛]52;c;eA==␇ \ufffd2J \ufffdexe\ufffd tab␡"
        assert f"## {shown}" in text
        assert f"> Quote {shown}" in text
    else:
        data = json.loads(text)
        if fmt == "json":
            [document] = data["documents"]
            assert (document["title"], document["note"]) == (HOSTILE, HOSTILE)
            assert document["annotations"][0]["quote"] == f"Quote {HOSTILE}"
        else:
            [item] = [i for i in data["first"]["items"] if "selector" in i["target"]]
            assert item["body"][0]["value"] == HOSTILE


def test_markdown_keeps_brackets_literal_but_never_makes_links() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    text = "[d]: https://evil\n[sic] [1] [x](https://e) [a][d] [d][] ![i](s) <https://a> x\\](y)"
    html = markdown_it.MarkdownIt("commonmark").render(md_blockquote(text))
    assert "<a " not in html and "<img" not in html
    expected = text.replace("<", "&lt;").replace(">", "&gt;")
    assert html == f"<blockquote>\n<p>{expected}</p>\n</blockquote>\n"


def _store_files(root: Path) -> dict[str, bytes]:
    location = root / ".ipreader"
    return {
        str(p.relative_to(location)): p.read_bytes()
        for p in sorted(location.rglob("*.json"))
        # Caches, not the store: the metadata cache and the export's verified documents.
        if p.name not in ("cache.json", VERIFIED_FILENAME)
    }


def test_export_of_unchanged_documents_writes_nothing(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "cat")
    highlight(library, "sub/c.txt", "line two")
    before = _store_files(folder)
    data = export_data(Library.open([folder]))
    assert [len(d["annotations"]) for d in data["documents"]] == [1, 1]
    assert _store_files(folder) == before


def test_first_export_of_unhashed_records_only_records_the_hashes(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "cat")
    highlight(library, "sub/c.txt", "line two")
    index = folder / ".ipreader" / "index.json"
    raw = json.loads(index.read_text())
    for record in raw["documents"].values():
        record["sha256"] = None  # as written by a version that did not hash at first
    index.write_text(json.dumps(raw))
    annotation_files = {k: v for k, v in _store_files(folder).items() if k != "index.json"}
    data = export_data(Library.open([folder]))
    assert [a["quote"] for d in data["documents"] for a in d["annotations"]] == ["cat", "line two"]
    after = _store_files(folder)
    assert {k: v for k, v in after.items() if k != "index.json"} == annotation_files
    hashes = {
        r["relpath"]: r["sha256"] for r in json.loads(after["index.json"])["documents"].values()
    }
    infos = {i.relpath: i.sha256 for i in Library.open([folder]).documents()}
    assert hashes == {"a.txt": infos["a.txt"], "sub/c.txt": infos["sub/c.txt"]}


def test_json_rendering_is_indented_with_one_line_per_annotation(folder: Path) -> None:
    library = Library.open([folder])
    highlight(library, "a.txt", "cat", note="multi\nline \u202e")
    highlight(library, "a.txt", "mat")
    export = collect(Library.open([folder]), texts=True)
    data = export.data
    text = to_json(data)
    assert json.loads(text) == data
    lines = text.splitlines()
    assert lines[0] == "{" and lines[1].startswith('  "format": ')
    annotation_lines = [line for line in lines if '"quote": ' in line]
    assert len(annotation_lines) == 2
    assert all(line.startswith(" " * 8 + "{") for line in annotation_lines)
    assert "\\u202e" in text and "\u202e" not in text
    w3c = to_json(to_w3c(export))
    assert json.loads(w3c) == to_w3c(export)
    assert len([line for line in w3c.splitlines() if '"TextQuoteSelector"' in line]) == 2
