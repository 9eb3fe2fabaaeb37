"""Where a dataset's files live, what their bytes are, and which server folders may be read."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
import zipfile
from pathlib import Path

import orjson

from spacegate.errors import AppError, Unprocessable

KINDS = ("pdf", "docx", "xlsx", "html", "md", "csv", "json", "txt")
_TEXT_BY_SUFFIX = {".md": "md", ".markdown": "md", ".csv": "csv", ".txt": "txt", ".text": "txt"}
_SUFFIX_KIND = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    **_TEXT_BY_SUFFIX,
}


class UnsupportedFile(AppError):
    status_code = 415
    code = "unsupported_file_type"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _is_text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def detect(filename: str, data: bytes) -> str:
    """The kind of ``data``, read from its bytes; the name only picks among plain-text kinds
    (Markdown, CSV and text look alike). A name that claims another kind than the bytes show
    is refused, so a renamed binary never reaches a parser meant for something else."""
    suffix = Path(filename).suffix.lower()
    claimed = _SUFFIX_KIND.get(suffix)
    found: str | None = None
    if data.startswith(b"%PDF-"):
        found = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        found = _zip_kind(data)
    else:
        text = _is_text(data)
        if text is not None:
            head = text.lstrip()[:512].lower()
            if head.startswith(("<!doctype html", "<html")) or (
                claimed == "html" and head.startswith("<")
            ):
                found = "html"
            elif claimed == "json" or head[:1] in ("{", "["):
                found = "json" if _parses(text) else _TEXT_BY_SUFFIX.get(suffix, "txt")
            else:
                found = _TEXT_BY_SUFFIX.get(suffix, "txt")
    if found is None:
        raise UnsupportedFile(
            f"'{filename}' is not a file this dataset reads ({', '.join(KINDS)}): its content "
            "is neither text nor a PDF, DOCX or XLSX document.",
            extra={"param": "file"},
        )
    if claimed is not None and claimed != found and claimed not in _TEXT_BY_SUFFIX.values():
        raise UnsupportedFile(
            f"'{filename}' is named as {claimed} but its content is {found}.",
            extra={"param": "file"},
        )
    return found


def _parses(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


def safe_name(filename: str) -> str:
    """The last part of a client's file name, without anything that could climb directories."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if c.isprintable())
    if name in ("", ".", ".."):
        raise Unprocessable(
            "The file has no usable name.", code="bad_filename", extra={"param": "file"}
        )
    return name[:255]


def upload_path(space_id: uuid.UUID, dataset_id: uuid.UUID, document_id: uuid.UUID) -> str:
    return f"datasets/{space_id}/{dataset_id}/{document_id}"


def store(data_dir: Path, rel: str, data: bytes) -> None:
    target = data_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def remove(data_dir: Path, rel: str) -> None:
    (data_dir / rel).unlink(missing_ok=True)


def read(data_dir: Path, source: str, path: str) -> bytes:
    return (data_dir / path).read_bytes() if source == "upload" else Path(path).read_bytes()


# -- server folders -------------------------------------------------------------------------


def allowed_folder(folder: str, roots: list[Path]) -> Path:
    """``folder`` resolved (symlinks followed) if it lies under an allowed root; else a 422."""
    resolved_roots = [r.resolve() for r in roots]
    if not resolved_roots:
        raise Unprocessable(
            "This server allows no dataset folders (SPACEGATE_DATASET_ROOTS is empty).",
            code="folder_not_allowed",
            extra={"param": "configuration.folder"},
        )
    target = Path(folder)
    if not target.is_absolute() or ".." in target.parts:
        raise Unprocessable(
            "configuration.folder must be an absolute path without '..'.",
            code="folder_not_allowed",
            extra={"param": "configuration.folder"},
        )
    real = target.resolve()
    if not any(real == r or real.is_relative_to(r) for r in resolved_roots):
        raise Unprocessable(
            f"'{folder}' is not under a folder this server allows.",
            code="folder_not_allowed",
            extra={"param": "configuration.folder"},
        )
    if not real.is_dir():
        raise Unprocessable(
            f"'{folder}' is not a folder.",
            code="folder_not_found",
            extra={"param": "configuration.folder"},
        )
    return real


def folder_files(folder: Path, max_bytes: int) -> dict[str, Path]:
    """Readable regular files under ``folder`` by relative name. A symlink whose target lies
    outside the folder, and anything too big, is left out."""
    found: dict[str, Path] = {}
    for dirpath, _dirs, names in os.walk(folder, followlinks=False):
        for name in names:
            path = Path(dirpath) / name
            real = path.resolve()
            if not real.is_relative_to(folder) or not real.is_file():
                continue
            if Path(name).suffix.lower() not in _SUFFIX_KIND:
                continue
            if real.stat().st_size > max_bytes:
                continue
            found[str(path.relative_to(folder))] = real
    return found
