"""A space's endpoints in the console: create one over a model, add and remove policies,
publish it, and ask it in the playground (answer beside references and policy outcomes)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.console.conftest import BASE, Browser
from tests.factories import OrgCtx, make_org, make_space
from tests.fakes.provider import FakeProvider


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as f:
        yield f


@pytest.fixture
async def signed_in(loopback_app: FastAPI) -> AsyncIterator[tuple[Browser, OrgCtx]]:
    org = await make_org(loopback_app.state.runtime)
    transport = httpx.ASGITransport(app=loopback_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        browser = Browser(c)
        r = await browser.sign_in(org.key)
        assert r.status_code == 303, r.text
        yield browser, org


async def test_endpoint_pages(
    signed_in: tuple[Browser, OrgCtx], loopback_client: httpx.AsyncClient, fake: FakeProvider
) -> None:
    browser, org = signed_in
    space = await make_space(loopback_client, org, "docs")
    here = {**org.headers, "X-Space-Id": str(space["id"])}
    r = await loopback_client.post(
        "/api/v1/models/",
        json={
            "name": "assistant",
            "configuration": {"api_key": "sk-c", "base_url": f"{fake.url}/v1", "model": "m"},
        },
        headers=here,
    )
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]
    base = f"/console/spaces/{space['id']}/endpoints"

    page = await browser.get(base)
    assert page.status_code == 200 and "No endpoints yet." in page.text
    assert "assistant" in page.text
    r = await browser.post(base, {"name": "Docs", "slug": "X", "response_type": "summary"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    r = await browser.post(
        base, {"name": "Docs", "slug": "docs", "response_type": "summary", "model_id": model_id}
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"{base}/docs"

    detail = await browser.get(f"{base}/docs")
    assert detail.status_code == 200 and "/api/v1/endpoints/docs/query" in detail.text
    r = await browser.post(
        f"{base}/docs/policies",
        {"name": "mask", "policy_type": "pii_filter", "configuration": "{}"},
    )
    assert r.status_code == 303, r.text
    r = await browser.post(
        f"{base}/docs/policies",
        {"name": "bad", "policy_type": "rate_limit", "configuration": '{"limit": "often"}'},
    )
    assert r.status_code == 422 and "configuration.limit" in r.text

    fake.responder = lambda body: "Mail ana@example.com"
    try:
        await browser.get(f"{base}/docs")
        r = await browser.post(f"{base}/docs/query", {"message": "who?", "max_tokens": "20"})
    finally:
        fake.responder = None
    assert r.status_code == 200, r.text
    assert "Mail [EMAIL]" in r.text and "pii_filter (mask): applied" in r.text

    r = await browser.post(f"{base}/docs/publish", {"published": "on"})
    assert r.status_code == 303
    ep = await loopback_client.get("/api/v1/endpoints/docs", headers=here)
    assert ep.json()["published"] is True
    policy_id = ep.json()["policies"][0]["id"]
    await browser.get(f"{base}/docs")
    r = await browser.post(f"{base}/docs/policies/{policy_id}/delete")
    assert r.status_code == 303
    r = await browser.post(f"{base}/docs/delete")
    assert r.status_code == 303
    ep = await loopback_client.get("/api/v1/endpoints/docs", headers=here)
    assert ep.status_code == 404
