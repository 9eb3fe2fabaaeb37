"""The org's model registry: models, their targets and routing strategy.

Lookups (``get_model``, ``get_model_by_alias``, ``resolve_model``, ``targets``) only scope by org:
other services (entitlements, the gateway) call them after making their own permission decision.
The CRUD methods used by the registry's routes check ``models:*`` themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.errors import Conflict, Forbidden, NotFound
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import Page, keyset_page
from spacegate.models import ModelTarget, RegisteredModel
from spacegate.providers.service import ProviderService
from spacegate.registry import repository as repo
from spacegate.wire.platform.tenant_models import (
    ModelCreate,
    ModelUpdate,
    TargetIn,
    default_capabilities,
)

_NULLABLE = (
    "context_window",
    "logo_url",
    "logo_url_dark",
    "input_price_per_mtok",
    "output_price_per_mtok",
)


@dataclass
class ModelView:
    """A model with its targets, in the order the ``priority`` strategy tries them."""

    model: RegisteredModel
    targets: list[ModelTarget]


def model_not_found(ref: object) -> NotFound:
    return NotFound(f"Model '{ref}' not found", code="model_not_found")


class RegistryService:
    def __init__(self, session: AsyncSession, principal: Principal, cursors: CursorCodec) -> None:
        self.session = session
        self.principal = principal
        self.cursors = cursors

    @property
    def org_id(self) -> uuid.UUID:
        return self.principal.org_id

    # -- lookups other services build on ------------------------------------------------------

    async def get_model(self, model_id: uuid.UUID) -> RegisteredModel:
        model = await repo.get_by_id(self.session, self.org_id, model_id)
        if model is None:
            raise model_not_found(model_id)
        return model

    async def get_model_by_alias(self, alias: str) -> RegisteredModel:
        model = await repo.get_by_alias(self.session, self.org_id, alias)
        if model is None:
            raise model_not_found(alias)
        return model

    async def get_models(self, model_ids: list[uuid.UUID]) -> dict[uuid.UUID, RegisteredModel]:
        """Several models of the org in one query (a page of entitlements); unknown ids absent."""
        if not model_ids:
            return {}
        # Looked up by primary key and the org checked on each row: with ``org_id`` in the
        # WHERE clause SQLite walks the org's whole ``org_id`` index instead (cost grows with it).
        stmt = select(RegisteredModel).where(RegisteredModel.id.in_(model_ids))
        rows = await self.session.scalars(stmt)
        return {m.id: m for m in rows if m.org_id == self.org_id}

    async def resolve_model(self, ref: str) -> RegisteredModel:
        """A model by ``tenant_model_id`` (a UUID string) or else by alias."""
        try:
            model_id = uuid.UUID(ref)
        except (ValueError, AttributeError, TypeError):
            return await self.get_model_by_alias(ref)
        model = await repo.get_by_id(self.session, self.org_id, model_id)
        if model is None:  # an alias may itself look like a UUID
            return await self.get_model_by_alias(ref)
        return model

    async def targets(self, model_id: uuid.UUID) -> list[ModelTarget]:
        return (await repo.targets_of(self.session, self.org_id, [model_id]))[model_id]

    async def targets_for(self, model_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ModelTarget]]:
        return await repo.targets_of(self.session, self.org_id, model_ids)

    async def uses_connection(self, connection_id: uuid.UUID) -> bool:
        return await repo.connection_in_use(self.session, self.org_id, connection_id)

    # -- the registry's own routes ------------------------------------------------------------

    def _require(self, permission: str) -> None:
        if not self.principal.has(permission):
            raise Forbidden(f"Missing permission '{permission}'.", code="permission_denied")

    def _require_write(self, permission: str) -> None:
        self._require(permission)
        if self.principal.bound_space_id is not None:
            raise Forbidden(
                "A space-bound key cannot change the org's model registry.",
                code="permission_denied",
            )

    async def view(self, model_id: uuid.UUID) -> ModelView:
        self._require("models:get")
        model = await self.get_model(model_id)
        return ModelView(model, await self.targets(model.id))

    async def list_page(
        self, *, limit: int, after: str | None, param: str = "after"
    ) -> Page[ModelView]:
        self._require("models:list")
        page: Page[RegisteredModel] = await keyset_page(
            self.session,
            repo.models_in_org(self.org_id),
            RegisteredModel.id,
            codec=self.cursors,
            scope="tenant-models",
            limit=limit,
            cursor=after,
            param=param,
        )
        targets = await self.targets_for([m.id for m in page.items])
        views = [ModelView(m, targets[m.id]) for m in page.items]
        return Page(views, page.has_more, page.next_cursor)

    async def create(self, data: ModelCreate) -> ModelView:
        self._require_write("models:create")
        await self._alias_free(data.alias)
        wanted = data.target_list() or []
        await self._check_connections(wanted)
        model = RegisteredModel(
            org_id=self.org_id,
            alias=data.alias,
            display_name=data.display_name if data.display_name is not None else data.alias,
            capabilities=data.capabilities
            if data.capabilities is not None
            else default_capabilities(data.alias, wanted),
            context_window=data.context_window,
            reasoning={"enabled": data.reasoning.enabled if data.reasoning else False},
            logo_url=data.logo_url,
            logo_url_dark=data.logo_url_dark,
            input_price_per_mtok=data.input_price_per_mtok,
            output_price_per_mtok=data.output_price_per_mtok,
            request_overrides=data.request_overrides.stored() if data.request_overrides else {},
            routing_strategy=data.routing_strategy or "priority",
            enabled=True if data.enabled is None else data.enabled,
            created_by=self.principal.user_id,
        )
        self.session.add(model)
        await self.session.flush()
        targets = await self._add_targets(model, wanted)
        return ModelView(model, targets)

    async def update(self, model_id: uuid.UUID, data: ModelUpdate) -> ModelView:
        self._require_write("models:update")
        model = await self.get_model(model_id)
        given = data.model_fields_set
        if data.alias is not None and data.alias != model.alias:
            await self._alias_free(data.alias)
            model.alias = data.alias
        if "display_name" in given:
            model.display_name = data.display_name if data.display_name is not None else model.alias
        if data.capabilities is not None:
            model.capabilities = data.capabilities
        if data.reasoning is not None:
            model.reasoning = {"enabled": data.reasoning.enabled}
        if data.request_overrides is not None:
            model.request_overrides = data.request_overrides.stored()
        if data.routing_strategy is not None:
            model.routing_strategy = data.routing_strategy
        if data.enabled is not None:
            model.enabled = data.enabled
        for name in _NULLABLE:
            if name in given:
                setattr(model, name, getattr(data, name))
        wanted = data.target_list()
        if wanted is not None:
            await self._check_connections(wanted)
            for old in await self.targets(model.id):
                await self.session.delete(old)
            await self.session.flush()
            await self._add_targets(model, wanted)
        await self.session.flush()
        return ModelView(model, await self.targets(model.id))

    async def delete(self, model_id: uuid.UUID, *, force: bool = False) -> None:
        """Remove a model; refused (409) while a space is entitled to it, unless ``force``."""
        self._require_write("models:delete")
        model = await self.get_model(model_id)
        entitlements = await repo.entitlements_of(self.session, self.org_id, model.id)
        if entitlements and not force:
            raise Conflict(
                f"Model '{model.alias}' is entitled in {len(entitlements)} space(s); revoke those "
                "entitlements first or delete with force=true.",
                code="model_entitled",
            )
        # Row by row through the ORM so each removal is audited, not swept by a cascade.
        for row in entitlements:
            await self.session.delete(row)
        for target in await self.targets(model.id):
            await self.session.delete(target)
        await self.session.flush()
        await self.session.delete(model)
        await self.session.flush()

    # -- helpers ------------------------------------------------------------------------------

    async def _alias_free(self, alias: str) -> None:
        if await repo.get_by_alias(self.session, self.org_id, alias) is not None:
            raise Conflict(f"A model with alias '{alias}' already exists.", code="alias_taken")

    async def _check_connections(self, targets: list[TargetIn]) -> None:
        providers = ProviderService(self.session, self.principal, self.cursors)
        for provider_id in dict.fromkeys(t.provider_id for t in targets):
            await providers.get_connection(provider_id)

    async def _add_targets(
        self, model: RegisteredModel, targets: list[TargetIn]
    ) -> list[ModelTarget]:
        rows = [
            ModelTarget(
                org_id=self.org_id,
                model_id=model.id,
                connection_id=t.provider_id,
                upstream_model=t.upstream_model,
                priority=t.priority,
                weight=t.weight,
            )
            for t in targets
        ]
        self.session.add_all(rows)
        await self.session.flush()
        return sorted(rows, key=lambda t: (t.priority, t.id))
