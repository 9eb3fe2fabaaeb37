"""Users: the caller's own profile, org user administration, and accepting invitations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.api_keys.service import issue_key
from spacegate.audit.recorder import set_actor
from spacegate.auth.permissions import ALL, Role, unknown
from spacegate.auth.principal import Principal
from spacegate.errors import Forbidden, Unprocessable, not_found
from spacegate.kit.clock import utcnow
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import Page, keyset_page
from spacegate.models import Invitation, Space, SpaceMember, User
from spacegate.spaces import repository as space_repo
from spacegate.spaces.service import InvitationGone, hash_token, not_found_invitation


@dataclass
class SpaceAccess:
    id: uuid.UUID
    name: str
    permissions: list[str]


@dataclass
class Accepted:
    user: User
    space_id: uuid.UUID
    permissions: list[str]
    api_key: str | None
    api_key_id: uuid.UUID | None


class UserService:
    def __init__(self, session: AsyncSession, principal: Principal, cursors: CursorCodec) -> None:
        self.session = session
        self.principal = principal
        self.cursors = cursors

    async def get(self, user_id: uuid.UUID) -> User:
        user = await self.session.scalar(
            select(User).where(User.org_id == self.principal.org_id, User.id == user_id)
        )
        if user is None:
            raise not_found("User", user_id)
        return user

    async def me(self) -> User:
        return await self.get(self.principal.user_id)

    async def spaces_of_caller(self) -> list[SpaceAccess]:
        rows = await self.session.scalars(
            space_repo.visible_spaces(self.principal).order_by(Space.id)
        )
        return [
            SpaceAccess(s.id, s.name, [p for p in sorted(ALL) if self.principal.has(p, s.id)])
            for s in rows
        ]

    async def update_me(
        self, *, first_name: str | None, last_name: str | None, role: str | None
    ) -> User:
        user = await self.me()
        if role is not None and role != user.role:
            raise Forbidden(
                "You cannot change your own role; ask an admin.", code="role_change_forbidden"
            )
        if first_name is not None:
            user.first_name = first_name
        if last_name is not None:
            user.last_name = last_name
        await self.session.flush()
        return user

    def _require(self, permission: str) -> None:
        if not self.principal.has(permission) or self.principal.bound_space_id is not None:
            raise Forbidden(f"Missing permission '{permission}'.", code="permission_denied")

    async def list_page(self, *, limit: int, after: str | None) -> Page[User]:
        self._require("users:list")
        stmt = select(User).where(User.org_id == self.principal.org_id)
        return await keyset_page(
            self.session,
            stmt,
            User.id,
            codec=self.cursors,
            scope="users",
            limit=limit,
            cursor=after,
        )

    async def update(
        self, user_id: uuid.UUID, *, first_name: str | None, last_name: str | None, role: str | None
    ) -> User:
        user = await self.get(user_id)
        self._require("users:update")
        if role is not None and role != user.role:
            if user.id == self.principal.user_id:
                raise Forbidden("You cannot change your own role.", code="role_change_forbidden")
            if Role.owner in (role, user.role) and self.principal.role != Role.owner:
                raise Forbidden(
                    "Only an owner can grant or remove the owner role.", code="permission_denied"
                )
            user.role = role
        if first_name is not None:
            user.first_name = first_name
        if last_name is not None:
            user.last_name = last_name
        await self.session.flush()
        return user

    async def add_permissions(self, user_id: uuid.UUID, permissions: list[str]) -> User:
        user = await self.get(user_id)
        self._require("users:permissions")
        if bad := unknown(permissions):
            raise Unprocessable(
                f"Unknown permissions: {', '.join(bad)}.", code="unknown_permission"
            )
        if lacking := sorted(p for p in set(permissions) if not self.principal.has(p)):
            raise Forbidden(
                f"You cannot grant permissions you do not hold: {', '.join(lacking)}.",
                code="permission_escalation",
            )
        user.permissions = sorted(set(user.permissions) | set(permissions))
        await self.session.flush()
        return user


async def accept_invitation(
    session: AsyncSession, *, token: str, first_name: str | None, last_name: str | None
) -> Accepted:
    """Redeem an invitation once: join (or create) the user and make them a member of the space."""
    inv = await session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token)).with_for_update()
    )
    if inv is None:
        raise not_found_invitation()
    set_actor(session, actor_type="invitation", actor_id=inv.id)
    if inv.accepted_at is not None:
        raise InvitationGone("This invitation has already been accepted.")
    if inv.expires_at <= utcnow():
        raise InvitationGone("This invitation has expired; ask for a new one.")
    space = await space_repo.get_in_org(session, inv.org_id, inv.space_id)
    if space is None or space.deleted_at is not None:
        raise not_found("Space", inv.space_id)
    user = await session.scalar(
        select(User).where(User.org_id == inv.org_id, User.email == inv.email)
    )
    plaintext: str | None = None
    key_id: uuid.UUID | None = None
    if user is None:
        user = User(
            org_id=inv.org_id,
            email=inv.email,
            first_name=first_name or "",
            last_name=last_name or "",
            role=inv.role,
            permissions=[],
        )
        session.add(user)
        await session.flush()
        key, plaintext = await issue_key(
            session, org_id=inv.org_id, user_id=user.id, name="personal key"
        )
        key_id = key.id
    member = await session.scalar(
        select(SpaceMember).where(
            SpaceMember.space_id == inv.space_id, SpaceMember.user_id == user.id
        )
    )
    if member is None:
        member = SpaceMember(
            org_id=inv.org_id, space_id=inv.space_id, user_id=user.id, permissions=[]
        )
        session.add(member)
    member.permissions = sorted(set(member.permissions) | set(inv.permissions))
    inv.accepted_at = utcnow()
    inv.accepted_user_id = user.id
    await session.flush()
    return Accepted(user, inv.space_id, member.permissions, plaintext, key_id)
