"""Provider connections (``/v1/providers``): where the org's models are served from.

Credentials are write-only. Even a request that fails validation must not echo the key back, so
this router's route class masks it in pydantic's error list before the error is rendered.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError

from spacegate.api.deps import After, CursorsDep, Limit, PrincipalDep, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.kit import ssrf
from spacegate.kit.crypto import cipher_for
from spacegate.models import ProviderConnection
from spacegate.providers.service import ProviderEdge, ProviderService
from spacegate.wire.base import ListResponse
from spacegate.wire.platform.providers import ProviderCreate, ProviderRead, ProviderUpdate

SECRET_FIELDS = frozenset({"api_key", "proxy_url"})  # a refused proxy URL may hold credentials
_MASK = "***"


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _MASK if k in SECRET_FIELDS else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def scrub_errors(errs: Any) -> list[dict[str, Any]]:
    out = []
    for err in errs:
        err = dict(err)
        if "input" in err:
            loc = err.get("loc") or ()
            err["input"] = _MASK if loc and loc[-1] in SECRET_FIELDS else _mask(err["input"])
        out.append(err)
    return out


class CredentialRoute(UnitOfWorkRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await inner(request)
            except RequestValidationError as exc:
                raise RequestValidationError(scrub_errors(exc.errors())) from None

        return handler


router = APIRouter(prefix="/v1/providers", tags=["providers"], route_class=CredentialRoute)
ProviderId = Annotated[uuid.UUID, Path(description="Provider connection ID")]


def get_resolver() -> ssrf.Resolver:
    """DNS for the base URL check; tests override this so they never query real DNS."""
    return ssrf.system_resolver


def get_provider_edge(
    runtime: RuntimeDep, resolver: Annotated[ssrf.Resolver, Depends(get_resolver)]
) -> ProviderEdge:
    settings = runtime.settings
    return ProviderEdge(
        cipher=cipher_for(settings.resolved_secret_key),
        allow_private_networks=settings.allow_private_networks,
        resolver=resolver,
    )


ProviderEdgeDep = Annotated[ProviderEdge, Depends(get_provider_edge)]


def _svc(
    session: SessionDep, principal: PrincipalDep, cursors: CursorsDep, edge: ProviderEdgeDep
) -> ProviderService:
    return ProviderService(session, principal, cursors, edge)


ServiceDep = Annotated[ProviderService, Depends(_svc)]


def _read(conn: ProviderConnection) -> ProviderRead:
    return ProviderRead(
        id=conn.id,
        name=conn.name,
        type=conn.type,
        base_url=conn.base_url,
        base_url_resolved=conn.base_url_resolved,
        has_api_key=conn.api_key_ciphertext is not None,
        api_key_hint=conn.api_key_hint,
        config=dict(conn.config or {}),
        limits=dict(conn.limits or {}),
        enabled=conn.enabled,
        created_by=conn.created_by,
        created_at=conn.created_at,
        updated_at=conn.updated_at,
        warnings=[] if conn.base_url_resolved else [_unresolved(conn.base_url)],
    )


def _unresolved(base_url: str) -> str:
    return (
        f"The host of '{base_url}' did not resolve when it was set; it is checked again before "
        "each connection, and calls fail with 502 until it resolves to an allowed address."
    )


@router.get("", summary="List provider connections", responses=errors(*AUTHED, 400))
async def list_providers(
    svc: ServiceDep, limit: Limit = 20, after: After = None
) -> ListResponse[ProviderRead]:
    page = await svc.list_page(limit=limit, after=after)
    data = [_read(c) for c in page.items]
    return ListResponse.of(data, page)


@router.post(
    "",
    status_code=201,
    summary="Create a provider connection",
    responses=errors(*AUTHED, 400, 409),
)
async def create_provider(body: ProviderCreate, svc: ServiceDep) -> ProviderRead:
    return _read(await svc.create(body))


@router.get("/{id}", summary="Get a provider connection", responses=errors(*AUTHED, 404))
async def get_provider(id: ProviderId, svc: ServiceDep) -> ProviderRead:
    return _read(await svc.get(id))


@router.patch("/{id}", summary="Update a provider connection", responses=errors(*AUTHED, 404, 409))
async def update_provider(id: ProviderId, body: ProviderUpdate, svc: ServiceDep) -> ProviderRead:
    return _read(await svc.update(id, body))


@router.delete(
    "/{id}",
    status_code=204,
    summary="Delete a provider connection",
    description="Refused with 409 `provider_in_use` while a model still routes to it.",
    responses=errors(*AUTHED, 404, 409),
)
async def delete_provider(id: ProviderId, svc: ServiceDep) -> Response:
    await svc.delete(id)
    return Response(status_code=204)
