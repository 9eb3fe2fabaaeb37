"""Action groups: plain named groups of actions."""

from __future__ import annotations

from spacegate.models import ActionGroup
from spacegate.resources import ResourceService, ResourceSpec


class ActionGroupService(ResourceService[ActionGroup]):
    model = ActionGroup
    spec = ResourceSpec(label="Action group", permission="action-groups", name="action_group")
