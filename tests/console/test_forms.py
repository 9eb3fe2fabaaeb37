"""A failed form comes back with everything that was sent: a checkbox group keeps every box
ticked (not only the last), a single tick is not mistaken for a part of another option's name,
and neither the CSRF token nor a typed API key is written back into the page."""

from __future__ import annotations

import uuid
from typing import Any, cast

import httpx
import pytest
from starlette.datastructures import FormData

from spacegate.console.deps import Console, Form, FormValues
from tests.console.conftest import Browser
from tests.factories import OrgCtx, make_space
from tests.providers.helpers import make_provider

pytestmark = pytest.mark.usefixtures("fake_dns")


def test_values_keep_every_value_of_a_repeated_input() -> None:
    sent = FormData(
        [
            ("csrf_token", "t"),
            ("name", " team "),
            ("allowed_endpoints", "chat.completions"),
            ("allowed_endpoints", "embeddings"),
            ("allowed_step_types", "inference"),
            ("api_key", "sk-secret"),
            ("note", ""),
        ]
    )
    values = Form(console=cast(Console, None), data=sent).values()
    assert values == {
        "name": " team ",
        "allowed_endpoints": ["chat.completions", "embeddings"],
        "allowed_step_types": "inference",
        "note": "",
    }
    assert values.getlist("allowed_endpoints") == ["chat.completions", "embeddings"]
    assert values.getlist("allowed_step_types") == ["inference"]
    assert values.getlist("note") == [] and values.getlist("missing") == []
    assert FormValues({"x": ("a", "b")}).getlist("x") == ["a", "b"]


async def _space_model(client: httpx.AsyncClient, org: OrgCtx, unique: str) -> str:
    provider = await make_provider(client, org, name=f"p-{unique}")
    body = {"alias": f"m-{unique}", "provider_id": provider["id"], "upstream_model": "gpt-4o"}
    r = await client.post("/v1/tenant-models", json=body, headers=org.headers)
    assert r.status_code == 201, r.text
    model: dict[str, Any] = r.json()
    space = await make_space(client, org)
    r = await client.post(
        f"/api-proxy/v1/spaces/{space['id']}/models",
        json={"tenant_model_id": model["tenant_model_id"]},
        headers={**org.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert r.status_code == 201, r.text
    return f"/console/spaces/{space['id']}/models/{model['tenant_model_id']}"


async def test_a_refused_edit_keeps_every_ticked_box(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    path = await _space_model(client, org, unique)
    await browser.get(path)
    response = await browser.post(
        path,
        {
            "workspace_limits-rpm": "0",  # refused: at least 1
            "allowed_endpoints": ["chat.completions", "embeddings"],
            "allowed_step_types": ["inference", "tool_call"],
        },
    )
    assert response.status_code == 422, response.text
    for ticked in ("chat.completions", "embeddings", "inference", "tool_call"):
        assert f'value="{ticked}" checked' in response.text
    assert 'value="completions" checked' not in response.text
    assert 'value="source_query" checked' not in response.text


async def test_one_ticked_box_is_not_read_as_a_part_of_another(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    path = await _space_model(client, org, unique)
    await browser.get(path)
    response = await browser.post(
        path, {"workspace_limits-rpm": "0", "allowed_endpoints": "chat.completions"}
    )
    assert response.status_code == 422, response.text
    assert 'value="chat.completions" checked' in response.text
    # "completions" is a part of the string "chat.completions", not one of the ticked boxes.
    assert 'value="completions" checked' not in response.text
