from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from spacegate.kit.crypto import CredentialUnreadable, cipher_for
from spacegate.models import ProviderConnection
from spacegate.providers.service import ProviderEdge, ProviderService
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_key
from tests.providers.helpers import FakeDns, make_provider

SECRET_KEY = "sk-live-SECRETabcdefghijklmnop4242"


@pytest.fixture
def spacegate_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything our loggers write, at every level (they do not propagate to the root)."""
    logger = logging.getLogger("spacegate")
    old_level = logger.level
    logger.addHandler(caplog.handler)
    logger.setLevel(logging.DEBUG)
    caplog.handler.setLevel(logging.DEBUG)
    yield caplog
    logger.removeHandler(caplog.handler)
    logger.setLevel(old_level)


async def test_minimal_create_returns_the_connection_without_its_credential(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    r = await client.post(
        "/v1/providers",
        json={
            "name": "OpenAI",
            "type": "openai",
            "base_url": "https://api.openai.com/v1/",
            "api_key": SECRET_KEY,
        },
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    uuid.UUID(body["id"])
    assert body["name"] == "OpenAI"
    assert body["type"] == "openai"
    assert body["base_url"] == "https://api.openai.com/v1"
    assert body["has_api_key"] is True
    assert body["api_key_hint"] == "sk-live-…4242"
    assert body["enabled"] is True
    assert body["created_by"] == org.user_id
    assert body["created_at"].endswith("Z")
    assert "api_key" not in body
    assert "api_key_ciphertext" not in body
    assert SECRET_KEY not in r.text


async def test_optional_fields_and_azure_defaults(client: httpx.AsyncClient, org: OrgCtx) -> None:
    azure = await make_provider(
        client,
        org,
        name="azure",
        type="azure_openai",
        base_url="https://example-resource.openai.azure.com",
        limits={"rpm": 600, "tpm": 100_000},
        enabled=False,
    )
    assert azure["config"] == {"api_version": "2024-10-21"}
    assert azure["limits"] == {"rpm": 600, "tpm": 100000}
    assert azure["enabled"] is False
    anthropic = await make_provider(
        client,
        org,
        name="anthropic",
        type="anthropic",
        base_url="https://api.anthropic.com",
        config={"anthropic_version": "2023-06-01", "timeout_seconds": 30},
    )
    assert anthropic["config"] == {"anthropic_version": "2023-06-01", "timeout_seconds": 30.0}
    keyless = await make_provider(client, org, name="no-key", api_key=None)
    assert keyless["has_api_key"] is False
    assert keyless["api_key_hint"] is None


@pytest.mark.parametrize(
    "patch",
    [
        {"type": "cohere"},
        {"config": {"headers": {"Authorization": "Bearer x"}}},
        {"limits": {"rpm": 0}},
        {"limits": {"rps": 5}},
        {"surprise": True},
        {"name": ""},
    ],
)
async def test_invalid_bodies_are_422(
    client: httpx.AsyncClient, org: OrgCtx, patch: dict[str, object]
) -> None:
    body = {"name": "p", "type": "openai", "base_url": "https://api.openai.com/v1", **patch}
    r = await client.post("/v1/providers", json=body, headers=org.headers)
    assert r.status_code == 422, r.text
    assert isinstance(r.json()["detail"], list)


async def test_validation_errors_never_echo_the_credential(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    # A missing field makes pydantic echo the whole body as the error's input.
    r = await client.post(
        "/v1/providers",
        json={"type": "openai", "base_url": "https://api.openai.com/v1", "api_key": SECRET_KEY},
        headers=org.headers,
    )
    assert r.status_code == 422
    assert SECRET_KEY not in r.text
    assert r.json()["detail"][0]["loc"] == ["body", "name"]
    r = await client.post(
        "/v1/providers",
        json={"name": "x", "type": "bogus", "base_url": "x", "api_key": SECRET_KEY, "extra": 1},
        headers=org.headers,
    )
    assert r.status_code == 422
    assert SECRET_KEY not in r.text


async def test_list_pages_with_after(client: httpx.AsyncClient, org: OrgCtx) -> None:
    ids = [(await make_provider(client, org, name=f"p{i}"))["id"] for i in range(3)]
    r = await client.get("/v1/providers", params={"limit": 2}, headers=org.headers)
    assert r.status_code == 200
    first = r.json()
    assert first["count"] == 2
    assert first["has_more"] is True
    assert [p["id"] for p in first["data"]] == ids[:2]
    r = await client.get(
        "/v1/providers", params={"limit": 2, "after": first["next_cursor"]}, headers=org.headers
    )
    second = r.json()
    assert [p["id"] for p in second["data"]] == ids[2:]
    assert second["has_more"] is False
    assert second["next_cursor"] is None
    r = await client.get("/v1/providers", params={"after": "garbage"}, headers=org.headers)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_cursor"


async def test_get_patch_delete(client: httpx.AsyncClient, org: OrgCtx) -> None:
    created = await make_provider(client, org, name="vllm")
    url = f"/v1/providers/{created['id']}"
    r = await client.get(url, headers=org.headers)
    assert r.status_code == 200
    assert r.json()["api_key_hint"] == created["api_key_hint"]

    r = await client.patch(
        url,
        json={"name": "vllm-2", "api_key": "sk-rotated-zzzzzzzzzzzzzzzz9999", "enabled": False},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["api_key_hint"], body["enabled"]) == ("vllm-2", "sk-…9999", False)
    assert "sk-rotated" not in r.text

    r = await client.patch(url, json={"api_key": None}, headers=org.headers)
    assert r.json()["has_api_key"] is False
    assert r.json()["api_key_hint"] is None

    r = await client.delete(url, headers=org.headers)
    assert r.status_code == 204
    assert r.content == b""
    assert (await client.get(url, headers=org.headers)).status_code == 404


async def test_names_are_unique_in_the_org(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    await make_provider(client, org, name="dup")
    other = await make_provider(client, org, name="other")
    r = await client.post(
        "/v1/providers",
        json={"name": "dup", "type": "openai", "base_url": "https://api.openai.com/v1"},
        headers=org.headers,
    )
    assert r.status_code == 409
    assert r.json()["code"] == "provider_name_taken"
    r = await client.patch(
        f"/v1/providers/{other['id']}", json={"name": "dup"}, headers=org.headers
    )
    assert r.status_code == 409
    await make_provider(client, other_org, name="dup")  # another org may use the name


async def test_other_orgs_connections_do_not_exist(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    theirs = await make_provider(client, other_org, name="theirs")
    url = f"/v1/providers/{theirs['id']}"
    for r in (
        await client.get(url, headers=org.headers),
        await client.patch(url, json={"enabled": False}, headers=org.headers),
        await client.delete(url, headers=org.headers),
    ):
        assert r.status_code == 404
        assert r.json()["code"] == "provider_not_found"
    listed = (await client.get("/v1/providers", headers=org.headers)).json()
    assert theirs["id"] not in [p["id"] for p in listed["data"]]
    assert (await client.get(url, headers=other_org.headers)).json()["enabled"] is True


async def test_malformed_id_is_422_with_the_pydantic_shape(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    r = await client.get("/v1/providers/not-a-uuid", headers=org.headers)
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["loc"] == ["path", "id"]
    assert err["type"] == "uuid_parsing"
    assert err["input"] == "not-a-uuid"
    assert err["msg"]


async def test_permissions(client: httpx.AsyncClient, org: OrgCtx) -> None:
    created = await make_provider(client, org, name="perm")
    reader, _ = await make_key(client, org, permissions=["providers:list", "providers:get"])
    headers = {"X-API-Key": reader}
    assert (await client.get("/v1/providers", headers=headers)).status_code == 200
    r = await client.post(
        "/v1/providers",
        json={"name": "n", "type": "openai", "base_url": "https://api.openai.com/v1"},
        headers=headers,
    )
    assert r.status_code == 403
    r = await client.delete(f"/v1/providers/{created['id']}", headers=headers)
    assert r.status_code == 403
    assert (await client.get("/v1/providers")).status_code == 401


async def test_private_base_urls_need_the_operator_switch(
    client: httpx.AsyncClient, org: OrgCtx, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"name": "ollama", "type": "openai", "base_url": "http://127.0.0.1:11434/v1"}
    r = await client.post("/v1/providers", json=body, headers=org.headers)
    assert r.status_code == 422
    assert r.json()["code"] == "base_url_not_allowed"
    r = await client.post(
        "/v1/providers", json={**body, "base_url": "http://2130706433/"}, headers=org.headers
    )
    assert r.status_code == 422
    ok = await make_provider(client, org, name="ok")
    r = await client.patch(
        f"/v1/providers/{ok['id']}",
        json={"base_url": "http://169.254.169.254/latest"},
        headers=org.headers,
    )
    assert r.status_code == 422
    assert (await client.get(f"/v1/providers/{ok['id']}", headers=org.headers)).json()[
        "base_url"
    ] == "https://api.openai.com/v1"

    monkeypatch.setattr(runtime.settings, "allow_private_networks", True)
    r = await client.post("/v1/providers", json=body, headers=org.headers)
    assert r.status_code == 201, r.text
    assert r.json()["base_url"] == "http://127.0.0.1:11434/v1"
    r = await client.post(
        "/v1/providers",
        json={**body, "name": "creds", "base_url": "http://u:p@10.0.0.1/v1"},
        headers=org.headers,
    )
    assert r.status_code == 422  # credentials in URLs stay refused


async def test_base_url_names_are_resolved_through_the_resolver(
    client: httpx.AsyncClient, org: OrgCtx, fake_dns: FakeDns
) -> None:
    fake_dns.answers["rebind.example"] = ["10.0.0.7"]
    r = await client.post(
        "/v1/providers",
        json={"name": "r", "type": "openai", "base_url": "https://rebind.example/v1"},
        headers=org.headers,
    )
    assert r.status_code == 422
    assert "10.0.0.7" in r.json()["detail"]
    assert "rebind.example" in fake_dns.asked


async def test_delete_refused_while_a_model_routes_to_it(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    provider = await make_provider(client, org, name="used")
    r = await client.post(
        "/v1/tenant-models",
        json={"alias": "m-used", "provider_id": provider["id"], "upstream_model": "gpt-4o"},
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    model_id = r.json()["tenant_model_id"]
    r = await client.delete(f"/v1/providers/{provider['id']}", headers=org.headers)
    assert r.status_code == 409
    assert r.json()["code"] == "provider_in_use"
    r = await client.delete(f"/v1/tenant-models/{model_id}", headers=org.headers)
    assert r.status_code == 204
    r = await client.delete(f"/v1/providers/{provider['id']}", headers=org.headers)
    assert r.status_code == 204


async def test_credential_is_encrypted_at_rest_and_bound_to_its_row(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx, runtime: Runtime
) -> None:
    a = await make_provider(client, org, name="a", api_key=SECRET_KEY)
    b = await make_provider(client, org, name="b", api_key="sk-other-key-bbbbbbbbbbbb")
    theirs = await make_provider(client, other_org, name="c", api_key="sk-third-key-cccccccccc")
    cipher = cipher_for(runtime.settings.resolved_secret_key)
    async with runtime.write_sessions() as session, session.begin():
        rows = {
            str(c.id): c
            for c in await session.scalars(
                select(ProviderConnection).where(
                    ProviderConnection.id.in_([uuid.UUID(x["id"]) for x in (a, b, theirs)])
                )
            )
        }
        row_a, row_b, row_c = rows[a["id"]], rows[b["id"]], rows[theirs["id"]]
        assert row_a.api_key_ciphertext is not None
        assert SECRET_KEY.encode() not in row_a.api_key_ciphertext
        assert row_a.key_version == 1
        assert (
            cipher.decrypt(row_a.api_key_ciphertext, org_id=row_a.org_id, row_id=row_a.id)
            == SECRET_KEY
        )
        # Copy A's ciphertext onto B (same org) and onto C (another org).
        row_b.api_key_ciphertext = row_a.api_key_ciphertext
        row_c.api_key_ciphertext = row_a.api_key_ciphertext
    from spacegate.auth.resolver import resolve

    principal = await resolve(runtime, org.key)
    async with runtime.read_sessions() as session:
        svc = ProviderService(
            session,
            principal,
            runtime.cursors,
            ProviderEdge(cipher=cipher, allow_private_networks=False),
        )
        assert svc.api_key(await svc.get_connection(uuid.UUID(a["id"]))) == SECRET_KEY
        with pytest.raises(CredentialUnreadable):
            svc.api_key(await svc.get_connection(uuid.UUID(b["id"])))
        row_c = await session.get_one(ProviderConnection, uuid.UUID(theirs["id"]))
        with pytest.raises(CredentialUnreadable):
            svc.api_key(row_c)


async def test_the_credential_never_appears_in_responses_or_logs(
    client: httpx.AsyncClient, org: OrgCtx, spacegate_logs: pytest.LogCaptureFixture
) -> None:
    bodies: list[str] = []
    r = await client.post(
        "/v1/providers",
        json={
            "name": "leak",
            "type": "openai",
            "base_url": "https://api.openai.com/v1",
            "api_key": SECRET_KEY,
        },
        headers=org.headers,
    )
    bodies.append(r.text)
    pid = r.json()["id"]
    for method, url, body in [
        ("GET", "/v1/providers", None),
        ("GET", f"/v1/providers/{pid}", None),
        ("PATCH", f"/v1/providers/{pid}", {"api_key": SECRET_KEY + "-2"}),
        ("PATCH", f"/v1/providers/{pid}", {"api_key": SECRET_KEY, "name": ""}),
        (
            "POST",
            "/v1/providers",
            {
                "name": "leak",
                "type": "openai",
                "base_url": "https://api.openai.com/v1",
                "api_key": SECRET_KEY,
            },
        ),  # 409
        (
            "POST",
            "/v1/providers",
            {
                "name": "priv",
                "type": "openai",
                "base_url": "http://10.0.0.1/",
                "api_key": SECRET_KEY,
            },
        ),
        ("GET", "/v1/audit-logs", None),
    ]:
        resp = await client.request(method, url, json=body, headers=org.headers)
        assert resp.status_code < 500, resp.text
        bodies.append(resp.text)
    assert '"provider"' in bodies[-1]  # the audit log recorded the changes, masked
    for text in bodies:
        assert SECRET_KEY not in text
    assert SECRET_KEY not in spacegate_logs.text


async def test_space_bound_keys_cannot_change_org_wide_settings(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    from tests.factories import make_space

    space = await make_space(client, org)
    bound, _ = await make_key(client, org, space_id=space["id"])
    headers = {"X-API-Key": bound}
    body = {"name": "bound", "type": "openai", "base_url": "https://api.openai.com/v1"}
    r = await client.post("/v1/providers", json=body, headers=headers)
    assert r.status_code == 403
    provider = await make_provider(client, org, name="org-wide")
    r = await client.post(
        "/v1/tenant-models",
        json={"alias": "bound", "provider_id": provider["id"], "upstream_model": "m"},
        headers=headers,
    )
    assert r.status_code == 403
    assert (await client.get("/v1/providers", headers=org.headers)).json()["count"] == 1


async def test_a_host_that_does_not_resolve_is_accepted_and_said_so(
    client: httpx.AsyncClient, org: OrgCtx, fake_dns: FakeDns
) -> None:
    """DNS down, or a name only the egress side knows: registered, reported as unresolved."""
    created = await make_provider(client, org, name="egress", base_url="https://llm.corp.lan/v1")
    assert created["base_url"] == "https://llm.corp.lan/v1"
    assert created["base_url_resolved"] is False
    assert "did not resolve" in created["warnings"][0]
    assert "llm.corp.lan" in fake_dns.asked
    url = f"/v1/providers/{created['id']}"
    got = (await client.get(url, headers=org.headers)).json()
    assert got["base_url_resolved"] is False and got["warnings"] == created["warnings"]

    fake_dns.answers["llm.corp.lan"] = ["20.43.132.131"]  # DNS is back
    r = await client.patch(url, json={"base_url": "https://llm.corp.lan/v2"}, headers=org.headers)
    assert r.status_code == 200, r.text
    assert r.json()["base_url_resolved"] is True and r.json()["warnings"] == []

    fake_dns.answers["llm.corp.lan"] = ["10.1.2.3"]  # known internal: still refused
    r = await client.patch(url, json={"base_url": "https://llm.corp.lan/v3"}, headers=org.headers)
    assert r.status_code == 422 and r.json()["code"] == "base_url_not_allowed"
    r = await client.post(
        "/v1/providers",
        json={"name": "local", "type": "openai", "base_url": "http://localhost:11434/v1"},
        headers=org.headers,
    )
    assert r.status_code == 422 and "internal name" in r.json()["detail"]
