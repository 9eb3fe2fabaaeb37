"""Permissions are ``resource:action`` strings; roles are named permission sets.

The seed's ``permissions.UserPermission`` values (NeoSpace) are accepted verbatim; the rest are
Spacegate's own, one set per resource. ``ALL`` is the vocabulary every input is checked against.
"""

from __future__ import annotations

from enum import StrEnum

SEED_PERMISSIONS: tuple[str, ...] = (
    "benchmarks:create",
    "benchmarks:get",
    "benchmarks:list",
    "evaluations:create",
    "leaderboards:list",
    "trainings:create",
    "trainings:delete",
    "trainings:get",
    "trainings:list",
    "trainings:update",
    "data-models:create",
    "data-models:delete",
    "data-models:get",
    "data-models:list",
    "data-models:update",
)

PLATFORM_PERMISSIONS: tuple[str, ...] = (
    "orgs:get",
    "orgs:update",
    "users:list",
    "users:get",
    "users:update",
    "users:permissions",
    "api-keys:create",
    "api-keys:list",
    "api-keys:revoke",
    "api-keys:manage",
    "spaces:create",
    "spaces:list",
    "spaces:get",
    "spaces:update",
    "spaces:delete",
    "spaces:restore",
    "spaces:invite",
    "audit-logs:list",
    "providers:create",
    "providers:list",
    "providers:get",
    "providers:update",
    "providers:delete",
    "models:create",
    "models:list",
    "models:get",
    "models:update",
    "models:delete",
    "entitlements:list",
    "entitlements:grant",
    "entitlements:update",
    "entitlements:revoke",
    "chat:create",
    "completions:create",
    "embeddings:create",
    "inference-logs:list",
    "usage:read",
)


def _crud(*resources: str) -> tuple[str, ...]:
    return tuple(
        f"{r}:{a}" for r in resources for a in ("list", "get", "create", "update", "delete")
    )


#: The product areas' resources (RAG, factory, copilot) and the background jobs behind them.
PRODUCT_PERMISSIONS: tuple[str, ...] = (
    *_crud("datasets", "endpoints", "policies"),
    "endpoints:query",
    "settings:get",
    "settings:update",
    *_crud("connectors", "checkpoints", "clusters", "webhooks"),
    "benchmarks:update",
    "benchmarks:delete",
    "evaluations:list",
    "evaluations:get",
    "evaluations:delete",
    *_crud("chats", "experts", "personas", "action-groups", "actions", "arguments"),
    "insights:create",
    "insights:list",
    "insights:get",
    "jobs:list",
    "jobs:get",
    "jobs:update",
)

ALL: frozenset[str] = frozenset(SEED_PERMISSIONS + PLATFORM_PERMISSIONS + PRODUCT_PERMISSIONS)


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    developer = "developer"
    designer = "designer"


#: Roles whose holders act in every space of the org; the others act only where they are members.
ORG_WIDE_ROLES = frozenset({Role.owner, Role.admin})

_USE = frozenset(
    {
        "orgs:get",
        "users:get",
        "api-keys:create",
        "api-keys:list",
        "api-keys:revoke",
        "spaces:list",
        "spaces:get",
        "models:list",
        "models:get",
        "entitlements:list",
        "chat:create",
        "completions:create",
        "embeddings:create",
        "inference-logs:list",
        "usage:read",
    }
)

#: Developers build with every product resource; a space's settings and its compute are admins'.
_BUILD = frozenset(PRODUCT_PERMISSIONS) - {
    "settings:update",
    "clusters:create",
    "clusters:update",
    "clusters:delete",
}
#: Designers read what is built, talk to it, and review what it writes.
_REVIEW = frozenset(p for p in PRODUCT_PERMISSIONS if p.endswith((":list", ":get"))) | frozenset(
    {
        "endpoints:query",
        "chats:create",
        "chats:update",
        "chats:delete",
        "insights:create",
        "arguments:update",
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.owner: ALL,
    Role.admin: ALL,
    Role.developer: _USE | frozenset(SEED_PERMISSIONS) | _BUILD,
    Role.designer: _USE
    | _REVIEW
    | frozenset(
        {
            "benchmarks:get",
            "benchmarks:list",
            "leaderboards:list",
            "data-models:get",
            "data-models:list",
            "trainings:get",
            "trainings:list",
        }
    ),
}


def unknown(permissions: list[str]) -> list[str]:
    return [p for p in permissions if p not in ALL]
