"""``SPACEGATE_ORG_RATE_LIMIT_SCOPE=all``: gateway calls count in the org's request limit, with
control-plane calls, against one quota; a gateway refusal is a 429 in OpenAI's envelope naming
the org limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from spacegate.config import Settings
from tests.limits.conftest import World
from tests.live import LiveServer


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    scoped = settings.model_copy(
        update={"allow_private_networks": True, "org_rate_limit_scope": "all"}
    )
    with LiveServer(scoped) as server:
        yield server


async def test_gateway_calls_count_in_the_org_limit(world: World) -> None:
    org = world.org
    r = await world.api.put(
        f"/v1/orgs/{org.org_id}/rate-limit", json={"rate_limit": "20/minute"}, headers=org.headers
    )
    assert r.status_code == 200
    body = {"model": world.alias, "messages": [{"role": "user", "content": "hi"}]}
    # The org's calls so far (its setup) count too: gateway calls spend what is left of the 20.
    statuses = []
    for _ in range(25):
        r = await world.api.post("/v1/chat/completions", json=body, headers=world.headers)
        statuses.append(r.status_code)
        if r.status_code != 200:
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
    error = r.json()["error"]
    assert (
        error["code"] == "rate_limit_exceeded"
        and "org-minute (20 requests per 60 s)" in error["message"]
    )
    assert '"org-minute";r=0' in r.headers["RateLimit"]
    assert int(r.headers["Retry-After"]) >= 1
    # One quota: the control plane is refused too.
    assert (await world.api.get(f"/v1/orgs/{org.org_id}", headers=org.headers)).status_code == 429
