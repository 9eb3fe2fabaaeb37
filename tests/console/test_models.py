"""The model registry in the console: providers (credentials never shown) and models with
their targets; add and edit both, with the API's refusals shown in place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.console.conftest import BASE, Browser, hidden
from tests.factories import OrgCtx, invite_and_accept, make_space
from tests.providers.helpers import make_provider

SECRET = "sk-console-secret-0123456789"

pytestmark = pytest.mark.usefixtures("fake_dns")


async def _model(
    client: httpx.AsyncClient, org: OrgCtx, provider_id: str, alias: str, **fields: Any
) -> dict[str, Any]:
    body = {"alias": alias, "provider_id": provider_id, "upstream_model": "gpt-4o-mini", **fields}
    r = await client.post("/v1/tenant-models", json=body, headers=org.headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def test_add_a_provider_its_key_never_shown(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    page = await browser.get("/console/models")
    assert page.status_code == 200, page.text
    response = await browser.post(
        "/console/models/providers",
        {
            "name": f"openai-{unique}",
            "type": "openai",
            "base_url": "https://api.openai.com/v1",
            "api_key": SECRET,
            "enabled": "on",
            "limits-rpm": "600",
            "idempotency_key": hidden(page.text, "idempotency_key"),
        },
    )
    assert response.status_code == 303, response.text
    page = await browser.get("/console/models")
    assert f"openai-{unique}" in page.text
    assert SECRET not in page.text and "sk-…6789" in page.text


@pytest.fixture
async def other_browser(app: FastAPI) -> AsyncIterator[Browser]:
    """A second browser, for someone else's key."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield Browser(c)


async def test_a_private_base_url_is_refused_in_place_keeping_what_was_typed(
    browser: Browser, unique: str
) -> None:
    page = await browser.get("/console/models")
    response = await browser.post(
        "/console/models/providers",
        {
            "name": f"ollama-{unique}",
            "type": "openai",
            "base_url": "http://127.0.0.1:11434/v1",
            "api_key": SECRET,
            "limits-tpm": "9000",
            "idempotency_key": hidden(page.text, "idempotency_key"),
        },
    )
    assert response.status_code == 422
    assert "not allowed" in response.text or "private" in response.text
    assert 'aria-describedby="e-base_url"' in response.text  # the message sits at the input
    assert hidden(response.text, "name") == f"ollama-{unique}"
    assert hidden(response.text, "base_url") == "http://127.0.0.1:11434/v1"
    assert hidden(response.text, "limits-tpm") == "9000"
    assert SECRET not in response.text  # a credential is never written into a page
    listing = await browser.get("/console/models")
    assert f"ollama-{unique}" not in listing.text


async def test_edit_a_provider_keeps_or_removes_the_stored_key(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    provider = await make_provider(client, org, name=f"p-{unique}")
    path = f"/console/models/providers/{provider['id']}"
    page = await browser.get(path)
    assert page.status_code == 200
    assert provider["api_key_hint"] in page.text and "sk-test-0123456789abcdef" not in page.text
    form: dict[str, object] = {
        "name": f"renamed-{unique}",
        "type": "openai",
        "base_url": "https://api.openai.com/v1/",
        "enabled": "on",
        "config-organization": "org-42",
    }
    response = await browser.post(path, form)
    assert response.status_code == 303, response.text
    after = (await client.get(f"/v1/providers/{provider['id']}", headers=org.headers)).json()
    assert after["name"] == f"renamed-{unique}"
    assert after["config"] == {"organization": "org-42"}
    assert after["has_api_key"] is True  # a blank key field keeps the stored one
    response = await browser.post(path, {**form, "remove_api_key": "on"})
    assert response.status_code == 303
    after = (await client.get(f"/v1/providers/{provider['id']}", headers=org.headers)).json()
    assert after["has_api_key"] is False
    # Refused: another provider's name. The message shows; what was typed stays.
    other = await make_provider(client, org, name=f"other-{unique}")
    response = await browser.post(path, {**form, "name": other["name"], "limits-rpm": "77"})
    assert response.status_code == 409
    assert "already exists" in response.text
    assert hidden(response.text, "name") == other["name"]
    assert hidden(response.text, "limits-rpm") == "77"


async def test_add_a_model_with_targets_then_edit_it(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    first = await make_provider(client, org, name=f"a-{unique}")
    second = await make_provider(client, org, name=f"b-{unique}")
    page = await browser.get("/console/models")
    assert f"b-{unique}" in page.text  # the providers to pick from
    assert 'name="more"' in page.text
    # "Add another target" gives the form a second row and keeps what was typed.
    more = await browser.post(
        "/console/models",
        {"alias": f"gpt-{unique}", "targets-0-provider_id": first["id"], "more": "1",
         "idempotency_key": hidden(page.text, "idempotency_key")},
    )  # fmt: skip
    assert more.status_code == 200
    assert 'name="targets-1-upstream_model"' in more.text
    assert hidden(more.text, "alias") == f"gpt-{unique}"
    form: dict[str, object] = {
        "alias": f"gpt-{unique}",
        "display_name": "GPT for research",
        "targets-0-provider_id": first["id"],
        "targets-0-upstream_model": "gpt-4o",
        "targets-1-provider_id": second["id"],
        "targets-1-upstream_model": "gpt-4o-2024-08-06",
        "targets-1-priority": "5",
        "routing_strategy": "priority",
        "capabilities": "chat, vision",
        "context_window": "128000",
        "input_price_per_mtok": "2.5",
        "output_price_per_mtok": "10",
        "enabled": "on",
        "idempotency_key": hidden(more.text, "idempotency_key"),
    }
    response = await browser.post("/console/models", form)
    assert response.status_code == 303, response.text
    model_path = response.headers["location"]
    again = await browser.post("/console/models", form)  # a double submit makes one model
    assert again.status_code == 303 and again.headers["location"] == model_path
    model_id = model_path.rsplit("/", 1)[1]
    made = (await client.get(f"/v1/tenant-models/{model_id}", headers=org.headers)).json()
    assert [(t["upstream_model"], t["priority"]) for t in made["targets"]] == [
        ("gpt-4o", 0),
        ("gpt-4o-2024-08-06", 5),
    ]
    assert made["capabilities"] == ["chat", "vision"]
    assert made["input_price_per_mtok"] == 2.5 and made["context_window"] == 128000
    listing = await browser.get("/console/models")
    assert f">gpt-{unique}</a>" in listing.text and "GPT for research" in listing.text
    assert f"b-{unique} → <code>gpt-4o-2024-08-06</code>" in listing.text

    page = await browser.get(model_path)
    assert hidden(page.text, "targets-1-upstream_model") == "gpt-4o-2024-08-06"
    assert hidden(page.text, "input_price_per_mtok") == "2.5"
    edit: dict[str, object] = {k: v for k, v in form.items() if k != "idempotency_key"}
    edit |= {
        "targets-0-provider_id": "",
        "targets-0-upstream_model": "",
        "output_price_per_mtok": "",
    }
    response = await browser.post(model_path, edit)
    assert response.status_code == 303, response.text
    made = (await client.get(f"/v1/tenant-models/{model_id}", headers=org.headers)).json()
    assert [t["provider_id"] for t in made["targets"]] == [second["id"]]  # the cleared row went
    assert made["output_price_per_mtok"] is None


async def test_a_refused_model_edit_shows_the_message_and_keeps_what_was_typed(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    provider = await make_provider(client, org, name=f"p-{unique}")
    model = await _model(client, org, provider["id"], f"m-{unique}")
    taken = await _model(client, org, provider["id"], f"taken-{unique}")
    path = f"/console/models/{model['tenant_model_id']}"
    form: dict[str, object] = {
        "alias": f"m-{unique}",
        "display_name": f"typed {unique}",
        "targets-0-provider_id": "",
        "targets-0-upstream_model": "",
        "targets-1-provider_id": provider["id"],
        "targets-1-upstream_model": "gpt-4o-mini",
        "targets-1-weight": "0",
        "routing_strategy": "round_robin",
        "enabled": "on",
    }
    response = await browser.post(path, form)
    assert response.status_code == 422
    assert 'aria-describedby="e-targets-1-weight"' in response.text  # the row the person typed in
    assert "greater than or equal to 1" in response.text
    assert hidden(response.text, "display_name") == f"typed {unique}"
    assert hidden(response.text, "targets-1-weight") == "0"
    response = await browser.post(path, {**form, "alias": taken["alias"], "targets-1-weight": "3"})
    assert response.status_code == 409
    assert f"A model with alias &#39;{taken['alias']}&#39; already exists." in response.text
    assert hidden(response.text, "alias") == taken["alias"]
    unchanged = (
        await client.get(f"/v1/tenant-models/{model['tenant_model_id']}", headers=org.headers)
    ).json()
    assert unchanged["display_name"] == f"m-{unique}"


async def test_a_developer_sees_the_registry_without_forms_and_a_forged_edit_is_refused(
    other_browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    provider = await make_provider(client, org, name=f"p-{unique}")
    model = await _model(client, org, provider["id"], f"m-{unique}")
    space = await make_space(client, org)
    dev = await invite_and_accept(client, org, space["id"], f"dev-{unique}@example.com", [])
    assert (await other_browser.sign_in(str(dev["api_key"]))).status_code == 303
    page = await other_browser.get("/console/models")
    assert page.status_code == 200
    assert f"m-{unique}" in page.text
    assert "Add a model" not in page.text and "Add a provider" not in page.text
    assert f"p-{unique}" not in page.text  # providers are not the developer's to see
    detail = await other_browser.get(f"/console/models/{model['tenant_model_id']}")
    assert detail.status_code == 200 and "Save model" not in detail.text
    forged = await other_browser.post(
        f"/console/models/{model['tenant_model_id']}",
        {
            "alias": f"m-{unique}",
            "display_name": "forged",
            "targets-0-provider_id": provider["id"],
            "targets-0-upstream_model": "gpt-4o-mini",
        },
    )
    assert forged.status_code == 403
    assert "Missing permission" in forged.text
    after = (
        await client.get(f"/v1/tenant-models/{model['tenant_model_id']}", headers=org.headers)
    ).json()
    assert after["display_name"] == f"m-{unique}"
    assert (
        await other_browser.get(f"/console/models/providers/{provider['id']}")
    ).status_code == 403
