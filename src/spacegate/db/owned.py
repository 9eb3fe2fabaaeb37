"""Columns every space-owned table has: its org and space (the tenant scope) and who made it."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import IdMixin, TimestampMixin


class SpaceOwnedMixin(IdMixin, TimestampMixin):
    """A row that belongs to one space of one org; ``resources`` queries always filter by both.

    Tables using it index ``(org_id, space_id, id)`` so a scoped keyset page is one index range.
    """

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    space_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
