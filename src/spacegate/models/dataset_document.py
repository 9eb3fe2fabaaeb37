from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import UTCDateTime


class DatasetDocument(SpaceOwnedMixin, Base):
    """One file of a dataset: where its bytes are, what they hashed to, how far its indexing is."""

    __tablename__ = "dataset_documents"
    __table_args__ = (
        Index("ix_dataset_documents_scope", "org_id", "space_id", "id"),
        Index("ix_dataset_documents_dataset", "dataset_id", "filename"),
    )
    __audit__ = {
        "resource": "dataset_document",
        "space_attr": "space_id",
        "ignore": {"status", "error", "chunk_count", "indexed_at", "job_id", "indexed_sha256"},
    }

    dataset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(1024))
    #: upload (bytes kept under the data dir) | folder (a file under an allowed server root)
    source: Mapped[str] = mapped_column(String(16), default="upload")
    #: Where the bytes are: relative to the data dir (upload) or absolute (folder).
    path: Mapped[str] = mapped_column(String(4096))
    #: What the content is (pdf, docx, xlsx, html, md, csv, json, txt), found from the bytes.
    kind: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    #: queued | running | ready | failed | cancelled
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    chunk_count: Mapped[int] = mapped_column(default=0)
    #: The hash of the bytes its chunks were made from.
    indexed_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    indexed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
