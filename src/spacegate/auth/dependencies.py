"""FastAPI dependencies that authenticate the caller and check permissions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPBearer

from spacegate.audit.recorder import set_actor
from spacegate.auth import resolver
from spacegate.auth.principal import Principal
from spacegate.errors import Forbidden

# Declared only so OpenAPI documents both ways to authenticate; parsing is ours (auto_error off).
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer sg_...`")
_x_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key: `X-API-Key: sg_...`"
)


async def get_principal(
    request: Request,
    _b: Annotated[object, Depends(_bearer)] = None,
    _k: Annotated[object, Depends(_x_api_key)] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        key = resolver.extract_key(authorization, x_api_key)
        principal = await resolver.resolve(request.app.state.runtime, key)
        request.state.principal = principal
    # Also when the principal was cached: whoever resolved it first may have had no session yet.
    attribute_changes(request)
    return principal


def attribute_changes(request: Request) -> None:
    """Name the caller as the actor of the request session's changes (for the audit log)."""
    session = getattr(request.state, "session", None)
    principal: Principal | None = getattr(request.state, "principal", None)
    if session is None or principal is None:
        return
    set_actor(
        session,
        actor_type="user",
        actor_id=principal.user_id,
        api_key_id=principal.api_key_id,
        request_id=getattr(request.state, "request_id", None),
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(permission: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits callers holding ``permission`` (org-wide or in some space)."""

    async def check(principal: PrincipalDep) -> Principal:
        if not principal.has(permission) and not any(
            principal.has(permission, space_id) for space_id in principal.memberships
        ):
            raise Forbidden(f"Missing permission '{permission}'.", code="permission_denied")
        return principal

    check.__name__ = f"require_{permission.replace(':', '_').replace('-', '_')}"
    return check
