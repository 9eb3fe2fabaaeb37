"""Every refusal the gateway owes, with OpenAI's envelope and the right status."""

from __future__ import annotations

from typing import Any

import httpx

from tests.gateway.conftest import World

MSG = [{"role": "user", "content": "hi"}]


async def _chat(
    w: World, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await w.api.post(
        "/v1/chat/completions",
        json={"model": w.alias, "messages": MSG, **(body or {})},
        headers={**w.headers, **(headers or {})},
    )


def _error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    err: dict[str, Any] = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert err["code"] == code, err
    return err


async def test_disabled_entitlement_is_refused_and_reenabled(world: World) -> None:
    r = await world.mechamental("PATCH", world.alias, enabled=False)
    assert r.status_code == 200, r.text
    _error(await _chat(world), 403, "model_disabled")
    r = await world.mechamental("PATCH", world.alias, enabled=True)
    assert (await _chat(world)).status_code == 200


async def test_revoked_entitlement_takes_effect_on_the_next_request(world: World) -> None:
    assert (await _chat(world)).status_code == 200  # warm every cache
    r = await world.api.delete(
        f"/api-proxy/v1/spaces/{world.space_id}/models/{world.model_id}", headers=world.org.headers
    )
    assert r.status_code == 204
    _error(await _chat(world), 403, "model_not_entitled")


async def test_deleted_space_answers_404(world: World) -> None:
    assert (await _chat(world)).status_code == 200
    r = await world.api.delete(f"/v1/spaces/{world.space_id}", headers=world.org.headers)
    assert r.status_code == 200
    _error(await _chat(world), 404, "space_deleted")


async def test_allowed_endpoints(world: World) -> None:
    r = await world.api.patch(
        f"/v1/tenant-models/{world.model_id}",
        json={"capabilities": ["chat", "embeddings"]},
        headers=world.org.headers,
    )
    assert r.status_code == 200, r.text
    r = await world.mechamental("PATCH", world.alias, allowed_endpoints=["embeddings"])
    assert r.status_code == 200, r.text
    _error(await _chat(world), 403, "endpoint_not_allowed")
    r = await world.api.post(
        "/v1/embeddings", json={"model": world.alias, "input": "x"}, headers=world.headers
    )
    assert r.status_code == 200, r.text


async def test_allowed_purposes_via_header_or_metadata(world: World) -> None:
    r = await world.mechamental("PATCH", world.alias, allowed_purposes=["summarization"])
    assert r.status_code == 200, r.text
    err = _error(await _chat(world), 403, "purpose_not_allowed")
    assert "summarization" in err["message"]
    _error(await _chat(world, headers={"X-Spacegate-Purpose": "chat"}), 403, "purpose_not_allowed")
    assert (await _chat(world, headers={"X-Spacegate-Purpose": "summarization"})).status_code == 200
    ok = await _chat(world, {"metadata": {"purpose": "summarization"}})
    assert ok.status_code == 200, ok.text
    # Spacegate's own metadata keys are not forwarded upstream.
    assert "metadata" not in world.fake.last.json()


async def test_allowed_step_types(world: World) -> None:
    r = await world.mechamental("PATCH", world.alias, allowed_step_types=["tool_call"])
    assert r.status_code == 200, r.text
    _error(
        await _chat(world, headers={"X-Spacegate-Step-Type": "inference"}),
        403,
        "step_type_not_allowed",
    )
    assert (await _chat(world, headers={"X-Spacegate-Step-Type": "tool_call"})).status_code == 200


async def test_max_tokens_against_entitlement_and_context_window(world: World) -> None:
    r = await world.mechamental(
        "PATCH", world.alias, workspace_limits={"max_tokens_per_request": 100}
    )
    assert r.status_code == 200, r.text
    err = _error(await _chat(world, {"max_tokens": 101}), 400, "max_tokens_exceeded")
    assert err["param"] == "max_tokens"
    assert (await _chat(world, {"max_tokens": 100})).status_code == 200
    r = await world.mechamental("PATCH", world.alias, workspace_limits={})
    _error(await _chat(world, {"max_completion_tokens": 9000}), 400, "context_window_exceeded")


async def test_space_header_rules(world: World) -> None:
    headers = {**world.org.headers, "X-Space-Id": "not-a-uuid"}
    r = await world.api.post(
        "/v1/chat/completions", json={"model": world.alias, "messages": MSG}, headers=headers
    )
    _error(r, 400, "invalid_space_id")
    headers["X-Space-Id"] = "018f0000-0000-7000-8000-000000000000"
    r = await world.api.post(
        "/v1/chat/completions", json={"model": world.alias, "messages": MSG}, headers=headers
    )
    _error(r, 404, "space_not_found")


async def test_space_bound_key_needs_no_header_and_cannot_switch(world: World) -> None:
    r = await world.api.post(
        "/v1/api-keys",
        json={"name": "bound", "space_id": world.space_id},
        headers=world.org.headers,
    )
    assert r.status_code == 201, r.text
    bound = {"Authorization": f"Bearer {r.json()['key']}"}
    r = await world.api.post(
        "/v1/chat/completions", json={"model": world.alias, "messages": MSG}, headers=bound
    )
    assert r.status_code == 200, r.text
    other = await world.api.post(
        "/v1/spaces", json={"name": "b", "description": "b"}, headers=world.org.headers
    )
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": world.alias, "messages": MSG},
        headers={**bound, "X-Space-Id": other.json()["id"]},
    )
    _error(r, 403, "space_mismatch")


async def test_bad_bodies(world: World) -> None:
    r = await world.api.post("/v1/chat/completions", content=b"{not json", headers=world.headers)
    _error(r, 400, "invalid_json")
    assert "not valid JSON" in r.json()["error"]["message"]
    # A number no float holds: the message says so (not that the body is not an object).
    big = b'{"model": "m", "max_tokens": 1e400}'
    r = await world.api.post("/v1/chat/completions", content=big, headers=world.headers)
    _error(r, 400, "invalid_json")
    assert "infinity" in r.json()["error"]["message"]
    r = await world.api.post("/v1/chat/completions", json=[1, 2], headers=world.headers)
    _error(r, 400, "invalid_json")
    assert "must be a JSON object" in r.json()["error"]["message"]
    _error(await _chat(world, {"model": 42}), 400, "invalid_request")
    _error(await _chat(world, {"max_tokens": -1}), 400, "invalid_request")


async def test_no_model_and_no_default(world: World) -> None:
    r = await world.api.post("/v1/chat/completions", json={"messages": MSG}, headers=world.headers)
    _error(r, 400, "model_required")


async def test_revoked_api_key_is_refused_at_once(world: World) -> None:
    r = await world.api.post("/v1/api-keys", json={"name": "temp"}, headers=world.org.headers)
    key = r.json()
    headers = {"Authorization": f"Bearer {key['key']}", "X-Space-Id": world.space_id}
    body = {"model": world.alias, "messages": MSG}
    assert (
        await world.api.post("/v1/chat/completions", json=body, headers=headers)
    ).status_code == 200
    r = await world.api.delete(f"/v1/api-keys/{key['id']}", headers=world.org.headers)
    assert r.status_code == 200
    r = await world.api.post("/v1/chat/completions", json=body, headers=headers)
    _error(r, 401, "invalid_api_key")
    assert "WWW-Authenticate" in r.headers
