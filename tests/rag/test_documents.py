"""Uploads into a local_file dataset: stored, typed by content, size-capped, ingested by a job,
replaced when changed, removed with their chunks; lexical search over them."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from spacegate.models import DatasetChunk
from tests.factories import Caller
from tests.rag import samples
from tests.rag.conftest import make_dataset, settled, upload

LEAVE = (
    b"# Leave\nEvery employee takes twenty five days of paid annual leave each year. "
    b"Unused leave carries over until March.\n# Expenses\nTravel expenses are refunded "
    b"within thirty days when receipts are attached."
)


async def _chunks(app: FastAPI, document_id: str) -> int:
    async with app.state.runtime.read_sessions() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(DatasetChunk)
            .where(DatasetChunk.document_id == uuid.UUID(document_id))
        )
    return int(n or 0)


async def test_upload_ingest_search(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller
) -> None:
    ds = await make_dataset(http, caller, "handbook", chunk_size=16, chunk_overlap=4)
    r = await upload(http, caller, "handbook", "handbook.md", LEAVE)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["kind"] == "md" and doc["status"] == "queued" and doc["size_bytes"] == len(LEAVE)
    status = await settled(http, caller, ds["id"])
    assert status["status"] == "ready" and status["documents"]["ready"] == 1
    assert status["chunks"] == await _chunks(local_app, doc["id"]) > 2

    r = await http.post(
        "/api/v1/datasets/handbook/search",
        json={"query": "how many days of annual leave", "limit": 3},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    hits = r.json()["documents"]
    assert hits and "leave" in hits[0]["content"].lower()
    top = hits[0]
    assert top["document_id"] == doc["id"] and 0 < top["similarity_score"] < 1
    assert top["metadata"]["filename"] == "handbook.md" and "position" in top["metadata"]
    assert top["neighbours"], "a chunk in the middle of a document has neighbours"
    scores = [h["similarity_score"] for h in hits]
    assert scores == sorted(scores, reverse=True)

    r = await http.post(
        "/api/v1/datasets/handbook/search/",
        json={"query": "how many days of annual leave", "similarity_threshold": 0.99},
        headers=caller.headers,
    )
    assert r.status_code == 200 and r.json()["documents"] == []

    r = await http.get("/api/v1/datasets/handbook/documents", headers=caller.headers)
    assert r.status_code == 200 and r.json()["total"] == 1
    assert r.json()["items"][0]["status"] == "ready"
    r = await http.get("/api/v1/datasets/handbook", headers=caller.headers)
    assert r.json()["ingestion"]["chunks"] == status["chunks"]


async def test_same_file_again_changes_nothing_a_changed_one_is_reindexed(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller
) -> None:
    ds = await make_dataset(http, caller, "hb")
    first = (await upload(http, caller, "hb", "a.txt", b"alpha bravo charlie")).json()
    await settled(http, caller, ds["id"])
    again = (await upload(http, caller, "hb", "a.txt", b"alpha bravo charlie")).json()
    assert again["id"] == first["id"] and again["job_id"] == first["job_id"]
    changed = (await upload(http, caller, "hb", "a.txt", b"delta echo foxtrot")).json()
    assert changed["id"] == first["id"] and changed["job_id"] != first["job_id"]
    await settled(http, caller, ds["id"])
    assert await _chunks(local_app, first["id"]) == 1
    hits = await _search(http, caller, "hb", "alpha")
    assert hits == []
    assert (await _search(http, caller, "hb", "foxtrot"))[0]["content"] == "delta echo foxtrot"


async def _search(
    http: httpx.AsyncClient, caller: Caller, name: str, q: str
) -> list[dict[str, object]]:
    r = await http.post(
        f"/api/v1/datasets/{name}/search", json={"query": q}, headers=caller.headers
    )
    assert r.status_code == 200, r.text
    hits: list[dict[str, object]] = r.json()["documents"]
    return hits


async def test_every_kind_is_ingested(http: httpx.AsyncClient, caller: Caller) -> None:
    ds = await make_dataset(http, caller, "kinds")
    uploads = {
        "r.pdf": samples.pdf("zebra quarterly"),
        "r.docx": samples.docx("giraffe policy"),
        "r.xlsx": samples.xlsx([["animal"], ["okapi"]]),
        "r.html": b"<html><body><p>walrus page</p></body></html>",
        "r.csv": b"animal\nlemur\n",
        "r.json": b'{"animal": "tapir"}',
    }
    for name, data in uploads.items():
        r = await upload(http, caller, "kinds", name, data)
        assert r.status_code == 201, (name, r.text)
    status = await settled(http, caller, ds["id"])
    assert status["documents"]["ready"] == len(uploads), status
    for word in ("zebra", "giraffe", "okapi", "walrus", "lemur", "tapir"):
        assert await _search(http, caller, "kinds", word), word


async def test_refused_uploads(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_dataset(http, caller, "strict")
    r = await upload(http, caller, "strict", "fake.pdf", b"not a pdf at all")
    assert r.status_code == 415 and r.json()["code"] == "unsupported_file_type"
    r = await upload(http, caller, "strict", "x.txt", b"\x00\x01\x02binary")
    assert r.status_code == 415
    r = await upload(http, caller, "strict", "empty.txt", b"")
    assert r.status_code == 422
    r = await http.post(
        "/api/v1/datasets/strict/documents", json={"file": "x"}, headers=caller.headers
    )
    assert r.status_code == 422 and r.json()["code"] == "file_required"
    monkeypatch.setattr(local_app.state.runtime.settings, "dataset_upload_max_bytes", 100)
    r = await upload(http, caller, "strict", "big.txt", b"a" * 101)
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    r = await upload(http, caller, "nope", "a.txt", b"x")
    assert r.status_code == 404 and r.json()["detail"] == "Dataset 'nope' not found"


async def test_upload_honours_idempotency_key(http: httpx.AsyncClient, caller: Caller) -> None:
    await make_dataset(http, caller, "idem")
    headers = {**caller.headers, "Idempotency-Key": "upload-1"}
    files = {"file": ("a.txt", b"hello there")}
    # A retry resends the same bytes (the same multipart boundary).
    request = http.build_request(
        "POST", "/api/v1/datasets/idem/documents", files=files, headers=headers
    )
    body = request.read()
    first = await http.send(request)
    again = await http.post(
        "/api/v1/datasets/idem/documents",
        content=body,
        headers={**headers, "Content-Type": request.headers["Content-Type"]},
    )
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()


async def test_delete_document_removes_its_chunks(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller
) -> None:
    ds = await make_dataset(http, caller, "del")
    doc = (await upload(http, caller, "del", "a.txt", b"kiwi mango papaya")).json()
    await settled(http, caller, ds["id"])
    assert await _chunks(local_app, doc["id"]) == 1
    r = await http.delete(f"/api/v1/datasets/del/documents/{doc['id']}", headers=caller.headers)
    assert r.status_code == 200 and r.json() == {"id": doc["id"]}
    assert await _chunks(local_app, doc["id"]) == 0
    assert await _search(http, caller, "del", "mango") == []
    r = await http.get(f"/api/v1/datasets/del/documents/{doc['id']}", headers=caller.headers)
    assert r.status_code == 404


async def test_dataset_delete_removes_documents_chunks_and_files(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller
) -> None:
    ds = await make_dataset(http, caller, "gone")
    doc = (await upload(http, caller, "gone", "a.txt", b"lychee durian")).json()
    await settled(http, caller, ds["id"])
    data_dir = local_app.state.runtime.settings.data_dir
    stored = list(data_dir.glob(f"datasets/*/{ds['id']}/*"))
    assert len(stored) == 1
    assert (await http.delete("/api/v1/datasets/gone", headers=caller.headers)).status_code == 200
    assert await _chunks(local_app, doc["id"]) == 0
    assert not stored[0].exists()
    r = await http.get(f"/api/v1/ingestion/datasets/{ds['id']}/status", headers=caller.headers)
    assert r.status_code == 404
