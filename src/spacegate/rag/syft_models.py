"""Seed 003 models: a space's named view on a model of the org's model registry.

A model made from a ``configuration`` (``api_key``, ``base_url``, ``model``) registers a provider
connection and a registry model, and entitles it in the space, in the request's one transaction;
one made from a ``tenant_model_id`` views an existing registry model (entitling it if the space
is not yet). Every call it serves goes through the gateway like any other.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.entitlements.service import EntitlementService
from spacegate.errors import Conflict, NotFound, Unprocessable
from spacegate.kit.cursors import CursorCodec
from spacegate.models import ProviderConnection, RagEndpoint, RegisteredModel, SyftModel
from spacegate.providers.service import ProviderEdge, ProviderService
from spacegate.rag.spec import syft_spec
from spacegate.registry.service import RegistryService
from spacegate.resources import ResourceService
from spacegate.wire.platform.providers import ProviderCreate, ProviderUpdate
from spacegate.wire.platform.tenant_models import ModelCreate, ModelUpdate

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-3.5-turbo"


def _alias(space_id: uuid.UUID, name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._") or "model"
    return f"syft-{space_id.hex[:8]}-{cleaned}"[:190]


class SyftModelService(ResourceService[SyftModel]):
    model = SyftModel
    spec = syft_spec(label="Model", permission="models", name="syft_model", key="name")

    def __init__(
        self,
        session: AsyncSession,
        scope: SpaceScope,
        cursors: CursorCodec,
        edge: ProviderEdge | None = None,
    ) -> None:
        super().__init__(session, scope, cursors)
        self.providers = ProviderService(session, scope.principal, cursors, edge)
        self.registry = RegistryService(session, scope.principal, cursors)
        self.entitlements = EntitlementService(session, scope.principal, cursors)

    # -- reading ------------------------------------------------------------------------------

    async def get(self, ident: Any, *, permission: str = "get", lock: bool = False) -> SyftModel:
        obj = await super().get(ident, permission=permission, lock=lock)
        await self.decorate([obj])
        return obj

    async def list_offset(
        self, *, offset: int, limit: int, **filters: Any
    ) -> tuple[Sequence[SyftModel], int]:
        rows, total = await super().list_offset(offset=offset, limit=limit, **filters)
        await self.decorate(list(rows))
        return rows, total

    async def decorate(self, rows: list[SyftModel]) -> None:
        """Attach what the wire shape shows besides the row: registry model, connection,
        endpoints using it."""
        if not rows:
            return
        models = await self.registry.get_models([r.tenant_model_id for r in rows])
        targets = await self.registry.targets_for(list(models))
        conn_ids = {t[0].connection_id for t in targets.values() if t}
        conns = {
            c.id: c
            for c in await self.session.scalars(
                select(ProviderConnection).where(
                    ProviderConnection.id.in_(conn_ids),
                    ProviderConnection.org_id == self.scope.org_id,
                )
            )
        }
        used = await self.session.execute(
            select(RagEndpoint.model_id, RagEndpoint.id, RagEndpoint.name, RagEndpoint.slug).where(
                RagEndpoint.org_id == self.scope.org_id,
                RagEndpoint.space_id == self.scope.space_id,
                RagEndpoint.model_id.in_([r.id for r in rows]),
            )
        )
        by_model: dict[uuid.UUID, list[dict[str, Any]]] = {}
        for model_id, eid, name, slug in used:
            if model_id is None:
                continue
            by_model.setdefault(model_id, []).append({"id": eid, "name": name, "slug": slug})
        for r in rows:
            reg: RegisteredModel | None = models.get(r.tenant_model_id)
            found = targets.get(r.tenant_model_id) or []
            first = found[0] if found else None
            conn = conns.get(first.connection_id) if first is not None else None
            r.view = {  # type: ignore[attr-defined]
                "alias": reg.alias if reg else None,
                "configuration": {
                    "api_key": conn.api_key_hint if conn else None,
                    "base_url": conn.base_url if conn else None,
                    "model": first.upstream_model if first else None,
                    "system_prompt": r.system_prompt,
                },
                "connected_endpoints": by_model.get(r.id, []),
            }

    async def alias_of(self, model_id: uuid.UUID) -> tuple[SyftModel, str]:
        """The view and the registry alias a query calls through the gateway."""
        obj = await self.repo.get_by("id", model_id)
        if obj is None:
            raise NotFound("The endpoint's model no longer exists.", code="model_not_found")
        reg = await self.registry.get_model(obj.tenant_model_id)
        return obj, reg.alias

    # -- writing ------------------------------------------------------------------------------

    async def create(self, values: dict[str, Any]) -> SyftModel:
        self.scope.require(self.spec.permission_for("create"))
        await self._check_unique(values, None)
        conf: dict[str, Any] = values.get("configuration") or {}
        space_id = self.scope.space_id
        obj = SyftModel(
            org_id=self.scope.org_id,
            space_id=space_id,
            created_by=self.scope.principal.user_id,
            name=values["name"],
            dtype=values.get("dtype") or "openai",
            summary=values.get("summary") or "",
            tags=values.get("tags") or "",
            system_prompt=conf.get("system_prompt"),
        )
        tenant_model_id = values.get("tenant_model_id")
        if tenant_model_id is not None:
            reg = await self.registry.get_model(tenant_model_id)
        else:
            if not conf.get("api_key"):
                raise Unprocessable(
                    "'configuration.api_key' is required (or name an existing tenant_model_id).",
                    code="invalid_configuration",
                    extra={"param": "configuration.api_key"},
                )
            conn = await self.providers.create(
                ProviderCreate(
                    name=f"syft {space_id.hex[:8]} {values['name']}"[:200],
                    type="openai",
                    base_url=conf.get("base_url") or DEFAULT_BASE_URL,
                    api_key=SecretStr(conf["api_key"]),
                )
            )
            view = await self.registry.create(
                ModelCreate(
                    alias=await self._free_alias(_alias(space_id, values["name"])),
                    display_name=values["name"],
                    provider_id=conn.id,
                    upstream_model=conf.get("model") or DEFAULT_MODEL,
                    capabilities=["chat"],
                )
            )
            reg = view.model
            obj.connection_id, obj.owns_connection, obj.owns_model = conn.id, True, True
        obj.tenant_model_id = reg.id
        try:
            await self.entitlements.get(space_id, reg.id)
        except NotFound:
            await self.entitlements.grant(space_id, reg.id)
            obj.granted = True
        self.repo.add(obj)
        await self.session.flush()
        await self.decorate([obj])
        return obj

    async def update(self, ident: Any, changes: dict[str, Any]) -> SyftModel:
        obj = await super().get(ident, permission="update", lock=True)
        conf = changes.pop("configuration", None) or {}
        if "system_prompt" in conf:
            changes["system_prompt"] = conf.pop("system_prompt")
        if conf:
            await self._reconfigure(obj, conf)
        for name in ("name", "summary", "tags"):
            if name in changes and changes[name] is None:
                raise Unprocessable(
                    f"'{name}' cannot be null.", code="null_not_allowed", extra={"param": name}
                )
        await self._check_unique(changes, obj)
        for name, value in changes.items():
            setattr(obj, name, value)
        await self.session.flush()
        await self.decorate([obj])
        return obj

    async def _reconfigure(self, obj: SyftModel, conf: dict[str, Any]) -> None:
        if not (obj.owns_model and obj.owns_connection and obj.connection_id):
            raise Conflict(
                f"Model '{obj.name}' views the registry model {obj.tenant_model_id}: change its "
                "connection there (only system_prompt is set here).",
                code="model_managed_in_registry",
            )
        if "api_key" in conf or "base_url" in conf:
            update: dict[str, Any] = {}
            if conf.get("api_key"):
                update["api_key"] = SecretStr(conf["api_key"])
            if conf.get("base_url"):
                update["base_url"] = conf["base_url"]
            await self.providers.update(obj.connection_id, ProviderUpdate(**update))
        if conf.get("model"):
            await self.registry.update(
                obj.tenant_model_id,
                ModelUpdate(provider_id=obj.connection_id, upstream_model=conf["model"]),
            )

    async def delete(self, ident: Any) -> SyftModel:
        obj = await super().get(ident, permission="delete", lock=True)
        users = await self.session.scalars(
            select(RagEndpoint.slug).where(
                RagEndpoint.org_id == self.scope.org_id,
                RagEndpoint.space_id == self.scope.space_id,
                RagEndpoint.model_id == obj.id,
            )
        )
        slugs = list(users)
        if slugs:
            raise Conflict(
                f"Model '{obj.name}' is used by endpoint(s) {', '.join(slugs)}; change or delete "
                "them first.",
                code="model_in_use",
            )
        await self.repo.delete(obj)
        await self.session.flush()
        if obj.granted:
            with contextlib.suppress(NotFound):
                await self.entitlements.revoke(self.scope.space_id, obj.tenant_model_id)
        if obj.owns_model:
            await self.registry.delete(obj.tenant_model_id, force=True)
        if obj.owns_connection and obj.connection_id is not None:
            await self.providers.delete(obj.connection_id)
        return obj

    async def _free_alias(self, alias: str) -> str:
        candidate, n = alias, 1
        while True:
            try:
                await self.registry.get_model_by_alias(candidate)
            except NotFound:
                return candidate
            n += 1
            candidate = f"{alias}-{n}"
