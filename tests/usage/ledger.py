"""An org with spaces, priced models and entitlements made through the API, and usage written
into the ledger through the real metering path (``Meter``) at chosen times."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from spacegate.gateway.metering import Meter, UsageEvent, cost_of
from spacegate.models import Entitlement
from spacegate.runtime import Runtime
from tests.entitlements.helpers import allow, make_model, make_provider
from tests.factories import OrgCtx, make_org, make_space

#: Prices per million tokens: input, output.
PRICES = {"alpha": (Decimal("2"), Decimal("8")), "beta": (Decimal("1"), Decimal("1"))}


@dataclass
class Ledger:
    org: OrgCtx
    client: httpx.AsyncClient
    runtime: Runtime
    spaces: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)

    def space_uuid(self, name: str) -> uuid.UUID:
        return uuid.UUID(self.spaces[name])

    async def get(self, params: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        return await self.client.get(
            "/v1/usage", params=params, headers=headers or self.org.headers
        )

    async def report(self, **params: Any) -> dict[str, Any]:
        r = await self.get(params)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def record(
        self,
        space: str,
        model: str,
        at: datetime,
        *,
        prompt: int = 10,
        completion: int = 5,
        key_id: str | None = None,
        calls: int = 1,
    ) -> None:
        """``calls`` gateway calls as the metering path writes them (log rows, ledger, counters)."""
        space_id, model_id = uuid.UUID(self.spaces[space]), uuid.UUID(self.models[model])
        async with self.runtime.read_sessions() as s:
            entitlement = await s.scalar(
                select(Entitlement.id).where(
                    Entitlement.space_id == space_id, Entitlement.model_id == model_id
                )
            )
        meter = Meter(self.runtime.write_sessions)
        for _ in range(calls):
            meter.record(
                UsageEvent(
                    org_id=uuid.UUID(self.org.org_id),
                    endpoint="/v1/chat/completions",
                    type="chat",
                    status="success",
                    http_status=200,
                    space_id=space_id,
                    api_key_id=uuid.UUID(key_id) if key_id else None,
                    entitlement_id=entitlement,
                    model_id=model_id,
                    model=model,
                    prompt_tokens=prompt,
                    completion_tokens=completion,
                    total_tokens=prompt + completion,
                    cost=cost_of(prompt, completion, *PRICES[model]),
                    created_at=at,
                )
            )
        await meter.flush()


async def make_ledger(
    client: httpx.AsyncClient, runtime: Runtime, spaces: tuple[str, ...] = ("red", "blue")
) -> Ledger:
    org = await make_org(runtime)
    ledger = Ledger(org, client, runtime)
    provider = await make_provider(client, org)
    for alias, (inp, out) in PRICES.items():
        model = await make_model(
            client,
            org,
            alias,
            provider_id=provider,
            input_price_per_mtok=str(inp),
            output_price_per_mtok=str(out),
        )
        ledger.models[alias] = str(model["tenant_model_id"])
    for name in spaces:
        ledger.spaces[name] = str((await make_space(client, org, name))["id"])
        for model_id in ledger.models.values():
            await allow(client, org, ledger.spaces[name], model_id)
    return ledger


def cost(model: str, prompt: int, completion: int, calls: int = 1) -> Decimal:
    return calls * cost_of(prompt, completion, *PRICES[model])
