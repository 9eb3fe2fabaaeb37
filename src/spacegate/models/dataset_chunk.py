from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import JSONType, UTCDateTime
from spacegate.kit.clock import utcnow


class DatasetChunk(IdMixin, Base):
    """A piece of a document's text, its place in the document and (optionally) its vector.

    ``embedding`` is the unit-length float32 vector, as bytes, of ``embedding_model``; a chunk
    is searched by vector only while that is the dataset's model. ``seq`` is the row's key in
    SQLite's FTS5 index (an explicit integer, since an implicit rowid may change on VACUUM);
    PostgreSQL indexes a generated ``tsvector`` column instead (made by the migration).
    """

    __tablename__ = "dataset_chunks"
    __table_args__ = (
        Index("ix_dataset_chunks_document", "document_id", "position"),
        Index("ix_dataset_chunks_dataset", "dataset_id", "embedding_model"),
        Index("ix_dataset_chunks_seq", "seq", unique=True),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    space_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    dataset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset_documents.id", ondelete="CASCADE")
    )
    seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    position: Mapped[int] = mapped_column()
    content: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    token_count: Mapped[int] = mapped_column(default=0)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    embedding_model: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
