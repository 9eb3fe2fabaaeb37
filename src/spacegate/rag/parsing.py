"""Text out of each kind of file, in sections (a PDF page, a sheet) that keep where they came
from. Parsers run in a worker thread; openpyxl reads through defusedxml (installed)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import orjson

from spacegate.errors import AppError


class ParseFailed(AppError):
    status_code = 422
    code = "parse_failed"


@dataclass
class Section:
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


def parse(kind: str, data: bytes) -> list[Section]:
    try:
        sections = _PARSERS[kind](data)
    except AppError:
        raise
    except Exception as exc:
        raise ParseFailed(
            f"The {kind} file could not be read: {type(exc).__name__}: {exc}"
        ) from exc
    return [s for s in sections if s.text.strip()]


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def _pdf(data: bytes) -> list[Section]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [
        Section(page.extract_text() or "", {"page": n + 1}) for n, page in enumerate(reader.pages)
    ]


def _docx(data: bytes) -> list[Section]:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return [Section("\n".join(parts))]


def _xlsx(data: bytes) -> list[Section]:
    from openpyxl import load_workbook  # parses with defusedxml when it is installed

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sections = []
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            names = [
                str(h) if h is not None else f"column {i + 1}" for i, h in enumerate(header or ())
            ]
            lines = []
            for row in rows:
                cells = [
                    f"{names[i] if i < len(names) else i}: {v}"
                    for i, v in enumerate(row)
                    if v is not None
                ]
                if cells:
                    lines.append("; ".join(cells))
            sections.append(Section("\n".join(lines), {"sheet": sheet.title}))
    finally:
        book.close()
    return sections


class _HTMLText(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template"})
    _BLOCK = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def _html(data: bytes) -> list[Section]:
    parser = _HTMLText()
    parser.feed(_text(data))
    parser.close()
    text = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    meta = {"title": parser.title.strip()} if parser.title.strip() else {}
    return [Section(re.sub(r"\n\s*\n+", "\n\n", text).strip(), meta)]


def _markdown(data: bytes) -> list[Section]:
    """One section per heading, the heading kept as the section's title."""
    sections: list[Section] = []
    title, lines = None, []  # type: ignore[var-annotated]
    for line in _text(data).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        if heading:
            if lines:
                sections.append(Section("\n".join(lines), {"heading": title} if title else {}))
            title, lines = heading.group(1).strip(), [heading.group(1).strip()]
        else:
            lines.append(line)
    if lines:
        sections.append(Section("\n".join(lines), {"heading": title} if title else {}))
    return sections


def _csv(data: bytes) -> list[Section]:
    text = _text(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, [])
    lines = [
        "; ".join(f"{header[i] if i < len(header) else i}: {v}" for i, v in enumerate(row) if v)
        for row in reader
    ]
    return [Section("\n".join(line for line in lines if line))]


def _flatten(value: Any, path: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _flatten(v, f"{path}[{i}]", out)
    elif value is not None:
        out.append(f"{path}: {value}" if path else str(value))


def _json(data: bytes) -> list[Section]:
    out: list[str] = []
    _flatten(orjson.loads(data), "", out)
    return [Section("\n".join(out))]


def _plain(data: bytes) -> list[Section]:
    return [Section(_text(data))]


_PARSERS = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "html": _html,
    "md": _markdown,
    "csv": _csv,
    "json": _json,
    "txt": _plain,
}
