"""Wire schemas of ``spacegate.api.factory.clusters``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from spacegate.wire.base import RequestModel, ResponseModel

Url = Annotated[str, Field(min_length=1, max_length=2048)]


class ClusterCreate(RequestModel):
    ingress_url: Url = Field(description="Where the cluster serves models (Ray Serve).")
    manager_url: Url = Field(
        description="The Ray dashboard, whose Job Submission API runs the space's work."
    )
    name: str = Field(default="", max_length=200)
    token: str | None = Field(
        default=None, max_length=4096, description="Sent to the cluster; stored encrypted."
    )


class ClusterUpdate(RequestModel):
    ingress_url: Url | None = None
    manager_url: Url | None = None
    name: str | None = Field(default=None, max_length=200)
    token: str | None = Field(default=None, max_length=4096)


class ClusterRead(ResponseModel):
    id: uuid.UUID
    name: str
    ingress_url: str
    manager_url: str
    token: str | None = Field(description="A hint of the token (it is never returned).")
    created_at: datetime
    updated_at: datetime


class ClusterLive(ResponseModel):
    id: uuid.UUID
    name: str
    inference: dict[str, Any] = Field(description="What the cluster serves (Ray Serve apps).")
    ingress: dict[str, Any]
    nodes: list[dict[str, Any]] = Field(description="Each node: alive, CPU, GPU, memory.")
    resources: dict[str, Any] = Field(description="Total and available CPU, GPU, memory.")
    ray_version: str | None
