"""`after` as seed 004's clients use it: the id of the last item seen, on every `limit` + `after`
list, next to the opaque cursor. An id that is not an item of that list is a 400 naming `after`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from spacegate.runtime import Runtime
from tests.factories import OrgCtx, invite_and_accept, make_key, make_org, make_space
from tests.providers.helpers import FakeDns, make_provider

Maker = Callable[[httpx.AsyncClient, OrgCtx, int], Awaitable[None]]


async def _spaces(client: httpx.AsyncClient, org: OrgCtx, i: int) -> None:
    await make_space(client, org, f"s{i}")


async def _keys(client: httpx.AsyncClient, org: OrgCtx, i: int) -> None:
    await make_key(client, org, name=f"k{i}")


async def _providers(client: httpx.AsyncClient, org: OrgCtx, i: int) -> None:
    await make_provider(client, org, name=f"p{i}")


async def _models(client: httpx.AsyncClient, org: OrgCtx, i: int) -> None:
    provider = await make_provider(client, org, name=f"mp{i}")
    body = {"alias": f"m{i}", "provider_id": provider["id"], "upstream_model": "llama3.1"}
    r = await client.post("/v1/tenant-models", json=body, headers=org.headers)
    assert r.status_code == 201, r.text


async def _users(client: httpx.AsyncClient, org: OrgCtx, i: int) -> None:
    space = await make_space(client, org, f"u{i}")
    email = f"user{i}-{uuid.uuid4().hex[:6]}@example.com"
    await invite_and_accept(client, org, space["id"], email, ["chat:create"])


#: path, how to add an item, the item's id field
LISTS: list[tuple[str, Maker, str]] = [
    ("/v1/spaces", _spaces, "id"),
    ("/v1/api-keys", _keys, "id"),
    ("/v1/providers", _providers, "id"),
    ("/v1/tenant-models", _models, "tenant_model_id"),
    ("/v1/users", _users, "id"),
    ("/v1/audit-logs", _spaces, "id"),
]


def _ids(body: dict[str, object], field: str) -> list[str]:
    data = body["data"]
    assert isinstance(data, list)
    return [str(item[field]) for item in data]


@pytest.fixture
def _dns(fake_dns: FakeDns) -> FakeDns:
    return fake_dns


@pytest.mark.usefixtures("_dns")
@pytest.mark.parametrize(("path", "make", "field"), LISTS, ids=[p for p, _, _ in LISTS])
async def test_after_takes_the_last_items_id(
    client: httpx.AsyncClient, org: OrgCtx, path: str, make: Maker, field: str
) -> None:
    for i in range(3):
        await make(client, org, i)
    r = await client.get(path, params={"limit": 100}, headers=org.headers)
    assert r.status_code == 200, r.text
    everything = _ids(r.json(), field)
    assert len(everything) >= 3

    # Walk the whole list one item at a time, passing only the last id seen, as a seed client does.
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 1}
    while True:
        r = await client.get(path, params=params, headers=org.headers)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += _ids(page, field)
        if not page["has_more"]:
            break
        params = {"limit": 1, "after": seen[-1]}
    assert seen == everything

    # The id form and the cursor form continue at the same place.
    first = (await client.get(path, params={"limit": 1}, headers=org.headers)).json()
    by_cursor = await client.get(
        path, params={"limit": 2, "after": first["next_cursor"]}, headers=org.headers
    )
    by_id = await client.get(
        path, params={"limit": 2, "after": _ids(first, field)[0]}, headers=org.headers
    )
    assert _ids(by_id.json(), field) == _ids(by_cursor.json(), field) == everything[1:3]


@pytest.mark.usefixtures("_dns")
@pytest.mark.parametrize(("path", "make", "field"), LISTS, ids=[p for p, _, _ in LISTS])
async def test_an_id_not_in_the_list_is_400_naming_after(
    client: httpx.AsyncClient,
    org: OrgCtx,
    runtime: Runtime,
    path: str,
    make: Maker,
    field: str,
) -> None:
    other = await make_org(runtime)
    await make(client, other, 0)
    await make(client, org, 0)
    r = await client.get(path, params={"limit": 100}, headers=other.headers)
    foreign = _ids(r.json(), field)[-1]
    for bad in [foreign, str(uuid.uuid4()), "not-an-id", "00000000-0000-0000-0000-00000000000g"]:
        r = await client.get(path, params={"limit": 1, "after": bad}, headers=org.headers)
        assert r.status_code == 400, (bad, r.text)
        body = r.json()
        assert body["code"] == "invalid_cursor"
        assert "`after`" in body["detail"]
        assert foreign not in r.text


async def test_a_deleted_spaces_id_is_400(client: httpx.AsyncClient, org: OrgCtx) -> None:
    spaces = [await make_space(client, org, f"s{i}") for i in range(2)]
    gone = str(spaces[0]["id"])
    r = await client.delete(f"/v1/spaces/{gone}", headers=org.headers)
    assert r.status_code in (200, 204), r.text
    r = await client.get("/v1/spaces", params={"after": gone}, headers=org.headers)
    assert r.status_code == 400 and "`after`" in r.json()["detail"]
    # The deleted list is its own list: there the id continues the page.
    r = await client.get("/v1/spaces", params={"after": gone, "deleted": True}, headers=org.headers)
    assert r.status_code == 200, r.text


async def test_the_aimable_cursor_names_cursor(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.get(
        "/api-proxy/v1/tenant/models", params={"cursor": str(uuid.uuid4())}, headers=org.headers
    )
    assert r.status_code == 400, r.text
    assert "`cursor`" in r.json()["detail"]
