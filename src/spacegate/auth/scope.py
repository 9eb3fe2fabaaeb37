"""The caller's space for resources whose paths name none (seed 004's chats, trainings, ...).

Such a resource belongs to the space the gateway would use: the space a key is bound to, or the
one named by ``X-Space-Id``. Another org's or an invisible space is a 404, never a 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.dependencies import PrincipalDep
from spacegate.auth.principal import Principal
from spacegate.errors import BadRequest, Forbidden, NotFound

SPACE_HEADER_DOC = "The space this request acts in; optional for a key bound to a space."


@dataclass(frozen=True, slots=True)
class SpaceScope:
    """A caller acting inside one live space of its org."""

    principal: Principal
    space_id: uuid.UUID

    @property
    def org_id(self) -> uuid.UUID:
        return self.principal.org_id

    def can(self, permission: str) -> bool:
        return self.principal.has(permission, self.space_id)

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise Forbidden(
                f"Missing permission '{permission}' in this space.", code="permission_denied"
            )


def requested_space(principal: Principal, header: str | None) -> uuid.UUID:
    """The space a request names (header or bound key), before checking that it exists."""
    bound = principal.bound_space_id
    if header is not None and header.strip():
        try:
            wanted = uuid.UUID(header.strip())
        except ValueError:
            raise BadRequest("X-Space-Id must be a space UUID.", code="invalid_space_id") from None
        if bound is not None and wanted != bound:
            raise Forbidden("This API key is bound to another space.", code="space_mismatch")
        return wanted
    if bound is None:
        raise BadRequest(
            "Which space? Send the X-Space-Id header, or use an API key bound to a space.",
            code="space_required",
        )
    return bound


async def resolve_scope(
    session: AsyncSession, principal: Principal, header: str | None
) -> SpaceScope:
    from spacegate.spaces import repository as spaces  # spaces imports auth

    space_id = requested_space(principal, header)
    space = None
    if principal.can_see_space(space_id):
        space = await spaces.get_in_org(session, principal.org_id, space_id)
    if space is None or space.deleted_at is not None:
        raise NotFound(f"Space '{space_id}' not found", code="space_not_found")
    return SpaceScope(principal, space_id)


async def get_space_scope(
    request: Request,
    principal: PrincipalDep,
    x_space_id: Annotated[str | None, Header(description=SPACE_HEADER_DOC)] = None,
) -> SpaceScope:
    session: AsyncSession = request.state.session
    return await resolve_scope(session, principal, x_space_id)


SpaceScopeDep = Annotated[SpaceScope, Depends(get_space_scope)]
