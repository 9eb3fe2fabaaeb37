"""Fixtures for the client and the remote CLI: a live Spacegate on loopback (allowed to reach
the fake provider), an org of its own per test, and a space with a model entitled in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from spacegate.client import Spacegate
from spacegate.config import Settings
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer

PROVIDER_KEY = "sk-proj-clienttestKEY0123456789abcdef"


@pytest.fixture(scope="session")
def upstream() -> Iterator[FakeProvider]:
    with FakeProvider() as fake:
        yield fake


@pytest.fixture(scope="session")
def server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings.model_copy(update={"allow_private_networks": True})) as live:
        yield live


@pytest.fixture
async def owner(runtime: Runtime) -> OrgCtx:
    return await make_org(runtime)


@pytest.fixture
def sg(server: LiveServer, owner: OrgCtx) -> Iterator[Spacegate]:
    with Spacegate(server.url, owner.key) as client:
        yield client


@dataclass
class Setup:
    """A space, a provider on the fake upstream, and a model (``alias``) entitled there."""

    space_id: str
    provider_id: str
    alias: str
    model_id: str


def make_setup(sg: Spacegate, upstream: FakeProvider, alias: str | None = None) -> Setup:
    space = sg.spaces.create(name=f"team-{uuid.uuid4().hex[:6]}", description="for the client")
    provider = sg.providers.create(
        name=f"fake-{uuid.uuid4().hex[:6]}",
        type="openai",
        base_url=f"{upstream.url}/v1",
        api_key=PROVIDER_KEY,
    )
    model = sg.models.create(
        alias=alias or f"chat-{uuid.uuid4().hex[:6]}",
        provider_id=provider.id,
        upstream_model="fake-model",
    )
    sg.entitlements.grant(space.id, model.alias)
    return Setup(str(space.id), str(provider.id), model.alias, str(model.tenant_model_id))
