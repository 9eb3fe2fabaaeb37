from __future__ import annotations

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class WebhookSubscription(SpaceOwnedMixin, Base):
    """Ours: a space's outbound webhook: where its factory events are delivered, signed."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_scope", "org_id", "space_id", "id"),)
    __audit__ = {"resource": "webhook_subscription", "space_attr": "space_id"}

    url: Mapped[str] = mapped_column(String(2048))
    #: Event types delivered ("training.succeeded" ...); empty: every one.
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    description: Mapped[str] = mapped_column(String(1000), default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
