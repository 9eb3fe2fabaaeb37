"""Every way a caller can fail to authenticate answers 401 the same way, cheaply."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from spacegate.api_keys.service import issue_key
from spacegate.auth import resolver
from spacegate.kit import apikeys
from spacegate.kit.clock import utcnow
from spacegate.models import ApiKey
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_key

ME = "/v1/users/me"


def _bad_checksum(key: str) -> str:
    """The same well-shaped key with a different (wrong) checksum."""
    last = key[-1]
    return key[:-1] + ("0" if last != "0" else "1")


def _auth_headers(style: str, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if style == "bearer" else {"X-API-Key": key}


def _assert_401(r: httpx.Response) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith("Bearer")
    body = r.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "unauthorized"
    assert isinstance(body["detail"], str) and body["detail"]


@contextmanager
def count_statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def listener(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


async def _store_key(runtime: Runtime, org: OrgCtx, **fields: Any) -> str:
    async with runtime.write_sessions() as s, s.begin():
        _, plaintext = await issue_key(
            s, org_id=uuid.UUID(org.org_id), user_id=uuid.UUID(org.user_id), name="t", **fields
        )
    return plaintext


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
async def test_missing_key(client: httpx.AsyncClient, style: str) -> None:
    _assert_401(await client.get(ME))
    _assert_401(await client.get(ME, headers=_auth_headers(style, "")))


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
@pytest.mark.parametrize(
    "key",
    ["nonsense", "sg_short", "sk_" + "A" * 38, "sg_" + "!" * 38, "sg_" + "A" * 39],
)
async def test_malformed_key(client: httpx.AsyncClient, style: str, key: str) -> None:
    _assert_401(await client.get(ME, headers=_auth_headers(style, key)))


@pytest.mark.parametrize("value", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token sg_x"])
async def test_authorization_must_be_bearer(client: httpx.AsyncClient, value: str) -> None:
    _assert_401(await client.get(ME, headers={"Authorization": value}))


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
async def test_bad_checksum_is_refused_without_a_database_lookup(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx, style: str
) -> None:
    forged = _bad_checksum(org.key)
    assert len(forged) == len(org.key) and not apikeys.is_well_formed(forged)
    await resolver.drain()  # no pending last_used_at write may run inside the window
    with count_statements(runtime) as statements:
        r = await client.get(ME, headers=_auth_headers(style, forged))
    _assert_401(r)
    assert statements == []
    # The listener does see the lookup a well-formed key costs, so the empty list means something.
    with count_statements(runtime) as statements:
        _assert_401(await client.get(ME, headers=_auth_headers(style, apikeys.generate())))
    assert any("api_keys" in s for s in statements)


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
async def test_unknown_key(client: httpx.AsyncClient, style: str) -> None:
    _assert_401(await client.get(ME, headers=_auth_headers(style, apikeys.generate())))


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
async def test_revoked_key(client: httpx.AsyncClient, org: OrgCtx, style: str) -> None:
    key, body = await make_key(client, org)
    assert (await client.get(ME, headers=_auth_headers(style, key))).status_code == 200
    r = await client.delete(f"/v1/api-keys/{body['id']}", headers=org.headers)
    assert r.status_code == 200, r.text
    _assert_401(await client.get(ME, headers=_auth_headers(style, key)))


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
async def test_expired_key(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx, style: str
) -> None:
    expired = await _store_key(runtime, org, expires_at=utcnow() - timedelta(seconds=1))
    _assert_401(await client.get(ME, headers=_auth_headers(style, expired)))
    live = await _store_key(runtime, org, expires_at=utcnow() + timedelta(hours=1))
    assert (await client.get(ME, headers=_auth_headers(style, live))).status_code == 200


async def test_both_headers_with_the_same_key_are_accepted(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    r = await client.get(ME, headers={"Authorization": f"Bearer {org.key}", "X-API-Key": org.key})
    assert r.status_code == 200, r.text


async def test_both_headers_with_different_keys_are_refused(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    for other in (other_org.key, apikeys.generate()):
        r = await client.get(ME, headers={"Authorization": f"Bearer {org.key}", "X-API-Key": other})
        _assert_401(r)


async def test_key_in_query_string_is_not_a_credential(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    _assert_401(await client.get(ME, params={"api_key": org.key}))


async def test_last_used_at_is_recorded(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    key, body = await make_key(client, org)
    r = await client.get(f"/v1/api-keys/{body['id']}", headers=org.headers)
    assert r.json()["last_used_at"] is None
    before = utcnow()
    assert (await client.get(ME, headers={"X-API-Key": key})).status_code == 200
    await resolver.drain()
    r = await client.get(f"/v1/api-keys/{body['id']}", headers=org.headers)
    used = r.json()["last_used_at"]
    assert used is not None and used.endswith("Z")
    async with runtime.read_sessions() as s:
        stamp = await s.scalar(
            select(ApiKey.last_used_at).where(ApiKey.id == uuid.UUID(str(body["id"])))
        )
    assert stamp is not None and stamp >= before - timedelta(seconds=1)
