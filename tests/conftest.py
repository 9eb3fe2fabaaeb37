"""Test fixtures: a real database per backend (SQLite file; PostgreSQL when configured), the app
in process behind httpx, and plain async factories. Every test makes its own org, so tests never
see each other's rows."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from spacegate.api.platform.providers import get_resolver
from spacegate.config import Settings
from spacegate.db.migrate import upgrade
from spacegate.main import create_app
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.providers.helpers import FakeDns
from tests.servers import postgres_database, require_service

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database for this test session, one per backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "spacegate.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        yield url
        return
    base = require_service("SPACEGATE_TEST_POSTGRES_URL", "PostgreSQL")
    with postgres_database(base) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key="test-secret-key-for-the-suite",
        redis_url=None,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def runtime(app: FastAPI) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


@pytest.fixture(scope="session")
async def loopback_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app in the tests' event loop, allowed to reach servers on loopback (the fake
    provider, a Ray head): for features that call out from inside the server."""
    application = create_app(settings.model_copy(update={"allow_private_networks": True}))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def loopback_client(loopback_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=loopback_app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://spacegate.test",
        event_hooks={"response": [_no_stack_trace]},
    ) as c:
        yield c


# Product areas whose server calls out on loopback (the fake provider): one app per test module.
@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as f:
        yield f


@pytest.fixture(scope="module")
async def local_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app in the tests' own event loop, allowed to reach the fake provider on loopback."""
    app = create_app(settings.model_copy(update={"allow_private_networks": True}))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(local_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=local_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sg.test") as c:
        yield c


@pytest.fixture
def fake_dns(app: FastAPI) -> Iterator[FakeDns]:
    """Base URL checks (providers) resolve through this table instead of real DNS."""
    dns = FakeDns()
    app.dependency_overrides[get_resolver] = lambda: dns
    yield dns
    app.dependency_overrides.pop(get_resolver, None)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://spacegate.test",
        event_hooks={"response": [_no_stack_trace]},
    ) as c:
        yield c


async def _no_stack_trace(response: httpx.Response) -> None:
    """No response anywhere in the suite may leak a stack trace."""
    body = await response.aread()
    assert b"Traceback (most recent call last)" not in body, body[:2000]
    assert b'File "' not in body or b", line " not in body, body[:2000]


@pytest.fixture
async def org(runtime: Runtime) -> OrgCtx:
    return await make_org(runtime)


@pytest.fixture
async def other_org(runtime: Runtime) -> OrgCtx:
    return await make_org(runtime)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgres":
            item.add_marker(pytest.mark.postgres)


__all__ = ["Path", "asyncio", "os"]
