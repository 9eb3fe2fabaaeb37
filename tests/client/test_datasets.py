"""The client's datasets (seed 003): the async client against the app in the tests' loop (its job
runner embeds uploads through the fake provider), the sync client against a live server."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from spacegate.client import (
    AsyncSpacegate,
    NotFoundError,
    Spacegate,
    UnprocessableEntityError,
)
from spacegate.wire.syft.datasets import DatasetCreate, DatasetRead, DocumentRead
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.jobs.hold import jobs_held
from tests.live import LiveServer

NOTES = b"The orbital relay station keeps the quarterly maintenance log for the antenna array."
OTHER = b"Cafeteria menus rotate weekly; soup on mondays, curry on thursdays."


@pytest.fixture
async def space_client(local_app: FastAPI, fake: FakeProvider) -> AsyncIterator[AsyncSpacegate]:
    """A client in a fresh space of a fresh org, with an embedding model entitled there; only
    this app's runner takes the jobs (the others may not reach the fake provider)."""
    fake.embedder = None
    org = await make_org(local_app.state.runtime)
    transport = httpx.ASGITransport(app=local_app)
    async with AsyncSpacegate("http://sg.test", org.key, http_transport=transport) as sg:
        space = await sg.spaces.create(name=f"ds-{uuid.uuid4().hex[:6]}", description="rag")
        provider = await sg.providers.create(
            name="fake", type="openai", base_url=f"{fake.url}/v1", api_key="sk-x"
        )
        made = await sg.models.create(
            alias="embedder",
            provider_id=provider.id,
            upstream_model="text-embedding-fake",
            capabilities=["embeddings"],
        )
        await sg.entitlements.grant(space.id, made.alias)
    async with (
        jobs_held(keep=local_app.state.jobs),
        AsyncSpacegate(
            "http://sg.test", org.key, space_id=space.id, http_transport=transport
        ) as client,
    ):
        yield client


async def test_upload_is_ingested_then_found(space_client: AsyncSpacegate) -> None:
    ds = space_client.datasets
    assert "local_file" in [t.name for t in await ds.types()]
    made = await ds.create(
        name="manuals",
        dtype="local_file",
        configuration={"embedding_model": "embedder", "chunk_size": 32, "chunk_overlap": 4},
        tags="ops, space",
    )
    assert isinstance(made, DatasetRead) and made.tags == ["ops", "space"]
    assert made.ingestion.status == "empty"

    doc = await ds.upload("manuals", NOTES, filename="relay.txt")
    assert isinstance(doc, DocumentRead) and doc.filename == "relay.txt"
    await ds.upload("manuals", io.BytesIO(OTHER), filename="menu.txt")
    settled = await ds.wait_for_ingestion("manuals", within=30, interval=0.05)
    assert settled.status == "ready" and settled.documents.ready == 2 and settled.chunks >= 2
    assert settled.dataset_id == made.id

    found = await ds.search("manuals", "antenna maintenance log", limit=1)
    assert [h.document_id for h in found.documents] == [doc.id]
    assert "antenna" in found.documents[0].content and found.documents[0].similarity_score > 0
    strict = await ds.search("manuals", "antenna", similarity_threshold=1.0)
    assert strict.query == "antenna" and len(strict.documents) <= 1

    jobs = await ds.jobs("manuals", status="succeeded", page_size=1).to_list()
    assert sorted(j.filename for j in jobs) == ["menu.txt", "relay.txt"]
    listed = [d.filename async for d in ds.documents("manuals", page_size=1)]
    assert listed == ["relay.txt", "menu.txt"]

    again = await ds.start(made)
    assert again.documents.total == 2
    assert (await ds.wait_for_ingestion(made, within=30, interval=0.05)).status == "ready"
    await ds.delete_document("manuals", doc.id)
    assert [d.filename async for d in ds.documents("manuals")] == ["menu.txt"]
    left = (await ds.search("manuals", "antenna maintenance log")).documents
    assert {h.metadata["filename"] for h in left} == {"menu.txt"}  # by vector only


async def test_async_update_stop_retry_and_delete(
    local_app: FastAPI, space_client: AsyncSpacegate
) -> None:
    ds = space_client.datasets
    await ds.create(DatasetCreate(name="held", dtype="local_file"))
    changed = await ds.update("held", summary="paused work", name="paused")
    assert changed.summary == "paused work" and changed.name == "paused"
    async with jobs_held():  # this app's runner too: the jobs stay queued
        await ds.upload("paused", OTHER, filename="a.txt")
        stopped = await ds.stop("paused")
        assert stopped.documents.cancelled == 1 and stopped.status == "cancelled"
        retried = await ds.retry(changed.id)
        assert retried.documents.queued == 1
        queued = [j.status async for j in ds.jobs(changed.id)]
        assert sorted(queued) == ["cancelled", "queued"]
    assert (await ds.wait_for_ingestion("paused", within=30, interval=0.05)).status == "ready"
    with pytest.raises(UnprocessableEntityError) as no_folder:
        await ds.sync("paused")
    assert no_folder.value.code == "no_folder"
    assert (await ds.delete("paused")).id == str(changed.id)
    with pytest.raises(NotFoundError):
        await ds.get("paused")
    with pytest.raises(NotFoundError):
        await ds.status("paused")


async def test_sync_client(server: LiveServer, owner: OrgCtx, tmp_path: Path) -> None:
    """The live server's runner alone takes the jobs (the sync calls run in a thread)."""
    async with jobs_held(keep=server.app.state.jobs):
        await asyncio.to_thread(_sync_calls, server, owner, tmp_path)


def _sync_calls(server: LiveServer, owner: OrgCtx, tmp_path: Path) -> None:
    file = tmp_path / "guide.md"
    file.write_bytes(b"# Docking\n\nAlign the docking clamps before the pressure check.")
    with Spacegate(server.url, owner.key) as sg:
        space = sg.spaces.create(name=f"sync-{uuid.uuid4().hex[:6]}", description="rag")
    with Spacegate(server.url, owner.key, space_id=space.id) as c:
        for i in range(3):
            c.datasets.create(name=f"d{i}", dtype="local_file")
        assert [d.name for d in c.datasets.list(page_size=2)] == ["d0", "d1", "d2"]
        doc = c.datasets.upload("d1", file)
        assert doc.filename == "guide.md" and c.datasets.document("d1", doc.id).id == doc.id
        assert c.datasets.wait_for_ingestion("d1", within=60, interval=0.1).status == "ready"
        hits = c.datasets.search("d1", "docking clamps").documents
        assert [h.document_id for h in hits] == [doc.id]
        assert c.datasets.status(c.datasets.get("d1").id).documents.ready == 1
        assert [j.status for j in c.datasets.jobs("d1")] == ["succeeded"]
        assert c.datasets.update("d2", tags=["x"]).tags == ["x"]
        c.datasets.delete("d0")
        assert [d.name for d in c.datasets.list()] == ["d1", "d2"]
        with pytest.raises(NotFoundError):
            c.datasets.upload("d0", b"x", filename="x.txt")


def test_the_datasets_wire_schemas_need_no_server() -> None:
    code = (
        "import sys, spacegate.wire.syft.datasets; "
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'starlette', 'spacegate.api') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
