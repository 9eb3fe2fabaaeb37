"""A person's journey through the console in a real browser: sign in, make a space, rename it,
invite someone, make an API key and see it listed, then revoke the key the browser signed in
with and be signed out; allow a model in a space, make it the default, call the gateway and see
the call in the log and the usage chart."""

from __future__ import annotations

import asyncio

import httpx
from playwright.async_api import Page, expect

from tests.console.e2e.harness import sign_in
from tests.factories import OrgCtx, make_space
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


async def test_spaces_invitations_and_keys(
    page: Page, console_live: LiveServer, org: OrgCtx, unique: str
) -> None:
    await sign_in(page, org.key)
    await expect(page.get_by_role("heading", name="Spaces", exact=True)).to_be_visible()

    # Create a space: the browser lands on its page.
    await page.get_by_label("Name").fill(f"Research {unique}")
    await page.get_by_label("Description").fill("Where experiments run")
    await page.get_by_role("button", name="Create space").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Space “Research {unique}” created.")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Research {unique}")
    space_id = (await page.locator(".facts code").first.inner_text()).strip()

    # Rename it.
    await page.get_by_label("Name").fill(f"Lab {unique}")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Space “Lab {unique}” saved.")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Lab {unique}")

    # Invite two people; their one-time tokens are shown.
    await page.get_by_role("link", name="Members").click()
    await page.get_by_label("Email addresses").fill(
        f"ana-{unique}@example.com, bo-{unique}@example.com"
    )
    await page.get_by_text("Extra permissions in this space").click()
    await page.locator('input[name="roles"][value="trainings:get"]').check()
    await page.get_by_role("button", name="Send invitations").click()
    await expect(page.get_by_role("heading", name="Invitations created")).to_be_visible()
    token = await page.get_by_label(f"Invitation token for ana-{unique}@example.com").input_value()
    assert token.startswith("sginv_")
    await page.get_by_role("link", name="Back to members").click()
    # The invitations page lists the same emails: wait for the members page itself first.
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Members of Lab {unique}")
    await expect(page.get_by_role("cell", name=f"bo-{unique}@example.com")).to_be_visible()

    # A key bound to the space: shown once, then listed by its prefix.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    # htmx swaps the page in place: wait for the new one before looking for its fields.
    await expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    await page.get_by_label("Name").fill(f"Journey {unique}")
    await page.get_by_role("combobox", name="Space").select_option(label=f"Lab {unique}")
    await page.get_by_role("button", name="Create key").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("created")
    secret = await page.get_by_label("The new API key").input_value()
    assert secret.startswith("sg_")
    await page.get_by_role("button", name="Copy").click()
    await expect(page.get_by_role("button", name="Copied")).to_be_visible()
    await page.get_by_role("link", name="Done").click()
    row = page.get_by_role("row").filter(has_text=f"Journey {unique}")
    await expect(row).to_contain_text(f"{secret[:7]}…{secret[-4:]}")
    await expect(row).to_contain_text(f"Lab {unique}")

    # The new key works for the API, and signs in to the console.
    async with httpx.AsyncClient(base_url=console_live.url) as api:
        me = await api.get("/v1/spaces", headers={"Authorization": f"Bearer {secret}"})
        assert [s["id"] for s in me.json()["data"]] == [space_id]
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await sign_in(page, secret)

    # Revoking the key this browser signed in with signs it out.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    row = page.get_by_role("row").filter(has_text=f"Journey {unique}")
    await expect(row).to_contain_text("this session")
    await row.get_by_role("link", name="Revoke").click()
    await expect(page.get_by_role("alert")).to_contain_text("signs you out")
    await page.get_by_role("button", name="Revoke key").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("you are signed out")
    await page.goto("/console/keys")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    async with httpx.AsyncClient(base_url=console_live.url) as api:
        gone = await api.get("/v1/spaces", headers={"Authorization": f"Bearer {secret}"})
        assert gone.status_code == 401


async def test_allow_a_model_call_the_gateway_and_see_it_in_the_log_and_chart(
    page: Page, console_live: LiveServer, upstream: FakeProvider, org: OrgCtx, unique: str
) -> None:
    alias = f"chat-{unique}"
    async with httpx.AsyncClient(base_url=console_live.url, timeout=30) as api:
        space = await make_space(api, org, f"Gateway {unique}")
        provider = await api.post(
            "/v1/providers",
            json={
                "name": f"fake-{unique}",
                "type": "openai",
                "base_url": f"{upstream.url}/v1",
                "api_key": "sk-proj-consoleE2EKEY0123456789abcdef",
            },
            headers=org.headers,
        )
        assert provider.status_code == 201, provider.text
        model = await api.post(
            "/v1/tenant-models",
            json={
                "alias": alias,
                "provider_id": provider.json()["id"],
                "upstream_model": "fake-model",
            },
            headers=org.headers,
        )
        assert model.status_code == 201, model.text
    await sign_in(page, org.key)

    # Allow the model in the space and make it the default, on the space's Models tab.
    await page.get_by_role("link", name=f"Gateway {unique}").click()
    await page.get_by_role("navigation", name="Space").get_by_role("link", name="Models").click()
    await page.get_by_label("Model", exact=True).select_option(label=alias)
    await page.get_by_label("Enabled").check()
    await page.get_by_role("button", name="Allow model").click()
    await expect(page.get_by_role("status")).to_contain_text(f"“{alias}” is now allowed")
    await page.get_by_role("button", name=f"Make {alias} the default").click()
    await expect(page.get_by_role("status")).to_contain_text("default model")

    # A gateway call that names no model goes to the space's default.
    async with httpx.AsyncClient(base_url=console_live.url, timeout=30) as api:
        headers = {**org.headers, "X-Space-Id": str(space["id"])}
        r = await api.post(
            "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": f"hello {unique}"}]},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        assert r.json()["choices"][0]["message"]["content"] == f"Echo: hello {unique}"
        await _metered(api, org, alias)

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Logs").click()
    await expect(page.get_by_role("heading", name="Inference log")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=alias)
    await expect(row.first).to_contain_text(f"Gateway {unique}")

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Usage").click()
    await expect(page.get_by_role("heading", name="Usage", exact=True)).to_be_visible()
    chart = page.locator("canvas[data-chart]").first
    await expect(chart).to_be_visible()
    # The chart library drew the model's series (its legend is read from the chart itself).
    await page.wait_for_function(
        """alias => [...document.querySelectorAll('canvas[data-chart]')].some(c => {
            const chart = window.Chart && window.Chart.getChart(c);
            return chart && chart.data.datasets.some(d => d.label === alias);
        })""",
        arg=alias,
    )


async def _metered(api: httpx.AsyncClient, org: OrgCtx, alias: str) -> None:
    """Gateway calls are written in batches: wait until this one is in the log."""
    for _ in range(300):
        r = await api.get("/v1/inference-logs", params={"limit": 10}, headers=org.headers)
        if any(alias in str(item) for item in r.json().get("data", ())):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the gateway call never reached the inference log")
