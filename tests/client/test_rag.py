"""The client's endpoints and policies (seed 003), against a live server."""

from __future__ import annotations

import httpx

from spacegate.client import Spacegate
from tests.client.fixtures import make_setup
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


def test_endpoints_policies_and_query(
    sg: Spacegate, server: LiveServer, owner: OrgCtx, upstream: FakeProvider
) -> None:
    setup = make_setup(sg, upstream)
    r = httpx.post(
        f"{server.url}/api/v1/models/",
        json={"name": "chat", "tenant_model_id": setup.model_id},
        headers={**owner.headers, "X-Space-Id": setup.space_id},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]
    with Spacegate(server.url, owner.key, space_id=setup.space_id) as client:
        for i in range(3):
            client.endpoints.create(
                name=f"E{i}", slug=f"ep-{i}", model_id=model_id, response_type="summary"
            )
        assert [e.slug for e in client.endpoints.list(page_size=2)] == ["ep-0", "ep-1", "ep-2"]
        assert client.endpoints.publish("ep-1").published is True
        assert [e.slug for e in client.endpoints.list(published=True)] == ["ep-1"]
        assert client.endpoints.update("ep-1", summary="s").summary == "s"

        ep = client.endpoints.get("ep-1")
        policy = client.policies.create(
            name="pii", policy_type="pii_filter", configuration={}, endpoint_id=ep.id
        )
        assert [p.id for p in client.policies.list(endpoint_id=ep.id)] == [policy.id]
        upstream.responder = lambda body: "Write to ana@example.com"
        try:
            answer = client.endpoints.query("ep-1", "who?", max_tokens=10)
        finally:
            upstream.responder = None
        assert answer["summary"]["message"]["content"] == "Write to [EMAIL]"
        assert client.policies.update(policy.id, name="masking").name == "masking"
        client.policies.delete(policy.id)
        assert client.endpoints.unpublish("ep-1").published is False
        client.endpoints.delete("ep-2")
        assert [e.slug for e in client.endpoints.list()] == ["ep-0", "ep-1"]
