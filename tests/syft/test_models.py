"""Syft models: a view on the org's registry, registered and entitled in one transaction."""

from __future__ import annotations

from tests.syft.conftest import Caller


async def test_create_registers_connection_model_and_entitlement(caller: Caller) -> None:
    made = await caller.model("chat", system_prompt="Be brief.")
    assert made["dtype"] == "openai"
    conf = made["configuration"]
    assert conf["base_url"] == f"{caller.fake.url}/v1"
    assert conf["model"] == "fake-model"
    assert conf["system_prompt"] == "Be brief."
    assert "123456789" not in (conf["api_key"] or "") and conf["api_key"]
    assert made["connected_endpoints"] == []

    # The registry and the space's entitlements show it like any other model.
    r = await caller.http.get(
        f"/v1/tenant-models/{made['tenant_model_id']}", headers=caller.org.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["alias"] == made["alias"]
    r = await caller.http.get(f"/v1/spaces/{caller.space_id}/models", headers=caller.org.headers)
    assert made["tenant_model_id"] in [m["tenant_model_id"] for m in r.json()["data"]]


async def test_list_get_patch_delete(caller: Caller) -> None:
    await caller.model("one")
    await caller.model("two")
    r = await caller.http.get("/api/v1/models/?limit=1", headers=caller.headers)
    assert r.status_code == 200, r.text
    page = r.json()
    assert (page["total"], page["skip"], page["limit"], len(page["items"])) == (2, 0, 1, 1)
    r = await caller.http.get("/api/v1/models/two", headers=caller.headers)
    assert r.status_code == 200 and r.json()["name"] == "two"

    r = await caller.http.patch(
        "/api/v1/models/two",
        json={
            "summary": "second",
            "configuration": {"model": "fake-model-2", "system_prompt": "Hi"},
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["summary"] == "second"
    assert body["configuration"]["model"] == "fake-model-2"
    assert body["configuration"]["system_prompt"] == "Hi"

    r = await caller.http.post(
        "/api/v1/models/",
        json={"name": "two", "configuration": {"api_key": "k"}},
        headers=caller.headers,
    )
    assert r.status_code == 409, r.text

    tenant_model_id = body["tenant_model_id"]
    r = await caller.http.delete("/api/v1/models/two", headers=caller.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"id": body["id"]}
    r = await caller.http.get("/api/v1/models/two", headers=caller.headers)
    assert r.status_code == 404
    assert r.json()["detail"] == "Model 'two' not found"
    # What it registered went with it.
    r = await caller.http.get(f"/v1/tenant-models/{tenant_model_id}", headers=caller.org.headers)
    assert r.status_code == 404


async def test_view_of_an_existing_registry_model(caller: Caller) -> None:
    first = await caller.model("base")
    r = await caller.post(
        "/api/v1/models/",
        {
            "name": "view",
            "tenant_model_id": first["tenant_model_id"],
            "configuration": {"system_prompt": "x"},
        },
    )
    assert r.status_code == 201, r.text
    view = r.json()
    assert view["tenant_model_id"] == first["tenant_model_id"]
    # Its connection is the registry's to change.
    r = await caller.http.patch(
        "/api/v1/models/view", json={"configuration": {"model": "other"}}, headers=caller.headers
    )
    assert r.status_code == 409, r.text
    r = await caller.http.delete("/api/v1/models/view", headers=caller.headers)
    assert r.status_code == 200
    r = await caller.http.get(
        f"/v1/tenant-models/{first['tenant_model_id']}", headers=caller.org.headers
    )
    assert r.status_code == 200


async def test_configuration_needs_an_api_key(caller: Caller) -> None:
    r = await caller.post("/api/v1/models/", {"name": "m", "configuration": {"model": "x"}})
    assert r.status_code == 422, r.text
    assert r.json()["param"] == "configuration.api_key"
    r = await caller.post("/api/v1/models/", {"name": "m", "dtype": "llama"})
    assert r.status_code == 422


async def test_types(caller: Caller) -> None:
    r = await caller.http.get("/api/v1/model-types/", headers=caller.org.headers)
    assert r.status_code == 200, r.text
    assert [t["name"] for t in r.json()] == ["openai"]
    assert "api_key" in r.json()[0]["config_schema"]["properties"]
