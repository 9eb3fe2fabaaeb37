"""A space's models in the console: allow and remove, enable and disable, the default, limits and
allow-lists, and what is left of each budget."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.console.conftest import BASE, Browser, hidden
from tests.factories import OrgCtx, invite_and_accept, make_space
from tests.providers.helpers import make_provider

pytestmark = pytest.mark.usefixtures("fake_dns")


@pytest.fixture
async def other_browser(app: FastAPI) -> AsyncIterator[Browser]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield Browser(c)


async def _model(client: httpx.AsyncClient, org: OrgCtx, alias: str) -> dict[str, Any]:
    provider = await make_provider(client, org, name=f"p-{uuid.uuid4().hex[:8]}")
    body = {"alias": alias, "provider_id": provider["id"], "upstream_model": "gpt-4o-mini"}
    r = await client.post("/v1/tenant-models", json=body, headers=org.headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def _allow(
    client: httpx.AsyncClient, org: OrgCtx, space_id: object, model_id: str, **extra: Any
) -> None:
    r = await client.post(
        f"/api-proxy/v1/spaces/{space_id}/models",
        json={"tenant_model_id": model_id, **extra},
        headers={**org.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert r.status_code == 201, r.text


async def _entitlement(
    client: httpx.AsyncClient, org: OrgCtx, space_id: object, alias: str
) -> httpx.Response:
    path = f"/v1/orgs/{org.org_id}/workspaces/{space_id}/model-entitlements/{alias}"
    return await client.get(path, headers=org.headers)


async def _policy(client: httpx.AsyncClient, org: OrgCtx, space_id: object) -> dict[str, Any]:
    r = await client.get(f"/api-proxy/v1/spaces/{space_id}/model-policy", headers=org.headers)
    body: dict[str, Any] = r.json()
    return body


async def test_allow_a_model_as_the_default_then_disable_and_remove_it(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    model = await _model(client, org, f"gpt-{unique}")
    space = await make_space(client, org, name=f"s-{unique}")
    base = f"/console/spaces/{space['id']}/models"
    page = await browser.get(base)
    assert page.status_code == 200, page.text
    assert "No models allowed in this space yet." in page.text
    assert 'aria-current="page">Models</a>' in page.text  # the space's tab bar
    response = await browser.post(
        base,
        {
            "tenant_model_id": model["tenant_model_id"],
            "is_enabled": "on",
            "is_default": "on",
            "idempotency_key": hidden(page.text, "idempotency_key"),
        },
    )
    assert response.status_code == 303, response.text
    page = await browser.get(base)
    assert f">gpt-{unique}</a>" in page.text and "badge default" in page.text
    assert (await _policy(client, org, space["id"]))["default_model_alias"] == f"gpt-{unique}"

    row = f"{base}/{model['tenant_model_id']}"
    assert (await browser.post(f"{row}/disable")).status_code == 303
    ent = (await _entitlement(client, org, space["id"], f"gpt-{unique}")).json()
    assert ent["enabled"] is False
    assert (await _policy(client, org, space["id"]))["default_model_id"] is None
    page = await browser.get(base)
    assert "badge off" in page.text and f"Enable gpt-{unique}" in page.text
    # A disabled model cannot be the default: the API's message is shown on the page.
    refused = await browser.post(f"{row}/default")
    assert refused.status_code == 422
    assert "A disabled model cannot be the space&#39;s default" in refused.text
    assert (await browser.post(f"{row}/enable")).status_code == 303
    assert (await browser.post(f"{row}/default")).status_code == 303
    assert (await _policy(client, org, space["id"]))["default_model_alias"] == f"gpt-{unique}"

    assert (await browser.post(f"{row}/remove")).status_code == 303
    assert (await _entitlement(client, org, space["id"], f"gpt-{unique}")).status_code == 404
    page = await browser.get(base)
    assert f">gpt-{unique}</a>" not in page.text


async def test_the_default_and_mode_form(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    first = await _model(client, org, f"a-{unique}")
    second = await _model(client, org, f"b-{unique}")
    space = await make_space(client, org)
    await _allow(client, org, space["id"], first["tenant_model_id"])
    await _allow(client, org, space["id"], second["tenant_model_id"])
    base = f"/console/spaces/{space['id']}/models"
    await browser.get(base)
    refused = await browser.post(f"{base}/policy", {"default_model_id": "", "mode": "fixed"})
    assert refused.status_code == 422
    assert "needs a default model" in refused.text
    saved = await browser.post(
        f"{base}/policy", {"default_model_id": second["tenant_model_id"], "mode": "fixed"}
    )
    assert saved.status_code == 303
    policy = await _policy(client, org, space["id"])
    assert (policy["default_model_alias"], policy["mode"]) == (f"b-{unique}", "fixed")
    page = await browser.get(base)
    assert "every request uses the default model" in page.text


async def test_edit_limits_and_see_what_is_left(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    model = await _model(client, org, f"gpt-{unique}")
    space = await make_space(client, org)
    await _allow(client, org, space["id"], model["tenant_model_id"])
    path = f"/console/spaces/{space['id']}/models/{model['tenant_model_id']}"
    page = await browser.get(path)
    assert page.status_code == 200
    response = await browser.post(
        path,
        {
            "enabled": "on",
            "workspace_limits-rpm": "60",
            "workspace_limits-max_tokens_per_request": "4096",
            "workspace_limits-token_budget-limit": "100000",
            "workspace_limits-token_budget-period": "day",
            "workspace_limits-cost_budget-limit": "12.5",
            "workspace_limits-cost_budget-period": "month",
            "allowed_endpoints": ["chat.completions", "embeddings"],
            "allowed_step_types": ["inference"],
            "allowed_purposes": "chat, summarization",
        },
    )
    assert response.status_code == 303, response.text
    ent = (await _entitlement(client, org, space["id"], f"gpt-{unique}")).json()
    assert ent["workspace_limits"] == {
        "rpm": 60,
        "max_tokens_per_request": 4096,
        "token_budget": {"limit": 100000, "period": "day"},
        "cost_budget": {"limit": 12.5, "period": "month"},
    }
    assert ent["allowed_endpoints"] == ["chat.completions", "embeddings"]
    assert ent["allowed_step_types"] == ["inference"]
    assert ent["allowed_purposes"] == ["chat", "summarization"]

    listing = await browser.get(f"/console/spaces/{space['id']}/models")
    assert "60 requests/min" in listing.text and "≤ 4,096 tokens/request" in listing.text
    assert "<strong>100,000</strong> left of 100,000" in listing.text
    assert "<strong>12.50</strong> left of 12.50" in listing.text
    assert "Tokens per day" in listing.text and "resets <time datetime=" in listing.text
    page = await browser.get(path)
    assert hidden(page.text, "workspace_limits-cost_budget-limit") == "12.5"
    assert 'value="embeddings" checked' in page.text
    assert 'value="completions" checked' not in page.text


async def test_a_refused_edit_shows_the_message_and_keeps_what_was_typed(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    model = await _model(client, org, f"gpt-{unique}")
    space = await make_space(client, org)
    await _allow(client, org, space["id"], model["tenant_model_id"])
    path = f"/console/spaces/{space['id']}/models/{model['tenant_model_id']}"
    await browser.get(path)
    response = await browser.post(
        path,
        {
            "enabled": "on",
            "workspace_limits-rpm": "0",
            "workspace_limits-token_budget-limit": "777",
            "allowed_endpoints": ["embeddings"],
            "allowed_purposes": f"Not A Label {unique}",
        },
    )
    assert response.status_code == 422
    assert 'aria-describedby="e-workspace_limits-rpm"' in response.text
    assert "greater than or equal to 1" in response.text
    assert hidden(response.text, "workspace_limits-token_budget-limit") == "777"
    assert 'value="embeddings" checked' in response.text
    ent = (await _entitlement(client, org, space["id"], f"gpt-{unique}")).json()
    assert ent["workspace_limits"] == {} and ent["allowed_endpoints"] == []


async def test_a_developer_sees_the_models_without_forms_and_a_forged_change_is_refused(
    other_browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    model = await _model(client, org, f"gpt-{unique}")
    space = await make_space(client, org)
    await _allow(client, org, space["id"], model["tenant_model_id"], is_default=True)
    dev = await invite_and_accept(client, org, space["id"], f"dev-{unique}@example.com", [])
    assert (await other_browser.sign_in(str(dev["api_key"]))).status_code == 303
    base = f"/console/spaces/{space['id']}/models"
    page = await other_browser.get(base)
    assert page.status_code == 200
    assert f">gpt-{unique}</a>" in page.text
    assert "Allow a model" not in page.text and "Disable" not in page.text
    detail = await other_browser.get(f"{base}/{model['tenant_model_id']}")
    assert detail.status_code == 200 and "Limits and rules" not in detail.text
    forged = await other_browser.post(f"{base}/{model['tenant_model_id']}/disable")
    assert forged.status_code == 403
    assert "Missing permission" in forged.text
    ent = (await _entitlement(client, org, space["id"], f"gpt-{unique}")).json()
    assert ent["enabled"] is True


async def test_another_orgs_space_is_not_found(
    browser: Browser, client: httpx.AsyncClient, other_org: OrgCtx
) -> None:
    space = await make_space(client, other_org)
    page = await browser.get(f"/console/spaces/{space['id']}/models")
    assert page.status_code == 404
