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

ALL: frozenset[str] = frozenset(SEED_PERMISSIONS + PLATFORM_PERMISSIONS)


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

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.owner: ALL,
    Role.admin: ALL,
    Role.developer: _USE | frozenset(SEED_PERMISSIONS),
    Role.designer: _USE
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
