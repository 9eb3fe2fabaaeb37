"""A space's datasets in the console: create one, upload a file (the API's own multipart
upload), follow its ingestion to ready, search it (ranked chunks with scores), stop / retry,
remove; another space's dataset answers 404."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.console.conftest import BASE, Browser
from tests.factories import OrgCtx, make_org, make_space
from tests.jobs.hold import jobs_held

LEAVE = (
    b"Annual leave. Every employee takes twenty five holiday days each year; unused days "
    b"carry over until March. Ask your manager before booking a long holiday."
)


@pytest.fixture
async def signed_in(local_app: FastAPI) -> AsyncIterator[tuple[Browser, OrgCtx]]:
    org = await make_org(local_app.state.runtime)
    transport = httpx.ASGITransport(app=local_app)
    async with (
        jobs_held(keep=local_app.state.jobs),
        httpx.AsyncClient(transport=transport, base_url=BASE) as c,
    ):
        browser = Browser(c)
        r = await browser.sign_in(org.key)
        assert r.status_code == 303, r.text
        yield browser, org


async def _upload(browser: Browser, path: str, name: str, data: bytes) -> httpx.Response:
    return await browser.http.post(
        path,
        data={"csrf_token": browser.csrf},
        files={"file": (name, data, "application/octet-stream")},
        headers={"Origin": BASE},
    )


def _row(page: str, filename: str) -> str:
    """The documents table's row of ``filename``."""
    return page[page.index(f'<span class="filename">{filename}') :].split("</tr>", 1)[0]


async def _ready(browser: Browser, path: str, filename: str) -> str:
    """The dataset's page once the document's row shows it ready."""
    page = ""
    for _ in range(400):
        page = (await browser.get(path)).text
        row = _row(page, filename)
        if 'class="badge on">ready<' in row:
            return page
        await asyncio.sleep(0.05)
    raise AssertionError(f"{filename} never showed ready:\n{page}")


async def test_dataset_pages(
    signed_in: tuple[Browser, OrgCtx],
    http: httpx.AsyncClient,
    local_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser, org = signed_in
    space = await make_space(http, org, "handbooks")
    base = f"/console/spaces/{space['id']}/datasets"

    page = await browser.get(base)
    assert page.status_code == 200 and "No datasets yet." in page.text
    assert f'href="{base}" aria-current="page">Datasets<' in page.text  # the space's tab
    r = await browser.post(base, {"name": "bad name!"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    r = await browser.post(base, {"name": "handbook", "summary": "HR rules", "chunk_size": "64"})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"{base}/handbook"

    detail = await browser.get(f"{base}/handbook")
    assert detail.status_code == 200 and "No documents yet" in detail.text
    assert "lexical (no embedding model)" in detail.text and "64 tokens" in detail.text

    r = await _upload(browser, f"{base}/handbook/documents", "leave-policy.txt", LEAVE)
    assert r.status_code == 303, r.text
    page = await browser.get(f"{base}/handbook")
    assert "Uploaded leave-policy.txt: ingestion queued." in page.text
    assert "leave-policy.txt" in page.text
    row = _row(page.text, "leave-policy.txt")
    assert re.search(r'class="badge[^"]*">(queued|running|ready)<', row), row
    done = await _ready(browser, f"{base}/handbook", "leave-policy.txt")
    row = _row(done, "leave-policy.txt")
    assert "done" in row and "chunks" in row  # the job's last progress

    # A file whose content is no document it can read is refused, the page says why.
    r = await _upload(browser, f"{base}/handbook/documents", "scan.pdf", b"\x00\x01 not a pdf")
    assert r.status_code == 415, r.text
    assert 'class="alert alert-error"' in r.text
    r = await browser.http.post(
        f"{base}/handbook/documents", data={"csrf_token": browser.csrf}, headers={"Origin": BASE}
    )
    assert r.status_code == 422 and "Choose a file to upload." in r.text
    settings = local_app.state.runtime.settings
    monkeypatch.setattr(settings, "dataset_upload_max_bytes", 100)
    r = await _upload(browser, f"{base}/handbook/documents", "big.txt", b"x" * 200)
    assert r.status_code == 413 and "larger than the 100 bytes" in r.text
    monkeypatch.undo()

    r = await browser.post(f"{base}/handbook/search", {"query": "holiday days", "limit": "5"})
    assert r.status_code == 200, r.text
    hits = r.text.split('<ol class="references hits">', 1)[1].split("</ol>", 1)[0]
    assert "leave-policy.txt" in hits and "twenty five holiday days" in hits
    assert re.search(r'class="badge">0\.\d{3}<', hits), hits
    r = await browser.post(f"{base}/handbook/search", {"query": "zebra"})
    assert r.status_code == 200 and "Nothing matched." in r.text

    for action in ("stop", "retry", "start"):
        r = await browser.post(f"{base}/handbook/ingestion/{action}")
        assert r.status_code == 303, (action, r.text)
    r = await browser.post(f"{base}/handbook/ingestion/explode")
    assert r.status_code == 422
    await _ready(browser, f"{base}/handbook", "leave-policy.txt")

    listing = await browser.get(base)
    row = listing.text[listing.text.index(f"{base}/handbook") :].split("</tr>", 1)[0]
    assert 'class="badge on">ready<' in row and "1 / 1" in row

    # Another org's dataset: not in this space, nor reachable through that org's space id.
    other = await make_org(local_app.state.runtime)
    theirs = await make_space(http, other, "theirs")
    r = await http.post(
        "/api/v1/datasets/",
        json={"name": "secret", "dtype": "local_file", "configuration": {}},
        headers={**other.headers, "X-Space-Id": str(theirs["id"])},
    )
    assert r.status_code == 201, r.text
    assert (await browser.get(f"{base}/secret")).status_code == 404
    assert (await browser.get(f"/console/spaces/{theirs['id']}/datasets/secret")).status_code == 404
    r = await browser.post(f"/console/spaces/{theirs['id']}/datasets/secret/delete")
    assert r.status_code == 404
    still = await http.get(
        "/api/v1/datasets/secret", headers={**other.headers, "X-Space-Id": str(theirs["id"])}
    )
    assert still.status_code == 200

    doc_id = re.search(rf"{base}/handbook/documents/([0-9a-f-]+)/delete", done)
    assert doc_id is not None
    await browser.get(f"{base}/handbook")
    r = await browser.post(f"{base}/handbook/documents/{doc_id.group(1)}/delete")
    assert r.status_code == 303
    page = await browser.get(f"{base}/handbook")
    assert "Document removed." in page.text and "No documents yet" in page.text
    r = await browser.post(f"{base}/handbook/delete")
    assert r.status_code == 303 and r.headers["location"] == base
    assert "No datasets yet." in (await browser.get(base)).text
