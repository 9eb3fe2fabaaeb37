"""Entitlements: which models a space may use, and how much.

Grants, reads, updates and revokes go through MechaMental's model entitlements (seed 002), which
name a model by its alias and carry every rule (limits, allowed step types / endpoints /
purposes, enabled). The space's default model is Aimable's model policy (seed 001), and
``allowed_models`` lists a space's models in Aimable's shape. All of them are the same rows.
"""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from spacegate.client._http import (
    ORG,
    AsyncTransport,
    Id,
    Op,
    SyncTransport,
    check_keywords,
    dump,
    model,
    nothing,
    params,
)
from spacegate.client.pagination import (
    AsyncPager,
    Page,
    PageOp,
    SyncPager,
    aimable_page,
    mechamental_page,
)
from spacegate.wire.aimable.model_policy import ModelPolicyRead, ModelPolicyUpdate
from spacegate.wire.aimable.space_models import AllowedModel
from spacegate.wire.mechamental.limits import WorkspaceLimits
from spacegate.wire.mechamental.schemas import EntitlementGrant, EntitlementPatch, EntitlementRead


def _base(space_id: Id) -> str:
    return f"/v1/orgs/{ORG}/workspaces/{space_id}/model-entitlements"


class Rules(TypedDict, total=False):
    """The rules of a grant; ``grant`` and ``update`` take them as keywords."""

    enabled: bool | None
    limits: WorkspaceLimits | dict[str, Any] | None
    allowed_step_types: list[str] | None
    allowed_endpoints: list[str] | None
    allowed_purposes: list[str] | None


def _rules(rules: Rules) -> dict[str, Any]:
    check_keywords(Rules, rules)
    # Only what the caller gave: the server reads an absent field as "keep" (or "default").
    # The wire calls the limits ``workspace_limits``.
    given = {("workspace_limits" if k == "limits" else k): v for k, v in rules.items()}
    return {k: v for k, v in given.items() if v is not None}


def _list(space_id: Id, enabled_only: bool, limit: int) -> PageOp[EntitlementRead]:
    def fetch(cursor: str | None) -> Op[Page[EntitlementRead]]:
        query = params(limit=limit, cursor=cursor, enabled_only="true" if enabled_only else None)
        return Op("GET", _base(space_id), mechamental_page, query)

    return fetch


def _allowed(space_id: Id, limit: int) -> PageOp[AllowedModel]:
    def fetch(cursor: str | None) -> Op[Page[AllowedModel]]:
        path = f"/api-proxy/v1/spaces/{space_id}/models"
        return Op("GET", path, aimable_page, params(limit=limit, cursor=cursor))

    return fetch


def _grant(space_id: Id, alias: str, rules: dict[str, Any], key: str | None) -> Op[EntitlementRead]:
    body = dump(EntitlementGrant.model_validate({"logical_model_id": alias, **rules}))
    return Op("POST", _base(space_id), model(EntitlementRead), body=body, idempotency_key=key)


def _get(space_id: Id, alias: str) -> Op[EntitlementRead]:
    return Op("GET", f"{_base(space_id)}/{alias}", model(EntitlementRead))


def _update(space_id: Id, alias: str, rules: dict[str, Any]) -> Op[EntitlementRead]:
    body = dump(EntitlementPatch.model_validate(rules))
    return Op("PATCH", f"{_base(space_id)}/{alias}", model(EntitlementRead), body=body)


def _revoke(space_id: Id, alias: str) -> Op[None]:
    return Op("DELETE", f"{_base(space_id)}/{alias}", nothing)


def _policy(space_id: Id) -> Op[ModelPolicyRead]:
    return Op("GET", f"/api-proxy/v1/spaces/{space_id}/model-policy", model(ModelPolicyRead))


def _set_policy(space_id: Id, fields: dict[str, Any]) -> Op[ModelPolicyRead]:
    body = dump(ModelPolicyUpdate.model_validate(fields))
    path = f"/api-proxy/v1/spaces/{space_id}/model-policy"
    return Op("PUT", path, model(ModelPolicyRead), body=body)


class Entitlements:
    """``model`` is always the model's alias (what callers send as ``model``)."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(
        self, space_id: Id, *, enabled_only: bool = False, page_size: int = 50
    ) -> SyncPager[EntitlementRead]:
        return SyncPager(self._t, _list(space_id, enabled_only, page_size))

    def allowed_models(self, space_id: Id, *, page_size: int = 50) -> SyncPager[AllowedModel]:
        return SyncPager(self._t, _allowed(space_id, page_size))

    def get(self, space_id: Id, model: str) -> EntitlementRead:
        return self._t.run(_get(space_id, model))

    def grant(
        self,
        space_id: Id,
        model: str,
        *,
        idempotency_key: str | None = None,
        **rules: Unpack[Rules],
    ) -> EntitlementRead:
        """409 ``conflict`` when the space already has the model; 404 for an unknown alias."""
        return self._t.run(_grant(space_id, model, _rules(rules), idempotency_key))

    def update(self, space_id: Id, model: str, **rules: Unpack[Rules]) -> EntitlementRead:
        """Only what is given changes; lists and limits are replaced as a whole."""
        return self._t.run(_update(space_id, model, _rules(rules)))

    def enable(self, space_id: Id, model: str) -> EntitlementRead:
        return self.update(space_id, model, enabled=True)

    def disable(self, space_id: Id, model: str) -> EntitlementRead:
        return self.update(space_id, model, enabled=False)

    def set_limits(
        self, space_id: Id, model: str, limits: WorkspaceLimits | dict[str, Any]
    ) -> EntitlementRead:
        """Replaces the space's limits on the model; ``{}`` removes them all."""
        return self.update(space_id, model, limits=limits)

    def revoke(self, space_id: Id, model: str) -> None:
        self._t.run(_revoke(space_id, model))

    def policy(self, space_id: Id) -> ModelPolicyRead:
        return self._t.run(_policy(space_id))

    def set_default(self, space_id: Id, model: str | None) -> ModelPolicyRead:
        """Make ``model`` the space's default (unsetting the previous one); None clears it."""
        return self._t.run(_set_policy(space_id, {"default_model_alias": model}))

    def set_mode(self, space_id: Id, mode: str) -> ModelPolicyRead:
        """``fixed``: every request uses the default; ``dynamic``: callers may pick a model."""
        return self._t.run(_set_policy(space_id, {"mode": mode}))


class AsyncEntitlements:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(
        self, space_id: Id, *, enabled_only: bool = False, page_size: int = 50
    ) -> AsyncPager[EntitlementRead]:
        return AsyncPager(self._t, _list(space_id, enabled_only, page_size))

    def allowed_models(self, space_id: Id, *, page_size: int = 50) -> AsyncPager[AllowedModel]:
        return AsyncPager(self._t, _allowed(space_id, page_size))

    async def get(self, space_id: Id, model: str) -> EntitlementRead:
        return await self._t.run(_get(space_id, model))

    async def grant(
        self,
        space_id: Id,
        model: str,
        *,
        idempotency_key: str | None = None,
        **rules: Unpack[Rules],
    ) -> EntitlementRead:
        return await self._t.run(_grant(space_id, model, _rules(rules), idempotency_key))

    async def update(self, space_id: Id, model: str, **rules: Unpack[Rules]) -> EntitlementRead:
        return await self._t.run(_update(space_id, model, _rules(rules)))

    async def enable(self, space_id: Id, model: str) -> EntitlementRead:
        return await self.update(space_id, model, enabled=True)

    async def disable(self, space_id: Id, model: str) -> EntitlementRead:
        return await self.update(space_id, model, enabled=False)

    async def set_limits(
        self, space_id: Id, model: str, limits: WorkspaceLimits | dict[str, Any]
    ) -> EntitlementRead:
        return await self.update(space_id, model, limits=limits)

    async def revoke(self, space_id: Id, model: str) -> None:
        await self._t.run(_revoke(space_id, model))

    async def policy(self, space_id: Id) -> ModelPolicyRead:
        return await self._t.run(_policy(space_id))

    async def set_default(self, space_id: Id, model: str | None) -> ModelPolicyRead:
        return await self._t.run(_set_policy(space_id, {"default_model_alias": model}))

    async def set_mode(self, space_id: Id, mode: str) -> ModelPolicyRead:
        return await self._t.run(_set_policy(space_id, {"mode": mode}))
