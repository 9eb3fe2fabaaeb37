"""Control-plane benchmark: list a space's allowed models as its entitlements grow.

The org gets N registry models, all allowed in one space (so the org has N entitlements, every
one in the listed space), for N = 10, 1,000 and 100,000. Rows are bulk-inserted straight into an
embedded SQLite database for setup speed; the measured requests then go through the whole app
in process (auth, unit of work, service, keyset query, response), over httpx's ASGI transport.

Two requests are timed per N: the first page, and a deep page (a cursor near the end of the
list). Keyset paging on the ``(org_id, space_id, id)`` index makes both cost the same however
many rows there are; the figures show it.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import insert, select, text

from spacegate.config import Settings
from spacegate.db.migrate import upgrade
from spacegate.kit.clock import utcnow
from spacegate.kit.ids import uuid7
from spacegate.main import create_app
from spacegate.models import Entitlement, RegisteredModel, Space
from spacegate.orgs.service import bootstrap
from spacegate.runtime import Runtime

SIZES = (10, 1_000, 100_000)
PAGE = 50
REPEAT = 200
WARMUP = 20
_BATCH = 10_000


@dataclass(frozen=True)
class Figure:
    rows: int
    first_p50: float
    first_p95: float
    deep_p50: float
    deep_p95: float
    deep_position: int
    plan: str


async def _seed(runtime: Runtime, n: int) -> tuple[str, uuid.UUID]:
    """An org with ``n`` models, all allowed in one space; returns (api key, space id)."""
    async with runtime.write_sessions() as s, s.begin():
        made = await bootstrap(s, org_name=f"bench-{n}", email=f"owner@bench-{n}.example.com")
        org_id, user_id, key = made.org.id, made.user.id, made.api_key
        space = Space(org_id=org_id, name=f"bench {n}", description="", created_by=user_id)
        s.add(space)
        await s.flush()
        space_id = space.id
    now = utcnow()
    for start in range(0, n, _BATCH):
        models = [
            {
                "id": uuid7(),
                "org_id": org_id,
                "alias": f"bench-model-{i}",
                "display_name": f"Bench model {i}",
                "capabilities": ["chat"],
                "context_window": 128_000,
                "reasoning": {"enabled": False},
                "request_overrides": {},
                "created_at": now,
                "updated_at": now,
            }
            for i in range(start, min(n, start + _BATCH))
        ]
        ents = [
            {
                "id": uuid7(),
                "org_id": org_id,
                "space_id": space_id,
                "model_id": m["id"],
                "workspace_limits": {},
                "allowed_step_types": [],
                "allowed_endpoints": [],
                "allowed_purposes": [],
                "granted_by": user_id,
                "created_at": now,
                "updated_at": now,
            }
            for m in models
        ]
        async with runtime.write_sessions() as s, s.begin():
            await s.execute(insert(RegisteredModel), models)
            await s.execute(insert(Entitlement), ents)
    return key, space_id


async def _deep_cursor(runtime: Runtime, space_id: uuid.UUID, n: int) -> tuple[str | None, int]:
    """A cursor positioned one page before the end (the deepest full page)."""
    position = max(0, n - PAGE - 1)
    if position == 0:
        return None, 0
    async with runtime.read_sessions() as s:
        after = await s.scalar(
            select(Entitlement.id)
            .where(Entitlement.space_id == space_id)
            .order_by(Entitlement.id)
            .offset(position - 1)
            .limit(1)
        )
    return runtime.cursors.encode(f"entitlements:{space_id}", [str(after)]), position


async def _plan(runtime: Runtime) -> str:
    async with runtime.read_sessions() as s:
        rows = await s.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM entitlements WHERE org_id = :o "
                "AND space_id = :s AND id > :a ORDER BY id LIMIT 51"
            ),
            {"o": "x", "s": "y", "a": "z"},
        )
        return "; ".join(str(r[-1]) for r in rows)


async def _time(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[float]:
    for _ in range(WARMUP):
        assert (await client.get(url, headers=headers)).status_code == 200
    out = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        r = await client.get(url, headers=headers)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text
        assert 0 < len(r.json()["data"]) <= PAGE
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def _bench(url: str, data_dir: Path) -> list[Figure]:
    settings = Settings(
        database_url=url,
        data_dir=data_dir,
        secret_key="bench-secret",  # noqa: S106  (a throw-away database)
        org_rate_limit="off",  # the bench measures paging, not the org's API rate limit
    )
    app = create_app(settings)
    figures = []
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for n in SIZES:
                key, space_id = await _seed(runtime, n)
                headers = {"Authorization": f"Bearer {key}"}
                base = f"/api-proxy/v1/spaces/{space_id}/models?limit={PAGE}"
                first = await _time(client, base, headers)
                cursor, position = await _deep_cursor(runtime, space_id, n)
                deep_url = base + (f"&cursor={cursor}" if cursor else "")
                deep = await _time(client, deep_url, headers)
                figures.append(
                    Figure(
                        n,
                        statistics.median(first),
                        _p95(first),
                        statistics.median(deep),
                        _p95(deep),
                        position,
                        await _plan(runtime),
                    )
                )
    return figures


def _report(figures: list[Figure]) -> str:
    lines = [
        "## Control plane: list a space's allowed models",
        "",
        f"`GET /api-proxy/v1/spaces/{{space_id}}/models?limit={PAGE}` in process (httpx ASGI "
        f"transport, embedded SQLite), {REPEAT} requests per cell after {WARMUP} warm-up "
        "requests, one at a time. The org's N entitlements are all in the listed space. "
        "The deep page starts one page before the end of the list.",
        "",
        "| entitlements | first page p50 (ms) | first page p95 (ms) | deep page p50 (ms) "
        "| deep page p95 (ms) | deep page starts at | items per page |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| {f.rows:,} | {f.first_p50:.2f} | {f.first_p95:.2f} | {f.deep_p50:.2f} "
            f"| {f.deep_p95:.2f} | {f.deep_position:,} | {min(f.rows, PAGE)} |"
        )
    lines += ["", f"SQLite plan of the page query: `{figures[-1].plan}`.", ""]
    return "\n".join(lines)


def run_control_plane_bench() -> str:
    with tempfile.TemporaryDirectory(prefix="spacegate-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)  # alembic runs its own event loop: before ours starts
        return _report(asyncio.run(_bench(url, Path(tmp))))
