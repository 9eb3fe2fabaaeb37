"""Who is calling: an API key acting for a user, resolved once per request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from spacegate.auth.permissions import ORG_WIDE_ROLES, ROLE_PERMISSIONS, Role


@dataclass(frozen=True, slots=True)
class Principal:
    org_id: uuid.UUID
    user_id: uuid.UUID
    api_key_id: uuid.UUID
    role: Role
    #: Permissions the user holds org-wide (role + grants).
    user_permissions: frozenset[str]
    #: The key's own restriction; None means "whatever the user may do".
    key_permissions: frozenset[str] | None = None
    #: Set for a space-bound key: the only space it may act in.
    bound_space_id: uuid.UUID | None = None
    #: Extra permissions per space the user is a member of.
    memberships: dict[uuid.UUID, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        org_id: uuid.UUID,
        user_id: uuid.UUID,
        api_key_id: uuid.UUID,
        role: str,
        user_grants: list[str],
        key_permissions: list[str] | None,
        bound_space_id: uuid.UUID | None,
        memberships: dict[uuid.UUID, list[str]],
    ) -> Principal:
        r = Role(role)
        return cls(
            org_id=org_id,
            user_id=user_id,
            api_key_id=api_key_id,
            role=r,
            user_permissions=ROLE_PERMISSIONS[r] | frozenset(user_grants),
            key_permissions=frozenset(key_permissions) if key_permissions is not None else None,
            bound_space_id=bound_space_id,
            memberships={k: frozenset(v) for k, v in memberships.items()},
        )

    @property
    def org_wide(self) -> bool:
        return self.role in ORG_WIDE_ROLES and self.bound_space_id is None

    def can_see_space(self, space_id: uuid.UUID) -> bool:
        """Whether the space exists for this caller at all (otherwise: 404, never 403)."""
        if self.bound_space_id is not None:
            return space_id == self.bound_space_id and (
                self.role in ORG_WIDE_ROLES or space_id in self.memberships
            )
        return self.org_wide or space_id in self.memberships

    def has(self, permission: str, space_id: uuid.UUID | None = None) -> bool:
        if self.key_permissions is not None and permission not in self.key_permissions:
            return False
        if permission in self.user_permissions:
            return space_id is None or self.can_see_space(space_id)
        if space_id is not None and self.can_see_space(space_id):
            return permission in self.memberships.get(space_id, frozenset())
        return False

    def effective_permissions(self) -> list[str]:
        """What the caller may do org-wide. Membership extras hold only in their own space, so
        they are not listed here (``has(permission, space_id)`` answers for a space)."""
        perms = set(self.user_permissions)
        if self.key_permissions is not None:
            perms &= self.key_permissions
        return sorted(perms)
