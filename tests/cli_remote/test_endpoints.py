"""``spacegate endpoints``: list, publish and ask a space's RAG endpoints."""

from __future__ import annotations

import httpx

from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.client.fixtures import make_setup
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


def test_endpoints(
    cli: Cli, sg: Spacegate, server: LiveServer, owner: OrgCtx, upstream: FakeProvider
) -> None:
    setup = make_setup(sg, upstream)
    here = {**owner.headers, "X-Space-Id": setup.space_id}
    r = httpx.post(
        f"{server.url}/api/v1/models/",
        json={"name": "chat", "tenant_model_id": setup.model_id},
        headers=here,
        timeout=30,
    )
    assert r.status_code == 201, r.text
    with Spacegate(server.url, owner.key, space_id=setup.space_id) as client:
        client.endpoints.create(
            name="Help", slug="help", model_id=r.json()["id"], response_type="summary"
        )
    listed = cli.json("endpoints", "list", "--space", setup.space_id)
    assert [e["slug"] for e in listed] == ["help"]
    assert cli.json("endpoints", "publish", "help", "--space", setup.space_id)["published"]
    out = cli.run("endpoints", "query", "help", "How?", "--space", setup.space_id)
    assert out.stdout.strip() == "Echo: How?"
    answer = cli.json("endpoints", "query", "help", "Why?", "--space", setup.space_id)
    assert answer["summary"]["message"]["content"] == "Echo: Why?"
    gone = cli.json("endpoints", "unpublish", "help", "--space", setup.space_id)
    assert gone["published"] is False
    assert "404" in cli.fails("endpoints", "query", "nope", "x", "--space", setup.space_id)
