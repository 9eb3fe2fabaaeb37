"""What a plain resource declares: names, permissions, how it is addressed and paged."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Paging(StrEnum):
    #: Seed 004: ``limit`` + ``after`` -> ``{count, data, has_more}``.
    after = "after"
    #: Seed 004 (benchmarks, arguments): ``page`` + ``page_size``.
    page_size = "page_size"
    #: Seed 004 (trainings): ``page`` + ``pageSize``.
    page_size_camel = "pageSize"
    #: Seed 003 (Syft): ``skip`` + ``limit`` -> ``{items, total, skip, limit}``.
    skip = "skip"


@dataclass(frozen=True)
class ResourceSpec:
    #: Human name in messages: "Action group" -> "Action group '...' not found".
    label: str
    #: Permission prefix: "action-groups" -> action-groups:list, :get, :create, :update, :delete.
    permission: str
    #: The audit log's and cursor's name for it ("action_group").
    name: str
    #: The column a path addresses an item by: "id" (seed 004) or a unique name / slug (seed 003).
    key: str = "id"
    #: Columns unique within a space (a duplicate is a 409 naming the field).
    unique: tuple[str, ...] = ()
    paging: Paging = Paging.after
    default_limit: int = 10
    max_limit: int = 100
    #: Per-operation permission overrides (``{"list": "leaderboards:list"}``).
    permissions: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def permission_for(self, op: str) -> str:
        return self.permissions.get(op, f"{self.permission}:{op}")
