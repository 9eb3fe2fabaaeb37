"""When a cached key or route expires under load, the requests that miss together share one
database lookup; a request that starts after a governance change never shares an older one."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from spacegate.auth.cache import PrincipalCache
from spacegate.errors import Unauthorized
from spacegate.gateway.catalog import Catalog
from spacegate.runtime import Runtime
from tests.factories import make_org


@contextmanager
def queries_on(runtime: Runtime, table: str) -> Iterator[list[str]]:
    """Statements that read ``table``, as the database driver receives them."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            seen.append(statement)

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_concurrent_misses_for_one_key_make_one_lookup(runtime: Runtime) -> None:
    org = await make_org(runtime)
    cache = PrincipalCache()
    with queries_on(runtime, "api_keys") as seen:
        principals = await asyncio.gather(*(cache.get(runtime, org.key) for _ in range(20)))
    assert {str(p.org_id) for p in principals} == {org.org_id}
    assert len(seen) == 1


async def test_a_lookup_begun_before_a_change_is_not_shared_after_it(runtime: Runtime) -> None:
    org = await make_org(runtime)
    cache = PrincipalCache()
    with queries_on(runtime, "api_keys") as seen:
        first = asyncio.ensure_future(cache.get(runtime, org.key))
        await asyncio.sleep(0)  # the first lookup is under way
        runtime.bus.bump_local(uuid.UUID(org.org_id))  # e.g. a key was just revoked
        second = await cache.get(runtime, org.key)
        await first
    assert str(second.org_id) == org.org_id
    assert len(seen) == 2


async def test_a_shared_refusal_reaches_every_caller(runtime: Runtime) -> None:
    cache = PrincipalCache()
    results = await asyncio.gather(
        *(cache.get(runtime, "sg_" + "x" * 40) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, Unauthorized) for r in results), results


async def test_concurrent_route_misses_make_one_lookup(runtime: Runtime) -> None:
    org = await make_org(runtime)
    catalog = Catalog(runtime.read_sessions, lambda *_: "", runtime.bus)
    org_id, space_id = uuid.UUID(org.org_id), uuid.uuid4()
    with queries_on(runtime, "entitlements") as seen:
        routes = await asyncio.gather(
            *(catalog.route(org_id, space_id, "no-such-model") for _ in range(20))
        )
    assert routes == [None] * 20
    assert len(seen) == 1
