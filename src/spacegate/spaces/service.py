"""Spaces: lifecycle (soft delete, restore), membership and invitations."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.permissions import ORG_WIDE_ROLES, unknown
from spacegate.auth.principal import Principal
from spacegate.errors import AppError, Conflict, Forbidden, NotFound, Unprocessable, not_found
from spacegate.kit.clock import utcnow
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import Page, keyset_page
from spacegate.models import Invitation, Space, SpaceMember
from spacegate.spaces import repository as repo


class InvitationGone(AppError):
    status_code = 410
    code = "invitation_gone"

    def __init__(self, message: str) -> None:
        # Seed 004 documents accept-invite errors as ``{"error": "..."}``; both keys are served.
        super().__init__(message, extra={"error": message})


@dataclass
class IssuedInvitation:
    invitation: Invitation
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SpaceService:
    def __init__(self, session: AsyncSession, principal: Principal, cursors: CursorCodec) -> None:
        self.session = session
        self.principal = principal
        self.cursors = cursors

    def _check(self, permission: str, space_id: uuid.UUID) -> None:
        if not self.principal.can_see_space(space_id):
            raise not_found("Space", space_id)
        if not self.principal.has(permission, space_id):
            raise Forbidden(
                f"Missing permission '{permission}' in this space.", code="permission_denied"
            )

    async def list_page(
        self, *, limit: int, after: str | None, deleted: bool = False
    ) -> Page[Space]:
        """Live spaces, or (``deleted``) the soft-deleted ones the caller could restore."""
        return await keyset_page(
            self.session,
            repo.visible_spaces(self.principal, deleted=deleted),
            Space.id,
            codec=self.cursors,
            scope="spaces:deleted" if deleted else "spaces",
            limit=limit,
            cursor=after,
        )

    async def get(self, space_id: uuid.UUID, *, deleted: bool = False) -> Space:
        """The live space (or the deleted one, for restore), or 404."""
        stmt = repo.visible_spaces(self.principal, deleted=deleted).where(Space.id == space_id)
        space = await self.session.scalar(stmt)
        if space is None:
            raise not_found("Space", space_id)
        return space

    async def require(self, space_id: uuid.UUID, permission: str) -> Space:
        """Load a live space the caller may act on with ``permission`` (404 hides, 403 refuses)."""
        space = await self.get(space_id)
        self._check(permission, space_id)
        return space

    async def create(self, *, name: str, description: str) -> Space:
        if not self.principal.has("spaces:create") or self.principal.bound_space_id is not None:
            raise Forbidden("Missing permission 'spaces:create'.", code="permission_denied")
        space = Space(
            org_id=self.principal.org_id,
            name=name,
            description=description,
            created_by=self.principal.user_id,
            updated_by=self.principal.user_id,
        )
        self.session.add(space)
        await self.session.flush()
        if self.principal.role not in ORG_WIDE_ROLES:  # creators must be able to see what they made
            self.session.add(
                SpaceMember(org_id=space.org_id, space_id=space.id, user_id=self.principal.user_id)
            )
            await self.session.flush()
        return space

    async def update(
        self, space_id: uuid.UUID, *, name: str | None, description: str | None
    ) -> Space:
        space = await self.require(space_id, "spaces:update")
        if name is not None:
            space.name = name
        if description is not None:
            space.description = description
        space.updated_by = self.principal.user_id
        await self.session.flush()
        return space

    async def delete(self, space_id: uuid.UUID) -> Space:
        space = await self.require(space_id, "spaces:delete")
        space.deleted_at = utcnow()
        space.updated_by = self.principal.user_id
        await self.session.flush()
        return space

    async def restore(self, space_id: uuid.UUID) -> Space:
        if not self.principal.can_see_space(space_id):
            raise not_found("Space", space_id)
        stmt = select(Space).where(Space.org_id == self.principal.org_id, Space.id == space_id)
        space = await self.session.scalar(stmt)
        if space is None:
            raise not_found("Space", space_id)
        self._check("spaces:restore", space_id)
        if space.deleted_at is None:
            # Answering 200 would tell a client its restore happened when nothing was deleted.
            raise Conflict(f"Space '{space_id}' is not deleted.", code="space_not_deleted")
        space.deleted_at = None
        space.updated_by = self.principal.user_id
        await self.session.flush()
        return space

    async def invite(
        self,
        space_id: uuid.UUID,
        *,
        emails: list[str],
        permissions: list[str],
        role: str,
        ttl: timedelta,
    ) -> list[IssuedInvitation]:
        await self.require(space_id, "spaces:invite")
        if bad := unknown(permissions):
            raise Unprocessable(
                f"Unknown permissions: {', '.join(bad)}.", code="unknown_permission"
            )
        if lacking := sorted(p for p in set(permissions) if not self.principal.has(p, space_id)):
            raise Forbidden(
                f"You cannot grant permissions you do not hold here: {', '.join(lacking)}.",
                code="permission_escalation",
            )
        issued = []
        expires_at = utcnow() + ttl
        for email in dict.fromkeys(e.lower() for e in emails):
            token = "sginv_" + secrets.token_urlsafe(32)
            inv = Invitation(
                org_id=self.principal.org_id,
                space_id=space_id,
                email=email,
                permissions=sorted(set(permissions)),
                role=role,
                token_hash=hash_token(token),
                created_by=self.principal.user_id,
                expires_at=expires_at,
            )
            self.session.add(inv)
            issued.append(IssuedInvitation(inv, token))
        await self.session.flush()
        return issued

    async def members(self, space_id: uuid.UUID) -> list[SpaceMember]:
        await self.require(space_id, "spaces:get")
        rows = await self.session.scalars(
            select(SpaceMember).where(SpaceMember.space_id == space_id).order_by(SpaceMember.id)
        )
        return list(rows)

    async def invitations(self, space_id: uuid.UUID) -> list[Invitation]:
        await self.require(space_id, "spaces:invite")
        rows = await self.session.scalars(
            select(Invitation)
            .where(Invitation.space_id == space_id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.id)
        )
        return list(rows)


def not_found_invitation() -> NotFound:
    message = "Invitation not found."
    return NotFound(message, code="invitation_not_found", extra={"error": message})
