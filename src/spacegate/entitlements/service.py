"""Entitlements of a space: grant, change, revoke, list, and the space's default model.

Both API dialects (Aimable "allowed models", MechaMental "model entitlements") and the gateway
share these rows, so every rule lives here: a space the caller cannot see is 404, an action it may
not take there is 403, a model of another org is 404, and a space has at most one default model,
switched in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.entitlements import repository as repo
from spacegate.entitlements.schemas import MODEL_MODES, EntitlementView, ModelPolicy
from spacegate.errors import Conflict, NotFound, Unprocessable
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import Page, keyset_page
from spacegate.models import Entitlement, RegisteredModel, Space
from spacegate.registry.service import RegistryService
from spacegate.spaces.service import SpaceService
from spacegate.wire.mechamental.limits import EntitlementRules, dedupe

#: A model named by its ``tenant_model_id`` or by its alias.
ModelRef = uuid.UUID | str

LIST = "entitlements:list"
GRANT = "entitlements:grant"
UPDATE = "entitlements:update"
REVOKE = "entitlements:revoke"


def not_allowed(model: object) -> NotFound:
    return NotFound(f"Model '{model}' is not allowed in this space.", code="entitlement_not_found")


class EntitlementService:
    def __init__(self, session: AsyncSession, principal: Principal, cursors: CursorCodec) -> None:
        self.session = session
        self.principal = principal
        self.cursors = cursors
        self.spaces = SpaceService(session, principal, cursors)
        self.registry = RegistryService(session, principal, cursors)

    @property
    def org_id(self) -> uuid.UUID:
        return self.principal.org_id

    # -- reading ------------------------------------------------------------------------------

    async def list_page(
        self, space_id: uuid.UUID, *, limit: int, cursor: str | None, enabled_only: bool = False
    ) -> Page[EntitlementView]:
        await self.spaces.require(space_id, LIST)
        page = await keyset_page(
            self.session,
            repo.in_space(self.org_id, space_id, enabled_only=enabled_only),
            Entitlement.id,
            codec=self.cursors,
            # A cursor names its space: replayed on another space (or org) it is refused.
            scope=f"entitlements:{space_id}",
            limit=limit,
            cursor=cursor,
            param="cursor",
        )
        return Page(await self._views(page.items), page.has_more, page.next_cursor)

    async def count(self, space_id: uuid.UUID, *, enabled_only: bool = False) -> int:
        await self.spaces.require(space_id, LIST)
        return await repo.count_in_space(
            self.session, self.org_id, space_id, enabled_only=enabled_only
        )

    async def get(self, space_id: uuid.UUID, ref: ModelRef) -> EntitlementView:
        await self.spaces.require(space_id, LIST)
        model = await self._model(ref)
        return EntitlementView(await self._require(space_id, model.id, ref), model)

    async def is_entitled(self, space_id: uuid.UUID, ref: str) -> bool:
        """Whether ``ref`` (an alias or a tenant_model_id) names a model entitled in the space.
        For a caller already acting in that space (no permission of its own: a resource that
        names a model, such as a copilot action, checks only that it could be used there)."""
        try:
            model = await self._model(uuid.UUID(ref))
        except ValueError:
            model = None
        except NotFound:
            model = None
        if model is None:
            try:
                model = await self.registry.get_model_by_alias(ref)
            except NotFound:
                return False
        return await repo.get(self.session, self.org_id, space_id, model.id) is not None

    # -- writing ------------------------------------------------------------------------------

    async def grant(
        self,
        space_id: uuid.UUID,
        ref: ModelRef,
        rules: EntitlementRules | None = None,
        *,
        is_default: bool = False,
    ) -> EntitlementView:
        await self.spaces.require(space_id, GRANT)
        model = await self._model(ref)
        if await repo.get(self.session, self.org_id, space_id, model.id) is not None:
            raise Conflict(
                f"Model '{model.alias}' is already allowed in this space.",
                code="entitlement_exists",
            )
        rules = rules or EntitlementRules()
        ent = Entitlement(
            org_id=self.org_id,
            space_id=space_id,
            model_id=model.id,
            enabled=True if rules.enabled is None else rules.enabled,
            is_default=False,
            workspace_limits={},
            allowed_step_types=[],
            allowed_endpoints=[],
            allowed_purposes=[],
            request_count=0,
            total_tokens=0,
            granted_by=self.principal.user_id,
        )
        _apply(ent, rules)
        self.session.add(ent)
        # A race with a concurrent grant of the same model ends here as an IntegrityError (409).
        await self.session.flush()
        if is_default:
            await self._make_default(space_id, ent)
        return EntitlementView(ent, model)

    async def update(
        self, space_id: uuid.UUID, ref: ModelRef, rules: EntitlementRules
    ) -> EntitlementView:
        await self.spaces.require(space_id, UPDATE)
        model = await self._model(ref)
        ent = await self._require(space_id, model.id, ref, lock=True)
        _apply(ent, rules)
        if not ent.enabled and ent.is_default:
            # A disabled model cannot serve as the default: the space is left without one.
            ent.is_default = False
        await self.session.flush()
        return EntitlementView(ent, model)

    async def revoke(self, space_id: uuid.UUID, ref: ModelRef) -> None:
        await self.spaces.require(space_id, REVOKE)
        # By id the row is found without the registry; by alias the alias names the model.
        model_id = ref if isinstance(ref, uuid.UUID) else (await self._model(ref)).id
        ent = await self._require(space_id, model_id, ref, lock=True)
        # Through the ORM so the revocation is audited; a revoked default leaves no default.
        await self.session.delete(ent)
        await self.session.flush()

    # -- the space's model policy -------------------------------------------------------------

    async def policy(self, space_id: uuid.UUID) -> ModelPolicy:
        space = await self.spaces.require(space_id, LIST)
        return await self._policy(space)

    async def set_policy(
        self,
        space_id: uuid.UUID,
        *,
        mode: str | None = None,
        default_model: ModelRef | None = None,
        clear_default: bool = False,
    ) -> ModelPolicy:
        """Change the mode and/or the default model; fields left ``None`` are unchanged."""
        space = await self.spaces.require(space_id, UPDATE)
        if mode is not None and mode not in MODEL_MODES:
            raise Unprocessable(f"Unknown model mode '{mode}'.", code="invalid_model_mode")
        if clear_default:
            current = await repo.default_of(self.session, self.org_id, space_id, lock=True)
            if current is not None:
                current.is_default = False
                await self.session.flush()
        elif default_model is not None:
            model = await self._model(default_model)
            ent = await repo.get(self.session, self.org_id, space_id, model.id, lock=True)
            if ent is None:
                raise Unprocessable(
                    f"Model '{model.alias}' is not allowed in this space; add it first.",
                    code="model_not_allowed",
                )
            await self._make_default(space_id, ent)
        if mode is not None and mode != space.model_mode:
            space.model_mode = mode  # the Space row is changed through the ORM: audited
            await self.session.flush()
        policy = await self._policy(space)
        if policy.mode == "fixed" and policy.default is None:
            raise Unprocessable(
                "A space in 'fixed' mode needs a default model.", code="default_model_required"
            )
        return policy

    async def _make_default(self, space_id: uuid.UUID, ent: Entitlement) -> None:
        if not ent.enabled:
            raise Unprocessable(
                "A disabled model cannot be the space's default; enable it first.",
                code="entitlement_disabled",
            )
        current = await repo.default_of(self.session, self.org_id, space_id, lock=True)
        if current is not None and current.id != ent.id:
            # Two flushes: the old default must be unset before the new one is set, or the
            # one-default-per-space unique index would see two defaults for an instant.
            current.is_default = False
            await self.session.flush()
        ent.is_default = True
        await self.session.flush()

    async def _policy(self, space: Space) -> ModelPolicy:
        ent = await repo.default_of(self.session, self.org_id, space.id)
        default = None
        if ent is not None:
            default = EntitlementView(ent, await self.registry.get_model(ent.model_id))
        return ModelPolicy(mode=space.model_mode, default=default)

    # -- helpers ------------------------------------------------------------------------------

    async def _require(
        self, space_id: uuid.UUID, model_id: uuid.UUID, label: object, *, lock: bool = False
    ) -> Entitlement:
        ent = await repo.get(self.session, self.org_id, space_id, model_id, lock=lock)
        if ent is None:
            raise not_allowed(label)
        return ent

    async def _model(self, ref: ModelRef) -> RegisteredModel:
        """The org's model by id, or by alias (MechaMental's ``logical_model_id``); else 404."""
        if isinstance(ref, uuid.UUID):
            return await self.registry.get_model(ref)
        return await self.registry.get_model_by_alias(ref)

    async def _views(self, rows: Iterable[Entitlement]) -> list[EntitlementView]:
        rows = list(rows)
        models = await self._models({r.model_id for r in rows})
        return [EntitlementView(r, models[r.model_id]) for r in rows]

    async def _models(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, RegisteredModel]:
        # One query per page, not one per item: a page costs the same whatever its size.
        return await self.registry.get_models(sorted(ids))


def _apply(ent: Entitlement, rules: EntitlementRules) -> None:
    if rules.workspace_limits is not None:
        ent.workspace_limits = rules.workspace_limits.stored()
    if rules.allowed_step_types is not None:
        ent.allowed_step_types = dedupe(rules.allowed_step_types)
    if rules.allowed_endpoints is not None:
        ent.allowed_endpoints = dedupe(rules.allowed_endpoints)
    if rules.allowed_purposes is not None:
        ent.allowed_purposes = dedupe(rules.allowed_purposes)
    if rules.enabled is not None:
        ent.enabled = rules.enabled
