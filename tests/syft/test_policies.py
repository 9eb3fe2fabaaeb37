"""Policies: types with JSON schemas, CRUD, configurations checked against their type."""

from __future__ import annotations

import uuid

from tests.syft.conftest import Caller


async def test_types_and_schemas(caller: Caller) -> None:
    r = await caller.http.get("/api/v1/policy-types/", headers=caller.org.headers)
    assert r.status_code == 200, r.text
    assert [t["name"] for t in r.json()] == ["access", "rate_limit", "pii_filter"]
    by_name = {t["name"]: t for t in r.json()}
    assert by_name["rate_limit"]["stage"] == "pre"
    assert by_name["pii_filter"]["stage"] == "post"
    assert "detectors" in by_name["pii_filter"]["config_schema"]["properties"]
    assert by_name["access"]["config_schema"]["additionalProperties"] is False


async def test_crud_and_configuration_checks(caller: Caller) -> None:
    model = await caller.model()
    ep = await caller.endpoint("ep-1", model_id=model["id"], response_type="summary")
    r = await caller.post(
        "/api/v1/policies/",
        {
            "name": "ten",
            "policy_type": "rate_limit",
            "configuration": {"limit": "10/m"},
            "endpoint_id": ep["id"],
        },
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["configuration"] == {"limit": "10/m", "scope": "per_user", "applied_to": ["*"]}

    r = await caller.http.patch(
        f"/api/v1/policies/{made['id']}",
        json={"configuration": {"scope": "global"}},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["configuration"] == {"limit": "10/m", "scope": "global", "applied_to": ["*"]}

    r = await caller.http.get(f"/api/v1/policies/?endpoint_id={ep['id']}", headers=caller.headers)
    assert r.json()["total"] == 1
    r = await caller.http.get("/api/v1/endpoints/ep-1", headers=caller.headers)
    assert [p["name"] for p in r.json()["policies"]] == ["ten"]

    bad = [
        ({"policy_type": "rate_limit", "configuration": {"limit": "ten"}}, "configuration.limit"),
        ({"policy_type": "rate_limit", "configuration": {}}, "configuration.limit"),
        ({"policy_type": "access", "configuration": {}}, "configuration"),
        (
            {"policy_type": "pii_filter", "configuration": {"detectors": ["dna"]}},
            "configuration.detectors.0",
        ),
        (
            {"policy_type": "access", "configuration": {"allow": ["*"], "extra": 1}},
            "configuration.extra",
        ),
    ]
    for fields, param in bad:
        r = await caller.post("/api/v1/policies/", {"name": "x", "endpoint_id": ep["id"], **fields})
        assert r.status_code == 422, (fields, r.text)
        assert r.json()["param"] == param, r.text
    r = await caller.post(
        "/api/v1/policies/",
        {
            "name": "x",
            "policy_type": "access",
            "configuration": {"allow": ["*"]},
            "endpoint_id": str(uuid.uuid4()),
        },
    )
    assert r.status_code == 422 and r.json()["param"] == "endpoint_id"

    r = await caller.http.delete(f"/api/v1/policies/{made['id']}", headers=caller.headers)
    assert r.status_code == 200 and r.json() == {"id": made["id"]}


async def test_policies_go_with_their_endpoint(caller: Caller) -> None:
    model = await caller.model()
    ep = await caller.endpoint("ep-1", model_id=model["id"], response_type="summary")
    r = await caller.post(
        "/api/v1/policies/",
        {"name": "p", "policy_type": "pii_filter", "endpoint_id": ep["id"]},
    )
    assert r.status_code == 201, r.text
    await caller.http.delete("/api/v1/endpoints/ep-1", headers=caller.headers)
    r = await caller.http.get(f"/api/v1/policies/{r.json()['id']}", headers=caller.headers)
    assert r.status_code == 404


async def test_changes_are_audited(caller: Caller) -> None:
    model = await caller.model()
    ep = await caller.endpoint("audited", model_id=model["id"], response_type="summary")
    r = await caller.post(
        "/api/v1/policies/",
        {
            "name": "p",
            "policy_type": "access",
            "configuration": {"deny": ["x@y.z"]},
            "endpoint_id": ep["id"],
        },
    )
    policy_id = r.json()["id"]
    await caller.http.patch(
        f"/api/v1/policies/{policy_id}", json={"name": "q"}, headers=caller.headers
    )
    seen = set()
    for resource in ("syft_model", "endpoint", "policy"):
        r = await caller.http.get(
            "/v1/audit-logs", params={"resource": resource}, headers=caller.org.headers
        )
        assert r.status_code == 200, r.text
        seen |= {(e["resource"], e["action"]) for e in r.json()["data"]}
    assert {
        ("syft_model", "create"),
        ("endpoint", "create"),
        ("policy", "create"),
        ("policy", "update"),
    } <= seen
