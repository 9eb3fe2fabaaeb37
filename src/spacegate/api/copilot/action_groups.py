"""Seed 004 "action groups"."""

from __future__ import annotations

from spacegate.copilot.action_groups import ActionGroupService
from spacegate.resources.router import crud_router
from spacegate.wire.copilot.action_groups import (
    ActionGroupCreate,
    ActionGroupRead,
    ActionGroupUpdate,
)

router = crud_router(
    ActionGroupService,
    prefix="/v1/action-groups",
    tag="action groups",
    create=ActionGroupCreate,
    update=ActionGroupUpdate,
    read=ActionGroupRead,
)
