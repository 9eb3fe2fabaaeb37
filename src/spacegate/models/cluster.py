from __future__ import annotations

from sqlalchemy import Float, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin


class Cluster(SpaceOwnedMixin, Base):
    """Seed 004: a space's compute, a Ray cluster (one per space). ``manager_url`` is its job
    submission API (the dashboard), ``ingress_url`` where it serves models (Ray Serve)."""

    __tablename__ = "clusters"
    __table_args__ = (UniqueConstraint("space_id", name="uq_clusters_space_id"),)
    __audit__ = {"resource": "cluster", "space_attr": "space_id", "secret": {"token_ciphertext"}}

    name: Mapped[str] = mapped_column(String(200), default="")
    manager_url: Mapped[str] = mapped_column(String(2048))
    ingress_url: Mapped[str] = mapped_column(String(2048))
    token_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    token_hint: Mapped[str | None] = mapped_column(String(32), default=None)
    #: Its GPUs when it was registered or last changed (the job checks them again live):
    #: what a training's or an evaluation's ``gpu_count`` is checked against.
    gpus: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
