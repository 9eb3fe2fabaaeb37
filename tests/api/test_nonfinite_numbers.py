"""Numbers JSON cannot hold (``1e400`` read as infinity, ``NaN``, ``-1e400``) are a 422 naming the
field, never a 500: the rejected input is echoed back spelled as a string."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import OrgCtx, make_key, make_space

#: Raw JSON literal -> how the 422 echoes it back.
NONFINITE = {b"1e400": "Infinity", b"-1e400": "-Infinity", b"NaN": "NaN"}


async def _send(
    client: httpx.AsyncClient, org: OrgCtx, method: str, path: str, body: bytes
) -> httpx.Response:
    return await client.request(
        method, path, content=body, headers={**org.headers, "Content-Type": "application/json"}
    )


def _error_at(response: httpx.Response, loc: list[str]) -> dict[str, object]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    matching = [e for e in detail if e["loc"] == loc]
    assert len(matching) == 1, detail
    error: dict[str, object] = matching[0]
    assert isinstance(error["msg"], str) and error["msg"]
    return error


async def _targets(client: httpx.AsyncClient, org: OrgCtx) -> list[tuple[str, str, str, list[str]]]:
    """(method, path, body template with ``{n}`` for the number, loc of the bad field)."""
    space = await make_space(client, org)
    _, key = await make_key(client, org)
    entitlement = f"/v1/orgs/{org.org_id}/workspaces/{space['id']}/model-entitlements/gpt-x"
    return [
        ("PUT", f"/v1/orgs/{org.org_id}/rate-limit", '{{"rate_limit": {n}}}', ["rate_limit"]),
        ("PUT", f"/v1/api-keys/{key['id']}/limits", '{{"rpm": {n}}}', ["rpm"]),
        (
            "PATCH",
            entitlement,
            '{{"workspace_limits": {{"rpm": {n}}}}}',
            ["workspace_limits", "rpm"],
        ),
        (
            "PATCH",
            entitlement,
            '{{"workspace_limits": {{"cost_budget": {{"limit": {n}, "period": "day"}}}}}}',
            ["workspace_limits", "cost_budget", "limit"],
        ),
        ("PATCH", f"/v1/orgs/{org.org_id}", '{{"timezone": {n}}}', ["timezone"]),
        ("POST", "/v1/spaces", '{{"name": {n}, "description": ""}}', ["name"]),
    ]


@pytest.mark.parametrize("literal", list(NONFINITE))
async def test_nonfinite_number_is_422_naming_the_field(
    client: httpx.AsyncClient, org: OrgCtx, literal: bytes
) -> None:
    for method, path, template, field in await _targets(client, org):
        body = template.format(n=literal.decode()).encode()
        r = await _send(client, org, method, path, body)
        error = _error_at(r, ["body", *field])
        assert error["input"] == NONFINITE[literal], (method, path, error)


async def test_nonfinite_numbers_nested_in_the_echoed_input(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    path = f"/v1/orgs/{org.org_id}/workspaces/{space['id']}/model-entitlements/gpt-x"
    body = b'{"workspace_limits": {"rpm": 1}, "bogus": [NaN, {"x": -1e400, "y": 1.5}]}'
    error = _error_at(await _send(client, org, "PATCH", path, body), ["body", "bogus"])
    assert error["type"] == "extra_forbidden"
    assert error["input"] == ["NaN", {"x": "-Infinity", "y": 1.5}]


async def test_nonfinite_numbers_keep_secrets_masked(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    body = b'{"name": "p", "type": "openai", "base_url": NaN, "api_key": 1e400}'
    r = await _send(client, org, "POST", "/v1/providers", body)
    assert _error_at(r, ["body", "base_url"])["input"] == "NaN"
    assert _error_at(r, ["body", "api_key"])["input"] == "***"
    assert b"Infinity" not in r.content


async def test_finite_validation_errors_are_unchanged(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    """Byte for byte what FastAPI's own handler wrote before non-finite numbers were handled."""
    r = await _send(client, org, "POST", "/v1/spaces", b'{"name": "", "description": 5}')
    assert r.status_code == 422
    assert r.content == (
        b'{"detail":[{"type":"string_too_short","loc":["body","name"],'
        b'"msg":"String should have at least 1 character","input":"","ctx":{"min_length":1}},'
        b'{"type":"string_type","loc":["body","description"],'
        b'"msg":"Input should be a valid string","input":5}]}'
    )
    r = await _send(client, org, "PATCH", f"/v1/orgs/{org.org_id}", b'{"timezone": 1.5}')
    assert r.content == (
        b'{"detail":[{"type":"string_type","loc":["body","timezone"],'
        b'"msg":"Input should be a valid string","input":1.5}]}'
    )
