"""Reading persona files (CSV, XLSX, JSON) into rows ``{name, birthdate, notes, data}``.

Every row is checked; a file with any bad row is refused as a whole, naming the rows, so an
import never brings in half a file. Columns other than name, birthdate and notes go to ``data``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
#: Header spellings read as the persona's own fields.
_ALIASES = {
    "name": "name",
    "full_name": "name",
    "birthdate": "birthdate",
    "birth_date": "birthdate",
    "date_of_birth": "birthdate",
    "dob": "birthdate",
    "notes": "notes",
    "note": "notes",
    "data": "data",
}


@dataclass
class RowError:
    file: str
    row: int
    field: str
    message: str

    def wire(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message}


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def kind_of(filename: str, content_type: str | None) -> str | None:
    name = filename.lower()
    for ext in ("csv", "xlsx", "json"):
        if name.endswith("." + ext):
            return ext
    ct = (content_type or "").lower()
    if "csv" in ct:
        return "csv"
    if "json" in ct:
        return "json"
    if "spreadsheetml" in ct:
        return "xlsx"
    return None


def parse(filename: str, kind: str, raw: bytes, into: Parsed) -> None:
    """Append ``raw``'s rows (numbered as a person reading the file counts them) to ``into``."""
    try:
        records = {"csv": _csv, "xlsx": _xlsx, "json": _json}[kind](raw)
    except ValueError as exc:
        into.errors.append(RowError(filename, 0, "file", str(exc)))
        return
    for number, record in records:
        if len(into.rows) >= MAX_ROWS:
            into.errors.append(
                RowError(filename, number, "file", f"more than {MAX_ROWS} personas in one upload")
            )
            return
        row = _row(filename, number, record, into.errors)
        if row is not None:
            into.rows.append({**row, "file": filename, "row": number})


def _row(
    filename: str, number: int, record: dict[str, Any], errors: list[RowError]
) -> dict[str, Any] | None:
    own: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for key, value in record.items():
        name = _ALIASES.get(str(key).strip().lower().replace(" ", "_").replace("-", "_"))
        if name is None:
            if str(key).strip() and value not in (None, ""):
                data[str(key).strip()] = _plain(value)
        else:
            own[name] = value
    bad = len(errors)
    name = own.get("name")
    name = str(name).strip() if name is not None else ""
    if not name:
        errors.append(RowError(filename, number, "name", "is required"))
    elif len(name) > 200 or "\x00" in name:
        errors.append(RowError(filename, number, "name", "must be at most 200 characters"))
    birthdate = _date(own.get("birthdate"))
    if birthdate is None:
        errors.append(
            RowError(filename, number, "birthdate", "is required, as a date (YYYY-MM-DD)")
        )
    notes = own.get("notes")
    notes = "" if notes is None else str(notes)
    if "\x00" in notes or len(notes) > 100_000:
        errors.append(RowError(filename, number, "notes", "must be text up to 100000 characters"))
    extra = own.get("data")
    if isinstance(extra, str) and extra.strip():
        try:
            extra = orjson.loads(extra)
        except orjson.JSONDecodeError:
            extra = None
        if not isinstance(extra, dict):
            errors.append(RowError(filename, number, "data", "must be a JSON object"))
    if isinstance(extra, dict):
        data = {**extra, **data}
    elif extra not in (None, ""):
        errors.append(RowError(filename, number, "data", "must be a JSON object"))
    if len(errors) > bad or birthdate is None:
        return None
    if "\x00" in orjson.dumps(data).decode():
        errors.append(RowError(filename, number, "data", "must not contain NUL characters"))
        return None
    return {"name": name, "birthdate": birthdate.isoformat(), "notes": notes, "data": data}


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return date.fromisoformat(text[:10]) if len(text) >= 10 else None
        except ValueError:
            return None
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv(raw: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text") from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        raise ValueError("has no header row")
    out = []
    for record in reader:
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue  # a blank line
        out.append((reader.line_num, {k: v for k, v in record.items() if k is not None}))
    return out


def _json(raw: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON ({exc})") from None
    if isinstance(doc, dict):
        doc = doc.get("personas", [doc])
    if not isinstance(doc, list):
        raise ValueError("must be a list of personas, or an object with a 'personas' list")
    out: list[tuple[int, dict[str, Any]]] = []
    for i, item in enumerate(doc, start=1):
        out.append((i, item if isinstance(item, dict) else {"name": None}))
    return out


def _xlsx(raw: bytes) -> list[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook  # only imported for spreadsheets

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValueError("is not a readable XLSX workbook") from None
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if not header:
            raise ValueError("has no header row")
        names = ["" if h is None else str(h) for h in header]
        out = []
        for number, values in enumerate(lines, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            out.append((number, {n: v for n, v in zip(names, values, strict=False) if n}))
        return out
    finally:
        book.close()
