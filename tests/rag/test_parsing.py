"""Every kind of file is read to text by its content; chunks overlap and keep their place."""

from __future__ import annotations

import itertools

import pytest

from spacegate.rag import files
from spacegate.rag.chunking import chunk, estimate_tokens
from spacegate.rag.parsing import Section, parse
from tests.rag import samples


def _text(kind: str, data: bytes) -> str:
    return "\n".join(s.text for s in parse(kind, data))


def test_each_kind_is_detected_and_parsed() -> None:
    cases = {
        "a.pdf": (samples.pdf("Quarterly revenue grew"), "pdf", "Quarterly revenue grew"),
        "a.docx": (samples.docx("Leave policy", "25 days a year"), "docx", "25 days a year"),
        "a.xlsx": (
            samples.xlsx([["item", "price"], ["apple", 3]]),
            "xlsx",
            "item: apple; price: 3",
        ),
        "a.html": (
            b"<!doctype html><html><head><title>T</title><style>x{}</style></head>"
            b"<body><p>Hello <b>web</b></p><script>evil()</script></body></html>",
            "html",
            "Hello web",
        ),
        "a.md": (b"# Title\nSome *markdown* text", "md", "Some *markdown* text"),
        "a.csv": (b"name,city\nAda,London\n", "csv", "name: Ada; city: London"),
        "a.json": (b'{"team": {"lead": "Grace"}}', "json", "team.lead: Grace"),
        "a.txt": ("Plain text, caf\u00e9".encode(), "txt", "Plain text, caf\u00e9"),
    }
    for name, (data, kind, expected) in cases.items():
        assert files.detect(name, data) == kind, name
        text = _text(kind, data)
        assert expected in text, (name, text)
    assert "evil" not in _text("html", cases["a.html"][0])
    pdf = parse("pdf", samples.pdf("x y"))
    assert pdf[0].meta == {"page": 1}
    assert parse("xlsx", samples.xlsx([["a"], [1]], title="Sheet A"))[0].meta == {
        "sheet": "Sheet A"
    }


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", b"\x89PNG\r\n\x1a\n\x00\x00binary"),
        ("report.pdf", b"just text pretending"),
        ("sheet.xlsx", samples.docx("a word file")),
        ("data.json", b"{not json"),
        ("archive.zip", b"PK\x03\x04garbage"),
    ],
)
def test_content_not_name_decides(name: str, data: bytes) -> None:
    with pytest.raises(files.UnsupportedFile):
        files.detect(name, data)


def test_a_text_file_with_any_name_is_text() -> None:
    assert files.detect("README", b"hello") == "txt"
    assert files.detect("page.txt", b"<html><body>x</body></html>") == "html"


def test_names_cannot_climb() -> None:
    assert files.safe_name("../../etc/passwd") == "passwd"
    assert files.safe_name("C:\\\\temp\\\\a.txt") == "a.txt"


def test_chunks_overlap_and_cover_everything() -> None:
    words = [f"w{i:03d}" for i in range(300)]
    out = chunk([Section(" ".join(words), {"page": 2})], size=40, overlap=8)
    assert all(c.tokens <= 40 for c in out)
    assert [c.position for c in out] == list(range(len(out)))
    for a, b in itertools.pairwise(out):
        tail = a.content.split()[-8:]
        assert b.content.split()[:8] == tail
    seen = {w for c in out for w in c.content.split()}
    assert seen == set(words)
    assert out[0].meta == {"page": 2}
    assert estimate_tokens("abcdefgh ij") == 3


def test_a_word_longer_than_a_chunk_stands_alone() -> None:
    out = chunk([Section("a " + "x" * 400 + " b")], size=16, overlap=4)
    assert [c.content for c in out] == ["a", "x" * 400, "b"]
