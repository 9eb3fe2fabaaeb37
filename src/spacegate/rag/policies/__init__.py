"""Policies of seed 003's endpoints: types (``types``), their checks before a query (``access``,
``rate_limit``) and after it (``pii``), and the ``policy_metadata`` each query reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Caller:
    """Who queries an endpoint, as the policies see it."""

    api_key_id: uuid.UUID
    user_id: uuid.UUID
    email: str | None


@dataclass
class Entry:
    """What one policy decided for one query."""

    policy_id: uuid.UUID
    name: str
    policy_type: str
    kind: str  # "pre" | "post"
    status: str  # "allowed" | "blocked" | "applied" | "skipped"
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        return {
            "policy_id": str(self.policy_id),
            "name": self.name,
            "policy_type": self.policy_type,
            "kind": self.kind,
            "status": self.status,
            "reason": self.reason,
            "details": self.details,
        }


def metadata(entries: list[Entry]) -> dict[str, Any]:
    blocked = any(e.status == "blocked" for e in entries)
    return {"outcome": "blocked" if blocked else "allowed", "entries": [e.wire() for e in entries]}
