from __future__ import annotations

from typing import Any

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class Connector(SpaceOwnedMixin, Base):
    """Seed 004 factory: where a space's training data lives (an S3-compatible bucket).

    The credentials are one AES-GCM ciphertext bound to the org and this row; they are never
    returned.
    """

    __tablename__ = "connectors"
    __table_args__ = (Index("ix_connectors_scope", "org_id", "space_id", "id"),)
    __audit__ = {"resource": "connector", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    #: "aws-s3"
    provider: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(64))
    bucket: Mapped[str] = mapped_column(String(255))
    endpoint_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    prefix: Mapped[str] = mapped_column(String(1024), default="")
    credentials_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    key_version: Mapped[int] = mapped_column(default=1)
    #: active | scanning | scanned | error
    status: Mapped[str] = mapped_column(String(16), default="active")
    #: The latest scan: ``{job_id, status, files: {key: schema}, error}``.
    scan: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
