"""Vector search through the governed gateway (step types source_ingest / source_query),
hybrid ranking by reciprocal rank fusion, re-embedding on a model change, and recall@10 of
lexical, vector and hybrid ranking on the labelled set."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from spacegate.auth.resolver import resolve_key_id
from spacegate.gateway.inprocess import model_client
from spacegate.models import ApiKey, Dataset, DatasetChunk, InferenceLog
from spacegate.rag import search
from tests.factories import Caller
from tests.fakes.provider import FakeProvider
from tests.rag import labelled
from tests.rag.conftest import EMBED, OTHER, make_dataset, settled, upload


async def _ingest_corpus(
    http: httpx.AsyncClient, caller: Caller, name: str, **config: Any
) -> dict[str, Any]:
    ds = await make_dataset(http, caller, name, **config)
    for doc, text in labelled.CORPUS.items():
        r = await upload(http, caller, name, f"{doc}.txt", text.encode())
        assert r.status_code == 201, r.text
    status = await settled(http, caller, ds["id"], seconds=60)
    assert status["documents"]["ready"] == len(labelled.CORPUS), status
    return ds


async def _step_types(app: FastAPI, caller: Caller, n: int) -> list[str | None]:
    rows: list[str | None] = []
    for _ in range(200):  # the meter writes in batches, off the request path
        async with app.state.runtime.read_sessions() as s:
            rows = list(
                (
                    await s.scalars(
                        select(InferenceLog.step_type).where(
                            InferenceLog.org_id == uuid.UUID(caller.org.org_id)
                        )
                    )
                ).all()
            )
        if len(rows) >= n:
            return rows
        await asyncio.sleep(0.05)
    return rows


async def test_vectors_come_through_the_gateway_with_their_step_types(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.embedder = labelled.embed
    ds = await make_dataset(http, caller, "vec", embedding_model=EMBED)
    await upload(http, caller, "vec", "car.txt", labelled.CORPUS["car"].encode())
    await settled(http, caller, ds["id"])
    async with local_app.state.runtime.read_sessions() as s:
        chunks = (
            await s.scalars(
                select(DatasetChunk).where(DatasetChunk.dataset_id == uuid.UUID(ds["id"]))
            )
        ).all()
    assert chunks and all(
        c.embedding is not None and len(c.embedding) == 4 * labelled.DIM for c in chunks
    )
    assert all(c.embedding_model == EMBED for c in chunks)

    r = await http.post(
        "/api/v1/datasets/vec/search",
        json={"query": "automobile servicing"},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    hits = r.json()["documents"]
    assert hits and hits[0]["metadata"]["filename"] == "car.txt"
    assert hits[0]["similarity_score"] > 0.5  # cosine: no word in common with the query
    steps = await _step_types(local_app, caller, 2)
    assert sorted(s or "" for s in steps) == ["source_ingest", "source_query"]
    sent = [r for r in fake.requests if r.path == "/v1/embeddings"]
    assert len(sent) == 2


async def test_a_model_change_reembeds_and_delete_removes_vectors(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.embedder = labelled.embed
    ds = await make_dataset(http, caller, "swap", embedding_model=EMBED)
    await upload(http, caller, "swap", "a.txt", b"laptop for every starter")
    await settled(http, caller, ds["id"])
    r = await http.patch(
        "/api/v1/datasets/swap",
        json={"configuration": {"embedding_model": OTHER}},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    await settled(http, caller, ds["id"])
    async with local_app.state.runtime.read_sessions() as s:
        models = (
            await s.scalars(
                select(DatasetChunk.embedding_model).where(
                    DatasetChunk.dataset_id == uuid.UUID(ds["id"])
                )
            )
        ).all()
    assert models and set(models) == {OTHER}
    r = await http.patch(
        "/api/v1/datasets/swap", json={"configuration": {}}, headers=caller.headers
    )
    await settled(http, caller, ds["id"])
    async with local_app.state.runtime.read_sessions() as s:
        rows = (
            await s.execute(
                select(DatasetChunk.embedding, DatasetChunk.embedding_model).where(
                    DatasetChunk.dataset_id == uuid.UUID(ds["id"])
                )
            )
        ).all()
    assert rows and all(e is None and m is None for e, m in rows)
    assert (await http.delete("/api/v1/datasets/swap", headers=caller.headers)).status_code == 200
    async with local_app.state.runtime.read_sessions() as s:
        left = (
            await s.scalars(
                select(DatasetChunk.id).where(DatasetChunk.dataset_id == uuid.UUID(ds["id"]))
            )
        ).all()
    assert left == []


async def test_a_search_refused_by_the_gateway_says_why(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.embedder = labelled.embed
    ds = await make_dataset(http, caller, "revoked", embedding_model=EMBED)
    await upload(http, caller, "revoked", "a.txt", b"coffee machine")
    await settled(http, caller, ds["id"])
    r = await http.get(f"/v1/spaces/{caller.space_id}/models", headers=caller.org.headers)
    model_id = next(m["tenant_model_id"] for m in r.json()["data"] if m["alias"] == EMBED)
    r = await http.delete(
        f"/v1/spaces/{caller.space_id}/models/{model_id}", headers=caller.org.headers
    )
    assert r.status_code == 204, r.text
    r = await http.post(
        "/api/v1/datasets/revoked/search", json={"query": "coffee"}, headers=caller.headers
    )
    assert 400 <= r.status_code < 500, r.text


@pytest.mark.timeout(180)
async def test_hybrid_recall_beats_lexical_and_vector_alone(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.embedder = labelled.embed
    ds_info = await _ingest_corpus(http, caller, "bench", embedding_model=EMBED)
    runtime = local_app.state.runtime
    async with runtime.read_sessions() as s:
        key_id = await s.scalar(
            select(ApiKey.id).where(ApiKey.org_id == uuid.UUID(caller.org.org_id))
        )
        dataset = await s.get(Dataset, uuid.UUID(ds_info["id"]))
        names = {
            c.id: c.meta["filename"].removesuffix(".txt")
            for c in (
                await s.scalars(select(DatasetChunk).where(DatasetChunk.dataset_id == dataset.id))
            ).all()
        }
        principal = await resolve_key_id(runtime, key_id)
        models = model_client(local_app.state.gateway, principal, uuid.UUID(caller.space_id))
        recall = {}
        for mode in ("lexical", "vector", "auto"):
            ranked = {}
            for query in labelled.QUERIES:
                hits = await search.rank(
                    s, dataset, query, limit=10, similarity_threshold=0.0, models=models, mode=mode
                )
                ranked[query] = [names[c] for c, _ in hits]
            recall[mode] = labelled.recall_at(10, ranked)
    print(f"recall@10 on the labelled set: {recall}")
    assert recall["auto"] > recall["lexical"]
    assert recall["auto"] > recall["vector"]
    assert recall["auto"] >= 0.9


async def test_kept_vectors_follow_every_write(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.embedder = labelled.embed
    ds = await make_dataset(http, caller, "fresh", embedding_model=EMBED)

    async def top(query: str) -> list[str]:
        runtime = local_app.state.runtime
        async with runtime.read_sessions() as s:
            dataset = await s.get(Dataset, uuid.UUID(ds["id"]))
            assert dataset is not None
            key_id = await s.scalar(
                select(ApiKey.id).where(ApiKey.org_id == uuid.UUID(caller.org.org_id))
            )
            principal = await resolve_key_id(runtime, key_id)
            models = model_client(local_app.state.gateway, principal, uuid.UUID(caller.space_id))
            hits = await search.search_dataset(s, dataset, query, limit=3, models=models)
            return [str(h.metadata["filename"]) for h in hits]

    car = (await upload(http, caller, "fresh", "car.txt", labelled.CORPUS["car"].encode())).json()
    await settled(http, caller, ds["id"])
    assert await top("automobile servicing") == ["car.txt"]
    await upload(http, caller, "fresh", "coffee.txt", labelled.CORPUS["coffee"].encode())
    await settled(http, caller, ds["id"])
    assert (await top("espresso appliance"))[0] == "coffee.txt"
    r = await http.delete(f"/api/v1/datasets/fresh/documents/{car['id']}", headers=caller.headers)
    assert r.status_code == 200
    assert "car.txt" not in await top("automobile servicing")
