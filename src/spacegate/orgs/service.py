"""Orgs: the tenant itself, and bootstrapping a new one with its owner."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.api_keys.service import issue_key
from spacegate.auth.permissions import Role
from spacegate.auth.principal import Principal
from spacegate.errors import Conflict, NotFound
from spacegate.kit.clock import zone_named
from spacegate.models import Org, User


@dataclass
class Bootstrapped:
    org: Org
    user: User
    api_key: str


async def bootstrap(session: AsyncSession, *, org_name: str, email: str) -> Bootstrapped:
    """Create an org, its owner and the owner's first API key. Refuses an existing org name."""
    if await session.scalar(select(Org.id).where(Org.name == org_name)) is not None:
        raise Conflict(f"Org '{org_name}' already exists.", code="org_exists")
    org = Org(name=org_name)
    session.add(org)
    await session.flush()
    user = User(org_id=org.id, email=email.lower(), role=Role.owner.value, permissions=[])
    session.add(user)
    await session.flush()
    _, plaintext = await issue_key(session, org_id=org.id, user_id=user.id, name="owner key")
    return Bootstrapped(org=org, user=user, api_key=plaintext)


async def recover_owner(
    session: AsyncSession, *, org_name: str, email: str | None = None
) -> Bootstrapped:
    """A new API key for an org's owner (the first one, or the owner with ``email``), for an
    operator on the server when every owner key is lost: nothing else changes, existing keys
    stay as they are (revoke them with the new one)."""
    org = await session.scalar(select(Org).where(Org.name == org_name))
    if org is None:
        raise NotFound(f"Org '{org_name}' not found.", code="org_not_found")
    owners = select(User).where(User.org_id == org.id, User.role == Role.owner.value)
    if email is not None:
        owners = owners.where(User.email == email.lower())
    user = await session.scalar(owners.order_by(User.created_at, User.id).limit(1))
    if user is None:
        whom = f"owner with email '{email}'" if email else "owner"
        raise NotFound(f"Org '{org_name}' has no {whom}.", code="owner_not_found")
    _, plaintext = await issue_key(session, org_id=org.id, user_id=user.id, name="recovery key")
    return Bootstrapped(org=org, user=user, api_key=plaintext)


class OrgService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def get(self, org_id: object) -> Org:
        if org_id != self.principal.org_id:
            raise NotFound(f"Org '{org_id}' not found", code="org_not_found")
        org = await self.session.get(Org, self.principal.org_id)
        if org is None:
            raise NotFound(f"Org '{org_id}' not found", code="org_not_found")
        return org

    async def update(self, org_id: object, *, name: str | None, timezone: str | None) -> Org:
        org = await self.get(org_id)
        if name is not None and name != org.name:
            if await self.session.scalar(select(Org.id).where(Org.name == name)) is not None:
                raise Conflict(f"Org '{name}' already exists.", code="org_exists")
            org.name = name
        if timezone is not None:
            zone_named(timezone)  # a 422 for a name that is not an IANA time zone
            org.timezone = timezone
        await self.session.flush()
        return org
